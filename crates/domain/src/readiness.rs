//! Readiness: "could we pass Stage 1, Stage 2 or the next surveillance audit today?"
//! The app gathers the facts ([`Facts`]); each rule here looks at them and says what
//! blocks the audit and what an auditor would frown at, naming the requirement and
//! what is missing. Rules are plain functions so each can be tested on its own.

use serde::Serialize;
use time::{Date, Duration};

use crate::certification::Certificate;

/// Which audit to be ready for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Stage 1: documentation review.
    Stage1,
    /// Stage 2: the certification audit.
    Stage2,
    /// The next surveillance (or recertification) audit of a certified ISMS.
    Surveillance,
}

impl Stage {
    /// Parses `1`, `2`, `stage1`, `surveillance`.
    pub fn parse(s: &str) -> Option<Stage> {
        match s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
            "1" | "stage1" => Some(Stage::Stage1),
            "2" | "stage2" => Some(Stage::Stage2),
            "surveillance" | "s" => Some(Stage::Surveillance),
            _ => None,
        }
    }

    /// The written name.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Stage1 => "Stage 1",
            Stage::Stage2 => "Stage 2",
            Stage::Surveillance => "the next surveillance audit",
        }
    }
}

/// A mandatory piece of documented information and whether it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandatoryFact {
    /// The clause.
    pub clause: String,
    /// What it is.
    pub title: String,
    /// True when an approved document or a register satisfies it.
    pub satisfied: bool,
}

/// A control, risk, document or finding named by a rule: its id and a short title.
pub type Named = (String, String);

/// Everything the rules look at, gathered by the app for one organization.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The day to judge.
    pub today: Option<Date>,
    /// The mandatory documented information checklist.
    pub mandatory: Vec<MandatoryFact>,
    /// The SoA has an approved version.
    pub soa_approved: bool,
    /// Changes to the SoA draft since its last approval (rows).
    pub soa_unapproved_changes: usize,
    /// Risks above the acceptance criteria that are neither treated to within them
    /// nor formally accepted.
    pub risks_not_accepted: Vec<Named>,
    /// Applicable controls not implemented.
    pub controls_not_implemented: Vec<Named>,
    /// Implemented applicable controls without current evidence.
    pub controls_without_evidence: Vec<Named>,
    /// Approved documents whose review is overdue.
    pub documents_overdue: Vec<Named>,
    /// Completed internal audits: (id, end date, clauses and controls covered).
    pub internal_audits: Vec<(String, Date, Vec<String>)>,
    /// The management-system clauses an internal audit programme must cover.
    pub clauses: Vec<String>,
    /// Management reviews: (id, date, complete).
    pub management_reviews: Vec<(String, Date, bool)>,
    /// Open major nonconformities from the certification body's audits.
    pub open_majors: Vec<Named>,
    /// Open majors from a Stage 2 whose six months have passed: (finding, Stage 2, its
    /// last day).
    pub stage_2_lapsed: Vec<(String, String, Date)>,
    /// Open major nonconformities from internal audits.
    pub open_internal_majors: Vec<Named>,
    /// Open minor nonconformities.
    pub open_minors: Vec<Named>,
    /// Minor nonconformities from the certification body's audits without an action
    /// plan yet.
    pub unplanned_minors: Vec<Named>,
    /// Nonconformities past their corrective action's due date.
    pub overdue_actions: Vec<Named>,
    /// The current certificate, if any.
    pub certificate: Option<Certificate>,
    /// Completed audits by the certification body: (kind, last day).
    pub completed_external: Vec<(crate::audit::AuditKind, Date)>,
    /// Planned or running audits by the certification body: (kind, first day).
    pub planned_external: Vec<(crate::audit::AuditKind, Date)>,
    /// Applicable Annex A controls: (theme, control).
    pub applicable_controls: Vec<(String, String)>,
    /// Checks whose last reading failed or could not decide.
    pub failing_checks: Vec<Named>,
    /// Checks with no reading within their expected frequency.
    pub stale_checks: Vec<Named>,
}

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The audit would fail (or could not take place).
    Blocker,
    /// The auditor would raise it; it does not stop the audit.
    Warning,
}

/// One problem found by a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(rename = "ReadinessProblem"))]
pub struct Problem {
    /// The rule's key (`soa_approved`).
    pub rule: &'static str,
    /// Blocker or warning.
    pub severity: Severity,
    /// The requirement concerned (`6.1.3 d`, `9.2`, `A.8.13`).
    pub requirement: String,
    /// What is missing, in words (naming the first few records).
    pub message: String,
    /// Every record the problem is about, so a reader can go and fix each one.
    pub items: Vec<Concerned>,
}

/// A record a readiness problem is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Concerned {
    /// What kind of record: `risk`, `control`, `document` or `finding`.
    pub kind: &'static str,
    /// Its id (`RSK-004`, `A.8.13`).
    pub id: String,
    /// Its title.
    pub title: String,
}

impl Problem {
    /// The same problem, naming every record of `kind` it is about.
    fn about(mut self, kind: &'static str, items: &[Named]) -> Problem {
        self.items = items.iter().map(|(id, title)| Concerned { kind, id: id.clone(), title: title.clone() }).collect();
        self
    }
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Readiness {
    /// For which audit.
    pub stage: Stage,
    /// True when nothing blocks it.
    pub ready: bool,
    /// What blocks it.
    pub blockers: Vec<Problem>,
    /// What an auditor would raise.
    pub warnings: Vec<Problem>,
    /// Readiness per management-system clause (4 … 10): (clause, passed checks, checks).
    pub clauses: Vec<(String, usize, usize)>,
    /// Readiness per Annex A theme: (theme, applicable controls implemented with
    /// current evidence, applicable controls).
    pub themes: Vec<(String, usize, usize)>,
}

fn problem(rule: &'static str, severity: Severity, requirement: impl Into<String>, message: String) -> Problem {
    Problem { rule, severity, requirement: requirement.into(), message, items: Vec::new() }
}

fn list(items: &[Named], max: usize) -> String {
    let mut names: Vec<String> = items.iter().take(max).map(|(id, title)| format!("{id} {title}")).collect();
    if items.len() > max {
        names.push(format!("and {} more", items.len() - max));
    }
    names.join(", ")
}

/// A rule: the facts and the stage in, problems out.
pub type Rule = fn(&Facts, Stage, Date) -> Vec<Problem>;

/// Mandatory documented information missing or not approved.
pub fn mandatory_documents(f: &Facts, _: Stage, _: Date) -> Vec<Problem> {
    f.mandatory
        .iter()
        .filter(|m| !m.satisfied)
        .map(|m| {
            problem(
                "mandatory_documents",
                Severity::Blocker,
                &m.clause,
                format!("{} is missing or not approved", m.title),
            )
        })
        .collect()
}

/// The Statement of Applicability is approved (and not drifted far from its approval).
pub fn soa_approved(f: &Facts, _: Stage, _: Date) -> Vec<Problem> {
    if !f.soa_approved {
        return vec![problem(
            "soa_approved",
            Severity::Blocker,
            "6.1.3 d",
            "the Statement of Applicability has never been approved".into(),
        )];
    }
    if f.soa_unapproved_changes > 0 {
        return vec![problem(
            "soa_approved",
            Severity::Warning,
            "6.1.3 d",
            format!(
                "{} SoA row(s) changed since the last approval; approve a new version before the audit",
                f.soa_unapproved_changes
            ),
        )];
    }
    vec![]
}

/// Risks above the acceptance criteria are treated or formally accepted.
pub fn risks_accepted(f: &Facts, stage: Stage, _: Date) -> Vec<Problem> {
    if f.risks_not_accepted.is_empty() {
        return vec![];
    }
    let severity = if stage == Stage::Stage1 { Severity::Warning } else { Severity::Blocker };
    vec![
        problem(
            "risks_accepted",
            severity,
            "6.1.3 f",
            format!(
                "{} risk(s) above the acceptance criteria are not formally accepted by their owners: {}",
                f.risks_not_accepted.len(),
                list(&f.risks_not_accepted, 5)
            ),
        )
        .about("risk", &f.risks_not_accepted),
    ]
}

/// Applicable controls are implemented.
pub fn controls_implemented(f: &Facts, stage: Stage, _: Date) -> Vec<Problem> {
    if f.controls_not_implemented.is_empty() {
        return vec![];
    }
    let severity = if stage == Stage::Stage2 { Severity::Blocker } else { Severity::Warning };
    vec![
        problem(
            "controls_implemented",
            severity,
            "6.1.3 / 8.3",
            format!(
                "{} applicable control(s) are not implemented: {}",
                f.controls_not_implemented.len(),
                list(&f.controls_not_implemented, 8)
            ),
        )
        .about("control", &f.controls_not_implemented),
    ]
}

/// Implemented controls have current evidence.
pub fn controls_evidenced(f: &Facts, stage: Stage, _: Date) -> Vec<Problem> {
    if f.controls_without_evidence.is_empty() {
        return vec![];
    }
    let severity = if stage == Stage::Stage2 { Severity::Blocker } else { Severity::Warning };
    vec![
        problem(
            "controls_evidenced",
            severity,
            "9.1",
            format!(
                "{} implemented control(s) have no current evidence to show an auditor: {}",
                f.controls_without_evidence.len(),
                list(&f.controls_without_evidence, 8)
            ),
        )
        .about("control", &f.controls_without_evidence),
    ]
}

/// Monitoring runs as planned: no check failing, none stale (9.1).
pub fn checks_passing(f: &Facts, _: Stage, _: Date) -> Vec<Problem> {
    let mut out = Vec::new();
    if !f.failing_checks.is_empty() {
        out.push(
            problem(
                "checks_passing",
                Severity::Warning,
                "9.1",
                format!(
                    "{} failing: {}",
                    crate::text::plural(f.failing_checks.len(), "check is", "checks are"),
                    list(&f.failing_checks, 5)
                ),
            )
            .about("check", &f.failing_checks),
        );
    }
    if !f.stale_checks.is_empty() {
        out.push(
            problem(
                "checks_passing",
                Severity::Warning,
                "9.1",
                format!(
                    "{} no result within {} expected frequency: {}",
                    crate::text::plural(f.stale_checks.len(), "check has", "checks have"),
                    if f.stale_checks.len() == 1 { "its" } else { "their" },
                    list(&f.stale_checks, 5)
                ),
            )
            .about("check", &f.stale_checks),
        );
    }
    out
}

/// Documents are reviewed on time.
pub fn documents_reviewed(f: &Facts, _: Stage, _: Date) -> Vec<Problem> {
    if f.documents_overdue.is_empty() {
        return vec![];
    }
    vec![
        problem(
            "documents_reviewed",
            Severity::Warning,
            "7.5.3",
            format!(
                "{} document(s) are overdue for review: {}",
                f.documents_overdue.len(),
                list(&f.documents_overdue, 5)
            ),
        )
        .about("document", &f.documents_overdue),
    ]
}

/// A completed internal audit programme within the last twelve months covers every
/// clause.
pub fn internal_audit(f: &Facts, stage: Stage, today: Date) -> Vec<Problem> {
    let since = today - Duration::days(366);
    let recent: Vec<_> = f.internal_audits.iter().filter(|(_, end, _)| *end >= since && *end <= today).collect();
    let severity = if stage == Stage::Stage1 { Severity::Warning } else { Severity::Blocker };
    if recent.is_empty() {
        return vec![problem(
            "internal_audit",
            severity,
            "9.2",
            "no internal audit was completed in the last twelve months".into(),
        )];
    }
    let uncovered: Vec<&String> =
        f.clauses.iter().filter(|c| !recent.iter().any(|(_, _, covered)| covered.contains(c))).collect();
    if uncovered.is_empty() {
        return vec![];
    }
    vec![problem(
        "internal_audit",
        severity,
        "9.2",
        format!(
            "the internal audits of the last twelve months did not cover clause(s) {}",
            uncovered.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
        ),
    )]
}

/// A management review covering every input within the last twelve months.
pub fn management_review(f: &Facts, stage: Stage, today: Date) -> Vec<Problem> {
    let since = today - Duration::days(366);
    let recent: Vec<_> = f.management_reviews.iter().filter(|(_, on, _)| *on >= since && *on <= today).collect();
    let severity = if stage == Stage::Stage1 { Severity::Warning } else { Severity::Blocker };
    if recent.is_empty() {
        return vec![problem(
            "management_review",
            severity,
            "9.3",
            "no management review was held in the last twelve months".into(),
        )];
    }
    if !recent.iter().any(|(_, _, complete)| *complete) {
        return vec![problem(
            "management_review",
            Severity::Warning,
            "9.3.2",
            format!("management review {} did not consider every required input", recent[0].0),
        )];
    }
    vec![]
}

/// No open major nonconformity.
pub fn no_open_majors(f: &Facts, _: Stage, _: Date) -> Vec<Problem> {
    let is = |one: bool| if one { "is" } else { "are" };
    let mut out = Vec::new();
    out.extend(findings_problem(Severity::Blocker, &f.open_majors, "major", |one| {
        format!(
            "from the certification body's audits {} open (a certification decision needs each corrected and verified)",
            is(one)
        )
    }));
    for (finding, audit, end) in &f.stage_2_lapsed {
        out.push(problem(
            "no_open_majors",
            Severity::Blocker,
            "10.2",
            format!(
                "{finding} from Stage 2 ({audit}) was not corrected and verified by {}, six months after Stage 2's last \
                 day: Stage 2 must be repeated before a certification decision",
                crate::review::add_months(*end, crate::audit::MAJOR_DEADLINE_MONTHS)
            ),
        ));
    }
    out.extend(findings_problem(Severity::Warning, &f.open_internal_majors, "major", |one| {
        format!(
            "from internal audits {} open: correct {} before the certification body comes",
            is(one),
            if one { "it" } else { "them" }
        )
    }));
    out.extend(findings_problem(Severity::Blocker, &f.unplanned_minors, "minor", |_| {
        "from the certification body's audits without an action plan (correction, root cause, corrective action, \
         owner, due date), which the certification decision needs"
            .to_owned()
    }));
    out.extend(findings_problem(Severity::Warning, &f.open_minors, "minor", |_| "open".to_owned()));
    out
}

/// One `no_open_majors` problem about `items` (none when there are none): "N `kind`
/// nonconformities" followed by what `says` about them (told whether there is one),
/// then the first few.
fn findings_problem(severity: Severity, items: &[Named], kind: &str, says: impl Fn(bool) -> String) -> Option<Problem> {
    if items.is_empty() {
        return None;
    }
    let what = crate::text::plural(items.len(), &format!("{kind} nonconformity"), &format!("{kind} nonconformities"));
    let message = format!("{what} {}: {}", says(items.len() == 1), list(items, 5));
    Some(problem("no_open_majors", severity, "10.2", message).about("finding", items))
}

/// No corrective action past its due date.
pub fn actions_on_time(f: &Facts, _: Stage, _: Date) -> Vec<Problem> {
    if f.overdue_actions.is_empty() {
        return vec![];
    }
    vec![
        problem(
            "actions_on_time",
            Severity::Blocker,
            "10.2",
            format!(
                "{} past {} due date: {}",
                crate::text::plural(f.overdue_actions.len(), "corrective action is", "corrective actions are"),
                if f.overdue_actions.len() == 1 { "its" } else { "their" },
                list(&f.overdue_actions, 5)
            ),
        )
        .about("finding", &f.overdue_actions),
    ]
}

/// For surveillance: a valid certificate, and the audit due within its window.
pub fn certificate_valid(f: &Facts, stage: Stage, today: Date) -> Vec<Problem> {
    if stage != Stage::Surveillance {
        return vec![];
    }
    let Some(c) = &f.certificate else {
        return vec![problem(
            "certificate_valid",
            Severity::Blocker,
            "certificate",
            "there is no certificate to keep: surveillance follows a Stage 2 audit and a certification decision".into(),
        )];
    };
    let status = c.status_on(today);
    if status == crate::certification::CertificateStatus::Expired {
        let expiry = c.cycle().expiry;
        let last = crate::review::add_months(expiry, crate::certification::RESTORATION_MONTHS);
        let message = if today <= last {
            format!(
                "certificate {} expired on {expiry}: a recertification audit decided by {last} restores it with its \
                 cycle; the days in between are without certification",
                c.number
            )
        } else {
            format!(
                "certificate {} expired on {expiry}, more than {} months ago: only a new initial certification \
                 (Stage 1 and Stage 2) will do",
                c.number,
                crate::certification::RESTORATION_MONTHS
            )
        };
        return vec![problem("certificate_valid", Severity::Blocker, "certificate", message)];
    }
    if status == crate::certification::CertificateStatus::Suspended
        && let Some(since) = c.status_since
        && today > crate::review::add_months(since, crate::certification::SUSPENSION_MONTHS)
    {
        return vec![problem(
            "certificate_valid",
            Severity::Blocker,
            "certificate",
            format!(
                "certificate {} has been suspended since {since}, more than {} months: withdrawal is due (or the \
                 scope is reduced to what still conforms)",
                c.number,
                crate::certification::SUSPENSION_MONTHS
            ),
        )];
    }
    if !c.valid_on(today) {
        return vec![problem(
            "certificate_valid",
            Severity::Blocker,
            "certificate",
            format!("certificate {} is {}", c.number, status.as_str()),
        )];
    }
    // A surveillance audit past its due date and not held: the certification body may
    // suspend the certificate.
    let cycle = c.cycle();
    let mut out = cycle_audits(f, c, today);
    for (kind, due) in [
        (crate::audit::AuditKind::Surveillance1, cycle.surveillance_1_due),
        (crate::audit::AuditKind::Surveillance2, cycle.surveillance_2_due),
    ] {
        let held = f.completed_external.iter().any(|(k, end)| *k == kind && *end >= c.issued);
        if due < today && !held {
            out.push(problem(
                "certificate_valid",
                Severity::Blocker,
                "certificate",
                format!(
                    "{} was due by {due} and is not recorded as held: the certification body may suspend certificate {}",
                    kind.label(),
                    c.number
                ),
            ));
        } else if !held && due >= today && (due - today).whole_days() <= 120 {
            // Due within four months: it should be on the calendar, before the due date.
            let planned = f.planned_external.iter().any(|(k, start)| *k == kind && *start <= due);
            if !planned {
                out.push(problem(
                    "certificate_valid",
                    Severity::Warning,
                    "certificate",
                    format!(
                        "{} is due by {due} and not planned yet: agree the dates with the certification body",
                        kind.label()
                    ),
                ));
            }
        }
    }
    out
}

/// The certification body's audits a certificate needs besides the anniversaries: one
/// at least in each calendar year between the decision's and the recertification's,
/// and the recertification itself planned from month 30 and decided before expiry.
fn cycle_audits(f: &Facts, c: &Certificate, today: Date) -> Vec<Problem> {
    use crate::audit::AuditKind::{Recertification, Special, Surveillance1, Surveillance2};
    let cycle = c.cycle();
    let counts = |k: &crate::audit::AuditKind| matches!(k, Surveillance1 | Surveillance2 | Recertification | Special);
    let mut out = Vec::new();
    for year in c.issued.year() + 1..=today.year() {
        if year >= cycle.expiry.year() {
            break;
        }
        let held = f.completed_external.iter().any(|(k, end)| counts(k) && end.year() == year && *end >= c.issued);
        // A surveillance due by an anniversary in this year and not held yet is the
        // anniversary rule's to report.
        let anniversary_pending =
            [(Surveillance1, cycle.surveillance_1_due), (Surveillance2, cycle.surveillance_2_due)].iter().any(
                |(k, due)| {
                    due.year() == year && !f.completed_external.iter().any(|(h, end)| h == k && *end >= c.issued)
                },
            );
        if held || anniversary_pending {
            continue;
        }
        if year < today.year() {
            out.push(problem(
                "certificate_valid",
                Severity::Blocker,
                "certificate",
                format!(
                    "no audit by the certification body took place in {year}: surveillance is due at least once \
                     each calendar year, whatever the anniversary dates"
                ),
            ));
        } else if !f.planned_external.iter().any(|(k, start)| counts(k) && start.year() == year) {
            out.push(problem(
                "certificate_valid",
                Severity::Warning,
                "certificate",
                format!(
                    "no audit by the certification body is held or planned in {year}: surveillance is due at least \
                     once each calendar year"
                ),
            ));
        }
    }
    let recertification = |(k, d): &(crate::audit::AuditKind, Date)| *k == Recertification && *d >= c.issued;
    let planned: Vec<Date> = f.planned_external.iter().filter(|a| recertification(a)).map(|(_, d)| *d).collect();
    let held = f.completed_external.iter().any(recertification);
    if !held {
        if let Some(start) = planned.iter().min().filter(|s| **s > cycle.expiry) {
            out.push(problem(
                "certificate_valid",
                Severity::Blocker,
                "certificate",
                format!(
                    "the recertification audit starts on {start}, after certificate {} expires on {}: the \
                     certificate would lapse before the decision; bring the audit forward",
                    c.number, cycle.expiry
                ),
            ));
        } else if planned.is_empty() && today >= crate::review::add_months(c.cycle_start(), 30) {
            out.push(problem(
                "certificate_valid",
                Severity::Warning,
                "certificate",
                format!(
                    "certificate {} expires on {}: plan the recertification audit so that the decision comes \
                     before then",
                    c.number, cycle.expiry
                ),
            ));
        }
    }
    out
}

/// Every rule, in the order they are reported.
pub const RULES: [(&str, Rule); 12] = [
    ("mandatory_documents", mandatory_documents),
    ("soa_approved", soa_approved),
    ("risks_accepted", risks_accepted),
    ("controls_implemented", controls_implemented),
    ("controls_evidenced", controls_evidenced),
    ("checks_passing", checks_passing),
    ("documents_reviewed", documents_reviewed),
    ("internal_audit", internal_audit),
    ("management_review", management_review),
    ("no_open_majors", no_open_majors),
    ("actions_on_time", actions_on_time),
    ("certificate_valid", certificate_valid),
];

/// The management-system clause group (`4` … `10`) a requirement belongs to.
fn clause_group(requirement: &str) -> Option<&'static str> {
    let head = requirement.split(['.', ' ', '/']).next()?;
    ["4", "5", "6", "7", "8", "9", "10"].into_iter().find(|g| *g == head)
}

/// The clause groups each rule checks, for the per-clause percentages.
fn groups_of(rule: &str, f: &Facts) -> Vec<String> {
    match rule {
        "mandatory_documents" => {
            f.mandatory.iter().filter_map(|m| clause_group(&m.clause)).map(str::to_owned).collect()
        }
        "soa_approved" | "risks_accepted" | "controls_implemented" => vec!["6".into()],
        "controls_evidenced" | "checks_passing" => vec!["9".into()],
        "documents_reviewed" => vec!["7".into()],
        "internal_audit" | "management_review" => vec!["9".into()],
        "no_open_majors" | "actions_on_time" => vec!["10".into()],
        _ => vec![],
    }
}

/// Runs every rule for `stage` on `today`.
pub fn assess(f: &Facts, stage: Stage, today: Date) -> Readiness {
    let mut blockers = Vec::new();
    let mut warnings = Vec::new();
    let mut per_clause: Vec<(String, usize, usize)> =
        ["4", "5", "6", "7", "8", "9", "10"].iter().map(|g| ((*g).to_owned(), 0, 0)).collect();
    for (name, rule) in RULES {
        let found = rule(f, stage, today);
        // Each mandatory item is a check of its own clause; other rules one check each.
        if name == "mandatory_documents" {
            for m in &f.mandatory {
                if let Some(g) = clause_group(&m.clause)
                    && let Some(row) = per_clause.iter_mut().find(|r| r.0 == g)
                {
                    row.2 += 1;
                    row.1 += usize::from(m.satisfied);
                }
            }
        } else {
            let blocked = found.iter().any(|p| p.severity == Severity::Blocker);
            for g in groups_of(name, f) {
                if let Some(row) = per_clause.iter_mut().find(|r| r.0 == g) {
                    row.2 += 1;
                    row.1 += usize::from(!blocked);
                }
            }
        }
        for p in found {
            match p.severity {
                Severity::Blocker => blockers.push(p),
                Severity::Warning => warnings.push(p),
            }
        }
    }
    Readiness { stage, ready: blockers.is_empty(), blockers, warnings, clauses: per_clause, themes: themes(f) }
}

/// Per Annex A theme: how many applicable controls an auditor would find implemented
/// and evidenced.
fn themes(f: &Facts) -> Vec<(String, usize, usize)> {
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    for (theme, control) in &f.applicable_controls {
        let ready = !f.controls_not_implemented.iter().any(|(c, _)| c == control)
            && !f.controls_without_evidence.iter().any(|(c, _)| c == control);
        match out.iter_mut().find(|t| &t.0 == theme) {
            Some(t) => {
                t.1 += usize::from(ready);
                t.2 += 1;
            }
            None => out.push((theme.clone(), usize::from(ready), 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests;
