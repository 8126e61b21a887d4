//! The store conformance suite.

use std::sync::Arc;

use isms_domain::framework::{Framework, FrameworkId, FrameworkKind, Item, ItemKind};
use isms_domain::review::{Review, ReviewCycle, ReviewOutcome, Subject, SubjectKind};
use isms_domain::soa::{
    ControlImplementation, ControlLink, ControlStatus, InclusionReason, LinkKind, SoaRow, SoaVersion, StatusChange,
};
use isms_domain::throttle::Throttle;
use isms_domain::trail::{TrailActor, TrailDraft, TrailEntry, TrailHead, verify_chain};
use isms_domain::{
    ApiToken, DisplayName, Email, Invitation, Membership, OrgId, OrgName, Organization, Role, Session, TokenKind, User,
    UserId, Workspace, WorkspaceKind,
};
use isms_store::{Engine, MigrateError, MigrationId, Store, StoreError};
use isms_store_sql::migrations::{MIGRATIONS, Migration};
use isms_store_sql::{ConnectOptions, SqlStore, connect};
use isms_testkit::{TestDb, both_engines};
use time::OffsetDateTime;

fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_780_000_000 + seconds).unwrap()
}

fn org(n: u8, name: &str) -> Organization {
    Organization {
        id: OrgId::from_random_bytes([n; 16]),
        name: OrgName::parse(name).unwrap(),
        created_at: at(n.into()),
    }
}

fn user(n: u8, email: &str) -> User {
    User {
        id: UserId::from_random_bytes([100 + n; 16]),
        email: Email::parse(email).unwrap(),
        display_name: DisplayName::parse(&format!("User {n}")).unwrap(),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt{n}$hash{n}"),
        disabled: n.is_multiple_of(2),
        created_at: at(1000 + i64::from(n)),
    }
}

fn member(org: &Organization, user: &User, role: Role) -> Membership {
    Membership { org: org.id, user: user.id, role, since: at(2000) }
}

async fn migrated(db: &TestDb) -> Arc<SqlStore> {
    db.store.migrate().await.unwrap();
    db.store.clone()
}

/// Two organizations: Acme with alice (owner) and bob (auditor), Globex with carol.
async fn two_tenants(store: &SqlStore) -> (Organization, Organization, [User; 3]) {
    let (acme, globex) = (org(1, "Acme"), org(2, "Globex"));
    let users = [user(1, "alice@acme.test"), user(2, "bob@acme.test"), user(3, "carol@globex.test")];
    let mut tx = store.write().await.unwrap();
    tx.insert_organization(&acme).await.unwrap();
    tx.insert_organization(&globex).await.unwrap();
    for u in &users {
        tx.insert_user(u).await.unwrap();
    }
    tx.insert_membership(&member(&acme, &users[0], Role::Owner)).await.unwrap();
    tx.insert_membership(&member(&acme, &users[1], Role::Auditor)).await.unwrap();
    tx.insert_membership(&member(&globex, &users[2], Role::IsmsManager)).await.unwrap();
    tx.commit().await.unwrap();
    (acme, globex, users)
}

fn custom_framework(id: &str) -> Framework {
    Framework {
        id: FrameworkId::parse(id).unwrap(),
        name: "Acme policy set".into(),
        version: "3".into(),
        publisher: "Acme".into(),
        kind: FrameworkKind::Custom,
        certifiable: false,
        description: "Our own rules.".into(),
        provenance: "Written by Acme.".into(),
        items: vec![Item {
            id: "P-1".into(),
            parent: None,
            kind: ItemKind::Requirement,
            title: "Encrypt laptops".into(),
            text: Some("All laptops use full-disk encryption.".into()),
            guidance: None,
            attributes: [("owner".to_owned(), vec!["IT".to_owned()])].into(),
        }],
    }
}

fn draft(n: i64) -> TrailDraft {
    TrailDraft {
        actor: TrailActor::System("test".into()),
        action: "thing.changed".into(),
        entity: "thing".into(),
        entity_id: n.to_string(),
        before: (n > 1).then(|| format!("{{\"n\":{}}}", n - 1)),
        after: Some(format!("{{\"n\":{n}}}")),
    }
}

static GOOD_THEN_BROKEN: &[Migration] = &[
    Migration {
        id: MigrationId { version: 1, name: "one" },
        sqlite: "CREATE TABLE one (x INTEGER);",
        postgres: "CREATE TABLE one (x INTEGER);",
    },
    Migration {
        id: MigrationId { version: 2, name: "broken" },
        sqlite: "CREATE TABLE half_done (x INTEGER); INSERT INTO one (x) VALUES (1); SELECT * FROM no_such_table;",
        postgres: "CREATE TABLE half_done (x INTEGER); INSERT INTO one (x) VALUES (1); SELECT * FROM no_such_table;",
    },
];
static ONE: &[Migration] = &[GOOD_THEN_BROKEN[0]];
static ONE_EDITED: &[Migration] = &[Migration {
    id: MigrationId { version: 1, name: "one" },
    sqlite: "CREATE TABLE one (x INTEGER, y INTEGER);",
    postgres: "CREATE TABLE one (x INTEGER, y INTEGER);",
}];
static ONE_AND_TWO: &[Migration] = &[
    GOOD_THEN_BROKEN[0],
    Migration {
        id: MigrationId { version: 2, name: "two" },
        sqlite: "CREATE TABLE two (x INTEGER);",
        postgres: "CREATE TABLE two (x INTEGER);",
    },
];

both_engines! {
    async fn an_empty_database_reports_every_migration_pending(db: TestDb) {
        let status = db.store.schema_status().await.unwrap();
        assert!(status.applied.is_empty());
        assert_eq!(status.pending.len(), MIGRATIONS.len());
        assert!(!status.is_current());
    }

    async fn migrating_applies_everything_once(db: TestDb) {
        let applied = db.store.migrate().await.unwrap();
        assert_eq!(applied, MIGRATIONS.iter().map(|m| m.id).collect::<Vec<_>>());
        let status = db.store.schema_status().await.unwrap();
        assert!(status.is_current(), "{status:?}");
        assert_eq!(status.version(), MIGRATIONS.last().unwrap().id.version);
        assert_eq!(db.store.migrate().await.unwrap(), vec![], "a second run applies nothing");
    }

    async fn a_failing_migration_is_rolled_back_and_named(db: TestDb) {
        let err = db.store.migrate_with(GOOD_THEN_BROKEN).await.unwrap_err();
        let MigrateError::Failed { migration, cause } = &err else { panic!("{err:?}") };
        assert_eq!(migration.to_string(), "0002_broken");
        assert!(cause.contains("no_such_table"), "{cause}");
        assert!(err.to_string().starts_with("migration 0002_broken failed and was rolled back"), "{err}");
        let status = db.store.schema_status_with(GOOD_THEN_BROKEN).await.unwrap();
        assert_eq!(status.applied.iter().map(|m| m.version).collect::<Vec<_>>(), vec![1]);
        let tables: Vec<String> = db.store.columns().await.unwrap().into_iter().map(|(t, _)| t).collect();
        assert!(tables.contains(&"one".to_owned()));
        assert!(!tables.contains(&"half_done".to_owned()), "the failed migration's table was kept: {tables:?}");
        // The row the broken migration inserted was rolled back with it.
        db.store.execute_raw("INSERT INTO one (x) VALUES (7)").await.unwrap();
        let rows = db.store.columns().await.unwrap();
        assert!(rows.iter().any(|(t, c)| t == "one" && c == "x"));
    }

    async fn an_edited_migration_is_refused(db: TestDb) {
        db.store.migrate_with(ONE).await.unwrap();
        let err = db.store.migrate_with(ONE_EDITED).await.unwrap_err();
        assert_eq!(err, MigrateError::Changed { migration: MigrationId { version: 1, name: "one" } });
        assert!(err.to_string().contains("0001_one was changed after it was applied"), "{err}");
    }

    async fn a_database_migrated_by_a_newer_binary_is_refused(db: TestDb) {
        db.store.migrate_with(ONE_AND_TWO).await.unwrap();
        let err = db.store.migrate_with(ONE).await.unwrap_err();
        assert_eq!(err, MigrateError::Newer { version: 2, name: "two".into() });
        let status = db.store.schema_status_with(ONE).await.unwrap();
        assert_eq!(status.unknown, vec![2]);
        assert!(!status.is_current());
    }

    async fn concurrent_migrations_apply_each_migration_exactly_once(db: TestDb) {
        let others = connect_n(&db.url, 3).await;
        let mut runs = tokio::task::JoinSet::new();
        for s in &others {
            let s = s.clone();
            runs.spawn(async move { s.migrate().await });
        }
        let mut applied: Vec<MigrationId> = Vec::new();
        for r in runs.join_all().await {
            applied.extend(r.unwrap());
        }
        applied.sort();
        assert_eq!(applied, MIGRATIONS.iter().map(|m| m.id).collect::<Vec<_>>());
        assert!(db.store.schema_status().await.unwrap().is_current());
        for s in others {
            s.close().await;
        }
    }

    async fn the_workspace_marker_is_created_once(db: TestDb) {
        let store = migrated(&db).await;
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.workspace().await.unwrap(), None);
        drop(tx);
        let ws = Workspace { kind: WorkspaceKind::Demo, created_at: at(5) };
        let mut tx = store.write().await.unwrap();
        tx.create_workspace(&ws).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        let err = tx.create_workspace(&Workspace { kind: WorkspaceKind::Standard, created_at: at(6) }).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        drop(tx);
        assert_eq!(store.read().await.unwrap().workspace().await.unwrap(), Some(ws));
    }

    async fn organizations_users_and_memberships_round_trip(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, users) = two_tenants(&store).await;
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.organization(acme.id).await.unwrap(), acme);
        assert_eq!(tx.organizations().await.unwrap(), vec![acme.clone(), globex.clone()]);
        for u in &users {
            assert_eq!(&tx.user(u.id).await.unwrap(), u, "disabled = {} must survive", u.disabled);
        }
        assert_eq!(tx.user_by_email(&Email::parse("ALICE@acme.test").unwrap()).await.unwrap().as_ref(), Some(&users[0]));
        assert_eq!(tx.user_by_email(&Email::parse("nobody@acme.test").unwrap()).await.unwrap(), None);
        assert_eq!(tx.users().await.unwrap().len(), 3);
        assert_eq!(tx.organizations_of(users[1].id).await.unwrap(), vec![(acme.clone(), Role::Auditor)]);
    }

    async fn members_are_scoped_to_their_organization(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, users) = two_tenants(&store).await;
        let mut tx = store.read().await.unwrap();
        let acme_members: Vec<_> = tx.members(acme.id).await.unwrap().into_iter().map(|(u, m)| (u.email, m.role)).collect();
        assert_eq!(acme_members, vec![
            (users[0].email.clone(), Role::Owner),
            (users[1].email.clone(), Role::Auditor),
        ]);
        assert_eq!(tx.members(globex.id).await.unwrap().len(), 1);
        assert_eq!(tx.membership(globex.id, users[0].id).await.unwrap(), None, "alice is not in Globex");
        assert_eq!(tx.membership(acme.id, users[0].id).await.unwrap().map(|m| m.role), Some(Role::Owner));
        let unknown = OrgId::from_random_bytes([77; 16]);
        assert!(matches!(tx.organization(unknown).await, Err(StoreError::NotFound(_))));
        assert!(tx.members(unknown).await.unwrap().is_empty());
    }

    async fn a_taken_email_is_a_conflict(db: TestDb) {
        let store = migrated(&db).await;
        two_tenants(&store).await;
        let mut tx = store.write().await.unwrap();
        let mut dup = user(9, "Alice@Acme.test");
        dup.id = UserId::from_random_bytes([9; 16]);
        let err = tx.insert_user(&dup).await.unwrap_err();
        assert_eq!(err, StoreError::Conflict("a user with e-mail alice@acme.test already exists".into()));
    }

    async fn a_membership_in_a_missing_organization_is_refused(db: TestDb) {
        let store = migrated(&db).await;
        let (_, _, users) = two_tenants(&store).await;
        let ghost = org(50, "Ghost");
        let mut tx = store.write().await.unwrap();
        let err = tx.insert_membership(&member(&ghost, &users[0], Role::Viewer)).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(m) if m.contains("does not exist")));
    }

    async fn a_write_transaction_dropped_without_commit_leaves_nothing(db: TestDb) {
        let store = migrated(&db).await;
        let mut tx = store.write().await.unwrap();
        tx.insert_organization(&org(1, "Acme")).await.unwrap();
        tx.insert_user(&user(1, "alice@acme.test")).await.unwrap();
        drop(tx);
        let mut tx = store.read().await.unwrap();
        assert!(tx.organizations().await.unwrap().is_empty());
        assert!(tx.users().await.unwrap().is_empty());
    }

    async fn the_audit_trail_chains_per_organization(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, _) = two_tenants(&store).await;
        for n in 1..=3 {
            let mut tx = store.write().await.unwrap();
            let head = tx.lock_trail_head(acme.id).await.unwrap();
            tx.append_trail(&TrailEntry::seal(acme.id, &head, at(n), draft(n))).await.unwrap();
            tx.commit().await.unwrap();
        }
        let mut tx = store.read().await.unwrap();
        let entries = tx.trail(acme.id, 0, 100).await.unwrap();
        assert_eq!(verify_chain(&entries), Ok(3));
        assert_eq!(entries[1].before.as_deref(), Some("{\"n\":1}"));
        assert_eq!(tx.trail(acme.id, 2, 100).await.unwrap().len(), 1);
        assert!(tx.trail(globex.id, 0, 100).await.unwrap().is_empty(), "Globex's trail is its own");
        // Since an instant: entries 2 and 3 (at(2), at(3)), paged by seq.
        let since: Vec<i64> = tx.trail_since(acme.id, at(2), 0, 100).await.unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(since, [2, 3]);
        let page: Vec<i64> = tx.trail_since(acme.id, at(2), 2, 100).await.unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(page, [3]);
        assert_eq!(tx.trail_since(acme.id, at(1), 0, 1).await.unwrap().len(), 1, "the limit holds");
        assert!(tx.trail_since(acme.id, at(4), 0, 100).await.unwrap().is_empty());
        assert!(tx.trail_since(globex.id, at(0), 0, 100).await.unwrap().is_empty());
    }

    async fn custom_frameworks_round_trip_and_ids_are_unique(db: TestDb) {
        let store = migrated(&db).await;
        let fw = custom_framework("acme-policy");
        let mut tx = store.write().await.unwrap();
        tx.insert_custom_framework(&fw, "test", at(1)).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        let err = tx.insert_custom_framework(&fw, "test", at(2)).await.unwrap_err();
        assert_eq!(err, StoreError::Conflict("a framework with id acme-policy already exists".into()));
        drop(tx);
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.custom_frameworks().await.unwrap(), vec![fw]);
        assert_eq!(tx.custom_framework_versions().await.unwrap(), vec![("acme-policy".to_owned(), at(1))]);
    }

    async fn frameworks_in_use_are_per_organization(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, _) = two_tenants(&store).await;
        let hipaa = FrameworkId::parse("hipaa-security").unwrap();
        let mut tx = store.write().await.unwrap();
        tx.adopt_framework(acme.id, &hipaa, at(3)).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        assert!(matches!(tx.adopt_framework(acme.id, &hipaa, at(4)).await, Err(StoreError::Conflict(_))));
        drop(tx);
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.frameworks_in_use(acme.id).await.unwrap(), vec![(hipaa.clone(), at(3))]);
        assert!(tx.frameworks_in_use(globex.id).await.unwrap().is_empty());
        drop(tx);
        let mut tx = store.write().await.unwrap();
        assert!(!tx.drop_framework(globex.id, &hipaa).await.unwrap(), "Globex cannot drop Acme's");
        assert!(tx.drop_framework(acme.id, &hipaa).await.unwrap());
        tx.commit().await.unwrap();
        assert!(store.read().await.unwrap().frameworks_in_use(acme.id).await.unwrap().is_empty());
    }

    async fn a_transaction_with_a_failed_statement_cannot_be_committed(db: TestDb) {
        let store = migrated(&db).await;
        let (_, _, users) = two_tenants(&store).await;
        let mut tx = store.write().await.unwrap();
        tx.insert_organization(&org(9, "Initech")).await.unwrap();
        assert!(tx.insert_user(&users[0]).await.is_err(), "duplicate user");
        let err = tx.commit().await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(m) if m.contains("nothing of it was saved")));
        let names: Vec<String> =
            store.read().await.unwrap().organizations().await.unwrap().into_iter().map(|o| o.name.to_string()).collect();
        assert_eq!(names, ["Acme", "Globex"], "Initech was not saved on either engine");
    }

    async fn control_implementations_round_trip_per_organization(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, users) = two_tenants(&store).await;
        let mut record = ControlImplementation::not_started("A.5.15", at(10));
        record.reasons = [InclusionReason::RiskTreatment, InclusionReason::Contractual].into();
        record.status = ControlStatus::PartiallyImplemented;
        record.owner = Some(users[0].id);
        record.target_date = Some(time::macros::date!(2027 - 03 - 31));
        record.implementation = "Okta SSO; **quarterly** access reviews.".into();
        record.links = [
            ControlLink { kind: LinkKind::Risk, id: "R-7".into() },
            ControlLink { kind: LinkKind::Asset, id: "crm".into() },
        ]
        .into();
        let mut excluded = ControlImplementation::not_started("A.7.1", at(11));
        excluded.applicable = false;
        excluded.status = ControlStatus::NotApplicable;
        excluded.justification = Some("Fully remote company; offices are coworking spaces.".into());
        let mut tx = store.write().await.unwrap();
        tx.save_control_implementation(acme.id, &record).await.unwrap();
        tx.save_control_implementation(acme.id, &excluded).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.control_implementations(acme.id).await.unwrap(), vec![record.clone(), excluded]);
        assert!(tx.control_implementations(globex.id).await.unwrap().is_empty(), "Globex sees none of Acme's");
        drop(tx);
        record.links = [ControlLink { kind: LinkKind::Document, id: "POL-3".into() }].into();
        record.status = ControlStatus::Implemented;
        let mut tx = store.write().await.unwrap();
        tx.save_control_implementation(acme.id, &record).await.unwrap();
        tx.commit().await.unwrap();
        let got = store.read().await.unwrap().control_implementations(acme.id).await.unwrap();
        assert_eq!(got[0], record, "saving replaces the links");
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.control_implementation(acme.id, "A.5.15").await.unwrap(), Some(record));
        assert_eq!(tx.control_implementation(globex.id, "A.5.15").await.unwrap(), None, "not Globex's");
        assert_eq!(tx.control_implementation(acme.id, "A.5.99").await.unwrap(), None);
    }

    async fn a_control_update_writes_only_the_links_that_changed(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, _) = two_tenants(&store).await;
        let link = |id: &str| ControlLink { kind: LinkKind::Risk, id: id.into() };
        let mut before = ControlImplementation::not_started("A.8.1", at(1));
        before.links = [link("RSK-001"), link("RSK-002"), ControlLink { kind: LinkKind::Asset, id: "AST-001".into() }].into();
        let mut tx = store.write().await.unwrap();
        tx.save_control_implementation(acme.id, &before).await.unwrap();
        tx.save_control_implementation(globex.id, &before).await.unwrap();
        tx.commit().await.unwrap();
        let mut after = before.clone();
        after.links.remove(&link("RSK-001"));
        after.links.insert(link("RSK-003"));
        let mut tx = store.write().await.unwrap();
        tx.update_control_implementation(acme.id, &before, &after).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.control_implementation(acme.id, "A.8.1").await.unwrap(), Some(after.clone()));
        assert_eq!(tx.control_implementation(globex.id, "A.8.1").await.unwrap(), Some(before), "Globex's untouched");
        drop(tx);
        let mut changed = after.clone();
        changed.status = ControlStatus::Implemented;
        changed.updated_at = at(5);
        let mut tx = store.write().await.unwrap();
        tx.update_control_implementation(acme.id, &after, &changed).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.read().await.unwrap().control_implementation(acme.id, "A.8.1").await.unwrap(), Some(changed));
    }

    async fn status_history_is_kept_in_order(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, _, _) = two_tenants(&store).await;
        let mut tx = store.write().await.unwrap();
        tx.save_control_implementation(acme.id, &ControlImplementation::not_started("A.8.5", at(1))).await.unwrap();
        let changes = [
            StatusChange { control: "A.8.5".into(), from: None, to: ControlStatus::NotStarted, by: "system:test".into(), at: at(1) },
            StatusChange { control: "A.8.5".into(), from: Some(ControlStatus::NotStarted), to: ControlStatus::Planned, by: "system:test".into(), at: at(2) },
            StatusChange { control: "A.8.5".into(), from: Some(ControlStatus::Planned), to: ControlStatus::Implemented, by: "system:test".into(), at: at(2) },
        ];
        for c in &changes {
            tx.append_status_change(acme.id, c).await.unwrap();
        }
        tx.commit().await.unwrap();
        assert_eq!(store.read().await.unwrap().control_history(acme.id, "A.8.5").await.unwrap(), changes);
    }

    async fn soa_versions_are_numbered_per_organization_and_never_overwritten(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, _) = two_tenants(&store).await;
        let row = SoaRow {
            theme: "A.5".into(),
            control: "A.5.1".into(),
            title: "Policies for information security".into(),
            applicable: true,
            reasons: vec![InclusionReason::BusinessPractice],
            justification: None,
            status: ControlStatus::Implemented,
            owner: Some("User 1".into()),
            risks: vec![],
            implementation: "Approved policy set, reviewed yearly".into(),
        };
        let v1 = SoaVersion { number: 1, approved_by: "user:x".into(), approved_at: at(5), comment: "first".into(), rows: vec![row] };
        let mut tx = store.write().await.unwrap();
        tx.insert_soa_version(acme.id, &v1).await.unwrap();
        tx.insert_soa_version(globex.id, &v1).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        let again = SoaVersion { comment: "overwrite?".into(), ..v1.clone() };
        assert!(matches!(tx.insert_soa_version(acme.id, &again).await, Err(StoreError::Conflict(_))));
        drop(tx);
        assert_eq!(store.read().await.unwrap().soa_versions(acme.id).await.unwrap(), vec![v1]);
    }

    async fn reviews_need_a_cycle_and_are_kept_per_subject(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, _) = two_tenants(&store).await;
        let soa = Subject { kind: SubjectKind::Soa, id: "current".into() };
        let review = Review {
            subject: soa.clone(),
            reviewed_on: time::macros::date!(2026 - 11 - 20),
            reviewer: "user:x".into(),
            outcome: ReviewOutcome::NoChange,
            comment: "Still right.".into(),
            recorded_at: at(9),
        };
        let mut tx = store.write().await.unwrap();
        assert!(tx.insert_review(acme.id, &review).await.is_err(), "a review needs a cycle");
        drop(tx);
        let mut tx = store.write().await.unwrap();
        tx.set_review_cycle(acme.id, &soa, ReviewCycle::default(), time::macros::date!(2026 - 01 - 01)).await.unwrap();
        tx.insert_review(acme.id, &review).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.review_cycle(acme.id, &soa).await.unwrap(), Some((ReviewCycle::default(), time::macros::date!(2026 - 01 - 01))));
        assert_eq!(tx.reviews(acme.id, &soa).await.unwrap(), vec![review]);
        assert_eq!(tx.review_cycle(globex.id, &soa).await.unwrap(), None);
        assert!(tx.reviews(globex.id, &soa).await.unwrap().is_empty());
    }

    async fn register_entries_are_kept_per_organization_and_kind(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, _) = two_tenants(&store).await;
        let mut tx = store.write().await.unwrap();
        tx.put_entry(acme.id, "asset", "AST-001", r#"{"name":"CRM"}"#, at(1)).await.unwrap();
        tx.put_entry(acme.id, "asset", "AST-002", r#"{"name":"Laptops"}"#, at(1)).await.unwrap();
        tx.put_entry(acme.id, "objective", "OBJ-001", r#"{"title":"MFA"}"#, at(1)).await.unwrap();
        tx.put_entry(acme.id, "asset", "AST-001", r#"{"name":"CRM (Salesforce)"}"#, at(2)).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(
            tx.entries(acme.id, "asset").await.unwrap(),
            vec![
                ("AST-001".to_owned(), r#"{"name":"CRM (Salesforce)"}"#.to_owned()),
                ("AST-002".to_owned(), r#"{"name":"Laptops"}"#.to_owned())
            ]
        );
        assert!(tx.entries(globex.id, "asset").await.unwrap().is_empty());
        assert_eq!(tx.entry(globex.id, "asset", "AST-001").await.unwrap(), None);
        drop(tx);
        let mut tx = store.write().await.unwrap();
        assert!(!tx.delete_entry(globex.id, "asset", "AST-001").await.unwrap(), "Globex cannot delete Acme's asset");
        assert!(tx.delete_entry(acme.id, "asset", "AST-002").await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(store.read().await.unwrap().entries(acme.id, "asset").await.unwrap().len(), 1);
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.entry_ids(acme.id, "asset").await.unwrap(), vec!["AST-001".to_owned()]);
        assert!(tx.entry_ids(globex.id, "asset").await.unwrap().is_empty());
    }

    async fn check_results_are_kept_per_organization_and_run_in_batches(db: TestDb) {
        use isms_domain::check::{CheckResult, Outcome, Reference, Severity};
        let store = migrated(&db).await;
        let (acme, globex, _) = two_tenants(&store).await;
        let result = |n: usize| CheckResult {
            rule: format!("rule-{}", n % 7),
            title: "Rule 'quoted' & <marked>".to_owned(),
            target: format!("host-{n}"),
            outcome: if n.is_multiple_of(3) { Outcome::Fail } else { Outcome::Pass },
            severity: Severity::High,
            message: String::new(),
            references: vec![Reference { framework: "nist-800-53r5".into(), id: "AC-2(1)".into() }],
        };
        // More than one statement's worth of rows, in two calls.
        let all: Vec<CheckResult> = (0..1_203).map(result).collect();
        let mut tx = store.write().await.unwrap();
        tx.insert_check_results(acme.id, "RUN-001", 1, &all[..700]).await.unwrap();
        tx.insert_check_results(acme.id, "RUN-001", 701, &all[700..]).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        let mut got = Vec::new();
        let mut after = 0;
        loop {
            let page = tx.check_results(acme.id, "RUN-001", after, 500).await.unwrap();
            let Some((last, _)) = page.last() else { break };
            after = *last;
            got.extend(page);
        }
        assert_eq!(got.len(), all.len());
        assert_eq!(got[0], (1, all[0].clone()));
        assert_eq!(got[1_202], (1_203, all[1_202].clone()));
        assert!(tx.check_results(globex.id, "RUN-001", 0, 10).await.unwrap().is_empty(), "Globex sees none of Acme's");
        assert!(tx.check_results(acme.id, "RUN-002", 0, 10).await.unwrap().is_empty());
        drop(tx);
        // A run written without committing leaves nothing.
        let mut tx = store.write().await.unwrap();
        tx.insert_check_results(acme.id, "RUN-002", 1, &all[..10]).await.unwrap();
        drop(tx);
        assert!(store.read().await.unwrap().check_results(acme.id, "RUN-002", 0, 10).await.unwrap().is_empty());
        // The same numbers twice are refused.
        let mut tx = store.write().await.unwrap();
        assert!(tx.insert_check_results(acme.id, "RUN-001", 5, &all[..1]).await.is_err());
    }

    async fn check_readings_are_appended_per_check_and_read_newest_first(db: TestDb) {
        use isms_domain::check::{Counts, Outcome, Reading};
        let store = migrated(&db).await;
        let (acme, globex, _) = two_tenants(&store).await;
        let reading = |n: i64| Reading {
            at: at(n),
            outcome: if n % 2 == 0 { Outcome::Pass } else { Outcome::Fail },
            counts: Counts { pass: 1, ..Counts::default() },
            run: Some(format!("RUN-{n:03}")),
            by: "alice@acme.test".to_owned(),
            note: "a 'quoted' <note>".to_owned(),
            raised: (n == 3).then(|| "FND-001".to_owned()),
            implemented: None,
        };
        let mut tx = store.write().await.unwrap();
        for n in 1..=5 {
            tx.insert_check_reading(acme.id, "CHK-001", n, &reading(n)).await.unwrap();
        }
        tx.insert_check_reading(acme.id, "CHK-002", 1, &reading(9)).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        let page = tx.check_readings(acme.id, "CHK-001", None, 2).await.unwrap();
        assert_eq!(page, vec![(5, reading(5)), (4, reading(4))], "newest first");
        let rest = tx.check_readings(acme.id, "CHK-001", Some(4), 10).await.unwrap();
        assert_eq!(rest.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [3, 2, 1]);
        assert_eq!(rest[0].1.raised.as_deref(), Some("FND-001"));
        assert!(tx.check_readings(globex.id, "CHK-001", None, 10).await.unwrap().is_empty(), "per organization");
        assert_eq!(tx.check_readings(acme.id, "CHK-002", None, 10).await.unwrap().len(), 1, "per check");
        drop(tx);
        // Not committed: nothing; the same number twice: refused.
        let mut tx = store.write().await.unwrap();
        tx.insert_check_reading(acme.id, "CHK-003", 1, &reading(1)).await.unwrap();
        drop(tx);
        assert!(store.read().await.unwrap().check_readings(acme.id, "CHK-003", None, 10).await.unwrap().is_empty());
        let mut tx = store.write().await.unwrap();
        assert!(tx.insert_check_reading(acme.id, "CHK-001", 5, &reading(5)).await.is_err());
    }

    async fn a_counter_is_bumped_only_once_it_was_started(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, _) = two_tenants(&store).await;
        let mut tx = store.write().await.unwrap();
        assert_eq!(tx.bump_number(acme.id, "risk").await.unwrap(), None, "never used: the caller gives the floor");
        assert_eq!(tx.next_number(acme.id, "risk", 41).await.unwrap(), 41);
        assert_eq!(tx.bump_number(acme.id, "risk").await.unwrap(), Some(42));
        assert_eq!(tx.bump_number(acme.id, "risk").await.unwrap(), Some(43));
        assert_eq!(tx.bump_number(globex.id, "risk").await.unwrap(), None, "per organization");
        assert_eq!(tx.next_number(acme.id, "risk", 1).await.unwrap(), 44, "both take turns on one counter");
        tx.commit().await.unwrap();
    }

    async fn appending_after_a_stale_head_is_a_conflict(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, _, _) = two_tenants(&store).await;
        let mut tx = store.write().await.unwrap();
        let head = tx.lock_trail_head(acme.id).await.unwrap();
        tx.append_trail(&TrailEntry::seal(acme.id, &head, at(1), draft(1))).await.unwrap();
        let err = tx.append_trail(&TrailEntry::seal(acme.id, &TrailHead::genesis(), at(2), draft(2))).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    }

    async fn sessions_round_trip_switch_and_end_with_their_user(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, [alice, bob, _]) = two_tenants(&store).await;
        let session = |hash: &str, user: &User, org: Option<OrgId>| Session {
            token_hash: hash.to_owned(),
            user: user.id,
            org,
            csrf_token: format!("csrf-{hash}"),
            created_at: at(10),
            expires_at: at(10 + 12 * 3600),
        };
        let mut tx = store.write().await.unwrap();
        tx.insert_session(&session("a1", &alice, Some(acme.id))).await.unwrap();
        tx.insert_session(&session("a2", &alice, None)).await.unwrap();
        tx.insert_session(&session("b1", &bob, Some(acme.id))).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.session("a1").await.unwrap(), Some(session("a1", &alice, Some(acme.id))));
        assert_eq!(tx.session("a2").await.unwrap(), Some(session("a2", &alice, None)));
        assert_eq!(tx.session("zz").await.unwrap(), None);
        drop(tx);
        let mut tx = store.write().await.unwrap();
        tx.set_session_org("a2", Some(globex.id)).await.unwrap();
        assert_eq!(tx.delete_sessions_of(alice.id).await.unwrap(), 2);
        assert!(tx.delete_session("b1").await.unwrap());
        assert!(!tx.delete_session("b1").await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(store.read().await.unwrap().session("a2").await.unwrap(), None);
    }

    async fn api_tokens_round_trip_and_revoke_only_for_their_owner(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, [alice, bob, _]) = two_tenants(&store).await;
        let token = |id: &str, user: &User, org: &Organization, created: i64| ApiToken {
            id: id.to_owned(),
            user: user.id,
            org: org.id,
            name: format!("token {id}"),
            token_hash: format!("hash-{id}"),
            role_ceiling: Role::Viewer,
            created_at: at(created),
            expires_at: at(created + 86_400),
            revoked_at: None,
            kind: if id == "t2" { TokenKind::Calendar } else { TokenKind::Api },
        };
        let mut tx = store.write().await.unwrap();
        tx.insert_token(&token("t1", &alice, &acme, 1)).await.unwrap();
        tx.insert_token(&token("t2", &alice, &acme, 2)).await.unwrap();
        tx.insert_token(&token("t3", &bob, &acme, 3)).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        assert_eq!(tx.token_by_hash("hash-t2").await.unwrap(), Some(token("t2", &alice, &acme, 2)));
        assert_eq!(tx.token_by_hash("nope").await.unwrap(), None);
        let ids: Vec<String> = tx.tokens_of(alice.id, acme.id).await.unwrap().into_iter().map(|t| t.id).collect();
        assert_eq!(ids, ["t2", "t1"], "newest first, only alice's");
        assert!(tx.tokens_of(alice.id, globex.id).await.unwrap().is_empty());
        assert!(!tx.revoke_token(bob.id, acme.id, "t1", at(9)).await.unwrap(), "not bob's");
        assert!(!tx.revoke_token(alice.id, globex.id, "t1", at(9)).await.unwrap(), "not in globex");
        assert!(tx.revoke_token(alice.id, acme.id, "t1", at(9)).await.unwrap());
        assert!(!tx.revoke_token(alice.id, acme.id, "t1", at(10)).await.unwrap(), "already revoked");
        tx.commit().await.unwrap();
        let t1 = store.read().await.unwrap().token_by_hash("hash-t1").await.unwrap().unwrap();
        assert_eq!(t1.revoked_at, Some(at(9)));
        let mut tx = store.write().await.unwrap();
        tx.insert_token(&token("t4", &alice, &globex, 4)).await.unwrap();
        assert_eq!(tx.revoke_tokens_of(alice.id, at(20)).await.unwrap(), 2, "t2 in Acme and t4 in Globex; t1 was revoked");
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.token_by_hash("hash-t1").await.unwrap().unwrap().revoked_at, Some(at(9)), "kept its time");
        assert_eq!(tx.token_by_hash("hash-t2").await.unwrap().unwrap().revoked_at, Some(at(20)));
        assert_eq!(tx.token_by_hash("hash-t4").await.unwrap().unwrap().revoked_at, Some(at(20)));
        assert_eq!(tx.token_by_hash("hash-t3").await.unwrap().unwrap().revoked_at, None, "bob's stays");
    }

    async fn a_removed_member_loses_role_tokens_and_current_organization(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, [alice, bob, _]) = two_tenants(&store).await;
        let mut tx = store.write().await.unwrap();
        let token = ApiToken {
            id: "t1".into(),
            user: bob.id,
            org: acme.id,
            name: "ci".into(),
            token_hash: "hash-t1".into(),
            role_ceiling: Role::Viewer,
            created_at: at(1),
            expires_at: at(86_400),
            revoked_at: None,
            kind: TokenKind::Api,
        };
        tx.insert_token(&token).await.unwrap();
        let session = Session {
            token_hash: "s1".into(),
            user: bob.id,
            org: Some(acme.id),
            csrf_token: "c".into(),
            created_at: at(1),
            expires_at: at(3600),
        };
        tx.insert_session(&session).await.unwrap();
        assert!(tx.set_member_role(acme.id, bob.id, Role::ControlOwner).await.unwrap());
        assert!(!tx.set_member_role(globex.id, bob.id, Role::Owner).await.unwrap(), "bob is not in Globex");
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        assert_eq!(tx.membership(acme.id, bob.id).await.unwrap().map(|m| m.role), Some(Role::ControlOwner));
        assert!(!tx.remove_member(globex.id, bob.id).await.unwrap());
        assert!(tx.remove_member(acme.id, bob.id).await.unwrap());
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.membership(acme.id, bob.id).await.unwrap(), None);
        assert_eq!(tx.token_by_hash("hash-t1").await.unwrap(), None, "the token went with the membership");
        assert_eq!(tx.session("s1").await.unwrap().map(|s| s.org), Some(None), "signed in, no organization");
        assert!(tx.membership(acme.id, alice.id).await.unwrap().is_some(), "others stay");
    }

    async fn sign_in_throttling_keeps_one_state_per_subject(db: TestDb) {
        let store = migrated(&db).await;
        let (_, _, [alice, _, _]) = two_tenants(&store).await;
        let mut tx = store.write().await.unwrap();
        assert_eq!(tx.lock_throttle("pair:a@b.c|10.0.0.1").await.unwrap(), Throttle::default(), "never seen");
        let state = Throttle { failures: 5, last_failure: Some(at(100)), blocked_until: Some(at(160)) };
        tx.save_throttle("pair:a@b.c|10.0.0.1", &state).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        assert_eq!(tx.lock_throttle("pair:a@b.c|10.0.0.1").await.unwrap(), state);
        assert_eq!(tx.lock_throttle("address:10.0.0.1").await.unwrap(), Throttle::default(), "per subject");
        tx.save_throttle("pair:a@b.c|10.0.0.1", &Throttle::default()).await.unwrap();
        assert!(!tx.known_address(alice.id, "10.0.0.1").await.unwrap());
        tx.remember_address(alice.id, "10.0.0.1", at(1)).await.unwrap();
        tx.remember_address(alice.id, "10.0.0.1", at(2)).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        assert_eq!(tx.lock_throttle("pair:a@b.c|10.0.0.1").await.unwrap(), Throttle::default(), "cleared");
        assert!(tx.known_address(alice.id, "10.0.0.1").await.unwrap());
        assert!(!tx.known_address(alice.id, "10.0.0.2").await.unwrap());
    }

    async fn invitations_round_trip_and_settle(db: TestDb) {
        let store = migrated(&db).await;
        let (acme, globex, [alice, _, _]) = two_tenants(&store).await;
        let invitation = |id: &str, org: &Organization, email: &str, created: i64| Invitation {
            id: id.to_owned(),
            org: org.id,
            email: Email::parse(email).unwrap(),
            name: DisplayName::parse("New Person").unwrap(),
            role: Role::Contributor,
            token_hash: format!("hash-{id}"),
            invited_by: format!("user:{}", alice.id),
            created_at: at(created),
            expires_at: at(created + 7 * 86_400),
            accepted_at: None,
            accepted_by: None,
            revoked_at: None,
        };
        let mut tx = store.write().await.unwrap();
        tx.insert_invitation(&invitation("i1", &acme, "new@x.test", 1)).await.unwrap();
        tx.insert_invitation(&invitation("i2", &acme, "other@x.test", 2)).await.unwrap();
        tx.insert_invitation(&invitation("i3", &globex, "new@x.test", 3)).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        let ids: Vec<String> = tx.invitations(acme.id).await.unwrap().into_iter().map(|i| i.id).collect();
        assert_eq!(ids, ["i2", "i1"], "newest first, only Acme's");
        assert_eq!(tx.invitation_by_hash("hash-i3").await.unwrap(), Some(invitation("i3", &globex, "new@x.test", 3)));
        assert_eq!(tx.invitation_by_hash("nope").await.unwrap(), None);
        let email = Email::parse("new@x.test").unwrap();
        assert!(tx.has_pending_invitation(&email, at(10)).await.unwrap());
        assert!(!tx.has_pending_invitation(&email, at(10 + 8 * 86_400)).await.unwrap(), "expired");
        let mut i1 = tx.lock_invitation("hash-i1").await.unwrap().unwrap();
        i1.accepted_at = Some(at(50));
        i1.accepted_by = Some(alice.id);
        tx.settle_invitation(&i1).await.unwrap();
        let mut i3 = tx.lock_invitation("hash-i3").await.unwrap().unwrap();
        i3.revoked_at = Some(at(60));
        tx.settle_invitation(&i3).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.invitation_by_hash("hash-i1").await.unwrap(), Some(i1));
        assert_eq!(tx.invitation_by_hash("hash-i3").await.unwrap(), Some(i3));
        assert!(!tx.has_pending_invitation(&email, at(10)).await.unwrap(), "one accepted, one revoked");
    }
}

async fn connect_n(url: &str, n: usize) -> Vec<Arc<SqlStore>> {
    let mut stores = Vec::new();
    for _ in 0..n {
        stores.push(connect(url, &ConnectOptions::default()).await.unwrap());
    }
    stores
}

/// The two engines' schemas have the same tables and columns.
#[tokio::test]
#[ignore = "needs PostgreSQL: .ci/run runs it (cargo test -- --include-ignored, ISMS_TEST_POSTGRES_URL)"]
async fn both_engines_have_the_same_tables_and_columns() {
    let (lite, lite_cleanup) = TestDb::create(Engine::Sqlite).await;
    let (pg, pg_cleanup) = TestDb::create(Engine::Postgres).await;
    lite.store.migrate().await.unwrap();
    pg.store.migrate().await.unwrap();
    let (a, b) = (lite.store.columns().await.unwrap(), pg.store.columns().await.unwrap());
    lite_cleanup.finish().await;
    pg_cleanup.finish().await;
    assert!(a.len() > 20, "{a:?}");
    assert_eq!(a, b, "SQLite (left) and PostgreSQL (right) schemas differ");
}

// ---- cancellation and concurrency ------------------------------------------------

/// A second store on the same database, with a small pool so that a connection left
/// inside a transaction is met again at once, and a short wait for a free one.
async fn small_pool(db: &TestDb, connections: u32) -> Arc<SqlStore> {
    let options = ConnectOptions { max_connections: connections, acquire_timeout: std::time::Duration::from_secs(5) };
    connect(&db.url, &options).await.unwrap()
}

/// Yields `n` times, then completes: raced against a store call, it abandons the call
/// after a varying amount of its work.
async fn yield_times(n: u32) {
    for _ in 0..n {
        tokio::task::yield_now().await;
    }
}

/// One write use case in miniature: take the organization's turn, read, insert a
/// new entry, append to the trail, commit. Returns the entry's id once committed.
async fn create_one(store: &SqlStore, org: OrgId, n: i64) -> Result<String, StoreError> {
    let mut tx = store.write().await?;
    tx.lock_organization(org).await?;
    let existing = tx.entries(org, "thing").await?.len();
    let number = tx.next_number(org, "thing", 1).await?;
    let id = format!("THG-{number:03}");
    tx.insert_entry(org, "thing", &id, &format!("{{\"n\":{n},\"seen\":{existing}}}"), at(n)).await?;
    let head = tx.lock_trail_head(org).await?;
    tx.append_trail(&TrailEntry::seal(org, &head, at(n), draft(n))).await?;
    tx.commit().await?;
    Ok(id)
}

/// Whether a fresh connection can take SQLite's write lock right now (busy timeout
/// 0), or PostgreSQL has no session of this database idle inside a transaction.
async fn nothing_left_open(db: &TestDb) -> Result<(), String> {
    use sqlx::{Connection, Executor};
    if db.url.starts_with("sqlite") {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.map_err(|e| e.to_string())?;
        conn.execute("PRAGMA busy_timeout = 0").await.map_err(|e| e.to_string())?;
        let taken = conn.execute("BEGIN IMMEDIATE").await;
        let _ = conn.execute("ROLLBACK").await;
        let _ = conn.close().await;
        taken.map(|_| ()).map_err(|e| format!("the write lock is still held: {e}"))
    } else {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.map_err(|e| e.to_string())?;
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
        let _ = conn.close().await;
        if open == 0 { Ok(()) } else { Err(format!("{open} sessions are idle inside a transaction")) }
    }
}

async fn settled(db: &TestDb) {
    let mut last = String::new();
    for _ in 0..100 {
        match nothing_left_open(db).await {
            Ok(()) => return,
            Err(e) => last = e,
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("a transaction abandoned by a dropped future is still open after 2 s: {last}");
}

mod cancellation {
    use super::*;
    both_engines! {
        async fn transactions_abandoned_at_any_point_leave_no_connection_in_a_transaction(db: TestDb) {
            migrated(&db).await;
            let (acme, _, _) = two_tenants(&db.store).await;
            let store = small_pool(&db, 2).await;
            let mut acknowledged = Vec::new();
            // Bounded: a connection left inside a transaction stalls the next writer for
            // the busy or acquire timeout, again and again.
            let abandon = async {
            for i in 0..300_i64 {
                let n = i + 1;
                // Reads and writes, abandoned after 0..40 yields (some finish).
                let read = async {
                    let mut tx = store.read().await?;
                    tx.organization(acme.id).await?;
                    tx.entries(acme.id, "thing").await?;
                    tx.trail(acme.id, 0, 10).await?;
                    Ok::<_, StoreError>(())
                };
                tokio::select! {
                    biased;
                    _ = read => {}
                    () = yield_times(u32::try_from(i % 40).unwrap()) => {}
                }
                if i % 4 == 0 {
                    acknowledged.push(create_one(&store, acme.id, n).await.unwrap());
                    continue;
                }
                tokio::select! {
                    biased;
                    created = create_one(&store, acme.id, n) => acknowledged.push(created.unwrap()),
                    () = yield_times(u32::try_from((i * 7) % 300).unwrap()) => {}
                }
            }
            };
            tokio::time::timeout(std::time::Duration::from_secs(60), abandon)
                .await
                .expect("300 abandoned transactions took over a minute: the store stalls after them");
            // Every later transaction works, on every connection of the pool.
            for n in 1000..1010 {
                acknowledged.push(create_one(&store, acme.id, n).await.expect("the store works after abandoned transactions"));
            }
            settled(&db).await;
            let mut tx = store.read().await.unwrap();
            let stored: Vec<String> = tx.entries(acme.id, "thing").await.unwrap().into_iter().map(|(id, _)| id).collect();
            for id in &acknowledged {
                assert!(stored.contains(id), "acknowledged {id} is missing");
            }
            let trail = tx.trail(acme.id, 0, 10_000).await.unwrap();
            assert_eq!(verify_chain(&trail).unwrap(), i64::try_from(trail.len()).unwrap());
            assert_eq!(trail.len(), stored.len(), "one trail entry per committed create");
            assert!(acknowledged.len() > 20, "some creates were not abandoned: {}", acknowledged.len());
        }

        async fn a_dropped_commit_or_begin_never_blocks_the_next_writer(db: TestDb) {
            migrated(&db).await;
            let (acme, _, _) = two_tenants(&db.store).await;
            let store = small_pool(&db, 1).await;
            // Abandon right after the write transaction began (the pool's only connection).
            for _ in 0..20 {
                let tx = store.write().await.unwrap();
                drop(tx);
                create_one(&store, acme.id, 1).await.unwrap();
            }
            settled(&db).await;
        }

        async fn concurrent_creates_get_distinct_ids_and_none_is_lost(db: TestDb) {
            migrated(&db).await;
            let (acme, _, _) = two_tenants(&db.store).await;
            // Two "replicas" (two pools) creating at once.
            let stores = [small_pool(&db, 4).await, small_pool(&db, 4).await];
            let mut tasks = Vec::new();
            for n in 0..40_i64 {
                let store = stores[usize::try_from(n % 2).unwrap()].clone();
                let org = acme.id;
                tasks.push(tokio::spawn(async move { create_one(&store, org, n).await }));
            }
            let mut ids = Vec::new();
            for t in tasks {
                ids.push(t.await.unwrap().expect("every concurrent create succeeds"));
            }
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), 40, "no id was handed out twice");
            let stored = db.store.read().await.unwrap().entries(acme.id, "thing").await.unwrap();
            assert_eq!(stored.len(), 40, "every acknowledged create is stored");
            assert_eq!(ids.last().map(String::as_str), Some("THG-040"));
        }

        async fn read_modify_writes_after_the_organization_lock_lose_nothing(db: TestDb) {
            migrated(&db).await;
            let (acme, _, _) = two_tenants(&db.store).await;
            let mut tx = db.store.write().await.unwrap();
            tx.insert_entry(acme.id, "counter", "C", "0", at(0)).await.unwrap();
            tx.commit().await.unwrap();
            let stores = [small_pool(&db, 4).await, small_pool(&db, 4).await];
            let mut tasks = Vec::new();
            for n in 0..30_usize {
                let store = stores[n % 2].clone();
                let org = acme.id;
                tasks.push(tokio::spawn(async move {
                    let mut tx = store.write().await?;
                    tx.lock_organization(org).await?;
                    let value: i64 = tx.entry(org, "counter", "C").await?.unwrap().parse().unwrap();
                    tokio::task::yield_now().await; // let the others read the same value if they can
                    tx.replace_entry(org, "counter", "C", &(value + 1).to_string(), at(1)).await?;
                    tx.commit().await
                }));
            }
            for t in tasks {
                t.await.unwrap().expect("every increment commits");
            }
            let value = db.store.read().await.unwrap().entry(acme.id, "counter", "C").await.unwrap();
            assert_eq!(value.as_deref(), Some("30"), "30 increments, none lost");
        }

        async fn changes_of_one_locked_account_take_turns(db: TestDb) {
            migrated(&db).await;
            let (_, _, [alice, _, _]) = two_tenants(&db.store).await;
            let stores = [small_pool(&db, 4).await, small_pool(&db, 4).await];
            let mut tasks = Vec::new();
            for n in 0..20_usize {
                let store = stores[n % 2].clone();
                let email = alice.email.clone();
                tasks.push(tokio::spawn(async move {
                    let mut tx = store.write().await?;
                    let mut user = tx.lock_user(&email).await?.unwrap();
                    let count: usize = user.display_name.as_str().rsplit(' ').next().unwrap().parse().unwrap_or(0);
                    tokio::task::yield_now().await;
                    user.display_name = DisplayName::parse(&format!("Alice {}", count + 1)).unwrap();
                    tx.update_user(&user).await?;
                    tx.commit().await
                }));
            }
            for t in tasks {
                t.await.unwrap().expect("every change commits");
            }
            let user = db.store.read().await.unwrap().user(alice.id).await.unwrap();
            assert_eq!(user.display_name.as_str(), "Alice 21", "from \"User 1\", 20 increments, none lost");
        }

        async fn creates_never_overwrite_and_replacing_needs_an_entry(db: TestDb) {
            migrated(&db).await;
            let (acme, globex, _) = two_tenants(&db.store).await;
            let mut tx = db.store.write().await.unwrap();
            tx.insert_entry(acme.id, "risk", "RSK-001", "{\"v\":1}", at(1)).await.unwrap();
            let taken = tx.insert_entry(acme.id, "risk", "RSK-001", "{\"v\":2}", at(2)).await.unwrap_err();
            assert!(matches!(&taken, StoreError::Conflict(m) if m.contains("RSK-001")), "{taken:?}");
            drop(tx);
            let mut tx = db.store.write().await.unwrap();
            tx.insert_entry(acme.id, "risk", "RSK-001", "{\"v\":1}", at(1)).await.unwrap();
            let missing = tx.replace_entry(globex.id, "risk", "RSK-001", "{}", at(2)).await.unwrap_err();
            assert!(matches!(missing, StoreError::NotFound(_)), "{missing:?}");
            tx.replace_entry(acme.id, "risk", "RSK-001", "{\"v\":3}", at(3)).await.unwrap();
            // Counters start above what is stored and never go back.
            assert_eq!(tx.next_number(acme.id, "risk", 2).await.unwrap(), 2);
            assert_eq!(tx.next_number(acme.id, "risk", 1).await.unwrap(), 3);
            assert_eq!(tx.next_number(acme.id, "risk", 10).await.unwrap(), 10);
            assert_eq!(tx.next_number(globex.id, "risk", 1).await.unwrap(), 1, "counters are per organization");
            tx.commit().await.unwrap();
            let stored = db.store.read().await.unwrap().entry(acme.id, "risk", "RSK-001").await.unwrap();
            assert_eq!(stored.as_deref(), Some("{\"v\":3}"));
        }
    }
}
