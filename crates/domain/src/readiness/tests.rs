//! Each rule with a case that passes and a case that blocks (or warns), then the whole
//! assessment.

use time::macros::date;

use super::*;
use crate::certification::CertificateStatus;

const TODAY: Date = date!(2026 - 11 - 26);

fn named(id: &str) -> Named {
    (id.to_owned(), format!("title of {id}"))
}

/// An organization that could pass any audit today.
fn ready() -> Facts {
    let clauses: Vec<String> = ["4.1", "5.1", "9.2", "10.2"].iter().map(|c| (*c).to_owned()).collect();
    Facts {
        today: Some(TODAY),
        mandatory: vec![
            MandatoryFact { clause: "5.2".into(), title: "Information security policy".into(), satisfied: true },
            MandatoryFact { clause: "6.1.3 d".into(), title: "Statement of Applicability".into(), satisfied: true },
        ],
        soa_approved: true,
        soa_unapproved_changes: 0,
        risks_not_accepted: vec![],
        controls_not_implemented: vec![],
        controls_without_evidence: vec![],
        documents_overdue: vec![],
        internal_audits: vec![("AUD-001".into(), date!(2026 - 06 - 30), clauses.clone())],
        clauses,
        management_reviews: vec![("MRV-001".into(), date!(2026 - 07 - 15), true)],
        open_majors: vec![],
        open_internal_majors: vec![],
        stage_2_lapsed: vec![],
        unplanned_minors: vec![],
        open_minors: vec![],
        overdue_actions: vec![],
        certificate: Some(Certificate {
            id: "CRT-001".into(),
            number: "IS 1".into(),
            certification_body: "Registrar".into(),
            accreditation_body: "ANAB".into(),
            issued: date!(2026 - 03 - 15),
            scope: "All".into(),
            status: CertificateStatus::Active,
            standard: "ISO/IEC 27001:2022".into(),
            continues: None,
            status_since: None,
        }),
        completed_external: vec![],
        planned_external: vec![(crate::audit::AuditKind::Surveillance1, date!(2027 - 02 - 20))],
        applicable_controls: vec![
            ("A.5".into(), "A.5.1".into()),
            ("A.8".into(), "A.8.13".into()),
            ("A.8".into(), "A.8.16".into()),
        ],
        failing_checks: vec![],
        stale_checks: vec![],
    }
}

fn blocks(rule: Rule, f: &Facts, stage: Stage) -> bool {
    rule(f, stage, TODAY).iter().any(|p| p.severity == Severity::Blocker)
}

fn passes(rule: Rule, f: &Facts, stage: Stage) -> bool {
    rule(f, stage, TODAY).is_empty()
}

const ALL: [Stage; 3] = [Stage::Stage1, Stage::Stage2, Stage::Surveillance];

#[test]
fn mandatory_documents_block_when_one_is_missing() {
    let mut f = ready();
    assert!(ALL.iter().all(|s| passes(mandatory_documents, &f, *s)));
    f.mandatory[0].satisfied = false;
    let p = mandatory_documents(&f, Stage::Stage1, TODAY);
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].severity, p[0].requirement.as_str()), (Severity::Blocker, "5.2"));
    assert!(p[0].message.contains("Information security policy"));
}

#[test]
fn an_unapproved_soa_blocks_and_a_drifted_one_warns() {
    let mut f = ready();
    assert!(passes(soa_approved, &f, Stage::Stage1));
    f.soa_unapproved_changes = 3;
    let p = soa_approved(&f, Stage::Stage2, TODAY);
    assert_eq!(p[0].severity, Severity::Warning);
    f.soa_approved = false;
    assert!(ALL.iter().all(|s| blocks(soa_approved, &f, *s)));
}

#[test]
fn unaccepted_risks_block_stage_2_and_surveillance_and_warn_for_stage_1() {
    let mut f = ready();
    assert!(passes(risks_accepted, &f, Stage::Stage2));
    f.risks_not_accepted = vec![named("RSK-004")];
    assert!(blocks(risks_accepted, &f, Stage::Stage2) && blocks(risks_accepted, &f, Stage::Surveillance));
    let p = risks_accepted(&f, Stage::Stage1, TODAY);
    assert_eq!(p[0].severity, Severity::Warning);
    assert!(p[0].message.contains("RSK-004"));
}

#[test]
fn unimplemented_controls_block_stage_2() {
    let mut f = ready();
    assert!(passes(controls_implemented, &f, Stage::Stage2));
    f.controls_not_implemented = (1..=10).map(|i| named(&format!("A.8.{i}"))).collect();
    assert!(blocks(controls_implemented, &f, Stage::Stage2));
    assert!(!blocks(controls_implemented, &f, Stage::Stage1), "a warning only at Stage 1");
    let message = &controls_implemented(&f, Stage::Stage2, TODAY)[0].message;
    assert!(message.contains("A.8.1 ") && message.contains("and 2 more"), "{message}");
}

#[test]
fn failing_and_stale_checks_are_warnings_naming_the_checks() {
    let mut f = ready();
    assert!(passes(checks_passing, &f, Stage::Stage2));
    f.failing_checks = vec![("CHK-002".into(), "Hosts patched".into())];
    f.stale_checks = vec![("CHK-001".into(), "TLS".into()), ("CHK-003".into(), "Backups".into())];
    let found = checks_passing(&f, Stage::Stage2, TODAY);
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|p| p.severity == Severity::Warning && p.requirement == "9.1"));
    assert!(found[0].message.contains("1 check is failing: CHK-002 Hosts patched"), "{}", found[0].message);
    assert!(found[1].message.contains("2 checks have no result"), "{}", found[1].message);
    assert_eq!(found[0].items[0].kind, "check");
}

#[test]
fn controls_without_current_evidence_block_stage_2() {
    let mut f = ready();
    assert!(passes(controls_evidenced, &f, Stage::Stage2));
    f.controls_without_evidence = vec![named("A.8.13")];
    assert!(blocks(controls_evidenced, &f, Stage::Stage2));
    assert!(!blocks(controls_evidenced, &f, Stage::Surveillance));
    assert_eq!(controls_evidenced(&f, Stage::Surveillance, TODAY)[0].requirement, "9.1");
}

#[test]
fn overdue_document_reviews_warn() {
    let mut f = ready();
    assert!(passes(documents_reviewed, &f, Stage::Stage2));
    f.documents_overdue = vec![named("DOC-004")];
    let p = documents_reviewed(&f, Stage::Stage2, TODAY);
    assert_eq!((p.len(), p[0].severity), (1, Severity::Warning));
}

#[test]
fn an_internal_audit_in_the_last_twelve_months_must_cover_every_clause() {
    let mut f = ready();
    assert!(ALL.iter().all(|s| passes(internal_audit, &f, *s)));
    f.internal_audits[0].2.retain(|c| c != "10.2");
    let p = internal_audit(&f, Stage::Stage2, TODAY);
    assert_eq!(p[0].severity, Severity::Blocker);
    assert!(p[0].message.contains("10.2"), "{}", p[0].message);
    // Two audits together cover the programme.
    f.internal_audits.push(("AUD-002".into(), date!(2026 - 09 - 01), vec!["10.2".into()]));
    assert!(passes(internal_audit, &f, Stage::Stage2));
    // Older than twelve months does not count.
    f.internal_audits = vec![("AUD-000".into(), date!(2025 - 10 - 01), f.clauses.clone())];
    assert!(blocks(internal_audit, &f, Stage::Stage2));
    assert!(!blocks(internal_audit, &f, Stage::Stage1), "Stage 1 only warns");
}

#[test]
fn a_management_review_in_the_last_twelve_months_is_needed() {
    let mut f = ready();
    assert!(passes(management_review, &f, Stage::Surveillance));
    f.management_reviews[0].2 = false;
    assert_eq!(management_review(&f, Stage::Stage2, TODAY)[0].severity, Severity::Warning, "incomplete inputs warn");
    f.management_reviews = vec![("MRV-000".into(), date!(2025 - 11 - 01), true)];
    assert!(blocks(management_review, &f, Stage::Stage2) && blocks(management_review, &f, Stage::Surveillance));
}

#[test]
fn an_open_major_nonconformity_blocks_and_closing_it_clears_the_blocker() {
    let mut f = ready();
    assert!(ALL.iter().all(|s| passes(no_open_majors, &f, *s)));
    f.open_majors = vec![named("FND-003")];
    assert!(ALL.iter().all(|s| blocks(no_open_majors, &f, *s)));
    f.open_majors.clear();
    f.open_minors = vec![named("FND-004")];
    assert!(!blocks(no_open_majors, &f, Stage::Stage2), "a minor one only warns");
    assert_eq!(no_open_majors(&f, Stage::Stage2, TODAY)[0].severity, Severity::Warning);
    // A minor from the certification body without an action plan blocks.
    f.unplanned_minors = vec![named("FND-004")];
    assert!(blocks(no_open_majors, &f, Stage::Stage2));
    assert!(no_open_majors(&f, Stage::Stage2, TODAY)[0].message.contains("without an action plan"));
    f.unplanned_minors.clear();
    // Past six months after Stage 2, the answer is to repeat Stage 2.
    f.stage_2_lapsed = vec![("FND-006".into(), "AUD-002".into(), date!(2026 - 03 - 05))];
    let p = no_open_majors(&f, Stage::Stage2, TODAY);
    assert!(
        p.iter().any(|p| p.severity == Severity::Blocker
            && p.message.contains("by 2026-09-05")
            && p.message.contains("Stage 2 must be repeated")),
        "{p:?}"
    );
    f.stage_2_lapsed.clear();
    // An internal audit's major is for the organization to act on: a warning.
    f.open_minors.clear();
    f.open_internal_majors = vec![named("FND-005")];
    let p = no_open_majors(&f, Stage::Stage2, TODAY);
    assert_eq!((p.len(), p[0].severity), (1, Severity::Warning));
    assert!(p[0].message.starts_with("1 major nonconformity from internal audits is open"), "{}", p[0].message);
}

#[test]
fn an_expired_certificate_is_restorable_for_six_months_then_needs_a_new_certification() {
    let f = ready();
    let expiry = f.certificate.as_ref().unwrap().cycle().expiry;
    let within = certificate_valid(&f, Stage::Surveillance, expiry + Duration::days(30));
    assert!(within[0].message.contains("restores it with its cycle"), "{}", within[0].message);
    let past = certificate_valid(&f, Stage::Surveillance, crate::review::add_months(expiry, 7));
    assert!(past[0].message.contains("only a new initial certification (Stage 1 and Stage 2)"), "{}", past[0].message);
}

#[test]
fn overdue_corrective_actions_block() {
    let mut f = ready();
    assert!(passes(actions_on_time, &f, Stage::Surveillance));
    f.overdue_actions = vec![named("FND-002")];
    assert!(ALL.iter().all(|s| blocks(actions_on_time, &f, *s)));
}

#[test]
fn surveillance_needs_a_valid_certificate() {
    let mut f = ready();
    assert!(passes(certificate_valid, &f, Stage::Surveillance));
    assert!(passes(certificate_valid, &ready_without_certificate(), Stage::Stage2), "not for certification");
    f.certificate.as_mut().unwrap().status = CertificateStatus::Suspended;
    let p = certificate_valid(&f, Stage::Surveillance, TODAY);
    assert!(p[0].message.contains("suspended"), "{}", p[0].message);
    assert!(blocks(certificate_valid, &ready_without_certificate(), Stage::Surveillance));
    f.certificate.as_mut().unwrap().status = CertificateStatus::Active;
    assert!(!blocks(certificate_valid, &f, Stage::Surveillance));
    assert!(certificate_valid(&f, Stage::Surveillance, date!(2029 - 03 - 15))[0].message.contains("expired"));
}

#[test]
fn a_missed_surveillance_audit_blocks() {
    let mut f = ready();
    let after_due = date!(2027 - 03 - 20);
    let p = certificate_valid(&f, Stage::Surveillance, after_due);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].message.contains("surveillance 1 was due by 2027-03-15"), "{}", p[0].message);
    f.completed_external = vec![(crate::audit::AuditKind::Surveillance1, date!(2027 - 02 - 10))];
    assert!(certificate_valid(&f, Stage::Surveillance, after_due).is_empty());
}

#[test]
fn a_surveillance_audit_due_soon_and_not_planned_warns() {
    let mut f = Facts { planned_external: vec![], ..ready() };
    let soon = date!(2027 - 01 - 10);
    let p = certificate_valid(&f, Stage::Surveillance, soon);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].severity, Severity::Warning);
    assert!(p[0].message.contains("not planned"), "{}", p[0].message);
    assert!(
        certificate_valid(&f, Stage::Surveillance, date!(2026 - 10 - 01)).is_empty(),
        "more than four months ahead: nothing yet"
    );
    f.planned_external = vec![(crate::audit::AuditKind::Surveillance1, date!(2027 - 02 - 20))];
    assert!(certificate_valid(&f, Stage::Surveillance, soon).is_empty());
    f.planned_external = vec![(crate::audit::AuditKind::Surveillance1, date!(2027 - 04 - 01))];
    assert_eq!(certificate_valid(&f, Stage::Surveillance, soon).len(), 1, "planned after the due date does not count");
}

fn ready_without_certificate() -> Facts {
    Facts { certificate: None, ..ready() }
}

#[test]
fn the_assessment_collects_blockers_and_warnings_and_scores_each_clause() {
    let r = assess(&ready(), Stage::Stage2, TODAY);
    assert!(r.ready && r.blockers.is_empty() && r.warnings.is_empty(), "{r:?}");
    assert!(r.clauses.iter().all(|(_, passed, total)| passed == total), "{:?}", r.clauses);

    let mut f = ready();
    f.open_majors = vec![named("FND-009")];
    f.documents_overdue = vec![named("DOC-002")];
    let r = assess(&f, Stage::Stage2, TODAY);
    assert!(!r.ready);
    assert_eq!(r.blockers.iter().map(|p| p.rule).collect::<Vec<_>>(), ["no_open_majors"]);
    assert_eq!(r.warnings.iter().map(|p| p.rule).collect::<Vec<_>>(), ["documents_reviewed"]);
    let ten = r.clauses.iter().find(|c| c.0 == "10").unwrap();
    assert_eq!((ten.1, ten.2), (1, 2), "one of clause 10's two checks fails");
    assert_eq!(Stage::parse("2"), Some(Stage::Stage2));
    assert_eq!(Stage::parse("Surveillance"), Some(Stage::Surveillance));
    assert_eq!(Stage::parse("3"), None);
}

#[test]
fn each_annex_a_theme_counts_controls_implemented_and_evidenced() {
    let mut f = ready();
    assert_eq!(assess(&f, Stage::Stage2, TODAY).themes, [("A.5".to_owned(), 1, 1), ("A.8".to_owned(), 2, 2)]);
    f.controls_not_implemented = vec![named("A.8.16")];
    f.controls_without_evidence = vec![named("A.5.1")];
    assert_eq!(assess(&f, Stage::Stage2, TODAY).themes, [("A.5".to_owned(), 0, 1), ("A.8".to_owned(), 1, 2)]);
}

#[test]
fn a_problem_names_every_record_it_is_about_while_its_message_names_the_first_few() {
    let mut f = ready();
    f.risks_not_accepted = (1..=9).map(|n| named(&format!("RSK-{n:03}"))).collect();
    f.controls_without_evidence = vec![named("A.8.13")];
    let p = &risks_accepted(&f, Stage::Stage2, TODAY)[0];
    assert!(p.message.ends_with("and 4 more"), "{}", p.message);
    assert_eq!(p.items.len(), 9, "every one, not the first five");
    assert!(p.items.iter().all(|i| i.kind == "risk"));
    assert_eq!((p.items[8].id.as_str(), p.items[8].title.as_str()), ("RSK-009", "title of RSK-009"));
    let e = &controls_evidenced(&f, Stage::Stage2, TODAY)[0];
    assert_eq!(e.items, [Concerned { kind: "control", id: "A.8.13".into(), title: "title of A.8.13".into() }]);
    assert!(soa_approved(&ready(), Stage::Stage2, TODAY).is_empty());
}

#[test]
fn an_early_surveillance_must_not_leave_a_calendar_year_without_an_audit() {
    use crate::audit::AuditKind::{Surveillance1, Surveillance2};
    let mut f = ready();
    // Issued 2026-03-15; surveillance 1 held early, in November 2026; surveillance 2
    // planned for February 2028: nothing in 2027.
    f.completed_external = vec![(Surveillance1, date!(2026 - 11 - 10))];
    f.planned_external = vec![(Surveillance2, date!(2028 - 02 - 10))];
    let about = |f: &Facts, today: Date| -> Vec<Problem> {
        certificate_valid(f, Stage::Surveillance, today).into_iter().filter(|p| p.message.contains("2027")).collect()
    };
    let during = about(&f, date!(2027 - 06 - 01));
    assert_eq!(during.len(), 1, "{during:?}");
    assert_eq!(during[0].severity, Severity::Warning);
    assert!(during[0].message.contains("held or planned in 2027"), "{}", during[0].message);
    let after = about(&f, date!(2028 - 01 - 15));
    assert_eq!((after.len(), after[0].severity), (1, Severity::Blocker), "{after:?}");
    assert!(after[0].message.contains("no audit by the certification body took place in 2027"));
    // An audit in 2027 settles it; so does a planned one while the year runs.
    f.planned_external.push((Surveillance2, date!(2027 - 10 - 05)));
    assert!(about(&f, date!(2027 - 06 - 01)).is_empty());
    f.completed_external.push((Surveillance2, date!(2027 - 10 - 06)));
    assert!(about(&f, date!(2028 - 01 - 15)).is_empty());
    // The recertification year (the expiry's, 2029) is not checked.
    assert!(
        certificate_valid(&f, Stage::Surveillance, date!(2029 - 02 - 01))
            .iter()
            .all(|p| !p.message.contains("in 2029"))
    );
}

#[test]
fn the_recertification_is_planned_from_month_30_and_before_expiry() {
    use crate::audit::AuditKind::{Recertification, Surveillance1, Surveillance2};
    let mut f = ready();
    f.completed_external = vec![(Surveillance1, date!(2027 - 02 - 20)), (Surveillance2, date!(2028 - 02 - 20))];
    f.planned_external = vec![];
    let about = |f: &Facts, today: Date| -> Vec<Problem> {
        certificate_valid(f, Stage::Surveillance, today)
            .into_iter()
            .filter(|p| p.message.contains("recertification"))
            .collect()
    };
    assert!(about(&f, date!(2028 - 09 - 14)).is_empty(), "before month 30");
    let warned = about(&f, date!(2028 - 09 - 15));
    assert_eq!((warned.len(), warned[0].severity), (1, Severity::Warning), "{warned:?}");
    assert!(warned[0].message.contains("expires on 2029-03-14"));
    f.planned_external = vec![(Recertification, date!(2029 - 04 - 01))];
    let late = about(&f, date!(2028 - 10 - 01));
    assert_eq!((late.len(), late[0].severity), (1, Severity::Blocker), "{late:?}");
    assert!(late[0].message.contains("would lapse before the decision"));
    f.planned_external = vec![(Recertification, date!(2029 - 01 - 10))];
    assert!(about(&f, date!(2028 - 10 - 01)).is_empty());
}

#[test]
fn a_suspension_longer_than_six_months_makes_withdrawal_due() {
    let mut f = ready();
    let c = f.certificate.as_mut().unwrap();
    c.status = CertificateStatus::Suspended;
    c.status_since = Some(date!(2026 - 08 - 01));
    let p = certificate_valid(&f, Stage::Surveillance, TODAY);
    assert!(p[0].message.contains("is suspended"), "{}", p[0].message);
    f.certificate.as_mut().unwrap().status_since = Some(date!(2026 - 05 - 01));
    let p = certificate_valid(&f, Stage::Surveillance, TODAY);
    assert_eq!(p[0].severity, Severity::Blocker);
    assert!(
        p[0].message.contains("suspended since 2026-05-01, more than 6 months: withdrawal is due"),
        "{}",
        p[0].message
    );
}
