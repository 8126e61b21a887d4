//! Evidence end to end: files stored once by SHA-256, a changed or missing stored file
//! reported by `isms evidence verify` (exit 1) with the evidence item and its control,
//! the upload limit, streaming uploads and downloads over the API with the role
//! checks, and a server killed mid-upload leaving no evidence behind.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{Sandbox, http, shown_password, sign_in};

fn blob_files(data: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let root = data.join("blobs/sha256");
    for dir in std::fs::read_dir(&root).map(|d| d.flatten().collect::<Vec<_>>()).unwrap_or_default() {
        out.extend(std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.path()));
    }
    out
}

#[test]
fn stored_files_are_verified_and_a_changed_byte_names_the_evidence_and_its_control() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| s.run(&[&["--data-dir", d.as_str()], args].concat());
    assert_eq!(run(&["init", "--org", "Acme", "--admin-email", "owner@acme.test"]).code, 0);
    let file = s.data_dir().parent().unwrap().join("restore-test.log");
    std::fs::write(&file, "2026-11-20 restore of prod-db from backup: OK, 14 min\n").unwrap();
    let f = file.to_str().unwrap();
    let added = run(&[
        "--json",
        "evidence",
        "add",
        f,
        "--org",
        "Acme",
        "--control",
        "8.13",
        "--valid-for",
        "90d",
        "--title",
        "Restore test",
    ]);
    assert_eq!(added.code, 0, "{added:?}");
    let first: Value = serde_json::from_str(&added.stdout).unwrap();
    assert_eq!(first["id"], "EVD-001");
    assert_eq!(first["targets"][0]["id"], "A.8.13", "control ids are normalized");
    let sha = first["content"]["sha256"].as_str().unwrap().to_owned();
    let again = run(&["--json", "evidence", "add", f, "--org", "Acme", "--risk-free-typo"]);
    assert_eq!(again.code, 2, "unknown flags are refused: {again:?}");
    let again = run(&["--json", "evidence", "add", f, "--org", "Acme", "--control", "A.8.15"]);
    assert_eq!(again.code, 0, "{again:?}");
    let second: Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(second["content"]["sha256"], sha.as_str());
    assert_eq!(blob_files(&s.data_dir()).len(), 1, "the same content is stored once");

    // The audit trail records the hash.
    let trail = run(&["audit-log", "export", "--org", "Acme", "--format", "json"]);
    assert!(trail.stdout.contains("evidence.created") && trail.stdout.contains(&sha), "{}", trail.stdout);

    let ok = run(&["evidence", "verify"]);
    assert_eq!(ok.code, 0, "{ok:?}");
    assert!(ok.stdout.contains("All 2 stored files"), "{}", ok.stdout);

    // One byte changed on disk.
    let blob = blob_files(&s.data_dir()).remove(0);
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[0] ^= 0x20;
    std::fs::write(&blob, &bytes).unwrap();
    let bad = run(&["evidence", "verify"]);
    assert_eq!(bad.code, 1, "{bad:?}");
    assert!(bad.stdout.contains("EVD-001") && bad.stdout.contains("control A.8.13"), "{}", bad.stdout);
    assert!(bad.stdout.contains("changed"), "{}", bad.stdout);
    assert!(bad.stderr.contains("2 of 2 stored files changed or went missing"), "{}", bad.stderr);

    std::fs::remove_file(&blob).unwrap();
    let gone = run(&["evidence", "verify", "--org", "Acme"]);
    assert_eq!(gone.code, 1);
    assert!(gone.stdout.contains("is missing"), "{}", gone.stdout);

    // Freshness: A.8.13 and A.8.15 have evidence; the rest is missing.
    let fresh = run(&["--json", "evidence", "freshness", "--org", "Acme", "--all"]);
    let rows: Value = serde_json::from_str(&fresh.stdout).unwrap();
    let state = |c: &str| rows.as_array().unwrap().iter().find(|r| r["control"] == c).unwrap()["coverage"].clone();
    assert_eq!(
        (state("A.8.13"), state("A.8.15"), state("A.8.14")),
        ("current".into(), "current".into(), "missing".into())
    );

    // Targets must exist.
    let unknown = run(&["evidence", "add", f, "--org", "Acme", "--control", "9.99"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("not an Annex A control"), "{}", unknown.stderr);
}

#[test]
fn a_file_over_the_limit_is_refused_and_leaves_nothing() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let env = [("ISMS_MAX_UPLOAD_MB", "1")];
    let run = |args: &[&str]| s.run_with(&[&["--data-dir", d.as_str()], args].concat(), &env);
    assert_eq!(run(&["init", "--org", "Acme", "--admin-email", "owner@acme.test"]).code, 0);
    let file = s.data_dir().parent().unwrap().join("big.bin");
    std::fs::write(&file, vec![1u8; (1 << 20) + 1]).unwrap();
    let r = run(&["evidence", "add", file.to_str().unwrap(), "--org", "Acme", "--control", "A.5.1"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("larger than the limit of 1048576 bytes"), "{}", r.stderr);
    assert!(blob_files(&s.data_dir()).is_empty());
    let partial: Vec<_> = std::fs::read_dir(s.data_dir().join("blobs/partial")).unwrap().collect();
    assert!(partial.is_empty(), "the refused upload left no partial file");
    assert!(run(&["evidence", "list", "--org", "Acme"]).stdout.contains("No evidence"));
}

#[tokio::test]
async fn uploads_and_downloads_stream_through_the_api_with_the_role_checks() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| s.run(&[&["--data-dir", d.as_str()], args].concat());
    let owner_pw = shown_password(&run(&["init", "--org", "Acme", "--admin-email", "owner@acme.test"]).stdout);
    let mut pw = std::collections::HashMap::new();
    for role in ["control_owner", "viewer"] {
        let email = format!("{role}@acme.test");
        pw.insert(role, s.join(&d, "Acme", &email, role));
    }
    assert_eq!(run(&["control", "set", "A.8.13", "--org", "Acme", "--owner", "control_owner@acme.test"]).code, 0);
    let server = s.serve(&["--data-dir", &d], &[]);
    let base = server.url("");
    let base = base.trim_end_matches('/');
    let client = http();
    let owner = sign_in(&client, base, "owner@acme.test", &owner_pw).await;

    // 3 MiB: beyond the 2 MiB JSON body limit, so this only works because it streams.
    let content: Vec<u8> = (0..3 * 1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    let upload = |who: &crate::support::ApiSession, query: &str, body: Vec<u8>| {
        client
            .post(format!("{base}/api/v1/evidence/files?{query}"))
            .header("cookie", &who.cookie)
            .header("x-csrf-token", &who.csrf)
            .header("content-type", "application/pdf")
            .body(body)
            .send()
    };
    let r = upload(
        &owner,
        "title=SOC+2+report&control=A.5.19&requirement=nist-csf-2.0:GV.SC-07&valid_for_days=365&filename=soc2.pdf",
        content.clone(),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let saved: Value = r.json().await.unwrap();
    assert_eq!(saved["content"]["size"], 3 * 1024 * 1024);
    assert_eq!(saved["content"]["media_type"], "application/pdf");
    assert_eq!(saved["collected_by"], "owner@acme.test");
    let id = saved["id"].as_str().unwrap().to_owned();

    let back =
        client.get(format!("{base}/api/v1/evidence/{id}/file")).header("cookie", &owner.cookie).send().await.unwrap();
    assert_eq!(back.status(), StatusCode::OK);
    assert!(back.headers()["content-disposition"].to_str().unwrap().contains("soc2.pdf"));
    assert_eq!(back.bytes().await.unwrap().as_ref(), content.as_slice(), "the file reads back byte for byte");

    // Roles: a viewer may not add; a control owner only to their own controls.
    let viewer = sign_in(&client, base, "viewer@acme.test", &pw["viewer"]).await;
    assert_eq!(upload(&viewer, "control=A.8.13", b"x".to_vec()).await.unwrap().status(), StatusCode::FORBIDDEN);
    let co = sign_in(&client, base, "control_owner@acme.test", &pw["control_owner"]).await;
    assert_eq!(upload(&co, "control=A.5.1", b"x".to_vec()).await.unwrap().status(), StatusCode::FORBIDDEN);
    let mine = upload(&co, "control=A.8.13&title=Backup+log", b"backup ok".to_vec()).await.unwrap();
    assert_eq!(mine.status(), StatusCode::CREATED);
    // Bad descriptions are refused before the body is stored.
    let r = upload(&owner, "title=x", b"no target".to_vec()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = upload(&owner, "control=A.5.1&colour=red", b"x".to_vec()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let link = client
        .post(format!("{base}/api/v1/evidence/links"))
        .header("cookie", &owner.cookie)
        .header("x-csrf-token", &owner.csrf)
        .json(&serde_json::json!({ "url": "https://tickets.example/OPS-12", "title": "Access review ticket", "controls": ["A.5.18"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(link.status(), StatusCode::CREATED);
    // A validity past the calendar is refused, not a crash (found by API fuzzing).
    for days in [i64::MAX - 1, -i64::MAX, 100_000_000] {
        let r = client
            .post(format!("{base}/api/v1/evidence/links"))
            .header("cookie", &owner.cookie)
            .header("x-csrf-token", &owner.csrf)
            .json(&serde_json::json!({ "url": "https://x.example", "title": "Forever", "controls": ["A.5.18"], "valid_for_days": days }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{days}");
        let problem: Value = r.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "valid_for_days", "{problem}");
        let r = upload(&owner, &format!("control=A.5.1&valid_for_days={days}"), b"x".to_vec()).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{days}");
    }

    let list: Value = client
        .get(format!("{base}/api/v1/evidence"))
        .header("cookie", &viewer.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 3, "{list}");
    let fresh: Value = client
        .get(format!("{base}/api/v1/evidence/freshness?coverage=current"))
        .header("cookie", &owner.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let current: Vec<&str> =
        fresh["items"].as_array().unwrap().iter().map(|c| c["control"].as_str().unwrap()).collect();
    assert_eq!(current.len(), 3, "A.5.18, A.5.19, A.8.13: {current:?}");
    let verify: Value = client
        .get(format!("{base}/api/v1/evidence/verify"))
        .header("cookie", &owner.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((verify["intact"].as_bool(), verify["checked"].as_u64()), (Some(true), Some(2)), "{verify}");
}

#[tokio::test]
async fn a_server_killed_mid_upload_leaves_no_evidence() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let pw =
        shown_password(&s.run(&["--data-dir", &d, "init", "--org", "Acme", "--admin-email", "owner@acme.test"]).stdout);
    let mut server = s.serve(&["--data-dir", &d], &[]);
    let base = server.url("");
    let base = base.trim_end_matches('/').to_owned();
    let owner = sign_in(&http(), &base, "owner@acme.test", &pw).await;

    // Announce 64 MiB, send 8 MiB, then kill the server.
    let mut tcp = std::net::TcpStream::connect(server.addr).unwrap();
    write!(
        tcp,
        "POST /api/v1/evidence/files?control=A.8.13&title=interrupted HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nx-csrf-token: {}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        owner.cookie,
        owner.csrf,
        64 << 20
    )
    .unwrap();
    let chunk = vec![9u8; 1 << 20];
    for _ in 0..8 {
        tcp.write_all(&chunk).unwrap();
    }
    tcp.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(tcp);

    let server = s.serve(&["--data-dir", &d], &[]);
    let base = server.url("");
    let base = base.trim_end_matches('/');
    let owner = sign_in(&http(), base, "owner@acme.test", &pw).await;
    let list: Value = http()
        .get(format!("{base}/api/v1/evidence"))
        .header("cookie", &owner.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0, "no half-registered evidence: {list}");
    assert!(blob_files(&s.data_dir()).is_empty(), "no complete blob from a partial upload");
    let verify = s.run(&["--data-dir", &d, "evidence", "verify"]);
    assert_eq!(verify.code, 0, "{verify:?}");
    assert!(verify.stdout.contains("All 0 stored files"), "{}", verify.stdout);
}
