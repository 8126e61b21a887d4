//! The road to certification: the milestones in the order ISO/IEC 27001 certification
//! needs them, placed between today and a target date, and what makes a plan unable to
//! work (a Stage 1 before the internal audit, too little time operating the controls).
//!
//! The durations are our own planning defaults (see [`Milestone::default_days`]); the
//! minimum operating period is the one thing certification bodies state most often, and
//! it can be set per plan.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::dates::add_days;

/// A milestone on the road to certification, in the order they must come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// The ISMS scope is defined (4.3).
    Scope,
    /// The risk assessment is done (6.1.2, 8.2).
    RiskAssessment,
    /// Risk treatment is planned and the SoA approved (6.1.3, 8.3).
    RiskTreatment,
    /// The policies are approved (5.2 and the mandatory documents of 7.5).
    Policies,
    /// The controls operate, leaving records (8.1): from the policies to Stage 2.
    OperateControls,
    /// An internal audit covers the ISMS (9.2).
    InternalAudit,
    /// Top management reviews the ISMS (9.3).
    ManagementReview,
    /// The certification body's Stage 1 audit.
    Stage1,
    /// The certification body's Stage 2 audit.
    Stage2,
}

impl Milestone {
    /// Every milestone, in the required order.
    pub const ALL: [Milestone; 9] = [
        Milestone::Scope,
        Milestone::RiskAssessment,
        Milestone::RiskTreatment,
        Milestone::Policies,
        Milestone::OperateControls,
        Milestone::InternalAudit,
        Milestone::ManagementReview,
        Milestone::Stage1,
        Milestone::Stage2,
    ];

    /// The written name (`internal_audit`).
    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Scope => "scope",
            Milestone::RiskAssessment => "risk_assessment",
            Milestone::RiskTreatment => "risk_treatment",
            Milestone::Policies => "policies",
            Milestone::OperateControls => "operate_controls",
            Milestone::InternalAudit => "internal_audit",
            Milestone::ManagementReview => "management_review",
            Milestone::Stage1 => "stage1",
            Milestone::Stage2 => "stage2",
        }
    }

    /// Parses the written name (also with `-`).
    pub fn parse(s: &str) -> Option<Milestone> {
        let s = s.trim().replace('-', "_");
        Milestone::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            Milestone::Scope => "Scope defined",
            Milestone::RiskAssessment => "Risk assessment",
            Milestone::RiskTreatment => "Risk treatment and SoA approval",
            Milestone::Policies => "Policies approved",
            Milestone::OperateControls => "Operating the controls",
            Milestone::InternalAudit => "Internal audit",
            Milestone::ManagementReview => "Management review",
            Milestone::Stage1 => "Stage 1 audit",
            Milestone::Stage2 => "Stage 2 audit",
        }
    }

    /// The requirement it answers.
    pub fn clause(self) -> &'static str {
        match self {
            Milestone::Scope => "4.3",
            Milestone::RiskAssessment => "6.1.2",
            Milestone::RiskTreatment => "6.1.3",
            Milestone::Policies => "5.2",
            Milestone::OperateControls => "8.1",
            Milestone::InternalAudit => "9.2",
            Milestone::ManagementReview => "9.3",
            Milestone::Stage1 | Milestone::Stage2 => "ISO/IEC 17021-1",
        }
    }

    /// How many days it takes when nobody says otherwise: our own planning defaults for
    /// a small or mid-sized organization. The operating period is the plan's
    /// `min_operating_days` instead.
    pub fn default_days(self) -> i64 {
        match self {
            Milestone::Scope => 14,
            Milestone::RiskAssessment => 30,
            Milestone::RiskTreatment => 21,
            Milestone::Policies => 30,
            Milestone::OperateControls => 0,
            Milestone::InternalAudit => 10,
            Milestone::ManagementReview => 1,
            Milestone::Stage1 => 2,
            Milestone::Stage2 => 3,
        }
    }

    /// The milestone that must end before this one starts.
    pub fn after(self) -> Option<Milestone> {
        match self {
            Milestone::Scope => None,
            Milestone::RiskAssessment => Some(Milestone::Scope),
            Milestone::RiskTreatment => Some(Milestone::RiskAssessment),
            Milestone::Policies => Some(Milestone::RiskTreatment),
            Milestone::OperateControls => Some(Milestone::Policies),
            Milestone::InternalAudit => Some(Milestone::Policies),
            Milestone::ManagementReview => Some(Milestone::InternalAudit),
            Milestone::Stage1 => Some(Milestone::ManagementReview),
            Milestone::Stage2 => Some(Milestone::Stage1),
        }
    }
}

/// Dates set for a milestone (by the records, or by the person planning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Span {
    /// The first day.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub start: Date,
    /// The last day.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub end: Date,
}

/// Where a milestone's dates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(rename = "MilestoneSource"))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Done: the records say so (with the day, where they have it).
    Done,
    /// Planned in the records (an audit planned in isms).
    Records,
    /// Set in the plan.
    Plan,
    /// Placed by isms with the default durations.
    Estimated,
}

/// What the records and the plan say before scheduling.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Milestones done, with the day they were done when the records have it.
    pub done: Vec<(Milestone, Option<Date>)>,
    /// Milestones with dates already set.
    pub fixed: Vec<(Milestone, Span, Source)>,
}

/// A plan: the target and how long the controls must operate before Stage 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The first day of Stage 2, if one is aimed at.
    pub target: Option<Date>,
    /// The fewest days the controls must have operated when Stage 2 starts.
    pub min_operating_days: i64,
}

/// The operating period most certification bodies ask for before Stage 2 (three months).
pub const MIN_OPERATING_DAYS: i64 = 90;

/// The longest sensible time between Stage 1 and Stage 2 (six months): later, the
/// certification body may have to repeat Stage 1.
pub const MAX_STAGE_GAP_DAYS: i64 = 182;

/// The least time between Stage 1 and Stage 2, to close what Stage 1 found.
pub const MIN_STAGE_GAP_DAYS: i64 = 14;

/// One milestone placed on the calendar.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Placed {
    /// Which milestone.
    pub milestone: Milestone,
    /// What people call it.
    pub label: &'static str,
    /// The requirement it answers.
    pub clause: &'static str,
    /// The first day.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub start: Date,
    /// The last day.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub end: Date,
    /// Where the dates come from.
    pub source: Source,
}

/// How bad a problem with the plan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(rename = "RoadmapSeverity"))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The plan cannot work as it stands.
    Blocker,
    /// It can work, but something deserves a look.
    Warning,
}

/// A problem with the plan.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(rename = "RoadmapProblem"))]
pub struct Problem {
    /// How bad.
    pub severity: Severity,
    /// The milestones concerned.
    pub milestones: Vec<Milestone>,
    /// What is wrong and what to do, in words.
    pub message: String,
}

/// The milestones on the calendar and what makes the plan fail.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Roadmap {
    /// Today, as the plan was made.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub today: Date,
    /// The first day of Stage 2 aimed at, when one was given.
    #[serde(with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub target: Option<Date>,
    /// The earliest first day of Stage 2 that can work from today and the records.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub earliest_stage2: Date,
    /// The fewest days the controls must operate before Stage 2.
    pub min_operating_days: i64,
    /// Every milestone, in the required order.
    pub milestones: Vec<Placed>,
    /// What makes the plan fail, or deserves a look.
    pub problems: Vec<Problem>,
    /// True when no problem blocks the plan.
    pub workable: bool,
}

fn day(d: Date, n: i64) -> Date {
    add_days(d, n).unwrap_or(d)
}

fn days_between(a: Date, b: Date) -> i64 {
    (b - a).whole_days()
}

/// Places every milestone and checks the order. Done milestones keep their recorded
/// day (or end today when the records have none); fixed ones keep their dates; the rest
/// go as early as the order allows from today, or, when a target is given, the tail
/// (internal audit, management review, Stage 1, Stage 2) is placed backwards from it.
pub fn plan(today: Date, known: &Known, p: Plan) -> Roadmap {
    // A milestone done on a day the records do not keep is placed just before the
    // earliest later milestone done on a known day (or today).
    let mut done_on: Vec<(Milestone, Date)> = Vec::new();
    let mut later = today;
    for m in Milestone::ALL.into_iter().rev() {
        if let Some((_, on)) = known.done.iter().find(|(d, _)| *d == m) {
            let on = on.unwrap_or(later);
            later = later.min(on);
            done_on.push((m, on));
        }
    }
    let done = |m: Milestone| done_on.iter().find(|(d, _)| *d == m).map(|(_, on)| *on);
    let stage2_done = done(Milestone::Stage2).is_some();
    let fixed = |m: Milestone| known.fixed.iter().find(|(f, _, _)| *f == m).map(|(_, s, src)| (*s, *src));
    let min_operating = p.min_operating_days.max(0);
    // Forward: the earliest each milestone can be.
    let mut placed: Vec<Placed> = Vec::new();
    let place = |m: Milestone, placed: &Vec<Placed>, not_before: Date| -> Placed {
        let make = |span: Span, source| Placed {
            milestone: m,
            label: m.label(),
            clause: m.clause(),
            start: span.start,
            end: span.end,
            source,
        };
        if let Some(on) = done(m) {
            let start = fixed(m).map_or(on, |(s, _)| s.start.min(on));
            return make(Span { start, end: on }, Source::Done);
        }
        if let Some((span, src)) = fixed(m) {
            return make(span, src);
        }
        let after = m.after().and_then(|a| placed.iter().find(|x| x.milestone == a)).map(|x| day(x.end, 1));
        // The controls have operated since the policies came, even when that was long ago.
        let start = if m == Milestone::OperateControls {
            after.unwrap_or(today)
        } else {
            after.unwrap_or(today).max(today).max(not_before)
        };
        make(Span { start, end: day(start, (m.default_days() - 1).max(0)) }, Source::Estimated)
    };
    for m in Milestone::ALL {
        let mut not_before = today;
        if m == Milestone::Stage2 {
            let stage1 = placed.iter().find(|x| x.milestone == Milestone::Stage1).map_or(today, |x| x.end);
            let operating =
                placed.iter().find(|x| x.milestone == Milestone::OperateControls).map_or(today, |x| x.start);
            not_before = day(stage1, MIN_STAGE_GAP_DAYS).max(day(operating, min_operating));
        }
        let mut x = place(m, &placed, not_before);
        if m == Milestone::OperateControls && x.source == Source::Estimated {
            x.end = x.start; // set once Stage 2 is placed
        }
        placed.push(x);
    }
    let earliest_stage2 = placed[8].start;
    // Backward from the target: the tail goes as late as the target lets it.
    if let Some(target) = p.target {
        let tail = [Milestone::Stage2, Milestone::Stage1, Milestone::ManagementReview, Milestone::InternalAudit];
        let mut next_start = None;
        for m in tail {
            let i = m as usize;
            if placed[i].source != Source::Estimated {
                next_start = Some(placed[i].start);
                continue;
            }
            let end = match (m, next_start) {
                (Milestone::Stage2, _) => day(target, m.default_days() - 1),
                (Milestone::Stage1, Some(s2)) => day(s2, -30),
                (Milestone::ManagementReview, Some(s1)) => day(s1, -14),
                (_, Some(next)) => day(next, -7),
                (_, None) => placed[i].end,
            };
            let start = if m == Milestone::Stage2 { target } else { day(end, -(m.default_days() - 1)) };
            // Never earlier than the order allows.
            if start >= placed[i].start {
                placed[i].start = start;
                placed[i].end = end;
            }
            next_start = Some(placed[i].start);
        }
    }
    if placed[4].source == Source::Estimated {
        placed[4].end = day(placed[8].start, -1).max(placed[4].start);
        if stage2_done {
            placed[4].source = Source::Done;
        }
    }
    let mut problems = check(today, &placed, Plan { target: p.target.filter(|_| !stage2_done), ..p }, earliest_stage2);
    if let (Some(target), Some(done)) = (p.target, done(Milestone::Stage2)) {
        problems.push(Problem {
            severity: Severity::Warning,
            milestones: vec![Milestone::Stage2],
            message: format!(
                "Stage 2 was done on {done}, so the target {target} is not used: the certificate's surveillance audits come next"
            ),
        });
    }
    let workable = problems.iter().all(|x| x.severity != Severity::Blocker);
    Roadmap {
        today,
        target: p.target,
        earliest_stage2,
        min_operating_days: min_operating,
        milestones: placed,
        problems,
        workable,
    }
}

fn check(today: Date, placed: &[Placed], p: Plan, earliest: Date) -> Vec<Problem> {
    let mut out = Vec::new();
    let blocker =
        |ms: Vec<Milestone>, message: String| Problem { severity: Severity::Blocker, milestones: ms, message };
    let at = |m: Milestone| &placed[m as usize];
    if let Some(target) = p.target {
        if target < today {
            out.push(blocker(vec![Milestone::Stage2], format!("the target {target} is in the past")));
        } else if at(Milestone::Stage2).start > target {
            out.push(blocker(
                vec![Milestone::Stage2],
                format!(
                    "Stage 2 cannot start by {target}: from today and the records the earliest that can work is {earliest}"
                ),
            ));
        }
    }
    for x in placed {
        if x.end < x.start {
            out.push(blocker(
                vec![x.milestone],
                format!("{} ends ({}) before it starts ({})", x.label, x.end, x.start),
            ));
        }
        if x.source == Source::Done {
            continue;
        }
        // The milestone just before, and any set by the records or the plan further up
        // the chain: a Stage 1 set before the planned internal audit is named as such.
        let mut before = x.milestone.after();
        let mut first = true;
        while let Some(b) = before.map(at) {
            let named = first || matches!(b.source, Source::Plan | Source::Records);
            if named && x.milestone != Milestone::OperateControls && b.source != Source::Done && x.start <= b.end {
                out.push(blocker(
                    vec![b.milestone, x.milestone],
                    format!(
                        "{} ({}) is planned before {} ends ({}): it needs {} first",
                        x.label,
                        x.start,
                        b.label.to_lowercase(),
                        b.end,
                        b.label.to_lowercase()
                    ),
                ));
            }
            first = false;
            before = b.milestone.after();
        }
        if x.end < today && x.milestone != Milestone::OperateControls {
            out.push(Problem {
                severity: Severity::Warning,
                milestones: vec![x.milestone],
                message: format!("{} was planned to end {} and is not recorded as done", x.label, x.end),
            });
        }
    }
    let operate = at(Milestone::OperateControls);
    let s2 = at(Milestone::Stage2);
    if s2.source != Source::Done {
        let operated = days_between(operate.start, s2.start);
        if operated < p.min_operating_days {
            out.push(blocker(
                vec![Milestone::OperateControls, Milestone::Stage2],
                format!(
                    "the controls operate {operated} days before Stage 2 ({}), less than the {} days the certification body expects; Stage 2 on {} at the earliest",
                    s2.start,
                    p.min_operating_days,
                    day(operate.start, p.min_operating_days)
                ),
            ));
        }
        let s1 = at(Milestone::Stage1);
        let gap = days_between(s1.end, s2.start);
        if s1.source != Source::Done && (0..MIN_STAGE_GAP_DAYS).contains(&gap) {
            out.push(Problem {
                severity: Severity::Warning,
                milestones: vec![Milestone::Stage1, Milestone::Stage2],
                message: format!(
                    "only {gap} days between Stage 1 and Stage 2: little time to close what Stage 1 finds ({MIN_STAGE_GAP_DAYS} or more is usual)"
                ),
            });
        }
        if gap > MAX_STAGE_GAP_DAYS {
            out.push(Problem {
                severity: Severity::Warning,
                milestones: vec![Milestone::Stage1, Milestone::Stage2],
                message: format!(
                    "{gap} days between Stage 1 and Stage 2: after about six months the certification body may repeat Stage 1"
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 07);

    fn plan_of(known: &Known, target: Option<Date>) -> Roadmap {
        plan(TODAY, known, Plan { target, min_operating_days: MIN_OPERATING_DAYS })
    }

    #[test]
    fn from_nothing_the_milestones_come_in_the_required_order_and_the_earliest_stage_2_leaves_the_operating_period() {
        let r = plan_of(&Known::default(), None);
        assert!(r.workable, "{:?}", r.problems);
        let order: Vec<Milestone> = r.milestones.iter().map(|m| m.milestone).collect();
        assert_eq!(order, Milestone::ALL);
        for w in r.milestones.windows(2) {
            if w[1].milestone != Milestone::InternalAudit {
                assert!(w[1].start >= w[0].start, "{:?} before {:?}", w[1], w[0]);
            }
        }
        let operate = &r.milestones[Milestone::OperateControls as usize];
        assert!(days_between(operate.start, r.earliest_stage2) >= MIN_OPERATING_DAYS);
        assert_eq!(r.milestones[Milestone::Stage2 as usize].start, r.earliest_stage2);
    }

    #[test]
    fn a_stage_1_planned_before_the_internal_audit_blocks_the_plan() {
        let known = Known {
            done: vec![],
            fixed: vec![
                (
                    Milestone::InternalAudit,
                    Span { start: date!(2027 - 07 - 01), end: date!(2027 - 07 - 10) },
                    Source::Plan,
                ),
                (Milestone::Stage1, Span { start: date!(2027 - 06 - 15), end: date!(2027 - 06 - 16) }, Source::Plan),
            ],
        };
        let r = plan_of(&known, Some(date!(2027 - 09 - 01)));
        assert!(!r.workable);
        assert!(
            r.problems.iter().any(|p| p.severity == Severity::Blocker
                && p.milestones == [Milestone::InternalAudit, Milestone::Stage1]
                && p.message.contains("Stage 1 audit (2027-06-15) is planned before internal audit ends (2027-07-10)")),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn a_target_that_leaves_too_little_operating_time_blocks_the_plan_and_names_the_earliest_date() {
        let r = plan_of(&Known::default(), Some(date!(2027 - 03 - 01)));
        assert!(!r.workable);
        let text: Vec<&str> = r.problems.iter().map(|p| p.message.as_str()).collect();
        assert!(text.iter().any(|t| t.contains("the earliest that can work is")), "{text:?}");
        // The same organization with its first four steps done can make a later date.
        let done = Known {
            done: vec![
                (Milestone::Scope, Some(date!(2026 - 09 - 01))),
                (Milestone::RiskAssessment, Some(date!(2026 - 10 - 01))),
                (Milestone::RiskTreatment, Some(date!(2026 - 10 - 20))),
                (Milestone::Policies, Some(date!(2026 - 11 - 01))),
            ],
            fixed: vec![],
        };
        let r = plan_of(&done, Some(date!(2027 - 03 - 01)));
        assert!(r.workable, "{:?}", r.problems);
        assert_eq!(r.milestones[Milestone::Stage2 as usize].start, date!(2027 - 03 - 01));
        // The tail is placed backwards from the target, in order.
        let at = |m: Milestone| r.milestones[m as usize].clone();
        assert!(at(Milestone::InternalAudit).end < at(Milestone::ManagementReview).start);
        assert!(at(Milestone::ManagementReview).end < at(Milestone::Stage1).start);
        assert!(at(Milestone::Stage1).end < at(Milestone::Stage2).start);
    }

    #[test]
    fn a_stage_2_hard_on_stage_1_and_one_too_far_from_it_are_warned_about() {
        let fixed = |s1: Date, s2: Date| Known {
            done: vec![],
            fixed: vec![
                (Milestone::Stage1, Span { start: s1, end: s1 }, Source::Records),
                (Milestone::Stage2, Span { start: s2, end: day(s2, 2) }, Source::Records),
            ],
        };
        let near = plan_of(&fixed(date!(2027 - 09 - 01), date!(2027 - 09 - 05)), None);
        assert!(near.problems.iter().any(|p| p.message.contains("only 4 days between Stage 1 and Stage 2")));
        let far = plan_of(&fixed(date!(2027 - 09 - 01), date!(2028 - 06 - 01)), None);
        assert!(far.problems.iter().any(|p| p.message.contains("may repeat Stage 1")), "{:?}", far.problems);
    }

    #[test]
    fn a_certified_organization_has_its_milestones_done_in_order_and_no_target_to_miss() {
        let known = Known {
            done: vec![
                (Milestone::Scope, None),
                (Milestone::RiskAssessment, None),
                (Milestone::RiskTreatment, Some(date!(2025 - 10 - 01))),
                (Milestone::Policies, None),
                (Milestone::InternalAudit, Some(date!(2025 - 11 - 29))),
                (Milestone::ManagementReview, Some(date!(2025 - 12 - 26))),
                (Milestone::Stage1, Some(date!(2026 - 01 - 11))),
                (Milestone::Stage2, Some(date!(2026 - 02 - 22))),
            ],
            fixed: vec![],
        };
        let r = plan_of(&known, Some(date!(2026 - 02 - 19)));
        assert!(r.workable, "{:?}", r.problems);
        assert!(r.problems.iter().any(|p| p.message.contains("the target 2026-02-19 is not used")), "{:?}", r.problems);
        let at = |m: Milestone| r.milestones[m as usize].clone();
        assert_eq!(at(Milestone::Policies).end, date!(2025 - 11 - 29), "placed before the next known day");
        assert!(at(Milestone::Scope).end <= at(Milestone::RiskTreatment).end);
        assert_eq!(at(Milestone::OperateControls).end, date!(2026 - 02 - 21));
    }

    #[test]
    fn a_target_in_the_past_is_refused_and_milestones_parse_by_name() {
        let r = plan_of(&Known::default(), Some(date!(2026 - 01 - 01)));
        assert!(r.problems.iter().any(|p| p.message.contains("is in the past")));
        assert_eq!(Milestone::parse("internal-audit"), Some(Milestone::InternalAudit));
        assert_eq!(Milestone::parse("stage3"), None);
    }
}

/// How far a clause or control is from its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum GapLevel {
    /// At the target.
    None,
    /// In place, but without the current evidence an auditor samples.
    Evidence,
    /// Partly in place.
    Partial,
    /// Not in place.
    Full,
}

impl GapLevel {
    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            GapLevel::None => "none",
            GapLevel::Evidence => "evidence missing",
            GapLevel::Partial => "partial",
            GapLevel::Full => "full",
        }
    }
}

/// Person-days to close a control's gap: our own planning defaults by Annex A theme
/// (organizational 3, people 2, physical 3, technological 5 days for a control built
/// from nothing), scaled by how far it is (a plan is a tenth of the work, a partial
/// control half, collecting evidence for one in place a quarter of a day per theme day).
pub fn control_effort_days(theme: &str, gap: GapLevel, planned: bool) -> f64 {
    let base = match theme {
        "A.5" => 3.0,
        "A.6" => 2.0,
        "A.7" => 3.0,
        _ => 5.0,
    };
    match gap {
        GapLevel::None => 0.0,
        GapLevel::Evidence => base * 0.25,
        GapLevel::Partial => base * 0.5,
        GapLevel::Full if planned => base * 0.9,
        GapLevel::Full => base,
    }
}

/// Person-days to put a management-system clause in place from nothing: our own
/// planning defaults.
pub fn clause_effort_days(clause: &str) -> f64 {
    match clause {
        "4.1" | "4.2" | "5.3" | "6.2" => 2.0,
        "4.3" | "5.2" => 3.0,
        "6.1.2" => 10.0,
        "6.1.3" => 5.0,
        "7.5" => 8.0,
        "9.2" | "9.2.2" => 5.0,
        "9.3" | "9.3.3" => 2.0,
        _ => 2.0,
    }
}
