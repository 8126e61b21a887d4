//! Configuration errors and `isms config show`.

use crate::support::Sandbox;

fn one_line_error(run: &crate::support::Run) -> &str {
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "one line expected: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.stderr.trim()
}

#[test]
fn an_unsupported_database_url_is_one_line_naming_the_variable() {
    let s = Sandbox::new();
    let run = s.run_with(&["migrate"], &[("ISMS_DATABASE_URL", "mysql://root@localhost/isms")]);
    assert_eq!(
        one_line_error(&run),
        "error: environment variable ISMS_DATABASE_URL: database URL scheme \"mysql\" is not supported: use sqlite:// (the embedded default) or postgres:// (PostgreSQL)"
    );
}

#[test]
fn an_unreachable_database_is_one_line_with_the_password_masked() {
    let s = Sandbox::new();
    let run = s.run_with(&["serve"], &[("ISMS_DATABASE_URL", "postgres://isms:hunter2@127.0.0.1:1/isms")]);
    let line = one_line_error(&run);
    assert!(line.starts_with("error: environment variable ISMS_DATABASE_URL: cannot connect to PostgreSQL at postgres://isms:*****@127.0.0.1:1/isms: "), "{line}");
    assert!(line.to_lowercase().contains("refused"), "{line}");
    assert!(!run.stderr.contains("hunter2") && !run.stdout.contains("hunter2"));
}

#[test]
fn a_text_that_is_not_a_url_is_refused() {
    let s = Sandbox::new();
    let run = s.run(&["--database-url", "just-words", "migrate"]);
    assert!(
        one_line_error(&run).contains("flag --database-url: database URL \"just-words\" is not a valid URL"),
        "{run:?}"
    );
}

#[test]
fn a_missing_or_unreadable_config_file_is_named() {
    let s = Sandbox::new();
    let missing = s.path().join("nope.toml");
    let run = s.run(&["--config", missing.to_str().unwrap(), "config", "show"]);
    assert_eq!(
        one_line_error(&run),
        format!("error: cannot read config file {}: no such file or directory", missing.display())
    );
    // A directory cannot be read as a file (and works as "unreadable" even for root).
    let run = s.run_with(&["config", "show"], &[("ISMS_CONFIG", s.path().to_str().unwrap())]);
    assert_eq!(one_line_error(&run), format!("error: cannot read config file {}: is a directory", s.path().display()));
}

#[test]
fn a_config_file_with_an_unknown_key_points_at_the_line() {
    let s = Sandbox::new();
    let file = s.path().join("isms.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:9000\"\n\ndatabse_url = \"sqlite:///x.db\"\n").unwrap();
    let run = s.run(&["--config", file.to_str().unwrap(), "config", "show"]);
    let line = one_line_error(&run);
    assert!(
        line.contains(&format!("config file {}, line 3, column 1: unknown field `databse_url`", file.display())),
        "{line}"
    );
}

#[test]
fn config_show_gives_each_value_and_its_source_with_secrets_masked() {
    let s = Sandbox::new();
    let file = s.path().join("isms.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:9000\"\nlog_format = \"json\"\n").unwrap();
    let run = s.run_with(
        &["--config", file.to_str().unwrap(), "--json", "config", "show"],
        &[("ISMS_DATABASE_URL", "postgres://isms:hunter2@db.internal/isms"), ("ISMS_LISTEN", "127.0.0.1:9001")],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stdout.contains("hunter2"));
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let settings = &doc["settings"];
    assert_eq!(settings["database_url"]["value"], "postgres://isms:*****@db.internal/isms");
    assert_eq!(settings["database_url"]["source"], "environment variable ISMS_DATABASE_URL");
    assert_eq!(settings["listen"]["value"], "127.0.0.1:9001", "the environment beats the file");
    assert_eq!(settings["log_format"]["source"], format!("config file {}", file.display()));
    assert_eq!(settings["data_dir"]["source"], "default");
}
