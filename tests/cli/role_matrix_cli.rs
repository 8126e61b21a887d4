//! The role matrix on the command line: `--as EMAIL` acts as that member with their
//! role, through the same use cases as the API, so every role-checked command answers
//! each of the six roles as the grant table (`isms_domain::access::grant`) says:
//! allowed → exit 0; refused → exit 2 with the error code `forbidden`.
//!
//! And the gate that keeps it complete: every `isms` command that takes `--as` (found
//! by walking `isms help`) is sent by all six roles, or is listed in
//! [`NOT_ROLE_CHECKED`] with the reason; every use case of the grant table is covered
//! here, or is listed in [`OPERATOR_ONLY`] because the command line offers it to the
//! installation's operator only.

use std::collections::BTreeSet;

use isms_domain::Role;
use isms_domain::access::{Grant, UseCase as U, grant};
use serde_json::Value;

use super::role_matrix::{Acme, email};
use crate::support::Run;

/// Commands with `--as` that are not checked against a role beyond membership.
const NOT_ROLE_CHECKED: [(&str, &str); 8] = [
    ("risk show", "a read every member may make (rows below send it anyway)"),
    ("document show", "a read every member may make"),
    ("document acks", "a read every member may make"),
    ("document ack", "every member acknowledges the documents meant for them"),
    ("audit show", "a read every member may make"),
    ("audit report", "a read every member may make"),
    ("finding show", "a read every member may make"),
    ("management-review action-done", "the action's owner, or whoever manages audits (app tests)"),
];

/// Use cases the command line gives the installation's operator only (no `--as`).
const OPERATOR_ONLY: [(U, &str); 4] = [
    (U::ManageMembers, "`isms user invite` is the operator's; members invite in the web app and API"),
    (U::ManageFrameworks, "`isms framework adopt` is the operator's"),
    (U::ReadAuditTrail, "`isms audit-log` and `isms changes` are the operator's"),
    (U::VerifyAuditTrail, "`isms audit-log verify` is the operator's"),
];

/// Who may run a row.
#[derive(Clone, Copy)]
enum Who {
    /// As the grant table says (`Assigned`: on the member's own record, which the
    /// targets are).
    Case(U),
    /// Written out (owner … viewer; `Y` allowed, `-` refused) where the command narrows
    /// its use case; the row says why.
    Only(U, &'static str),
}

impl Who {
    fn case(self) -> U {
        match self {
            Who::Case(u) | Who::Only(u, _) => u,
        }
    }

    fn allows(self, role: usize) -> bool {
        match self {
            Who::Case(u) => grant(Role::ALL[role], u) != Grant::Denied,
            Who::Only(_, row) => row.as_bytes()[role] == b'Y',
        }
    }
}

/// What an allowed row must answer.
#[derive(Clone, Copy, PartialEq)]
enum Ok {
    /// Exit 0.
    Done,
    /// Anything but `forbidden` (the domain decides the rest: an SoA with problems).
    NotForbidden,
}

struct Row {
    command: &'static str,
    args: Vec<String>,
    who: Who,
    ok: Ok,
}

fn row(command: &'static str, rest: &[&str], who: Who) -> Row {
    let mut args: Vec<String> = command.split(' ').map(str::to_owned).collect();
    args.extend(rest.iter().map(|s| (*s).to_owned()));
    Row { command, args, who, ok: Ok::Done }
}

/// Runs as the operator and answers the JSON it printed.
fn json(acme: &Acme, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let r = acme.run(&all);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", r.stdout))
}

fn id(v: &Value) -> String {
    v["id"].as_str().or_else(|| v["risk"]["id"].as_str()).unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

/// The records one role's turn acts on, all belonging to `me`, made by the operator.
struct Targets {
    control: String,
    risk: String,
    unaccepted: String,
    asset: String,
    objective: String,
    issue: String,
    draft: String,
    in_review: String,
    audit: String,
    finding: String,
    implemented: String,
    /// Records that a row deletes, sends back or moves on, each its own.
    spare_asset: String,
    spare_role: String,
    in_review_too: String,
    approved: String,
    approved_too: String,
    planned: String,
    /// A component definition for `control`, and the two statements it proposed.
    components: String,
    /// Results in our CSV check format.
    checks: String,
    accept: String,
    reject: String,
    /// A manual check of `control` that `me` attests.
    check: String,
    /// A watched directory holding one results file.
    watched: String,
    /// Evidence requests of `audit` assigned to `me`: one open, two submitted.
    request: String,
    submitted: String,
    submitted_too: String,
    /// A request list (CSV) and an evidence item to answer with.
    requests_csv: String,
    evidence: String,
    /// Where `package build` writes.
    package: String,
    /// A logo for `org logo`.
    logo: String,
}

fn targets(acme: &Acme, n: usize, me: &str, policy: &str) -> Targets {
    let control = format!("A.5.{}", n + 1);
    acme.run(&["control", "set", &control, "--owner", me]);
    let risk = id(&json(acme, &["risk", "add", "--title", &format!("risk {n}"), "--owner", me, "--inherent", "3,3"]));
    let unaccepted = id(&json(
        acme,
        &["risk", "add", "--title", &format!("to accept {n}"), "--owner", me, "--inherent", "3,4", "--residual", "2,3"],
    ));
    let asset = id(&json(
        acme,
        &["asset", "add", "--name", &format!("asset {n}"), "--type", "system", "--owner", me]
            .into_iter()
            .chain(["--classification", "internal", "--cia", "3,3,2"])
            .collect::<Vec<_>>(),
    ));
    let objective = id(&json(
        acme,
        &["objective", "add", "--title", &format!("objective {n}"), "--measure", "m", "--target", "t"]
            .into_iter()
            .chain(["--owner", me, "--due", "2027-06-30"])
            .collect::<Vec<_>>(),
    ));
    let issue = id(&json(acme, &["context", "add-issue", "--origin", "external", "--title", &format!("issue {n}")]));
    let document = |title: String| {
        id(&json(acme, &["document", "add", "--title", &title, "--type", "policy", "--owner", me, "--file", policy]))
    };
    let draft = document(format!("draft {n}"));
    let in_review = document(format!("in review {n}"));
    acme.run(&["document", "submit", &in_review]);
    let audit = json(
        acme,
        &["audit", "plan", "--kind", "internal", "--auditor", "auditor@acme.test", "--start", "2025-10-01"]
            .into_iter()
            .chain(["--control", "A.8.13"])
            .collect::<Vec<_>>(),
    );
    let audit = id(&audit["audit"]);
    let finding_of = |what: &str| {
        id(&json(
            acme,
            &["finding", "add", "--audit", &audit, "--grade", "minor", "--requirement", "A.8.13"]
                .into_iter()
                .chain(["--description", what, "--owner", me])
                .collect::<Vec<_>>(),
        ))
    };
    let finding = finding_of("no restore test");
    let implemented = finding_of("no log review");
    let planned = finding_of("no key rotation");
    let plan = ["--correction", "c", "--root-cause", "r", "--action", "a", "--owner", me];
    for f in [&implemented, &planned] {
        acme.run(&["finding", "plan", f].into_iter().chain(plan).collect::<Vec<_>>());
    }
    acme.run(&["finding", "implemented", &implemented]);
    let spare_asset = id(&json(
        acme,
        &["asset", "add", "--name", &format!("spare {n}"), "--type", "service", "--owner", me]
            .into_iter()
            .chain(["--classification", "internal", "--cia", "1,1,1"])
            .collect::<Vec<_>>(),
    ));
    let spare_role = id(&json(acme, &["role", "add", "--name", &format!("spare {n}"), "--responsibilities", "r"]));
    let in_review_too = document(format!("in review too {n}"));
    acme.run(&["document", "submit", &in_review_too]);
    let approved_doc = |title: String| {
        let doc = document(title);
        acme.run(&["document", "submit", &doc]);
        acme.run(&["document", "approve", &doc]);
        doc
    };
    let approved = approved_doc(format!("approved {n}"));
    let approved_too = approved_doc(format!("approved too {n}"));
    let components = std::path::Path::new(policy).with_file_name(format!("components-{n}.json"));
    let definition = super::role_matrix::component_definition(&format!("cli {n}"), &control);
    std::fs::write(&components, definition.to_string()).unwrap();
    let components = components.to_str().unwrap().to_owned();
    let checks = std::path::Path::new(policy).with_file_name(format!("checks-{n}.csv"));
    std::fs::write(&checks, "rule,target,result\nbackup-age,db-01,pass\n").unwrap();
    let checks = checks.to_str().unwrap().to_owned();
    let watched = std::path::Path::new(policy).with_file_name(format!("watched-{n}"));
    std::fs::create_dir_all(watched.join("backup-probe")).unwrap();
    std::fs::write(watched.join("backup-probe/checks.csv"), "rule,target,result\nbackup-age,db-01,pass\n").unwrap();
    let watched = watched.to_str().unwrap().to_owned();
    let imported = json(acme, &["oscal", "import", "component-definition", &components]);
    let proposed = imported["proposed"].as_array().unwrap();
    let (accept, reject) = (id(&proposed[0]), id(&proposed[1]));
    let check = id(&json(
        acme,
        &[
            "check",
            "define",
            "--name",
            &format!("attested {n}"),
            "--control",
            &control,
            "--manual",
            "--every",
            "30",
            "--owner",
            me,
        ],
    ));
    let evidence = id(&json(acme, &["evidence", "link", &format!("https://ci.acme.test/{n}"), "--control", &control]));
    let ask = |reference: &str| {
        id(&json(
            acme,
            &["request", "write", "--audit", &audit, "--reference", reference, "--text", "Show it", "--assignee", me],
        ))
    };
    let request = ask("open");
    let (submitted, submitted_too) = (ask("to accept"), ask("to return"));
    for r in [&submitted, &submitted_too] {
        acme.run(&["request", "attach", r, "--evidence", &evidence]);
        acme.run(&["request", "submit", r]);
    }
    let requests_csv = std::path::Path::new(policy).with_file_name(format!("requests-{n}.csv"));
    std::fs::write(&requests_csv, "reference,request\nPBC-9,Access reviews\n").unwrap();
    let requests_csv = requests_csv.to_str().unwrap().to_owned();
    let package = std::path::Path::new(policy).with_file_name(format!("package-{n}.zip")).to_str().unwrap().to_owned();
    let logo = std::path::Path::new(policy).with_file_name(format!("logo-{n}.svg"));
    std::fs::write(&logo, super::role_matrix::LOGO).unwrap();
    let logo = logo.to_str().unwrap().to_owned();
    Targets {
        logo,
        package,
        request,
        submitted,
        submitted_too,
        requests_csv,
        evidence,
        control,
        risk,
        unaccepted,
        asset,
        objective,
        issue,
        draft,
        in_review,
        audit,
        finding,
        implemented,
        spare_asset,
        spare_role,
        in_review_too,
        approved,
        approved_too,
        planned,
        components,
        checks,
        accept,
        reject,
        check,
        watched,
    }
}

struct Files<'a> {
    assets: &'a str,
    risks: &'a str,
    answers: &'a str,
}

fn rows(t: &Targets, me: &str, policy: &str, files: &Files<'_>, certificate: &str) -> Vec<Row> {
    let (csv, risks_csv) = (files.assets, files.risks);
    let read = Who::Case(U::ReadIsms);
    vec![
        row("status", &[], read),
        row("advise", &["--answers", files.answers], Who::Case(U::EditContext)),
        // Accepting needs EditContext too, which every role granted ManageFrameworks has.
        row("advise", &["--accept"], Who::Case(U::ManageFrameworks)),
        row("risk show", &[&t.risk], read),
        row("document show", &[&t.draft], read),
        row("audit show", &[&t.audit], read),
        row("finding show", &[&t.finding], read),
        row("scope set", &["--statement", "Acme's platform"], Who::Case(U::EditContext)),
        row("context add-issue", &["--origin", "internal", "--title", "Staff turnover"], Who::Case(U::EditContext)),
        row("context add-party", &["--name", "Regulator"], Who::Case(U::EditContext)),
        row("context delete", &[&t.issue], Who::Case(U::EditContext)),
        row("role add", &["--name", "Deputy", "--responsibilities", "Helps"], Who::Case(U::EditContext)),
        row("objective set-status", &[&t.objective, "on_track"], Who::Case(U::EditContext)),
        row(
            "objective add",
            &["--title", "MFA", "--measure", "%", "--target", "100", "--owner", me, "--due", "2027-01-31"],
            Who::Case(U::EditContext),
        ),
        row(
            "asset add",
            &["--name", "CRM", "--type", "system", "--owner", me, "--classification", "internal", "--cia", "2,2,2"],
            Who::Case(U::EditAssets),
        ),
        row("asset set", &[&t.asset, "--description", "ERP in the cloud"], Who::Case(U::EditAssets)),
        row("asset import", &[csv], Who::Case(U::EditAssets)),
        row("asset classification", &["--levels", "Public,Internal,Confidential,Restricted"], Who::Case(U::EditAssets)),
        row("control set", &[&t.control, "--status", "planned"], Who::Case(U::EditControls)),
        row("evidence link", &["https://ci.acme.test/run/1", "--control", &t.control], Who::Case(U::EditControls)),
        // Importing proposes statements for any control: not a control owner's to do.
        row("oscal import", &["component-definition", &t.components], Who::Only(U::EditControls, "YY-Y--")),
        // Ingested results are evidence for any control, likewise.
        row("ingest", &[&t.checks, "--control", &t.control], Who::Only(U::EditControls, "YY-Y--")),
        row("control accept", &[&t.accept], Who::Case(U::EditControls)),
        // Checks test any control: a control owner attests the checks they own.
        row(
            "check define",
            &["--name", "Restore test", "--control", &t.control, "--manual", "--every", "7"],
            Who::Only(U::EditControls, "YY-Y--"),
        ),
        row("check run", &[&t.check, "--pass", "--note", "seen"], Who::Case(U::EditControls)),
        row("collect", &["exec"], Who::Only(U::EditControls, "YY-Y--")),
        row("watch", &[&t.watched, "--once", "--control", &t.control], Who::Only(U::EditControls, "YY-Y--")),
        row("control reject", &[&t.reject, "--reason", "not ours"], Who::Case(U::EditControls)),
        row("risk add", &["--title", "Phishing", "--owner", me, "--inherent", "3,3"], Who::Case(U::EditRisks)),
        row("risk edit", &[&t.risk, "--threat", "Phishing crews"], Who::Case(U::EditRisks)),
        row("risk estimate", &[&t.risk, "--lef", "0.1,0.5,2", "--pl", "1000,5000,20000"], Who::Case(U::EditRisks)),
        row(
            "risk import",
            &[risks_csv],
            Who::Only(U::EditRisks, "YY-Y--"), // a control owner adds risks one at a time
        ),
        row("risk accept", &[&t.unaccepted, "--comment", "ok"], Who::Case(U::AcceptRisks)),
        row("risk appetite", &["--point", "5000000:0.05"], Who::Case(U::EditMethodology)),
        row("methodology edit", &["--cell", "1,1=low"], Who::Case(U::EditMethodology)),
        row("risk simulate", &["--all", "--iterations", "500"], Who::Case(U::RunSimulations)),
        row("review record", &["asset", &t.asset], Who::Case(U::RecordReviews)),
        Row { ok: Ok::NotForbidden, ..row("soa approve", &["--comment", "v"], Who::Case(U::ApproveSoa)) },
        row("soa review", &["--comment", "still right"], Who::Case(U::ApproveSoa)),
        row(
            "document add",
            &["--title", "Backup", "--type", "standard", "--owner", me, "--file", policy],
            Who::Case(U::EditDocuments),
        ),
        row("document edit", &[&t.draft, "--version", "1", "--file", policy], Who::Case(U::EditDocuments)),
        row("document submit", &[&t.draft], Who::Case(U::EditDocuments)),
        row("document approve", &[&t.in_review], Who::Case(U::ApproveDocuments)),
        row("document adopt", &["access-control-policy", "--owner", me], Who::Case(U::EditDocuments)),
        row(
            "audit plan",
            &["--kind", "internal", "--auditor", "auditor@acme.test", "--start", "2025-11-03", "--control", "A.5.1"],
            Who::Case(U::ManageAudits),
        ),
        row("audit result", &[&t.audit, "A.8.13", "conforming"], Who::Case(U::RecordFindings)),
        row(
            "sample draw",
            &["--audit", &t.audit, "--population", "risks", "--size", "1"],
            Who::Case(U::RecordFindings),
        ),
        row("package build", &["--audit", &t.audit, "-o", &t.package], read),
        row("org logo", &[&t.logo], Who::Case(U::ApproveDocuments)),
        row("audit auditors", &[&t.audit], read),
        row(
            "audit invite-auditor",
            &[&t.audit, "--email", "cb-cli@certbody.test", "--days", "14"],
            Who::Case(U::ManageAudits),
        ),
        row(
            "audit auditor-access",
            &[&t.audit, "--email", "cb-cli@certbody.test", "--days", "60"],
            Who::Case(U::ManageAudits),
        ),
        row(
            "request write",
            &["--audit", &t.audit, "--reference", "W", "--text", "Rules"],
            Who::Case(U::RecordFindings),
        ),
        row("request import", &["--audit", &t.audit, &t.requests_csv], Who::Case(U::RecordFindings)),
        row("request plan", &[&t.request, "--due", "2027-01-31"], Who::Case(U::RecordFindings)),
        row("request attach", &[&t.request, "--evidence", &t.evidence], Who::Case(U::ActOnFindings)),
        row("request detach", &[&t.request, "--evidence", &t.evidence], Who::Case(U::ActOnFindings)),
        row("request attach", &[&t.request, "--evidence", &t.evidence], Who::Case(U::ActOnFindings)),
        row("request submit", &[&t.request], Who::Case(U::ActOnFindings)),
        row("request accept", &[&t.submitted], Who::Case(U::RecordFindings)),
        row("request return", &[&t.submitted_too, "-m", "September is missing"], Who::Case(U::RecordFindings)),
        // Whoever decides or answers writes on the thread (a control owner on their own).
        row("request comment", &[&t.request, "-m", "noted"], Who::Only(U::RecordFindings, "YYYYY-")),
        row(
            "finding add",
            &["--audit", &t.audit, "--grade", "observation", "--requirement", "9.2", "--description", "ok"],
            Who::Case(U::RecordFindings),
        ),
        row(
            "finding plan",
            &[&t.finding, "--correction", "c", "--root-cause", "r", "--action", "a", "--owner", me],
            Who::Case(U::ActOnFindings),
        ),
        row("finding verify", &[&t.implemented, "--note", "works"], Who::Case(U::RecordFindings)),
        row(
            "management-review add",
            &["--held-on", "2025-10-03", "--attendee", "Board", "--decision", "Keep going"],
            Who::Case(U::ManageAudits),
        ),
        row("certificate status", &[certificate, "active"], Who::Case(U::ManageAudits)),
        row("audit copy", &[&t.audit, "--start", "2026-10-05"], Who::Case(U::ManageAudits)),
        Row {
            ok: Ok::NotForbidden, // open checklist lines may keep it open
            ..row("audit complete", &[&t.audit, "--conclusion", "Conforms"], Who::Case(U::RecordFindings))
        },
        row("finding implemented", &[&t.planned], Who::Case(U::ActOnFindings)),
        row("document send-back", &[&t.in_review_too], Who::Case(U::EditDocuments)),
        row("document review", &[&t.approved], Who::Case(U::EditDocuments)),
        row("document version", &[&t.approved_too, "--file", policy], Who::Case(U::EditDocuments)),
        row("evidence add", &[policy, "--control", &t.control], Who::Case(U::EditControls)),
        row("asset delete", &[&t.spare_asset], Who::Case(U::EditAssets)),
        row("role delete", &[&t.spare_role], Who::Case(U::EditContext)),
        row("objective delete", &[&t.objective], Who::Case(U::EditContext)),
        row("risk delete", &[&t.risk], Who::Case(U::EditRisks)),
        row(
            "certificate add",
            // Before the fixture's certificate (2025-09-01), after its Stage 2: an initial decision.
            &["--number", "IS 1", "--body", "Registrar", "--issued", "2025-08-01", "--scope", "All"],
            Who::Case(U::ManageAudits),
        ),
    ]
}

fn send(acme: &Acme, r: &Row, me: &str) -> Run {
    let mut args: Vec<&str> = vec!["--json"];
    args.extend(r.args.iter().map(String::as_str));
    args.extend(["--as", me]);
    acme.sandbox.isms(&args)
}

/// Every `isms` command (`command subcommand`) whose help offers `--as`.
fn commands_with_as(acme: &Acme) -> BTreeSet<String> {
    let names = |help: &str| -> Vec<String> {
        help.split("\nCommands:\n")
            .nth(1)
            .map(|rest| rest.split("\n\n").next().unwrap_or_default())
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.strip_prefix("  ").and_then(|l| l.split_whitespace().next()))
            .filter(|n| *n != "help" && !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .map(str::to_owned)
            .collect()
    };
    let mut out = BTreeSet::new();
    for top in names(&acme.sandbox.isms(&["--help"]).stdout) {
        let help = acme.sandbox.isms(&[&top, "--help"]).stdout;
        let subs = names(&help);
        if subs.is_empty() && help.contains("--as <EMAIL>") {
            out.insert(top.clone());
        }
        for sub in subs {
            if acme.sandbox.isms(&[&top, &sub, "--help"]).stdout.contains("--as <EMAIL>") {
                out.insert(format!("{top} {sub}"));
            }
        }
    }
    out
}

#[test]
fn every_role_checked_command_answers_each_role_as_the_grant_table_says() {
    let acme = Acme::new();
    let dir = acme.sandbox.path();
    let policy = dir.join("policy.md");
    std::fs::write(&policy, "# Policy\n\nRead it.\n").unwrap();
    let policy = policy.to_str().unwrap().to_owned();
    let assets = dir.join("assets.csv");
    std::fs::write(
        &assets,
        "name,type,owner,classification,confidentiality,integrity,availability,lifecycle\n\
         Laptops,system,owner@acme.test,internal,2,2,2,in_use\n",
    )
    .unwrap();
    let risks = dir.join("risks.csv");
    std::fs::write(
        &risks,
        "title,owner,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment,threat\n\
         Imported,owner@acme.test,2,2,2,2,modify,Theft\n",
    )
    .unwrap();
    let answers = dir.join("answers.toml");
    std::fs::write(&answers, "sector = \"SaaS\"\nhandles_phi = true\n").unwrap();
    let (assets, risks) = (assets.to_str().unwrap().to_owned(), risks.to_str().unwrap().to_owned());
    let answers = answers.to_str().unwrap().to_owned();
    // A risk with estimates for every role's simulation.
    let quantified =
        id(&json(&acme, &["risk", "add", "--title", "quantified", "--owner", "owner@acme.test", "--inherent", "2,4"]));
    acme.run(&["risk", "estimate", &quantified, "--lef", "0.2,1,3", "--pl", "1000,8000,90000"]);
    let run = |args: &[&str]| acme.run(args);
    crate::support::held_audit_cli(&run, "stage1", "2025-06-01", "2025-06-02");
    crate::support::held_audit_cli(&run, "stage2", "2025-07-01", "2025-07-03");
    let certificate = id(&json(
        &acme,
        &["certificate", "add", "--number", "IS 0", "--body", "Registrar", "--issued", "2025-09-01", "--scope", "All"],
    ));

    let mut sent = BTreeSet::new();
    let mut covered = BTreeSet::new();
    let mut wrong = Vec::new();
    for (n, role) in Role::ALL.iter().enumerate() {
        let me = email(*role);
        let t = targets(&acme, n, &me, &policy);
        let files = Files { assets: &assets, risks: &risks, answers: &answers };
        for r in rows(&t, &me, &policy, &files, &certificate) {
            let got = send(&acme, &r, &me);
            let refused = got.code == 2 && got.stderr.contains("\"forbidden\"");
            let fine = if r.who.allows(n) {
                match r.ok {
                    Ok::Done => got.code == 0,
                    Ok::NotForbidden => !refused,
                }
            } else {
                refused
            };
            if !fine {
                let want = if r.who.allows(n) { "allowed" } else { "refused" };
                wrong.push(format!(
                    "{} as {}: want {want}, got exit {}: {}",
                    r.command,
                    role.as_str(),
                    got.code,
                    got.stderr
                ));
            }
            sent.insert(r.command.to_owned());
            covered.insert(format!("{:?}", r.who.case()));
        }
    }
    assert!(wrong.is_empty(), "{} cells differ from the grant table:\n{}", wrong.len(), wrong.join("\n"));

    // The gate: every command with --as is in the matrix or excused, and every use
    // case is covered or given to the operator only.
    let mut gaps = Vec::new();
    for command in commands_with_as(&acme) {
        let excused = NOT_ROLE_CHECKED.iter().any(|(c, _)| *c == command);
        if !sent.contains(&command) && !excused {
            gaps.push(format!("`isms {command}` takes --as but has no rows"));
        }
    }
    for case in U::ALL {
        let name = format!("{case:?}");
        if !covered.contains(&name) && !OPERATOR_ONLY.iter().any(|(u, _)| *u == case) {
            gaps.push(format!("use case {name} has no command-line rows"));
        }
    }
    assert!(gaps.is_empty(), "the command-line matrix is incomplete:\n{}", gaps.join("\n"));
}
