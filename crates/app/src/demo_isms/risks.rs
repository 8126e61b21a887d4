//! The demo's risk register.

use super::*;

/// About sixty risks built from the threat catalog against the demo's assets, with
/// treatment actions and acceptances where the methodology calls for them; a few are
/// left unaccepted or due for review so the views have something to show.
pub(super) async fn seed_risks(cx: &Cx, op: &Actor) -> AppResult<()> {
    let org = op.org();
    use isms_domain::risk::{ActionStatus, Rating, Risk, TreatmentAction, TreatmentOption};

    use crate::risks::{accept_risk, add_risk};

    // Which asset each threat mostly concerns (ids follow the order of `assets()`).
    let primary = |threat: &str| -> &'static str {
        match threat {
            "T-01" | "T-05" | "T-08" | "T-12" | "T-13" | "T-15" | "T-23" | "T-35" => "AST-009",
            "T-02" | "T-03" | "T-09" | "T-20" => "AST-014",
            "T-04" | "T-10" | "T-19" => "AST-010",
            "T-06" | "T-16" | "T-29" => "AST-026",
            "T-07" | "T-32" | "T-33" => "AST-015",
            "T-11" | "T-26" | "T-27" => "AST-001",
            "T-14" => "AST-006",
            "T-17" => "AST-003",
            "T-18" | "T-37" => "AST-004",
            "T-21" | "T-22" => "AST-033",
            "T-24" | "T-40" => "AST-020",
            "T-25" => "AST-002",
            "T-28" => "AST-011",
            "T-30" => "AST-040",
            "T-31" => "AST-018",
            "T-34" => "AST-013",
            "T-36" => "AST-035",
            "T-38" => "AST-003",
            "T-39" => "AST-015",
            _ => "AST-009",
        }
    };
    let owner_of = |threat: &str| -> &'static str {
        match threat {
            "T-02" | "T-03" | "T-18" | "T-20" | "T-36" | "T-37" => HR,
            "T-06" | "T-24" | "T-25" | "T-26" | "T-27" | "T-29" | "T-40" => MANAGER,
            "T-01" | "T-13" | "T-22" => OWNER,
            _ => IT,
        }
    };
    let secondary =
        ["AST-013", "AST-006", "AST-012", "AST-021", "AST-023", "AST-038", "AST-024", "AST-027", "AST-028", "AST-017"];
    let today = cx.clock.today();
    let threats = isms_catalog::threats();
    let mut plan: Vec<(String, String, &str)> =
        threats.iter().map(|t| (t.id.clone(), primary(&t.id).to_owned(), "")).collect();
    for (n, t) in threats.iter().step_by(2).take(20).enumerate() {
        plan.push((t.id.clone(), secondary[n % secondary.len()].to_owned(), " (secondary)"));
    }
    for (i, (threat_id, asset, _)) in plan.iter().enumerate() {
        let Some(threat) = threats.iter().find(|t| &t.id == threat_id) else { continue };
        let n = i as u32;
        let inherent = Rating { likelihood: (2 + (n * 3) % 4) as u8, impact: (1 + (n * 2 + n / 4) % 5).max(2) as u8 };
        let residual = Rating {
            likelihood: inherent.likelihood.saturating_sub(if n % 6 == 5 { 1 } else { 2 }).max(1),
            impact: inherent.impact.saturating_sub(if n.is_multiple_of(3) { 2 } else { 1 }).max(1),
        };
        let owner = owner_of(threat_id);
        let asset_name =
            assets().get(asset.trim_start_matches("AST-").parse::<usize>().unwrap_or(1) - 1).map_or("", |a| a.0);
        let actions = if residual.likelihood + residual.impact >= 5 {
            vec![
                TreatmentAction {
                    title: format!(
                        "Strengthen {} for {asset_name}",
                        threat.controls.first().map_or("controls", String::as_str)
                    ),
                    owner: owner.into(),
                    due: today + Duration::days(20 * (i as i64 % 9) - 30),
                    status: [ActionStatus::Open, ActionStatus::InProgress, ActionStatus::Done][i % 3],
                },
                TreatmentAction {
                    title: "Verify effectiveness and update the risk".into(),
                    owner: MANAGER.into(),
                    due: today + Duration::days(90 + 15 * (i as i64 % 5)),
                    status: ActionStatus::Open,
                },
            ]
        } else {
            Vec::new()
        };
        let risk = Risk {
            id: String::new(),
            title: format!("{} — {asset_name}", threat.name),
            description: threat.description.clone(),
            assets: vec![asset.clone()],
            threat: threat.name.clone(),
            vulnerability: match i % 4 {
                0 => "Control not yet applied everywhere".into(),
                1 => "Relies on people following a manual procedure".into(),
                2 => "Monitoring would notice late".into(),
                _ => "Depends on a supplier's safeguards".into(),
            },
            owner: owner.into(),
            inherent,
            existing_controls: "See the linked controls' implementation notes.".into(),
            treatment: if residual == inherent {
                TreatmentOption::Retain
            } else if i % 11 == 5 {
                TreatmentOption::Share
            } else {
                TreatmentOption::Modify
            },
            actions,
            controls: threat.controls.iter().take(3).cloned().collect(),
            residual,
            acceptance: None,
            next_review: today + Duration::days(if i % 13 == 4 { -10 } else { 60 + 5 * i as i64 }),
            history: Vec::new(),
            fair: None,
        };
        let saved = add_risk(cx, op, risk).await?;
        let needs = matches!(saved.acceptance_state, isms_domain::risk::AcceptanceState::Unaccepted { .. });
        if needs && i % 5 != 2 {
            let by = Email::parse(owner).map_err(|e| crate::AppError::invalid_field("owner", e))?;
            // Executive-level risks owned by someone without the owner role stay open:
            // the "above appetite without acceptance" view shows them.
            let owner = Actor::member(cx, org, &by).await?;
            let _ = accept_risk(
                cx,
                &owner,
                &saved.risk.id,
                "Residual risk reviewed with the ISMS manager and accepted for this year.",
            )
            .await;
        }
        if i % 5 == 0 {
            // Quantified in Open FAIR terms: frequency follows the likelihood rating,
            // magnitude the impact rating.
            let l = f64::from(inherent.likelihood);
            let m = f64::from(inherent.impact);
            let pert = |low: f64, mode: f64, high: f64| isms_domain::fair::Estimate::Pert { low, mode, high };
            let estimates = isms_domain::risk::FairEstimates {
                frequency: isms_domain::fair::Frequency::Vulnerability {
                    tef: pert(0.05 * l, 0.2 * l, 0.8 * l),
                    vuln: pert(0.05, 0.15 + 0.05 * l, 0.6),
                },
                pl: pert(2_000.0 * m * m, 15_000.0 * m * m, 150_000.0 * m * m),
                slef: pert(0.05, 0.2, 0.5),
                slem: pert(5_000.0 * m * m, 40_000.0 * m * m, 600_000.0 * m * m),
            };
            crate::fair::set_estimates(cx, op, &saved.risk.id, Some(estimates)).await?;
        }
    }
    crate::fair::set_appetite(cx, op, vec![(2_000_000.0, 0.5), (10_000_000.0, 0.1), (25_000_000.0, 0.01)]).await?;
    let settings =
        isms_domain::fair::Settings { iterations: 10_000, seed: 1, ..isms_domain::fair::Settings::default() };
    crate::fair::simulate_risks(cx, op, None, settings, std::sync::Arc::default()).await?;
    Ok(())
}
