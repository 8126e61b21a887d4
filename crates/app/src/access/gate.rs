//! The gate that keeps every use case behind its check, read from the source itself:
//!
//! - a public async function of the app that works in an organization takes an
//!   [`Actor`](super::Actor), never a bare `OrgId` (the org-scoped helpers that skip
//!   the check are `pub(crate)`);
//! - every public function that takes an actor checks it (`actor.require(..)` or
//!   `actor.narrowed(..)`) in its own body;
//! - the few public functions that take neither are listed below with the reason
//!   (the installation's own commands, sessions, the shared framework library), and
//!   the list cannot outlive what it excuses;
//! - every row of the grant table is checked by some use case;
//! - the server and the command line never open a store transaction themselves.
//!
//! A new use case that forgets its check fails here, named.

use std::path::{Path, PathBuf};

use isms_domain::access::UseCase;

/// Public async functions that take no actor, with the reason: (file, name, why).
const NOT_USE_CASES: &[(&str, &str, &str)] = &[
    ("sessions.rs", "sign_in", "credentials are the proof; no organization yet"),
    ("sessions.rs", "authenticate", "turns a session secret into a principal"),
    ("sessions.rs", "sign_out", "one's own session"),
    ("sessions.rs", "switch_organization", "checks the principal's own membership of the org"),
    ("sessions.rs", "my_organizations", "one's own memberships"),
    ("sessions.rs", "change_password", "one's own password, proven by the current one"),
    ("tokens.rs", "create_token", "one's own token, within one's own role"),
    ("tokens.rs", "list_tokens", "one's own tokens"),
    ("tokens.rs", "revoke_token", "one's own tokens"),
    ("tokens.rs", "authenticate_token", "turns a bearer secret into an actor"),
    ("tokens.rs", "authenticate_calendar", "turns a calendar secret into an actor"),
    ("invitations.rs", "offer", "the invitation's one-time secret is the credential"),
    ("invitations.rs", "accept", "the invitation's one-time secret is the credential"),
    ("invitations.rs", "join", "the invitation's one-time secret is the credential"),
    ("workspace.rs", "current_workspace", "installation: what the database holds"),
    ("workspace.rs", "initialize_workspace", "installation: `isms init` on an empty database"),
    ("demo.rs", "create_demo", "installation: `isms demo` on an empty database"),
    ("demo.rs", "create_demo_sized", "installation: `isms demo --size large` on an empty database"),
    ("reads.rs", "one_read_per_request", "plumbing: the server wraps each read-only request in it; no data of its own"),
    ("demo.rs", "create_or_reuse_demo", "installation: `isms serve --demo`"),
    ("schema.rs", "migrate", "installation: `isms migrate`"),
    ("schema.rs", "schema_status", "installation: the schema's version"),
    ("schema.rs", "readiness", "installation: the readiness probe"),
    ("schema.rs", "require_current_schema", "installation: refuses an old schema"),
    ("users.rs", "list_users", "installation operator only (`isms user list`), not served"),
    ("users.rs", "set_disabled", "installation operator only (`isms user disable`), not served"),
    ("users.rs", "reset_password", "installation operator only (`isms user reset-password`), not served"),
    ("users.rs", "add_organization", "installation operator only (`isms org add`), not served"),
    ("users.rs", "organizations", "installation operator only (`--org` resolution), not served"),
    ("users.rs", "list_organizations", "installation operator only (`isms org list`), not served"),
    ("frameworks.rs", "library", "the shared framework library (public reference content)"),
    ("frameworks.rs", "library_in", "the shared framework library (public reference content)"),
    ("frameworks.rs", "list_frameworks", "the shared framework library (public reference content)"),
    ("frameworks.rs", "show_framework", "the shared framework library (public reference content)"),
    ("frameworks.rs", "search", "the shared framework library (public reference content)"),
    ("frameworks.rs", "annex_a_themes", "the shared framework library (public reference content)"),
    ("frameworks.rs", "crosswalk", "the shared framework library (public reference content)"),
    ("frameworks.rs", "items_with_id", "the shared framework library (public reference content)"),
    ("frameworks.rs", "import_framework", "installation operator only (`isms framework import`), not served"),
    (
        "collect.rs",
        "schedule",
        "installation: `isms serve`'s scheduled collection, as the operator of each organization",
    ),
    (
        "collect.rs",
        "scheduled_round",
        "installation: `isms serve`'s scheduled collection, as the operator of each organization",
    ),
    ("audits.rs", "programme_clauses", "the shared framework library (public reference content)"),
];

/// Calls that check an actor against the grant table.
const CHECKS: [&str; 2] = ["actor.require(", "actor.narrowed("];

/// One public async function: where, its name, its parameters and its body.
struct PubFn {
    file: String,
    name: String,
    params: String,
    body: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text from `open` (an opening bracket) to its matching close.
fn balanced(text: &str, open: usize, (l, r): (char, char)) -> &str {
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        if c == l {
            depth += 1;
        } else if c == r {
            depth -= 1;
            if depth == 0 {
                return &text[open..=open + i];
            }
        }
    }
    &text[open..]
}

/// Every `pub async fn` (not `pub(crate)`) of the crate's non-test sources.
fn public_functions() -> Vec<PubFn> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut out = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if file == "tests.rs" || file == "gate.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.split("\n#[cfg(test)]\nmod ").next().unwrap_or_default();
        for (at, _) in text.match_indices("\npub async fn ") {
            let start = at + "\npub async fn ".len();
            let name: String = text[start..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let params_at = start + text[start..].find('(').unwrap();
            let params = balanced(text, params_at, ('(', ')')).to_owned();
            let body_at = params_at + params.len() + text[params_at + params.len()..].find('{').unwrap();
            let body = balanced(text, body_at, ('{', '}')).to_owned();
            out.push(PubFn { file: file.clone(), name, params, body });
        }
    }
    out
}

#[test]
fn every_use_case_takes_an_actor_and_checks_it_before_anything_else() {
    let all = public_functions();
    assert!(all.len() > 100, "the scan found only {} public functions", all.len());
    let mut problems = Vec::new();
    for f in &all {
        let excused = NOT_USE_CASES.iter().any(|(file, name, _)| *file == f.file && *name == f.name);
        let takes_actor = f.params.contains("&Actor");
        if f.params.contains("OrgId") && !excused {
            problems.push(format!("{}: {} takes an OrgId; take an actor: &Actor instead", f.file, f.name));
        }
        if takes_actor && !CHECKS.iter().any(|c| f.body.contains(c)) {
            problems.push(format!("{}: {} takes an actor but never checks it ({CHECKS:?})", f.file, f.name));
        }
        if !takes_actor && !excused {
            problems.push(format!("{}: {} is public, async and takes no actor; take one or list why", f.file, f.name));
        }
        if takes_actor && excused {
            problems.push(format!("{}: {} takes an actor; drop it from NOT_USE_CASES", f.file, f.name));
        }
    }
    for (file, name, _) in NOT_USE_CASES {
        if !all.iter().any(|f| f.file == *file && f.name == *name) {
            problems.push(format!("NOT_USE_CASES lists {file}: {name}, which is no longer there"));
        }
    }
    assert!(problems.is_empty(), "use cases outside the gate:\n{}", problems.join("\n"));
}

#[test]
fn every_row_of_the_grant_table_is_checked_by_some_use_case() {
    let bodies: String = public_functions().into_iter().map(|f| f.body).collect();
    let registers = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/registers.rs")).unwrap();
    let unchecked: Vec<String> = UseCase::ALL
        .iter()
        .map(|u| format!("UseCase::{u:?}"))
        .filter(|u| !bodies.contains(u.as_str()) && !registers.contains(u.as_str()))
        .collect();
    assert!(unchecked.is_empty(), "grant table rows no use case checks: {unchecked:?}");
}

#[test]
fn the_server_and_the_command_line_reach_data_only_through_use_cases() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    rust_files(&crates.join("server/src"), &mut files);
    rust_files(&crates.join("cli/src"), &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter(|p| {
            let text: String = std::fs::read_to_string(p).unwrap().split_whitespace().collect();
            [".store.read()", ".store.write()", "cx.read()", "cx.write()"].iter().any(|t| text.contains(t))
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(offenders.is_empty(), "these open store transactions themselves: {offenders:?}");
}
