//! Findings (their grade and where they stand) and their corrective actions (clause 10.2).

use super::*;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// A requirement is not met at all, or the ISMS cannot achieve its results:
    /// blocks certification until corrected and verified.
    Major,
    /// A single lapse against a requirement.
    Minor,
    /// Not a nonconformity; could become one.
    Observation,
    /// A chance to do better.
    Opportunity,
}

impl Grade {
    /// The written name.
    pub fn label(self) -> &'static str {
        match self {
            Grade::Major => "major nonconformity",
            Grade::Minor => "minor nonconformity",
            Grade::Observation => "observation",
            Grade::Opportunity => "opportunity for improvement",
        }
    }

    /// True for nonconformities, which need a correction and a corrective action.
    pub fn nonconformity(self) -> bool {
        matches!(self, Grade::Major | Grade::Minor)
    }
}

/// Where a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Raised; no action planned yet.
    Open,
    /// Root cause and corrective action recorded.
    ActionPlanned,
    /// The action is done; waiting for verification of its effectiveness.
    Implemented,
    /// Verified effective (or, for observations, acknowledged): closed.
    Closed,
}

impl FindingStatus {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::ActionPlanned => "action planned",
            FindingStatus::Implemented => "implemented",
            FindingStatus::Closed => "closed",
        }
    }
}

/// The verification of a corrective action's effectiveness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Verification {
    /// Who verified (e-mail).
    pub by: String,
    /// When.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub on: Date,
    /// What showed it works.
    pub note: String,
}

/// A finding of an audit, with its correction and corrective action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Finding {
    /// `FND-001`.
    #[serde(default)]
    pub id: String,
    /// The audit that raised it.
    pub audit: String,
    /// How serious.
    pub grade: Grade,
    /// The requirement or control concerned (`9.2`, `A.8.13`).
    pub requirement: String,
    /// What was found.
    pub description: String,
    /// The evidence the auditor saw.
    #[serde(default)]
    pub evidence: String,
    /// When it was raised.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub raised_on: Date,
    /// Who must act (e-mail).
    #[serde(default)]
    pub owner: Option<String>,
    /// By when the corrective action must be done (the certification body's deadline).
    #[serde(default, with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub due: Option<Date>,
    /// The immediate fix.
    #[serde(default)]
    pub correction: String,
    /// Why it happened.
    #[serde(default)]
    pub root_cause: String,
    /// What stops it happening again.
    #[serde(default)]
    pub corrective_action: String,
    /// Where it stands.
    pub status: FindingStatus,
    /// The verification that closed it.
    #[serde(default)]
    pub verification: Option<Verification>,
}

/// Why a change to a finding was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindingError {
    /// Closed findings do not change.
    #[error("the finding is closed")]
    Closed,
    /// A nonconformity's plan needs these fields.
    #[error("a nonconformity needs {0} before its action is planned")]
    Missing(&'static str),
    /// Steps in order.
    #[error("the finding is {0}; {1}")]
    WrongState(&'static str, &'static str),
}

impl Finding {
    /// Records the correction, root cause, corrective action, owner and due date.
    pub fn plan(
        &mut self,
        correction: &str,
        root_cause: &str,
        action: &str,
        owner: &str,
        due: Date,
    ) -> Result<(), FindingError> {
        if self.status == FindingStatus::Closed {
            return Err(FindingError::Closed);
        }
        for (value, name) in [
            (correction, "a correction"),
            (root_cause, "a root cause"),
            (action, "a corrective action"),
            (owner, "an owner"),
        ] {
            if self.grade.nonconformity() && value.trim().is_empty() {
                return Err(FindingError::Missing(name));
            }
        }
        self.correction = correction.trim().to_owned();
        self.root_cause = root_cause.trim().to_owned();
        self.corrective_action = action.trim().to_owned();
        self.owner = Some(owner.trim().to_lowercase()).filter(|o| !o.is_empty());
        self.due = Some(due);
        self.status = FindingStatus::ActionPlanned;
        Ok(())
    }

    /// Marks the corrective action done.
    pub fn implemented(&mut self) -> Result<(), FindingError> {
        match self.status {
            FindingStatus::ActionPlanned => {
                self.status = FindingStatus::Implemented;
                Ok(())
            }
            FindingStatus::Closed => Err(FindingError::Closed),
            s => Err(FindingError::WrongState(s.as_str(), "plan the corrective action first")),
        }
    }

    /// Closes the finding: a nonconformity after its action is implemented and verified
    /// effective; an observation or opportunity at any time.
    pub fn verify(&mut self, by: &str, on: Date, note: &str) -> Result<(), FindingError> {
        match self.status {
            FindingStatus::Closed => return Err(FindingError::Closed),
            FindingStatus::Implemented => {}
            s if self.grade.nonconformity() => {
                return Err(FindingError::WrongState(s.as_str(), "the corrective action must be implemented first"));
            }
            _ => {}
        }
        if self.grade.nonconformity() && note.trim().is_empty() {
            return Err(FindingError::Missing("a note on what showed the action effective"));
        }
        self.verification = Some(Verification { by: by.trim().to_lowercase(), on, note: note.trim().to_owned() });
        self.status = FindingStatus::Closed;
        Ok(())
    }

    /// True when still open (not closed).
    pub fn is_open(&self) -> bool {
        self.status != FindingStatus::Closed
    }

    /// True for an open nonconformity past its due date on `today`.
    pub fn overdue(&self, today: Date) -> bool {
        self.grade.nonconformity()
            && matches!(self.status, FindingStatus::Open | FindingStatus::ActionPlanned)
            && self.due.is_some_and(|d| d < today)
    }
}

impl Entry for Finding {
    const KIND: &'static str = "finding";
    const PREFIX: &'static str = "FND";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.requirement.trim().is_empty() {
            p.push(("requirement", "name the clause or control concerned".to_owned()));
        }
        if self.description.trim().is_empty() {
            p.push(("description", "is required".to_owned()));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn finding(grade: Grade) -> Finding {
        Finding {
            id: "FND-001".into(),
            audit: "AUD-001".into(),
            grade,
            requirement: "A.8.13".into(),
            description: "No restore test in 2026".into(),
            evidence: String::new(),
            raised_on: date!(2026 - 10 - 02),
            owner: None,
            due: None,
            correction: String::new(),
            root_cause: String::new(),
            corrective_action: String::new(),
            status: FindingStatus::Open,
            verification: None,
        }
    }

    #[test]
    fn a_nonconformity_closes_only_after_a_planned_implemented_and_verified_action() {
        let mut f = finding(Grade::Minor);
        assert!(matches!(f.verify("m@acme.test", date!(2026 - 11 - 01), "ok"), Err(FindingError::WrongState(..))));
        assert_eq!(
            f.plan("restored once", "", "quarterly test", "it@acme.test", date!(2026 - 12 - 01)),
            Err(FindingError::Missing("a root cause"))
        );
        f.plan("restored once", "no schedule", "quarterly restore test", "IT@acme.test", date!(2026 - 12 - 01))
            .unwrap();
        assert_eq!(f.owner.as_deref(), Some("it@acme.test"));
        assert!(f.overdue(date!(2026 - 12 - 02)) && !f.overdue(date!(2026 - 12 - 01)));
        f.implemented().unwrap();
        assert!(!f.overdue(date!(2027 - 01 - 01)), "implemented: waiting for verification, not overdue");
        assert_eq!(
            f.verify("m@acme.test", date!(2026 - 12 - 10), " "),
            Err(FindingError::Missing("a note on what showed the action effective"))
        );
        f.verify("m@acme.test", date!(2026 - 12 - 10), "two restore tests passed").unwrap();
        assert!(!f.is_open());
        assert_eq!(f.implemented(), Err(FindingError::Closed));
        // Observations need no action and close at once.
        let mut o = finding(Grade::Observation);
        o.verify("m@acme.test", date!(2026 - 11 - 01), "").unwrap();
        assert_eq!(o.status, FindingStatus::Closed);
    }
}
