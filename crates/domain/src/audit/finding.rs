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

/// The longest a certification body may give for a major nonconformity: correction
/// and corrective action verified within six months of the audit's last day, or the
/// audit (for Stage 2: Stage 2 itself) is repeated.
pub const MAJOR_DEADLINE_MONTHS: u32 = 6;

/// The deadline of a nonconformity raised by an audit of `kind` whose last day was
/// `audit_end`: the one `given` (the certification body's), or the organization's
/// `default_days` counted from the audit's last day — not from the day it was
/// recorded. A major from a certification audit may not get more than
/// [`MAJOR_DEADLINE_MONTHS`]; observations and opportunities get none unless given.
pub fn deadline(
    grade: Grade,
    kind: AuditKind,
    audit_end: Date,
    given: Option<Date>,
    default_days: u32,
) -> Result<Option<Date>, String> {
    let due = match given {
        Some(d) => Some(d),
        None if grade.nonconformity() => Some(audit_end + time::Duration::days(i64::from(default_days))),
        None => None,
    };
    let cap = crate::review::add_months(audit_end, MAJOR_DEADLINE_MONTHS);
    match due {
        Some(d) if d < audit_end => Err(format!("{d} is before the audit's last day ({audit_end})")),
        Some(d) if grade == Grade::Major && kind.external() && d > cap => Err(format!(
            "{d} is more than {MAJOR_DEADLINE_MONTHS} months after the audit's last day ({audit_end}): a major \
             nonconformity must be corrected and verified by {cap}, or the audit is repeated"
        )),
        _ => Ok(due),
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
    /// The audit that raised it; empty for a nonconformity found by monitoring.
    #[serde(default)]
    pub audit: String,
    /// The check whose failure raised it (ISO/IEC 27001 9.1 and 10.2: found by
    /// monitoring, not by an audit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
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

/// A step of a finding's corrective action that someone may take next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// Record (or revise) the correction, root cause, corrective action, owner and due
    /// date: while the finding is open or its action planned.
    Plan,
    /// The planned action is done: once it is planned.
    MarkImplemented,
    /// Verify the action effective, which closes the finding: once it is implemented,
    /// or at any time for an observation or an opportunity for improvement.
    Verify,
}

impl NextStep {
    /// Every step, in the order they are taken.
    pub const ALL: [NextStep; 3] = [NextStep::Plan, NextStep::MarkImplemented, NextStep::Verify];

    /// In plain words.
    pub fn label(self) -> &'static str {
        match self {
            NextStep::Plan => "plan the corrective action",
            NextStep::MarkImplemented => "mark the action implemented",
            NextStep::Verify => "verify its effectiveness",
        }
    }
}

impl Finding {
    /// The nonconformity monitoring raises when `check` turns failing with `reading`
    /// (9.1 / 10.2): a minor one on the check's first control, not tied to an audit,
    /// its corrective action planned at once from the check's response, owned by the
    /// check's owner and due `minor_due_days` after the reading.
    pub fn from_check(
        check: &crate::check::Check,
        reading: &crate::check::Reading,
        minor_due_days: u32,
    ) -> Result<Finding, FindingError> {
        let today = reading.at.date();
        let mut finding = Finding {
            id: String::new(),
            audit: String::new(),
            check: Some(check.id.clone()),
            grade: Grade::Minor,
            requirement: check.controls.first().cloned().unwrap_or_else(|| "9.1".to_owned()),
            description: format!("Check {} \u{201c}{}\u{201d} failed: {}", check.id, check.name, reading.note),
            evidence: match &reading.run {
                Some(run) => format!("check run {run}"),
                None => format!("attestation by {}", reading.by),
            },
            raised_on: today,
            owner: None,
            due: None,
            correction: String::new(),
            root_cause: String::new(),
            corrective_action: String::new(),
            status: FindingStatus::Open,
            verification: None,
        };
        let action = if check.response.is_empty() {
            format!("Bring {} back in line so that check {} passes again.", check.controls.join(", "), check.id)
        } else {
            check.response.clone()
        };
        let due = today + time::Duration::days(i64::from(minor_due_days));
        let cause = format!(
            "Found by monitoring (9.1) on {today}: {}. The owner confirms the root cause when planning.",
            reading.note
        );
        finding.plan(&action, &cause, &action, &check.owner, due)?;
        Ok(finding)
    }

    /// Where it comes from: `AUD-002`, or `monitoring (CHK-001)`.
    pub fn source(&self) -> String {
        match &self.check {
            Some(c) if self.audit.is_empty() => format!("monitoring ({c})"),
            _ => self.audit.clone(),
        }
    }

    /// Whether `step` may be taken now, and if not why: the one rule of what comes next.
    /// A closed finding takes no step; the action is planned (and re-planned) while
    /// the finding is open or action planned, marked implemented once planned, and
    /// verified once implemented — an observation or an opportunity at any time.
    /// [`Finding::plan`], [`Finding::implemented`] and [`Finding::verify`] check it.
    pub fn check_step(&self, step: NextStep) -> Result<(), FindingError> {
        const AWAITS_VERIFICATION: &str = "its action is done and awaits verification of its effectiveness";
        match (step, self.status) {
            (_, FindingStatus::Closed) => Err(FindingError::Closed),
            (NextStep::Plan, FindingStatus::Open | FindingStatus::ActionPlanned)
            | (NextStep::MarkImplemented, FindingStatus::ActionPlanned)
            | (NextStep::Verify, FindingStatus::Implemented) => Ok(()),
            (NextStep::Verify, _) if !self.grade.nonconformity() => Ok(()),
            (NextStep::Plan | NextStep::MarkImplemented, s @ FindingStatus::Implemented) => {
                Err(FindingError::WrongState(s.as_str(), AWAITS_VERIFICATION))
            }
            (NextStep::MarkImplemented, s) => {
                Err(FindingError::WrongState(s.as_str(), "plan the corrective action first"))
            }
            (NextStep::Verify, s) => {
                Err(FindingError::WrongState(s.as_str(), "the corrective action must be implemented first"))
            }
        }
    }

    /// The steps that may be taken now (see [`Finding::check_step`]), in order.
    pub fn next_steps(&self) -> Vec<NextStep> {
        NextStep::ALL.into_iter().filter(|&step| self.check_step(step).is_ok()).collect()
    }

    /// Records the correction, root cause, corrective action, owner and due date
    /// (again, to revise them, until the action is marked implemented).
    pub fn plan(
        &mut self,
        correction: &str,
        root_cause: &str,
        action: &str,
        owner: &str,
        due: Date,
    ) -> Result<(), FindingError> {
        self.check_step(NextStep::Plan)?;
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
        self.check_step(NextStep::MarkImplemented)?;
        self.status = FindingStatus::Implemented;
        Ok(())
    }

    /// Closes the finding: a nonconformity after its action is implemented and verified
    /// effective; an observation or opportunity at any time.
    pub fn verify(&mut self, by: &str, on: Date, note: &str) -> Result<(), FindingError> {
        self.check_step(NextStep::Verify)?;
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
        if self.audit.trim().is_empty() && self.check.is_none() {
            p.push(("audit", "name the audit that raised it".to_owned()));
        }
        p
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn deadlines_run_from_the_audits_last_day_and_a_majors_is_capped_at_six_months() {
        let end = date!(2026 - 11 - 20);
        // Recorded weeks later, the default still counts from the audit's last day.
        assert_eq!(deadline(Grade::Major, AuditKind::Stage2, end, None, 90), Ok(Some(date!(2027 - 02 - 18))));
        assert_eq!(deadline(Grade::Minor, AuditKind::Internal, end, None, 30), Ok(Some(date!(2026 - 12 - 20))));
        assert_eq!(deadline(Grade::Observation, AuditKind::Stage2, end, None, 30), Ok(None));
        // The certification body may give up to six months; a day more is refused.
        assert_eq!(
            deadline(Grade::Major, AuditKind::Stage2, end, Some(date!(2027 - 05 - 20)), 90),
            Ok(Some(date!(2027 - 05 - 20)))
        );
        let refused = deadline(Grade::Major, AuditKind::Stage2, end, Some(date!(2027 - 05 - 21)), 90).unwrap_err();
        assert!(refused.contains("by 2027-05-20"), "{refused}");
        // An internal audit's major is the organization's own affair; minors are not capped.
        assert!(deadline(Grade::Major, AuditKind::Internal, end, Some(date!(2027 - 09 - 01)), 90).is_ok());
        assert!(deadline(Grade::Minor, AuditKind::Surveillance1, end, Some(date!(2027 - 09 - 01)), 90).is_ok());
        assert!(deadline(Grade::Minor, AuditKind::Stage2, end, Some(date!(2026 - 11 - 19)), 90).is_err());
    }

    use time::macros::date;

    use super::*;

    fn finding(grade: Grade) -> Finding {
        Finding {
            id: "FND-001".into(),
            audit: "AUD-001".into(),
            check: None,
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

    const GRADES: [Grade; 4] = [Grade::Major, Grade::Minor, Grade::Observation, Grade::Opportunity];
    const STATUSES: [FindingStatus; 4] =
        [FindingStatus::Open, FindingStatus::ActionPlanned, FindingStatus::Implemented, FindingStatus::Closed];

    fn at(grade: Grade, status: FindingStatus) -> Finding {
        Finding { status, ..finding(grade) }
    }

    #[test]
    fn the_next_steps_of_every_grade_in_every_status() {
        use FindingStatus::{ActionPlanned, Closed, Implemented, Open};
        use NextStep::{MarkImplemented, Plan, Verify};
        let nonconformity: [(FindingStatus, &[NextStep]); 4] =
            [(Open, &[Plan]), (ActionPlanned, &[Plan, MarkImplemented]), (Implemented, &[Verify]), (Closed, &[])];
        let not_one: [(FindingStatus, &[NextStep]); 4] = [
            (Open, &[Plan, Verify]),
            (ActionPlanned, &[Plan, MarkImplemented, Verify]),
            (Implemented, &[Verify]),
            (Closed, &[]),
        ];
        for grade in GRADES {
            let table = if grade.nonconformity() { nonconformity } else { not_one };
            assert_eq!(table.map(|(status, _)| status), STATUSES);
            for (status, steps) in table {
                assert_eq!(at(grade, status).next_steps(), steps, "{grade:?}, {status:?}");
            }
        }
    }

    #[test]
    fn the_next_steps_are_the_finding_pages_rule_but_a_closed_finding_takes_none() {
        use FindingStatus::{ActionPlanned, Closed, Implemented, Open};
        for (grade, status) in GRADES.into_iter().flat_map(|g| STATUSES.map(|s| (g, s))) {
            // As the page wrote it: it offered verification of a closed observation too,
            // which verify() has always refused.
            let page = |step| match step {
                NextStep::Plan => matches!(status, Open | ActionPlanned),
                NextStep::MarkImplemented => status == ActionPlanned,
                NextStep::Verify => status == Implemented || matches!(grade, Grade::Observation | Grade::Opportunity),
            };
            let expected: Vec<NextStep> = NextStep::ALL.into_iter().filter(|&s| status != Closed && page(s)).collect();
            assert_eq!(at(grade, status).next_steps(), expected, "{grade:?}, {status:?}");
        }
    }

    #[test]
    fn a_step_is_taken_exactly_when_it_is_a_next_step() {
        for (grade, status) in GRADES.into_iter().flat_map(|g| STATUSES.map(|s| (g, s))) {
            let f = at(grade, status);
            for step in NextStep::ALL {
                let mut g = f.clone();
                let taken = match step {
                    NextStep::Plan => g.plan("fixed", "no owner", "an owner", "it@acme.test", date!(2026 - 12 - 01)),
                    NextStep::MarkImplemented => g.implemented(),
                    NextStep::Verify => g.verify("m@acme.test", date!(2026 - 12 - 10), "restore tested"),
                };
                let case = format!("{grade:?}, {status:?}, {step:?}");
                assert_eq!(taken.is_ok(), f.next_steps().contains(&step), "{case}: {taken:?}");
                assert_eq!(taken, f.check_step(step), "{case}: refused with the rule's reason");
                assert_eq!(taken.is_err(), g == f, "{case}: a refused step changes nothing");
            }
        }
        let mut f = at(Grade::Minor, FindingStatus::Implemented);
        assert_eq!(
            f.plan("fixed", "no owner", "an owner", "it@acme.test", date!(2026 - 12 - 01)),
            Err(FindingError::WrongState(
                "implemented",
                "its action is done and awaits verification of its effectiveness"
            ))
        );
        assert_eq!(
            at(Grade::Observation, FindingStatus::Closed).check_step(NextStep::Verify),
            Err(FindingError::Closed)
        );
    }

    #[test]
    fn next_steps_are_written_in_snake_case_and_labelled_in_words() {
        assert_eq!(
            serde_json::to_value(NextStep::ALL).unwrap(),
            serde_json::json!(["plan", "mark_implemented", "verify"])
        );
        assert_eq!(
            NextStep::ALL.map(NextStep::label),
            ["plan the corrective action", "mark the action implemented", "verify its effectiveness"]
        );
    }
}
