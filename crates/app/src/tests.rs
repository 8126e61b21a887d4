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

fn cx(db: &TestDb) -> Cx {
    Cx {
        store: db.store.clone(),
        clock: Arc::new(FixedClock(datetime!(2026-11-25 12:00 UTC))),
        entropy: Arc::new(SeededEntropy::new(7)),
        library: Arc::default(),
    }
}

fn acme() -> NewWorkspace {
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
        let ready = readiness(&cx).await;
        assert!(ready.ready, "{ready:?}");
    }

    async fn init_refuses_an_existing_workspace_and_changes_nothing(db: TestDb) {
        let cx = cx(&db);
        let first = initialize_workspace(&cx, acme()).await.unwrap();
        let other = NewWorkspace::parse("Other Inc", "bob@other.test", None).unwrap();
        let err = initialize_workspace(&cx, other).await.unwrap_err();
        assert_eq!((err.kind, err.code), (ErrorKind::Conflict, "workspace_exists"));
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
        let in_use: Vec<String> = crate::frameworks::frameworks_in_use(&cx, main.id)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(in_use, ["iso27001-2022", "hipaa-security", "nist-csf-2.0"]);
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
