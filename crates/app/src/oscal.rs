//! OSCAL exports (issue 22): a framework of the library as a catalog, the
//! organization's SoA selection as a profile. The documents follow OSCAL 1.1.3 and are
//! built by `isms-oscal`; this layer gathers the records and the time.

use isms_domain::access::UseCase;
use isms_domain::framework::PIVOT;
use isms_oscal::export::{Selection, catalog, profile};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;

use crate::access::Actor;
use crate::frameworks::library;
use crate::soa::VersionRef;
use crate::{AppError, AppResult, Code, Cx};

/// The models isms exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// A framework of the library.
    Catalog,
    /// The applicable controls of the current SoA over the ISO/IEC 27001 catalog.
    Profile,
    /// The ISMS as a system security plan.
    Ssp,
    /// The open corrective actions and risk treatment actions.
    Poam,
    /// An audit's plan: its scope, criteria, days and sampled controls.
    AssessmentPlan,
    /// An audit's results: its checklist as observations, its findings graded.
    AssessmentResults,
    /// The crosswalk between two frameworks (OSCAL 1.2).
    Mapping,
}

impl Model {
    /// Parses `catalog` or `profile`.
    pub fn parse(s: &str) -> AppResult<Model> {
        match s.trim() {
            "catalog" => Ok(Model::Catalog),
            "profile" => Ok(Model::Profile),
            "ssp" => Ok(Model::Ssp),
            "poam" => Ok(Model::Poam),
            "assessment-plan" | "ap" => Ok(Model::AssessmentPlan),
            "assessment-results" | "ar" => Ok(Model::AssessmentResults),
            "mapping" | "mapping-collection" => Ok(Model::Mapping),
            other => Err(AppError::invalid_field(
                "kind",
                format!(
                    "{other:?} is not an OSCAL export isms makes: use catalog, profile, ssp, poam, assessment-plan, assessment-results or mapping"
                ),
            )),
        }
    }

    /// The file name an export is saved under (and a later export names it by).
    pub fn file_name(self, options: &Options<'_>) -> String {
        let name = match self {
            Model::Catalog => catalog_file(options.framework.unwrap_or(PIVOT)),
            Model::Profile => match options.framework.filter(|f| *f != PIVOT) {
                Some(f) => profile_file(f),
                None => PROFILE_FILE.to_owned(),
            },
            Model::Ssp => match options.framework.filter(|f| *f != PIVOT) {
                Some(f) => format!("isms-ssp-{f}.oscal.json"),
                None => SSP_FILE.to_owned(),
            },
            Model::Poam => "isms-poam.oscal.json".to_owned(),
            Model::AssessmentPlan => plan_file(options.audit.unwrap_or("audit")),
            Model::AssessmentResults => format!("{}.oscal-assessment-results.json", options.audit.unwrap_or("audit")),
            Model::Mapping => format!(
                "{}-to-{}.oscal-mapping.json",
                options.framework.unwrap_or("framework"),
                options.to.unwrap_or(PIVOT)
            ),
        };
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '_' }).collect()
    }
}

/// What an export is of, beyond its model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// The framework (default ISO/IEC 27001:2022).
    pub framework: Option<&'a str>,
    /// The audit, for assessment plans and results.
    pub audit: Option<&'a str>,
    /// The framework a mapping leads to (default ISO/IEC 27001:2022).
    pub to: Option<&'a str>,
    /// The OSCAL version to write: 1.1.3 (the default) or 1.2.2 (the default of, and
    /// needed by, the mapping model).
    pub oscal_version: Option<&'a str>,
}

/// The OSCAL versions isms writes.
pub const OSCAL_VERSIONS: [&str; 2] = [isms_oscal::export::OSCAL_VERSION, isms_oscal::mapping::MAPPING_OSCAL_VERSION];

/// The version an export is written in.
fn version_of(model: Model, asked: Option<&str>) -> AppResult<&'static str> {
    let wanted = match asked.map(str::trim) {
        None | Some("") if model == Model::Mapping => return Ok(isms_oscal::mapping::MAPPING_OSCAL_VERSION),
        None | Some("") => return Ok(isms_oscal::export::OSCAL_VERSION),
        Some("1.2" | "1.2.x") => isms_oscal::mapping::MAPPING_OSCAL_VERSION,
        Some(v) => OSCAL_VERSIONS.into_iter().find(|known| *known == v).ok_or_else(|| {
            AppError::invalid_field(
                "oscal_version",
                format!("isms writes OSCAL {} or {}, not {v:?}", OSCAL_VERSIONS[0], OSCAL_VERSIONS[1]),
            )
        })?,
    };
    if model == Model::Mapping && wanted != isms_oscal::mapping::MAPPING_OSCAL_VERSION {
        return Err(AppError::invalid_field(
            "oscal_version",
            format!(
                "the mapping model is new in OSCAL 1.2: write it as {}",
                isms_oscal::mapping::MAPPING_OSCAL_VERSION
            ),
        ));
    }
    Ok(wanted)
}

/// The file name an audit's assessment plan is saved under, which its results name.
pub fn plan_file(audit: &str) -> String {
    format!("{audit}.oscal-assessment-plan.json")
}

fn now(cx: &Cx) -> AppResult<String> {
    cx.clock
        .now()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .ok_or_else(|| AppError::new(Code::ExportFailed, "the clock's time cannot be written as RFC 3339"))
}

/// The file name a catalog export is saved under, which a profile's back matter names.
pub fn catalog_file(framework: &str) -> String {
    format!("{framework}.oscal-catalog.json")
}

/// The file name a profile export is saved under, which an SSP's back matter names.
pub const PROFILE_FILE: &str = "isms-soa.oscal-profile.json";

/// The file name an SSP export is saved under, which a POA&M names.
pub const SSP_FILE: &str = "isms-ssp.oscal.json";

/// The open nonconformities' corrective actions and the open risk treatment actions.
async fn open_items(cx: &Cx, actor: &Actor) -> AppResult<Vec<isms_oscal::poam::PoamItem>> {
    use isms_domain::audit::{FindingStatus, Grade};
    let mut items = Vec::new();
    for f in crate::certification::findings(cx, actor).await? {
        if !f.grade.nonconformity() || f.status == FindingStatus::Closed {
            continue;
        }
        let action = if f.corrective_action.trim().is_empty() {
            "no corrective action planned yet"
        } else {
            f.corrective_action.trim()
        };
        items.push(isms_oscal::poam::PoamItem {
            key: f.id.clone(),
            title: format!(
                "{} nonconformity against {}",
                if f.grade == Grade::Major { "Major" } else { "Minor" },
                f.requirement
            ),
            description: format!("{} Corrective action: {action}", f.description.trim()),
            kind: "nonconformity",
            props: vec![
                if f.audit.is_empty() {
                    ("check", f.check.clone().unwrap_or_default())
                } else {
                    ("audit", f.audit.clone())
                },
                ("requirement", f.requirement.clone()),
                ("grade", f.grade.label().to_owned()),
                ("status", f.status.as_str().to_owned()),
                ("owner", f.owner.clone().unwrap_or_default()),
                ("due-date", f.due.map(|d| d.to_string()).unwrap_or_default()),
            ],
            remarks: (!f.root_cause.trim().is_empty()).then(|| format!("Root cause: {}", f.root_cause.trim())),
        });
    }
    for step in crate::risks::treatment_plan(cx, actor)
        .await?
        .into_iter()
        .filter(|s| s.action.status != isms_domain::risk::ActionStatus::Done)
    {
        items.push(isms_oscal::poam::PoamItem {
            key: format!("{}: {}", step.risk, step.action.title),
            title: step.action.title.clone(),
            description: format!(
                "Risk treatment action for {} {} (residual level {}).",
                step.risk, step.risk_title, step.residual_level
            ),
            kind: "risk-treatment",
            props: vec![
                ("risk", step.risk.clone()),
                ("owner", step.action.owner.clone()),
                ("due-date", step.action.due.to_string()),
                ("status", step.action.status.as_str().to_owned()),
            ],
            remarks: step.overdue.then(|| format!("Overdue since {}.", step.action.due)),
        });
    }
    Ok(items)
}

/// An audit, its findings and its auditor (name and e-mail) when the auditor is a member.
async fn audit_input(
    cx: &Cx,
    actor: &Actor,
    id: &str,
) -> AppResult<(
    isms_domain::organization::Organization,
    isms_domain::audit::Audit,
    Vec<isms_domain::audit::Finding>,
    Option<(String, String)>,
)> {
    let audit = crate::certification::audit(cx, actor, id).await?.audit;
    let findings: Vec<isms_domain::audit::Finding> =
        crate::certification::findings(cx, actor).await?.into_iter().filter(|f| f.audit == audit.id).collect();
    let (org, members) = {
        let mut tx = cx.read().await?;
        (tx.organization(actor.org()).await?, tx.members(actor.org()).await?)
    };
    let auditor = members
        .iter()
        .find(|(u, _)| u.email.as_str().eq_ignore_ascii_case(audit.auditor.trim()))
        .map(|(u, _)| (u.display_name.to_string(), u.email.to_string()));
    Ok((org, audit, findings, auditor))
}

/// The file name the profile of every requirement of another framework is saved under.
pub fn profile_file(framework: &str) -> String {
    format!("{framework}.oscal-profile.json")
}

/// Each requirement of a framework as the SSP presents it: covered → implemented,
/// partly → partial, not covered → planned; with the Annex A controls it is drawn from.
fn drawn(coverage: &crate::coverage::FrameworkCoverage) -> Vec<isms_oscal::ssp::Drawn> {
    use crate::coverage::Reach;
    coverage
        .items
        .iter()
        .map(|r| {
            let counting: Vec<&crate::coverage::ControlReach> = r
                .through
                .iter()
                .filter(|c| c.applicable && c.status != isms_domain::soa::ControlStatus::NotApplicable)
                .collect();
            let named = counting
                .iter()
                .map(|c| format!("{} {} ({})", c.control, c.title, c.status.as_str().replace('_', " ")))
                .collect::<Vec<_>>()
                .join("; ");
            let (state, statement, remarks) = match r.reach {
                Reach::Covered => ("implemented", format!("Met through the ISMS's Annex A controls: {named}."), None),
                Reach::Partial => (
                    "partial",
                    format!("Partly met through the ISMS's Annex A controls: {named}."),
                    Some(r.why.clone()),
                ),
                Reach::NotCovered => (
                    "planned",
                    "No Annex A control of the ISMS meets this requirement yet.".to_owned(),
                    Some(r.why.clone()),
                ),
            };
            isms_oscal::ssp::Drawn {
                item: r.item.clone(),
                state,
                statement,
                controls: counting.iter().map(|c| c.control.clone()).collect(),
                remarks,
            }
        })
        .collect()
}

/// The SoA's rows: the latest approved version's, else the draft's; with the version's
/// number (`draft` for the draft) and the version when approved.
async fn current_rows(
    cx: &Cx,
    actor: &Actor,
) -> AppResult<(String, Option<isms_domain::soa::SoaVersion>, Vec<isms_domain::soa::SoaRow>)> {
    let (version, rows) = match crate::soa::soa_at(cx, actor, VersionRef::Latest).await {
        Ok(found) => found,
        Err(e) if e.code == Code::SoaVersionNotFound => crate::soa::soa_at(cx, actor, VersionRef::Draft).await?,
        Err(e) => return Err(e),
    };
    let number = version.as_ref().map_or_else(|| "draft".to_owned(), |v| v.number.to_string());
    Ok((number, version, rows))
}

/// An OSCAL document as JSON: `framework` names the catalog (default ISO/IEC
/// 27001:2022), written in the OSCAL version asked for. The documents isms makes are
/// valid in both versions it writes; only the mapping model needs 1.2.
pub async fn export(cx: &Cx, actor: &Actor, model: Model, options: &Options<'_>) -> AppResult<Value> {
    actor.require(UseCase::ReadIsms)?;
    let version = version_of(model, options.oscal_version)?;
    if options.to.is_some() && model != Model::Mapping {
        return Err(AppError::invalid_field("to", "only a mapping leads to another framework"));
    }
    let mut doc = build(cx, actor, model, options).await?;
    if let Some(meta) =
        doc.as_object_mut().and_then(|o| o.values_mut().next()).and_then(|root| root.get_mut("metadata"))
    {
        meta["oscal-version"] = Value::from(version);
    }
    Ok(doc)
}

async fn build(cx: &Cx, actor: &Actor, model: Model, options: &Options<'_>) -> AppResult<Value> {
    let lib = library(cx).await?;
    let id = options.framework.map(str::trim).unwrap_or(PIVOT);
    let fw = lib.framework(id).ok_or_else(|| {
        AppError::new(Code::FrameworkNotFound, format!("there is no framework {id}; `isms framework list` shows them"))
    })?;
    let last_modified = now(cx)?;
    let audit = match (model, options.audit.map(str::trim).filter(|a| !a.is_empty())) {
        (Model::AssessmentPlan | Model::AssessmentResults, None) => {
            return Err(AppError::invalid_field(
                "audit",
                "an assessment plan or results is of one audit: name it (`--audit AUD-001`, `?audit=AUD-001`)",
            ));
        }
        (Model::AssessmentPlan | Model::AssessmentResults, Some(_)) if id != PIVOT => {
            return Err(AppError::invalid_field(
                "framework",
                "audits are against ISO/IEC 27001:2022: an assessment plan or results takes no other framework",
            ));
        }
        (Model::AssessmentPlan | Model::AssessmentResults, Some(a)) => Some(audit_input(cx, actor, a).await?),
        (_, Some(_)) => {
            return Err(AppError::invalid_field("audit", "only an assessment plan or results is of an audit"));
        }
        (_, None) => None,
    };
    match model {
        Model::Mapping => {
            if options.framework.is_none() {
                return Err(AppError::invalid_field(
                    "framework",
                    "a mapping is from one framework to another: name the first (`--framework nist-800-53r5`; `--to` defaults to iso27001-2022)",
                ));
            }
            let to_id = options.to.map(str::trim).unwrap_or(PIVOT);
            let to = lib.framework(to_id).ok_or_else(|| {
                AppError::new(
                    Code::FrameworkNotFound,
                    format!("there is no framework {to_id}; `isms framework list` shows them"),
                )
            })?;
            if to.id == fw.id {
                return Err(AppError::invalid_field("to", "a mapping leads from one framework to another"));
            }
            let sets: Vec<(&isms_domain::framework::MappingSet, bool)> = lib
                .mappings()
                .iter()
                .filter_map(|m| {
                    if m.source == fw.id && m.target == to.id {
                        Some((m, false))
                    } else if m.source == to.id && m.target == fw.id {
                        Some((m, true))
                    } else {
                        None
                    }
                })
                .collect();
            if sets.is_empty() {
                return Err(AppError::new(
                    Code::NotFound,
                    format!(
                        "no mapping set of the library links {} and {} directly (`isms crosswalk` shows the paths through other frameworks)",
                        fw.id, to.id
                    ),
                ));
            }
            Ok(isms_oscal::mapping::mapping_collection(fw, to, &sets, catalog_file, &last_modified))
        }
        Model::AssessmentPlan | Model::AssessmentResults => {
            let Some((org, audit, findings, auditor)) = audit else {
                return Err(AppError::new(Code::ExportFailed, "the audit was not read"));
            };
            let org_key = org.id.to_string();
            let input = isms_oscal::assessment::AuditInput {
                org_id: &org_key,
                org_name: org.name.as_str(),
                audit: &audit,
                auditor_name: auditor
                    .as_ref()
                    .map_or_else(|| audit.auditor.trim().to_owned(), |(name, _)| name.clone()),
                auditor_email: auditor.map(|(_, email)| email),
                findings: &findings,
                ssp_href: SSP_FILE.to_owned(),
                plan_href: plan_file(&audit.id),
            };
            Ok(if model == Model::AssessmentPlan {
                isms_oscal::assessment::assessment_plan(fw, &input, &last_modified)
            } else {
                isms_oscal::assessment::assessment_results(fw, &input, &last_modified)
            })
        }
        Model::Catalog => Ok(catalog(fw, &last_modified)),
        Model::Profile if id != PIVOT => {
            // Another framework: every requirement, the profile an SSP presented
            // against it imports.
            let org = cx.read().await?.organization(actor.org()).await?;
            let selection = Selection {
                org_scope: &org.id.to_string(),
                title: format!("{} — every requirement", fw.name),
                version: fw.version.clone(),
                selected: fw.items.iter().filter(|i| !i.kind.is_grouping()).map(|i| i.id.clone()).collect(),
                catalog_href: catalog_file(id),
                remarks: format!(
                    "Every requirement of {}, the baseline {}'s ISMS is presented against (`isms oscal export ssp --framework {id}`).",
                    fw.name, org.name
                ),
            };
            Ok(profile(fw, &selection, &last_modified))
        }
        Model::Profile => {
            let org = cx.read().await?.organization(actor.org()).await?;
            let (number, version, rows) = current_rows(cx, actor).await?;
            let remarks = match &version {
                Some(v) => format!(
                    "The applicable Annex A controls of {}'s Statement of Applicability, version {}, approved by {} on {}.",
                    org.name,
                    v.number,
                    v.approved_by,
                    v.approved_at.date()
                ),
                None => format!(
                    "The applicable Annex A controls of {}'s Statement of Applicability as drafted: no version is approved yet.",
                    org.name
                ),
            };
            let selection = Selection {
                org_scope: &org.id.to_string(),
                title: format!("{} — ISO/IEC 27001:2022 Statement of Applicability", org.name),
                version: number,
                selected: rows.iter().filter(|r| r.applicable).map(|r| r.control.clone()).collect(),
                catalog_href: catalog_file(PIVOT),
                remarks,
            };
            Ok(profile(fw, &selection, &last_modified))
        }
        Model::Poam => {
            let org = cx.read().await?.organization(actor.org()).await?;
            let items = open_items(cx, actor).await?;
            if items.is_empty() {
                return Err(AppError::invalid_field(
                    "kind",
                    "nothing is open: no nonconformity awaits its corrective action and no risk treatment action is open, and an OSCAL POA&M needs at least one item",
                ));
            }
            Ok(isms_oscal::poam::poam(&org.id.to_string(), org.name.as_str(), &items, SSP_FILE, &last_modified))
        }
        Model::Ssp => {
            let org_id = actor.org();
            let against = if id == PIVOT {
                None
            } else {
                let coverage = crate::coverage::coverage_for(cx, org_id, &fw.id).await?;
                Some(isms_oscal::ssp::Against { framework: fw, requirements: drawn(&coverage) })
            };
            let (org, members) = {
                let mut tx = cx.read().await?;
                (tx.organization(org_id).await?, tx.members(org_id).await?)
            };
            let (number, _, rows) = current_rows(cx, actor).await?;
            let scope = match crate::registers::entry::<isms_domain::register::Scope>(cx, actor, "").await {
                Ok(s) => Some(s),
                Err(e) if e.kind == crate::ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            };
            let assets: Vec<isms_domain::asset::Asset> = crate::registers::entries(cx, actor).await?;
            let evidence = crate::evidence::list_evidence(cx, actor).await?;
            let org_key = org.id.to_string();
            let input = isms_oscal::ssp::SspInput {
                org_id: &org_key,
                org_name: org.name.as_str(),
                version: number,
                members: members
                    .iter()
                    .map(|(u, m)| isms_oscal::ssp::Member {
                        name: u.display_name.to_string(),
                        email: u.email.to_string(),
                        role: m.role.as_str().to_owned(),
                        role_title: m.role.label().to_owned(),
                    })
                    .collect(),
                scope: scope.as_ref(),
                assets: &assets,
                rows: &rows,
                evidence: &evidence,
                profile_href: if id == PIVOT { PROFILE_FILE.to_owned() } else { profile_file(id) },
                against,
            };
            Ok(isms_oscal::ssp::ssp(fw, &input, &last_modified))
        }
    }
}
