//! Use-case tests on real databases, each run on SQLite and PostgreSQL.

use std::sync::Arc;

use isms_domain::trail::verify_chain;
use isms_domain::{Email, Role, WorkspaceKind};
use isms_testkit::{TestDb, both_engines};
use time::macros::datetime;

use crate::demo::{DEMO_CLIENT_ORG, DEMO_PASSWORD, DemoOutcome, create_demo, create_or_reuse_demo};
use crate::password::verify_password;
use crate::schema::readiness;
use crate::workspace::{NewWorkspace, initialize_workspace};
use crate::{Cx, ErrorKind, FixedClock, SeededEntropy};

/// The installation's operator acting in `org`, as the command line does.
fn op(org: isms_domain::OrgId) -> crate::access::Actor {
    crate::access::Actor::operator(org, "isms test")
}

/// The member with `email` acting in `org` with their role.
async fn as_member(cx: &Cx, org: isms_domain::OrgId, email: &Email) -> crate::access::Actor {
    crate::access::Actor::member(cx, org, email).await.unwrap()
}

pub(super) fn cx(db: &TestDb) -> Cx {
    Cx {
        clock: Arc::new(FixedClock(datetime!(2026-11-25 12:00 UTC))),
        entropy: Arc::new(SeededEntropy::new(7)),
        ..Cx::new(db.store.clone())
    }
}

pub(super) fn acme() -> NewWorkspace {
    NewWorkspace::parse("Acme Corp", "Alice@Acme.test", Some("Alice Admin")).unwrap()
}

#[test]
fn bad_init_input_names_every_bad_field() {
    let err = NewWorkspace::parse(" ", "alice", Some("A\nB")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid);
    let fields: Vec<_> = err.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["org", "admin_email", "admin_name"]);
    assert!(
        err.message.contains("admin_email: \"alice\" is not a usable e-mail address: it has no @"),
        "{}",
        err.message
    );
}

both_engines! {
    async fn init_creates_the_organization_and_its_owner(db: TestDb) {
        let cx = cx(&db);
        assert!(!readiness(&cx).await.ready, "not migrated yet");
        let created = initialize_workspace(&cx, acme()).await.unwrap();
        assert_eq!(created.workspace.kind, WorkspaceKind::Standard);
        assert!(!created.migrations_applied.is_empty());
        assert!(verify_password(&created.admin_password, &created.admin.password_hash));
        let mut tx = cx.store.read().await.unwrap();
        let admin = tx.user_by_email(&Email::parse("alice@acme.test").unwrap()).await.unwrap().unwrap();
        assert_eq!(admin.display_name.as_str(), "Alice Admin");
        assert_eq!(tx.organizations_of(admin.id).await.unwrap(), vec![(created.organization.clone(), Role::Owner)]);
        let trail = tx.trail(created.organization.id, 0, 100).await.unwrap();
        let actions: Vec<_> = trail.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["organization.created", "user.created", "membership.granted"]);
        assert_eq!(verify_chain(&trail), Ok(3));
        assert!(!trail[1].after.as_deref().unwrap().contains("argon2"), "the trail never holds the password hash");
        drop(tx);
        let ready = readiness(&cx).await;
        assert!(ready.ready, "{ready:?}");
    }

    async fn init_refuses_an_existing_workspace_and_changes_nothing(db: TestDb) {
        let cx = cx(&db);
        let first = initialize_workspace(&cx, acme()).await.unwrap();
        let other = NewWorkspace::parse("Other Inc", "bob@other.test", None).unwrap();
        let err = initialize_workspace(&cx, other).await.unwrap_err();
        assert_eq!((err.kind, err.code.as_str()), (ErrorKind::Conflict, "workspace_exists"));
        assert!(err.message.contains("already holds an isms standard workspace (created 2026-11-25)"), "{}", err.message);
        let mut tx = cx.store.read().await.unwrap();
        assert_eq!(tx.organizations().await.unwrap(), vec![first.organization.clone()]);
        assert_eq!(tx.users().await.unwrap().len(), 1);
        assert_eq!(tx.trail(first.organization.id, 0, 100).await.unwrap().len(), 3);
    }

    async fn the_demo_has_every_role_and_a_consultant_in_two_organizations(db: TestDb) {
        let cx = cx(&db);
        let demo = create_demo(&cx).await.unwrap();
        assert_eq!(demo.workspace.kind, WorkspaceKind::Demo);
        let mut tx = cx.store.read().await.unwrap();
        let main = &demo.organizations[0];
        let roles: Vec<Role> = tx.members(main.id).await.unwrap().into_iter().map(|(_, m)| m.role).collect();
        for role in Role::ALL {
            assert!(roles.contains(&role), "the demo lacks a {role}");
        }
        let marcus = tx.user_by_email(&Email::parse("marcus.chen@cedarridge.example").unwrap()).await.unwrap().unwrap();
        let orgs: Vec<String> = tx.organizations_of(marcus.id).await.unwrap().into_iter().map(|(o, _)| o.name.to_string()).collect();
        assert_eq!(orgs.len(), 2);
        assert!(orgs.contains(&DEMO_CLIENT_ORG.to_owned()));
        assert!(verify_password(DEMO_PASSWORD, &marcus.password_hash));
        for org in &demo.organizations {
            let trail = tx.trail(org.id, 0, 1000).await.unwrap();
            assert!(verify_chain(&trail).unwrap() > 0);
        }
        drop(tx);
        let in_use: Vec<String> = crate::frameworks::frameworks_in_use(&cx, &op(main.id))
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(in_use, ["iso27001-2022", "hipaa-security", "nist-csf-2.0"]);
        let risks = crate::risks::list_risks(&cx, &op(main.id)).await.unwrap();
        assert_eq!(risks.len(), 60);
        let states: std::collections::BTreeSet<&str> = risks
            .iter()
            .map(|r| match r.acceptance_state {
                isms_domain::risk::AcceptanceState::Accepted => "accepted",
                isms_domain::risk::AcceptanceState::Unaccepted { .. } => "unaccepted",
                isms_domain::risk::AcceptanceState::NotNeeded => "within appetite",
                isms_domain::risk::AcceptanceState::NotAcceptable => "not acceptable",
            })
            .collect();
        assert!(states.contains("accepted") && states.contains("unaccepted") && states.contains("within appetite"), "{states:?}");
        assert!(risks.iter().any(|r| !r.risk.actions.is_empty()));
        assert_eq!(risks.iter().filter(|r| r.risk.fair.is_some()).count(), 12);
        let portfolio = crate::fair::stored_result(&cx, &op(main.id), "PORTFOLIO").await.unwrap().unwrap();
        assert_eq!(portfolio.contributions.len(), 12);
        assert!(crate::soa::soa_draft(&cx, &op(main.id)).await.unwrap().problems.is_empty(), "the demo SoA is complete");
        assert_eq!(crate::assets::classification_scheme(&cx, main.id).await.unwrap().levels.len(), 4);
        assert_eq!(crate::registers::list::<isms_domain::asset::Asset>(&cx, main.id).await.unwrap().len(), 40);
    }

    async fn serving_the_demo_again_reuses_it_but_never_a_real_workspace(db: TestDb) {
        let cx = cx(&db);
        assert!(matches!(create_or_reuse_demo(&cx).await.unwrap(), DemoOutcome::Created(_)));
        assert!(matches!(create_or_reuse_demo(&cx).await.unwrap(), DemoOutcome::Existing(_)));
        let err = create_demo(&cx).await.unwrap_err();
        assert_eq!(err.code, "workspace_exists");
    }

    async fn the_demo_refuses_a_real_workspace(db: TestDb) {
        let cx = cx(&db);
        initialize_workspace(&cx, acme()).await.unwrap();
        let err = create_or_reuse_demo(&cx).await.unwrap_err();
        assert_eq!(err.code, "workspace_exists");
        assert!(err.message.contains("not a demo"), "{}", err.message);
    }
}

mod soa_tests {
    use std::collections::BTreeSet;

    use isms_domain::soa::{ControlLink, ControlStatus, InclusionReason, LinkKind, SoaProblem};
    use isms_domain::trail::TrailActor;
    use isms_domain::{Email, OrgId};
    use isms_testkit::both_engines;

    use super::{acme, as_member, cx, op};
    use crate::controls::{ControlChange, list_controls, update_control};
    use crate::soa::{VersionRef, approve_soa, diff_soa, soa_at, soa_draft};
    use crate::workspace::initialize_workspace;
    use crate::{Cx, ErrorKind};

    fn actor() -> TrailActor {
        TrailActor::System("test".into())
    }

    fn alice() -> Email {
        Email::parse("alice@acme.test").unwrap()
    }

    async fn reasons_for_all(cx: &Cx, org: OrgId) {
        for c in list_controls(cx, &op(org)).await.unwrap() {
            let change = ControlChange {
                reasons: Some(BTreeSet::from([InclusionReason::BusinessPractice])),
                ..ControlChange::default()
            };
            update_control(cx, &op(org), &c.record.control, change).await.unwrap();
        }
    }

    both_engines! {
        async fn a_new_organization_starts_with_93_controls_not_started_and_cannot_approve(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            let controls = list_controls(&cx, &op(org)).await.unwrap();
            assert_eq!(controls.len(), 93);
            assert!(controls.iter().all(|c| c.record.status == ControlStatus::NotStarted && c.record.applicable));
            assert_eq!(controls[0].record.control, "A.5.1");
            assert_eq!(controls[92].record.control, "A.8.34");
            let draft = soa_draft(&cx, &op(org)).await.unwrap();
            assert_eq!(draft.problems.len(), 93);
            assert!(draft.problems.iter().all(|p| matches!(p, SoaProblem::ApplicableWithoutReason(_))));
            let err = approve_soa(&cx, &as_member(&cx, org, &alice()).await, "first").await.unwrap_err();
            assert_eq!((err.kind, err.code.as_str()), (ErrorKind::Invalid, "soa_invalid"));
            assert_eq!(err.fields.len(), 93);
        }

        async fn validation_lists_exactly_what_blocks_and_approval_follows_when_it_is_empty(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            reasons_for_all(&cx, org).await;
            let exclude = ControlChange { applicable: Some(false), ..ControlChange::default() };
            update_control(&cx, &op(org), "A.7.4", exclude).await.unwrap();
            let risk = ControlChange { reasons: Some([InclusionReason::RiskTreatment].into()), ..ControlChange::default() };
            update_control(&cx, &op(org), "8.7", risk).await.unwrap();
            let problems = soa_draft(&cx, &op(org)).await.unwrap().problems;
            assert_eq!(
                problems,
                [
                    SoaProblem::ExclusionWithoutJustification("A.7.4".into()),
                    SoaProblem::RiskTreatmentWithoutRisk("A.8.7".into()),
                ]
            );
            let fix = ControlChange { justification: Some(Some("Shared office; the landlord monitors it.".into())), ..ControlChange::default() };
            update_control(&cx, &op(org), "A.7.4", fix).await.unwrap();
            let link = ControlChange { link: vec![ControlLink { kind: LinkKind::Risk, id: "R-12".into() }], ..ControlChange::default() };
            update_control(&cx, &op(org), "A.8.7", link).await.unwrap();
            assert!(soa_draft(&cx, &op(org)).await.unwrap().problems.is_empty());
            let v1 = approve_soa(&cx, &as_member(&cx, org, &alice()).await, "Initial SoA").await.unwrap();
            assert_eq!(v1.number, 1);
            assert_eq!(v1.approved_by, "Alice Admin");
            let again = approve_soa(&cx, &as_member(&cx, org, &alice()).await, "again").await.unwrap_err();
            assert_eq!(again.code, "soa_unchanged");
        }

        async fn two_approvals_diff_to_exactly_the_edits_and_the_first_version_never_changes(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            reasons_for_all(&cx, org).await;
            let v1 = approve_soa(&cx, &as_member(&cx, org, &alice()).await, "v1").await.unwrap();
            let implemented = ControlChange { status: Some(ControlStatus::Implemented), owner: Some(Some(alice())), ..ControlChange::default() };
            update_control(&cx, &op(org), "A.5.15", implemented).await.unwrap();
            let exclude = ControlChange {
                applicable: Some(false),
                justification: Some(Some("No on-premises equipment.".into())),
                ..ControlChange::default()
            };
            update_control(&cx, &op(org), "A.7.8", exclude).await.unwrap();
            let v2 = approve_soa(&cx, &as_member(&cx, org, &alice()).await, "v2").await.unwrap();
            assert_eq!(v2.number, 2);
            let changes = diff_soa(&cx, &op(org), VersionRef::Number(1), VersionRef::Number(2)).await.unwrap();
            let got: Vec<(&str, &str, &str, &str)> =
                changes.iter().map(|c| (c.control.as_str(), c.field.as_str(), c.before.as_str(), c.after.as_str())).collect();
            assert_eq!(
                got,
                [
                    ("A.5.15", "status", "not_started", "implemented"),
                    ("A.5.15", "owner", "", "Alice Admin"),
                    ("A.7.8", "applicable", "true", "false"),
                    ("A.7.8", "reasons", "business_practice", ""),
                    ("A.7.8", "justification", "", "No on-premises equipment."),
                    ("A.7.8", "status", "not_started", "not_applicable"),
                ]
            );
            let (first, rows) = soa_at(&cx, &op(org), VersionRef::Number(1)).await.unwrap();
            assert_eq!(first.unwrap(), v1);
            assert_eq!(rows, v1.rows, "version 1 is unchanged after later edits");
            assert!(diff_soa(&cx, &op(org), VersionRef::Latest, VersionRef::Draft).await.unwrap().is_empty());
        }

        async fn control_changes_stay_in_their_organization_and_keep_history(db: TestDb) {
            let cx = cx(&db);
            let acme_org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            let globex = isms_domain::Organization {
                id: OrgId::from_random_bytes([42; 16]),
                name: isms_domain::OrgName::parse("Globex").unwrap(),
                created_at: cx.clock.now(),
            };
            let mut tx = cx.store.write().await.unwrap();
            crate::workspace::add_organization(&mut *tx, &cx, &actor(), &globex).await.unwrap();
            tx.commit().await.unwrap();
            let change = ControlChange { status: Some(ControlStatus::Planned), ..ControlChange::default() };
            update_control(&cx, &op(acme_org), "A.5.1", change).await.unwrap();
            let theirs = list_controls(&cx, &op(globex.id)).await.unwrap();
            assert_eq!(theirs.len(), 93);
            assert!(theirs.iter().all(|c| c.record.status == ControlStatus::NotStarted), "Globex's records are untouched");
            let detail = crate::controls::control_detail(&cx, &op(acme_org), "A.5.1").await.unwrap();
            let statuses: Vec<ControlStatus> = detail.history.iter().map(|h| h.change.to).collect();
            assert_eq!(statuses, [ControlStatus::NotStarted, ControlStatus::Planned]);
            assert_eq!(detail.history[0].by_name, "isms init");
            let link = ControlChange { link: vec![ControlLink { kind: LinkKind::Risk, id: "R-1".into() }], ..ControlChange::default() };
            let linked = update_control(&cx, &op(acme_org), "A.5.1", link).await.unwrap();
            assert!(linked.reasons.contains(&InclusionReason::RiskTreatment), "linking a risk adds the reason");
            let unlink = ControlChange { unlink: vec![ControlLink { kind: LinkKind::Risk, id: "R-1".into() }], ..ControlChange::default() };
            let unlinked = update_control(&cx, &op(acme_org), "A.5.1", unlink).await.unwrap();
            assert!(!unlinked.reasons.contains(&InclusionReason::RiskTreatment), "unlinking the last risk removes it");
            let stranger = ControlChange { owner: Some(Some(Email::parse("bob@globex.test").unwrap())), ..ControlChange::default() };
            let err = update_control(&cx, &op(acme_org), "A.5.1", stranger).await.unwrap_err();
            assert_eq!(err.fields[0].field, "owner");
            let trail = cx.store.read().await.unwrap().trail(acme_org, 0, 100).await.unwrap();
            assert_eq!(trail.last().unwrap().action, "control.updated");
            assert!(cx.store.read().await.unwrap().trail(globex.id, 0, 100).await.unwrap().iter().all(|e| e.action != "control.updated"));
        }
    }
}

mod register_tests {
    use isms_domain::asset::{Asset, AssetType, Lifecycle};
    use isms_domain::register::{Scope, ScopeExclusion};
    use isms_domain::review::{ReviewOutcome, ReviewStatus, Subject, SubjectKind};
    use isms_domain::trail::TrailActor;
    use isms_domain::{Email, OrgId, OrgName, Organization};
    use isms_testkit::both_engines;

    use super::{acme, as_member, cx, op};
    use crate::assets::{add_asset, import_assets_csv};
    use crate::registers;
    use crate::workspace::initialize_workspace;
    use crate::{Cx, ErrorKind};

    fn actor() -> TrailActor {
        TrailActor::System("test".into())
    }

    fn laptop() -> Asset {
        Asset {
            id: String::new(),
            name: "Engineering laptops".into(),
            kind: AssetType::System,
            owner: "Alice@Acme.test".into(),
            classification: "confidential".into(),
            confidentiality: 3,
            integrity: 3,
            availability: 2,
            lifecycle: Lifecycle::InUse,
            description: "MacBooks with FileVault".into(),
        }
    }

    async fn second_org(cx: &Cx) -> OrgId {
        let globex = Organization {
            id: OrgId::from_random_bytes([43; 16]),
            name: OrgName::parse("Globex").unwrap(),
            created_at: cx.clock.now(),
        };
        let mut tx = cx.store.write().await.unwrap();
        crate::workspace::add_organization(&mut *tx, cx, &actor(), &globex).await.unwrap();
        tx.commit().await.unwrap();
        globex.id
    }

    const GOOD_AND_BAD: &str =
        "name,type,owner,classification,confidentiality,integrity,availability,lifecycle,description
Customer database,information,alice@acme.test,Restricted,4,4,3,in use,Postgres in AWS
Office Wi-Fi,sytem,alice@acme.test,Internal,2,2,2,in_use,
Payroll,service,mallory@evil.test,Secret,5,2,2,in_use,
";

    both_engines! {
        async fn assets_get_sequential_ids_normalized_fields_and_a_review_cycle(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            let a = add_asset(&cx, &actor(), org, laptop()).await.unwrap();
            let b = add_asset(&cx, &actor(), org, laptop()).await.unwrap();
            assert_eq!((a.id.as_str(), b.id.as_str()), ("AST-001", "AST-002"));
            assert_eq!((a.owner.as_str(), a.classification.as_str()), ("alice@acme.test", "Confidential"));
            let subject = Subject { kind: SubjectKind::Asset, id: "AST-001".into() };
            assert!(matches!(crate::reviews::review_status(&cx, &op(org), &subject).await.unwrap(), Some(ReviewStatus::Current { .. })));
            let mut bad = laptop();
            bad.owner = "nobody@acme.test".into();
            bad.confidentiality = 7;
            let err = add_asset(&cx, &actor(), org, bad).await.unwrap_err();
            let fields: Vec<&str> = err.fields.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(fields, ["confidentiality", "owner"]);
            let status = crate::reviews::record_review(&cx, &as_member(&cx, org, &Email::parse("alice@acme.test").unwrap()).await, &subject, ReviewOutcome::NoChange, "ok").await.unwrap();
            assert!(matches!(status, ReviewStatus::Current { .. }));
        }

        async fn a_csv_import_with_a_bad_row_stores_nothing_unless_bad_rows_are_skipped(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            let report = import_assets_csv(&cx, &op(org), GOOD_AND_BAD, false, &Default::default()).await.unwrap();
            assert!(!report.stored);
            let errors: Vec<(u64, &str)> = report.errors.iter().map(|e| (e.line, e.column.as_str())).collect();
            assert_eq!(errors, [(3, "type"), (4, "confidentiality"), (4, "owner"), (4, "classification")]);
            assert!(report.errors[0].message.contains("\"sytem\" is not an asset type"), "{:?}", report.errors[0]);
            assert!(registers::list::<Asset>(&cx, org).await.unwrap().is_empty(), "nothing stored");
            let report = import_assets_csv(&cx, &op(org), GOOD_AND_BAD, true, &Default::default()).await.unwrap();
            assert!(report.stored);
            assert_eq!(report.created.len(), 1);
            let stored = registers::list::<Asset>(&cx, org).await.unwrap();
            assert_eq!(stored.len(), 1);
            assert_eq!((stored[0].id.as_str(), stored[0].lifecycle), ("AST-001", Lifecycle::InUse));
        }

        async fn registers_are_scoped_to_their_organization(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            let other = second_org(&cx).await;
            let asset = add_asset(&cx, &actor(), org, laptop()).await.unwrap();
            assert!(registers::list::<Asset>(&cx, other).await.unwrap().is_empty());
            let err = registers::get::<Asset>(&cx, other, &asset.id).await.unwrap_err();
            assert_eq!(err.kind, ErrorKind::NotFound);
            assert_eq!(registers::delete::<Asset>(&cx, &actor(), other, &asset.id).await.unwrap_err().kind, ErrorKind::NotFound);
            assert_eq!(registers::list::<Asset>(&cx, org).await.unwrap().len(), 1, "still there");
            let scope = Scope {
                id: String::new(),
                statement: "The Acme platform".into(),
                boundaries: vec![],
                interfaces: vec![],
                locations: vec!["Remote".into()],
                exclusions: vec![ScopeExclusion { what: "Marketing site".into(), justification: String::new() }],
            };
            let err = registers::put_singleton(&cx, &actor(), org, scope.clone()).await.unwrap_err();
            assert_eq!(err.fields[0].field, "exclusions");
            let mut ok = scope;
            ok.exclusions[0].justification = "Static site with no customer data, hosted by a vendor.".into();
            registers::put_singleton(&cx, &actor(), org, ok.clone()).await.unwrap();
            assert_eq!(registers::get::<Scope>(&cx, org, "SCOPE").await.unwrap().statement, ok.statement);
            assert_eq!(registers::get::<Scope>(&cx, other, "SCOPE").await.unwrap_err().kind, ErrorKind::NotFound);
        }
    }
}

mod risk_tests {
    use isms_domain::risk::{AcceptanceRule, AcceptanceState, HeatMapKind, Rating, Risk, TreatmentOption};
    use isms_domain::soa::InclusionReason;
    use isms_domain::trail::TrailActor;
    use isms_domain::{Email, Role};
    use isms_testkit::both_engines;
    use time::macros::date;

    use super::{acme, as_member, cx, op};
    use crate::controls::list_controls;
    use crate::risks::{accept_risk, add_risk, edit_methodology, edit_risk, heat_map, list_risks, methodology};
    use crate::workspace::initialize_workspace;
    use crate::{Cx, ErrorKind};

    fn actor() -> TrailActor {
        TrailActor::System("test".into())
    }

    fn ransomware(residual: (u8, u8), controls: &[&str]) -> Risk {
        Risk {
            id: String::new(),
            title: "Ransomware encrypts production".into(),
            description: "Extortion group encrypts databases and backups".into(),
            assets: vec![],
            threat: "Ransomware".into(),
            vulnerability: "Flat network, shared admin credentials".into(),
            owner: "alice@acme.test".into(),
            inherent: Rating { likelihood: 4, impact: 5 },
            existing_controls: "EDR on servers".into(),
            treatment: TreatmentOption::Modify,
            actions: vec![],
            controls: controls.iter().map(|c| (*c).to_owned()).collect(),
            residual: Rating { likelihood: residual.0, impact: residual.1 },
            acceptance: None,
            next_review: date!(2027 - 06 - 01),
            history: vec![],
            fair: None,
        }
    }

    async fn add_member(cx: &Cx, org: isms_domain::OrgId, email: &str, role: Role) {
        let user = crate::workspace::new_user(
            cx,
            Email::parse(email).unwrap(),
            isms_domain::DisplayName::parse("Bob").unwrap(),
            "pw",
        )
        .unwrap();
        let orgs = cx.store.read().await.unwrap().organizations().await.unwrap();
        let organization = orgs.into_iter().find(|o| o.id == org).unwrap();
        let mut tx = cx.store.write().await.unwrap();
        crate::workspace::add_member(&mut *tx, cx, &actor(), &organization, &user, role).await.unwrap();
        tx.commit().await.unwrap();
    }

    both_engines! {
        async fn changing_the_matrix_relevels_every_risk_and_keeps_the_old_levels(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            add_risk(&cx, &op(org), ransomware((2, 2), &[])).await.unwrap();
            add_risk(&cx, &op(org), ransomware((3, 3), &[])).await.unwrap();
            let mut m = methodology(&cx, &op(org)).await.unwrap();
            assert_eq!(m.version, 1);
            m.matrix[1][1] = "medium".into();
            m.matrix[2][2] = "high".into();
            let (m2, relevelled) = edit_methodology(&cx, &op(org), m).await.unwrap();
            assert_eq!((m2.version, relevelled), (2, 2));
            let risks = list_risks(&cx, &op(org)).await.unwrap();
            let by_id = |id: &str| risks.iter().find(|r| r.risk.id == id).unwrap();
            assert_eq!(by_id("RSK-001").residual_level, "medium");
            assert_eq!(by_id("RSK-002").residual_level, "high");
            let history: Vec<(u32, &str)> = by_id("RSK-002").risk.history.iter().map(|h| (h.methodology_version, h.residual.as_str())).collect();
            assert_eq!(history, [(1, "medium"), (2, "high")]);
            assert_eq!(crate::risks::methodology_versions(&cx, &op(org)).await.unwrap().len(), 2);
            let mut bad = methodology(&cx, &op(org)).await.unwrap();
            bad.matrix[0][0] = "nope".into();
            assert_eq!(edit_methodology(&cx, &op(org), bad).await.unwrap_err().kind, ErrorKind::Invalid);
        }

        async fn residual_risk_above_appetite_is_unaccepted_until_its_owner_accepts(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            add_member(&cx, org, "bob@acme.test", Role::IsmsManager).await;
            let r = add_risk(&cx, &op(org), ransomware((2, 3), &[])).await.unwrap();
            assert_eq!(r.acceptance_state, AcceptanceState::Unaccepted { by: AcceptanceRule::RiskOwner });
            let bob = Email::parse("bob@acme.test").unwrap();
            let err = accept_risk(&cx, &as_member(&cx, org, &bob).await, "RSK-001", "fine by me").await.unwrap_err();
            assert_eq!(err.kind, ErrorKind::Forbidden);
            assert!(err.message.contains("only the risk owner (alice@acme.test)"), "{}", err.message);
            let alice = Email::parse("alice@acme.test").unwrap();
            let accepted = accept_risk(&cx, &as_member(&cx, org, &alice).await, "RSK-001", "Within budget for this year").await.unwrap();
            assert_eq!(accepted.acceptance_state, AcceptanceState::Accepted);
            assert_eq!(accept_risk(&cx, &as_member(&cx, org, &alice).await, "RSK-001", "again").await.unwrap_err().code, "already_accepted");
            // Raising the residual level makes the acceptance lapse.
            edit_risk(&cx, &op(org), "RSK-001", |r| { *r = ransomware((3, 4), &[]); Ok(()) }).await.unwrap();
            let r = crate::risks::risk(&cx, &op(org), "RSK-001").await.unwrap();
            assert_eq!(r.acceptance_state, AcceptanceState::Unaccepted { by: AcceptanceRule::Executive });
            // Alice is the workspace owner (owner role), so she may accept a high risk.
            accept_risk(&cx, &as_member(&cx, org, &alice).await, "RSK-001", "Board informed").await.unwrap();
            let mut bobs = ransomware((3, 4), &[]);
            bobs.owner = "bob@acme.test".into();
            add_risk(&cx, &op(org), bobs).await.unwrap();
            let err = accept_risk(&cx, &as_member(&cx, org, &bob).await, "RSK-002", "mine").await.unwrap_err();
            assert!(err.message.contains("need acceptance by top management"), "{}", err.message);
            add_risk(&cx, &op(org), ransomware((1, 1), &[])).await.unwrap();
            assert_eq!(accept_risk(&cx, &as_member(&cx, org, &alice).await, "RSK-003", "x").await.unwrap_err().code, "acceptance_not_needed");
        }

        async fn linking_a_risk_to_a_control_gives_it_the_risk_treatment_reason_and_unlinking_removes_it(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            add_risk(&cx, &op(org), ransomware((2, 2), &["A.8.13", "8.7"])).await.unwrap();
            let reasons = |controls: &[crate::controls::ControlView], id: &str| {
                controls.iter().find(|c| c.record.control == id).unwrap().record.reasons.contains(&InclusionReason::RiskTreatment)
            };
            let controls = list_controls(&cx, &op(org)).await.unwrap();
            assert!(reasons(&controls, "A.8.13") && reasons(&controls, "A.8.7"));
            assert!(!reasons(&controls, "A.5.1"));
            edit_risk(&cx, &op(org), "RSK-001", |r| { *r = ransomware((2, 2), &["A.8.13"]); Ok(()) }).await.unwrap();
            let controls = list_controls(&cx, &op(org)).await.unwrap();
            assert!(reasons(&controls, "A.8.13"));
            assert!(!reasons(&controls, "A.8.7"), "unlinking removed the reason");
            let err = add_risk(&cx, &op(org), ransomware((2, 2), &["A.9.9"])).await.unwrap_err();
            assert_eq!(err.fields[0].message, "A.9.9 is not an Annex A control");
        }

        async fn a_change_is_recorded_field_by_field_and_changes_since_add_up_the_entries(db: TestDb) {
            let day1 = cx(&db);
            let org = initialize_workspace(&day1, acme()).await.unwrap().organization.id;
            add_risk(&day1, &op(org), ransomware((2, 2), &["A.8.13", "A.8.7"])).await.unwrap();
            let head = day1.store.read().await.unwrap().trail_head(org).await.unwrap().seq;
            add_risk(&day1, &op(org), ransomware((3, 3), &["A.8.13"])).await.unwrap();
            let trail = day1.store.read().await.unwrap().trail(org, head, 100).await.unwrap();
            let shown: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
            assert_eq!(shown, ["risk.created"], "A.8.13 had its reason: the link alone is the risk's entry, not a control entry");
            let later = Cx { clock: std::sync::Arc::new(crate::FixedClock(time::macros::datetime!(2026-12-05 09:00 UTC))), ..day1.clone() };
            let head = later.store.read().await.unwrap().trail_head(org).await.unwrap().seq;
            edit_risk(&later, &op(org), "RSK-001", |r| { r.title = "Ransomware encrypts production and backups".into(); Ok(()) }).await.unwrap();
            edit_risk(&later, &op(org), "RSK-001", |r| { r.residual = Rating { likelihood: 1, impact: 2 }; r.controls = vec!["A.8.13".into()]; Ok(()) }).await.unwrap();
            let trail = later.store.read().await.unwrap().trail(org, head, 100).await.unwrap();
            let shown: Vec<(&str, &str)> = trail.iter().map(|e| (e.action.as_str(), e.entity_id.as_str())).collect();
            assert_eq!(shown, [("risk.updated", "RSK-001"), ("control.updated", "A.8.7"), ("risk.updated", "RSK-001")], "A.8.7 lost its last risk and so its reason");
            let control: serde_json::Value = serde_json::from_str(trail[1].after.as_deref().unwrap()).unwrap();
            assert_eq!(control["reasons"], serde_json::json!([]));
            let first: serde_json::Value = serde_json::from_str(trail[0].after.as_deref().unwrap()).unwrap();
            let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["id", "title"], "only what changed, and the record's name");
            let second_before: serde_json::Value = serde_json::from_str(trail[2].before.as_deref().unwrap()).unwrap();
            assert_eq!(second_before["controls"], serde_json::json!(["A.8.13", "A.8.7"]));
            assert!(second_before.get("description").is_none() && second_before.get("threat").is_none());
            for e in &trail {
                let bytes = e.before.as_deref().unwrap().len() + e.after.as_deref().unwrap().len();
                assert!(bytes < 700, "{} bytes for {}", bytes, e.action);
            }
            assert_eq!(isms_domain::trail::verify_chain(&later.store.read().await.unwrap().trail(org, 0, 1_000).await.unwrap()), Ok(trail.last().unwrap().seq));
            // What changed since 1 December adds the two entries up, field by field.
            let changes = crate::certification::changes_since_of(&later, org, date!(2026 - 12 - 01)).await.unwrap();
            let risk = changes.iter().find(|c| c.id == "RSK-001").unwrap();
            assert_eq!((risk.change, risk.edits), ("changed", 2));
            assert_eq!(risk.title, "Ransomware encrypts production and backups");
            let fields: Vec<(&str, &str, &str)> = risk.fields.iter().map(|f| (f.field.as_str(), f.before.as_str(), f.after.as_str())).collect();
            assert_eq!(fields.iter().map(|f| f.0).collect::<Vec<_>>(), ["controls", "residual", "title"]);
            assert_eq!(fields[0], ("controls", "A.8.13, A.8.7", "A.8.13"));
            assert_eq!(fields[2], ("title", "Ransomware encrypts production", "Ransomware encrypts production and backups"));
            // The control keeps its reason and its other risk's link; A.8.7 lost its only one.
            let controls = list_controls(&later, &op(org)).await.unwrap();
            let links = |id: &str| controls.iter().find(|c| c.record.control == id).unwrap().record.risks();
            assert_eq!(links("A.8.13"), ["RSK-001", "RSK-002"]);
            assert!(links("A.8.7").is_empty());
        }

        async fn what_one_replica_keeps_is_never_stale_after_another_replica_writes(db: TestDb) {
            let a = cx(&db);
            let org = initialize_workspace(&a, acme()).await.unwrap().organization.id;
            // A second process on the same database: its own cache, its own library.
            let b = Cx { cache: Default::default(), library: Default::default(), ..a.clone() };
            add_risk(&a, &op(org), ransomware((2, 2), &["A.8.13"])).await.unwrap();
            assert_eq!(list_risks(&a, &op(org)).await.unwrap().len(), 1, "a keeps the register");
            assert_eq!(crate::risks::risk_rows(&a, &op(org)).await.unwrap().len(), 1);
            let readiness = crate::certification::readiness(&a, &op(org), None).await.unwrap();
            add_risk(&b, &op(org), ransomware((3, 3), &["A.8.7"])).await.unwrap();
            edit_risk(&b, &op(org), "RSK-001", |r| { r.title = "Changed by the other replica".into(); Ok(()) }).await.unwrap();
            let seen = list_risks(&a, &op(org)).await.unwrap();
            assert_eq!(seen.len(), 2, "a sees b's create at once");
            assert!(seen.iter().any(|r| r.risk.title == "Changed by the other replica"), "and b's edit");
            assert_eq!(crate::risks::risk_rows(&a, &op(org)).await.unwrap().len(), 2);
            let controls = list_controls(&a, &op(org)).await.unwrap();
            assert!(controls.iter().find(|c| c.record.control == "A.8.7").unwrap().record.reasons.contains(&InclusionReason::RiskTreatment), "and the link b made");
            let again = crate::certification::readiness(&a, &op(org), None).await.unwrap();
            assert_ne!(format!("{readiness:?}"), format!("{again:?}"), "readiness is recomputed after b's writes");
            // A write that is rolled back leaves what a keeps current.
            let before = a.store.read().await.unwrap().data_version(org).await.unwrap();
            {
                let mut tx = b.store.write().await.unwrap();
                tx.lock_organization(org).await.unwrap();
                tx.put_entry(org, "risk", "RSK-009", "{}", time::OffsetDateTime::UNIX_EPOCH).await.unwrap();
            }
            assert_eq!(a.store.read().await.unwrap().data_version(org).await.unwrap(), before);
            assert_eq!(list_risks(&a, &op(org)).await.unwrap().len(), 2);
        }

        async fn a_read_only_request_reads_one_snapshot_and_a_write_in_it_ends_the_snapshot(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            add_risk(&cx, &op(org), ransomware((2, 2), &[])).await.unwrap();
            crate::reads::one_read_per_request(async {
                assert_eq!(list_risks(&cx, &op(org)).await.unwrap().len(), 1);
                // Another request (another task) adds a risk meanwhile.
                let other = cx.clone();
                tokio::spawn(async move { add_risk(&other, &op(org), ransomware((3, 3), &[])).await.unwrap() }).await.unwrap();
                assert_eq!(list_risks(&cx, &op(org)).await.unwrap().len(), 1, "one snapshot for the whole request");
                assert_eq!(crate::risks::risk(&cx, &op(org), "RSK-002").await.unwrap_err().code, "not_found");
                // A write in the request ends its snapshot: what it reads next is current.
                add_risk(&cx, &op(org), ransomware((1, 1), &[])).await.unwrap();
                assert_eq!(list_risks(&cx, &op(org)).await.unwrap().len(), 3);
            })
            .await;
            assert_eq!(list_risks(&cx, &op(org)).await.unwrap().len(), 3);
        }

        async fn a_long_job_runs_once_across_replicas_and_is_taken_over_when_its_replica_dies(db: TestDb) {
            use isms_domain::access::UseCase;
            use isms_domain::job::JobState;
            use crate::jobs::{claim_job, finish_job, job_state, renew_job};
            let a = cx(&db);
            let org = initialize_workspace(&a, acme()).await.unwrap().organization.id;
            let other_org = {
                let o = isms_domain::Organization { id: isms_domain::OrgId::from_random_bytes([9; 16]), name: isms_domain::OrgName::parse("Globex").unwrap(), created_at: a.clock.now() };
                let mut tx = a.store.write().await.unwrap();
                crate::workspace::add_organization(&mut *tx, &a, &actor(), &o).await.unwrap();
                tx.commit().await.unwrap();
                o.id
            };
            let kind = "fair_portfolio";
            // Two replicas (and a second click) claim: one run, claimed once.
            assert_eq!(claim_job(&a, &op(org), UseCase::RunSimulations, kind, "replica-a", 10).await.unwrap(), (1, true));
            assert_eq!(claim_job(&a, &op(org), UseCase::RunSimulations, kind, "replica-b", 10).await.unwrap(), (1, false));
            assert_eq!(claim_job(&a, &op(other_org), UseCase::RunSimulations, kind, "replica-b", 3).await.unwrap(), (1, true), "per organization");
            assert!(renew_job(&a, &op(org), kind, 1, "replica-a", 4).await.unwrap());
            assert!(!renew_job(&a, &op(org), kind, 1, "replica-b", 9).await.unwrap(), "only the holder reports");
            assert_eq!(job_state(&a, &op(org), kind, 1).await.unwrap(), Some(JobState::Running { done: 4, total: 10 }));
            assert_eq!(job_state(&a, &op(other_org), kind, 1).await.unwrap(), Some(JobState::Running { done: 0, total: 3 }));
            // Replica A dies: once its claim lapses the run shows as stopped and B may start again.
            let later = Cx { clock: std::sync::Arc::new(crate::FixedClock(time::macros::datetime!(2026-11-25 12:00:31 UTC))), ..a.clone() };
            assert_eq!(job_state(&later, &op(org), kind, 1).await.unwrap(), Some(JobState::Abandoned));
            assert_eq!(claim_job(&later, &op(org), UseCase::RunSimulations, kind, "replica-b", 10).await.unwrap(), (2, true));
            assert!(!renew_job(&later, &op(org), kind, 1, "replica-a", 5).await.unwrap(), "A's late report is refused");
            finish_job(&later, &op(org), kind, 1, "replica-a", Ok("late".into())).await.unwrap();
            assert_eq!(job_state(&later, &op(org), kind, 1).await.unwrap(), None, "run 1 was replaced");
            finish_job(&later, &op(org), kind, 2, "replica-b", Ok("Simulated 10 risks".into())).await.unwrap();
            assert_eq!(job_state(&later, &op(org), kind, 2).await.unwrap(), Some(JobState::Finished(Ok("Simulated 10 risks".into()))));
            assert_eq!(claim_job(&later, &op(org), UseCase::RunSimulations, kind, "replica-a", 10).await.unwrap(), (3, true), "a finished run is replaced by a new one");
            // A viewer cannot start one.
            add_member(&a, org, "viewer@acme.test", Role::Viewer).await;
            let viewer = as_member(&a, org, &Email::parse("viewer@acme.test").unwrap()).await;
            assert_eq!(claim_job(&a, &viewer, UseCase::RunSimulations, kind, "replica-a", 1).await.unwrap_err().kind, ErrorKind::Forbidden);
        }

        async fn heat_maps_count_risks_per_cell(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            for residual in [(1, 2), (1, 2), (3, 3)] {
                add_risk(&cx, &op(org), ransomware(residual, &[])).await.unwrap();
            }
            let (_, inherent) = heat_map(&cx, &op(org), HeatMapKind::Inherent).await.unwrap();
            assert_eq!(inherent[3][4], 3);
            let (_, residual) = heat_map(&cx, &op(org), HeatMapKind::Residual).await.unwrap();
            assert_eq!((residual[0][1], residual[2][2]), (2, 1));
        }
    }
}

mod fair_tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    use isms_domain::fair::{Estimate, Frequency, Settings};
    use isms_domain::risk::{FairEstimates, Rating, Risk, TreatmentOption};
    use isms_testkit::both_engines;
    use time::macros::date;

    use super::{acme, cx, op};
    use crate::ErrorKind;
    use crate::fair::{set_appetite, set_estimates, simulate_risks, stored_result};
    use crate::risks::add_risk;
    use crate::workspace::initialize_workspace;

    fn risk(title: &str) -> Risk {
        Risk {
            id: String::new(),
            title: title.into(),
            description: String::new(),
            assets: vec![],
            threat: String::new(),
            vulnerability: String::new(),
            owner: "alice@acme.test".into(),
            inherent: Rating { likelihood: 3, impact: 3 },
            existing_controls: String::new(),
            treatment: TreatmentOption::Modify,
            actions: vec![],
            controls: vec![],
            residual: Rating { likelihood: 2, impact: 2 },
            acceptance: None,
            next_review: date!(2027 - 06 - 01),
            history: vec![],
            fair: None,
        }
    }

    fn pert(low: f64, mode: f64, high: f64) -> Estimate {
        Estimate::Pert { low, mode, high }
    }

    fn estimates() -> FairEstimates {
        FairEstimates {
            frequency: Frequency::Vulnerability { tef: pert(0.5, 2.0, 8.0), vuln: pert(0.2, 0.45, 0.8) },
            pl: pert(50_000.0, 250_000.0, 2_000_000.0),
            slef: pert(0.1, 0.3, 0.7),
            slem: pert(100_000.0, 500_000.0, 10_000_000.0),
        }
    }

    both_engines! {
        async fn bad_estimates_are_refused_with_risk_and_field_and_nothing_is_stored(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            add_risk(&cx, &op(org), risk("Ransomware")).await.unwrap();
            let mut bad = estimates();
            bad.slef = pert(0.1, 0.3, 1.7);
            let err = set_estimates(&cx, &op(org), "RSK-001", Some(bad)).await.unwrap_err();
            assert_eq!(err.kind, ErrorKind::Invalid);
            assert_eq!(err.fields[0].field, "slef");
            assert!(err.fields[0].message.starts_with("scenario RSK-001, slef: high (1.7) is above 1"), "{}", err.fields[0].message);
            assert!(crate::risks::risk(&cx, &op(org), "RSK-001").await.unwrap().risk.fair.is_none());
            let err = simulate_risks(&cx, &op(org), None, Settings::default(), Arc::new(AtomicUsize::new(0))).await.unwrap_err();
            assert_eq!(err.code, "no_estimates");
        }

        async fn simulations_are_stored_with_their_settings_and_repeat_with_the_same_seed(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            for title in ["Ransomware", "Supplier breach", "No estimates"] {
                add_risk(&cx, &op(org), risk(title)).await.unwrap();
            }
            set_estimates(&cx, &op(org), "RSK-001", Some(estimates())).await.unwrap();
            let mut smaller = estimates();
            smaller.pl = pert(5_000.0, 20_000.0, 90_000.0);
            set_estimates(&cx, &op(org), "RSK-002", Some(smaller)).await.unwrap();
            set_appetite(&cx, &op(org), vec![(5_000_000.0, 0.05), (1_000_000.0, 0.5)]).await.unwrap();
            let settings = Settings { iterations: 20_000, seed: 5, ..Settings::default() };
            let done = Arc::new(AtomicUsize::new(0));
            let first = simulate_risks(&cx, &op(org), None, settings, done.clone()).await.unwrap();
            assert_eq!(done.load(std::sync::atomic::Ordering::Relaxed), 2);
            assert_eq!(first.without_estimates, ["RSK-003"]);
            let portfolio = first.portfolio.clone().unwrap();
            assert_eq!(portfolio.settings, settings);
            assert_eq!(portfolio.contributions.len(), 2);
            assert!((portfolio.contributions.iter().map(|c| c.1).sum::<f64>() - 1.0).abs() < 1e-9);
            let stored = stored_result(&cx, &op(org), "PORTFOLIO").await.unwrap().unwrap();
            assert_eq!(stored.summary, portfolio.summary);
            let again = simulate_risks(&cx, &op(org), None, settings, Arc::new(AtomicUsize::new(0))).await.unwrap();
            assert_eq!(again.portfolio.unwrap().summary, portfolio.summary, "same seed, same numbers");
            let one = simulate_risks(&cx, &op(org), Some("RSK-001"), settings, Arc::new(AtomicUsize::new(0))).await.unwrap();
            assert!((one.risks[0].summary.mean / 1_515_046.296 - 1.0).abs() < 0.05);
            assert!(!one.risks[0].curve.is_empty());
            let appetite = crate::fair::appetite(&cx, &op(org)).await.unwrap().unwrap();
            assert_eq!(appetite.points[0], (1_000_000.0, 0.5), "points are kept in loss order");
        }
    }
}

mod audit_tests {
    use isms_testkit::{TestDb, both_engines};

    use super::{acme, cx, op};
    use crate::trail::verify_trail;
    use crate::workspace::initialize_workspace;

    /// A workspace whose trail has at least 4 entries, and its organization's id text.
    async fn trail_of_four(db: &TestDb) -> (crate::Cx, isms_domain::OrgId) {
        let cx = cx(db);
        let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
        let change = crate::controls::ControlChange {
            status: Some(isms_domain::soa::ControlStatus::Planned),
            ..Default::default()
        };
        crate::controls::update_control(&cx, &op(org), "A.5.1", change).await.unwrap();
        let v = verify_trail(&cx, &op(org)).await.unwrap();
        assert!(v.intact(), "{v:?}");
        assert_eq!(v.entries, 4);
        (cx, org)
    }

    async fn tampered(db: &TestDb, sql: &str) -> String {
        let (cx, org) = trail_of_four(db).await;
        db.store.execute_raw(&sql.replace("ORG", &org.to_string())).await.unwrap();
        let v = verify_trail(&cx, &op(org)).await.unwrap();
        v.problem.unwrap_or_else(|| panic!("tampering went unnoticed: {sql}"))
    }

    both_engines! {
        async fn an_edited_entry_is_detected_and_named(db: TestDb) {
            let problem = tampered(&db, "UPDATE trail_entries SET after_state = '{\"forged\":true}' WHERE org_id = 'ORG' AND seq = 2").await;
            assert_eq!(problem, "audit trail entry 2 was altered: its content no longer matches its hash");
        }

        async fn a_deleted_entry_is_detected(db: TestDb) {
            let problem = tampered(&db, "DELETE FROM trail_entries WHERE org_id = 'ORG' AND seq = 2").await;
            assert_eq!(problem, "audit trail entry 3 follows entry 1; entries in between are missing");
        }

        async fn removing_the_last_entries_is_detected(db: TestDb) {
            let problem = tampered(&db, "DELETE FROM trail_entries WHERE org_id = 'ORG' AND seq = 4").await;
            assert!(problem.starts_with("the audit trail ends at entry 3, but its recorded end is entry 4"), "{problem}");
        }

        async fn reordered_entries_are_detected(db: TestDb) {
            let problem = tampered(
                &db,
                "UPDATE trail_entries SET seq = -2 WHERE org_id = 'ORG' AND seq = 2; \
                 UPDATE trail_entries SET seq = 2 WHERE org_id = 'ORG' AND seq = 3; \
                 UPDATE trail_entries SET seq = 3 WHERE org_id = 'ORG' AND seq = -2",
            )
            .await;
            assert_eq!(problem, "audit trail entry 2 does not follow entry 1: entries were removed or reordered");
        }
    }
}

mod certification_tests {
    use isms_domain::audit::{AuditKind, CheckResult, Grade};
    use isms_domain::certification::{Certificate, CertificateStatus};
    use isms_domain::document::{Body, DocumentType};
    use isms_domain::readiness::Stage;
    use isms_domain::trail::TrailActor;
    use isms_testkit::both_engines;

    use super::{acme, cx, op};
    use crate::certification::{self as cert, Acting, FindingStep, NewAudit, NewFinding};
    use crate::documents::{self, NewDocument, Step};
    use crate::workspace::initialize_workspace;

    fn actor() -> TrailActor {
        TrailActor::System("test".into())
    }

    fn acting() -> Acting<'static> {
        Acting { by: "auditor@acme.test", only_owner: None, may_move_deadline: true }
    }

    both_engines! {
        async fn a_finding_and_its_line_are_one_change_and_closing_a_major_clears_the_blocker(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            let today = cx.clock.today();
            let new = NewAudit {
                kind: AuditKind::Stage2,
                title: String::new(),
                scope: String::new(),
                criteria: String::new(),
                auditor: "ia@acme.test".into(),
                certification_body: Some("Registrar".into()),
                start: today,
                end: today,
                controls: vec!["8.13".into()],
                sample: None,
            };
            let planned = cert::plan_audit(&cx, &op(org), new).await.unwrap();
            let id = planned.audit.id.clone();
            let major = NewFinding {
                audit: id.clone(),
                grade: Grade::Major,
                requirement: "A.8.13".into(),
                description: "No backups".into(),
                evidence: String::new(),
                due: None,
                owner: Some("it@acme.test".into()),
            };
            let f = cert::raise_finding(&cx, &op(org), major).await.unwrap();
            let audit = cert::audit(&cx, &op(org), &id).await.unwrap().audit;
            let line = audit.checklist.iter().find(|l| l.reference == "A.8.13").unwrap();
            assert_eq!(line.result, CheckResult::Finding);
            assert!(line.notes.contains(&f.id));
            let r = cert::readiness(&cx, &op(org), Some(Stage::Stage2)).await.unwrap();
            assert!(r.blockers.iter().any(|p| p.rule == "no_open_majors"));
            let c = Certificate {
                id: String::new(),
                number: "IS 1".into(),
                certification_body: "Registrar".into(),
                accreditation_body: "ANAB".into(),
                issued: today,
                scope: "All".into(),
                status: CertificateStatus::Active,
                standard: "ISO/IEC 27001:2022".into(),
                continues: None,
                status_since: None,
            };
            let refused = cert::add_certificate(&cx, &op(org), c.clone()).await.unwrap_err();
            assert_eq!(refused.code, "open_major_nonconformity");

            let plan = FindingStep::Plan {
                correction: "Backed up".into(),
                root_cause: "No owner".into(),
                action: "Nightly job".into(),
                owner: "it@acme.test".into(),
                due: None,
            };
            cert::apply_step(&cx, &actor(), org, &f.id, plan, acting()).await.unwrap();
            cert::apply_step(&cx, &actor(), org, &f.id, FindingStep::Implemented, acting()).await.unwrap();
            let step = FindingStep::Verify { note: "restore test passed".into() };
            cert::apply_step(&cx, &actor(), org, &f.id, step, acting()).await.unwrap();
            let r = cert::readiness(&cx, &op(org), Some(Stage::Stage2)).await.unwrap();
            assert!(!r.blockers.iter().any(|p| p.rule == "no_open_majors"), "{:?}", r.blockers);
            // The decision needs Stage 2 completed, and Stage 2 a Stage 1 before it.
            let missing = cert::add_certificate(&cx, &op(org), c.clone()).await.unwrap_err();
            assert_eq!(missing.code, "certification_audit_missing");
            let decide_all = |id: String| {
                let cx = &cx;
                async move {
                    let audit = cert::audit(cx, &op(org), &id).await.unwrap().audit;
                    for line in audit.checklist.iter().filter(|l| l.result == CheckResult::Open) {
                        cert::record_result(cx, &op(org), &id, &line.reference, CheckResult::Conforming, "").await.unwrap();
                    }
                }
            };
            decide_all(id.clone()).await;
            let refused = cert::complete_audit(&cx, &op(org), &id, "Recommended").await.unwrap_err();
            assert_eq!(refused.code, "certification_audit_missing", "Stage 2 before any Stage 1: {refused:?}");
            let stage1 = NewAudit {
                kind: AuditKind::Stage1,
                title: String::new(),
                scope: String::new(),
                criteria: String::new(),
                auditor: "lead@registrar.example".into(),
                certification_body: Some("Registrar".into()),
                start: today - time::Duration::days(40),
                end: today - time::Duration::days(39),
                controls: vec!["5.1".into()],
                sample: None,
            };
            let s1 = cert::plan_audit(&cx, &op(org), stage1).await.unwrap().audit.id;
            decide_all(s1.clone()).await;
            cert::complete_audit(&cx, &op(org), &s1, "Ready for Stage 2").await.unwrap();
            cert::complete_audit(&cx, &op(org), &id, "Recommended").await.unwrap();
            cert::add_certificate(&cx, &op(org), c).await.unwrap();
            assert_eq!(cert::next_stage_of(&cx, org).await.unwrap(), Stage::Surveillance);
            assert!(crate::trail::verify_trail(&cx, &op(org)).await.unwrap().intact());
        }

        async fn concurrent_document_steps_never_change_an_approved_version(db: TestDb) {
            let cx = cx(&db);
            let org = initialize_workspace(&cx, acme()).await.unwrap().organization.id;
            let new = NewDocument {
                title: "Backup standard".into(),
                kind: DocumentType::Standard,
                owner: "it@acme.test".into(),
                classification: "Internal".into(),
                clauses: vec![],
                controls: vec!["8.13".into()],
                review_months: 12,
                acknowledged_by: None,
                body: Body::Markdown { text: "v1".into() },
            };
            // An edit of the draft races a submit-and-approve, in tasks of their own
            // started together, many times. Whichever lands first, the approved text is
            // the text that was in review when it was approved: the edit's text if the
            // edit landed first, the original otherwise — never an edit after approval.
            let mut outcomes = std::collections::BTreeSet::new();
            let mut approved_id = String::new();
            for round in 0..24 {
                let id = documents::create_document(&cx, &op(org), new.clone()).await.unwrap().id;
                let start = std::sync::Arc::new(tokio::sync::Barrier::new(2));
                let (c1, c2, id1, id2, s1, s2) = (cx.clone(), cx.clone(), id.clone(), id.clone(), start.clone(), start);
                let approving = tokio::spawn(async move {
                    s1.wait().await;
                    documents::submit(&c1, &actor(), org, &id1).await?;
                    documents::approve(&c1, &actor(), org, &id1, "ciso@acme.test", "ok").await
                });
                let editing = tokio::spawn(async move {
                    s2.wait().await;
                    for _ in 0..round % 4 {
                        tokio::task::yield_now().await;
                    }
                    let edit =
                        Step::EditVersion { number: 1, body: Body::Markdown { text: "edited".into() }, note: String::new() };
                    documents::apply(&c2, &actor(), org, &id2, "it@acme.test", edit, None).await
                });
                approving.await.unwrap().unwrap();
                let edited = editing.await.unwrap();
                let stored = documents::document(&cx, &op(org), &id).await.unwrap();
                let expected = if edited.is_ok() { "edited" } else { "v1" };
                if let Err(e) = &edited {
                    assert_eq!(e.kind, crate::ErrorKind::Conflict, "the edit is refused only because the version left draft: {e:?}");
                }
                assert_eq!(stored.versions[0].body, Body::Markdown { text: expected.into() }, "round {round}");
                outcomes.insert(expected);
                approved_id = id;
            }
            let doc = documents::document(&cx, &op(org), &approved_id).await.unwrap();
            assert_eq!(outcomes.len(), 2, "both orders happened: {outcomes:?}");
            // Acknowledgements are entries of their own and count once per person.
            for _ in 0..2 {
                documents::acknowledge(&cx, &actor(), org, &doc.id, "Lee@acme.test").await.unwrap();
            }
            let stored = documents::document(&cx, &op(org), &doc.id).await.unwrap();
            assert_eq!(stored.acknowledgements.len(), 1);
            assert_eq!(stored.acknowledgements[0].by, "lee@acme.test");
        }
    }
}

mod changes {
    use crate::certification::field_changes;

    #[test]
    fn a_changed_record_shows_each_field_before_and_after_and_leaves_out_the_noise() {
        let before = r#"{"id":"RSK-001","title":"Ransomware","treatment":"modify","residual":{"likelihood":3,"impact":3},"history":[1]}"#;
        let after = r#"{"id":"RSK-001","title":"Ransomware","treatment":"retain","residual":{"likelihood":2,"impact":3},"history":[1,2],"owner":"ciso@acme.test"}"#;
        let fields = field_changes(Some(before), Some(after));
        let shown: Vec<(&str, &str, &str)> =
            fields.iter().map(|f| (f.field.as_str(), f.before.as_str(), f.after.as_str())).collect();
        assert_eq!(
            shown,
            [
                ("owner", "", "ciso@acme.test"),
                ("residual", r#"{"impact":3,"likelihood":3}"#, r#"{"impact":3,"likelihood":2}"#),
                ("treatment", "modify", "retain"),
            ]
        );
        assert!(field_changes(None, Some(after)).is_empty(), "a new record has no before");
        let long = format!(r#"{{"description":"{}"}}"#, "x".repeat(400));
        let cut = field_changes(Some(r#"{"description":""}"#), Some(&long));
        assert_eq!(cut[0].after.chars().count(), 161, "cut at 160 characters and an ellipsis");
    }
}
