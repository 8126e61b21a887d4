//! The demo's certification history.

use super::*;

/// A certified organization in its first surveillance year: an internal audit and a
/// management review before certification, Stage 1 and Stage 2 audits (Stage 2 raised
/// two minor nonconformities: one closed after verification, one in progress), the
/// certificate issued about eight months ago, next year's internal audit copied from
/// last year's and the first surveillance audit planned.
pub(super) async fn seed_certification(cx: &Cx, op: &Actor) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    let actor = &trail;
    use isms_domain::audit::{AuditKind, CheckResult, Finding, Grade, ManagementReview, ReviewAction};
    use isms_domain::certification::{Certificate, CertificateStatus};

    use crate::certification::{NewAudit, NewFinding, copy_audit, plan_audit, raise_finding};
    use crate::registers::update;

    let today = cx.clock.today();
    let issued = today - Duration::days(255);
    const INTERNAL_AUDITOR: &str = "audits@northwind-assurance.example";
    const BODY: &str = "Keystone Certification Services";
    let plan = |kind, title: &str, auditor: &str, start, days, controls: Vec<&str>| NewAudit {
        kind,
        title: title.to_owned(),
        scope: String::new(),
        criteria: String::new(),
        auditor: auditor.to_owned(),
        certification_body: (kind != AuditKind::Internal).then(|| BODY.to_owned()),
        start,
        end: start + Duration::days(days),
        controls: controls.into_iter().map(str::to_owned).collect(),
        sample: Some(0),
    };
    // Complete an audit: every line conforming except those with findings.
    let complete = async |id: &str, findings: &[&str], conclusion: &str| -> AppResult<()> {
        let findings: Vec<String> = findings.iter().map(|f| (*f).to_owned()).collect();
        let conclusion = conclusion.to_owned();
        update(cx, actor, org, id, |a: &mut isms_domain::audit::Audit| {
            for l in &mut a.checklist {
                if findings.contains(&l.reference) {
                    l.result = CheckResult::Finding;
                } else {
                    l.result = CheckResult::Conforming;
                    l.notes = "Sampled records and interviews; conforming.".into();
                }
            }
            a.complete(&conclusion).map_err(|e| crate::AppError::new(crate::Code::Demo, e.to_string()))
        })
        .await?;
        Ok(())
    };

    let internal = plan_audit(
        cx,
        op,
        plan(
            AuditKind::Internal,
            "Internal audit — full ISMS",
            INTERNAL_AUDITOR,
            issued - Duration::days(120),
            3,
            vec!["A.5.15", "A.5.23", "A.5.24", "A.8.8", "A.8.13", "A.8.15", "A.8.16", "A.6.3", "A.5.30", "A.8.32"],
        ),
    )
    .await?
    .audit;
    complete(
        &internal.id,
        &[],
        "The ISMS conforms to ISO/IEC 27001:2022 and is effectively implemented; ready for Stage 1.",
    )
    .await?;

    let review = ManagementReview {
        id: String::new(),
        held_on: issued - Duration::days(90),
        attendees: vec![OWNER.to_owned(), MANAGER.to_owned(), "ceo@cedarridge.example".to_owned()],
        inputs: isms_domain::audit::REVIEW_INPUTS
            .iter()
            .map(|(k, t)| isms_domain::audit::ReviewInput {
                topic: (*k).to_owned(),
                notes: format!("{t}: presented by the ISMS manager and discussed; no change to the ISMS scope."),
            })
            .collect(),
        decisions: vec![
            "Proceed to certification with Keystone Certification Services.".into(),
            "Fund a second on-call security engineer.".into(),
        ],
        actions: vec![ReviewAction {
            title: "Quarterly phishing simulation for all staff".into(),
            owner: HR.into(),
            due: today + Duration::days(45),
            done: false,
        }],
    };
    create(cx, actor, org, review).await?;

    let stage1 = plan_audit(
        cx,
        op,
        plan(AuditKind::Stage1, "Stage 1 — documentation review", "Sam Okafor", issued - Duration::days(75), 1, vec![]),
    )
    .await?
    .audit;
    complete(&stage1.id, &[], "The ISMS is documented; Stage 2 may proceed.").await?;

    let stage2 = plan_audit(
        cx,
        op,
        plan(
            AuditKind::Stage2,
            "Stage 2 — certification audit",
            "Sam Okafor",
            issued - Duration::days(35),
            3,
            vec!["A.5.15", "A.5.18", "A.8.13", "A.8.15", "A.8.16", "A.5.24", "A.6.3"],
        ),
    )
    .await?
    .audit;
    let mut raised = Vec::new();
    for (req, text, evidence) in [
        (
            "A.5.18",
            "Quarterly access reviews of the production AWS accounts were not performed in Q2.",
            "Access review tickets SEC-201 (Q1) and SEC-318 (Q3); none for Q2.",
        ),
        (
            "A.8.13",
            "No restore test of the scheduling database backup had been performed in the last six months.",
            "Backup runbook v3 requires quarterly restore tests; latest test record dated eight months before the audit.",
        ),
    ] {
        let f = raise_finding(
            cx,
            op,
            NewFinding {
                audit: stage2.id.clone(),
                grade: Grade::Minor,
                requirement: req.to_owned(),
                description: text.to_owned(),
                evidence: evidence.to_owned(),
                due: None,
                owner: Some(IT.to_owned()),
            },
        )
        .await?;
        raised.push(f.id);
    }
    complete(
        &stage2.id,
        &["A.5.18", "A.8.13"],
        "Two minor nonconformities; recommended for certification once corrective action plans are accepted.",
    )
    .await?;
    // The first is closed; the second is in progress, due in a few weeks.
    let closed = &raised[0];
    let refused = |e: isms_domain::audit::FindingError| crate::AppError::new(crate::Code::Demo, e.to_string());
    update(cx, actor, org, closed, |f: &mut Finding| {
        f.raised_on = issued - Duration::days(33);
        f.plan(
            "Performed the missed Q2 review; removed 4 stale accounts.",
            "Reviews were scheduled by hand and lapsed during a staff change.",
            "Automated quarterly review tickets with escalation to the ISMS manager.",
            IT,
            issued + Duration::days(60),
        )
        .map_err(refused)?;
        f.implemented().map_err(refused)?;
        f.verify(MANAGER, issued + Duration::days(100), "Q3 and Q4 reviews completed on time from automated tickets.")
            .map_err(refused)
    })
    .await?;
    update(cx, actor, org, &raised[1], |f: &mut Finding| {
        f.raised_on = issued - Duration::days(33);
        f.plan(
            "Restored the scheduling database to a scratch account and checked row counts.",
            "Restore tests had no owner after the platform team was reorganized.",
            "Monthly automated restore test with the result posted to the evidence store.",
            IT,
            today + Duration::days(21),
        )
        .map_err(refused)
    })
    .await?;

    let certificate = Certificate {
        id: String::new(),
        number: "KCS-ISMS-2026-0417".into(),
        certification_body: BODY.into(),
        accreditation_body: "ANAB".into(),
        issued,
        scope: "The information security management system supporting the development, operation, support and sale of the Cedar Ridge clinical-scheduling SaaS platform.".into(),
        status: CertificateStatus::Active,
        standard: "ISO/IEC 27001:2022".into(),
        continues: None,
        status_since: None,
    };
    let certificate = crate::certification::add_certificate(cx, op, certificate).await?;

    // This year: the internal audit copied from last year's, then surveillance 1.
    copy_audit(cx, op, &internal.id, today + Duration::days(30), today + Duration::days(33)).await?;
    let s1 = certificate.cycle().surveillance_1_due - Duration::days(40);
    plan_audit(
        cx,
        op,
        plan(AuditKind::Surveillance1, "Surveillance audit 1", "Sam Okafor", s1, 2, vec!["A.5.18", "A.8.13", "A.5.30"]),
    )
    .await?;
    Ok(())
}
