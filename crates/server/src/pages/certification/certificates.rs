//! The certification page: the certificate with its cycle and the readiness for the
//! next audit; recording a certificate and its status; the calendar address.

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/certification", get(certification))
        .route("/certification/certificate", post(add_certificate))
        .route("/certification/calendar", post(calendar_address))
        .route("/certification/certificate/{id}", post(certificate_status))
}

/// A dated step of the certificate cycle: (what, date, days from today, done?).
pub(crate) struct Milestone {
    pub what: &'static str,
    pub date: String,
    pub days: i64,
    pub past: bool,
}

pub(crate) fn milestones(cycle: &Cycle, today: time::Date) -> Vec<Milestone> {
    [
        ("Certification decision", cycle.issued),
        ("Surveillance audit 1 due by", cycle.surveillance_1_due),
        ("Surveillance audit 2 due by", cycle.surveillance_2_due),
        ("Plan the recertification audit by", cycle.recertification_planned),
        ("Certificate expires", cycle.expiry),
    ]
    .into_iter()
    .map(|(what, d)| Milestone { what, date: d.to_string(), days: (d - today).whole_days(), past: d < today })
    .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "certification.html")]
struct CertificationPage {
    shell: Shell,
    certificate: Option<Certificate>,
    status: &'static str,
    milestones: Vec<Milestone>,
    readiness: Readiness,
    stage: &'static str,
    clauses: Vec<(String, usize)>,
    can_manage: bool,
    done: Option<String>,
    /// A calendar subscription address just made (shown once).
    calendar_url: Option<String>,
}

async fn certification(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<CertificationPage, PageError> {
    let stage = q.get("stage").and_then(|s| Stage::parse(s));
    certification_page(&s, &viewer, stage, notice(q.get("done").map(String::as_str)), None).await
}

async fn certification_page(
    s: &AppState,
    viewer: &Viewer,
    stage: Option<Stage>,
    done: Option<String>,
    calendar_url: Option<String>,
) -> Result<CertificationPage, PageError> {
    let caller = viewer.caller;
    let today = s.cx.clock.today();
    let all = isms_app::certification::certificates(&s.cx, &caller).await?;
    // The certificate valid today, or else the latest.
    let certificate = all.iter().find(|c| c.valid_on(today)).or(all.first()).cloned();
    let readiness = isms_app::certification::readiness(&s.cx, &caller, stage).await?;
    let shell = viewer.shell("certification");
    Ok(CertificationPage {
        status: certificate.as_ref().map_or("", |c| c.status_on(today).as_str()),
        milestones: certificate.as_ref().map(|c| milestones(&c.cycle(), today)).unwrap_or_default(),
        stage: match readiness.stage {
            Stage::Stage1 => "1",
            Stage::Stage2 => "2",
            Stage::Surveillance => "surveillance",
        },
        clauses: clause_percentages(&readiness, &isms_app::frameworks::annex_a_themes(&s.cx).await?),
        readiness,
        certificate,
        can_manage: shell.can.any(UseCase::ManageAudits),
        shell,
        done,
        calendar_url,
    })
}

/// Makes a calendar address: a calendar token of the signed-in person (it opens the
/// feed and nothing else), valid a year, in the feed's address, shown once.
async fn calendar_address(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
    CsrfForm(viewer, _): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let new = isms_app::tokens::NewToken::calendar(None);
    let (_, secret) = isms_app::tokens::create_token(&s.cx, &viewer.principal, new).await?;
    let url = crate::api::calendar_url(&s, &uri, &headers, &secret);
    let page = certification_page(&s, &viewer, None, None, Some(url)).await?;
    let mut response = page.into_response();
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct CertificateForm {
    number: String,
    certification_body: String,
    #[serde(default)]
    accreditation_body: String,
    issued: String,
    scope: String,
}

async fn add_certificate(
    State(s): State<AppState>,
    CsrfForm(viewer, f): CsrfForm<CertificateForm>,
) -> Result<Response, PageError> {
    let c = Certificate {
        id: String::new(),
        number: f.number,
        certification_body: f.certification_body,
        accreditation_body: if f.accreditation_body.trim().is_empty() { "ANAB".into() } else { f.accreditation_body },
        issued: date("issued", &f.issued)?,
        scope: f.scope,
        status: CertificateStatus::Active,
        standard: "ISO/IEC 27001:2022".into(),
        continues: None,
        status_since: None,
    };
    let c = isms_app::certification::add_certificate(&s.cx, &viewer.caller, c).await?;
    Ok(see_other(&format!("/certification?done={}", encode(&format!("Recorded certificate {}.", c.number)))))
}

#[derive(Debug, Deserialize)]
struct StatusForm {
    status: CertificateStatus,
}

async fn certificate_status(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<StatusForm>,
) -> Result<Response, PageError> {
    if f.status == CertificateStatus::Expired {
        return Err(invalid("status", "expiry follows from the dates"));
    }
    isms_app::certification::set_certificate_status(&s.cx, &viewer.caller, &id, f.status).await?;
    Ok(see_other(&format!("/certification?done={}", encode(&format!("The certificate is now {}.", f.status.as_str())))))
}
