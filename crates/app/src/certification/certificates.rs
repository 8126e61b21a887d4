//! Certificates and their three-year cycle.

use super::*;

/// Every certificate, newest issue first.
pub async fn certificates(cx: &Cx, actor: &Actor) -> AppResult<Vec<Certificate>> {
    actor.require(UseCase::ReadIsms)?;
    certificates_of(cx, actor.org()).await
}

/// [`certificates`] for the app's own use inside a checked use case.
pub(crate) async fn certificates_of(cx: &Cx, org: OrgId) -> AppResult<Vec<Certificate>> {
    let mut all = registers::list::<Certificate>(cx, org).await?;
    all.sort_by_key(|c| std::cmp::Reverse(c.issued));
    Ok(all)
}

/// The certificate valid today, or else the latest one.
pub async fn current_certificate(cx: &Cx, actor: &Actor) -> AppResult<Option<Certificate>> {
    actor.require(UseCase::ReadIsms)?;
    current_certificate_of(cx, actor.org()).await
}

/// [`current_certificate`] for the app's own use inside a checked use case.
pub(crate) async fn current_certificate_of(cx: &Cx, org: OrgId) -> AppResult<Option<Certificate>> {
    let today = cx.clock.today();
    let all = certificates_of(cx, org).await?;
    let valid = all.iter().find(|c| c.valid_on(today)).cloned();
    Ok(valid.or_else(|| all.into_iter().next()))
}

/// Records a certificate. A certification decision cannot be recorded while a major
/// nonconformity is open.
pub async fn add_certificate(cx: &Cx, actor: &Actor, c: Certificate) -> AppResult<Certificate> {
    actor.require(UseCase::ManageAudits)?;
    let org = actor.org();
    let majors: Vec<String> = findings_of(cx, org)
        .await?
        .into_iter()
        .filter(|f| f.grade == Grade::Major && f.is_open())
        .map(|f| f.id)
        .collect();
    if c.status == CertificateStatus::Active && !majors.is_empty() {
        return Err(AppError::new(
            Code::OpenMajorNonconformity,
            format!(
                "a certification decision needs every major nonconformity corrected and verified first: {} open",
                majors.join(", ")
            ),
        ));
    }
    registers::create(cx, &actor.trail(), org, c).await
}

/// Changes a certificate's recorded status (suspended, withdrawn, active again).
pub async fn set_certificate_status(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    status: CertificateStatus,
) -> AppResult<Certificate> {
    actor.require(UseCase::ManageAudits)?;
    registers::update(cx, &actor.trail(), actor.org(), id, |c: &mut Certificate| {
        c.status = status;
        Ok(())
    })
    .await
}
