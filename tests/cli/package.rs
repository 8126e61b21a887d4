//! The audit package: what it holds, that the same state packages to the same bytes,
//! that `isms package verify` passes on a fresh one, fails naming the file when one
//! byte of any file in the ZIP changes, and fails when the trail no longer holds the
//! head; the API serves the same bytes; another organization gets 404.

use std::io::Read;

use sha2::Digest;

use serde_json::Value;
use sqlx::{Connection, Executor};

use super::ingest::{ORG, OWNER, json as cli};
use crate::support::{ApiClient, Sandbox};

const AUDITOR: &str = "sam.okafor@certbody.example";
const CONTROL_OWNER: &str = "priya.raman@cedarridge.example";

fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().to_owned(), bytes)
        })
        .collect()
}

#[tokio::test]
async fn a_package_verifies_repeats_byte_for_byte_and_names_what_was_changed() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    // A request answered with an evidence item, and a sample, so both are in it.
    let evidence = cli(&s, &["evidence", "list"]);
    let file_item = evidence
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["content"]["kind"] == "file" || e["content"].get("sha256").is_some())
        .unwrap_or_else(|| panic!("the demo has a file evidence item: {evidence}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = cli(
        &s,
        &["request", "write", "--audit", "AUD-003", "--reference", "PBC-1", "--text", "Backups", "--as", AUDITOR],
    );
    let rid = r["id"].as_str().unwrap();
    cli(&s, &["request", "attach", rid, "--evidence", &file_item, "--as", OWNER]);
    cli(
        &s,
        &[
            "sample",
            "draw",
            "--audit",
            "AUD-003",
            "--population",
            "risks",
            "--size",
            "3",
            "--seed",
            "s",
            "--as",
            AUDITOR,
        ],
    );

    let dir = s.path().join("out");
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.zip"), dir.join("b.zip"));
    let built = cli(&s, &["package", "build", "--audit", "AUD-003", "-o", a.to_str().unwrap()]);
    std::thread::sleep(std::time::Duration::from_millis(1100)); // a clock second later
    assert_eq!(s.isms(&["package", "build", "--audit", "AUD-003", "-o", b.to_str().unwrap(), "--org", ORG]).code, 0);
    let (zip_a, zip_b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(zip_a == zip_b, "two packages of the same state are byte-identical");

    // What it holds, each file listed with its hash.
    let files = entries(&zip_a);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[0], "manifest.json");
    for wanted in [
        "risk-treatment-plan.xlsx",
        "audit-report.md",
        "audit-report.xlsx",
        "nonconformity-register.xlsx",
        "evidence-requests.xlsx",
        "samples.json",
    ] {
        assert!(names.contains(&wanted), "{wanted} in {names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with("soa/statement-of-applicability-v")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with(&format!("evidence/{file_item}/"))), "{names:?}");
    let manifest: Value = serde_json::from_slice(&files[0].1).unwrap();
    assert_eq!(manifest["format"], "isms-audit-package/1");
    assert_eq!(manifest["audit"], "AUD-003");
    assert_eq!(manifest["organization"], ORG);
    assert!(manifest["soa_version"].as_i64().is_some(), "{manifest}");
    assert_eq!(names[1], "manifest.sig");
    assert_eq!(manifest["files"].as_array().unwrap().len(), files.len() - 2);
    assert_eq!(manifest["signing_key"].as_str().unwrap().len(), 64);
    let key = s.isms(&["package", "key", "--org", ORG]);
    assert_eq!(key.stdout.trim(), manifest["signing_key"].as_str().unwrap(), "the key to give the certification body");
    assert_eq!(manifest, built, "the command prints the manifest it wrote");
    let head = manifest["trail_head"]["seq"].as_i64().unwrap();
    assert!(head > 0 && manifest["trail_head"]["hash"].as_str().unwrap().len() == 64);
    let report = String::from_utf8(files.iter().find(|(n, _)| n == "audit-report.md").unwrap().1.clone()).unwrap();
    assert!(report.contains("# Audit report: AUD-003"), "{report}");

    // A fresh package verifies, offline and against the trail.
    let ok = s.isms(&["package", "verify", a.to_str().unwrap()]);
    assert_eq!(ok.code, 0, "{ok:?}");
    assert!(ok.stdout.contains(", signed with key "), "{}", ok.stdout);
    assert!(
        ok.stdout.contains(&format!(
            "intact — {} files match the manifest, signed with key {}; the audit trail holds the head #{head}",
            files.len() - 2,
            manifest["signing_key"].as_str().unwrap()
        )),
        "{}",
        ok.stdout
    );

    // One byte of any file changed: verify fails and names that file.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&zip_a[..])).unwrap();
    let raw: Vec<(String, u64, u64)> = (0..archive.len())
        .map(|i| {
            let f = archive.by_index_raw(i).unwrap();
            (f.name().to_owned(), f.data_start(), f.compressed_size())
        })
        .collect();
    let bad = dir.join("bad.zip");
    for (name, start, size) in &raw {
        assert!(*size > 0, "{name} is empty");
        let mut changed = zip_a.clone();
        let at = usize::try_from(start + size / 2).unwrap();
        changed[at] ^= 0x01;
        std::fs::write(&bad, &changed).unwrap();
        let run = s.isms(&["package", "verify", "--offline", bad.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{name}: {run:?}");
        assert!(run.stdout.contains(name.as_str()), "the failure names {name}: {}", run.stdout);
    }
    // A file rewritten with a consistent CRC (re-zipped) is still caught by its hash.
    let mut rezipped = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in &files {
        rezipped.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        let mut bytes = bytes.clone();
        if name == "samples.json" {
            bytes.push(b'\n');
        }
        std::io::Write::write_all(&mut rezipped, &bytes).unwrap();
    }
    std::fs::write(&bad, rezipped.finish().unwrap().into_inner()).unwrap();
    let run = s.isms(&["package", "verify", "--offline", bad.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("samples.json: its SHA-256 is"), "{}", run.stdout);
    // The manifest rewritten to match the changed file: its signature no longer does.
    let rewritten = |change: &dyn Fn(&str, &mut Vec<u8>, &mut Value), extra: Option<(&str, &[u8])>| {
        let mut manifest: Value = serde_json::from_slice(&files[0].1).unwrap();
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let mut bodies: Vec<(String, Vec<u8>)> = files[1..].to_vec();
        for (name, bytes) in &mut bodies {
            change(name, bytes, &mut manifest);
        }
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        out.start_file("manifest.json", opts).unwrap();
        // The manifest as written, unless a change rewrote it.
        let original: Value = serde_json::from_slice(&files[0].1).unwrap();
        let text =
            if manifest == original { files[0].1.clone() } else { serde_json::to_vec_pretty(&manifest).unwrap() };
        std::io::Write::write_all(&mut out, &text).unwrap();
        if let Some((name, bytes)) = extra {
            out.start_file(name, opts).unwrap();
            std::io::Write::write_all(&mut out, bytes).unwrap();
        }
        for (name, bytes) in &bodies {
            out.start_file(name.as_str(), opts).unwrap();
            std::io::Write::write_all(&mut out, bytes).unwrap();
        }
        out.finish().unwrap().into_inner()
    };
    let forged = rewritten(
        &|name, bytes, manifest| {
            if name == "samples.json" {
                bytes.extend_from_slice(b" ");
                let sha = hex::encode(sha2::Sha256::digest(&bytes[..]));
                for f in manifest["files"].as_array_mut().unwrap() {
                    if f["path"] == "samples.json" {
                        f["sha256"] = Value::from(sha.clone());
                        f["bytes"] = Value::from(bytes.len());
                    }
                }
            }
        },
        None,
    );
    std::fs::write(&bad, forged).unwrap();
    let run = s.isms(&["package", "verify", "--offline", bad.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("manifest.json: its signature (manifest.sig) does not match"), "{}", run.stdout);
    // A second entry of the same name (readers disagree on which one they show).
    // (Written under another name of the same length, then renamed in the bytes: a
    // ZIP writer refuses duplicate names, a forger's tool does not.)
    let mut doubled = rewritten(&|_, _, _| {}, Some(("samples.jsoX", b"[]")));
    let at: Vec<usize> =
        doubled.windows(12).enumerate().filter(|(_, w)| *w == b"samples.jsoX").map(|(i, _)| i).collect();
    assert_eq!(at.len(), 2, "its local and central headers");
    for i in at {
        doubled[i + 11] = b'n';
    }
    std::fs::write(&bad, doubled).unwrap();
    let run = s.isms(&["package", "verify", "--offline", bad.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("not as isms writes it"), "{}", run.stdout);
    std::fs::write(&bad, b"not a zip").unwrap();
    assert_eq!(s.isms(&["package", "verify", "--offline", bad.to_str().unwrap()]).code, 1);

    // The API serves the same bytes; another organization gets 404.
    let data = s.data_dir();
    let server = s.serve(&["--data-dir", data.to_str().unwrap()], &[]);
    let control_owner = ApiClient::sign_in(&server.url(""), CONTROL_OWNER, "isms-demo").await;
    let served = control_owner
        .http
        .get(format!("{}/api/v1/audits/AUD-003/package", control_owner.base.trim_end_matches('/')))
        .header("cookie", &control_owner.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.headers()["content-type"], "application/zip");
    let served = served.bytes().await.unwrap();
    // Signing in is in the trail, so the state moved on: the command line packages it alike.
    let c = dir.join("c.zip");
    assert_eq!(s.isms(&["package", "build", "--audit", "AUD-003", "-o", c.to_str().unwrap(), "--org", ORG]).code, 0);
    assert!(served.as_ref() == std::fs::read(&c).unwrap().as_slice(), "the API packages the same bytes");
    let other = ApiClient::sign_in(&server.url(""), "ana.souza@bluefin.example", "isms-demo").await;
    let (code, _) = other.get("/api/v1/audits/AUD-003/package").await;
    assert_eq!(code.as_u16(), 404);
    drop(server);

    // A change moves the head: the new package differs, the old one still verifies.
    cli(&s, &["request", "comment", rid, "-m", "more to come", "--as", AUDITOR]);
    assert_eq!(s.isms(&["package", "build", "--audit", "AUD-003", "-o", b.to_str().unwrap(), "--org", ORG]).code, 0);
    assert!(std::fs::read(&b).unwrap() != zip_a, "another state, another package");
    assert_eq!(s.isms(&["package", "verify", a.to_str().unwrap()]).code, 0);

    // The trail no longer holds the head (its entry altered): verify fails and says so.
    let db = s.data_dir().join("isms.db");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    conn.execute(
        format!("UPDATE trail_entries SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE seq = {head}").as_str(),
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
    let run = s.isms(&["package", "verify", a.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains(&format!("the audit trail no longer holds its head #{head}")), "{}", run.stdout);
    assert_eq!(s.isms(&["package", "verify", "--offline", a.to_str().unwrap()]).code, 0, "the files are still intact");
}
