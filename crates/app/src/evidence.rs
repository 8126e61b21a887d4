//! Evidence use cases: add a file (streamed into the blob store, then registered with
//! its SHA-256 in the same transaction as its audit-trail entry) or a link, list,
//! read a file back, verify every stored file against its recorded hash, and report
//! which controls have missing or stale evidence.
//!
//! Order matters for crashes: the blob is complete (or absent) before the evidence
//! row exists, and the row and its trail entry commit together. A crash mid-upload
//! leaves at most a partial file in the blob store, never an evidence item.

use async_trait::async_trait;
use isms_domain::OrgId;
use isms_domain::access::{Grant, UseCase};
use isms_domain::evidence::{Content, Coverage, Evidence, Target, TargetKind, coverage};
use isms_domain::register::Entry;
use isms_domain::risk::Risk;
use isms_store::{Blob, BlobError, BlobReader, BlobState, BlobStore};
use serde::Serialize;
use time::Date;
use tokio::io::AsyncRead;

use crate::access::Actor;
use crate::controls::{controls_of, normalize_control_id};
use crate::files::{base_name, blob_error};
use crate::frameworks::{library, parse_item_ref};
use crate::{AppError, AppResult, Code, Cx, registers};

/// The blob store of a context that was given none (tools that never touch files).
#[derive(Debug)]
pub struct NoBlobs;

#[async_trait]
impl BlobStore for NoBlobs {
    async fn put(&self, _: &mut (dyn AsyncRead + Unpin + Send), _: u64) -> Result<Blob, BlobError> {
        Err(BlobError::Io("no blob store is configured".into()))
    }
    async fn open(&self, sha256: &str) -> Result<(BlobReader, u64), BlobError> {
        Err(BlobError::NotFound(sha256.to_owned()))
    }
    async fn check(&self, _: &str) -> Result<BlobState, BlobError> {
        Ok(BlobState::Missing)
    }
    fn location(&self) -> String {
        "(none)".into()
    }
    async fn sweep(&self, _: std::time::Duration) -> Result<usize, BlobError> {
        Ok(0)
    }
}

/// What a person says about new evidence.
#[derive(Debug, Clone, Default)]
pub struct NewEvidence {
    /// What it shows.
    pub title: String,
    /// Controls (`A.8.13` or `8.13`), requirements (`framework:item`), risks (`RSK-004`).
    pub targets: Vec<Target>,
    /// The period it covers.
    pub period_start: Option<Date>,
    /// The end of that period.
    pub period_end: Option<Date>,
    /// Days it stays current from today (`None`: it does not expire).
    pub valid_for_days: Option<i64>,
    /// Notes.
    pub note: String,
}

/// Normalizes targets and checks that each exists in this organization (controls in
/// Annex A, requirements in the library, risks in the register).
pub(crate) async fn checked_targets(cx: &Cx, org: OrgId, targets: Vec<Target>) -> AppResult<Vec<Target>> {
    let lib = library(cx).await?;
    let mut out = Vec::new();
    for t in targets {
        let id = match t.kind {
            TargetKind::Control => {
                let id = normalize_control_id(&t.id);
                if lib.item(isms_domain::framework::PIVOT, &id).is_none_or(|i| i.kind.is_grouping()) {
                    return Err(AppError::invalid_field("control", format!("{:?} is not an Annex A control", t.id)));
                }
                id
            }
            TargetKind::Requirement => {
                let r = parse_item_ref(&t.id)?;
                if lib.item(r.framework.as_str(), &r.item).is_none() {
                    return Err(AppError::invalid_field("requirement", format!("{} is not in the library", t.id)));
                }
                r.to_string()
            }
            TargetKind::Risk => {
                registers::get::<Risk>(cx, org, &t.id).await?;
                t.id.clone()
            }
            TargetKind::Audit => {
                registers::get::<isms_domain::audit::Audit>(cx, org, &t.id).await?;
                t.id.clone()
            }
        };
        let target = Target { kind: t.kind, id };
        if !out.contains(&target) {
            out.push(target);
        }
    }
    Ok(out)
}

/// The day evidence stops being current, `days` from `today`: refused (not a panic)
/// when that is not a plausible date, such as a huge or mistyped number of days.
fn valid_until(today: Date, days: Option<i64>) -> AppResult<Option<Date>> {
    let Some(days) = days else { return Ok(None) };
    isms_domain::dates::add_days(today, days).map(Some).map_err(|m| AppError::invalid_field("valid_for_days", m))
}

pub(crate) fn item(cx: &Cx, new: NewEvidence, targets: Vec<Target>, content: Content, by: &str) -> AppResult<Evidence> {
    let now = cx.clock.now();
    let valid_until = valid_until(now.date(), new.valid_for_days)?;
    Ok(Evidence {
        id: String::new(),
        title: new.title.trim().to_owned(),
        content,
        targets,
        collected_by: by.to_owned(),
        collected_at: now,
        period_start: new.period_start,
        period_end: new.period_end,
        valid_until,
        note: new.note,
    })
}

/// Adds a file, collected by the actor. Checks the actor and the description first
/// (a control owner attaches evidence only to controls assigned to them), streams the
/// file into the blob store (identical content is stored once), then registers the
/// item and its trail entry (with the file's SHA-256) in one transaction.
pub async fn add_file(
    cx: &Cx,
    actor: &Actor,
    new: NewEvidence,
    filename: &str,
    media_type: &str,
    data: &mut (dyn AsyncRead + Unpin + Send),
) -> AppResult<Evidence> {
    let grant = actor.require(UseCase::EditControls)?;
    check_targets(cx, actor, grant, &new.targets).await?;
    let by = &actor.who(cx).await?;
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    if let Some(d) = new.valid_for_days
        && d < 1
    {
        return Err(AppError::invalid_field("valid_for", "must be at least one day"));
    }
    let targets = checked_targets(cx, org, new.targets.clone()).await?;
    // Refuse a bad description before reading a byte of the file.
    let probe = item(cx, new.clone(), targets.clone(), Content::Link { url: "https://x".into() }, by)?;
    let problems: Vec<_> = probe.problems();
    if !problems.is_empty() {
        return Err(AppError::invalid(
            problems.into_iter().map(|(f, m)| crate::FieldError { field: f.into(), message: m }).collect(),
        ));
    }
    let blob = cx.blobs.put(data, cx.max_upload).await.map_err(blob_error)?;
    let name = base_name(filename);
    let content = Content::File {
        sha256: blob.sha256,
        size: blob.size,
        filename: name,
        media_type: if media_type.trim().is_empty() { "application/octet-stream".into() } else { media_type.into() },
    };
    registers::create(cx, actor, org, item(cx, new, targets, content, by)?).await
}

/// Adds a link, collected by the actor (checked as for [`add_file`]).
pub async fn add_link(cx: &Cx, actor: &Actor, new: NewEvidence, url: &str) -> AppResult<Evidence> {
    let grant = actor.require(UseCase::EditControls)?;
    check_targets(cx, actor, grant, &new.targets).await?;
    let by = &actor.who(cx).await?;
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    let targets = checked_targets(cx, org, new.targets.clone()).await?;
    let link = item(cx, new, targets, Content::Link { url: url.trim().to_owned() }, by)?;
    registers::create(cx, actor, org, link).await
}

/// Under an `Assigned` grant (a control owner) evidence is attached only to the
/// controls assigned to the actor.
async fn check_targets(cx: &Cx, actor: &Actor, grant: Grant, targets: &[Target]) -> AppResult<()> {
    if grant == Grant::Assigned {
        let records = cx.read().await?.control_implementations(actor.org()).await?;
        for t in targets {
            let id = normalize_control_id(&t.id);
            let mine =
                t.kind == TargetKind::Control && records.iter().any(|r| r.control == id && r.owner == actor.user());
            if !mine {
                return Err(AppError::new(
                    Code::Forbidden,
                    format!("a control owner attaches evidence only to controls assigned to them ({} is not)", t.id),
                ));
            }
        }
    }
    Ok(())
}

/// Every evidence item, newest first.
pub async fn list_evidence(cx: &Cx, actor: &Actor) -> AppResult<Vec<Evidence>> {
    actor.require(UseCase::ReadIsms)?;
    evidence_of(cx, actor.org()).await
}

async fn evidence_of(cx: &Cx, org: OrgId) -> AppResult<Vec<Evidence>> {
    let mut all = registers::list::<Evidence>(cx, org).await?;
    all.sort_by(|a, b| b.collected_at.cmp(&a.collected_at).then(b.id.cmp(&a.id)));
    Ok(all)
}

/// One item.
pub async fn evidence(cx: &Cx, actor: &Actor, id: &str) -> AppResult<Evidence> {
    actor.require(UseCase::ReadIsms)?;
    registers::get::<Evidence>(cx, actor.org(), id).await
}

/// A file item's content as a stream, with the item.
pub async fn open_file(cx: &Cx, actor: &Actor, id: &str) -> AppResult<(Evidence, BlobReader, u64)> {
    actor.require(UseCase::ReadIsms)?;
    let e = registers::get::<Evidence>(cx, actor.org(), id).await?;
    let Content::File { sha256, .. } = &e.content else {
        return Err(AppError::new(Code::NotAFile, format!("{id} is a link, not a file")));
    };
    let (reader, size) = cx.blobs.open(sha256).await.map_err(blob_error)?;
    Ok((e, reader, size))
}

/// One stored file that no longer matches what was recorded.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BrokenFile {
    /// The evidence item.
    pub evidence: String,
    /// Its title.
    pub title: String,
    /// What it is attached to.
    pub targets: Vec<Target>,
    /// The recorded SHA-256.
    pub sha256: String,
    /// `changed` or `missing`.
    pub state: &'static str,
    /// What the file hashes to now, when changed.
    pub actual: Option<String>,
}

/// What verification found in one organization.
#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    /// Files checked.
    pub checked: usize,
    /// Those that changed or went missing.
    pub broken: Vec<BrokenFile>,
}

/// Re-hashes every stored file of the organization: evidence files and uploaded
/// document versions.
pub async fn verify_files(cx: &Cx, actor: &Actor) -> AppResult<FileCheck> {
    actor.require(UseCase::VerifyAuditTrail)?;
    let org = actor.org();
    let mut check = FileCheck { checked: 0, broken: vec![] };
    for e in evidence_of(cx, org).await? {
        let Content::File { sha256, .. } = &e.content else { continue };
        check.checked += 1;
        let (state, actual) = match cx.blobs.check(sha256).await.map_err(blob_error)? {
            BlobState::Intact { .. } => continue,
            BlobState::Changed { actual } => ("changed", Some(actual)),
            BlobState::Missing => ("missing", None),
        };
        check.broken.push(BrokenFile {
            evidence: e.id.clone(),
            title: e.title.clone(),
            targets: e.targets.clone(),
            sha256: sha256.clone(),
            state,
            actual,
        });
    }
    // Uploaded document versions are stored the same way and checked the same way.
    for d in crate::documents::documents_of(cx, org).await? {
        for v in &d.versions {
            let isms_domain::document::Body::File { sha256, .. } = &v.body else { continue };
            check.checked += 1;
            let (state, actual) = match cx.blobs.check(sha256).await.map_err(blob_error)? {
                BlobState::Intact { .. } => continue,
                BlobState::Changed { actual } => ("changed", Some(actual)),
                BlobState::Missing => ("missing", None),
            };
            check.broken.push(BrokenFile {
                evidence: format!("{} v{}", d.id, v.number),
                title: d.title.clone(),
                targets: d.controls.iter().map(|c| Target { kind: TargetKind::Control, id: c.clone() }).collect(),
                sha256: sha256.clone(),
                state,
                actual,
            });
        }
    }
    Ok(check)
}

/// Where one applicable control stands on evidence.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ControlEvidence {
    /// The control.
    pub control: String,
    /// Its title.
    pub title: String,
    /// Its owner's e-mail.
    pub owner: Option<String>,
    /// Its owner's name.
    pub owner_name: Option<String>,
    /// Current, stale or missing.
    pub coverage: Coverage,
    /// How many items are attached.
    pub items: usize,
    /// How many of the checks testing it pass within their frequency: a passing
    /// check makes the control's evidence current (its runs are the evidence).
    pub passing_checks: usize,
}

/// Every applicable control with its evidence coverage, those needing attention first
/// (missing, then stale), then by control.
pub async fn freshness(cx: &Cx, actor: &Actor) -> AppResult<Vec<ControlEvidence>> {
    actor.require(UseCase::ReadIsms)?;
    freshness_of(cx, actor.org()).await
}

/// [`freshness`] for the app's own use inside a checked use case.
pub(crate) async fn freshness_of(cx: &Cx, org: OrgId) -> AppResult<Vec<ControlEvidence>> {
    let today = cx.clock.today();
    let all = registers::list::<Evidence>(cx, org).await?;
    let checks = crate::monitoring::checks_of(cx, org).await?;
    let passing = |control: &str| {
        checks
            .iter()
            .filter(|c| c.status == isms_domain::check::CheckStatus::Passing && c.controls.iter().any(|x| x == control))
            .count()
    };
    let mut out: Vec<ControlEvidence> = controls_of(cx, org)
        .await?
        .into_iter()
        .filter(|c| c.record.applicable)
        .map(|c| ControlEvidence {
            coverage: match passing(&c.record.control) {
                0 => coverage(&all, TargetKind::Control, &c.record.control, today),
                _ => Coverage::Current,
            },
            passing_checks: passing(&c.record.control),
            items: all.iter().filter(|e| e.attached_to(TargetKind::Control, &c.record.control)).count(),
            control: c.record.control,
            title: c.title,
            owner: c.owner_email,
            owner_name: c.owner_name,
        })
        .collect();
    let rank = |c: Coverage| match c {
        Coverage::Missing => 0,
        Coverage::Stale => 1,
        Coverage::Current => 2,
    };
    out.sort_by_key(|c| rank(c.coverage));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::valid_until;

    #[test]
    fn a_validity_past_the_calendar_is_refused_not_a_panic() {
        let today = date!(2026 - 12 - 06);
        assert_eq!(valid_until(today, Some(365)).unwrap(), Some(date!(2027 - 12 - 06)));
        assert_eq!(valid_until(today, None).unwrap(), None);
        for days in [i64::MAX, i64::MAX - 1, i64::MIN, 100_000, -100_000] {
            assert!(valid_until(today, Some(days)).is_err(), "{days}");
        }
    }
}
