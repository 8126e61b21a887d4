//! `isms user`: inviting members (a one-time link; the invitee sets their own
//! password), listing, disabling and resetting passwords — passwords shown once to
//! the operator, stored only hashed, every change in the organization's audit trail.

use crate::support::{Sandbox, dump_sqlite, shown_link, shown_password};

#[test]
fn members_are_added_listed_disabled_and_reset_with_a_verified_trail() {
    let s = Sandbox::new();
    let run = |args: &[&str]| s.isms(args);
    assert_eq!(run(&["init", "--org", "Acme", "--admin-email", "ciso@acme.test"]).code, 0);

    let invited = run(&[
        "user",
        "invite",
        "--org",
        "Acme",
        "--email",
        "Dana@Acme.test",
        "--name",
        "Dana Ortiz",
        "--role",
        "auditor",
    ]);
    assert_eq!(invited.code, 0, "{invited:?}");
    let link = shown_link(&invited.stdout);
    assert!(link.starts_with("http://127.0.0.1:8080/invite/") && link.len() > 60, "{link}");
    assert!(!run(&["user", "list"]).stdout.contains("dana@acme.test"), "no account before the invitation is accepted");
    let short = s.accept(s.data_dir().to_str().unwrap(), &invited.stdout, "short");
    assert_eq!(short.code, 2, "{short:?}");
    assert!(short.stderr.contains("at least 12 characters"), "{}", short.stderr);
    let first = "Dana's own long password".to_owned();
    let joined = s.accept(s.data_dir().to_str().unwrap(), &invited.stdout, &first);
    assert_eq!(joined.code, 0, "{joined:?}");
    assert!(joined.stdout.contains("dana@acme.test joined Acme as Auditor"), "{}", joined.stdout);
    let used = s.accept(s.data_dir().to_str().unwrap(), &invited.stdout, &first);
    assert_ne!(used.code, 0, "a link works once: {used:?}");
    assert!(used.stderr.contains("does not work"), "{}", used.stderr);

    let again =
        run(&["user", "invite", "--org", "Acme", "--email", "dana@acme.test", "--name", "Dana", "--role", "viewer"]);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("already a member of Acme"), "{}", again.stderr);
    let by_old_name = run(&["user", "add", "--org", "Acme", "--email", "eve@acme.test", "--role", "viewer"]);
    assert_eq!(by_old_name.code, 0, "`user add` is `user invite`: {by_old_name:?}");
    assert!(!by_old_name.stdout.contains("Password"), "{}", by_old_name.stdout);
    shown_link(&by_old_name.stdout);

    let bad_role = run(&["user", "invite", "--org", "Acme", "--email", "x@acme.test", "--name", "X", "--role", "god"]);
    assert_eq!(bad_role.code, 2, "{bad_role:?}");
    assert!(bad_role.stderr.contains("--role") && bad_role.stderr.contains("auditor"), "{}", bad_role.stderr);
    let bad_email =
        run(&["user", "invite", "--org", "Acme", "--email", "not-an-email", "--name", "X", "--role", "viewer"]);
    assert_eq!(bad_email.code, 2, "{bad_email:?}");
    assert!(bad_email.stderr.contains("--email"), "{}", bad_email.stderr);

    let list = run(&["user", "list"]);
    assert_eq!(list.code, 0);
    let dana = list.stdout.lines().find(|l| l.contains("dana@acme.test")).expect("dana listed");
    assert!(dana.contains("Acme") && dana.contains("Auditor") && !dana.contains("[disabled]"), "{dana}");

    assert_eq!(run(&["user", "disable", "dana@acme.test"]).code, 0);
    let list = run(&["user", "list"]);
    assert!(list.stdout.lines().any(|l| l.contains("dana@acme.test") && l.contains("[disabled]")), "{}", list.stdout);
    let missing = run(&["user", "disable", "nobody@acme.test"]);
    assert_ne!(missing.code, 0);
    assert!(missing.stderr.contains("nobody@acme.test"), "{}", missing.stderr);

    let reset = run(&["user", "reset-password", "dana@acme.test"]);
    assert_eq!(reset.code, 0, "{reset:?}");
    let second = shown_password(&reset.stdout);
    assert_ne!(first, second);

    let db = dump_sqlite(&s.data_dir().join("isms.db"));
    assert!(!db.contains(&first) && !db.contains(&second), "passwords are never stored in the clear");
    assert!(db.contains("$argon2id$"), "stored as argon2id hashes");

    let verify = run(&["audit-log", "verify", "--org", "Acme"]);
    assert_eq!(verify.code, 0, "{verify:?}");
    let log = run(&["audit-log", "export", "--org", "Acme", "--format", "csv"]);
    assert!(!db.contains(link.rsplit('/').next().unwrap()), "invitation links are stored only hashed");
    for action in [
        "invitation.created",
        "invitation.accepted",
        "user.created",
        "membership.granted",
        "user.disabled",
        "user.password_reset",
    ] {
        assert!(log.stdout.contains(action), "{action} missing from\n{}", log.stdout);
    }
    assert!(!log.stdout.contains("argon2"), "hashes stay out of the trail");
}
