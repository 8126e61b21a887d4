//! `isms gap-analysis`: the gaps per clause and control with owner and effort, the
//! roadmap that refuses an impossible plan, and the exports read back by real readers
//! (calamine for the workbook, an XML parser for the SVG; the browser suite loads the
//! SVG as an image).

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use crate::support::{ApiClient, Sandbox};

const ORG: &str = "Acme Cloud";

fn json(s: &Sandbox, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--json", "gap-analysis", "--org", ORG];
    all.extend_from_slice(args);
    let run = s.isms(&all);
    (run.code, serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:?}")))
}

#[tokio::test]
async fn the_gap_analysis_lists_each_gap_with_owner_and_effort_and_the_roadmap_refuses_an_impossible_plan() {
    let s = Sandbox::new();
    let password = s.init_org(ORG, "ciso@acme.test");
    // Where a new organization stands: every clause and control is a gap.
    let (code, g) = json(&s, &[]);
    assert_eq!(code, 0, "with no target the earliest workable plan is shown: {g}");
    let rows = g["rows"].as_array().unwrap();
    assert_eq!(rows.iter().filter(|r| r["kind"] == "control").count(), 93);
    assert!(rows.iter().any(|r| r["reference"] == "4.3" && r["gap"] == "full"), "no scope yet");
    let before_effort = g["effort_days"].as_f64().unwrap();
    assert!(before_effort > 100.0, "{before_effort}");
    let milestones: Vec<&str> =
        g["roadmap"]["milestones"].as_array().unwrap().iter().map(|m| m["milestone"].as_str().unwrap()).collect();
    assert_eq!(
        milestones,
        [
            "scope",
            "risk_assessment",
            "risk_treatment",
            "policies",
            "operate_controls",
            "internal_audit",
            "management_review",
            "stage1",
            "stage2"
        ]
    );

    // Work changes the gaps: a scope, and a control implemented with an owner.
    let scope = s.isms(&["scope", "set", "--org", ORG, "--statement", "Acme's SaaS platform"]);
    assert_eq!(scope.code, 0, "{scope:?}");
    let set = s.isms(&[
        "control",
        "set",
        "A.8.13",
        "--org",
        ORG,
        "--status",
        "partially_implemented",
        "--owner",
        "ciso@acme.test",
    ]);
    assert_eq!(set.code, 0, "{set:?}");
    let (_, g) = json(&s, &[]);
    let row =
        |reference: &str| g["rows"].as_array().unwrap().iter().find(|r| r["reference"] == reference).unwrap().clone();
    assert_eq!(row("4.3")["gap"], "none");
    assert_eq!(row("A.8.13")["gap"], "partial");
    assert_eq!(row("A.8.13")["owner"], "Administrator");
    assert_eq!(row("A.8.13")["effort_days"], 2.5, "half of a technological control's five days");
    assert!(g["effort_days"].as_f64().unwrap() < before_effort);
    assert_eq!(g["roadmap"]["milestones"][0]["source"], "done", "the scope is done in the records");
    let earliest = g["roadmap"]["earliest_stage2"].as_str().unwrap().to_owned();

    // A target before the earliest workable date: refused, naming the date.
    let soon = s.isms(&["gap-analysis", "--org", ORG, "--target", "2027-01-15"]);
    assert_eq!(soon.code, 1, "{soon:?}");
    assert!(soon.stdout.contains("CANNOT WORK: Stage 2 cannot start by 2027-01-15"), "{}", soon.stdout);
    assert!(soon.stderr.contains("the roadmap cannot work as planned"), "{}", soon.stderr);
    // A plan with the Stage 1 before the internal audit: refused, naming both.
    let plan = s.path().join("plan.toml");
    std::fs::write(
        &plan,
        "target = 2028-03-01\n\n[milestones.internal_audit]\nstart = 2027-12-01\nend = 2027-12-10\n\n\
         [milestones.stage1]\nstart = 2027-11-15\nend = 2027-11-16\n",
    )
    .unwrap();
    let wrong = s.isms(&["gap-analysis", "--org", ORG, "--plan", plan.to_str().unwrap()]);
    assert_eq!(wrong.code, 1, "{wrong:?}");
    assert!(
        wrong.stdout.contains("Stage 1 audit (2027-11-15) is planned before internal audit ends (2027-12-10)"),
        "{}",
        wrong.stdout
    );
    // The same plan in the right order works; the workbook, the Markdown and the SVG
    // are written for management.
    std::fs::write(
        &plan,
        "target = 2028-03-01\nmin_operating_days = 120\n\n[milestones.internal_audit]\nstart = 2027-11-01\nend = 2027-11-10\n\n\
         [milestones.stage1]\nstart = 2028-01-10\nend = 2028-01-11\n",
    )
    .unwrap();
    let (xlsx, md, svg) = (s.path().join("gap.xlsx"), s.path().join("gap.md"), s.path().join("roadmap.svg"));
    let ok = s.isms(&[
        "gap-analysis",
        "--org",
        ORG,
        "--plan",
        plan.to_str().unwrap(),
        "-o",
        xlsx.to_str().unwrap(),
        "--roadmap",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(ok.code, 0, "{ok:?}");
    assert!(ok.stdout.contains("2028-01-10 2028-01-11 Stage 1 audit"), "{}", ok.stdout);
    assert!(ok.stdout.contains("2028-03-01 2028-03-03 Stage 2 audit"), "{}", ok.stdout);
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(book.sheet_names(), ["Gap analysis", "Roadmap"]);
    let gaps = book.worksheet_range("Gap analysis").unwrap();
    let a813 = gaps.rows().find(|r| r.first() == Some(&Data::String("A.8.13".into()))).expect("A.8.13 in the workbook");
    assert_eq!(a813[5], Data::String("partial".into()));
    assert_eq!(a813[6], Data::String("Administrator".into()));
    let roadmap = book.worksheet_range("Roadmap").unwrap();
    assert!(roadmap.rows().any(|r| r.first() == Some(&Data::String("Stage 1 audit".into()))
        && r.get(4) == Some(&Data::String("set in the plan".into()))));
    let md_run = s.isms(&["gap-analysis", "--org", ORG, "--plan", plan.to_str().unwrap(), "-o", md.to_str().unwrap()]);
    assert_eq!(md_run.code, 0, "{md_run:?}");
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# Gap analysis") && text.contains("# Roadmap"), "{text}");
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&svg_text).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let bars = doc.descendants().filter(|n| n.has_tag_name("g") && n.attribute("data-milestone").is_some()).count();
    assert_eq!(bars, 9, "one bar per milestone");

    // Bad plans say where and what.
    std::fs::write(&plan, "target = 2028-03-01\n[milestones.stage3]\nstart = 2027-01-01\nend = 2027-01-02\n").unwrap();
    let bad = s.isms(&["gap-analysis", "--org", ORG, "--plan", plan.to_str().unwrap()]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("\"stage3\" is not a milestone"), "{}", bad.stderr);
    std::fs::write(&plan, "target = 2028-03-01\nmin_operating_days = \n").unwrap();
    let broken = s.isms(&["gap-analysis", "--org", ORG, "--plan", plan.to_str().unwrap()]);
    assert_eq!(broken.code, 2, "{broken:?}");
    assert!(broken.stderr.contains("plan.toml, line 2"), "{}", broken.stderr);

    // The API: the same analysis, a plan posted, the SVG as an image; the page embeds it.
    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[]);
    let api = ApiClient::sign_in(&server.url(""), "ciso@acme.test", &password).await;
    let got = api.must(reqwest::Method::GET, "/api/v1/gap-analysis", None, 200).await;
    assert_eq!(got["roadmap"]["earliest_stage2"], earliest);
    let posted = api
        .must(
            reqwest::Method::POST,
            "/api/v1/gap-analysis/plan",
            Some(serde_json::json!({ "target": "2027-09-01",
                "milestones": { "stage1": { "start": "2027-05-01", "end": "2027-05-02" },
                                "internal_audit": { "start": "2027-06-01", "end": "2027-06-05" } } })),
            200,
        )
        .await;
    assert_eq!(posted["roadmap"]["workable"], false, "{posted}");
    let (code, body) = api
        .post(
            "/api/v1/gap-analysis/plan",
            serde_json::json!({ "milestones": { "stage9": { "start": "2027-05-01", "end": "2027-05-02" } } }),
        )
        .await;
    assert_eq!(code.as_u16(), 422, "{body}");
    let (code, _) = api.get("/api/v1/gap-analysis?target=soon").await;
    assert_eq!(code.as_u16(), 422);
    let svg = api
        .http
        .get(server.url("/api/v1/gap-analysis/export?format=svg"))
        .header("cookie", &api.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    roxmltree::Document::parse(&svg.text().await.unwrap()).expect("well-formed");
    let page =
        api.http.get(server.url("/gap-analysis?target=2028-03-01")).header("cookie", &api.cookie).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("src=\"/gap-analysis/roadmap.svg?target=2028-03-01\""), "{html}");
    assert!(html.contains("data-ref=\"A.8.13\""));
}
