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

mod acknowledgements;
mod checklist;
mod register;
mod workflow;

pub use acknowledgements::*;
pub use checklist::*;
pub use register::*;
pub use workflow::*;

pub(super) fn refused(e: &DocumentError) -> AppError {
    let code = match e {
        DocumentError::Immutable(..) => Code::VersionImmutable,
        DocumentError::OpenVersion(_) => Code::VersionOpen,
        DocumentError::WrongState { .. } => Code::WrongState,
        DocumentError::NoOpenVersion => Code::NoOpenVersion,
        DocumentError::NothingInForce => Code::NoVersionInForce,
    };
    AppError::new(code, e.to_string())
}

pub(super) fn forbidden(message: impl Into<String>) -> AppError {
    AppError::new(Code::Forbidden, message)
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
