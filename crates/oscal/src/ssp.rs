//! The ISMS as an OSCAL 1.1.3 system security plan: the organization, its ISMS roles
//! and members as parties; the scope as the system's description and authorization
//! boundary; the classified information as information types; the key assets as
//! components; one implemented requirement per Annex A control with the SoA's status,
//! justification, inclusion reasons and owner; the linked evidence as back-matter
//! resources carrying their SHA-256.

use isms_domain::asset::{Asset, AssetType, Lifecycle};
use isms_domain::evidence::{Content, Evidence, TargetKind};
use isms_domain::framework::Framework;
use isms_domain::register::Scope;
use isms_domain::soa::{ControlStatus, SoaRow};
use serde_json::{Map, Value, json};

use crate::export::{NS, metadata, tokens, uuid_for};

/// A member of the organization and their ISMS role.
#[derive(Debug, Clone)]
pub struct Member {
    /// Their name.
    pub name: String,
    /// Their e-mail address.
    pub email: String,
    /// Their role's written name (`isms_manager`).
    pub role: String,
    /// Their role in words (`ISMS manager`).
    pub role_title: String,
}

/// A requirement of another framework, drawn from the Annex A controls through the
/// crosswalk.
#[derive(Debug, Clone)]
pub struct Drawn {
    /// The requirement's id in its framework.
    pub item: String,
    /// implemented, partial or planned.
    pub state: &'static str,
    /// How it is met, in words naming the controls.
    pub statement: String,
    /// The Annex A controls it is drawn from.
    pub controls: Vec<String>,
    /// Why it is partial or planned.
    pub remarks: Option<String>,
}

/// The ISMS presented against another framework.
#[derive(Debug, Clone)]
pub struct Against<'a> {
    /// The framework.
    pub framework: &'a Framework,
    /// Every requirement of it, in its order.
    pub requirements: Vec<Drawn>,
}

/// What the system security plan is made from.
#[derive(Debug, Clone)]
pub struct SspInput<'a> {
    /// The organization's id: the scope of every UUID.
    pub org_id: &'a str,
    /// The organization's name.
    pub org_name: &'a str,
    /// The SoA version the rows come from (`3`, or `draft`).
    pub version: String,
    /// The members.
    pub members: Vec<Member>,
    /// The ISMS scope, when defined.
    pub scope: Option<&'a Scope>,
    /// The asset inventory.
    pub assets: &'a [Asset],
    /// The SoA's rows.
    pub rows: &'a [SoaRow],
    /// The evidence items.
    pub evidence: &'a [Evidence],
    /// Where the profile is (a file name or URL).
    pub profile_href: String,
    /// Present the ISMS against this framework instead of Annex A.
    pub against: Option<Against<'a>>,
}

/// How an SoA row's status reads in OSCAL: implemented, partial, planned or
/// not-applicable.
pub fn state(row: &SoaRow) -> &'static str {
    if !row.applicable || row.status == ControlStatus::NotApplicable {
        return "not-applicable";
    }
    match row.status {
        ControlStatus::Implemented => "implemented",
        ControlStatus::PartiallyImplemented => "partial",
        _ => "planned",
    }
}

/// A file name or URL as a URI reference: characters outside the unreserved set and
/// `/:?#&=%` are percent-encoded.
fn uri(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:?#&=%+".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn clean(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn prop(name: &str, value: &str, ns: bool) -> Option<Value> {
    let v = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.is_empty() {
        return None;
    }
    Some(if ns { json!({ "name": name, "ns": NS, "value": v }) } else { json!({ "name": name, "value": v }) })
}

fn targets_control(e: &Evidence, control: &str) -> bool {
    let bare = control.strip_prefix("A.").unwrap_or(control);
    e.targets.iter().any(|t| t.kind == TargetKind::Control && (t.id == control || t.id == bare))
}

/// The system security plan.
pub fn ssp(fw: &Framework, i: &SspInput<'_>, last_modified: &str) -> Value {
    let org = i.org_id;
    let ids = tokens(fw);
    let org_party = uuid_for(org, "party:organization");
    let party_of = |email: &str| uuid_for(org, &format!("party:{}", email.to_lowercase()));
    let this_system = uuid_for(org, "component:this-system");
    let operational = i.rows.iter().any(|r| r.status == ControlStatus::Implemented) && i.version != "draft";

    // Metadata: the ISMS roles, the organization and its members as parties.
    let mut roles: Vec<(String, String)> = Vec::new();
    for m in &i.members {
        if !roles.iter().any(|(id, _)| *id == m.role) {
            roles.push((m.role.clone(), m.role_title.clone()));
        }
    }
    let mut parties = vec![json!({ "uuid": org_party, "type": "organization", "name": i.org_name })];
    for m in &i.members {
        parties.push(json!({
            "uuid": party_of(&m.email),
            "type": "person",
            "name": m.name,
            "email-addresses": [m.email],
            "member-of-organizations": [org_party],
        }));
    }
    let responsible: Vec<Value> = roles
        .iter()
        .map(|(role, _)| {
            let who: Vec<String> = i.members.iter().filter(|m| m.role == *role).map(|m| party_of(&m.email)).collect();
            json!({ "role-id": role, "party-uuids": who })
        })
        .collect();
    let mut meta = metadata(
        &format!("{} — ISMS system security plan (ISO/IEC 27001:2022)", i.org_name),
        &i.version,
        last_modified,
        Some(&format!(
            "Generated by isms from {}'s records and its Statement of Applicability ({}).",
            i.org_name,
            if i.version == "draft" { "as drafted".to_owned() } else { format!("version {}", i.version) }
        )),
    );
    let mut empty = Map::new();
    let m = meta.as_object_mut().unwrap_or(&mut empty);
    if !roles.is_empty() {
        m.insert(
            "roles".into(),
            json!(roles.iter().map(|(id, title)| json!({ "id": id, "title": title })).collect::<Vec<_>>()),
        );
    }
    let locations: Vec<String> =
        i.scope.map(|s| s.locations.iter().filter_map(|l| clean(l)).collect()).unwrap_or_default();
    if !locations.is_empty() {
        m.insert(
            "locations".into(),
            json!(
                locations
                    .iter()
                    .map(|l| json!({ "uuid": uuid_for(org, &format!("location:{l}")), "title": l }))
                    .collect::<Vec<_>>()
            ),
        );
    }
    m.insert("parties".into(), json!(parties));
    if !responsible.is_empty() {
        m.insert("responsible-parties".into(), json!(responsible));
    }

    // System characteristics: the scope and the information.
    let description = i.scope.and_then(|s| clean(&s.statement)).unwrap_or_else(|| {
        format!("The information security management system of {}; no scope statement is recorded yet.", i.org_name)
    });
    let mut boundary = Vec::new();
    if let Some(s) = i.scope {
        if !s.boundaries.is_empty() {
            boundary.push(format!("Boundaries: {}.", s.boundaries.join("; ")));
        }
        if !s.interfaces.is_empty() {
            boundary.push(format!("Interfaces and dependencies: {}.", s.interfaces.join("; ")));
        }
        if !s.locations.is_empty() {
            boundary.push(format!("Locations: {}.", s.locations.join("; ")));
        }
        for e in &s.exclusions {
            boundary.push(format!("Excluded: {} ({}).", e.what, e.justification));
        }
    }
    if boundary.is_empty() {
        boundary.push("The ISMS scope's boundaries are not recorded yet.".to_owned());
    }
    let mut levels: Vec<&str> = i.assets.iter().map(|a| a.classification.as_str()).collect();
    levels.sort_unstable();
    levels.dedup();
    let mut information: Vec<Value> = levels
        .iter()
        .map(|level| {
            let names: Vec<&str> =
                i.assets.iter().filter(|a| a.classification == *level).map(|a| a.name.as_str()).collect();
            json!({
                "uuid": uuid_for(org, &format!("information-type:{level}")),
                "title": format!("Information classified {level}"),
                "description": format!("Assets classified {level}: {}.", names.join(", ")),
            })
        })
        .collect();
    if information.is_empty() {
        information.push(json!({
            "uuid": uuid_for(org, "information-type:all"),
            "title": "Information in the ISMS scope",
            "description": "No assets are inventoried yet.",
        }));
    }
    let characteristics = json!({
        "system-ids": [{ "identifier-type": "https://ietf.org/rfc/rfc4122", "id": uuid_for(org, "system") }],
        "system-name": format!("{} ISMS", i.org_name),
        "description": description,
        "system-information": { "information-types": information },
        "status": { "state": if operational { "operational" } else { "under-development" } },
        "authorization-boundary": { "description": boundary.join(" ") },
    });

    // System implementation: the users by role, this system and the key assets.
    let users: Vec<Value> = roles
        .iter()
        .map(|(id, title)| json!({ "uuid": uuid_for(org, &format!("user:{id}")), "title": title, "role-ids": [id] }))
        .collect();
    let users = if users.is_empty() {
        vec![json!({ "uuid": uuid_for(org, "user:nobody"), "title": "No members yet" })]
    } else {
        users
    };
    let mut components = vec![json!({
        "uuid": this_system,
        "type": "this-system",
        "title": format!("{} ISMS", i.org_name),
        "description": "The whole system the ISMS covers.",
        "status": { "state": if operational { "operational" } else { "under-development" } },
    })];
    for a in i.assets.iter().filter(|a| matches!(a.kind, AssetType::System | AssetType::Service)) {
        let state = match a.lifecycle {
            Lifecycle::Planned => "under-development",
            Lifecycle::InUse => "operational",
            Lifecycle::Retiring | Lifecycle::Retired => "disposition",
        };
        let props: Vec<Value> = [
            prop("label", &a.id, false),
            prop("classification", &a.classification, true),
            prop("cia", &format!("{}/{}/{}", a.confidentiality, a.integrity, a.availability), true),
        ]
        .into_iter()
        .flatten()
        .collect();
        components.push(json!({
            "uuid": uuid_for(org, &format!("component:{}", a.id)),
            "type": if a.kind == AssetType::System { "system" } else { "service" },
            "title": a.name,
            "description": clean(&a.description).unwrap_or_else(|| format!("{} ({}), owned by {}.", a.name, a.kind.as_str(), a.owner)),
            "props": props,
            "status": { "state": state },
        }));
    }

    // Control implementation: one implemented requirement per Annex A control, or per
    // requirement of the framework presented against.
    let mut resources: Vec<Value> = Vec::new();
    let evidence_links = |controls: &[String], resources: &mut Vec<Value>| {
        let mut links: Vec<Value> = Vec::new();
        for e in i.evidence.iter().filter(|e| controls.iter().any(|c| targets_control(e, c))) {
            let uuid = uuid_for(org, &format!("evidence:{}", e.id));
            if links.iter().any(|l| l["href"] == format!("#{uuid}").as_str()) {
                continue;
            }
            links.push(json!({ "href": format!("#{uuid}"), "rel": "evidence", "text": e.title }));
            if resources.iter().any(|r| r["uuid"] == uuid.as_str()) {
                continue;
            }
            let rlink = match &e.content {
                Content::File { sha256, filename, media_type, .. } => json!({
                    "href": uri(&format!("evidence/{}/{}", e.id, filename)),
                    "media-type": media_type,
                    "hashes": [{ "algorithm": "SHA-256", "value": sha256 }],
                }),
                Content::Link { url } => json!({ "href": uri(url) }),
            };
            resources.push(json!({
                "uuid": uuid,
                "title": e.title,
                "props": [{ "name": "label", "value": e.id }],
                "rlinks": [rlink],
            }));
        }
        links
    };
    let mut requirements = Vec::new();
    if let Some(a) = &i.against {
        let target = tokens(a.framework);
        let fw_id = a.framework.id.as_str();
        for d in &a.requirements {
            let Some(control_id) = target.get(&d.item) else { continue };
            let mut props: Vec<Value> = vec![json!({ "name": "label", "value": d.item })];
            props.extend(d.controls.iter().filter_map(|c| prop("drawn-from", c, true)));
            let links = evidence_links(&d.controls, &mut resources);
            let mut status = Map::new();
            status.insert("state".into(), json!(d.state));
            if let Some(r) = d.remarks.as_deref().and_then(clean) {
                status.insert("remarks".into(), json!(r));
            }
            let mut req = Map::new();
            req.insert("uuid".into(), json!(uuid_for(org, &format!("requirement:{fw_id}:{}", d.item))));
            req.insert("control-id".into(), json!(control_id));
            req.insert("props".into(), json!(props));
            if !links.is_empty() {
                req.insert("links".into(), json!(links));
            }
            req.insert(
                "by-components".into(),
                json!([{
                    "component-uuid": this_system,
                    "uuid": uuid_for(org, &format!("by-component:{fw_id}:{}", d.item)),
                    "description": d.statement,
                    "implementation-status": Value::Object(status),
                }]),
            );
            requirements.push(Value::Object(req));
        }
    }
    for row in i.rows.iter().filter(|_| i.against.is_none()) {
        let Some(control_id) = ids.get(&row.control) else { continue };
        let state = state(row);
        let mut props: Vec<Value> = vec![json!({ "name": "label", "value": row.control })];
        props.extend(row.reasons.iter().filter_map(|r| prop("inclusion-reason", r.as_str(), true)));
        props.extend(prop("isms-status", row.status.as_str(), true));
        if let Some(owner) = &row.owner {
            props.extend(prop("owner", owner, true));
        }
        let links = evidence_links(std::slice::from_ref(&row.control), &mut resources);
        let mut by = Map::new();
        by.insert("component-uuid".into(), json!(this_system));
        by.insert("uuid".into(), json!(uuid_for(org, &format!("by-component:{}", row.control))));
        by.insert(
            "description".into(),
            json!(clean(&row.implementation).unwrap_or_else(|| format!(
                "{} {}: no implementation statement recorded yet.",
                row.control, row.title
            ))),
        );
        let mut status = Map::new();
        status.insert("state".into(), json!(state));
        if state == "not-applicable" {
            status.insert(
                "remarks".into(),
                json!(
                    row.justification
                        .as_deref()
                        .and_then(clean)
                        .unwrap_or_else(|| "No justification recorded.".to_owned())
                ),
            );
        }
        by.insert("implementation-status".into(), Value::Object(status));
        let mut req = Map::new();
        req.insert("uuid".into(), json!(uuid_for(org, &format!("requirement:{}", row.control))));
        req.insert("control-id".into(), json!(control_id));
        req.insert("props".into(), json!(props));
        if !links.is_empty() {
            req.insert("links".into(), json!(links));
        }
        if let Some(owner) = &row.owner
            && let Some(m) = i.members.iter().find(|m| m.name == *owner || m.email == *owner)
        {
            req.insert("responsible-roles".into(), json!([{ "role-id": m.role, "party-uuids": [party_of(&m.email)] }]));
        }
        req.insert("by-components".into(), json!([Value::Object(by)]));
        if let Some(j) = row.justification.as_deref().and_then(clean)
            && state == "not-applicable"
        {
            req.insert("remarks".into(), json!(j));
        }
        requirements.push(Value::Object(req));
    }
    let (subject, scope_key) = match &i.against {
        Some(a) => (
            format!(
                "presented against {} through the crosswalk: each requirement names the ISO/IEC 27001:2022 Annex A controls it is drawn from; one reached only through `intersects` links, or by controls not implemented yet, is partial; one no control reaches is planned",
                a.framework.name
            ),
            format!("ssp:{}:{}", a.framework.id, i.version),
        ),
        None => (
            "one requirement per Annex A control of ISO/IEC 27001:2022, with the status, the justification of an exclusion, the reasons for inclusion, the owner and the evidence".to_owned(),
            format!("ssp:{}", i.version),
        ),
    };
    if let Some(a) = &i.against
        && let Some(m) = meta.as_object_mut()
    {
        m.insert("title".into(), json!(format!("{} — ISMS system security plan ({})", i.org_name, a.framework.name)));
    }
    let mut plan = json!({ "system-security-plan": {
        "uuid": uuid_for(org, &scope_key),
        "metadata": meta,
        "import-profile": {
            "href": uri(&i.profile_href),
            "remarks": format!("{}'s Statement of Applicability as an OSCAL profile (`isms oscal export profile`).", i.org_name),
        },
        "system-characteristics": characteristics,
        "system-implementation": { "users": users, "components": components },
        "control-implementation": {
            "description": format!("How {} implements its ISMS, from its Statement of Applicability: {subject}.", i.org_name),
            "implemented-requirements": requirements,
        },
    }});
    if !resources.is_empty() {
        plan["system-security-plan"]["back-matter"] = json!({ "resources": resources });
    }
    plan
}
