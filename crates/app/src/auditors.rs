//! External auditors and the audit workspace (issue 24). The owner or the ISMS manager
//! invites a certification body's auditor to one audit; they join the organization
//! with the role `external_auditor`, which the grant table refuses everything, and an
//! [`AuditAccess`] that opens that audit's workspace — its scope, the SoA version under
//! audit, the sampled controls, the evidence and document versions linked to them and
//! to the requests, the requests and the samples — until a set number of days after
//! the audit's last day. Sessions, sign-in and `--as` end with the window
//! ([`open_audits_in`]); every view and download they make is in the trail.

use std::collections::BTreeSet;

use isms_domain::access::UseCase;
use isms_domain::audit::{Audit, AuditAccess, AuditStatus, CheckKind, MAX_DAYS_AFTER};
use isms_domain::document::{Body, Document};
use isms_domain::evidence::{Content, Evidence, TargetKind};
use isms_domain::request::EvidenceRequest;
use isms_domain::sample::Sample;
use isms_domain::trail::TrailDraft;
use isms_domain::{DisplayName, Email, OrgId, Role};
use isms_store::ReadTx;
use serde::Serialize;
use time::Date;

use crate::access::Actor;
use crate::export::DocFormat;
use crate::invitations::{Invited, invite_in};
use crate::requests::RequestProgress;
use crate::soa::VersionRef;
use crate::{AppError, AppResult, Code, Cx, registers};

/// An external auditor invited: their access, and the invitation when they were not
/// a member yet (its link is shown once).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditorInvited {
    /// The access.
    pub access: AuditorView,
    /// The invitation, for someone who is not a member yet.
    pub invited: Option<Invited>,
}

/// An access with its window as of today.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditorView {
    /// The access.
    #[serde(flatten)]
    pub access: AuditAccess,
    /// Its last day.
    #[serde(with = "isms_domain::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub until: Date,
    /// True while it opens the audit.
    pub open: bool,
}

fn not_found(id: &str) -> AppError {
    AppError::new(Code::NotFound, format!("there is no audit {id}"))
}

fn normal(id: &str) -> String {
    id.trim().to_ascii_uppercase()
}

fn view(access: AuditAccess, audit: &Audit, today: Date) -> AuditorView {
    AuditorView { until: access.until(audit.end), open: access.open_on(audit.end, today), access }
}

/// Invites `email` as external auditor of one audit for `days_after` days after its
/// last day: the owner or the ISMS manager. A person already invited to it gets the
/// new window (and is no longer revoked); a member of the organization in another role
/// is refused (they see audits through their role).
pub async fn invite_auditor(
    cx: &Cx,
    actor: &Actor,
    audit: &str,
    email: Email,
    name: DisplayName,
    days_after: u32,
    base_url: &str,
) -> AppResult<AuditorInvited> {
    actor.require(UseCase::ManageAudits)?;
    if days_after > MAX_DAYS_AFTER {
        return Err(AppError::invalid_field("days_after", format!("at most {MAX_DAYS_AFTER} days after the audit")));
    }
    let org = actor.org();
    let trail = actor.trail();
    let granted_by = actor.who(cx).await?;
    let today = cx.clock.today();
    let mut tx = cx.write().await?;
    let organization = tx.lock_organization(org).await?;
    let audit: Audit = registers::get_in(&mut *tx, org, &normal(audit)).await?;
    if audit.status == AuditStatus::Cancelled {
        return Err(AppError::new(Code::WrongState, format!("{} is cancelled", audit.id)));
    }
    let member = match tx.user_by_email(&email).await? {
        Some(u) => tx.membership(org, u.id).await?,
        None => None,
    };
    if let Some(m) = &member
        && m.role != Role::ExternalAuditor
    {
        return Err(AppError::new(
            Code::AlreadyMember,
            format!("{email} is a member here as {}; members see audits through their role", m.role.label()),
        ));
    }
    let now = cx.clock.now();
    if let Some(other) = tx.invitations(org).await?.into_iter().find(|i| {
        i.email == email && i.role != Role::ExternalAuditor && i.state(now) == isms_domain::InvitationState::Pending
    }) {
        return Err(AppError::new(
            Code::AlreadyMember,
            format!("{email} is invited here as {}; withdraw that invitation first", other.role.label()),
        ));
    }
    let address = email.to_string().to_lowercase();
    let existing: Vec<AuditAccess> = registers::list_in(&mut *tx, org).await?;
    let access = match existing.iter().find(|a| a.audit == audit.id && a.email == address) {
        Some(a) => {
            let name = name.to_string();
            registers::update_in::<AuditAccess>(&mut *tx, cx, &trail, org, &a.id, |x| {
                x.days_after = days_after;
                x.revoked_at = None;
                x.name = name;
                Ok(())
            })
            .await?
        }
        None => {
            let mut value = AuditAccess {
                id: String::new(),
                audit: audit.id.clone(),
                email: address,
                name: name.to_string(),
                days_after,
                granted_by,
                granted_at: cx.clock.now(),
                revoked_at: None,
            };
            registers::create_in(&mut *tx, cx, &trail, org, &mut value).await?;
            value
        }
    };
    let invited = if member.is_none() {
        Some(invite_in(&mut *tx, cx, &trail, &organization, email, name, Role::ExternalAuditor, base_url).await?)
    } else {
        None
    };
    tx.commit().await?;
    Ok(AuditorInvited { access: view(access, &audit, today), invited })
}

/// The external auditors of an audit with their windows.
pub async fn auditors(cx: &Cx, actor: &Actor, audit: &str) -> AppResult<Vec<AuditorView>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let audit: Audit = registers::get(cx, org, &normal(audit)).await?;
    let today = cx.clock.today();
    Ok(registers::list::<AuditAccess>(cx, org)
        .await?
        .into_iter()
        .filter(|a| a.audit == audit.id)
        .map(|a| view(a, &audit, today))
        .collect())
}

/// Changes an external auditor's window on an audit, or revokes it at once: the owner
/// or the ISMS manager.
pub async fn change_auditor(
    cx: &Cx,
    actor: &Actor,
    audit: &str,
    email: &str,
    days_after: Option<u32>,
    revoke: bool,
) -> AppResult<AuditorView> {
    actor.require(UseCase::ManageAudits)?;
    if days_after.is_some_and(|d| d > MAX_DAYS_AFTER) {
        return Err(AppError::invalid_field("days_after", format!("at most {MAX_DAYS_AFTER} days after the audit")));
    }
    let org = actor.org();
    let now = cx.clock.now();
    let address = email.trim().to_lowercase();
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let audit: Audit = registers::get_in(&mut *tx, org, &normal(audit)).await?;
    let existing: Vec<AuditAccess> = registers::list_in(&mut *tx, org).await?;
    let found = existing.iter().find(|a| a.audit == audit.id && a.email == address).ok_or_else(|| {
        AppError::new(Code::NotFound, format!("{address} is not an external auditor of {}", audit.id))
    })?;
    let access = registers::update_in::<AuditAccess>(&mut *tx, cx, &actor.trail(), org, &found.id, |a| {
        if let Some(d) = days_after {
            a.days_after = d;
        }
        if revoke {
            a.revoked_at = Some(now);
        }
        Ok(())
    })
    .await?;
    tx.commit().await?;
    Ok(view(access, &audit, now.date()))
}

/// The audits `email` may open as external auditor of `org` on `today`.
pub(crate) async fn open_audits_in(
    tx: &mut dyn ReadTx,
    org: OrgId,
    email: &str,
    today: Date,
) -> AppResult<Vec<String>> {
    let email = email.to_lowercase();
    let accesses: Vec<AuditAccess> = registers::list_read(tx, org).await?;
    let mine: Vec<&AuditAccess> = accesses.iter().filter(|a| a.email == email).collect();
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    let audits: Vec<Audit> = registers::list_read(tx, org).await?;
    let mut open: Vec<String> = mine
        .iter()
        .filter(|a| {
            audits
                .iter()
                .find(|x| x.id == a.audit)
                .is_some_and(|x| x.status != AuditStatus::Cancelled && a.open_on(x.end, today))
        })
        .map(|a| a.audit.clone())
        .collect();
    open.sort();
    open.dedup();
    Ok(open)
}

/// The last day an external auditor's access to `org` ended (for telling them so).
pub(crate) async fn ended_on(tx: &mut dyn ReadTx, org: OrgId, email: &str) -> AppResult<Option<Date>> {
    let email = email.to_lowercase();
    let accesses: Vec<AuditAccess> = registers::list_read(tx, org).await?;
    let audits: Vec<Audit> = registers::list_read(tx, org).await?;
    Ok(accesses
        .iter()
        .filter(|a| a.email == email)
        .filter_map(|a| {
            let audit = audits.iter().find(|x| x.id == a.audit)?;
            let until = a.until(audit.end);
            Some(a.revoked_at.map_or(until, |r| r.date().min(until)))
        })
        .max())
}

/// Whether a membership opens its organization today: always, except an external
/// auditor's, which needs an open audit access.
pub(crate) async fn membership_open(
    tx: &mut dyn ReadTx,
    org: OrgId,
    role: Role,
    email: &str,
    today: Date,
) -> AppResult<bool> {
    Ok(role != Role::ExternalAuditor || !open_audits_in(tx, org, email, today).await?.is_empty())
}

/// What is linked to an audit: the evidence and document versions its requests were
/// answered with, that are attached to it, or that support its sampled controls.
pub(crate) struct Linked {
    /// The audit.
    pub audit: Audit,
    /// Its sampled controls (the checklist's controls).
    pub sampled: Vec<(String, String)>,
    /// Linked evidence items.
    pub evidence: Vec<Evidence>,
    /// Linked document versions.
    pub versions: Vec<(Document, u32)>,
    /// Its requests.
    pub requests: Vec<EvidenceRequest>,
    /// Its samples.
    pub samples: Vec<Sample>,
    /// The approved SoA version under audit: the last approved by its last day, else
    /// the latest (none: nothing is approved yet).
    pub soa_version: Option<i64>,
}

pub(crate) async fn linked(cx: &Cx, org: OrgId, audit: Audit) -> AppResult<Linked> {
    let sampled: Vec<(String, String)> = audit
        .checklist
        .iter()
        .filter(|l| l.kind == CheckKind::Control)
        .map(|l| (l.reference.clone(), l.title.clone()))
        .collect();
    let controls: BTreeSet<&str> = sampled.iter().map(|(c, _)| c.as_str()).collect();
    let requests = crate::requests::requests_of(cx, org, Some(&audit.id)).await?;
    let samples: Vec<Sample> =
        registers::list::<Sample>(cx, org).await?.into_iter().filter(|s| s.audit == audit.id).collect();
    let answered: BTreeSet<&str> = requests.iter().flat_map(|r| r.evidence.iter().map(String::as_str)).collect();
    let evidence: Vec<Evidence> = registers::list::<Evidence>(cx, org)
        .await?
        .into_iter()
        .filter(|e| {
            answered.contains(e.id.as_str())
                || e.targets.iter().any(|t| {
                    (t.kind == TargetKind::Audit && t.id == audit.id)
                        || (t.kind == TargetKind::Control && controls.contains(t.id.as_str()))
                })
        })
        .collect();
    let documents = crate::documents::documents_of(cx, org).await?;
    let mut wanted: BTreeSet<(String, u32)> = BTreeSet::new();
    for r in &requests {
        for d in &r.documents {
            if let Some((id, n)) = d.split_once('@').and_then(|(id, n)| Some((id.to_owned(), n.parse().ok()?))) {
                wanted.insert((id, n));
            }
        }
    }
    for d in documents.iter().filter(|d| d.controls.iter().any(|c| controls.contains(c.as_str()))) {
        if let Some(v) = d.in_force() {
            wanted.insert((d.id.clone(), v.number));
        }
    }
    let versions = wanted
        .into_iter()
        .filter_map(|(id, n)| {
            let doc = documents.iter().find(|d| d.id == id)?;
            doc.versions.iter().any(|v| v.number == n).then(|| (doc.clone(), n))
        })
        .collect();
    let approved = crate::soa::versions_of(cx, org).await?;
    let last_day = audit.end.next_day().unwrap_or(audit.end).midnight().assume_utc();
    let soa_version = approved.iter().rfind(|v| v.approved_at < last_day).or(approved.last()).map(|v| v.number);
    Ok(Linked { audit, sampled, evidence, versions, requests, samples, soa_version })
}

/// [`linked`] for the audit `id` (not found when it is not the organization's).
async fn linked_audit(cx: &Cx, org: OrgId, id: &str) -> AppResult<Linked> {
    let audit: Audit = registers::get(cx, org, id).await.map_err(|_| not_found(id))?;
    linked(cx, org, audit).await
}

/// One item of the workspace: an evidence item or a document version.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LinkedItem {
    /// `EVD-004`, or `DOC-002@3` for a document version.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The file's name, when it is a file (downloaded from the workspace).
    pub file: Option<String>,
    /// The address, when the evidence is a link.
    pub url: Option<String>,
    /// The sampled controls it supports.
    pub controls: Vec<String>,
}

/// A sampled control with what supports it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SampledControl {
    /// `A.8.13`.
    pub control: String,
    /// Its short title.
    pub title: String,
}

/// An audit's workspace: what an external auditor sees.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Workspace {
    /// The audit.
    pub audit: Audit,
    /// The approved SoA version under audit (none: nothing approved yet; the draft).
    pub soa_version: Option<i64>,
    /// The sampled controls.
    pub controls: Vec<SampledControl>,
    /// The evidence and document versions linked to the audit.
    pub items: Vec<LinkedItem>,
    /// Its requests.
    pub requests: Vec<EvidenceRequest>,
    /// How they stand.
    pub progress: RequestProgress,
    /// Its samples.
    pub samples: Vec<Sample>,
    /// The findings raised in it.
    pub findings: Vec<isms_domain::audit::Finding>,
    /// The viewer's access window, for an external auditor.
    #[serde(with = "isms_domain::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub access_until: Option<Date>,
}

/// Checks that the actor may open `audit`'s workspace: a member who may read the ISMS,
/// or an external auditor whose access to it is open. Answers the external auditor's
/// e-mail (their views are recorded) or `None`.
async fn admit(cx: &Cx, actor: &Actor, audit: &str) -> AppResult<Option<String>> {
    match actor.audit_scope(cx).await? {
        None => Ok(None),
        Some(open) if open.iter().any(|a| a == audit) => Ok(Some(actor.email(cx).await?.to_string())),
        Some(_) => Err(not_found(audit)),
    }
}

/// Records what an external auditor opened.
pub(crate) async fn seen(cx: &Cx, actor: &Actor, audit: &str, action: &str, what: serde_json::Value) -> AppResult<()> {
    let org = actor.org();
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let draft = TrailDraft {
        actor: actor.trail(),
        action: action.to_owned(),
        entity: "audit".into(),
        entity_id: audit.to_owned(),
        before: None,
        after: Some(what.to_string()),
    };
    crate::trail::record(&mut *tx, org, cx.clock.now(), draft).await?;
    tx.commit().await?;
    Ok(())
}

/// An audit's workspace: any member who may read the ISMS, or its external auditors
/// while their access is open (their view is recorded in the trail).
pub async fn workspace(cx: &Cx, actor: &Actor, audit: &str) -> AppResult<Workspace> {
    let id = normal(audit);
    let external = admit(cx, actor, &id).await?;
    if external.is_none() {
        actor.require(UseCase::ReadIsms)?;
    }
    let org = actor.org();
    let l = linked_audit(cx, org, &id).await?;
    let access_until = match &external {
        Some(email) => registers::list::<AuditAccess>(cx, org)
            .await?
            .iter()
            .find(|a| a.audit == l.audit.id && &a.email == email)
            .map(|a| a.until(l.audit.end)),
        None => None,
    };
    let findings = crate::certification::findings_of(cx, org).await?.into_iter().filter(|f| f.audit == id).collect();
    let supports = |targets: &[String]| -> Vec<String> {
        l.sampled.iter().filter(|(c, _)| targets.contains(c)).map(|(c, _)| c.clone()).collect()
    };
    let mut items: Vec<LinkedItem> = l
        .evidence
        .iter()
        .map(|e| {
            let targets: Vec<String> =
                e.targets.iter().filter(|t| t.kind == TargetKind::Control).map(|t| t.id.clone()).collect();
            let (file, url) = match &e.content {
                Content::File { filename, .. } => (Some(filename.clone()), None),
                Content::Link { url } => (None, Some(url.clone())),
            };
            LinkedItem { id: e.id.clone(), title: e.title.clone(), file, url, controls: supports(&targets) }
        })
        .collect();
    for (doc, n) in &l.versions {
        let file = doc.versions.iter().find(|v| v.number == *n).map(|v| match &v.body {
            Body::File { filename, .. } => filename.clone(),
            Body::Markdown { .. } => format!("{}-v{n}.md", doc.id),
        });
        items.push(LinkedItem {
            id: format!("{}@{n}", doc.id),
            title: format!("{} (version {n})", doc.title),
            file,
            url: None,
            controls: supports(&doc.controls),
        });
    }
    let today = cx.clock.today();
    let ws = Workspace {
        progress: RequestProgress::of(&l.requests, today),
        controls: l.sampled.iter().map(|(c, t)| SampledControl { control: c.clone(), title: t.clone() }).collect(),
        soa_version: l.soa_version,
        items,
        requests: l.requests,
        samples: l.samples,
        findings,
        access_until,
        audit: l.audit,
    };
    if external.is_some() {
        seen(cx, actor, &id, "audit_workspace.viewed", serde_json::json!({ "audit": id })).await?;
    }
    Ok(ws)
}

/// A file of the workspace (`EVD-004`, or `DOC-002@3`): its name, media type and
/// bytes, if it is linked to the audit. An external auditor's download is recorded.
pub async fn workspace_file(cx: &Cx, actor: &Actor, audit: &str, item: &str) -> AppResult<(String, String, Vec<u8>)> {
    let id = normal(audit);
    let external = admit(cx, actor, &id).await?;
    if external.is_none() {
        actor.require(UseCase::ReadIsms)?;
    }
    let org = actor.org();
    let l = linked_audit(cx, org, &id).await?;
    let item = item.trim().to_ascii_uppercase();
    let missing = || AppError::new(Code::NotFound, format!("{item} is not linked to {id}"));
    let (name, media, sha256, text) = if let Some((doc, n)) = item.split_once('@') {
        let n: u32 = n.parse().map_err(|_| missing())?;
        let (d, _) = l.versions.iter().find(|(d, v)| d.id == doc && *v == n).ok_or_else(missing)?;
        let v = d.versions.iter().find(|v| v.number == n).ok_or_else(missing)?;
        match &v.body {
            Body::File { sha256, filename, .. } => {
                (filename.clone(), "application/octet-stream".to_owned(), Some(sha256.clone()), None)
            }
            Body::Markdown { text } => {
                (format!("{doc}-v{n}.md"), "text/markdown; charset=utf-8".to_owned(), None, Some(text.clone()))
            }
        }
    } else {
        let e = l.evidence.iter().find(|e| e.id == item).ok_or_else(missing)?;
        match &e.content {
            Content::File { sha256, filename, media_type, .. } => {
                (filename.clone(), media_type.clone(), Some(sha256.clone()), None)
            }
            Content::Link { .. } => {
                return Err(AppError::new(Code::NotAFile, format!("{item} is a link, not a file")));
            }
        }
    };
    let bytes = match (sha256, text) {
        (Some(sha), _) => crate::files::read_blob(cx, &sha).await?,
        (None, Some(text)) => text.into_bytes(),
        (None, None) => Vec::new(),
    };
    if external.is_some() {
        seen(cx, actor, &id, "audit_workspace.downloaded", serde_json::json!({ "audit": id, "item": item })).await?;
    }
    Ok((name, media, bytes))
}

/// The SoA version under audit, as a document (an external auditor's download is
/// recorded).
pub async fn workspace_soa(cx: &Cx, actor: &Actor, audit: &str, format: DocFormat) -> AppResult<(String, Vec<u8>)> {
    let id = normal(audit);
    let external = admit(cx, actor, &id).await?;
    if external.is_none() {
        actor.require(UseCase::ReadIsms)?;
    }
    let org = actor.org();
    let l = linked_audit(cx, org, &id).await?;
    let at = l.soa_version.map_or(VersionRef::Draft, VersionRef::Number);
    let label = l.soa_version.map_or_else(|| "draft".to_owned(), |n| format!("v{n}"));
    let export = crate::soa::export_soa_in(cx, org, at, format).await?;
    if external.is_some() {
        let what = serde_json::json!({ "audit": id, "item": format!("SoA {label}"), "format": format.extension() });
        seen(cx, actor, &id, "audit_workspace.downloaded", what).await?;
    }
    Ok((format!("statement-of-applicability-{label}.{}", format.extension()), export.bytes))
}

/// A record drawn in one of the audit's samples (a risk, a nonconformity, an evidence
/// item, a document): what the sample shows the auditor. Anything not sampled for the
/// audit is "not found" to an external auditor.
pub async fn workspace_record(cx: &Cx, actor: &Actor, audit: &str, record: &str) -> AppResult<serde_json::Value> {
    let id = normal(audit);
    let external = admit(cx, actor, &id).await?;
    if external.is_none() {
        actor.require(UseCase::ReadIsms)?;
    }
    let org = actor.org();
    let record = record.trim().to_ascii_uppercase();
    let samples: Vec<Sample> = registers::list::<Sample>(cx, org).await?;
    let missing = || AppError::new(Code::NotFound, format!("{record} was not sampled for {id}"));
    if !samples.iter().any(|s| s.audit == id && s.items.iter().any(|i| i.eq_ignore_ascii_case(&record))) {
        return Err(missing());
    }
    let value = if record.starts_with("RSK-") {
        let r = crate::risks::risks_of(cx, org).await?.into_iter().find(|r| r.risk.id == record).ok_or_else(missing)?;
        serde_json::to_value(&r.risk)
    } else if record.starts_with("FND-") {
        let f = crate::certification::findings_of(cx, org)
            .await?
            .into_iter()
            .find(|f| f.id == record)
            .ok_or_else(missing)?;
        serde_json::to_value(&f)
    } else if record.starts_with("EVD-") {
        serde_json::to_value(registers::get::<Evidence>(cx, org, &record).await.map_err(|_| missing())?)
    } else if record.starts_with("DOC-") {
        let d = registers::get::<Document>(cx, org, &record).await.map_err(|_| missing())?;
        let current = d.in_force().map(|v| v.number);
        Ok(serde_json::json!({ "id": d.id, "title": d.title, "owner": d.owner, "controls": d.controls,
                               "version_in_force": current }))
    } else {
        return Err(missing());
    }
    .map_err(|e| AppError::new(Code::CorruptData, e.to_string()))?;
    if external.is_some() {
        seen(cx, actor, &id, "audit_workspace.viewed", serde_json::json!({ "audit": id, "item": record })).await?;
    }
    Ok(value)
}

/// The audits open to an external auditor today (empty for a member, who reaches
/// every audit through their role).
pub async fn my_audits(cx: &Cx, actor: &Actor) -> AppResult<Vec<String>> {
    match actor.audit_scope(cx).await? {
        Some(open) => Ok(open),
        None => {
            actor.require(UseCase::ReadIsms)?;
            Ok(Vec::new())
        }
    }
}
