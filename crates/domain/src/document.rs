//! Documented information (ISO/IEC 27001:2022 7.5): policies, procedures, standards,
//! plans and records, each with versions that move draft → in review → approved →
//! superseded. An approved version never changes; a change is a new version. Each
//! document has a review interval (12 months by default) counted from its last
//! approval, and may require people to acknowledge its current version.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::Role;
use crate::register::Entry;
use crate::review::{ReviewCycle, ReviewStatus, add_months};

/// What kind of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// What the organization intends (the information security policy, topic policies).
    Policy,
    /// How something is done, step by step.
    Procedure,
    /// Specific, measurable rules (password length, encryption algorithms).
    Standard,
    /// What will be done, by whom, by when (continuity, incident response plans).
    Plan,
    /// Evidence that something was done (training records, minutes).
    Record,
}

impl DocumentType {
    /// Parses `policy`, `procedure`, `standard`, `plan` or `record`.
    pub fn parse(text: &str) -> Result<DocumentType, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "policy" => Ok(DocumentType::Policy),
            "procedure" => Ok(DocumentType::Procedure),
            "standard" => Ok(DocumentType::Standard),
            "plan" => Ok(DocumentType::Plan),
            "record" => Ok(DocumentType::Record),
            _ => Err(format!("{text:?} is not policy, procedure, standard, plan or record")),
        }
    }
}

/// Where a version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    /// Being written; may change.
    Draft,
    /// Submitted for approval; no longer changes unless sent back.
    InReview,
    /// Approved: the version in force, never changed again.
    Approved,
    /// Replaced by a later approved version.
    Superseded,
}

/// The content of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    /// Written in isms, in Markdown (rendered with raw HTML disabled).
    Markdown {
        /// The text.
        text: String,
    },
    /// An uploaded file in the blob store.
    File {
        /// Its SHA-256.
        sha256: String,
        /// Bytes.
        size: u64,
        /// The name it was uploaded under.
        filename: String,
    },
}

/// Who approved a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Approval {
    /// The approver's e-mail.
    pub by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub at: OffsetDateTime,
    /// Why, or what changed.
    pub comment: String,
}

/// One version of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DocumentVersion {
    /// 1, 2, 3…
    pub number: u32,
    /// Where it stands.
    pub state: VersionState,
    /// Its content.
    pub body: Body,
    /// What this version changes.
    #[serde(default)]
    pub change_note: String,
    /// Who wrote it.
    pub author: String,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub created_at: OffsetDateTime,
    /// The approval, once approved.
    #[serde(default)]
    pub approval: Option<Approval>,
}

/// Who must acknowledge a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "audience", content = "role", rename_all = "snake_case")]
pub enum Audience {
    /// Every member of the organization.
    Everyone,
    /// The members holding one role.
    Role(Role),
}

impl Audience {
    /// Parses `everyone` (or `all`), a role (`isms_manager`, `control-owner`), or
    /// `none`/empty for nobody.
    pub fn parse(text: &str) -> Result<Option<Audience>, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "none" => Ok(None),
            "everyone" | "all" => Ok(Some(Audience::Everyone)),
            role => Role::parse(role)
                .map(|r| Some(Audience::Role(r)))
                .ok_or_else(|| format!("{text:?} is not everyone, none or a role")),
        }
    }
}

/// Someone's acknowledgement of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Acknowledgement {
    /// The version acknowledged.
    pub version: u32,
    /// Who (e-mail).
    pub by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub at: OffsetDateTime,
}

/// An acknowledgement stored on its own (not inside the document, so that hundreds of
/// people acknowledging a long policy do not each rewrite it in the audit trail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentAcknowledgement {
    /// `ACK-001`.
    #[serde(default)]
    pub id: String,
    /// The document.
    pub document: String,
    /// The version, who and when.
    #[serde(flatten)]
    pub ack: Acknowledgement,
}

impl Entry for DocumentAcknowledgement {
    const KIND: &'static str = "document_acknowledgement";
    const PREFIX: &'static str = "ACK";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        if self.ack.by.trim().is_empty() { vec![("by", "is required".to_owned())] } else { vec![] }
    }
}

/// A document and all its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Document {
    /// `DOC-001`.
    #[serde(default)]
    pub id: String,
    /// Its title.
    pub title: String,
    /// Policy, procedure, standard, plan or record.
    #[serde(rename = "type")]
    pub kind: DocumentType,
    /// The owner (e-mail).
    pub owner: String,
    /// Its classification (a level of the organization's scheme).
    pub classification: String,
    /// ISO/IEC 27001 clauses it satisfies (`5.2`, `6.1.2`).
    #[serde(default)]
    pub clauses: Vec<String>,
    /// Annex A controls it supports.
    #[serde(default)]
    pub controls: Vec<String>,
    /// Months between reviews.
    #[serde(default = "default_review_months")]
    pub review_months: u32,
    /// Who must acknowledge the version in force, if anyone.
    #[serde(default)]
    pub acknowledged_by: Option<Audience>,
    /// Every version, oldest first.
    pub versions: Vec<DocumentVersion>,
    /// Acknowledgements of any version (stored ones are kept apart, as
    /// [`DocumentAcknowledgement`]s, and merged in when a document is read).
    #[serde(default)]
    pub acknowledgements: Vec<Acknowledgement>,
    /// The last periodic review that found the version in force still right (no new
    /// version needed).
    #[serde(default, with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub reviewed_on: Option<Date>,
}

fn default_review_months() -> u32 {
    12
}

/// Why a change to a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Approved and superseded versions never change.
    #[error("version {0} is {1}: approved versions never change; start a new version")]
    Immutable(u32, &'static str),
    /// Only one version may be open (draft or in review) at a time.
    #[error("version {0} is still open; finish or change it instead of starting another")]
    OpenVersion(u32),
    /// The step does not apply to the version's state.
    #[error("version {number} is {state}; {wanted}")]
    WrongState {
        /// The version.
        number: u32,
        /// Its state.
        state: &'static str,
        /// What the step needs.
        wanted: &'static str,
    },
    /// There is no version to act on.
    #[error("the document has no open version")]
    NoOpenVersion,
    /// Reviewing or acknowledging needs an approved version.
    #[error("the document has no approved version yet")]
    NothingInForce,
}

impl VersionState {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            VersionState::Draft => "draft",
            VersionState::InReview => "in review",
            VersionState::Approved => "approved",
            VersionState::Superseded => "superseded",
        }
    }
}

/// Template placeholders left in a text: `[name]`, `[YYYY-MM-DD]`, `[Organization]` —
/// bracketed words that are not a Markdown link (`[text](url)`, `[text][ref]`), an
/// image, or a task-list box (`[ ]`, `[x]`). Each once, in order of appearance.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '['
            && (i == 0 || !matches!(chars[i - 1], '!' | ']' | '\\'))
            && let Some(len) = chars[i + 1..].iter().take(42).position(|c| matches!(c, ']' | '[' | '\n'))
        {
            let end = i + 1 + len;
            let inner: String = chars[i + 1..end].iter().collect();
            let closed = chars[end] == ']';
            let link = chars.get(end + 1).is_some_and(|c| matches!(c, '(' | '[' | ':'));
            let task = matches!(inner.trim(), "" | "x" | "X");
            if closed && !link && !task && inner.chars().any(char::is_alphabetic) {
                let p = format!("[{inner}]");
                if !found.contains(&p) {
                    found.push(p);
                }
            }
            i = end;
            continue;
        }
        i += 1;
    }
    found
}

impl Document {
    /// The version in force: the last approved one.
    pub fn in_force(&self) -> Option<&DocumentVersion> {
        self.versions.iter().rev().find(|v| v.state == VersionState::Approved)
    }

    /// The open version (draft or in review), if any.
    pub fn open_version(&self) -> Option<&DocumentVersion> {
        self.versions.iter().rev().find(|v| matches!(v.state, VersionState::Draft | VersionState::InReview))
    }

    fn open_mut(&mut self) -> Result<&mut DocumentVersion, DocumentError> {
        self.versions
            .iter_mut()
            .rev()
            .find(|v| matches!(v.state, VersionState::Draft | VersionState::InReview))
            .ok_or(DocumentError::NoOpenVersion)
    }

    /// Starts a new draft version.
    pub fn start_version(
        &mut self,
        body: Body,
        author: &str,
        at: OffsetDateTime,
        note: &str,
    ) -> Result<u32, DocumentError> {
        if let Some(open) = self.open_version() {
            return Err(DocumentError::OpenVersion(open.number));
        }
        let number = self.versions.last().map_or(1, |v| v.number + 1);
        self.versions.push(DocumentVersion {
            number,
            state: VersionState::Draft,
            body,
            change_note: note.trim().to_owned(),
            author: author.to_owned(),
            created_at: at,
            approval: None,
        });
        Ok(number)
    }

    /// Changes version `number`'s content: only while it is a draft.
    pub fn edit(&mut self, number: u32, body: Body, note: &str) -> Result<(), DocumentError> {
        let v = self.versions.iter_mut().find(|v| v.number == number).ok_or(DocumentError::NoOpenVersion)?;
        match v.state {
            VersionState::Draft => {
                v.body = body;
                v.change_note = note.trim().to_owned();
                Ok(())
            }
            VersionState::InReview => Err(DocumentError::WrongState {
                number,
                state: v.state.as_str(),
                wanted: "send it back to draft before changing it",
            }),
            state => Err(DocumentError::Immutable(number, state.as_str())),
        }
    }

    /// Submits the open draft for approval.
    pub fn submit(&mut self) -> Result<u32, DocumentError> {
        let v = self.open_mut()?;
        if v.state != VersionState::Draft {
            return Err(DocumentError::WrongState {
                number: v.number,
                state: v.state.as_str(),
                wanted: "only a draft is submitted",
            });
        }
        v.state = VersionState::InReview;
        Ok(v.number)
    }

    /// Sends the version in review back to draft.
    pub fn send_back(&mut self) -> Result<u32, DocumentError> {
        let v = self.open_mut()?;
        if v.state != VersionState::InReview {
            return Err(DocumentError::WrongState {
                number: v.number,
                state: v.state.as_str(),
                wanted: "only a version in review is sent back",
            });
        }
        v.state = VersionState::Draft;
        Ok(v.number)
    }

    /// Approves the version in review; the version in force until now is superseded.
    pub fn approve(&mut self, by: &str, at: OffsetDateTime, comment: &str) -> Result<u32, DocumentError> {
        let number = {
            let v = self.open_mut()?;
            if v.state != VersionState::InReview {
                return Err(DocumentError::WrongState {
                    number: v.number,
                    state: v.state.as_str(),
                    wanted: "submit it for review first",
                });
            }
            v.number
        };
        for v in &mut self.versions {
            if v.state == VersionState::Approved {
                v.state = VersionState::Superseded;
            }
            if v.number == number {
                v.state = VersionState::Approved;
                v.approval = Some(Approval { by: by.to_owned(), at, comment: comment.trim().to_owned() });
            }
        }
        Ok(number)
    }

    /// The review cycle's status on `today`: the review interval after the last
    /// approval or the last review that kept the version in force, whichever is later,
    /// shown as due 30 days ahead. `None` until a version is approved.
    pub fn review(&self, today: Date) -> Option<ReviewStatus> {
        let approved = self.in_force()?.approval.as_ref()?.at.date();
        let last = self.reviewed_on.map_or(approved, |r| r.max(approved));
        Some(ReviewCycle { interval_months: self.review_months, warn_days: 30 }.status(last, today))
    }

    /// When the next review is due.
    pub fn review_due(&self) -> Option<Date> {
        let approved = self.in_force()?.approval.as_ref()?.at.date();
        let last = self.reviewed_on.map_or(approved, |r| r.max(approved));
        Some(add_months(last, self.review_months))
    }

    /// Records a periodic review that keeps the version in force unchanged.
    pub fn reviewed(&mut self, on: Date) -> Result<(), DocumentError> {
        if self.in_force().is_none() {
            return Err(DocumentError::NothingInForce);
        }
        self.reviewed_on = Some(on);
        Ok(())
    }

    /// True when `email` acknowledged version `number`.
    pub fn acknowledged(&self, number: u32, email: &str) -> bool {
        self.acknowledgements.iter().any(|a| a.version == number && a.by.eq_ignore_ascii_case(email))
    }

    /// The people of `members` (e-mail, role) who still have to acknowledge the
    /// version in force.
    pub fn unacknowledged<'a>(&self, members: &'a [(String, Role)]) -> Vec<&'a str> {
        let (Some(audience), Some(v)) = (self.acknowledged_by, self.in_force()) else { return vec![] };
        members
            .iter()
            .filter(|(_, r)| audience == Audience::Everyone || audience == Audience::Role(*r))
            .filter(|(e, _)| !self.acknowledged(v.number, e))
            .map(|(e, _)| e.as_str())
            .collect()
    }
}

impl Entry for Document {
    const KIND: &'static str = "document";
    const PREFIX: &'static str = "DOC";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.title.trim().is_empty() {
            p.push(("title", "is required".to_owned()));
        }
        if self.owner.trim().is_empty() {
            p.push(("owner", "is required".to_owned()));
        }
        if !(1..=60).contains(&self.review_months) {
            p.push(("review_months", "must be between 1 and 60 months".to_owned()));
        }
        p
    }
}

/// Where a piece of mandatory documented information comes from in isms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A document linked to the clause.
    Document,
    /// A register isms keeps (the scope, objectives, the risk register, the SoA).
    Register,
    /// Records of audits, reviews and corrective actions.
    Records,
}

/// The documented information ISO/IEC 27001:2022 requires, by clause, in our words.
pub const MANDATORY: [(&str, &str, Source); 15] = [
    ("4.3", "Scope of the ISMS", Source::Register),
    ("5.2", "Information security policy", Source::Document),
    ("6.1.2", "Risk assessment process", Source::Document),
    ("6.1.3", "Risk treatment process", Source::Document),
    ("6.1.3 d", "Statement of Applicability", Source::Register),
    ("6.2", "Information security objectives", Source::Register),
    ("7.2", "Evidence of competence", Source::Records),
    ("7.5.1 b", "Documented information needed for effectiveness", Source::Register),
    ("8.1", "Operational planning and control", Source::Document),
    ("8.2", "Results of risk assessments", Source::Register),
    ("8.3", "Results of risk treatment", Source::Register),
    ("9.1", "Monitoring and measurement results", Source::Records),
    ("9.2.2", "Audit programme and audit results", Source::Records),
    ("9.3.3", "Results of management reviews", Source::Records),
    ("10.2", "Nonconformities and corrective actions", Source::Records),
];

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn doc() -> Document {
        Document {
            id: "DOC-001".into(),
            title: "Information security policy".into(),
            kind: DocumentType::Policy,
            owner: "ciso@acme.test".into(),
            classification: "Internal".into(),
            clauses: vec!["5.2".into()],
            controls: vec!["A.5.1".into()],
            review_months: 12,
            acknowledged_by: Some(Audience::Everyone),
            versions: vec![],
            acknowledgements: vec![],
            reviewed_on: None,
        }
    }

    fn md(t: &str) -> Body {
        Body::Markdown { text: t.into() }
    }

    #[test]
    fn a_version_moves_draft_review_approved_and_the_previous_one_is_superseded() {
        let mut d = doc();
        let at = datetime!(2026-01-15 9:00 UTC);
        assert_eq!(d.start_version(md("v1"), "a@acme.test", at, "first").unwrap(), 1);
        assert_eq!(d.start_version(md("again"), "a@acme.test", at, ""), Err(DocumentError::OpenVersion(1)));
        assert!(matches!(d.approve("ciso@acme.test", at, "ok"), Err(DocumentError::WrongState { .. })));
        d.submit().unwrap();
        assert!(matches!(d.edit(1, md("sneaky"), ""), Err(DocumentError::WrongState { .. })), "in review: no edits");
        d.approve("ciso@acme.test", at, "ok").unwrap();
        assert_eq!(d.in_force().map(|v| v.number), Some(1));
        assert_eq!(d.review_due(), Some(time::macros::date!(2027 - 01 - 15)));

        d.start_version(md("v2"), "a@acme.test", at, "tightened").unwrap();
        d.edit(2, md("v2, fixed"), "tightened").unwrap();
        d.submit().unwrap();
        d.send_back().unwrap();
        d.submit().unwrap();
        d.approve("ciso@acme.test", datetime!(2026-06-01 9:00 UTC), "v2").unwrap();
        let states: Vec<_> = d.versions.iter().map(|v| v.state).collect();
        assert_eq!(states, [VersionState::Superseded, VersionState::Approved]);
    }

    #[test]
    fn approved_and_superseded_versions_never_change() {
        let mut d = doc();
        let at = datetime!(2026-01-15 9:00 UTC);
        d.start_version(md("v1"), "a", at, "").unwrap();
        d.submit().unwrap();
        d.approve("b", at, "").unwrap();
        assert_eq!(d.edit(1, md("changed"), ""), Err(DocumentError::Immutable(1, "approved")));
        d.start_version(md("v2"), "a", at, "").unwrap();
        d.submit().unwrap();
        d.approve("b", at, "").unwrap();
        assert_eq!(d.edit(1, md("changed"), ""), Err(DocumentError::Immutable(1, "superseded")));
        assert_eq!(d.versions[0].body, md("v1"));
    }

    #[test]
    fn acknowledgements_count_for_the_version_in_force_only() {
        let mut d = doc();
        let at = datetime!(2026-01-15 9:00 UTC);
        d.start_version(md("v1"), "a", at, "").unwrap();
        d.submit().unwrap();
        d.approve("b", at, "").unwrap();
        let members = vec![("x@acme.test".to_owned(), Role::Viewer), ("y@acme.test".to_owned(), Role::Auditor)];
        d.acknowledgements.push(Acknowledgement { version: 1, by: "X@acme.test".into(), at });
        assert_eq!(d.unacknowledged(&members), ["y@acme.test"]);
        d.start_version(md("v2"), "a", at, "").unwrap();
        d.submit().unwrap();
        d.approve("b", at, "").unwrap();
        assert_eq!(
            d.unacknowledged(&members),
            ["x@acme.test", "y@acme.test"],
            "a new version needs new acknowledgements"
        );
        d.acknowledged_by = Some(Audience::Role(Role::Auditor));
        assert_eq!(d.unacknowledged(&members), ["y@acme.test"]);
    }

    #[test]
    fn a_review_that_keeps_the_version_moves_the_next_review_on() {
        use time::macros::date;
        let mut d = doc();
        assert_eq!(d.reviewed(date!(2026 - 02 - 01)), Err(DocumentError::NothingInForce));
        let at = datetime!(2026-01-15 9:00 UTC);
        d.start_version(md("v1"), "a", at, "").unwrap();
        d.submit().unwrap();
        d.approve("b", at, "").unwrap();
        assert_eq!(d.review(date!(2026 - 12 - 01)), Some(ReviewStatus::Current { due: date!(2027 - 01 - 15) }));
        assert_eq!(d.review(date!(2026 - 12 - 20)), Some(ReviewStatus::Due { due: date!(2027 - 01 - 15) }));
        assert_eq!(
            d.review(date!(2027 - 01 - 25)),
            Some(ReviewStatus::Overdue { due: date!(2027 - 01 - 15), days: 10 })
        );
        d.reviewed(date!(2027 - 01 - 25)).unwrap();
        assert_eq!(d.review_due(), Some(date!(2028 - 01 - 25)));
        assert_eq!(d.review(date!(2027 - 01 - 26)), Some(ReviewStatus::Current { due: date!(2028 - 01 - 25) }));
        d.review_months = 6;
        assert_eq!(d.review_due(), Some(date!(2027 - 07 - 25)), "the interval counts from the last review");
    }
}

#[cfg(test)]
mod placeholder_tests {
    #[test]
    fn placeholders_are_bracketed_words_but_not_links_images_or_task_boxes() {
        let text = "Owner: [name], approved [YYYY-MM-DD] by [name].\n\
            See [the policy](https://x.example) and ![logo](l.png), [ref][1], [1]: https://y.example\n\
            - [ ] open task\n- [x] done\n[Organization] keeps [a \n broken one";
        assert_eq!(super::placeholders(text), ["[name]", "[YYYY-MM-DD]", "[Organization]"]);
        assert!(super::placeholders("No placeholders here.").is_empty());
    }
}
