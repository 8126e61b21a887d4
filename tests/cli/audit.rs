//! `isms audit-log`: the trail written by real commands (real clock) verifies, and
//! tampering with a row directly in the database is detected and named.

use sqlx::{Connection, Executor};

use crate::support::Sandbox;

#[tokio::test]
async fn the_trail_of_real_commands_verifies_and_a_tampered_row_is_named() {
    let s = Sandbox::new();
    let run = |args: &[&str]| s.isms(args);
    assert_eq!(run(&["init", "--org", "Acme", "--admin-email", "ciso@acme.test"]).code, 0);
    assert_eq!(run(&["control", "set", "A.5.1", "A.5.2", "--org", "Acme", "--status", "planned"]).code, 0);
    assert_eq!(
        run(&["risk", "add", "--org", "Acme", "--title", "Phishing", "--owner", "ciso@acme.test", "--inherent", "4,3"])
            .code,
        0
    );
    let ok = run(&["audit-log", "verify"]);
    assert_eq!(ok.code, 0, "{ok:?}");
    assert!(ok.stdout.contains("intact"), "{}", ok.stdout);
    let csv = run(&["audit-log", "export", "--org", "Acme", "--format", "csv"]);
    assert!(
        csv.stdout.starts_with("seq,at,actor,action,entity,entity_id,before,after,prev_hash,hash"),
        "{}",
        csv.stdout
    );
    let entries = csv.stdout.lines().count() - 1;
    assert!(entries >= 6, "{entries}");

    let db = s.data_dir().join("isms.db");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    conn.execute("UPDATE trail_entries SET after_state = replace(after_state, 'planned', 'implemented') WHERE seq = 5")
        .await
        .unwrap();
    conn.close().await.unwrap();
    let broken = run(&["audit-log", "verify", "--org", "Acme"]);
    assert_eq!(broken.code, 1, "a check that says no exits 1: {broken:?}");
    assert!(broken.stdout.contains("BROKEN — audit trail entry 5 was altered"), "{}", broken.stdout);
}
