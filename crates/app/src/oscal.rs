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
}

impl Model {
    /// Parses `catalog` or `profile`.
    pub fn parse(s: &str) -> AppResult<Model> {
        match s.trim() {
            "catalog" => Ok(Model::Catalog),
            "profile" => Ok(Model::Profile),
            "ssp" => Ok(Model::Ssp),
            other => Err(AppError::invalid_field(
                "kind",
                format!("{other:?} is not an OSCAL export isms makes yet: use catalog, profile or ssp"),
            )),
        }
    }
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

/// An OSCAL document as JSON: `framework` names the catalog (default ISO/IEC 27001:2022).
pub async fn export(cx: &Cx, actor: &Actor, model: Model, framework: Option<&str>) -> AppResult<Value> {
    actor.require(UseCase::ReadIsms)?;
    let lib = library(cx).await?;
    let id = framework.map(str::trim).unwrap_or(PIVOT);
    let fw = lib.framework(id).ok_or_else(|| {
        AppError::new(Code::FrameworkNotFound, format!("there is no framework {id}; `isms framework list` shows them"))
    })?;
    let last_modified = now(cx)?;
    match model {
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
