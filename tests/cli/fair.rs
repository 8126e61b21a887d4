//! `isms fair run` on scenario files.

use crate::support::Sandbox;

const FILE: &str = r#"{"format": "isms-bench/fair-workload/1", "generator": "test", "workload_seed": 1, "pert_lambda": 4,
 "units": ["tef", "vuln", "pl", "slef", "slem"],
 "single": {"iterations": 20000, "sim_seed": 1, "scenario": {"id": "A", "tef": {"low": 0.5, "mode": 2.0, "high": 8.0}, "vuln": {"low": 0.2, "mode": 0.45, "high": 0.8}, "pl": {"low": 50000.0, "mode": 250000.0, "high": 2000000.0}, "slef": {"low": 0.1, "mode": 0.3, "high": 0.7}, "slem": {"low": 100000.0, "mode": 500000.0, "high": 10000000.0}, "analytic_mean_ale": 1515046.296}},
 "portfolio": {"iterations": 5000, "sim_seed": 2, "named": ["P1"], "analytic_mean_aggregate_ale": 0, "scenarios": [
   {"id": "P1", "tef": {"low": 1, "mode": 2, "high": 4}, "vuln": {"low": 0.1, "mode": 0.2, "high": 0.5}, "pl": {"low": 1000, "mode": 5000, "high": 20000}, "slef": {"low": 0, "mode": 0.1, "high": 0.3}, "slem": {"low": 100, "mode": 1000, "high": 9000}},
   {"id": "P2", "tef": {"low": 0.1, "mode": 0.2, "high": 1}, "vuln": {"low": 0.5, "mode": 0.6, "high": 0.9}, "pl": {"low": 10000, "mode": 20000, "high": 90000}, "slef": {"low": 0.2, "mode": 0.2, "high": 0.2}, "slem": {"low": 5000, "mode": 5000, "high": 5000}},
   {"id": "P3", "tef": {"low": 3, "mode": 5, "high": 12}, "vuln": {"low": 0.01, "mode": 0.05, "high": 0.1}, "pl": {"low": 500, "mode": 900, "high": 3000}, "slef": {"low": 0.5, "mode": 0.6, "high": 0.9}, "slem": {"low": 800, "mode": 2000, "high": 8000}}]}}"#;

#[test]
fn the_same_seed_gives_identical_output_with_one_thread_and_two() {
    let s = Sandbox::new();
    let file = s.path().join("w.json");
    std::fs::write(&file, FILE).unwrap();
    let f = file.to_str().unwrap();
    let one = s.run(&["--json", "fair", "run", f, "--threads", "1"]);
    let two = s.run(&["--json", "fair", "run", f, "--threads", "2"]);
    assert_eq!(one.code, 0, "{one:?}");
    assert_eq!(one.stdout, two.stdout);
    let doc: serde_json::Value = serde_json::from_str(&one.stdout).unwrap();
    for id in ["A", "P1", "P2", "P3", "aggregate"] {
        for key in ["mean", "sd", "p5", "p10", "p50", "p90", "p95", "p99", "p_any_loss"] {
            assert!(doc[id][key].is_number(), "{id}.{key} missing: {doc}");
        }
    }
    let mean = doc["A"]["mean"].as_f64().unwrap();
    assert!((mean / 1_515_046.296 - 1.0).abs() < 0.05, "{mean}");
    assert_eq!(doc["settings"]["portfolio"]["seed"], 2);
    assert_eq!(doc["settings"]["single"]["pert"], "vose");
    let other_seed = s.run(&["--json", "fair", "run", f, "--seed", "99"]);
    assert_ne!(other_seed.stdout, one.stdout);
    let classic = s.run(&["--json", "fair", "run", f, "--pert", "classic", "--secondary", "bernoulli", "--poisson"]);
    let doc: serde_json::Value = serde_json::from_str(&classic.stdout).unwrap();
    assert_eq!(doc["settings"]["single"]["pert"], "classic");
    assert_eq!(doc["settings"]["single"]["poisson"], true);
}

#[test]
fn a_bad_estimate_is_refused_naming_the_scenario_and_field() {
    let s = Sandbox::new();
    let file = s.path().join("bad.json");
    std::fs::write(
        &file,
        FILE.replace(
            r#""vuln": {"low": 0.5, "mode": 0.6, "high": 0.9}"#,
            r#""vuln": {"low": 0.5, "mode": 0.6, "high": 1.9}"#,
        ),
    )
    .unwrap();
    let run = s.run(&["fair", "run", file.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("scenario P2, vuln: high (1.9) is above 1, but this is a probability (0–1)"),
        "{}",
        run.stderr
    );
    let missing = s.run(&["fair", "run", file.to_str().unwrap(), "--section", "monthly"]);
    assert_eq!(missing.code, 2);
}

#[test]
fn a_risk_with_estimates_is_simulated_stored_and_drawn_against_the_appetite() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        let mut all = vec!["--data-dir", d.as_str()];
        all.extend_from_slice(args);
        s.run(&all)
    };
    assert_eq!(run(&["init", "--org", "Acme", "--admin-email", "ciso@acme.test"]).code, 0);
    assert_eq!(
        run(&[
            "risk",
            "add",
            "--org",
            "Acme",
            "--title",
            "Ransomware",
            "--owner",
            "ciso@acme.test",
            "--inherent",
            "4,5"
        ])
        .code,
        0
    );
    let bad = run(&[
        "risk",
        "estimate",
        "RSK-001",
        "--org",
        "Acme",
        "--tef",
        "0.5,2,8",
        "--vuln",
        "0.2,0.45,1.8",
        "--pl",
        "50000,250000,2000000",
    ]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("scenario RSK-001, vuln: high (1.8) is above 1"), "{}", bad.stderr);
    let ok = run(&[
        "risk",
        "estimate",
        "RSK-001",
        "--org",
        "Acme",
        "--tef",
        "0.5,2,8",
        "--vuln",
        "0.2,0.45,0.8",
        "--pl",
        "50000,250000,2000000",
        "--slef",
        "0.1,0.3,0.7",
        "--slem",
        "100000,500000,10000000",
    ]);
    assert_eq!(ok.code, 0, "{ok:?}");
    assert_eq!(run(&["risk", "appetite", "--org", "Acme", "--point", "1000000:0.5", "--point", "5000000:0.1"]).code, 0);
    let curve = s.path().join("lec.svg");
    let csv = s.path().join("results.csv");
    let sim = run(&[
        "--json",
        "risk",
        "simulate",
        "--org",
        "Acme",
        "--risk",
        "RSK-001",
        "--iterations",
        "20000",
        "--seed",
        "7",
        "--curve",
        curve.to_str().unwrap(),
        "--export",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(sim.code, 0, "{sim:?}");
    let doc: serde_json::Value = serde_json::from_str(&sim.stdout).unwrap();
    let mean = doc["risks"][0]["summary"]["mean"].as_f64().unwrap();
    assert!((mean / 1_515_046.296 - 1.0).abs() < 0.05, "{mean}");
    assert_eq!(doc["risks"][0]["settings"]["seed"], 7);
    let again: serde_json::Value = serde_json::from_str(
        &run(&[
            "--json",
            "risk",
            "simulate",
            "--org",
            "Acme",
            "--risk",
            "RSK-001",
            "--iterations",
            "20000",
            "--seed",
            "7",
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(again["risks"][0]["summary"], doc["risks"][0]["summary"]);
    let svg = std::fs::read_to_string(&curve).unwrap();
    assert!(svg.contains("class=\"appetite\"") && svg.contains("class=\"curve\""));
    assert!(svg.contains("data-above-appetite=\"true\""), "this risk exceeds the appetite somewhere");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("id,mean,sd,min,max,p5,p10,p50,p90,p95,p99,p_any_loss,iterations,seed,pert,secondary,poisson")
    );
    assert!(text.lines().nth(1).unwrap().starts_with("RSK-001,"));
}

/// The example files the README points to run as documented.
#[test]
fn the_example_scenario_files_run() {
    let s = Sandbox::new();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fair");
    let mut ran = 0;
    for entry in std::fs::read_dir(&examples).unwrap() {
        let path = entry.unwrap().path();
        let run = s.run(&["--json", "fair", "run", path.to_str().unwrap(), "--iterations", "2000"]);
        assert_eq!(run.code, 0, "{}: {run:?}", path.display());
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert!(doc.as_object().is_some_and(|o| !o.is_empty()), "{doc}");
        ran += 1;
    }
    assert_eq!(ran, 2, "both examples in {}", examples.display());
}
