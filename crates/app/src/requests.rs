//! Evidence requests for an audit (issue 24, the "provided by client" list): the
//! auditor writes or imports them (CSV or XLSX, every row checked before anything is
//! stored), the team attaches evidence and document versions and submits, the auditor
//! accepts or returns with a comment ([`isms_domain::request`]). Every step is one
//! transaction with its trail entry. Requests feed "my tasks", the calendar and the
//! audit page's progress.

use isms_domain::access::UseCase;
use isms_domain::audit::{Audit, AuditStatus};
use isms_domain::document::Document;
use isms_domain::evidence::Evidence;
use isms_domain::request::{EvidenceRequest, RequestStatus};
use serde::Serialize;
use time::Date;

use crate::access::Actor;
use crate::imports::RowError;
use crate::{AppError, AppResult, Code, Cx, registers};

/// A request asked for.
#[derive(Debug, Clone, Default)]
pub struct NewRequest {
    /// The audit (`AUD-003`).
    pub audit: String,
    /// The auditor's reference (`PBC-12`).
    pub reference: String,
    /// What is asked for.
    pub text: String,
    /// Clauses, controls and requirements (`9.2`, `A.5.15`).
    pub references: Vec<String>,
    /// When the answer is due.
    pub due: Option<Date>,
    /// Who answers (a member's e-mail).
    pub assignee: Option<String>,
}

/// A change to a request's plan: who answers and by when (`None` keeps the value;
/// `Some("")` clears the assignee).
#[derive(Debug, Clone, Default)]
pub struct RequestPlan {
    /// The new assignee.
    pub assignee: Option<String>,
    /// The new due date.
    pub due: Option<Date>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RequestImport {
    /// The requests created, with their ids (none when a row was bad).
    pub created: Vec<EvidenceRequest>,
    /// The bad rows, with line and column.
    pub errors: Vec<RowError>,
    /// True when the requests were stored.
    pub stored: bool,
}

/// How an audit's requests stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RequestProgress {
    /// Requests in all.
    pub total: usize,
    /// Open (not answered yet).
    pub open: usize,
    /// Answered, waiting for the auditor.
    pub submitted: usize,
    /// Accepted.
    pub accepted: usize,
    /// Returned to the team.
    pub returned: usize,
    /// Past their due date while the team owes an answer.
    pub overdue: usize,
}

impl RequestProgress {
    /// Counts requests as of `today`.
    pub fn of<'a>(requests: impl IntoIterator<Item = &'a EvidenceRequest>, today: Date) -> RequestProgress {
        let mut p = RequestProgress::default();
        for r in requests {
            p.total += 1;
            match r.status {
                RequestStatus::Open => p.open += 1,
                RequestStatus::Submitted => p.submitted += 1,
                RequestStatus::Accepted => p.accepted += 1,
                RequestStatus::Returned => p.returned += 1,
            }
            p.overdue += usize::from(r.overdue(today));
        }
        p
    }
}

/// The columns a request list may have, each with the names it is known by.
pub const COLUMNS: [(&str, &[&str]); 5] = [
    ("reference", &["reference", "ref", "ref.", "id", "no", "no.", "#", "request id", "pbc ref"]),
    ("request", &["request", "text", "description", "requested item", "evidence requested", "item"]),
    ("references", &["references", "clause", "control", "clause/control", "controls", "requirement", "requirements"]),
    ("due", &["due", "due date", "date due", "deadline"]),
    ("assignee", &["assignee", "owner", "assigned to", "responsible"]),
];

fn names(column: &str) -> &'static [&'static str] {
    COLUMNS.iter().find(|(c, _)| *c == column).map_or(&[], |(_, n)| n)
}

/// Splits a references cell (`A.5.15, A.5.18; 9.2`) into its references.
pub fn split_references(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in text.split([',', ';', '\n']).map(str::trim).filter(|r| !r.is_empty()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(r)) {
            out.push(r.to_owned());
        }
    }
    out
}

/// Refuses an audit outside an external auditor's open audits (as if it did not exist).
fn within(scope: Option<&Vec<String>>, audit: &str) -> AppResult<()> {
    match scope {
        Some(open) if !open.iter().any(|a| a.eq_ignore_ascii_case(audit.trim())) => {
            Err(AppError::new(Code::NotFound, format!("there is no audit {}", audit.trim().to_ascii_uppercase())))
        }
        _ => Ok(()),
    }
}

/// Every request (of one audit when given), by id: every member who may read the
/// ISMS; an external auditor those of the audits open to them.
pub async fn requests(cx: &Cx, actor: &Actor, audit: Option<&str>) -> AppResult<Vec<EvidenceRequest>> {
    let scope = actor.audit_scope(cx).await?;
    if scope.is_none() {
        actor.require(UseCase::ReadIsms)?;
    }
    if let Some(a) = audit {
        within(scope.as_ref(), a)?;
    }
    let all: Vec<EvidenceRequest> = requests_of(cx, actor.org(), audit)
        .await?
        .into_iter()
        .filter(|r| within(scope.as_ref(), &r.audit).is_ok())
        .collect();
    if let (Some(open), Some(_)) = (&scope, &actor.user()) {
        let shown = audit.map_or_else(|| open.join(", "), |a| a.trim().to_ascii_uppercase());
        let what = serde_json::json!({ "audit": shown, "item": "requests" });
        crate::auditors::seen(cx, actor, &shown, "audit_workspace.viewed", what).await?;
    }
    Ok(all)
}

/// [`requests`] for the app's own use inside a checked use case.
pub(crate) async fn requests_of(
    cx: &Cx,
    org: isms_domain::OrgId,
    audit: Option<&str>,
) -> AppResult<Vec<EvidenceRequest>> {
    let mut all: Vec<EvidenceRequest> = registers::list::<EvidenceRequest>(cx, org)
        .await?
        .into_iter()
        .filter(|r| audit.is_none_or(|a| r.audit.eq_ignore_ascii_case(a.trim())))
        .collect();
    all.sort_by(|a, b| a.id.len().cmp(&b.id.len()).then(a.id.cmp(&b.id)));
    Ok(all)
}

/// One request (an external auditor's: of an audit open to them).
pub async fn request(cx: &Cx, actor: &Actor, id: &str) -> AppResult<EvidenceRequest> {
    let scope = actor.audit_scope(cx).await?;
    if scope.is_none() {
        actor.require(UseCase::ReadIsms)?;
    }
    let r = registers::get::<EvidenceRequest>(cx, actor.org(), &normal_id(id)).await?;
    within(scope.as_ref(), &r.audit)
        .map_err(|_| AppError::new(Code::NotFound, format!("there is no evidence request {}", normal_id(id))))?;
    if scope.is_some() {
        let what = serde_json::json!({ "audit": r.audit, "item": r.id });
        crate::auditors::seen(cx, actor, &r.audit, "audit_workspace.viewed", what).await?;
    }
    Ok(r)
}

fn normal_id(id: &str) -> String {
    id.trim().to_ascii_uppercase()
}

/// Checks an audit takes requests: it exists and is not cancelled.
fn open_audit(audit: &Audit) -> AppResult<()> {
    if audit.status == AuditStatus::Cancelled {
        return Err(AppError::new(
            Code::WrongState,
            format!("{} is cancelled; it takes no evidence requests", audit.id),
        ));
    }
    Ok(())
}

/// The assignee as stored: a member's e-mail, lowercased; refused otherwise.
fn assignee(members: &[String], text: Option<&str>) -> Result<Option<String>, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => {
            let t = t.to_lowercase();
            if members.contains(&t) { Ok(Some(t)) } else { Err(format!("{t} is not a member of this organization")) }
        }
    }
}

/// The members who may answer a request: not external auditors.
async fn member_emails(cx: &Cx, org: isms_domain::OrgId) -> AppResult<Vec<String>> {
    Ok(crate::users::members_of(cx, org)
        .await?
        .into_iter()
        .filter(|m| m.role != isms_domain::Role::ExternalAuditor)
        .map(|m| m.email.to_string().to_lowercase())
        .collect())
}

/// Writes a request for an audit: the auditor, the owner or the ISMS manager, or an
/// external auditor of the audit.
pub async fn write_request(cx: &Cx, actor: &Actor, new: NewRequest) -> AppResult<EvidenceRequest> {
    let scope = actor.audit_scope(cx).await?;
    if scope.is_none() {
        actor.require(UseCase::RecordFindings)?;
    }
    within(scope.as_ref(), &new.audit)?;
    if scope.is_some() && new.assignee.as_deref().is_some_and(|a| !a.trim().is_empty()) {
        return Err(AppError::invalid_field("assignee", "the organization chooses who answers a request"));
    }
    let org = actor.org();
    let audit = registers::get::<Audit>(cx, org, &normal_id(&new.audit)).await?;
    open_audit(&audit)?;
    let members = member_emails(cx, org).await?;
    let assignee = assignee(&members, new.assignee.as_deref()).map_err(|m| AppError::invalid_field("assignee", m))?;
    let mut value = EvidenceRequest {
        id: String::new(),
        audit: audit.id.clone(),
        reference: new.reference.trim().to_owned(),
        text: new.text.trim().to_owned(),
        references: new.references.iter().flat_map(|r| split_references(r)).collect(),
        due: new.due,
        assignee,
        status: RequestStatus::Open,
        evidence: Vec::new(),
        documents: Vec::new(),
        comments: Vec::new(),
        created_by: actor.who(cx).await?,
        created_at: cx.clock.now(),
    };
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let existing: Vec<EvidenceRequest> = registers::list_in(&mut *tx, org).await?;
    if existing.iter().any(|r| r.audit == audit.id && r.reference.eq_ignore_ascii_case(&value.reference)) {
        return Err(AppError::new(Code::Conflict, format!("{} already has a request {}", audit.id, value.reference)));
    }
    registers::create_in(&mut *tx, cx, &actor.trail(), org, &mut value).await?;
    tx.commit().await?;
    Ok(value)
}

/// Imports an audit's request list from CSV or XLSX (`reference`, `request`, and
/// optionally `references`, `due`, `assignee`; common other names of these columns are
/// understood). Every row is checked first; when any is bad, nothing is stored and
/// every bad row is reported with its line and column.
pub async fn import_requests(
    cx: &Cx,
    actor: &Actor,
    audit: &str,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<RequestImport> {
    let scope = actor.audit_scope(cx).await?;
    if scope.is_none() {
        actor.require(UseCase::RecordFindings)?;
    }
    within(scope.as_ref(), audit)?;
    let org = actor.org();
    let audit = registers::get::<Audit>(cx, org, &normal_id(audit)).await?;
    open_audit(&audit)?;
    let sheet = crate::imports::sheet(file_name, bytes)?;
    for needed in ["reference", "request"] {
        if sheet.column(names(needed)).is_none() {
            return Err(AppError::invalid_field(
                "file",
                format!(
                    "{file_name}, line 1: the header has no {needed} column (columns: {}; found: {})",
                    COLUMNS.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", "),
                    sheet.headers.join(", ")
                ),
            ));
        }
    }
    let members = member_emails(cx, org).await?;
    let existing = requests_of(cx, org, Some(&audit.id)).await?;
    let by = actor.who(cx).await?;
    let now = cx.clock.now();
    let mut errors = Vec::new();
    let mut good: Vec<EvidenceRequest> = Vec::new();
    for (line, cells) in &sheet.rows {
        let line = *line;
        let get = |column: &str| {
            sheet.column(names(column)).and_then(|c| cells.get(c)).map(|c| c.trim().to_owned()).unwrap_or_default()
        };
        let mut bad = |column: &str, message: String| errors.push(RowError { line, column: column.into(), message });
        let reference = get("reference");
        let due = match get("due") {
            d if d.is_empty() => None,
            d => match isms_domain::dates::parse_text(&d) {
                Ok(d) => Some(d),
                Err(e) => {
                    bad("due", format!("{d:?} is not a date (YYYY-MM-DD): {e}"));
                    None
                }
            },
        };
        let who = match assignee(&members, Some(&get("assignee"))) {
            // An external auditor's list names no assignees (nor learns who is a member).
            _ if scope.is_some() && !get("assignee").is_empty() => {
                bad("assignee", "the organization chooses who answers a request".to_owned());
                None
            }
            Ok(a) => a,
            Err(m) => {
                bad("assignee", m);
                None
            }
        };
        if !reference.is_empty() && (existing.iter().chain(&good).any(|r| r.reference.eq_ignore_ascii_case(&reference)))
        {
            bad("reference", format!("{reference} is already a request of {}", audit.id));
        }
        let value = EvidenceRequest {
            id: String::new(),
            audit: audit.id.clone(),
            reference,
            text: get("request"),
            references: split_references(&get("references")),
            due,
            assignee: who,
            status: RequestStatus::Open,
            evidence: Vec::new(),
            documents: Vec::new(),
            comments: Vec::new(),
            created_by: by.clone(),
            created_at: now,
        };
        for (field, message) in isms_domain::register::Entry::problems(&value) {
            let column = if field == "text" { "request" } else { field };
            bad(column, message);
        }
        good.push(value);
    }
    if sheet.rows.is_empty() {
        return Err(AppError::invalid_field("file", format!("{file_name}: the list has a header and no requests")));
    }
    if !errors.is_empty() {
        return Ok(RequestImport { created: Vec::new(), errors, stored: false });
    }
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let stored: Vec<EvidenceRequest> = registers::list_in(&mut *tx, org).await?;
    for value in &mut good {
        if stored.iter().any(|r| r.audit == audit.id && r.reference.eq_ignore_ascii_case(&value.reference)) {
            return Err(AppError::new(
                Code::Conflict,
                format!("{} already has a request {} (written meanwhile)", audit.id, value.reference),
            ));
        }
        registers::create_in(&mut *tx, cx, &actor.trail(), org, value).await?;
    }
    tx.commit().await?;
    Ok(RequestImport { created: good, errors, stored: true })
}

/// Changes who answers a request and by when: the auditor, the owner or the ISMS
/// manager.
pub async fn plan_request(cx: &Cx, actor: &Actor, id: &str, plan: RequestPlan) -> AppResult<EvidenceRequest> {
    actor.require(UseCase::RecordFindings)?;
    let org = actor.org();
    let members = member_emails(cx, org).await?;
    let who = match plan.assignee.as_deref() {
        None => None,
        Some(a) => Some(assignee(&members, Some(a)).map_err(|m| AppError::invalid_field("assignee", m))?),
    };
    registers::update::<EvidenceRequest>(cx, &actor.trail(), org, &normal_id(id), |r| {
        if let Some(who) = who {
            r.assignee = who;
        }
        if plan.due.is_some() {
            r.due = plan.due;
        }
        Ok(())
    })
    .await
}

/// Refuses a team step on a request not assigned to a control owner acting under an
/// `Assigned` grant.
fn may_answer(request: &EvidenceRequest, narrowed: Option<&str>) -> AppResult<()> {
    match narrowed {
        Some(me) if request.assignee.as_deref().is_none_or(|a| !a.eq_ignore_ascii_case(me)) => Err(AppError::new(
            Code::Forbidden,
            format!("{} is not assigned to you; a control owner answers the requests assigned to them", request.id),
        )),
        _ => Ok(()),
    }
}

/// Attaches evidence items and documents (at the version in force) to a request's
/// answer: the team (a control owner on requests assigned to them).
pub async fn attach(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    evidence: &[String],
    documents: &[String],
) -> AppResult<EvidenceRequest> {
    let narrowed = actor.narrowed(cx, UseCase::ActOnFindings).await?.map(|e| e.to_string());
    let org = actor.org();
    if evidence.is_empty() && documents.is_empty() {
        return Err(AppError::invalid_field("evidence", "name an evidence item or a document to attach"));
    }
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let mut found = Vec::new();
    for e in evidence {
        found.push(registers::get_in::<Evidence>(&mut *tx, org, &normal_id(e)).await?.id);
    }
    let mut versions = Vec::new();
    for d in documents {
        let (doc_id, wanted) = match d.split_once('@') {
            Some((doc, v)) => (
                doc,
                Some(v.trim().parse::<u32>().map_err(|_| {
                    AppError::invalid_field("documents", format!("{d:?}: the version after @ is a number"))
                })?),
            ),
            None => (d.as_str(), None),
        };
        let doc = registers::get_in::<Document>(&mut *tx, org, &normal_id(doc_id)).await?;
        let number = match wanted {
            Some(v) if doc.versions.iter().any(|x| x.number == v && x.approval.is_some()) => v,
            Some(v) => {
                return Err(AppError::invalid_field(
                    "documents",
                    format!("{} has no approved version {v}; drafts are not given to auditors", doc.id),
                ));
            }
            None => doc.in_force().map(|v| v.number).ok_or_else(|| {
                AppError::invalid_field("documents", format!("{} has no approved version in force", doc.id))
            })?,
        };
        versions.push(format!("{}@{number}", doc.id));
    }
    let value = registers::update_in::<EvidenceRequest>(&mut *tx, cx, &actor.trail(), org, &normal_id(id), |r| {
        may_answer(r, narrowed.as_deref())?;
        r.attach(&found, &versions).map_err(|e| AppError::new(Code::WrongState, e.to_string()))
    })
    .await?;
    tx.commit().await?;
    Ok(value)
}

/// Takes evidence items and documents off a request's answer: the team (a control
/// owner on requests assigned to them), while the request is open or returned.
pub async fn detach(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    evidence: &[String],
    documents: &[String],
) -> AppResult<EvidenceRequest> {
    let narrowed = actor.narrowed(cx, UseCase::ActOnFindings).await?.map(|e| e.to_string());
    if evidence.is_empty() && documents.is_empty() {
        return Err(AppError::invalid_field("evidence", "name an evidence item or a document to take off"));
    }
    registers::update::<EvidenceRequest>(cx, &actor.trail(), actor.org(), &normal_id(id), |r| {
        may_answer(r, narrowed.as_deref())?;
        match r.detach(evidence, documents) {
            Ok(0) => Err(AppError::invalid_field("evidence", format!("none of these is attached to {}", r.id))),
            Ok(_) => Ok(()),
            Err(e) => Err(AppError::new(Code::WrongState, e.to_string())),
        }
    })
    .await
}

/// A step on a request's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The team submits its answer.
    Submit,
    /// The auditor accepts it.
    Accept,
    /// The auditor returns it (a comment is required).
    Return,
    /// A message only.
    Comment,
}

/// Takes a step on a request with a comment. Submitting is the team's (a control
/// owner's on requests assigned to them); accepting and returning the auditor's (or
/// the owner's and ISMS manager's); anyone who does either may comment.
pub async fn step(cx: &Cx, actor: &Actor, id: &str, step: Step, text: &str) -> AppResult<EvidenceRequest> {
    let scope = actor.audit_scope(cx).await?;
    let narrowed = match step {
        // An external auditor decides and writes on the requests of their audits.
        Step::Accept | Step::Return | Step::Comment if scope.is_some() => None,
        Step::Submit => actor.narrowed(cx, UseCase::ActOnFindings).await?.map(|e| e.to_string()),
        Step::Accept | Step::Return => {
            actor.require(UseCase::RecordFindings)?;
            None
        }
        Step::Comment => {
            if actor.require(UseCase::RecordFindings).is_err() {
                actor.narrowed(cx, UseCase::ActOnFindings).await?.map(|e| e.to_string())
            } else {
                None
            }
        }
    };
    if text.chars().count() > 4_000 {
        return Err(AppError::invalid_field("comment", "at most 4000 characters"));
    }
    let by = actor.who(cx).await?;
    let now = cx.clock.now();
    registers::update::<EvidenceRequest>(cx, &actor.trail(), actor.org(), &normal_id(id), |r| {
        within(scope.as_ref(), &r.audit)
            .map_err(|_| AppError::new(Code::NotFound, format!("there is no evidence request {}", r.id)))?;
        may_answer(r, narrowed.as_deref())?;
        let done = match step {
            Step::Submit => r.submit(&by, now, text),
            Step::Accept => r.accept(&by, now, text),
            Step::Return => r.send_back(&by, now, text),
            Step::Comment => r.comment(&by, now, text),
        };
        done.map_err(|e| match e {
            isms_domain::request::RequestError::NoReason | isms_domain::request::RequestError::EmptyComment => {
                AppError::invalid_field("comment", e.to_string())
            }
            e => AppError::new(Code::WrongState, e.to_string()),
        })
    })
    .await
}
