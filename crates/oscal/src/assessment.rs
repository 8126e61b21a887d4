//! An audit as an OSCAL 1.1.3 assessment plan and assessment results.
//!
//! The plan: the audit's scope and criteria as terms and conditions, the checklist's
//! clauses and sampled Annex A controls as the reviewed controls, the ISMS (the SSP's
//! `this-system` component) as the subject, the audit's days as its task, and the
//! auditor and certification body as parties. The results: one result for the audit,
//! each audited checklist line as an observation, each finding as a finding graded
//! in the isms namespace (a nonconformity is `not-satisfied`), the report's
//! conclusion as the result's remarks.

use isms_domain::audit::{Audit, AuditStatus, CheckItem, CheckResult, Finding};
use isms_domain::framework::Framework;
use serde_json::{Map, Value, json};

use crate::export::{NS, metadata, tokens, uuid_for};

/// What an assessment plan or its results are made from.
#[derive(Debug, Clone)]
pub struct AuditInput<'a> {
    /// The organization's id: the scope of every UUID.
    pub org_id: &'a str,
    /// The organization's name.
    pub org_name: &'a str,
    /// The audit.
    pub audit: &'a Audit,
    /// The auditor's name (the audit names a member by e-mail for internal audits).
    pub auditor_name: String,
    /// The auditor's e-mail, when the auditor is a member.
    pub auditor_email: Option<String>,
    /// The findings the audit raised.
    pub findings: &'a [Finding],
    /// Where the SSP is (a file name or URL), which the plan imports.
    pub ssp_href: String,
    /// Where the plan is, which the results import.
    pub plan_href: String,
}

fn prop(name: &str, value: &str) -> Option<Value> {
    let v = value.split_whitespace().collect::<Vec<_>>().join(" ");
    (!v.is_empty()).then(|| json!({ "name": name, "ns": NS, "value": v }))
}

/// The first moment of a day, in UTC.
fn day_start(d: impl std::fmt::Display) -> String {
    format!("{d}T00:00:00Z")
}

/// The last moment of a day, in UTC.
fn day_end(d: impl std::fmt::Display) -> String {
    format!("{d}T23:59:59Z")
}

/// The checklist lines that name an item of the catalog, as OSCAL control ids.
fn reviewed(fw: &Framework, lines: &[&CheckItem], description: &str) -> Value {
    let ids = tokens(fw);
    let mut selected: Vec<Value> = Vec::new();
    for l in lines {
        if let Some(id) = ids.get(&l.reference)
            && !selected.iter().any(|s| s["control-id"] == id.as_str())
        {
            selected.push(json!({ "control-id": id }));
        }
    }
    let selection =
        if selected.is_empty() { json!({ "include-all": {} }) } else { json!({ "include-controls": selected }) };
    json!({ "description": description, "control-selections": [selection] })
}

struct Parties {
    auditor: String,
    body: Option<String>,
}

/// The metadata of both documents: the auditor (lead assessor) and the certification
/// body as parties, the organization as the assessed party.
fn audit_metadata(i: &AuditInput<'_>, title: &str, last_modified: &str, remarks: &str) -> (Value, Parties) {
    let org = i.org_id;
    let a = i.audit;
    let auditor = match &i.auditor_email {
        Some(e) => uuid_for(org, &format!("party:{}", e.to_lowercase())),
        None => uuid_for(org, &format!("party:auditor:{}", a.auditor.trim().to_lowercase())),
    };
    let body = a
        .certification_body
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| (uuid_for(org, &format!("party:certification-body:{}", b.to_lowercase())), b.to_owned()));
    let org_party = uuid_for(org, "party:organization");
    let mut person = json!({ "uuid": auditor, "type": "person", "name": i.auditor_name });
    if let Some(e) = &i.auditor_email {
        person["email-addresses"] = json!([e]);
        person["member-of-organizations"] = json!([org_party]);
    } else if let Some((b, _)) = &body {
        person["member-of-organizations"] = json!([b]);
    }
    let mut parties = vec![json!({ "uuid": org_party, "type": "organization", "name": i.org_name }), person];
    if let Some((uuid, name)) = &body {
        parties.push(json!({ "uuid": uuid, "type": "organization", "name": name }));
    }
    let mut meta = metadata(title, "1", last_modified, Some(remarks));
    let mut roles = vec![
        json!({ "id": "lead-assessor", "title": "Lead auditor" }),
        json!({ "id": "assessed-organization", "title": "The organization audited" }),
    ];
    let mut responsible = vec![
        json!({ "role-id": "lead-assessor", "party-uuids": [auditor] }),
        json!({ "role-id": "assessed-organization", "party-uuids": [org_party] }),
    ];
    if let Some((uuid, _)) = &body {
        roles.push(json!({ "id": "certification-body", "title": "Certification body" }));
        responsible.push(json!({ "role-id": "certification-body", "party-uuids": [uuid] }));
    }
    let props: Vec<Value> = [
        prop("audit", &a.id),
        prop("audit-kind", a.kind.as_str()),
        prop("audit-status", a.status.as_str()),
        prop("criteria", &a.criteria),
        a.copied_from.as_deref().and_then(|c| prop("copied-from", c)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(m) = meta.as_object_mut() {
        m.insert("props".into(), json!(props));
        m.insert("roles".into(), json!(roles));
        m.insert("parties".into(), json!(parties));
        m.insert("responsible-parties".into(), json!(responsible));
    }
    (meta, Parties { auditor, body: body.map(|(u, _)| u) })
}

fn describe(a: &Audit) -> String {
    let who = match a.certification_body.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => format!("{} by {} ({b})", a.kind.label(), a.auditor.trim()),
        None => format!("{} by {}", a.kind.label(), a.auditor.trim()),
    };
    format!("{} — {who}, {} to {}. Scope: {}", a.title.trim(), a.start, a.end, a.scope.trim())
}

/// The audit as an OSCAL assessment plan.
pub fn assessment_plan(fw: &Framework, i: &AuditInput<'_>, last_modified: &str) -> Value {
    let org = i.org_id;
    let a = i.audit;
    let (meta, parties) = audit_metadata(
        i,
        &format!("{} — assessment plan ({})", a.title.trim(), a.id),
        last_modified,
        &format!("The plan of {}'s {} {}, from isms.", i.org_name, a.kind.label(), a.id),
    );
    let lines: Vec<&CheckItem> = a.checklist.iter().collect();
    let sampled: Vec<&str> = a
        .checklist
        .iter()
        .filter(|l| l.kind == isms_domain::audit::CheckKind::Control)
        .map(|l| l.reference.as_str())
        .collect();
    let mut parts = vec![
        json!({ "name": "assessment-inclusions", "ns": NS, "title": "Scope", "prose": a.scope.trim() }),
        json!({ "name": "assessment-criteria", "ns": NS, "title": "Criteria", "prose": a.criteria.trim() }),
    ];
    if !sampled.is_empty() {
        parts.push(json!({
            "name": "sampled-controls",
            "ns": NS,
            "title": "Annex A controls sampled",
            "prose": format!("{} Annex A control(s) are sampled: {}.", sampled.len(), sampled.join(", ")),
        }));
    }
    parts.retain(|p| p["prose"].as_str().is_some_and(|s| !s.is_empty()));
    let mut responsible = vec![json!({ "role-id": "lead-assessor", "party-uuids": [parties.auditor] })];
    if let Some(b) = &parties.body {
        responsible.push(json!({ "role-id": "certification-body", "party-uuids": [b] }));
    }
    let mut plan = Map::new();
    plan.insert("uuid".into(), json!(uuid_for(org, &format!("assessment-plan:{}", a.id))));
    plan.insert("metadata".into(), meta);
    plan.insert("import-ssp".into(), json!({ "href": i.ssp_href }));
    if !parts.is_empty() {
        plan.insert("terms-and-conditions".into(), json!({ "parts": parts }));
    }
    plan.insert(
        "reviewed-controls".into(),
        reviewed(
            fw,
            &lines,
            &format!("The clauses and Annex A controls on the checklist of {} ({} line(s)).", a.id, lines.len()),
        ),
    );
    plan.insert(
        "assessment-subjects".into(),
        json!([{
            "type": "component",
            "description": format!("The ISMS of {} within its scope.", i.org_name),
            "include-subjects": [{ "subject-uuid": uuid_for(org, "component:this-system"), "type": "component" }],
        }]),
    );
    plan.insert(
        "tasks".into(),
        json!([{
            "uuid": uuid_for(org, &format!("task:{}", a.id)),
            "type": "action",
            "title": a.title.trim(),
            "description": describe(a),
            "timing": { "within-date-range": { "start": day_start(a.start), "end": day_end(a.end) } },
            "responsible-roles": responsible,
        }]),
    );
    json!({ "assessment-plan": Value::Object(plan) })
}

fn result_word(r: CheckResult) -> &'static str {
    match r {
        CheckResult::Open => "open",
        CheckResult::Conforming => "conforming",
        CheckResult::Finding => "finding",
        CheckResult::NotAudited => "not-audited",
    }
}

/// The audit's results as OSCAL assessment results.
pub fn assessment_results(fw: &Framework, i: &AuditInput<'_>, last_modified: &str) -> Value {
    let org = i.org_id;
    let a = i.audit;
    let ids = tokens(fw);
    let (meta, parties) = audit_metadata(
        i,
        &format!("{} — assessment results ({})", a.title.trim(), a.id),
        last_modified,
        &format!("The results of {}'s {} {}, from isms.", i.org_name, a.kind.label(), a.id),
    );
    // Observations are dated when they were made: the audit's last day once it is
    // completed, its first day while it runs.
    let collected = if a.status == AuditStatus::Completed { day_end(a.end) } else { day_start(a.start) };
    let origin =
        json!([{ "actors": [{ "type": "party", "actor-uuid": parties.auditor, "role-id": "lead-assessor" }] }]);
    let observation_of = |reference: &str| uuid_for(org, &format!("observation:{}:{}", a.id, reference));
    let all: Vec<&CheckItem> = a.checklist.iter().collect();
    let audited: Vec<&CheckItem> =
        a.checklist.iter().filter(|l| matches!(l.result, CheckResult::Conforming | CheckResult::Finding)).collect();
    let observations: Vec<Value> = audited
        .iter()
        .map(|l| {
            let description = match (l.notes.trim(), l.result) {
                ("", CheckResult::Finding) => "A finding was raised; no notes were recorded.".to_owned(),
                ("", _) => "Conforming; no notes were recorded.".to_owned(),
                (notes, _) => notes.to_owned(),
            };
            let mut props = vec![json!({ "name": "label", "value": l.reference })];
            props.extend(prop("result", result_word(l.result)));
            json!({
                "uuid": observation_of(&l.reference),
                "title": format!("{} {}", l.reference, l.title.trim()),
                "description": description,
                "props": props,
                // isms does not record how a line was checked (document review,
                // interview, test): the audit's notes say it in words.
                "methods": ["UNKNOWN"],
                "types": [if l.result == CheckResult::Finding { "finding" } else { "control-objective" }],
                "origins": origin,
                "collected": collected,
            })
        })
        .collect();
    let findings: Vec<Value> = i
        .findings
        .iter()
        .filter(|f| f.audit == a.id)
        .map(|f| {
            let target_id = ids.get(&f.requirement).cloned().unwrap_or_else(|| crate::export::token(&f.requirement));
            let mut status = Map::new();
            status.insert("state".into(), json!(if f.grade.nonconformity() { "not-satisfied" } else { "satisfied" }));
            if f.grade.nonconformity() {
                status.insert("reason".into(), json!("fail"));
            }
            let mut props = vec![json!({ "name": "label", "value": f.id })];
            props.extend(
                [
                    prop("grade", f.grade.label()),
                    prop("status", f.status.as_str()),
                    prop("raised-on", &f.raised_on.to_string()),
                    f.owner.as_deref().and_then(|o| prop("owner", o)),
                    f.due.and_then(|d| prop("due-date", &d.to_string())),
                ]
                .into_iter()
                .flatten(),
            );
            let mut finding = Map::new();
            finding.insert("uuid".into(), json!(uuid_for(org, &format!("finding:{}", f.id))));
            finding.insert("title".into(), json!(format!("{} against {}", capital(f.grade.label()), f.requirement)));
            finding.insert("description".into(), json!(f.description.trim()));
            finding.insert("props".into(), json!(props));
            finding.insert(
                "target".into(),
                json!({
                    "type": "objective-id",
                    "target-id": target_id,
                    "title": f.requirement,
                    "status": Value::Object(status),
                }),
            );
            finding.insert("origins".into(), origin.clone());
            if let Some(line) = audited.iter().find(|l| l.reference.eq_ignore_ascii_case(&f.requirement)) {
                finding.insert(
                    "related-observations".into(),
                    json!([{ "observation-uuid": observation_of(&line.reference) }]),
                );
            }
            let mut remarks = Vec::new();
            for (label, text) in [
                ("Evidence seen", f.evidence.as_str()),
                ("Correction", f.correction.as_str()),
                ("Root cause", f.root_cause.as_str()),
                ("Corrective action", f.corrective_action.as_str()),
            ] {
                if !text.trim().is_empty() {
                    remarks.push(format!("{label}: {}", text.trim()));
                }
            }
            if let Some(v) = &f.verification {
                remarks.push(format!("Verified effective by {} on {}: {}", v.by, v.on, v.note.trim()));
            }
            if !remarks.is_empty() {
                finding.insert("remarks".into(), json!(remarks.join("\n\n")));
            }
            Value::Object(finding)
        })
        .collect();
    let skipped: Vec<&str> = a
        .checklist
        .iter()
        .filter(|l| matches!(l.result, CheckResult::Open | CheckResult::NotAudited))
        .map(|l| l.reference.as_str())
        .collect();
    let mut result = Map::new();
    result.insert("uuid".into(), json!(uuid_for(org, &format!("result:{}", a.id))));
    result.insert("title".into(), json!(format!("Results of {} ({})", a.title.trim(), a.id)));
    result.insert("description".into(), json!(describe(a)));
    result.insert("start".into(), json!(day_start(a.start)));
    if a.status == AuditStatus::Completed {
        result.insert("end".into(), json!(day_end(a.end)));
    }
    result.insert(
        "props".into(),
        json!(
            [
                prop("audit-status", a.status.as_str()),
                prop("lines-audited", &audited.len().to_string()),
                prop("lines-not-audited", &skipped.len().to_string()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
        ),
    );
    result.insert(
        "reviewed-controls".into(),
        reviewed(
            fw,
            if audited.is_empty() { &all } else { &audited },
            &format!("The clauses and Annex A controls {} audited.", a.id),
        ),
    );
    if !observations.is_empty() {
        result.insert("observations".into(), json!(observations));
    }
    if !findings.is_empty() {
        result.insert("findings".into(), json!(findings));
    }
    let mut remarks = Vec::new();
    if !a.conclusion.trim().is_empty() {
        remarks.push(format!("Conclusion: {}", a.conclusion.trim()));
    }
    if !skipped.is_empty() {
        remarks.push(format!("Not audited (yet): {}.", skipped.join(", ")));
    }
    if !remarks.is_empty() {
        result.insert("remarks".into(), json!(remarks.join("\n\n")));
    }
    json!({ "assessment-results": {
        "uuid": uuid_for(org, &format!("assessment-results:{}", a.id)),
        "metadata": meta,
        "import-ap": { "href": i.plan_href },
        "results": [Value::Object(result)],
    }})
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
