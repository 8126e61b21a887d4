//! Importing risks from CSV, all or nothing.

use super::*;

use std::collections::BTreeMap;

use crate::imports::RowError;

/// What a risk import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RiskImport {
    /// Ids of the risks created.
    pub created: Vec<String>,
    /// Rows refused.
    pub errors: Vec<RowError>,
    /// True when anything was stored.
    pub stored: bool,
}

/// Columns of a risk import (the first eight are required).
pub const RISK_CSV_COLUMNS: [&str; 13] = [
    "title",
    "owner",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "threat",
    "vulnerability",
    "controls",
    "assets",
    "description",
    "next_review",
];

/// Imports risks from CSV: every row is parsed and checked against the organization
/// first; any bad row means nothing is stored, unless `skip_bad_rows`. One transaction,
/// whose work grows with the rows: the organization is read once, each risk is one
/// insert and one trail entry, and each control linked is changed once for all the
/// risks that link it. `done` counts the rows checked and then the risks stored (twice
/// the rows in all), for a progress bar. Control owners add risks one at a time instead.
pub async fn import_risks_csv(
    cx: &Cx,
    actor: &Actor,
    text: &str,
    skip_bad_rows: bool,
    done: &std::sync::atomic::AtomicUsize,
) -> AppResult<RiskImport> {
    if actor.require(UseCase::EditRisks)? == Grant::Assigned {
        return Err(AppError::new(Code::Forbidden, "a control owner adds risks one at a time (POST /api/v1/risks)"));
    }
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    use isms_domain::risk::{Rating, TreatmentOption};
    let mut reader = crate::imports::reader(text);
    let headers = crate::imports::header(&mut reader, &RISK_CSV_COLUMNS[..7], &RISK_CSV_COLUMNS)?;
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let m = current_methodology(&mut *tx, org).await?;
    let checks = RiskChecks::read(&mut *tx, cx, org).await?;
    let mut errors = Vec::new();
    let mut parsed: Vec<(u64, Risk)> = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    line: e.position().map_or(0, csv::Position::line),
                    column: String::new(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        let get = |name: &str| {
            // An export of ours guards formula-like text; the import takes the guard off.
            let raw = headers.iter().position(|h| h == name).and_then(|c| record.get(c)).unwrap_or_default();
            isms_domain::cells::restore(raw).to_owned()
        };
        let mut row_errors = Vec::new();
        let mut num = |name: &str| match get(name).parse::<u8>() {
            Ok(v) => v,
            Err(_) => {
                row_errors.push(RowError {
                    line,
                    column: name.into(),
                    message: format!("{:?} is not a number", get(name)),
                });
                0
            }
        };
        let inherent = Rating { likelihood: num("inherent_likelihood"), impact: num("inherent_impact") };
        let residual = Rating { likelihood: num("residual_likelihood"), impact: num("residual_impact") };
        let treatment: Option<TreatmentOption> =
            serde_json::from_value(serde_json::Value::String(get("treatment").to_lowercase())).ok();
        if treatment.is_none() {
            row_errors.push(RowError {
                line,
                column: "treatment".into(),
                message: format!("{:?} is not modify, retain, avoid or share", get("treatment")),
            });
        }
        let next_review = if get("next_review").is_empty() {
            isms_domain::dates::add_days(cx.clock.today(), 365)
        } else {
            isms_domain::dates::parse_text(&get("next_review"))
        };
        let next_review = match next_review {
            Ok(d) => Some(d),
            Err(message) => {
                row_errors.push(RowError { line, column: "next_review".into(), message });
                None
            }
        };
        let list = |name: &str| {
            get(name).split(';').map(str::trim).filter(|s| !s.is_empty()).map(ToOwned::to_owned).collect::<Vec<_>>()
        };
        let numbers_ok = !row_errors.iter().any(|e| e.column.contains("likelihood") || e.column.contains("impact"));
        if numbers_ok {
            let parsed_ok = treatment.is_some() && next_review.is_some();
            let (treatment, next_review) =
                (treatment.unwrap_or(TreatmentOption::Modify), next_review.unwrap_or(cx.clock.today()));
            let mut risk = Risk {
                id: String::new(),
                title: get("title"),
                description: get("description"),
                assets: list("assets"),
                threat: get("threat"),
                vulnerability: get("vulnerability"),
                owner: get("owner"),
                inherent,
                existing_controls: String::new(),
                treatment,
                actions: vec![],
                controls: list("controls"),
                residual,
                acceptance: None,
                next_review,
                history: vec![],
                fair: None,
            };
            match checks.check(&mut risk, &m) {
                Ok(()) if parsed_ok && row_errors.is_empty() => parsed.push((line, risk)),
                Ok(()) => {}
                Err(e) => row_errors.extend(e.fields.into_iter().map(|f| RowError {
                    line,
                    column: f.field,
                    message: f.message,
                })),
            }
        }
        errors.extend(row_errors);
        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    if !errors.is_empty() && !skip_bad_rows {
        return Ok(RiskImport { created: vec![], errors, stored: false });
    }
    let mut created = Vec::new();
    let mut links: BTreeMap<String, ControlChange> = BTreeMap::new();
    for (_, mut risk) in parsed {
        risk.record_levels(&m, cx.clock.now());
        create_in(&mut *tx, cx, actor, org, &mut risk).await?;
        for c in &risk.controls {
            links.entry(c.clone()).or_default().link.push(ControlLink { kind: LinkKind::Risk, id: risk.id.clone() });
        }
        created.push(risk.id);
        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    for (control, change) in links {
        update_control_in(&mut *tx, cx, actor, org, &control, change, None).await?;
    }
    tx.commit().await?;
    Ok(RiskImport { stored: !created.is_empty(), created, errors })
}
