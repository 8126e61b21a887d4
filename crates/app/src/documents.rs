//! Documented information use cases: create a document with its first draft, start,
//! edit, submit and approve versions, acknowledge the version in force, and the
//! checklist of mandatory documented information. Every change goes through the
//! domain's rules (an approved version never changes) and lands in the audit trail
//! with the document before and after.

use isms_domain::OrgId;
use isms_domain::document::{
    Acknowledgement, Audience, Body, Document, DocumentError, DocumentType, MANDATORY, Source,
};
use isms_domain::register::{Objective, Scope};
use isms_domain::risk::Risk;
use isms_domain::trail::TrailActor;
use serde::Serialize;

use crate::{AppError, AppResult, Cx, ErrorKind, registers};

fn refused(e: &DocumentError) -> AppError {
    let code = match e {
        DocumentError::Immutable(..) => "version_immutable",
        DocumentError::OpenVersion(_) => "version_open",
        DocumentError::WrongState { .. } => "wrong_state",
        DocumentError::NoOpenVersion => "no_open_version",
    };
    AppError::new(ErrorKind::Conflict, code, e.to_string())
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

/// Creates a document with version 1 as a draft.
pub async fn create_document(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    by: &str,
    new: NewDocument,
) -> AppResult<Document> {
    let mut doc = Document {
        id: String::new(),
        title: new.title.trim().to_owned(),
        kind: new.kind,
        owner: new.owner.trim().to_lowercase(),
        classification: new.classification,
        clauses: new.clauses,
        controls: new.controls.iter().map(|c| crate::controls::normalize_control_id(c)).collect(),
        review_months: new.review_months,
        acknowledged_by: new.acknowledged_by,
        versions: vec![],
        acknowledgements: vec![],
    };
    doc.start_version(new.body, by, cx.clock.now(), "first draft").map_err(|e| refused(&e))?;
    registers::create(cx, actor, org, doc).await
}

/// Every document, by id.
pub async fn list_documents(cx: &Cx, org: OrgId) -> AppResult<Vec<Document>> {
    registers::list::<Document>(cx, org).await
}

/// One document.
pub async fn document(cx: &Cx, org: OrgId, id: &str) -> AppResult<Document> {
    registers::get::<Document>(cx, org, id).await
}

/// Applies one of the domain's steps to a document and stores the result.
async fn change(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    step: impl FnOnce(&mut Document) -> Result<(), DocumentError>,
) -> AppResult<Document> {
    let mut doc = document(cx, org, id).await?;
    step(&mut doc).map_err(|e| refused(&e))?;
    registers::replace(cx, actor, org, id, doc).await
}

/// Starts a new draft version (refused while another version is open).
pub async fn start_version(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    by: &str,
    body: Body,
    note: &str,
) -> AppResult<Document> {
    let at = cx.clock.now();
    change(cx, actor, org, id, |d| d.start_version(body, by, at, note).map(|_| ())).await
}

/// Changes a draft version's content (refused for versions in review, approved or
/// superseded).
pub async fn edit_version(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    number: u32,
    body: Body,
    note: &str,
) -> AppResult<Document> {
    change(cx, actor, org, id, |d| d.edit(number, body, note)).await
}

/// Submits the open draft for approval.
pub async fn submit(cx: &Cx, actor: &TrailActor, org: OrgId, id: &str) -> AppResult<Document> {
    change(cx, actor, org, id, |d| d.submit().map(|_| ())).await
}

/// Approves the version in review as `by`.
pub async fn approve(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    by: &str,
    comment: &str,
) -> AppResult<Document> {
    let at = cx.clock.now();
    change(cx, actor, org, id, |d| d.approve(by, at, comment).map(|_| ())).await
}

/// Records that `by` acknowledged the version in force.
pub async fn acknowledge(cx: &Cx, actor: &TrailActor, org: OrgId, id: &str, by: &str) -> AppResult<Document> {
    let at = cx.clock.now();
    let mut doc = document(cx, org, id).await?;
    let Some(version) = doc.in_force().map(|v| v.number) else {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "no_version_in_force",
            format!("{id} has no approved version to acknowledge"),
        ));
    };
    if doc.acknowledgements.iter().any(|a| a.version == version && a.by.eq_ignore_ascii_case(by)) {
        return Ok(doc);
    }
    doc.acknowledgements.push(Acknowledgement { version, by: by.to_owned(), at });
    registers::replace(cx, actor, org, id, doc).await
}

/// One line of the mandatory documented information checklist.
#[derive(Debug, Clone, Serialize)]
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
/// Records of audits, reviews and corrective actions arrive with the audits work; until
/// then an approved document linked to the clause satisfies them.
pub async fn mandatory_checklist(cx: &Cx, org: OrgId) -> AppResult<Vec<MandatoryItem>> {
    let docs = list_documents(cx, org).await?;
    let scope = registers::list::<Scope>(cx, org).await?;
    let objectives = registers::list::<Objective>(cx, org).await?;
    let risks = registers::list::<Risk>(cx, org).await?;
    let soa = crate::soa::soa_versions(cx, org).await?;
    let mut out = Vec::new();
    for (clause, title, source) in MANDATORY {
        let approved: Vec<String> = docs
            .iter()
            .filter(|d| d.clauses.iter().any(|c| c == clause || clause.starts_with(&format!("{c} "))))
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
            _ => (false, "", ""),
        };
        let mut by = approved;
        if register_ok {
            by.push(register_name.to_owned());
        }
        let satisfied = !by.is_empty();
        let missing = (!satisfied).then(|| match source {
            Source::Register => format!("{register_missing} in isms"),
            _ => format!("approve a document linked to clause {clause}"),
        });
        out.push(MandatoryItem { clause, title, source, satisfied, by, missing });
    }
    Ok(out)
}
