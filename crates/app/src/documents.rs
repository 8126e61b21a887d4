//! Documented information use cases: create a document with its first draft, start,
//! edit, submit and approve versions, acknowledge the version in force, and the
//! checklist of mandatory documented information. Every change goes through the
//! domain's rules (an approved version never changes) and lands in the audit trail
//! with the document before and after.

use isms_domain::access::UseCase;
use isms_domain::document::{
    Acknowledgement, Audience, Body, Document, DocumentAcknowledgement, DocumentError, DocumentType, MANDATORY, Source,
};
use isms_domain::register::Entry;
use isms_domain::register::{Objective, Scope};
use isms_domain::risk::Risk;
use isms_domain::trail::TrailActor;
use isms_domain::{Email, OrgId};
use serde::Serialize;

use crate::access::Actor;
use crate::{AppError, AppResult, Code, Cx, registers};

fn refused(e: &DocumentError) -> AppError {
    let code = match e {
        DocumentError::Immutable(..) => Code::VersionImmutable,
        DocumentError::OpenVersion(_) => Code::VersionOpen,
        DocumentError::WrongState { .. } => Code::WrongState,
        DocumentError::NoOpenVersion => Code::NoOpenVersion,
        DocumentError::NothingInForce => Code::NoVersionInForce,
    };
    AppError::new(code, e.to_string())
}

/// A new document.
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// Its title.
    pub title: String,
    /// Policy, procedure, standard, plan or record.
    pub kind: DocumentType,
    /// The owner (e-mail).
    pub owner: String,
    /// A level of the classification scheme.
    pub classification: String,
    /// Clauses it satisfies.
    pub clauses: Vec<String>,
    /// Controls it supports.
    pub controls: Vec<String>,
    /// Months between reviews.
    pub review_months: u32,
    /// Who must acknowledge it.
    pub acknowledged_by: Option<Audience>,
    /// The first draft.
    pub body: Body,
}

/// Creates a document with version 1 as a draft, drafted by the actor. A control
/// owner creates only documents they own themselves.
pub async fn create_document(cx: &Cx, actor: &Actor, new: NewDocument) -> AppResult<Document> {
    if let Some(me) = actor.narrowed(cx, UseCase::EditDocuments).await?
        && !new.owner.trim().eq_ignore_ascii_case(me.as_str())
    {
        return Err(forbidden("a control owner creates only documents they own themselves"));
    }
    let by = &actor.who(cx).await?;
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    let mut doc = Document {
        id: String::new(),
        title: new.title.trim().to_owned(),
        kind: new.kind,
        owner: new.owner.trim().to_lowercase(),
        classification: new.classification,
        clauses: new.clauses.iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect(),
        controls: new
            .controls
            .iter()
            .filter(|c| !c.trim().is_empty())
            .map(|c| crate::controls::normalize_control_id(c))
            .collect(),
        review_months: new.review_months,
        acknowledged_by: new.acknowledged_by,
        versions: vec![],
        acknowledgements: vec![],
        reviewed_on: None,
    };
    doc.start_version(new.body, by, cx.clock.now(), "first draft").map_err(|e| refused(&e))?;
    registers::create(cx, actor, org, doc).await
}

/// Every document, by id, with its acknowledgements.
pub async fn list_documents(cx: &Cx, actor: &Actor) -> AppResult<Vec<Document>> {
    actor.require(UseCase::ReadIsms)?;
    documents_of(cx, actor.org()).await
}

/// [`list_documents`] for the app's own use inside a checked use case.
pub(crate) async fn documents_of(cx: &Cx, org: OrgId) -> AppResult<Vec<Document>> {
    let mut docs = registers::list::<Document>(cx, org).await?;
    merge_acknowledgements(cx, org, &mut docs).await?;
    Ok(docs)
}

/// One document, with its acknowledgements.
pub async fn document(cx: &Cx, actor: &Actor, id: &str) -> AppResult<Document> {
    actor.require(UseCase::ReadIsms)?;
    document_of(cx, actor.org(), id).await
}

async fn document_of(cx: &Cx, org: OrgId, id: &str) -> AppResult<Document> {
    let mut docs = [registers::get::<Document>(cx, org, id).await?];
    merge_acknowledgements(cx, org, &mut docs).await?;
    let [doc] = docs;
    Ok(doc)
}

/// Adds the acknowledgements stored on their own to the documents they belong to.
async fn merge_acknowledgements(cx: &Cx, org: OrgId, docs: &mut [Document]) -> AppResult<()> {
    let acks = registers::list::<DocumentAcknowledgement>(cx, org).await?;
    for a in acks {
        if let Some(d) = docs.iter_mut().find(|d| d.id == a.document)
            && !d.acknowledged(a.ack.version, &a.ack.by)
        {
            d.acknowledgements.push(a.ack);
        }
    }
    Ok(())
}

/// One change to a document.
#[derive(Debug, Clone)]
pub enum Step {
    /// Change its description.
    Describe(DocumentPatch),
    /// Start a new draft version (refused while another version is open).
    StartVersion {
        /// Its content.
        body: Body,
        /// What it changes.
        note: String,
    },
    /// Change a draft's content (refused for versions in review, approved or
    /// superseded: approved versions never change).
    EditVersion {
        /// The version.
        number: u32,
        /// The new content.
        body: Body,
        /// What it changes.
        note: String,
    },
    /// Submit the open draft for approval.
    Submit,
    /// Send the version in review back to draft.
    SendBack,
    /// Approve the version in review.
    Approve {
        /// Why, or what changed.
        comment: String,
    },
    /// Record a periodic review that keeps the version in force.
    Review,
}

impl Step {
    /// The trail's and error messages' name for the step.
    pub fn name(&self) -> &'static str {
        match self {
            Step::Describe(_) => "describe",
            Step::StartVersion { .. } => "start a version",
            Step::EditVersion { .. } => "edit a draft",
            Step::Submit => "submit",
            Step::SendBack => "send back",
            Step::Approve { .. } => "approve",
            Step::Review => "record a review",
        }
    }
}

/// Applies `step` as `by` (an e-mail, or the command that acted), reading and writing
/// the document in one transaction: an edit decided on a draft cannot land after a
/// concurrent approval made that version immutable. With `only_owner`, the document
/// must be owned by that e-mail (a control owner's narrowed grant), checked in the
/// same transaction.
pub(crate) async fn apply(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    by: &str,
    step: Step,
    only_owner: Option<&str>,
) -> AppResult<Document> {
    let at = cx.clock.now();
    let doc = registers::update(cx, actor, org, id, |d: &mut Document| {
        if let Some(me) = only_owner
            && !d.owner.eq_ignore_ascii_case(me)
        {
            return Err(AppError::new(
                Code::Forbidden,
                format!("{id} is owned by {}; a control owner may only change documents they own", d.owner),
            ));
        }
        let done = match step {
            Step::Describe(patch) => {
                describe(d, patch);
                Ok(())
            }
            Step::StartVersion { body, note } => d.start_version(body, by, at, &note).map(|_| ()),
            Step::EditVersion { number, body, note } => d.edit(number, body, &note),
            Step::Submit => d.submit().map(|_| ()),
            Step::SendBack => d.send_back().map(|_| ()),
            Step::Approve { comment } => d.approve(by, at, &comment).map(|_| ()),
            Step::Review => d.reviewed(at.date()),
        };
        done.map_err(|e| refused(&e))
    })
    .await?;
    let mut docs = [doc];
    merge_acknowledgements(cx, org, &mut docs).await?;
    let [doc] = docs;
    Ok(doc)
}

/// A change to a document's description (not its content: that is versioned).
#[derive(Debug, Clone, Default)]
pub struct DocumentPatch {
    /// A new title.
    pub title: Option<String>,
    /// A new type.
    pub kind: Option<DocumentType>,
    /// A new owner (e-mail).
    pub owner: Option<String>,
    /// A new classification.
    pub classification: Option<String>,
    /// The clauses it satisfies, replacing the list.
    pub clauses: Option<Vec<String>>,
    /// The controls it supports, replacing the list.
    pub controls: Option<Vec<String>>,
    /// Months between reviews.
    pub review_months: Option<u32>,
    /// Who must acknowledge it from now on (`Some(None)`: nobody).
    pub acknowledged_by: Option<Option<Audience>>,
}

fn describe(d: &mut Document, patch: DocumentPatch) {
    if let Some(t) = patch.title {
        d.title = t.trim().to_owned();
    }
    if let Some(k) = patch.kind {
        d.kind = k;
    }
    if let Some(o) = patch.owner {
        d.owner = o.trim().to_lowercase();
    }
    if let Some(c) = patch.classification {
        d.classification = c.trim().to_owned();
    }
    if let Some(c) = patch.clauses {
        d.clauses = c.iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
    }
    if let Some(c) = patch.controls {
        d.controls =
            c.iter().filter(|c| !c.trim().is_empty()).map(|c| crate::controls::normalize_control_id(c)).collect();
    }
    if let Some(m) = patch.review_months {
        d.review_months = m;
    }
    if let Some(a) = patch.acknowledged_by {
        d.acknowledged_by = a;
    }
}

/// Streams an uploaded file into the blob store (identical content is stored once)
/// and returns it as a version body for a [`Step`]; refused before reading a byte when
/// the actor may not edit documents.
pub async fn upload_body(
    cx: &Cx,
    actor: &Actor,
    filename: &str,
    data: &mut (dyn tokio::io::AsyncRead + Unpin + Send),
) -> AppResult<Body> {
    actor.require(UseCase::EditDocuments)?;
    let blob = cx.blobs.put(data, cx.max_upload).await.map_err(crate::files::blob_error)?;
    Ok(Body::File { sha256: blob.sha256, size: blob.size, filename: crate::files::base_name(filename) })
}

/// A version's uploaded file as a stream, with its name.
pub async fn open_version_file(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    number: u32,
) -> AppResult<(String, isms_store::BlobReader, u64)> {
    actor.require(UseCase::ReadIsms)?;
    let doc = document_of(cx, actor.org(), id).await?;
    let v = doc
        .versions
        .iter()
        .find(|v| v.number == number)
        .ok_or_else(|| AppError::new(Code::NotFound, format!("{id} has no version {number}")))?;
    let Body::File { sha256, filename, .. } = &v.body else {
        return Err(AppError::new(
            Code::NotAFile,
            format!("version {number} of {id} is written in isms, not an uploaded file"),
        ));
    };
    let (reader, size) = cx.blobs.open(sha256).await.map_err(crate::files::blob_error)?;
    Ok((filename.clone(), reader, size))
}

/// Submits the open draft for approval.
#[cfg(test)]
pub(crate) async fn submit(cx: &Cx, actor: &TrailActor, org: OrgId, id: &str) -> AppResult<Document> {
    apply(cx, actor, org, id, "", Step::Submit, None).await
}

/// Approves the version in review as `by`.
#[cfg(test)]
pub(crate) async fn approve(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    by: &str,
    comment: &str,
) -> AppResult<Document> {
    apply(cx, actor, org, id, by, Step::Approve { comment: comment.to_owned() }, None).await
}

/// Records that `by` acknowledged the version in force (once per version). The
/// acknowledgement is an entry of its own; the document is not rewritten.
pub(crate) async fn acknowledge(cx: &Cx, actor: &TrailActor, org: OrgId, id: &str, by: &str) -> AppResult<Document> {
    let at = cx.clock.now();
    let mut tx = cx.store.write().await?;
    tx.lock_organization(org).await?;
    let json = tx
        .entry(org, Document::KIND, id)
        .await?
        .ok_or_else(|| AppError::new(Code::NotFound, format!("there is no document {id}")))?;
    let doc: Document =
        serde_json::from_str(&json).map_err(|e| AppError::new(Code::CorruptData, format!("document {id}: {e}")))?;
    let version = doc.in_force().map(|v| v.number).ok_or_else(|| refused(&DocumentError::NothingInForce))?;
    let mut already = doc.acknowledged(version, by);
    for (_, stored) in tx.entries(org, DocumentAcknowledgement::KIND).await? {
        if let Ok(a) = serde_json::from_str::<DocumentAcknowledgement>(&stored) {
            already |= a.document == id && a.ack.version == version && a.ack.by.eq_ignore_ascii_case(by);
        }
    }
    if !already {
        let mut entry = DocumentAcknowledgement {
            id: String::new(),
            document: id.to_owned(),
            ack: Acknowledgement { version, by: by.trim().to_lowercase(), at },
        };
        registers::create_in(&mut *tx, cx, actor, org, &mut entry).await?;
    }
    tx.commit().await?;
    document_of(cx, org, id).await
}

/// Who must acknowledge a document's version in force, and who has.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Acknowledgements {
    /// The version in force, if any.
    pub version: Option<u32>,
    /// Who must acknowledge it.
    pub audience: Option<Audience>,
    /// Who has (e-mail and when).
    pub done: Vec<Acknowledgement>,
    /// Who has not yet.
    pub pending: Vec<String>,
}

/// The organization's members whose accounts are enabled, with their roles.
async fn active_members(cx: &Cx, org: OrgId) -> AppResult<Vec<(String, isms_domain::Role)>> {
    Ok(crate::users::members_of(cx, org)
        .await?
        .into_iter()
        .filter(|m| !m.disabled)
        .map(|m| (m.email.as_str().to_owned(), m.role))
        .collect())
}

/// Acknowledgement status of a document against the organization's members.
pub async fn acknowledgements(cx: &Cx, actor: &Actor, id: &str) -> AppResult<Acknowledgements> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let doc = document_of(cx, org, id).await?;
    let members = active_members(cx, org).await?;
    let version = doc.in_force().map(|v| v.number);
    let done = doc.acknowledgements.iter().filter(|a| Some(a.version) == version).cloned().collect();
    let pending = doc.unacknowledged(&members).into_iter().map(str::to_owned).collect();
    Ok(Acknowledgements { version, audience: doc.acknowledged_by, done, pending })
}

/// The documents the acting member still has to acknowledge.
pub async fn my_acknowledgements(cx: &Cx, actor: &Actor) -> AppResult<Vec<Document>> {
    actor.require(UseCase::ReadIsms)?;
    let Some(role) = actor.role() else { return Ok(Vec::new()) };
    let me = [(actor.email(cx).await?.to_string(), role)];
    Ok(documents_of(cx, actor.org()).await?.into_iter().filter(|d| !d.unacknowledged(&me).is_empty()).collect())
}

/// One line of the mandatory documented information checklist.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MandatoryItem {
    /// The clause.
    pub clause: &'static str,
    /// What is required, in our words.
    pub title: &'static str,
    /// Where isms finds it.
    pub source: Source,
    /// True when something satisfies it.
    pub satisfied: bool,
    /// What satisfies it (document ids with their version in force, or the register).
    pub by: Vec<String>,
    /// What is missing, when not satisfied.
    pub missing: Option<String>,
}

/// The mandatory documented information of ISO/IEC 27001:2022 and what satisfies each
/// item: approved documents linked to the clause, or the registers isms keeps.
/// Records of audits (9.2), management reviews (9.3) and nonconformities (10.2) are
/// the ones isms keeps; an approved document linked to the clause also satisfies them.
pub async fn mandatory_checklist(cx: &Cx, actor: &Actor) -> AppResult<Vec<MandatoryItem>> {
    actor.require(UseCase::ReadIsms)?;
    mandatory_of(cx, actor.org()).await
}

/// [`mandatory_checklist`] for the app's own use inside a checked use case.
pub(crate) async fn mandatory_of(cx: &Cx, org: OrgId) -> AppResult<Vec<MandatoryItem>> {
    let docs = documents_of(cx, org).await?;
    let scope = registers::list::<Scope>(cx, org).await?;
    let objectives = registers::list::<Objective>(cx, org).await?;
    let risks = registers::list::<Risk>(cx, org).await?;
    let soa = cx.store.read().await?.soa_versions(org).await?;
    let audits = registers::list::<isms_domain::audit::Audit>(cx, org).await?;
    let internal_done = audits.iter().any(|a| {
        a.kind == isms_domain::audit::AuditKind::Internal && a.status == isms_domain::audit::AuditStatus::Completed
    });
    let any_done = audits.iter().any(|a| a.status == isms_domain::audit::AuditStatus::Completed);
    let reviews = registers::list::<isms_domain::audit::ManagementReview>(cx, org).await?;
    let findings = registers::list::<isms_domain::audit::Finding>(cx, org).await?;
    let today = cx.clock.today();
    let current_evidence = registers::list::<isms_domain::evidence::Evidence>(cx, org)
        .await?
        .iter()
        .any(|e| e.freshness(today) == isms_domain::evidence::Freshness::Current);
    let mut out = Vec::new();
    for (clause, title, source) in MANDATORY {
        let approved: Vec<String> = docs
            .iter()
            // "6.1.3 d" (the SoA) is a register; a document linked to 6.1.3 is the
            // treatment process, not the SoA: only documents-sourced items take a
            // parent clause.
            .filter(|d| {
                d.clauses
                    .iter()
                    .any(|c| c == clause || (source != Source::Register && clause.starts_with(&format!("{c} "))))
            })
            .filter_map(|d| d.in_force().map(|v| format!("{} v{}", d.id, v.number)))
            .collect();
        let (register_ok, register_name, register_missing) = match clause {
            "4.3" => (!scope.is_empty(), "the scope", "define the scope"),
            "6.1.3 d" => (!soa.is_empty(), "the approved SoA", "approve the Statement of Applicability"),
            "6.2" => (!objectives.is_empty(), "the objectives register", "set measurable objectives"),
            "8.2" => (!risks.is_empty(), "the risk register", "assess risks"),
            "8.3" => (
                risks.iter().any(|r| !r.actions.is_empty() || !r.controls.is_empty()),
                "the treatment plan",
                "plan risk treatment",
            ),
            "9.1" => (current_evidence, "current evidence of controls in operation", ""),
            "9.2" => (internal_done, "the audit programme and its completed internal audits", ""),
            "9.3" => (!reviews.is_empty(), "the management review records", ""),
            "10.2" => (!findings.is_empty() || any_done, "the nonconformity register", ""),
            _ => (false, "", ""),
        };
        let mut by = approved;
        if register_ok {
            by.push(register_name.to_owned());
        }
        let satisfied = !by.is_empty();
        let missing = (!satisfied).then(|| match (source, clause) {
            (_, "9.1") => "collect current evidence, or approve a document linked to 9.1 (a metrics report)".to_owned(),
            (_, "9.2") => "complete an internal audit in isms, or approve a document linked to 9.2".to_owned(),
            (_, "9.3") => "record a management review in isms, or approve a document linked to 9.3".to_owned(),
            (_, "10.2") => {
                "complete an audit (its findings form the register), or approve a document linked to 10.2".to_owned()
            }
            (Source::Register, _) => format!("{register_missing} in isms"),
            _ => format!("approve a document linked to clause {clause}"),
        });
        out.push(MandatoryItem { clause, title, source, satisfied, by, missing });
    }
    Ok(out)
}

/// A line of the document register.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DocumentSummary {
    /// `DOC-001`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: DocumentType,
    /// The owner's e-mail.
    pub owner: String,
    /// Its classification.
    pub classification: String,
    /// Clauses it satisfies.
    pub clauses: Vec<String>,
    /// Controls it supports.
    pub controls: Vec<String>,
    /// The version in force.
    pub in_force: Option<u32>,
    /// When the version in force was approved.
    #[serde(with = "isms_domain::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub approved_on: Option<time::Date>,
    /// The open version (draft or in review) and its state.
    pub open_version: Option<u32>,
    /// `draft` or `in review`.
    pub open_state: Option<&'static str>,
    /// When the next review is due.
    #[serde(with = "isms_domain::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub review_due: Option<time::Date>,
    /// `not approved`, `current`, `due soon` (within 30 days) or `overdue`.
    pub review_status: &'static str,
    /// Members who still have to acknowledge the version in force.
    pub pending_acknowledgements: usize,
}

/// A review status in words: `not approved`, `current`, `due soon` or `overdue`.
pub fn review_word(status: Option<isms_domain::review::ReviewStatus>) -> &'static str {
    use isms_domain::review::ReviewStatus as S;
    match status {
        None => "not approved",
        Some(S::Current { .. }) => "current",
        Some(S::Due { .. }) => "due soon",
        Some(S::Overdue { .. }) => "overdue",
    }
}

/// The document register: every document with where it stands.
pub async fn summaries(cx: &Cx, actor: &Actor) -> AppResult<Vec<DocumentSummary>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let today = cx.clock.today();
    let members = active_members(cx, org).await?;
    Ok(documents_of(cx, org)
        .await?
        .into_iter()
        .map(|d| {
            let due = d.review_due();
            let open = d.open_version();
            DocumentSummary {
                in_force: d.in_force().map(|v| v.number),
                approved_on: d.in_force().and_then(|v| v.approval.as_ref()).map(|a| a.at.date()),
                open_version: open.map(|v| v.number),
                open_state: open.map(|v| v.state.as_str()),
                review_due: due,
                review_status: review_word(d.review(today)),
                pending_acknowledgements: d.unacknowledged(&members).len(),
                id: d.id,
                title: d.title,
                kind: d.kind,
                owner: d.owner,
                classification: d.classification,
                clauses: d.clauses,
                controls: d.controls,
            }
        })
        .collect())
}

fn forbidden(message: impl Into<String>) -> AppError {
    AppError::new(Code::Forbidden, message)
}

/// Applies one step to a document as the actor: approving needs the approval right;
/// everything else the edit right (a control owner: on documents they own, and they
/// cannot hand them on). Read and written in one transaction (see [`apply`]).
pub async fn change_document(cx: &Cx, actor: &Actor, id: &str, step: Step) -> AppResult<Document> {
    let only_owner = match &step {
        Step::Approve { .. } => {
            actor.require(UseCase::ApproveDocuments)?;
            None
        }
        Step::Describe(p) => match actor.narrowed(cx, UseCase::EditDocuments).await? {
            Some(_) if p.owner.is_some() => {
                return Err(forbidden("a control owner cannot hand a document on; ask the ISMS manager"));
            }
            me => me,
        },
        _ => actor.narrowed(cx, UseCase::EditDocuments).await?,
    };
    let by = actor.who(cx).await?;
    let only = only_owner.as_ref().map(Email::as_str);
    apply(cx, &actor.trail(), actor.org(), id, &by, step, only).await
}

/// Acknowledges a document's version in force as the acting member (every member
/// may).
pub async fn acknowledge_document(cx: &Cx, actor: &Actor, id: &str) -> AppResult<Document> {
    actor.require(UseCase::ReadIsms)?;
    let me = actor.email(cx).await?;
    acknowledge(cx, &actor.trail(), actor.org(), id, me.as_str()).await
}

/// Refuses, before an upload is read, an actor who may not edit this document (a
/// control owner: documents they own). The step itself checks again in its
/// transaction.
pub async fn check_document_editable(cx: &Cx, actor: &Actor, id: &str) -> AppResult<()> {
    let me = actor.narrowed(cx, UseCase::EditDocuments).await?;
    let doc = document_of(cx, actor.org(), id).await?;
    if let Some(me) = me
        && !doc.owner.eq_ignore_ascii_case(me.as_str())
    {
        return Err(forbidden(format!(
            "{id} is owned by {}; a control owner may only change documents they own",
            doc.owner
        )));
    }
    Ok(())
}
