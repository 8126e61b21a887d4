//! `isms init`, `isms migrate`, `isms version`.

use crate::support::{Sandbox, dump_sqlite};

fn init(s: &Sandbox, extra: &[&str]) -> crate::support::Run {
    let dir = s.data_dir();
    let mut args =
        vec!["--data-dir", dir.to_str().unwrap(), "init", "--org", "Acme Corp", "--admin-email", "Alice@Acme.test"];
    args.extend_from_slice(extra);
    s.run(&args)
}

#[test]
fn init_creates_the_workspace_and_prints_the_password_once() {
    let s = Sandbox::new();
    let run = init(&s, &["--admin-name", "Alice Admin"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("organization  Acme Corp"), "{}", run.stdout);
    assert!(run.stdout.contains("owner         Alice Admin <alice@acme.test>"), "{}", run.stdout);
    let password = run.stdout.lines().find_map(|l| l.trim().strip_prefix("password")).unwrap().trim();
    assert_eq!(password.len(), 23, "{password}");
    let db = s.data_dir().join("isms.db");
    assert!(db.is_file());
    let bytes = std::fs::read(&db).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains(password), "the clear password is stored");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.data_dir()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the data directory is private");
    }
}

#[test]
fn init_twice_refuses_and_changes_nothing() {
    let s = Sandbox::new();
    assert_eq!(init(&s, &[]).code, 0);
    let db = s.data_dir().join("isms.db");
    let before = dump_sqlite(&db);
    assert!(before.contains("Acme Corp") && before.contains("alice@acme.test"), "{before}");
    let again = init(&s, &["--admin-name", "Mallory"]);
    assert_eq!(again.code, 2, "{again:?}");
    assert_eq!(again.stderr.lines().count(), 1, "one line: {}", again.stderr);
    assert!(again.stderr.starts_with("error: "), "{}", again.stderr);
    assert!(again.stderr.contains("already holds an isms standard workspace"), "{}", again.stderr);
    assert!(again.stderr.contains(db.to_str().unwrap()), "names the database: {}", again.stderr);
    assert!(again.stdout.is_empty(), "{}", again.stdout);
    assert!(dump_sqlite(&db) == before, "the stored data changed");
}

#[test]
fn init_with_bad_input_names_each_field_and_creates_nothing() {
    let s = Sandbox::new();
    let dir = s.data_dir();
    let run = s.run(&["--data-dir", dir.to_str().unwrap(), "--json", "init", "--org", "  ", "--admin-email", "alice"]);
    assert_eq!(run.code, 2);
    let doc: serde_json::Value = serde_json::from_str(&run.stderr).unwrap();
    assert_eq!(doc["error"]["code"], "invalid_input");
    let fields: Vec<&str> =
        doc["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["org", "admin_email"]);
    assert!(!dir.exists(), "nothing is created for bad input");
}

#[test]
fn init_with_json_returns_the_password_and_organization() {
    let s = Sandbox::new();
    let run = init(&s, &["--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["organization"]["name"], "Acme Corp");
    assert_eq!(doc["admin"]["email"], "alice@acme.test");
    assert!(doc["admin"].get("password_hash").is_none(), "{doc}");
    assert_eq!(doc["admin_password"].as_str().unwrap().len(), 23);
    assert_eq!(doc["migrations_applied"][0], "0001_foundation");
}

#[test]
fn migrate_applies_then_reports_current_and_check_exits_1_when_pending() {
    let s = Sandbox::new();
    let dir = s.data_dir();
    let d = dir.to_str().unwrap();
    let version: serde_json::Value = serde_json::from_str(&s.run(&["version", "--json"]).stdout).unwrap();
    let latest = version["schema_version"].as_i64().unwrap();
    let check = s.run(&["--data-dir", d, "migrate", "--check"]);
    assert_eq!(check.code, 1, "{check:?}");
    assert!(check.stdout.contains("pending  0001_foundation"), "{}", check.stdout);
    assert!(check.stderr.contains(&format!("{latest} migration(s) pending")), "{}", check.stderr);
    let apply = s.run(&["--data-dir", d, "migrate"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    assert!(apply.stdout.contains("applied 0001_foundation"), "{}", apply.stdout);
    let again = s.run(&["--data-dir", d, "--json", "migrate"]);
    let doc: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(doc["applied"], serde_json::json!([]));
    assert_eq!(doc["schema_version"], latest);
    assert_eq!(s.run(&["--data-dir", d, "migrate", "--check"]).code, 0);
}

#[test]
fn version_is_printed_as_text_and_json() {
    let s = Sandbox::new();
    let text = s.run(&["--version"]);
    assert_eq!(text.stdout.trim(), format!("isms {}", env!("CARGO_PKG_VERSION")));
    let json = s.run(&["version", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["version"], env!("CARGO_PKG_VERSION"));
    assert!(doc["schema_version"].as_i64().unwrap() >= 1);
}
