//! The gap analysis and the roadmap to certification: per management-system clause and
//! per Annex A control, where the records say the organization stands, the target, the
//! gap, the owner and an effort estimate; and the milestones from today to a target
//! Stage 2, in their required order, with what makes the plan fail.

use isms_domain::access::UseCase;
use isms_domain::audit::{AuditKind, AuditStatus};
use isms_domain::roadmap::{
    self, GapLevel, Known, MIN_OPERATING_DAYS, Milestone, Plan, Roadmap, Severity, Source, Span, clause_effort_days,
    control_effort_days,
};
use isms_domain::soa::ControlStatus;
use isms_reports::table::Table;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::access::Actor;
use crate::export::{DocFormat, failed};
use crate::{AppResult, Cx};

/// What the person planning says: the target, the operating period, and dates they
/// have set for milestones (these win over the records' planned audits, never over what
/// is done).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// The first day of Stage 2 aimed at (`YYYY-MM-DD`); default: the Stage 2 planned
    /// in the records, else none (the earliest date that can work is shown).
    #[serde(default, with = "isms_domain::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub target: Option<Date>,
    /// The fewest days the controls must have operated when Stage 2 starts (default 90).
    #[serde(default)]
    pub min_operating_days: Option<i64>,
    /// Dates set per milestone: `scope`, `risk_assessment`, `risk_treatment`,
    /// `policies`, `operate_controls`, `internal_audit`, `management_review`, `stage1`,
    /// `stage2`.
    #[serde(default)]
    pub milestones: std::collections::BTreeMap<String, Span>,
}

/// One line of the gap analysis.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GapRow {
    /// The clause (`6.1.2`) or control (`A.5.15`).
    pub reference: String,
    /// `clause` or `control`.
    pub kind: &'static str,
    /// Its short title.
    pub title: String,
    /// Where the records say it stands.
    pub current: String,
    /// What certification needs.
    pub target: String,
    /// How far it is.
    pub gap: GapLevel,
    /// Who owns closing it.
    pub owner: Option<String>,
    /// Person-days to close it (our planning defaults; see [`roadmap::control_effort_days`]).
    pub effort_days: f64,
    /// Where to work on it.
    pub link: String,
}

/// The gap analysis with its roadmap.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GapAnalysis {
    /// The organization.
    pub organization: String,
    /// Clauses first, then the Annex A controls in order.
    pub rows: Vec<GapRow>,
    /// Rows with a gap.
    pub open: usize,
    /// Person-days to close every gap.
    pub effort_days: f64,
    /// Person-days per owner, largest first ("nobody" for gaps without an owner).
    pub effort_by_owner: Vec<(String, f64)>,
    /// The roadmap to certification.
    pub roadmap: Roadmap,
}

fn span(start: Date, end: Date) -> Span {
    Span { start, end }
}

/// The gap analysis and the roadmap for the actor's organization.
pub async fn gap_analysis(cx: &Cx, actor: &Actor, input: &PlanInput) -> AppResult<GapAnalysis> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let today = cx.clock.today();
    let status = crate::status::status(cx, actor).await?;
    let facts = crate::certification::facts_of(cx, org).await?;
    let controls = crate::controls::controls_of(cx, org).await?;
    let organization = cx.read().await?.organization(org).await?.name.to_string();
    let owner = {
        let mut tx = cx.read().await?;
        let members = tx.members(org).await?;
        // The ISMS manager runs the clauses (5.3); without one, the organization's owner.
        let with = |role| members.iter().find(|(_, m)| m.role == role).map(|(u, _)| u.display_name.to_string());
        with(isms_domain::user::Role::IsmsManager).or_else(|| with(isms_domain::user::Role::Owner))
    };
    let mut rows = Vec::new();
    for c in &status.clauses {
        let gap = if c.ok { GapLevel::None } else { GapLevel::Full };
        rows.push(GapRow {
            reference: c.clause.to_owned(),
            kind: "clause",
            title: c.title.to_owned(),
            current: c.detail.clone(),
            target: "in place, with its documented information".to_owned(),
            gap,
            owner: owner.clone(),
            effort_days: if c.ok { 0.0 } else { clause_effort_days(c.clause) },
            link: c.link.to_owned(),
        });
    }
    let unevidenced: std::collections::HashSet<&str> =
        facts.controls_without_evidence.iter().map(|(id, _)| id.as_str()).collect();
    for c in &controls {
        let r = &c.record;
        let excluded = !r.applicable || r.status == ControlStatus::NotApplicable;
        let (gap, current) = if excluded {
            (GapLevel::None, format!("excluded: {}", r.justification.as_deref().unwrap_or("no justification yet")))
        } else {
            match r.status {
                ControlStatus::Implemented if unevidenced.contains(r.control.as_str()) => {
                    (GapLevel::Evidence, "implemented, no current evidence".to_owned())
                }
                ControlStatus::Implemented => (GapLevel::None, "implemented, evidenced".to_owned()),
                ControlStatus::PartiallyImplemented => (GapLevel::Partial, "partially implemented".to_owned()),
                ControlStatus::Planned => (
                    GapLevel::Full,
                    match r.target_date {
                        Some(d) => format!("planned for {d}"),
                        None => "planned".to_owned(),
                    },
                ),
                _ => (GapLevel::Full, "not started".to_owned()),
            }
        };
        rows.push(GapRow {
            reference: r.control.clone(),
            kind: "control",
            title: c.title.clone(),
            current,
            target: if excluded {
                "excluded with a justification".to_owned()
            } else {
                "implemented, with current evidence".to_owned()
            },
            gap,
            owner: c.owner_name.clone(),
            effort_days: control_effort_days(&c.theme, gap, r.status == ControlStatus::Planned),
            link: format!("/controls/{}", r.control),
        });
    }
    let open = rows.iter().filter(|r| r.gap != GapLevel::None).count();
    let effort_days = rows.iter().map(|r| r.effort_days).sum();
    let mut by_owner: std::collections::BTreeMap<String, f64> = std::collections::BTreeMap::new();
    for r in rows.iter().filter(|r| r.effort_days > 0.0) {
        *by_owner.entry(r.owner.clone().unwrap_or_else(|| "nobody".to_owned())).or_default() += r.effort_days;
    }
    let mut effort_by_owner: Vec<(String, f64)> = by_owner.into_iter().collect();
    effort_by_owner.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    // What the records say about the milestones.
    let ok = |clause: &str| status.clauses.iter().any(|c| c.clause == clause && c.ok);
    let mut known = Known::default();
    if ok("4.3") {
        known.done.push((Milestone::Scope, None));
    }
    if ok("6.1.2") {
        known.done.push((Milestone::RiskAssessment, None));
    }
    if facts.soa_approved {
        let first = crate::soa::soa_versions(cx, actor).await?.iter().map(|v| v.approved_at.date()).min();
        known.done.push((Milestone::RiskTreatment, first));
    }
    if ok("5.2") {
        known.done.push((Milestone::Policies, None));
    }
    if let Some(d) = facts.internal_audits.iter().map(|(_, d, _)| *d).max() {
        known.done.push((Milestone::InternalAudit, Some(d)));
    }
    if let Some(d) = facts.management_reviews.iter().filter(|(_, _, complete)| *complete).map(|(_, d, _)| *d).max() {
        known.done.push((Milestone::ManagementReview, Some(d)));
    }
    let audits = crate::certification::audits(cx, actor).await?;
    for (kind, m) in [
        (AuditKind::Internal, Milestone::InternalAudit),
        (AuditKind::Stage1, Milestone::Stage1),
        (AuditKind::Stage2, Milestone::Stage2),
    ] {
        if let Some(a) =
            audits.iter().filter(|a| a.kind == kind && a.status == AuditStatus::Completed).max_by_key(|a| a.end)
            && !known.done.iter().any(|(d, _)| *d == m)
        {
            known.done.push((m, Some(a.end)));
            known.fixed.push((m, span(a.start, a.end), Source::Records));
        }
        if let Some(a) = audits
            .iter()
            .filter(|a| a.kind == kind && matches!(a.status, AuditStatus::Planned | AuditStatus::InProgress))
            .min_by_key(|a| a.start)
        {
            known.fixed.push((m, span(a.start, a.end), Source::Records));
        }
    }
    // The plan's dates win over the records' planned ones.
    for (name, s) in &input.milestones {
        let m = Milestone::parse(name).ok_or_else(|| {
            crate::AppError::invalid_field(
                "milestones",
                format!("{name:?} is not a milestone: use {}", Milestone::ALL.map(Milestone::as_str).join(", ")),
            )
        })?;
        if s.end < s.start {
            return Err(crate::AppError::invalid_field(
                "milestones",
                format!("{name}: the end ({}) is before the start ({})", s.end, s.start),
            ));
        }
        known.fixed.retain(|(f, _, src)| *f != m || *src == Source::Done);
        known.fixed.insert(0, (m, *s, Source::Plan));
    }
    let min_operating_days = input.min_operating_days.unwrap_or(MIN_OPERATING_DAYS);
    if !(0..=730).contains(&min_operating_days) {
        return Err(crate::AppError::invalid_field(
            "min_operating_days",
            format!("{min_operating_days} is not between 0 and 730 days"),
        ));
    }
    let target = input.target.or_else(|| {
        audits
            .iter()
            .filter(|a| {
                a.kind == AuditKind::Stage2 && matches!(a.status, AuditStatus::Planned | AuditStatus::InProgress)
            })
            .map(|a| a.start)
            .min()
    });
    let roadmap = roadmap::plan(today, &known, Plan { target, min_operating_days });
    Ok(GapAnalysis { organization, rows, open, effort_days, effort_by_owner, roadmap })
}

/// Rounds person-days for people (`2.5`, `3`).
pub fn person_days(n: f64) -> String {
    if n == n.trunc() { format!("{n:.0}") } else { format!("{n:.1}") }
}

/// The gap rows as a table.
pub fn gap_table(g: &GapAnalysis) -> Table {
    Table {
        title: "Gap analysis".to_owned(),
        subtitle: format!(
            "{} — {} — {} open gaps, about {} person-days",
            g.organization,
            g.roadmap.today,
            g.open,
            person_days(g.effort_days)
        ),
        headers: ["Reference", "Kind", "Title", "Current state", "Target", "Gap", "Owner", "Effort (person-days)"]
            .map(String::from)
            .to_vec(),
        rows: g
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.reference.clone(),
                    r.kind.to_owned(),
                    r.title.clone(),
                    r.current.clone(),
                    r.target.clone(),
                    r.gap.label().to_owned(),
                    r.owner.clone().unwrap_or_default(),
                    person_days(r.effort_days),
                ]
            })
            .collect(),
        widths: vec![11, 9, 40, 36, 30, 14, 22, 12],
    }
}

fn source_words(s: Source) -> &'static str {
    match s {
        Source::Done => "done (records)",
        Source::Records => "planned in isms",
        Source::Plan => "set in the plan",
        Source::Estimated => "estimated",
    }
}

/// The roadmap's milestones and problems as a table.
pub fn roadmap_table(g: &GapAnalysis) -> Table {
    let r = &g.roadmap;
    let mut rows: Vec<Vec<String>> = r
        .milestones
        .iter()
        .map(|m| {
            vec![
                m.label.to_owned(),
                m.clause.to_owned(),
                m.start.to_string(),
                m.end.to_string(),
                source_words(m.source).to_owned(),
            ]
        })
        .collect();
    for p in &r.problems {
        let tag = if p.severity == Severity::Blocker { "BLOCKER" } else { "warning" };
        rows.push(vec![tag.to_owned(), String::new(), String::new(), String::new(), p.message.clone()]);
    }
    Table {
        title: "Roadmap".to_owned(),
        subtitle: format!(
            "{} — target Stage 2: {} — earliest that can work: {} — {}",
            g.organization,
            r.target.map_or_else(|| "none set".to_owned(), |d| d.to_string()),
            r.earliest_stage2,
            if r.workable { "the plan can work" } else { "the plan cannot work as it stands" }
        ),
        headers: ["Milestone", "Requirement", "Start", "End", "Dates from"].map(String::from).to_vec(),
        rows,
        widths: vec![32, 16, 12, 12, 60],
    }
}

/// The gap analysis as a document for management: XLSX (a sheet each for the gaps and
/// the roadmap), CSV (the gaps), Markdown (both, with the problems) or JSON.
pub fn gap_report(g: &GapAnalysis, format: DocFormat) -> AppResult<Vec<u8>> {
    match format {
        DocFormat::Xlsx => isms_reports::table::xlsx_sheets(&[gap_table(g), roadmap_table(g)]).map_err(|e| failed(&e)),
        DocFormat::Csv | DocFormat::Pdf => crate::export::render_table(&gap_table(g), format),
        DocFormat::Json => serde_json::to_vec_pretty(g).map_err(|e| failed(&e)),
        DocFormat::Md => {
            let mut out = crate::export::render_table(&gap_table(g), DocFormat::Md)?;
            out.extend_from_slice(b"\n");
            out.extend(crate::export::render_table(&roadmap_table(g), DocFormat::Md)?);
            Ok(out)
        }
    }
}

/// The roadmap as an SVG timeline: one bar per milestone on a month scale, done ones
/// filled, today and the target marked, and the problems listed under it.
pub fn roadmap_svg(g: &GapAnalysis) -> String {
    let r = &g.roadmap;
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let first = r.milestones.iter().map(|m| m.start).min().unwrap_or(r.today).min(r.today);
    let last = r.milestones.iter().map(|m| m.end).max().unwrap_or(r.today).max(r.target.unwrap_or(r.today));
    let from = Date::from_calendar_date(first.year(), first.month(), 1).unwrap_or(first);
    let span_days = ((last - from).whole_days() + 31).max(60) as f64;
    let (left, width, row_h, top) = (270.0, 700.0, 30.0, 70.0);
    let x = |d: Date| left + (d - from).whole_days() as f64 / span_days * width;
    let height = top + row_h * r.milestones.len() as f64 + 70.0 + 20.0 * r.problems.len() as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" \
         font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\" role=\"img\" aria-labelledby=\"roadmap-title\">\n\
         <title id=\"roadmap-title\">Roadmap to ISO/IEC 27001 certification: {org}</title>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         <text x=\"16\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Roadmap to certification — {org}</text>\n\
         <text x=\"16\" y=\"44\" fill=\"#555\">{line}</text>\n",
        w = left + width + 30.0,
        org = esc(&g.organization),
        line = match r.milestones.iter().find(|m| m.milestone == Milestone::Stage2 && m.source == Source::Done) {
            Some(s2) =>
                format!("Today {}; Stage 2 done {}: the certificate cycle continues with surveillance", r.today, s2.end),
            None => format!(
                "Today {}; target Stage 2 {}; earliest that can work {}",
                r.today,
                r.target.map_or_else(|| "not set".to_owned(), |d| d.to_string()),
                r.earliest_stage2
            ),
        },
    );
    // Month ticks.
    let mut month = from;
    while month <= last {
        let mx = x(month);
        svg.push_str(&format!(
            "<line x1=\"{mx:.1}\" y1=\"{top0:.1}\" x2=\"{mx:.1}\" y2=\"{bottom:.1}\" stroke=\"#e5e7eb\"/>\
             <text x=\"{tx:.1}\" y=\"{ty:.1}\" fill=\"#6b7280\" font-size=\"10\">{y}-{m:02}</text>\n",
            top0 = top - 12.0,
            bottom = top + row_h * r.milestones.len() as f64,
            tx = mx + 2.0,
            ty = top - 2.0,
            y = month.year(),
            m = u8::from(month.month()),
        ));
        let next = month.month().next();
        let year = if next == time::Month::January { month.year() + 1 } else { month.year() };
        month = match Date::from_calendar_date(year, next, 1) {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    let blocked: Vec<Milestone> = r
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Blocker)
        .flat_map(|p| p.milestones.iter().copied())
        .collect();
    for (i, m) in r.milestones.iter().enumerate() {
        let y = top + row_h * i as f64;
        let (x0, x1) = (x(m.start), x(m.end).max(x(m.start) + 4.0));
        let fill = match m.source {
            Source::Done => "#16a34a",
            Source::Records | Source::Plan => "#2452b8",
            Source::Estimated => "#93c5fd",
        };
        let stroke = if blocked.contains(&m.milestone) { " stroke=\"#b42318\" stroke-width=\"2\"" } else { "" };
        svg.push_str(&format!(
            "<g data-milestone=\"{id}\"><text x=\"16\" y=\"{ty:.1}\">{label} <tspan fill=\"#6b7280\">({clause})</tspan></text>\
             <rect x=\"{x0:.1}\" y=\"{ry:.1}\" width=\"{bw:.1}\" height=\"16\" rx=\"3\" fill=\"{fill}\"{stroke}>\
             <title>{label}: {start} to {end}, {src}</title></rect></g>\n",
            id = m.milestone.as_str(),
            ty = y + 13.0,
            label = esc(m.label),
            clause = esc(m.clause),
            ry = y + 1.0,
            bw = x1 - x0,
            start = m.start,
            end = m.end,
            src = source_words(m.source),
        ));
    }
    let bottom = top + row_h * r.milestones.len() as f64;
    let tx = x(r.today);
    svg.push_str(&format!(
        "<line x1=\"{tx:.1}\" y1=\"{t:.1}\" x2=\"{tx:.1}\" y2=\"{bottom:.1}\" stroke=\"#111827\" stroke-dasharray=\"4 3\"/>\
         <text x=\"{lx:.1}\" y=\"{ly:.1}\" font-size=\"10\">today</text>\n",
        t = top - 12.0,
        lx = tx + 3.0,
        ly = bottom + 12.0,
    ));
    if let Some(target) = r.target {
        let gx = x(target);
        svg.push_str(&format!(
            "<line x1=\"{gx:.1}\" y1=\"{t:.1}\" x2=\"{gx:.1}\" y2=\"{bottom:.1}\" stroke=\"#b54708\" stroke-width=\"2\"/>\
             <text x=\"{lx:.1}\" y=\"{ly:.1}\" font-size=\"10\" fill=\"#b54708\">target</text>\n",
            t = top - 12.0,
            lx = gx + 3.0,
            ly = bottom + 24.0,
        ));
    }
    let legend_y = bottom + 44.0;
    for (i, (fill, words)) in
        [("#16a34a", "done (records)"), ("#2452b8", "planned in isms or set in the plan"), ("#93c5fd", "estimated")]
            .iter()
            .enumerate()
    {
        let lx = 16.0 + 230.0 * i as f64;
        svg.push_str(&format!(
            "<rect x=\"{lx:.1}\" y=\"{ry:.1}\" width=\"14\" height=\"10\" fill=\"{fill}\"/>\
             <text x=\"{tx:.1}\" y=\"{legend_y:.1}\" font-size=\"11\" fill=\"#374151\">{words}</text>\n",
            ry = legend_y - 9.0,
            tx = lx + 20.0,
        ));
    }
    for (i, p) in r.problems.iter().enumerate() {
        let (tag, colour) =
            if p.severity == Severity::Blocker { ("Cannot work", "#b42318") } else { ("Warning", "#b54708") };
        svg.push_str(&format!(
            "<text x=\"16\" y=\"{y:.1}\" fill=\"{colour}\" class=\"problem\">{tag}: {msg}</text>\n",
            y = bottom + 70.0 + 20.0 * i as f64,
            msg = esc(&p.message),
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// The analysis in one line: the open gaps by kind and the effort.
pub fn summary(g: &GapAnalysis) -> String {
    format!(
        "{} open gaps ({} clauses, {} controls), about {} person-days",
        g.open,
        g.rows.iter().filter(|r| r.kind == "clause" && r.gap != GapLevel::None).count(),
        g.rows.iter().filter(|r| r.kind == "control" && r.gap != GapLevel::None).count(),
        person_days(g.effort_days)
    )
}
