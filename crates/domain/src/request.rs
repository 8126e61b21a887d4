//! Evidence requests (the "provided by client" list): what an auditor asks the
//! organization to show for an audit. A request is written by the auditor (or imported
//! from the certification body's list), assigned to someone in the team, answered with
//! evidence items and document versions, and accepted by the auditor or returned with
//! a comment. Every step is a comment on the request's thread, so the thread is also
//! its history.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::register::Entry;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Asked, not answered yet.
    Open,
    /// The team has answered; the auditor has not decided.
    Submitted,
    /// The auditor is satisfied.
    Accepted,
    /// The auditor sent it back with a comment; the team answers again.
    Returned,
}

impl RequestStatus {
    /// Every status.
    pub const ALL: [RequestStatus; 4] =
        [RequestStatus::Open, RequestStatus::Submitted, RequestStatus::Accepted, RequestStatus::Returned];

    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Submitted => "submitted",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Returned => "returned",
        }
    }

    /// Parses a written name.
    pub fn parse(s: &str) -> Option<RequestStatus> {
        let s = s.trim().to_ascii_lowercase();
        RequestStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// True while the team owes an answer (open or returned).
    pub fn with_team(self) -> bool {
        matches!(self, RequestStatus::Open | RequestStatus::Returned)
    }
}

/// One message on a request's thread; a status change is a message too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RequestComment {
    /// Who wrote it (e-mail, or the command that acted).
    pub by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub at: OffsetDateTime,
    /// What they wrote (may be empty for a bare status change).
    #[serde(default)]
    pub text: String,
    /// The status the request moved to with this message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RequestStatus>,
}

/// An evidence request (`REQ-001`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EvidenceRequest {
    /// `REQ-001`.
    #[serde(default)]
    pub id: String,
    /// The audit it is asked for.
    pub audit: String,
    /// The auditor's own reference (`PBC-12`), unique within the audit.
    pub reference: String,
    /// What is asked for.
    pub text: String,
    /// The clauses, controls and requirements it concerns (`9.2`, `A.5.15`, `PR.AA-01`).
    #[serde(default)]
    pub references: Vec<String>,
    /// When the answer is due.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub due: Option<Date>,
    /// The member who answers it (e-mail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Where it stands.
    pub status: RequestStatus,
    /// The evidence items given in answer (`EVD-004`).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// The documents given in answer, each at the version in force when attached
    /// (`DOC-002@3`).
    #[serde(default)]
    pub documents: Vec<String>,
    /// The thread, oldest first.
    #[serde(default)]
    pub comments: Vec<RequestComment>,
    /// Who asked.
    pub created_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub created_at: OffsetDateTime,
}

/// Why a step on a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The step does not start from this status.
    #[error("the request is {0}; {1}")]
    Status(&'static str, &'static str),
    /// Submitting needs an answer.
    #[error("attach at least one evidence item or document before submitting")]
    NothingAttached,
    /// Returning needs a reason.
    #[error("say why the request is returned: a comment is required")]
    NoReason,
    /// An empty comment.
    #[error("the comment is empty")]
    EmptyComment,
}

impl EvidenceRequest {
    /// True when its due date has passed and the team still owes an answer.
    pub fn overdue(&self, today: Date) -> bool {
        self.status.with_team() && self.due.is_some_and(|d| d < today)
    }

    fn step(&mut self, by: &str, at: OffsetDateTime, text: &str, status: Option<RequestStatus>) {
        self.comments.push(RequestComment { by: by.to_owned(), at, text: text.trim().to_owned(), status });
        if let Some(s) = status {
            self.status = s;
        }
    }

    /// Adds evidence items and documents to the answer (each once); only while the team
    /// owes an answer.
    pub fn attach(&mut self, evidence: &[String], documents: &[String]) -> Result<(), RequestError> {
        if !self.status.with_team() {
            return Err(RequestError::Status(
                self.status.as_str(),
                "answers are attached while it is open or returned",
            ));
        }
        for e in evidence {
            if !self.evidence.contains(e) {
                self.evidence.push(e.clone());
            }
        }
        for d in documents {
            if !self.documents.contains(d) {
                self.documents.push(d.clone());
            }
        }
        Ok(())
    }

    /// Takes evidence items and documents (`DOC-002` takes every version of it) off the
    /// answer; only while the team owes one. Answers how many were taken off.
    pub fn detach(&mut self, evidence: &[String], documents: &[String]) -> Result<usize, RequestError> {
        if !self.status.with_team() {
            return Err(RequestError::Status(self.status.as_str(), "answers change while it is open or returned"));
        }
        let before = self.evidence.len() + self.documents.len();
        self.evidence.retain(|e| !evidence.iter().any(|x| x.eq_ignore_ascii_case(e)));
        self.documents.retain(|d| {
            !documents.iter().any(|x| {
                x.eq_ignore_ascii_case(d)
                    || (!x.contains('@') && d.split('@').next().is_some_and(|id| id.eq_ignore_ascii_case(x)))
            })
        });
        Ok(before - self.evidence.len() - self.documents.len())
    }

    /// The team hands its answer to the auditor.
    pub fn submit(&mut self, by: &str, at: OffsetDateTime, text: &str) -> Result<(), RequestError> {
        if !self.status.with_team() {
            return Err(RequestError::Status(self.status.as_str(), "only an open or returned request is submitted"));
        }
        if self.evidence.is_empty() && self.documents.is_empty() {
            return Err(RequestError::NothingAttached);
        }
        self.step(by, at, text, Some(RequestStatus::Submitted));
        Ok(())
    }

    /// The auditor accepts the answer.
    pub fn accept(&mut self, by: &str, at: OffsetDateTime, text: &str) -> Result<(), RequestError> {
        if self.status != RequestStatus::Submitted {
            return Err(RequestError::Status(self.status.as_str(), "only a submitted request is accepted"));
        }
        self.step(by, at, text, Some(RequestStatus::Accepted));
        Ok(())
    }

    /// The auditor sends the answer back, saying why.
    pub fn send_back(&mut self, by: &str, at: OffsetDateTime, text: &str) -> Result<(), RequestError> {
        if self.status != RequestStatus::Submitted {
            return Err(RequestError::Status(self.status.as_str(), "only a submitted request is returned"));
        }
        if text.trim().is_empty() {
            return Err(RequestError::NoReason);
        }
        self.step(by, at, text, Some(RequestStatus::Returned));
        Ok(())
    }

    /// A message on the thread.
    pub fn comment(&mut self, by: &str, at: OffsetDateTime, text: &str) -> Result<(), RequestError> {
        if text.trim().is_empty() {
            return Err(RequestError::EmptyComment);
        }
        self.step(by, at, text, None);
        Ok(())
    }
}

impl Entry for EvidenceRequest {
    const KIND: &'static str = "evidence_request";
    const PREFIX: &'static str = "REQ";
    crate::entry_id!();

    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.reference.trim().is_empty() {
            p.push(("reference", "is required".to_owned()));
        } else if self.reference.chars().count() > 40 {
            p.push(("reference", "at most 40 characters".to_owned()));
        }
        if self.text.trim().is_empty() {
            p.push(("text", "is required".to_owned()));
        } else if self.text.chars().count() > 4_000 {
            p.push(("text", "at most 4000 characters".to_owned()));
        }
        if self.references.len() > 50 {
            p.push(("references", "at most 50".to_owned()));
        }
        if self.comments.iter().any(|c| c.text.chars().count() > 4_000) {
            p.push(("comment", "at most 4000 characters".to_owned()));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn request() -> EvidenceRequest {
        EvidenceRequest {
            id: "REQ-001".into(),
            audit: "AUD-003".into(),
            reference: "PBC-1".into(),
            text: "Access review records for Q3".into(),
            references: vec!["A.5.18".into()],
            due: Some(date!(2026 - 12 - 10)),
            assignee: Some("priya@x.example".into()),
            status: RequestStatus::Open,
            evidence: Vec::new(),
            documents: Vec::new(),
            comments: Vec::new(),
            created_by: "sam@cb.example".into(),
            created_at: datetime!(2026-12-01 09:00 UTC),
        }
    }

    #[test]
    fn a_request_is_answered_returned_answered_again_and_accepted() {
        let at = datetime!(2026-12-02 10:00 UTC);
        let mut r = request();
        assert_eq!(r.submit("priya@x.example", at, ""), Err(RequestError::NothingAttached));
        r.attach(&["EVD-001".into(), "EVD-001".into()], &[]).unwrap();
        assert_eq!(r.evidence, ["EVD-001"], "attached once");
        r.submit("priya@x.example", at, "Here they are").unwrap();
        assert_eq!(r.status, RequestStatus::Submitted);
        assert!(r.attach(&["EVD-002".into()], &[]).is_err(), "the answer is frozen while the auditor decides");
        assert_eq!(r.send_back("sam@cb.example", at, " "), Err(RequestError::NoReason));
        r.send_back("sam@cb.example", at, "Q3 is missing September").unwrap();
        assert_eq!(r.status, RequestStatus::Returned);
        assert!(r.accept("sam@cb.example", at, "").is_err(), "a returned request is not accepted");
        r.attach(&["EVD-009".into()], &["DOC-002@3".into()]).unwrap();
        assert_eq!(r.detach(&["evd-009".into()], &["DOC-002".into()]), Ok(2), "by id, any version");
        r.attach(&[], &["DOC-002@3".into()]).unwrap();
        r.submit("priya@x.example", at, "September added").unwrap();
        assert!(r.detach(&[], &["DOC-002@3".into()]).is_err(), "not while the auditor decides");
        r.accept("sam@cb.example", at, "").unwrap();
        assert_eq!(r.status, RequestStatus::Accepted);
        assert!(r.submit("priya@x.example", at, "").is_err());
        let steps: Vec<_> = r.comments.iter().map(|c| c.status).collect();
        let (s, r2, a) = (RequestStatus::Submitted, RequestStatus::Returned, RequestStatus::Accepted);
        assert_eq!(steps, [Some(s), Some(r2), Some(s), Some(a)]);
        r.comment("sam@cb.example", at, "Thanks").unwrap();
        assert_eq!(r.comment("sam@cb.example", at, ""), Err(RequestError::EmptyComment));
    }

    #[test]
    fn overdue_only_while_the_team_owes_an_answer() {
        let mut r = request();
        assert!(!r.overdue(date!(2026 - 12 - 10)));
        assert!(r.overdue(date!(2026 - 12 - 11)));
        r.status = RequestStatus::Submitted;
        assert!(!r.overdue(date!(2026 - 12 - 11)));
        r.status = RequestStatus::Returned;
        assert!(r.overdue(date!(2026 - 12 - 11)));
        r.due = None;
        assert!(!r.overdue(date!(2030 - 01 - 01)));
    }
}
