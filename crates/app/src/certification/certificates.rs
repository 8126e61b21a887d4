//! Certificates and their three-year cycle.

use super::*;

/// Every certificate, newest issue first.
pub async fn certificates(cx: &Cx, org: OrgId) -> AppResult<Vec<Certificate>> {
    let mut all = registers::list::<Certificate>(cx, org).await?;
    all.sort_by_key(|c| std::cmp::Reverse(c.issued));
    Ok(all)
}

/// The certificate valid today, or else the latest one.
pub async fn current_certificate(cx: &Cx, org: OrgId) -> AppResult<Option<Certificate>> {
    let today = cx.clock.today();
    let all = certificates(cx, org).await?;
    let valid = all.iter().find(|c| c.valid_on(today)).cloned();
    Ok(valid.or_else(|| all.into_iter().next()))
}

/// Records a certificate. A certification decision cannot be recorded while a major
/// nonconformity is open.
pub async fn add_certificate(cx: &Cx, actor: &TrailActor, org: OrgId, c: Certificate) -> AppResult<Certificate> {
    let majors: Vec<String> =
        findings(cx, org).await?.into_iter().filter(|f| f.grade == Grade::Major && f.is_open()).map(|f| f.id).collect();
    if c.status == CertificateStatus::Active && !majors.is_empty() {
        return Err(AppError::new(
            Code::OpenMajorNonconformity,
            format!(
                "a certification decision needs every major nonconformity corrected and verified first: {} open",
                majors.join(", ")
            ),
        ));
    }
    registers::create(cx, actor, org, c).await
}

/// Changes a certificate's recorded status (suspended, withdrawn, active again).
pub async fn set_certificate_status(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    status: CertificateStatus,
) -> AppResult<Certificate> {
    registers::update(cx, actor, org, id, |c: &mut Certificate| {
        c.status = status;
        Ok(())
    })
    .await
}
