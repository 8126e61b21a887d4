//! Certificates and their audit cycles.

use super::*;
use isms_domain::certification::Period;

pub(super) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/certificates", "listCertificates", AUDITS, "Certificates with their cycles")
                .answers::<Items<CertificateToday>>(),
            get(list_certificates),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/certificates",
                "addCertificate",
                AUDITS,
                "Record a certificate (refused while a major nonconformity from a certification audit is open); a recertification or restoration continues the cycle of the certificate it renews",
            )
            .answers::<CertificateCycle>()
            .body_type::<CertificateBody>()
            .ok(201),
            post(add_certificate),
        )
        .op(
            Op::new(
                "patch",
                "/api/v1/certificates/{id}",
                "setCertificateStatus",
                AUDITS,
                "Record a suspension, withdrawal or reinstatement (reinstatement follows the same rule as recording)",
            )
            .answers::<CertificateCycle>()
            .body_type::<StatusBody>(),
            patch(certificate_status),
        )
}

async fn list_certificates(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    let today = s.cx.clock.today();
    let items: Vec<CertificateToday> = isms_app::certification::certificates(&s.cx, &caller)
        .await?
        .into_iter()
        .map(|c| CertificateToday {
            cycle: c.cycle(),
            without_certification: c.gap(),
            status_today: c.status_on(today),
            certificate: c,
        })
        .collect();
    Ok(Json(json!(Items { items })))
}

/// A certificate, its audit cycle and its status today.
#[derive(Debug, Serialize, JsonSchema)]
struct CertificateToday {
    /// The certificate.
    certificate: Certificate,
    /// Its three-year cycle of audits.
    cycle: Cycle,
    /// For a restored certificate: the days without certification before it.
    without_certification: Option<Period>,
    /// Its status today (expired once past its end).
    status_today: CertificateStatus,
}

/// A certificate and its audit cycle.
#[derive(Debug, Serialize, JsonSchema)]
struct CertificateCycle {
    /// The certificate.
    certificate: Certificate,
    /// Its three-year cycle of audits.
    cycle: Cycle,
    /// For a restored certificate: the days without certification before it.
    without_certification: Option<Period>,
}

impl CertificateCycle {
    fn of(certificate: Certificate) -> Self {
        CertificateCycle { cycle: certificate.cycle(), without_certification: certificate.gap(), certificate }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CertificateBody {
    /// The certificate number
    number: String,
    /// Who certified
    certification_body: String,
    /// Default ANAB
    accreditation_body: Option<String>,
    /// The certification decision date
    #[schemars(extend("format" = "date"))]
    issued: String,
    /// The scope statement on the certificate
    scope: String,
}

async fn add_certificate(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(b): JsonBody<CertificateBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let c = Certificate {
        id: String::new(),
        number: b.number,
        certification_body: b.certification_body,
        accreditation_body: b.accreditation_body.unwrap_or_else(|| "ANAB".into()),
        issued: date("issued", &b.issued)?,
        scope: b.scope,
        status: CertificateStatus::Active,
        standard: "ISO/IEC 27001:2022".into(),
        continues: None,
        status_since: None,
    };
    let c = isms_app::certification::add_certificate(&s.cx, &caller, c).await?;
    Ok((StatusCode::CREATED, Json(json!(CertificateCycle::of(c)))))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    /// active, suspended or withdrawn
    status: CertificateStatus,
}

async fn certificate_status(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<Json<Value>, ApiError> {
    if b.status == CertificateStatus::Expired {
        return Err(
            field("status", "expiry follows from the dates; record active, suspended or withdrawn".into()).into()
        );
    }
    let c = isms_app::certification::set_certificate_status(&s.cx, &caller, &id, b.status).await?;
    Ok(Json(json!(CertificateCycle::of(c))))
}
