//! Certificates and their three-year cycle.

use super::*;
use isms_domain::certification::Renewal;

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

/// What stops a certificate being recorded or made active again: a major
/// nonconformity from the certification body's audits still open, or a minor one
/// without an action plan ([`isms_domain::certification::decision_block`]). An internal
/// audit's findings do not (readiness warns about them instead).
fn refuse_open_nonconformities(audits: &[Audit], findings: &[Finding]) -> AppResult<()> {
    use isms_domain::certification::{DecisionBlock, decision_block};
    let external = |audit: &str| audits.iter().any(|a| a.id == audit && a.kind.external());
    match decision_block(findings.iter().filter(|f| external(&f.audit))) {
        None => Ok(()),
        Some(DecisionBlock::OpenMajors(ids)) => Err(AppError::new(
            Code::OpenMajorNonconformity,
            format!(
                "a certificate can be active only when every major nonconformity from the certification body's \
                 audits is corrected and verified: {} open",
                ids.join(", ")
            ),
        )),
        Some(DecisionBlock::UnplannedMinors(ids)) => Err(AppError::new(
            Code::MinorWithoutActionPlan,
            format!(
                "a certification decision needs an accepted action plan (correction, root cause, corrective action, \
                 owner, due date) for every minor nonconformity: {} without one",
                ids.join(", ")
            ),
        )),
    }
}

/// Records a certificate. An active one is refused while a major nonconformity from a
/// certification audit is open or a minor one has no action plan, and without the
/// completed audit it rests on (Stage 2 after Stage 1, or a recertification audit). A
/// decision after an earlier certificate continues its cycle when it is a
/// recertification (before that certificate's expiry) or a restoration (within six
/// months after it); isms works out which and records it. Everything is read and
/// written in one transaction holding the organization's write turn, so a finding
/// raised at the same moment cannot slip past the checks.
pub async fn add_certificate(cx: &Cx, actor: &Actor, mut c: Certificate) -> AppResult<Certificate> {
    actor.require(UseCase::ManageAudits)?;
    let org = actor.org();
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let audits: Vec<Audit> = registers::list_in(&mut *tx, org).await?;
    if c.status == CertificateStatus::Active {
        let findings: Vec<Finding> = registers::list_in(&mut *tx, org).await?;
        refuse_open_nonconformities(&audits, &findings)?;
    }
    let certificates: Vec<Certificate> = registers::list_in(&mut *tx, org).await?;
    let previous = certificates.into_iter().filter(|p| p.issued < c.issued).max_by_key(|p| p.issued);
    let renewal = previous.as_ref().map_or(Renewal::Initial, |p| isms_domain::certification::renewal(p, c.issued));
    let previous_issued = previous.as_ref().map(|p| p.issued);
    if let Some(problem) = isms_domain::certification::decision_problem(
        renewal,
        previous_issued,
        c.issued,
        &isms_domain::certification::held_audits(&audits),
    ) {
        return Err(AppError::new(Code::CertificationAuditMissing, problem));
    }
    c.continues = match renewal {
        Renewal::Recertification { continues } | Renewal::Restoration { continues } => Some(continues),
        Renewal::Initial => None,
    };
    registers::create_in(&mut *tx, cx, &actor.trail(), org, &mut c).await?;
    tx.commit().await?;
    Ok(c)
}

/// Changes a certificate's recorded status (suspended, withdrawn, active again). Making
/// it active again follows the same rule as recording it, checked in the same
/// transaction as the change.
pub async fn set_certificate_status(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    status: CertificateStatus,
) -> AppResult<Certificate> {
    actor.require(UseCase::ManageAudits)?;
    let org = actor.org();
    let today = cx.clock.today();
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    if status == CertificateStatus::Active {
        let audits: Vec<Audit> = registers::list_in(&mut *tx, org).await?;
        let findings: Vec<Finding> = registers::list_in(&mut *tx, org).await?;
        refuse_open_nonconformities(&audits, &findings)?;
    }
    let c = registers::update_in(&mut *tx, cx, &actor.trail(), org, id, |c: &mut Certificate| {
        if c.status != status {
            c.status = status;
            c.status_since = Some(today);
        }
        Ok(())
    })
    .await?;
    tx.commit().await?;
    Ok(c)
}
