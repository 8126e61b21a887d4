//! The Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d): generated from the
//! control records, validated, approved into immutable versions, compared, reviewed.

use std::collections::BTreeMap;

use isms_domain::access::UseCase;
use isms_domain::review::{Review, ReviewCycle, ReviewOutcome, ReviewStatus, Subject};
use isms_domain::soa::{self, SoaChange, SoaProblem, SoaRow, SoaVersion};
use isms_domain::trail::{TrailActor, TrailDraft};
use isms_domain::{OrgId, UserId};
use serde::Serialize;

use crate::access::Actor;
use crate::controls::annex_a;
use crate::export::DocFormat;
use crate::frameworks::library;
use crate::trail::record;
use crate::{AppError, AppResult, Code, Cx, FieldError};

/// The review subject of an organization's SoA.
pub fn soa_subject() -> Subject {
    Subject::soa()
}

/// The SoA as the control records make it now, with what blocks its approval.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SoaDraft {
    /// One row per Annex A control.
    pub rows: Vec<SoaRow>,
    /// What blocks approval (empty when it can be approved).
    pub problems: Vec<SoaProblem>,
    /// The latest approved version, if any.
    pub latest_version: Option<i64>,
    /// Where the SoA stands on its review cycle.
    pub review: Option<ReviewStatus>,
}

async fn owner_names(cx: &Cx, org: OrgId) -> AppResult<BTreeMap<UserId, String>> {
    let mut tx = cx.read().await?;
    tx.organization(org).await?;
    Ok(tx.members(org).await?.into_iter().map(|(u, _)| (u.id, u.display_name.to_string())).collect())
}

/// The current draft of the organization's SoA.
pub async fn soa_draft(cx: &Cx, actor: &Actor) -> AppResult<SoaDraft> {
    actor.require(UseCase::ReadIsms)?;
    draft_of(cx, actor.org()).await
}

/// [`soa_draft`] for the app's own use inside a checked use case.
pub(crate) async fn draft_of(cx: &Cx, org: OrgId) -> AppResult<SoaDraft> {
    let lib = library(cx).await?;
    let controls = annex_a(&lib);
    let names = owner_names(cx, org).await?;
    let records = crate::controls::records_of(cx, org).await?.iter().map(|r| (r.control.clone(), r.clone())).collect();
    let latest_version = *crate::cache::kept(cx, org, "latest_soa_version", || async {
        Ok(cx.read().await?.soa_versions(org).await?.last().map(|v| v.number))
    })
    .await?;
    let mut tx = cx.read().await?;
    let review = review_status(&mut *tx, cx, org).await?;
    Ok(SoaDraft {
        rows: soa::rows(&controls, &records, |u| names.get(&u).cloned()),
        problems: soa::validate(&controls, &records),
        latest_version,
        review,
    })
}

async fn review_status(tx: &mut dyn isms_store::ReadTx, cx: &Cx, org: OrgId) -> AppResult<Option<ReviewStatus>> {
    let subject = soa_subject();
    let Some((cycle, started)) = tx.review_cycle(org, &subject).await? else { return Ok(None) };
    let last = tx.reviews(org, &subject).await?.last().map_or(started, |r| r.reviewed_on);
    Ok(Some(cycle.status(last, cx.clock.today())))
}

/// The acting member who approves or reviews the SoA, with their display name (the
/// operator names one with `--as`).
async fn approver(cx: &Cx, actor: &Actor) -> AppResult<(UserId, String)> {
    let Some(user) = actor.user() else { return Err(actor.email(cx).await.err().unwrap_or_else(no_member)) };
    let user = cx.read().await?.user(user).await?;
    Ok((user.id, user.display_name.to_string()))
}

fn no_member() -> AppError {
    AppError::invalid_field("as", "name the member who approves with --as EMAIL")
}

/// Approves the current draft as the next version, if nothing blocks it and it differs
/// from the last version. Approval also records a review of the SoA.
pub async fn approve_soa(cx: &Cx, actor: &Actor, comment: &str) -> AppResult<SoaVersion> {
    actor.require(UseCase::ApproveSoa)?;
    let (user, name) = approver(cx, actor).await?;
    let org = actor.org();
    let draft = draft_of(cx, org).await?;
    if !draft.problems.is_empty() {
        let fields =
            draft.problems.iter().map(|p| FieldError { field: "soa".into(), message: p.to_string() }).collect();
        let mut err = AppError::invalid(fields);
        err.code = Code::SoaInvalid;
        err.message = format!(
            "the SoA cannot be approved: {} — {}",
            isms_domain::text::plural(draft.problems.len(), "problem", "problems"),
            err.message
        );
        return Err(err);
    }
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let versions = tx.soa_versions(org).await?;
    if let Some(last) = versions.last()
        && soa::diff(&last.rows, &draft.rows).is_empty()
    {
        return Err(AppError::new(
            Code::SoaUnchanged,
            format!(
                "nothing changed since version {}; to confirm it is still right, record a review instead",
                last.number
            ),
        ));
    }
    let now = cx.clock.now();
    let version = SoaVersion {
        number: versions.last().map_or(1, |v| v.number + 1),
        approved_by: name,
        approved_at: now,
        comment: comment.trim().to_owned(),
        rows: draft.rows,
    };
    tx.insert_soa_version(org, &version).await?;
    let subject = soa_subject();
    if tx.review_cycle(org, &subject).await?.is_none() {
        tx.set_review_cycle(org, &subject, ReviewCycle::default(), now.date()).await?;
    }
    let review = Review {
        subject,
        reviewed_on: now.date(),
        reviewer: TrailActor::User(user).to_stored(),
        outcome: ReviewOutcome::Updated,
        comment: format!("Approved version {}.", version.number),
        recorded_at: now,
    };
    tx.insert_review(org, &review).await?;
    #[derive(Serialize)]
    struct Approved<'a> {
        number: i64,
        comment: &'a str,
        controls: usize,
    }
    let draft = TrailDraft {
        actor: TrailActor::User(user),
        action: "soa.approved".into(),
        entity: "soa_version".into(),
        entity_id: version.number.to_string(),
        before: None,
        after: serde_json::to_string(&Approved {
            number: version.number,
            comment: &version.comment,
            controls: version.rows.len(),
        })
        .ok(),
    };
    record(&mut *tx, org, now, draft).await?;
    tx.commit().await?;
    Ok(version)
}

/// Records that the SoA was reviewed (6.1.3, 9.3): restarts its review cycle. Those
/// who approve the SoA review it ([`crate::reviews::record_review`] holds the rule).
pub async fn review_soa(cx: &Cx, actor: &Actor, outcome: ReviewOutcome, comment: &str) -> AppResult<ReviewStatus> {
    actor.require(UseCase::ApproveSoa)?;
    crate::reviews::record_review(cx, actor, &soa_subject(), outcome, comment).await
}

/// Every approved version, oldest first.
pub async fn soa_versions(cx: &Cx, actor: &Actor) -> AppResult<Vec<SoaVersion>> {
    actor.require(UseCase::ReadIsms)?;
    versions_of(cx, actor.org()).await
}

pub(crate) async fn versions_of(cx: &Cx, org: OrgId) -> AppResult<Vec<SoaVersion>> {
    let mut tx = cx.read().await?;
    tx.organization(org).await?;
    Ok(tx.soa_versions(org).await?)
}

/// A version of the SoA: an approved one, or the current draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionRef {
    /// The draft as the records make it now.
    Draft,
    /// The latest approved version.
    Latest,
    /// An approved version by number.
    Number(i64),
}

impl VersionRef {
    /// Parses `draft`, `latest`, `3` or `v3`.
    pub fn parse(s: &str) -> AppResult<Self> {
        match s.trim().to_lowercase().as_str() {
            "draft" | "current" => Ok(VersionRef::Draft),
            "latest" | "approved" => Ok(VersionRef::Latest),
            other => other.trim_start_matches('v').parse().map(VersionRef::Number).map_err(|_| {
                AppError::invalid_field("version", format!("{s:?} is not a version: use draft, latest or a number"))
            }),
        }
    }
}

/// The rows of a version, and the version itself when it is an approved one.
pub async fn soa_at(cx: &Cx, actor: &Actor, at: VersionRef) -> AppResult<(Option<SoaVersion>, Vec<SoaRow>)> {
    actor.require(UseCase::ReadIsms)?;
    rows_at(cx, actor.org(), at).await
}

async fn rows_at(cx: &Cx, org: OrgId, at: VersionRef) -> AppResult<(Option<SoaVersion>, Vec<SoaRow>)> {
    if at == VersionRef::Draft {
        return Ok((None, draft_of(cx, org).await?.rows));
    }
    let versions = versions_of(cx, org).await?;
    let found = match at {
        VersionRef::Latest => versions.last().cloned(),
        VersionRef::Number(n) => versions.into_iter().find(|v| v.number == n),
        VersionRef::Draft => None,
    };
    let version = found.ok_or_else(|| {
        AppError::new(Code::SoaVersionNotFound, "there is no such approved SoA version (see `isms soa versions`)")
    })?;
    let rows = version.rows.clone();
    Ok((Some(version), rows))
}

/// What changed between two versions, control by control.
pub async fn diff_soa(cx: &Cx, actor: &Actor, from: VersionRef, to: VersionRef) -> AppResult<Vec<SoaChange>> {
    actor.require(UseCase::ReadIsms)?;
    diff_of(cx, actor.org(), from, to).await
}

/// [`diff_soa`] for the app's own use inside a checked use case.
pub(crate) async fn diff_of(cx: &Cx, org: OrgId, from: VersionRef, to: VersionRef) -> AppResult<Vec<SoaChange>> {
    let (_, old) = rows_at(cx, org, from).await?;
    let (_, new) = rows_at(cx, org, to).await?;
    Ok(soa::diff(&old, &new))
}

/// An exported SoA: what it shows and its bytes.
#[derive(Debug, Clone)]
pub struct SoaExport {
    /// The version and approval it shows.
    pub meta: isms_reports::soa::SoaMeta,
    /// How many controls.
    pub rows: usize,
    /// The document.
    pub bytes: Vec<u8>,
}

/// Renders a version of the SoA (an approved one or the draft) in a format.
pub async fn export_soa(cx: &Cx, actor: &Actor, at: VersionRef, format: DocFormat) -> AppResult<SoaExport> {
    actor.require(UseCase::ReadIsms)?;
    export_soa_in(cx, actor.org(), at, format).await
}

/// [`export_soa`] for the app's own use inside a checked use case (the audit
/// workspace gives external auditors the version under audit).
pub(crate) async fn export_soa_in(cx: &Cx, org: OrgId, at: VersionRef, format: DocFormat) -> AppResult<SoaExport> {
    use time::format_description::well_known::Rfc3339;
    let (version, rows) = rows_at(cx, org, at).await?;
    let organization = cx.read().await?.organization(org).await?;
    let meta = isms_reports::soa::SoaMeta {
        organization: organization.name.to_string(),
        version: version.as_ref().map(|v| v.number),
        approved_by: version.as_ref().map(|v| v.approved_by.clone()),
        approved_at: version.as_ref().and_then(|v| v.approved_at.format(&Rfc3339).ok()),
        comment: version.as_ref().map(|v| v.comment.clone()),
        generated_at: cx.clock.now().format(&Rfc3339).unwrap_or_default(),
        themes: crate::frameworks::annex_a_themes(cx).await?,
    };
    use crate::export::failed;
    let mut bytes = Vec::new();
    match format {
        DocFormat::Xlsx => bytes = isms_reports::soa::xlsx(&meta, &rows).map_err(|e| failed(&e))?,
        DocFormat::Csv => isms_reports::soa::csv(&meta, &rows, &mut bytes).map_err(|e| failed(&e))?,
        DocFormat::Md => isms_reports::soa::markdown(&meta, &rows, &mut bytes).map_err(|e| failed(&e))?,
        DocFormat::Json => {
            bytes = serde_json::to_vec_pretty(&isms_reports::soa::json(&meta, &rows)).map_err(|e| failed(&e))?;
        }
        DocFormat::Pdf => bytes = crate::export::pdf(cx, org, soa_pdf(&meta, &rows)).await?,
    }
    Ok(SoaExport { meta, rows: rows.len(), bytes })
}

/// The SoA as a PDF deliverable: the version and its approval on the title page, then
/// a section per Annex A theme with every control.
fn soa_pdf(meta: &isms_reports::soa::SoaMeta, rows: &[SoaRow]) -> isms_pdf::Document {
    let day = |t: &str| t.get(..10).unwrap_or(t).to_owned();
    let mut approval =
        vec![("Version".to_owned(), meta.version.map_or_else(|| "Draft (not approved)".to_owned(), |v| v.to_string()))];
    if let Some(by) = &meta.approved_by {
        approval.push(("Approved by".into(), by.clone()));
    }
    if let Some(at) = &meta.approved_at {
        approval.push(("Approved on".into(), day(at)));
    }
    if let Some(c) = meta.comment.as_ref().filter(|c| !c.trim().is_empty()) {
        approval.push(("Approval note".into(), c.clone()));
    }
    let applicable = rows.iter().filter(|r| r.applicable).count();
    let mut sections = vec![isms_pdf::Section {
        heading: "About this statement".into(),
        blocks: vec![isms_pdf::Block::Paragraph(format!(
            "This Statement of Applicability lists the {} controls of ISO/IEC 27001:2022 Annex A: {applicable} \
             applicable and {} excluded, each with the reasons for its inclusion or the justification for its \
             exclusion, whether it is implemented, its owner and the risks it treats.",
            rows.len(),
            rows.len() - applicable
        ))],
    }];
    for (theme, title) in &meta.themes {
        let mine: Vec<&SoaRow> = rows.iter().filter(|r| &r.theme == theme).collect();
        if mine.is_empty() {
            continue;
        }
        let table_rows = mine
            .iter()
            .map(|r| {
                let c = isms_reports::soa::cells(meta, r);
                let why = if r.applicable { c[4].clone() } else { c[5].clone() };
                vec![
                    c[1].clone(),
                    c[2].clone(),
                    c[3].clone(),
                    why,
                    c[6].clone(),
                    c[7].clone(),
                    c[8].clone(),
                    c[9].clone(),
                ]
            })
            .collect();
        sections.push(isms_pdf::Section {
            heading: format!("{theme} {title}"),
            blocks: vec![isms_pdf::Block::Table {
                headers: [
                    "Control",
                    "Title",
                    "Applicable",
                    "Reasons / justification",
                    "Status",
                    "Owner",
                    "Risks",
                    "Implementation",
                ]
                .map(String::from)
                .to_vec(),
                rows: table_rows,
                widths: vec![7, 17, 7, 15, 11, 12, 9, 22],
            }],
        });
    }
    isms_pdf::Document {
        title: "Statement of Applicability".into(),
        organization: meta.organization.clone(),
        subtitle: meta.label(),
        version: meta.version.map_or_else(|| "Draft".to_owned(), |v| format!("Version {v}")),
        generated: day(&meta.generated_at),
        approval,
        logo: None,
        sections,
    }
}
