//! The views auditors ask for: the heat map, the treatment plan, and the register and
//! the plan as tables.

use super::*;

/// Risk counts per cell of the matrix, with the methodology they were counted under.
pub async fn heat_map(cx: &Cx, actor: &Actor, kind: HeatMapKind) -> AppResult<(Methodology, Vec<Vec<usize>>)> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let m = methodology_of(cx, org).await?;
    let risks = registers::list::<Risk>(cx, org).await?;
    let counts = heat_counts(&risks, &m, kind);
    Ok((m, counts))
}

/// One step of the risk treatment plan, with its risk.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PlanStep {
    /// The risk's id.
    pub risk: String,
    /// The risk's title.
    pub risk_title: String,
    /// The residual level the plan aims at.
    pub residual_level: String,
    /// The action.
    pub action: isms_domain::risk::TreatmentAction,
    /// True when its due date has passed and it is not done.
    pub overdue: bool,
}

/// The risk treatment plan (6.1.3 e, 8.3): every action of every risk, by due date.
pub async fn treatment_plan(cx: &Cx, actor: &Actor) -> AppResult<Vec<PlanStep>> {
    actor.require(UseCase::ReadIsms)?;
    let today = cx.clock.today();
    let mut steps: Vec<PlanStep> = risks_of(cx, actor.org())
        .await?
        .into_iter()
        .flat_map(|r| {
            let level = r.residual_level.clone();
            r.risk
                .actions
                .iter()
                .map(move |a| PlanStep {
                    risk: r.risk.id.clone(),
                    risk_title: r.risk.title.clone(),
                    residual_level: level.clone(),
                    overdue: a.due < today && a.status != isms_domain::risk::ActionStatus::Done,
                    action: a.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    steps.sort_by(|a, b| a.action.due.cmp(&b.action.due).then(a.risk.cmp(&b.risk)));
    Ok(steps)
}

/// The risk reports: the register and the treatment plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskReport {
    /// The risk register.
    Register,
    /// The risk treatment plan (6.1.3 e).
    Plan,
}

/// A risk report as a table, ready to render (see [`crate::export::render_table`]).
pub async fn risk_table(cx: &Cx, actor: &Actor, report: RiskReport) -> AppResult<isms_reports::table::Table> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let name = cx.read().await?.organization(org).await?.name;
    let m = methodology_of(cx, org).await?;
    let subtitle = format!("{name} · methodology version {} · exported {} by isms", m.version, cx.clock.today());
    let table = match report {
        RiskReport::Register => {
            let all = risks_of(cx, org).await?;
            isms_reports::table::Table {
                title: "Risk register".into(),
                subtitle,
                headers: [
                    "ID",
                    "Title",
                    "Owner",
                    "Threat",
                    "Vulnerability",
                    "Assets",
                    "Inherent (L×I)",
                    "Inherent level",
                    "Treatment",
                    "Controls",
                    "Residual (L×I)",
                    "Residual level",
                    "Acceptance",
                    "Next review",
                ]
                .map(String::from)
                .to_vec(),
                rows: all
                    .iter()
                    .map(|r| {
                        let k = &r.risk;
                        vec![
                            k.id.clone(),
                            k.title.clone(),
                            k.owner.clone(),
                            k.threat.clone(),
                            k.vulnerability.clone(),
                            k.assets.join("; "),
                            format!("{}×{}", k.inherent.likelihood, k.inherent.impact),
                            r.inherent_level.clone(),
                            format!("{:?}", k.treatment).to_lowercase(),
                            k.controls.join("; "),
                            format!("{}×{}", k.residual.likelihood, k.residual.impact),
                            r.residual_level.clone(),
                            match (&k.acceptance, r.acceptance_state) {
                                (Some(a), AcceptanceState::Accepted) => {
                                    format!("accepted by {} on {}", a.by, a.at.date())
                                }
                                (_, s) => s.label().to_owned(),
                            },
                            k.next_review.to_string(),
                        ]
                    })
                    .collect(),
                widths: vec![9, 34, 26, 24, 28, 16, 10, 10, 10, 22, 10, 10, 30, 12],
            }
        }
        RiskReport::Plan => {
            let plan = treatment_plan(cx, actor).await?;
            isms_reports::table::Table {
                title: "Risk treatment plan".into(),
                subtitle,
                headers: ["Due", "Risk", "Risk title", "Residual level", "Action", "Owner", "Status", "Overdue"]
                    .map(String::from)
                    .to_vec(),
                rows: plan
                    .iter()
                    .map(|p| {
                        vec![
                            p.action.due.to_string(),
                            p.risk.clone(),
                            p.risk_title.clone(),
                            p.residual_level.clone(),
                            p.action.title.clone(),
                            p.action.owner.clone(),
                            p.action.status.as_str().to_owned(),
                            if p.overdue { "yes".into() } else { "no".into() },
                        ]
                    })
                    .collect(),
                widths: vec![12, 9, 32, 12, 40, 26, 12, 9],
            }
        }
    };
    Ok(table)
}
