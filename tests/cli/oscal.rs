//! `isms oscal export`: the documents validate against the official OSCAL 1.1.3 JSON
//! schema (vendored in testdata/oscal), carry stable identifiers, and say what the
//! records say.

use serde_json::Value;

use crate::support::Sandbox;

const ORG: &str = "Cedar Ridge Health Cloud, Inc.";

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/oscal/v1.1.3/oscal_complete_schema-1-1-3.json"
    ))
    .unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options().with_draft(jsonschema::Draft::Draft7).build(&schema).unwrap()
}

fn export(s: &Sandbox, args: &[&str]) -> Value {
    let mut all = vec!["oscal", "export"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--org", ORG]);
    let run = s.isms(&all);
    assert_eq!(run.code, 0, "{args:?}: {run:?}");
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn problems(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).take(5).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

fn all_controls(v: &Value, out: &mut Vec<Value>) {
    for key in ["groups", "controls"] {
        for child in v[key].as_array().into_iter().flatten() {
            if key == "controls" {
                out.push(child.clone());
            }
            all_controls(child, out);
        }
    }
}

#[tokio::test]
async fn every_framework_exports_as_a_valid_oscal_catalog_and_the_soa_as_a_profile_with_stable_ids() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let v = validator();
    let list = s.isms(&["--json", "framework", "list"]);
    let frameworks: Vec<String> = serde_json::from_str::<Value>(&list.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(frameworks.len() >= 10, "{frameworks:?}");
    for id in &frameworks {
        let doc = export(&s, &["catalog", "--framework", id]);
        let found = problems(&v, &doc);
        assert!(found.is_empty(), "{id}: {found:?}");
    }
    // ISO/IEC 27001: identifiers, short titles, attributes and our guidance; never the
    // standard's text. Ids are tokens, the label is what people read.
    let iso = export(&s, &["catalog"]);
    let mut controls = Vec::new();
    all_controls(&iso["catalog"], &mut controls);
    let a515 = controls.iter().find(|c| c["id"] == "a.5.15").expect("A.5.15 as a.5.15");
    assert!(a515["props"].as_array().unwrap().iter().any(|p| p["name"] == "label" && p["value"] == "A.5.15"));
    assert!(a515["props"].as_array().unwrap().iter().any(|p| p["ns"] == "https://isms.invalid/ns/oscal"));
    assert!(controls.iter().all(|c| c["parts"].as_array().into_iter().flatten().all(|p| p["name"] != "statement")));
    assert_eq!(controls.iter().filter(|c| c["class"] == "control").count(), 93);
    assert!(controls.iter().any(|c| c["id"] == "c4.1"), "a clause's id starts with a letter");
    // The check can fail: an id with a digit first, or a missing uuid, is refused.
    let mut broken = iso.clone();
    broken["catalog"]["groups"][0]["controls"][0]["id"] = Value::from("4.1");
    assert!(!problems(&v, &broken).is_empty(), "a control id must be a token");
    let mut broken = iso.clone();
    broken["catalog"].as_object_mut().unwrap().remove("uuid");
    assert!(!problems(&v, &broken).is_empty(), "a catalog has a uuid");
    // The profile selects the applicable controls of the approved SoA.
    let profile = export(&s, &["profile"]);
    let found = problems(&v, &profile);
    assert!(found.is_empty(), "profile: {found:?}");
    let soa: Value =
        serde_json::from_str(&s.isms(&["--json", "soa", "show", "--version", "latest", "--org", ORG]).stdout).unwrap();
    let applicable = soa["rows"].as_array().unwrap().iter().filter(|r| r["applicable"] == true).count();
    let with = profile["profile"]["imports"][0]["include-controls"][0]["with-ids"].as_array().unwrap();
    assert_eq!(with.len(), applicable);
    // Stable identifiers: the same state exports the same document apart from
    // last-modified.
    let again = export(&s, &["profile"]);
    let strip = |mut d: Value| {
        let root = d.as_object_mut().unwrap().values_mut().next().unwrap();
        root["metadata"].as_object_mut().unwrap().remove("last-modified");
        d
    };
    assert_eq!(strip(profile), strip(again));
    assert_eq!(strip(iso), strip(export(&s, &["catalog"])));
    // The SSP: one implemented requirement per Annex A control, with the SoA's status
    // and justification, and the evidence with the blob store's hashes.
    let ssp = export(&s, &["ssp"]);
    let found = problems(&v, &ssp);
    assert!(found.is_empty(), "ssp: {found:?}");
    let plan = &ssp["system-security-plan"];
    let reqs = plan["control-implementation"]["implemented-requirements"].as_array().unwrap();
    assert_eq!(reqs.len(), 93);
    let rows = soa["rows"].as_array().unwrap();
    let label = |r: &Value| {
        r["props"].as_array().unwrap().iter().find(|p| p["name"] == "label").unwrap()["value"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let evidence: Value = serde_json::from_str(&s.isms(&["--json", "evidence", "list", "--org", ORG]).stdout).unwrap();
    let resources = plan["back-matter"]["resources"].as_array().unwrap();
    let mut hashes_checked = 0;
    for row in rows {
        let control = row["control"].as_str().unwrap();
        let req = reqs.iter().find(|r| label(r) == control).unwrap_or_else(|| panic!("{control} in the SSP"));
        let status = &req["by-components"][0]["implementation-status"];
        let want = match (row["applicable"].as_bool().unwrap(), row["status"].as_str().unwrap()) {
            (false, _) | (_, "not_applicable") => "not-applicable",
            (true, "implemented") => "implemented",
            (true, "partially_implemented") => "partial",
            _ => "planned",
        };
        assert_eq!(status["state"], want, "{control}");
        if want == "not-applicable" {
            assert_eq!(req["remarks"], row["justification"], "{control}");
        }
        for link in req["links"].as_array().into_iter().flatten() {
            let uuid = link["href"].as_str().unwrap().trim_start_matches('#');
            let res = resources.iter().find(|r| r["uuid"] == uuid).expect("the linked resource");
            let id = res["props"][0]["value"].as_str().unwrap();
            let item = evidence.as_array().unwrap().iter().find(|e| e["id"] == id).unwrap();
            if let Some(sha) = item["content"]["sha256"].as_str() {
                assert_eq!(res["rlinks"][0]["hashes"][0]["value"], sha, "{id}");
                hashes_checked += 1;
            }
        }
    }
    assert!(hashes_checked > 0, "the demo's evidence files are in the SSP with their hashes");
    assert_eq!(strip(ssp), strip(export(&s, &["ssp"])));
    // The same ISMS presented against SP 800-171: all 110 requirements, each drawn from
    // the Annex A controls it maps to, or planned with the reason.
    let p171 = export(&s, &["profile", "--framework", "nist-800-171r2"]);
    assert!(problems(&v, &p171).is_empty(), "{:?}", problems(&v, &p171));
    assert_eq!(p171["profile"]["imports"][0]["include-controls"][0]["with-ids"].as_array().unwrap().len(), 110);
    let s171 = export(&s, &["ssp", "--framework", "nist-800-171r2"]);
    assert!(problems(&v, &s171).is_empty(), "{:?}", problems(&v, &s171));
    let reqs = s171["system-security-plan"]["control-implementation"]["implemented-requirements"].as_array().unwrap();
    assert_eq!(reqs.len(), 110);
    let mut states = std::collections::BTreeMap::new();
    for r in reqs {
        let state = r["by-components"][0]["implementation-status"]["state"].as_str().unwrap().to_owned();
        let drawn = r["props"].as_array().unwrap().iter().filter(|p| p["name"] == "drawn-from").count();
        assert!(state == "planned" || drawn > 0, "{r}");
        if state == "planned" {
            assert!(r["by-components"][0]["implementation-status"]["remarks"].as_str().is_some(), "{r}");
        }
        *states.entry(state).or_insert(0) += 1;
    }
    assert!(states.get("implemented").copied().unwrap_or(0) > 0, "{states:?}");
    assert_eq!(s171["system-security-plan"]["import-profile"]["href"], "nist-800-171r2.oscal-profile.json");
    // The POA&M: every open nonconformity's corrective action and every open risk
    // treatment action, once each.
    let poam = export(&s, &["poam"]);
    assert!(problems(&v, &poam).is_empty(), "{:?}", problems(&v, &poam));
    let items = poam["plan-of-action-and-milestones"]["poam-items"].as_array().unwrap();
    let findings: Value = serde_json::from_str(&s.isms(&["--json", "finding", "list", "--org", ORG]).stdout).unwrap();
    let open_ncs: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| ["major", "minor"].contains(&f["grade"].as_str().unwrap()) && f["status"] != "closed")
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(!open_ncs.is_empty(), "the demo has open nonconformities");
    let label = |i: &Value| i["props"][0]["value"].as_str().unwrap().to_owned();
    for id in &open_ncs {
        assert!(items.iter().any(|i| label(i) == *id), "{id} in the POA&M");
    }
    let plan: Value = serde_json::from_str(&s.isms(&["--json", "risk", "plan", "--org", ORG]).stdout).unwrap();
    let open_actions = plan.as_array().unwrap().iter().filter(|p| p["action"]["status"] != "done").count();
    assert_eq!(items.len(), open_ncs.len() + open_actions);
    assert_eq!(strip(poam), strip(export(&s, &["poam"])));
    let nothing = s.isms(&["oscal", "export", "poam", "--org", "Bluefin Payments LLC"]);
    assert_eq!(nothing.code, 2, "an OSCAL POA&M needs an item: {nothing:?}");
    assert!(nothing.stderr.contains("nothing is open"), "{}", nothing.stderr);
    // The API answers the same document.
    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[]);
    let api =
        crate::support::ApiClient::sign_in(&server.url(""), "dana.whitfield@cedarridge.example", "isms-demo").await;
    let got = api.must(reqwest::Method::GET, "/api/v1/oscal/ssp", None, 200).await;
    assert_eq!(strip(got), strip(export(&s, &["ssp"])));
    let (code, _) = api.get("/api/v1/oscal/poam-9").await;
    assert_eq!(code.as_u16(), 422);
    let (code, _) = api.get("/api/v1/oscal/catalog?framework=nist-999").await;
    assert_eq!(code.as_u16(), 404);
    // The SoA and findings pages offer the downloads.
    let page = |path: &'static str| {
        let (api, url) = (&api, server.url(path));
        async move { api.http.get(url).header("cookie", &api.cookie).send().await.unwrap().text().await.unwrap() }
    };
    assert!(page("/soa").await.contains("href=\"/api/v1/oscal/ssp\""));
    assert!(page("/findings").await.contains("href=\"/api/v1/oscal/poam\""));
    // Refusals say what is wrong.
    let bad = s.isms(&["oscal", "export", "ssp-2", "--org", ORG]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("\"ssp-2\" is not an OSCAL export"), "{}", bad.stderr);
    let unknown = s.isms(&["oscal", "export", "catalog", "--framework", "nist-999", "--org", ORG]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("there is no framework nist-999"), "{}", unknown.stderr);
}

#[tokio::test]
async fn an_audit_exports_as_an_assessment_plan_and_its_results_with_observations_and_graded_findings() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let v = validator();
    let audit: Value =
        serde_json::from_str(&s.isms(&["--json", "audit", "show", "AUD-003", "--org", ORG]).stdout).unwrap();
    let audit = audit.get("audit").unwrap_or(&audit).clone();
    let checklist = audit["checklist"].as_array().unwrap();
    assert!(!checklist.is_empty());
    // The plan: scope, criteria, days and every checklist line as a reviewed control;
    // the ISMS's component as the subject.
    let ap = export(&s, &["assessment-plan", "--audit", "AUD-003"]);
    assert!(problems(&v, &ap).is_empty(), "{:?}", problems(&v, &ap));
    let plan = &ap["assessment-plan"];
    assert_eq!(plan["import-ssp"]["href"], "isms-ssp.oscal.json");
    let reviewed = plan["reviewed-controls"]["control-selections"][0]["include-controls"].as_array().unwrap();
    assert_eq!(reviewed.len(), checklist.len(), "one reviewed control per checklist line");
    for line in checklist {
        let reference = line["reference"].as_str().unwrap().to_lowercase();
        assert!(
            reviewed.iter().any(|c| c["control-id"].as_str().unwrap().trim_start_matches('c') == reference),
            "{reference} reviewed"
        );
    }
    let prose: Vec<&str> = plan["terms-and-conditions"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["prose"].as_str().unwrap())
        .collect();
    assert!(prose.contains(&audit["scope"].as_str().unwrap()), "{prose:?}");
    let timing = &plan["tasks"][0]["timing"]["within-date-range"];
    assert_eq!(timing["start"], format!("{}T00:00:00Z", audit["start"].as_str().unwrap()));
    assert_eq!(timing["end"], format!("{}T23:59:59Z", audit["end"].as_str().unwrap()));
    let ssp = export(&s, &["ssp"]);
    let this_system = ssp["system-security-plan"]["system-implementation"]["components"][0]["uuid"].clone();
    assert_eq!(plan["assessment-subjects"][0]["include-subjects"][0]["subject-uuid"], this_system);
    let parties = plan["metadata"]["parties"].as_array().unwrap();
    assert!(parties.iter().any(|p| p["name"] == audit["certification_body"]), "{parties:?}");
    // The results: each audited line an observation, each finding of the audit a
    // finding with its grade; nonconformities are not satisfied.
    let ar = export(&s, &["assessment-results", "--audit", "AUD-003"]);
    assert!(problems(&v, &ar).is_empty(), "{:?}", problems(&v, &ar));
    let results = &ar["assessment-results"];
    assert_eq!(results["import-ap"]["href"], "AUD-003.oscal-assessment-plan.json");
    let result = &results["results"][0];
    let audited =
        checklist.iter().filter(|l| ["conforming", "finding"].contains(&l["result"].as_str().unwrap())).count();
    let observations = result["observations"].as_array().unwrap();
    assert_eq!(observations.len(), audited);
    for o in observations {
        let reference = o["props"][0]["value"].as_str().unwrap();
        let line = checklist.iter().find(|l| l["reference"] == reference).unwrap();
        if !line["notes"].as_str().unwrap().is_empty() {
            assert_eq!(o["description"], line["notes"], "{reference}");
        }
    }
    let findings: Value = serde_json::from_str(&s.isms(&["--json", "finding", "list", "--org", ORG]).stdout).unwrap();
    let ours: Vec<&Value> = findings.as_array().unwrap().iter().filter(|f| f["audit"] == "AUD-003").collect();
    assert!(!ours.is_empty(), "the demo's Stage 2 raised findings");
    let got = result["findings"].as_array().unwrap();
    assert_eq!(got.len(), ours.len());
    for f in ours {
        let id = f["id"].as_str().unwrap();
        let g = got.iter().find(|g| g["props"][0]["value"] == id).unwrap_or_else(|| panic!("{id}"));
        let grade = g["props"].as_array().unwrap().iter().find(|p| p["name"] == "grade").unwrap();
        let nc = ["major", "minor"].contains(&f["grade"].as_str().unwrap());
        assert_eq!(grade["value"], format!("{} nonconformity", f["grade"].as_str().unwrap()), "{id}");
        assert_eq!(g["target"]["status"]["state"], if nc { "not-satisfied" } else { "satisfied" }, "{id}");
        assert_eq!(g["target"]["title"], f["requirement"], "{id}");
        assert_eq!(g["description"], f["description"], "{id}");
        if let Some(related) = g["related-observations"].as_array() {
            let uuid = &related[0]["observation-uuid"];
            assert!(observations.iter().any(|o| o["uuid"] == *uuid), "{id}: its observation is in the results");
        }
    }
    assert_eq!(
        result["remarks"].as_str().unwrap().lines().next().unwrap(),
        format!("Conclusion: {}", audit["conclusion"].as_str().unwrap())
    );
    // Stable: the same audit exports the same documents apart from last-modified.
    let strip = |mut d: Value| {
        let root = d.as_object_mut().unwrap().values_mut().next().unwrap();
        root["metadata"].as_object_mut().unwrap().remove("last-modified");
        d
    };
    assert_eq!(strip(ar.clone()), strip(export(&s, &["assessment-results", "--audit", "AUD-003"])));
    // A planned audit has a plan and results that say nothing is audited yet.
    let planned = export(&s, &["assessment-results", "--audit", "AUD-005"]);
    assert!(problems(&v, &planned).is_empty(), "{:?}", problems(&v, &planned));
    assert!(planned["assessment-results"]["results"][0]["observations"].is_null());
    assert!(planned["assessment-results"]["results"][0]["remarks"].as_str().unwrap().starts_with("Not audited (yet)"));
    // Refusals: no audit named, an unknown audit, another framework, an audit on a
    // model that is not of one.
    let none = s.isms(&["oscal", "export", "assessment-plan", "--org", ORG]);
    assert_eq!(none.code, 2, "{none:?}");
    assert!(none.stderr.contains("--audit AUD-001"), "{}", none.stderr);
    let unknown = s.isms(&["oscal", "export", "assessment-results", "--audit", "AUD-099", "--org", ORG]);
    assert_ne!(unknown.code, 0);
    assert!(unknown.stderr.contains("AUD-099"), "{}", unknown.stderr);
    let other = s.isms(&[
        "oscal",
        "export",
        "assessment-plan",
        "--audit",
        "AUD-003",
        "--framework",
        "nist-800-53r5",
        "--org",
        ORG,
    ]);
    assert_eq!(other.code, 2, "{other:?}");
    let stray = s.isms(&["oscal", "export", "ssp", "--audit", "AUD-003", "--org", ORG]);
    assert_eq!(stray.code, 2, "{stray:?}");
    // The API and the audit page: the same documents, under the audit's file names;
    // another organization's audit is not found.
    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[]);
    let api =
        crate::support::ApiClient::sign_in(&server.url(""), "dana.whitfield@cedarridge.example", "isms-demo").await;
    let res = api
        .http
        .get(server.url("/api/v1/oscal/assessment-plan?audit=AUD-003"))
        .header("cookie", &api.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("AUD-003.oscal-assessment-plan.json"), "{disposition}");
    assert_eq!(strip(res.json::<Value>().await.unwrap()), strip(ap));
    let (code, _) = api.get("/api/v1/oscal/assessment-results").await;
    assert_eq!(code.as_u16(), 422, "no audit named");
    let bluefin = crate::support::ApiClient::sign_in(&server.url(""), "ana.souza@bluefin.example", "isms-demo").await;
    let (code, _) = bluefin.get("/api/v1/oscal/assessment-results?audit=AUD-003").await;
    assert_eq!(code.as_u16(), 404, "Bluefin has no AUD-003; Cedar Ridge's is not theirs to read");
    let page = api.http.get(server.url("/audits/AUD-003")).header("cookie", &api.cookie).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("href=\"/api/v1/oscal/assessment-plan?audit=AUD-003\""), "the audit page offers the plan");
    assert!(page.contains("href=\"/api/v1/oscal/assessment-results?audit=AUD-003\""));
}

fn example_component_definition() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/oscal/examples/example-component-definition.json")
}

fn proposal_count(s: &Sandbox) -> usize {
    let run = s.isms(&["--json", "control", "proposals", "--org", ORG]);
    assert_eq!(run.code, 0, "{run:?}");
    serde_json::from_str::<Value>(&run.stdout).unwrap().as_array().unwrap().len()
}

#[tokio::test]
async fn a_component_definition_proposes_statements_through_the_crosswalk_that_owners_accept_or_reject() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let example = example_component_definition();
    let file = example.to_str().unwrap();
    // NIST's example (MongoDB, SP 800-53 Rev 5 SC-8, SC-8(1), SA-4(9)): its source is a
    // back-matter resource naming the SP 800-53 moderate baseline, and its statements
    // reach Annex A controls through the crosswalk.
    let run = s.isms(&["--json", "oscal", "import", "component-definition", file, "--org", ORG]);
    assert_eq!(run.code, 0, "{run:?}");
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["requirements"], 3);
    let proposed = report["proposed"].as_array().unwrap();
    assert!(!proposed.is_empty(), "{report}");
    let sha = {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(std::fs::read(&example).unwrap());
        digest.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    for p in proposed {
        assert!(p["control"].as_str().unwrap().starts_with("A."), "{p}");
        assert_eq!(p["status"], "proposed");
        assert_eq!(p["component"], "MongoDB");
        assert_eq!(p["sha256"], sha.as_str());
        assert!(p["from"].as_array().unwrap().iter().all(|f| f["framework"] == "nist-800-53r5"), "{p}");
        assert!(p["statement"].as_str().unwrap().contains("TLS"), "the vendor's words: {p}");
    }
    // The controls of the crosswalk, no more and no fewer: SC-8's Annex A controls.
    let sc8: Value =
        serde_json::from_str(&s.isms(&["--json", "crosswalk", "nist-800-53r5:SC-8", "--to", "iso27001-2022"]).stdout)
            .unwrap();
    let mut want: Vec<&str> = sc8["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["target"]["item"].as_str())
        .filter(|i| i.starts_with("A."))
        .collect();
    want.sort_unstable();
    want.dedup();
    let mut got: Vec<&str> = proposed.iter().map(|p| p["control"].as_str().unwrap()).collect();
    got.sort_unstable();
    assert_eq!(got, want, "SC-8's Annex A controls; SC-8(1) and SA-4(9) reach none");
    assert_eq!(report["unreached"].as_array().unwrap().len(), 2, "{report}");
    let made = proposed.len();
    // Importing the same file again proposes nothing new.
    let again: Value = serde_json::from_str(
        &s.isms(&["--json", "oscal", "import", "component-definition", file, "--org", ORG]).stdout,
    )
    .unwrap();
    assert_eq!(again["proposed"].as_array().unwrap().len(), 0);
    assert_eq!(again["unchanged"], made);
    assert_eq!(proposal_count(&s), made);

    // Bad input is refused naming the file and the element, and nothing is stored.
    let dir = s.path().join("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(&example).unwrap();
    let cases = [
        ("truncated.json", text[..text.len() / 2].to_owned(), "truncated.json: the document: not JSON"),
        (
            "catalog.json",
            r#"{"catalog": {"uuid": "x", "metadata": {}}}"#.to_owned(),
            "catalog.json holds an OSCAL catalog, not a component-definition",
        ),
        (
            "unknown.json",
            text.replacen("\"control-id\": \"sa-4.9\"", "\"control-id\": \"zz-99\"", 1),
            "component-definition.components[0].control-implementations[0].implemented-requirements[2].control-id \"zz-99\"",
        ),
        (
            "missing.json",
            text.replacen("\"type\": \"service\",", "", 1),
            "component-definition.components[0]: missing field `type`",
        ),
    ];
    for (name, body, expected) in &cases {
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap();
        let run = s.isms(&["oscal", "import", "component-definition", path.to_str().unwrap(), "--org", ORG]);
        assert_eq!(run.code, 2, "{name}: {run:?}");
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
    }
    assert_eq!(proposal_count(&s), made, "nothing stored from a refused file");
    let wrong = s.isms(&["oscal", "import", "catalog", file, "--org", ORG]);
    assert!(wrong.stderr.contains("isms framework import"), "{}", wrong.stderr);

    // The owner of a control accepts: the text joins the control's implementation
    // statement, and the trail records both.
    let first = &proposed[0];
    let (id, control) = (first["id"].as_str().unwrap(), first["control"].as_str().unwrap());
    let shown: Value =
        serde_json::from_str(&s.isms(&["--json", "control", "show", control, "--org", ORG]).stdout).unwrap();
    let before = shown["control"]["implementation"].as_str().unwrap().to_owned();
    // A control owner decides only on their own controls.
    let priya = "priya.raman@cedarridge.example";
    if shown["control"]["owner_email"] != priya {
        let refused = s.isms(&["control", "accept", id, "--as", priya, "--org", ORG]);
        assert_ne!(refused.code, 0, "{refused:?}");
        assert!(refused.stderr.contains("not assigned to you"), "{}", refused.stderr);
    }
    let who = shown["control"]["owner_email"].as_str().unwrap_or("dana.whitfield@cedarridge.example").to_owned();
    let run = s.isms(&["control", "accept", id, "--as", &who, "--org", ORG]);
    assert_eq!(run.code, 0, "{run:?}");
    let shown: Value =
        serde_json::from_str(&s.isms(&["--json", "control", "show", control, "--org", ORG]).stdout).unwrap();
    let after = shown["control"]["implementation"].as_str().unwrap();
    assert!(after.starts_with(before.trim_end()), "what was there stays");
    assert!(after.contains(first["statement"].as_str().unwrap()), "{after}");
    assert!(after.contains("(From MongoDB — MongoDB Component Definition Example.)"), "{after}");
    let twice = s.isms(&["control", "accept", id, "--as", &who, "--org", ORG]);
    assert_ne!(twice.code, 0);
    assert!(twice.stderr.contains("accepted already"), "{}", twice.stderr);
    // Rejecting needs a reason.
    let second = proposed[1]["id"].as_str().unwrap();
    let no_reason = s.isms(&["control", "reject", second, "--as", "dana.whitfield@cedarridge.example", "--org", ORG]);
    assert_eq!(no_reason.code, 2, "{no_reason:?}");
    assert!(no_reason.stderr.contains("reason"), "{}", no_reason.stderr);
    let rejected = s.isms(&[
        "control",
        "reject",
        second,
        "--reason",
        "We run PostgreSQL, not MongoDB",
        "--as",
        "dana.whitfield@cedarridge.example",
        "--org",
        ORG,
    ]);
    assert_eq!(rejected.code, 0, "{rejected:?}");
    let trail = s.isms(&["audit-log", "export", "--format", "json", "-o", "-", "--org", ORG]);
    for action in ["implementation_proposal.created", "implementation_proposal.updated"] {
        assert!(trail.stdout.contains(action), "{action} in the trail");
    }

    // The API: the import answers 201 with the report, refuses bad input with 422 and
    // the element; the proposals list; the control's page shows them and decides.
    let data = s.data_dir();
    let server = s.serve(&["--data-dir", data.to_str().unwrap()], &[]);
    let api =
        crate::support::ApiClient::sign_in(&server.url(""), "dana.whitfield@cedarridge.example", "isms-demo").await;
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["component-definition"]["components"][0]["title"] = Value::from("MongoDB Atlas");
    let imported =
        api.must(reqwest::Method::POST, "/api/v1/oscal/import/component-definition", Some(doc.clone()), 201).await;
    let fresh = imported["proposed"].as_array().unwrap();
    assert_eq!(fresh.len(), made, "a new component proposes again");
    let mut bad = doc.clone();
    bad["component-definition"]["components"][0]["control-implementations"][0]["implemented-requirements"][0]["control-id"] =
        Value::from("zz-1");
    let (code, answer) = api.post("/api/v1/oscal/import/component-definition", bad).await;
    assert_eq!(code.as_u16(), 422, "{answer}");
    assert!(answer.to_string().contains("implemented-requirements[0].control-id"), "{answer}");
    let listed = api.must(reqwest::Method::GET, "/api/v1/proposals?status=proposed", None, 200).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), fresh.len() + made - 2);
    let target = &fresh[0];
    let (pid, pcontrol) = (target["id"].as_str().unwrap(), target["control"].as_str().unwrap());
    let page = api
        .http
        .get(server.url(&format!("/controls/{pcontrol}")))
        .header("cookie", &api.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("id=\"accept-{pid}\"")), "the control's page offers the decision");
    let client = crate::support::client().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = client
        .post(server.url(&format!("/controls/{pcontrol}/proposals/{pid}")))
        .header("cookie", &api.cookie)
        .form(&[("csrf", api.csrf.as_str()), ("decision", "reject"), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422, "a rejection without a reason is refused in the page");
    let res = client
        .post(server.url(&format!("/controls/{pcontrol}/proposals/{pid}")))
        .header("cookie", &api.cookie)
        .form(&[("csrf", api.csrf.as_str()), ("decision", "reject"), ("reason", "Atlas is not used")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let decided = api.must(reqwest::Method::GET, &format!("/api/v1/proposals?control={pcontrol}"), None, 200).await;
    let mine = decided["items"].as_array().unwrap().iter().find(|p| p["id"] == pid).unwrap();
    assert_eq!(mine["status"], "rejected");
    assert_eq!(mine["reason"], "Atlas is not used");
    // Another organization sees none of them and cannot decide on them.
    let bluefin = crate::support::ApiClient::sign_in(&server.url(""), "ana.souza@bluefin.example", "isms-demo").await;
    let theirs = bluefin.must(reqwest::Method::GET, "/api/v1/proposals", None, 200).await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);
    let (code, _) =
        bluefin.post(&format!("/api/v1/proposals/{}/accept", fresh[1]["id"].as_str().unwrap()), Value::Null).await;
    assert_eq!(code.as_u16(), 404);
}

fn validator_1_2() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/oscal/v1.2.2/oscal_complete_schema-1-2-2.json"
    ))
    .unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options().with_draft(jsonschema::Draft::Draft7).build(&schema).unwrap()
}

#[tokio::test]
async fn a_crosswalk_exports_as_an_oscal_1_2_mapping_and_every_export_can_be_written_as_1_2() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let v12 = validator_1_2();
    // SP 800-53 to ISO/IEC 27001: NIST's OLIR set, every link a map with its relationship.
    let m = export(&s, &["mapping", "--framework", "nist-800-53r5"]);
    assert!(problems(&v12, &m).is_empty(), "{:?}", problems(&v12, &m));
    assert!(!problems(&validator(), &m).is_empty(), "the mapping model is not in OSCAL 1.1.3");
    let collection = &m["mapping-collection"];
    assert_eq!(collection["metadata"]["oscal-version"], "1.2.2");
    assert_eq!(collection["provenance"]["status"], "complete");
    let mappings = collection["mappings"].as_array().unwrap();
    assert!(!mappings.is_empty());
    let maps = mappings[0]["maps"].as_array().unwrap();
    assert!(maps.len() > 100, "{}", maps.len());
    let sc8: Value =
        serde_json::from_str(&s.isms(&["--json", "crosswalk", "nist-800-53r5:SC-8", "--to", "iso27001-2022"]).stdout)
            .unwrap();
    let direct: Vec<&str> = sc8["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["direct"] == true)
        .map(|h| h["target"]["item"].as_str().unwrap())
        .collect();
    let from_sc8: Vec<&str> = maps
        .iter()
        .filter(|m| m["sources"][0]["props"][0]["value"] == "SC-8")
        .map(|m| m["targets"][0]["props"][0]["value"].as_str().unwrap())
        .collect();
    assert_eq!(from_sc8.len(), direct.len(), "{from_sc8:?} vs {direct:?}");
    assert!(direct.iter().all(|d| from_sc8.contains(d)));
    assert!(maps.iter().all(|m| {
        ["equivalent-to", "subset-of", "superset-of", "intersects-with"].contains(&m["relationship"].as_str().unwrap())
    }));
    assert_eq!(
        mappings[0]["props"].as_array().unwrap().iter().find(|p| p["name"] == "provenance").unwrap()["value"],
        "official"
    );
    // Read the other way, the same links with relations turned around.
    let back = export(&s, &["mapping", "--framework", "iso27001-2022", "--to", "nist-800-53r5"]);
    assert!(problems(&v12, &back).is_empty(), "{:?}", problems(&v12, &back));
    assert_eq!(back["mapping-collection"]["mappings"][0]["maps"].as_array().unwrap().len(), maps.len());
    assert!(back["mapping-collection"]["mappings"][0]["remarks"].as_str().unwrap().contains("read the other way"));
    // Every export can be written as OSCAL 1.2.2 and is valid there.
    for args in [
        &["catalog"][..],
        &["profile"],
        &["ssp"],
        &["ssp", "--framework", "nist-800-171r2"],
        &["poam"],
        &["assessment-plan", "--audit", "AUD-003"],
        &["assessment-results", "--audit", "AUD-003"],
    ] {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--oscal-version", "1.2.2"]);
        let doc = export(&s, &all);
        assert!(problems(&v12, &doc).is_empty(), "{args:?}: {:?}", problems(&v12, &doc));
        let root = doc.as_object().unwrap().values().next().unwrap();
        assert_eq!(root["metadata"]["oscal-version"], "1.2.2", "{args:?}");
    }
    // Refusals.
    for (args, expected) in [
        (&["mapping"][..], "name the first"),
        (&["mapping", "--framework", "nist-800-53r5", "--oscal-version", "1.1.3"], "new in OSCAL 1.2"),
        (&["ssp", "--oscal-version", "2.0"], "not \"2.0\""),
        (&["ssp", "--to", "nist-800-53r5"], "only a mapping"),
        (&["mapping", "--framework", "nist-800-53r5", "--to", "nist-800-53r5"], "from one framework to another"),
    ] {
        let mut all = vec!["oscal", "export"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--org", ORG]);
        let run = s.isms(&all);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
    }
    let none = s.isms(&["oscal", "export", "mapping", "--framework", "gdpr-art32", "--to", "cmmc-2.0", "--org", ORG]);
    assert_ne!(none.code, 0, "{none:?}");
    assert!(none.stderr.contains("no mapping set"), "{}", none.stderr);
    // The API: the same document, under its file name.
    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[]);
    let api =
        crate::support::ApiClient::sign_in(&server.url(""), "dana.whitfield@cedarridge.example", "isms-demo").await;
    let res = api
        .http
        .get(server.url("/api/v1/oscal/mapping?framework=nist-800-53r5"))
        .header("cookie", &api.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("nist-800-53r5-to-iso27001-2022.oscal-mapping.json"), "{disposition}");
    let got: Value = res.json().await.unwrap();
    assert_eq!(got["mapping-collection"]["mappings"], m["mapping-collection"]["mappings"]);
    let (code, _) = api.get("/api/v1/oscal/ssp?oscal_version=9").await;
    assert_eq!(code.as_u16(), 422);
}
