//! The risk register: list, show, add, change, delete.

use super::*;

pub(super) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/risks", "listRisks", "risks", "The risk register")
                .list()
                .answers_page::<RiskView>(),
            get(risks),
        )
        .op(Op::new("get", "/api/v1/risks/{id}", "getRisk", "risks", "One risk").answers::<RiskView>(), get(risk))
        .op(
            Op::new("post", "/api/v1/risks", "addRisk", "risks", "Add a risk to the register")
                .body_type::<NewRisk>()
                .answers::<RiskView>()
                .ok(201),
            post(add_risk),
        )
        .op(
            Op::new(
                "patch",
                "/api/v1/risks/{id}",
                "updateRisk",
                "risks",
                "Change a risk (fields left out stay as they are)",
            )
            .body_type::<RiskPatch>()
            .answers::<RiskView>(),
            patch(update_risk),
        )
        .op(
            Op::new("delete", "/api/v1/risks/{id}", "deleteRisk", "risks", "Delete a risk").ok(204),
            delete(delete_risk),
        )
}

type Params = Query<BTreeMap<String, String>>;

async fn risks(State(s): State<AppState>, Member(caller): Member, Query(q): Params) -> Result<Json<Value>, ApiError> {
    Ok(Json(page_rows(&isms_app::risks::risk_rows(&s.cx, &caller).await?, &q)?))
}

async fn risk(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::risks::risk(&s.cx, &caller, &id).await?)))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewRisk {
    /// What could happen
    title: String,
    /// The risk owner's e-mail (a member)
    owner: String,
    /// {likelihood, impact} before treatment
    inherent: Rating,
    /// {likelihood, impact} after treatment (default: inherent)
    residual: Option<Rating>,
    /// modify (default), retain, avoid or share
    treatment: Option<TreatmentOption>,
    /// More detail
    #[serde(default)]
    description: String,
    /// The threat
    #[serde(default)]
    threat: String,
    /// The vulnerability
    #[serde(default)]
    vulnerability: String,
    /// Asset ids
    #[serde(default)]
    assets: Vec<String>,
    /// Annex A control ids that treat it
    #[serde(default)]
    controls: Vec<String>,
    /// YYYY-MM-DD (default: in a year)
    #[schemars(extend("format" = "date"))]
    next_review: Option<String>,
}

async fn add_risk(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(n): Body<NewRisk>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let next_review = match n.next_review {
        Some(t) => date("next_review", &t)?,
        None => s.cx.clock.today() + time::Duration::days(365),
    };
    let risk = Risk {
        id: String::new(),
        title: n.title,
        description: n.description,
        assets: n.assets,
        threat: n.threat,
        vulnerability: n.vulnerability,
        owner: n.owner,
        inherent: n.inherent,
        existing_controls: String::new(),
        treatment: n.treatment.unwrap_or(TreatmentOption::Modify),
        actions: vec![],
        controls: n.controls,
        residual: n.residual.unwrap_or(n.inherent),
        acceptance: None,
        next_review,
        history: vec![],
        fair: None,
    };
    let saved = isms_app::risks::add_risk(&s.cx, &caller, risk).await?;
    Ok((StatusCode::CREATED, Json(json!(saved))))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RiskPatch {
    /// What could happen
    title: Option<String>,
    /// More detail
    description: Option<String>,
    /// The threat
    threat: Option<String>,
    /// The vulnerability
    vulnerability: Option<String>,
    /// The risk owner's e-mail (a member)
    owner: Option<String>,
    /// {likelihood, impact} before treatment
    inherent: Option<Rating>,
    /// {likelihood, impact} after treatment
    residual: Option<Rating>,
    /// modify, retain, avoid or share
    treatment: Option<TreatmentOption>,
    /// Controls already in place
    existing_controls: Option<String>,
    /// Treatment actions {title, owner, due, status}
    actions: Option<Vec<TreatmentAction>>,
    /// Asset ids
    assets: Option<Vec<String>>,
    /// Annex A control ids that treat it
    controls: Option<Vec<String>>,
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    next_review: Option<String>,
}

async fn update_risk(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Body(p): Body<RiskPatch>,
) -> Result<Json<Value>, ApiError> {
    let next_review = p.next_review.map(|t| date("next_review", &t)).transpose()?;
    // The patch is applied to the stored risk inside the write transaction, so
    // concurrent patches of different fields both land.
    let change = move |risk: &mut Risk| {
        macro_rules! set {
            ($($f:ident),*) => { $(if let Some(v) = p.$f { risk.$f = v; })* };
        }
        set!(
            title,
            description,
            threat,
            vulnerability,
            owner,
            inherent,
            residual,
            treatment,
            existing_controls,
            actions,
            assets,
            controls
        );
        if let Some(d) = next_review {
            risk.next_review = d;
        }
        Ok(())
    };
    Ok(Json(json!(isms_app::risks::edit_risk(&s.cx, &caller, &id, change).await?)))
}

async fn delete_risk(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    isms_app::risks::delete_risk(&s.cx, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
