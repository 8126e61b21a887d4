//! The demo's documents.

use super::*;

/// The starter documents, adopted and at different points of their life: most
/// approved (the information security policy twice, its first version superseded),
/// one approved thirteen months ago and so overdue for review, one waiting for
/// approval, one still a draft; the policies everyone acknowledges partly
/// acknowledged.
pub(super) async fn seed_documents(cx: &Cx, op: &Actor) -> AppResult<()> {
    let (trail, org) = (op.trail(), op.org());
    let actor = &trail;
    use isms_domain::document::{Acknowledgement, Audience, Body, Document};

    use crate::starters::{STARTERS, text_for};
    let now = cx.clock.now();
    // (starter, owner, months since its approval; None: not approved)
    let plan: [(&str, &str, Option<i64>); 8] = [
        ("information-security-policy", OWNER, Some(2)),
        ("risk-assessment-methodology", MANAGER, Some(10)),
        ("operational-planning-procedure", MANAGER, Some(9)),
        ("access-control-policy", IT, Some(13)),
        ("acceptable-use-policy", HR, Some(6)),
        ("incident-response-procedure", IT, Some(5)),
        ("supplier-security-policy", MANAGER, None),
        ("business-continuity-plan", IT, None),
    ];
    for (key, owner, approved_months_ago) in plan {
        let Some(st) = STARTERS.iter().find(|s| s.key == key) else { continue };
        let text = text_for(st, DEMO_ORG);
        let mut doc = Document {
            id: String::new(),
            title: st.title.to_owned(),
            kind: st.kind,
            owner: owner.to_owned(),
            classification: "Internal".to_owned(),
            clauses: st.clauses.iter().map(|c| (*c).to_owned()).collect(),
            controls: st.controls.iter().map(|c| (*c).to_owned()).collect(),
            review_months: 12,
            acknowledged_by: st.everyone_acknowledges.then_some(Audience::Everyone),
            versions: vec![],
            acknowledgements: vec![],
            reviewed_on: None,
        };
        let refused = |e: isms_domain::document::DocumentError| crate::AppError::new(crate::Code::Demo, e.to_string());
        match approved_months_ago {
            Some(months) => {
                let approved = now - Duration::days(30 * months);
                if key == "information-security-policy" {
                    // Version 1 a year and a half ago, superseded by version 2.
                    let first = now - Duration::days(540);
                    let v1 = text.replace("continual improvement", "improvement");
                    doc.start_version(Body::Markdown { text: v1 }, owner, first, "first issue").map_err(refused)?;
                    doc.submit().map_err(refused)?;
                    doc.approve(OWNER, first, "Approved by the leadership team").map_err(refused)?;
                    doc.acknowledgements.push(Acknowledgement { version: 1, by: HR.to_owned(), at: first });
                }
                let body = Body::Markdown { text: text.clone() };
                doc.start_version(body, owner, approved - Duration::days(14), "adopted from the isms starter")
                    .map_err(refused)?;
                doc.submit().map_err(refused)?;
                doc.approve(OWNER, approved, "Approved at the management review").map_err(refused)?;
                if doc.acknowledged_by.is_some() {
                    for (who, days) in [(MANAGER, 1), (IT, 3)] {
                        let version = doc.in_force().map_or(1, |v| v.number);
                        doc.acknowledgements.push(Acknowledgement {
                            version,
                            by: who.to_owned(),
                            at: approved + Duration::days(days),
                        });
                    }
                }
            }
            None => {
                let body = Body::Markdown { text: text.clone() };
                doc.start_version(body, owner, now - Duration::days(20), "adopted from the isms starter")
                    .map_err(refused)?;
                if key == "supplier-security-policy" {
                    doc.submit().map_err(refused)?;
                }
            }
        }
        // Acknowledgements are entries of their own, as people make them.
        let acks = std::mem::take(&mut doc.acknowledgements);
        let doc = create(cx, actor, org, doc).await?;
        for ack in acks {
            let entry =
                isms_domain::document::DocumentAcknowledgement { id: String::new(), document: doc.id.clone(), ack };
            create(cx, actor, org, entry).await?;
        }
    }
    // Competence records (7.2): a record, approved, not acknowledged.
    let mut training = Document {
        id: String::new(),
        title: "Security awareness and role training records 2026".into(),
        kind: isms_domain::document::DocumentType::Record,
        owner: HR.into(),
        classification: "Confidential".into(),
        clauses: vec!["7.2".into(), "7.3".into()],
        controls: vec!["A.6.3".into()],
        review_months: 12,
        acknowledged_by: None,
        versions: vec![],
        acknowledgements: vec![],
        reviewed_on: None,
    };
    let text = "# Security awareness and role training records 2026\n\n\
        | Programme | Audience | Completed | Due |\n|---|---|---|---|\n\
        | Annual security awareness | all staff (204) | 198 | 6 on leave, due on return |\n\
        | Secure development | engineering (61) | 61 | — |\n\
        | Incident handling tabletop | on-call engineers (14) | 14 | — |\n\
        | Privacy and PHI handling | support and success (37) | 35 | 2 new hires, due in 30 days |\n\n\
        Completion exported from the learning platform; individual records are kept there for three years.\n";
    let at = now - Duration::days(20);
    let refused = |e: isms_domain::document::DocumentError| crate::AppError::new(crate::Code::Demo, e.to_string());
    training.start_version(Body::Markdown { text: text.into() }, HR, at, "2026 completion").map_err(refused)?;
    training.submit().map_err(refused)?;
    training.approve(MANAGER, at, "Figures checked against the learning platform").map_err(refused)?;
    create(cx, actor, org, training).await?;
    Ok(())
}
