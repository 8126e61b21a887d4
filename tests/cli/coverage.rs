//! Coverage across frameworks ("test once, satisfy many"): a number per framework in
//! use that follows the controls' status, every covered requirement naming its path, the
//! exports read back by real readers, the same answer over the API and on the pages.

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use crate::support::{ApiClient, Sandbox};

const ORG: &str = "Cedar Ridge Health Cloud, Inc.";
const OWNER: &str = "dana.whitfield@cedarridge.example";

fn hipaa(s: &Sandbox) -> Value {
    let run = s.isms(&["--json", "coverage", "--org", ORG, "--framework", "hipaa-security"]);
    assert_eq!(run.code, 0, "{run:?}");
    let all: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 1, "one framework asked for");
    all[0].clone()
}

fn requirement<'a>(f: &'a Value, item: &str) -> &'a Value {
    f["items"].as_array().unwrap().iter().find(|r| r["item"] == item).unwrap()
}

#[tokio::test]
async fn coverage_per_framework_follows_a_control_status_change_and_every_covered_requirement_names_its_path() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);

    let before = hipaa(&s);
    let covered_before = before["covered"].as_u64().unwrap();
    let total = before["requirements"].as_u64().unwrap();
    assert!(covered_before > 0 && covered_before < total, "{covered_before} of {total}");
    assert_eq!(covered_before + before["partial"].as_u64().unwrap() + before["not_covered"].as_u64().unwrap(), total);
    assert_eq!(before["percent"].as_u64().unwrap(), covered_before * 100 / total);
    // Every covered requirement names the controls and the paths behind it, each link
    // with its mapping set and provenance.
    for r in before["items"].as_array().unwrap().iter().filter(|r| r["reach"] == "covered") {
        let through = r["through"].as_array().unwrap();
        assert!(!through.is_empty(), "{r}");
        for c in through {
            let paths = c["paths"].as_array().unwrap();
            assert!(!paths.is_empty(), "{c}");
            for step in paths.iter().flat_map(|p| p["steps"].as_array().unwrap()) {
                assert!(step["mapping"].as_str().is_some_and(|m| !m.is_empty()), "{step}");
                assert!(["official", "own_analysis", "derived"].contains(&step["provenance"].as_str().unwrap()));
            }
        }
        assert!(r["why"].as_str().unwrap().contains(through[0]["control"].as_str().unwrap()), "{r}");
    }

    // A covered requirement whose mapping names a control: that control goes back to
    // planned, and the requirement, and the number, follow.
    let (item, control) = before["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["reach"] == "covered")
        .find_map(|r| {
            let c = r["through"].as_array().unwrap().iter().find(|c| c["direct"] == true)?;
            Some((r["item"].as_str().unwrap().to_owned(), c["control"].as_str().unwrap().to_owned()))
        })
        .expect("a covered requirement with a direct mapping");
    let set = s.isms(&["control", "set", &control, "--org", ORG, "--status", "planned", "--target-date", "2027-06-30"]);
    assert_eq!(set.code, 0, "{set:?}");
    let after = hipaa(&s);
    assert!(after["covered"].as_u64().unwrap() < covered_before, "{} then {}", covered_before, after["covered"]);
    let r = requirement(&after, &item);
    assert_eq!(r["reach"], "partial", "{r}");
    assert!(r["why"].as_str().unwrap().contains(&format!("{control} (planned)")), "{r}");
    // The status line and the gaps list say the same.
    let status = s.isms(&["status", "--org", ORG]);
    assert!(
        status.stdout.contains(&format!("Coverage of HIPAA Security Rule: {}%", after["percent"])),
        "{}",
        status.stdout
    );
    let gaps = s.isms(&["coverage", "--org", ORG, "--framework", "hipaa-security", "--gaps"]);
    assert!(gaps.stdout.lines().any(|l| l.contains(&item) && l.contains(&control)), "{}", gaps.stdout);

    // Exports, read back by real readers.
    let xlsx = s.path().join("coverage.xlsx");
    let csv_file = s.path().join("gaps.csv");
    let md = s.path().join("coverage.md");
    for (path, gaps) in [(&xlsx, false), (&csv_file, true), (&md, false)] {
        let mut args = vec!["coverage", "--org", ORG, "-o", path.to_str().unwrap()];
        if gaps {
            args.push("--gaps");
        }
        let run = s.isms(&args);
        assert_eq!(run.code, 0, "{run:?}");
    }
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let row = sheet
        .rows()
        .find(|row| row.get(1) == Some(&Data::String(item.clone())))
        .unwrap_or_else(|| panic!("{item} in the workbook"));
    assert_eq!(row[0], Data::String("HIPAA Security Rule".into()));
    assert_eq!(row[3], Data::String("partly covered".into()));
    let paths = row[6].to_string();
    assert!(
        paths.contains(&format!("{control} → HIPAA Security Rule {item} (intersects, "))
            && (paths.contains("official mapping") || paths.contains("isms analysis")),
        "{paths}"
    );
    let covered_rows = sheet.rows().filter(|r| r.get(3) == Some(&Data::String("covered".into()))).count();
    let csf = s.isms(&["--json", "coverage", "--org", ORG]);
    let every: Value = serde_json::from_str(&csf.stdout).unwrap();
    let covered_all: u64 = every.as_array().unwrap().iter().map(|f| f["covered"].as_u64().unwrap()).sum();
    assert_eq!(covered_rows as u64, covered_all, "one row per covered requirement of every framework in use");
    let mut reader = csv::Reader::from_path(&csv_file).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[3], "Coverage");
    let gap_rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(gap_rows.iter().all(|r| &r[3] != "covered"), "the gaps only");
    assert!(gap_rows.iter().any(|r| r[1] == item));
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# Coverage across frameworks"), "{text}");
    assert!(text.contains(&format!("| HIPAA Security Rule | {item} |")), "{text}");

    // Refusals that say what is wrong.
    let unknown = s.isms(&["coverage", "--org", ORG, "--framework", "nist-sp-800-53"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(unknown.stderr.contains("there is no framework nist-sp-800-53; in use: hipaa-security, nist-csf-2.0"));
    let unused = s.isms(&["coverage", "--org", ORG, "--framework", "nist-800-53r5"]);
    assert_ne!(unused.code, 0);
    assert!(unused.stderr.contains("nist-800-53r5 is not in use"), "{}", unused.stderr);
    let bad = s.isms(&["coverage", "--org", ORG, "-o", s.path().join("c.pdf").to_str().unwrap()]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("name it .xlsx, .csv, .md or .json"), "{}", bad.stderr);

    // The API and the pages answer the same, and follow a change made over the API.
    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[]);
    let api = ApiClient::sign_in(&server.url(""), OWNER, "isms-demo").await;
    let got = api.must(reqwest::Method::GET, "/api/v1/coverage?framework=hipaa-security", None, 200).await;
    assert_eq!(got["items"][0]["covered"], after["covered"]);
    let gaps = api.must(reqwest::Method::GET, "/api/v1/coverage?gaps=true", None, 200).await;
    for f in gaps["items"].as_array().unwrap() {
        assert!(f["items"].as_array().unwrap().iter().all(|r| r["reach"] != "covered"), "{f}");
    }
    api.must(
        reqwest::Method::PATCH,
        &format!("/api/v1/controls/{control}"),
        Some(serde_json::json!({"status": "implemented"})),
        200,
    )
    .await;
    let again = api.must(reqwest::Method::GET, "/api/v1/coverage?framework=hipaa-security", None, 200).await;
    assert_eq!(again["items"][0]["covered"].as_u64().unwrap(), covered_before);
    assert_eq!(requirement(&again["items"][0], &item)["reach"], "covered");
    let (code, body) = api.get("/api/v1/coverage?framework=nist-800-53r5").await;
    assert_eq!(code.as_u16(), 422, "{body}");
    let (code, _) = api.get("/api/v1/coverage?framework=nope").await;
    assert_eq!(code.as_u16(), 404);
    let (code, _) = api.get("/api/v1/coverage?colour=blue").await;
    assert_eq!(code.as_u16(), 400);
    let export = api
        .http
        .get(server.url("/api/v1/coverage/export?framework=hipaa-security&format=csv"))
        .header("cookie", &api.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status().as_u16(), 200);
    assert!(export.headers()["content-disposition"].to_str().unwrap().contains("coverage-hipaa-security.csv"));
    let body = export.text().await.unwrap();
    let rows = csv::Reader::from_reader(body.as_bytes()).records().map(Result::unwrap).count();
    assert_eq!(rows as u64, total, "one row per requirement");
    let page = |path: &str| {
        let (api, url) = (&api, server.url(path));
        async move { api.http.get(url).header("cookie", &api.cookie).send().await.unwrap().text().await.unwrap() }
    };
    let percent = format!("<strong class=\"percent\">{}%</strong>", again["items"][0]["percent"]);
    assert!(page("/dashboard").await.contains(&percent), "the dashboard shows the number");
    assert!(page("/frameworks/hipaa-security").await.contains(&percent), "the framework page shows it");
    let detail = page("/coverage/hipaa-security").await;
    assert!(detail.contains(&percent));
    assert!(detail.contains(&format!("data-item=\"{item}\" data-reach=\"ok\"")), "the requirement, covered again");
    assert!(detail.contains("official mapping"), "paths with their provenance");
}
