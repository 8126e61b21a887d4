//! Evidence requests (the "provided by client" list): a 40-line list imports from XLSX,
//! a bad row is reported with its line and nothing is stored; the team answers, the
//! auditor accepts one and returns another with a comment; who may do what; another
//! organization; requests in my tasks and the calendar.

use serde_json::{Value, json};

use super::ingest::{ORG, OWNER, json as cli};
use crate::support::{ApiClient, Sandbox};

const AUDITOR: &str = "sam.okafor@certbody.example";
const CONTROL_OWNER: &str = "priya.raman@cedarridge.example";
const MANAGER: &str = "marcus.chen@cedarridge.example";

/// A request list as a certification body sends it: a title row above the header is
/// not there, but the column names are theirs (Ref., Evidence requested, Clause/Control,
/// Due date, Owner); the due dates are real spreadsheet dates.
fn workbook(rows: usize, bad_row: Option<usize>) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["Ref.", "Evidence requested", "Clause/Control", "Due date", "Owner"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for i in 1..=rows {
        let r = i as u32;
        sheet.write_string(r, 0, format!("PBC-{i:02}")).unwrap();
        sheet.write_string(r, 1, format!("Records showing control {i} operated in the period")).unwrap();
        sheet.write_string(r, 2, format!("A.5.{}, 9.2", 1 + i % 37)).unwrap();
        let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2027, 1, 1 + (i % 28) as u8).unwrap();
        sheet.write_datetime_with_format(r, 3, &day, &date).unwrap();
        let owner = if Some(i) == bad_row { "nobody@elsewhere.example" } else { CONTROL_OWNER };
        sheet.write_string(r, 4, owner).unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_forty_line_list_imports_from_xlsx_and_a_bad_row_stores_nothing() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let dir = s.path().join("lists");
    std::fs::create_dir_all(&dir).unwrap();
    // A bad row (line 18 of the sheet: row 17 of data under the header) stops it all.
    let bad = dir.join("bad.xlsx");
    std::fs::write(&bad, workbook(40, Some(17))).unwrap();
    let run =
        s.isms(&["request", "import", "--audit", "AUD-003", bad.to_str().unwrap(), "--as", AUDITOR, "--org", ORG]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("line 18, assignee: nobody@elsewhere.example is not a member"), "{}", run.stdout);
    assert!(run.stderr.contains("1 row error") && run.stderr.contains("nothing was imported"), "{}", run.stderr);
    assert_eq!(cli(&s, &["request", "list"]), json!([]), "nothing is stored");
    // A small workbook that claims a sheet of a billion cells is refused at once.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "reference").unwrap();
    sheet.write_string(0, 1, "request").unwrap();
    sheet.write_string(1_048_575, 16_383, "far away").unwrap();
    let huge = dir.join("huge.xlsx");
    std::fs::write(&huge, book.save_to_buffer().unwrap()).unwrap();
    let run =
        s.isms(&["request", "import", "--audit", "AUD-003", huge.to_str().unwrap(), "--as", AUDITOR, "--org", ORG]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("line 1048576: the sheet goes beyond 10000 rows or 64 columns"), "{}", run.stderr);
    // A missing column is named, with what the file has.
    let csv = dir.join("short.csv");
    std::fs::write(&csv, "ref,due\nPBC-1,2027-01-02\n").unwrap();
    let run =
        s.isms(&["request", "import", "--audit", "AUD-003", csv.to_str().unwrap(), "--as", AUDITOR, "--org", ORG]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("line 1: the header has no request column"), "{}", run.stderr);
    // The good list: 40 requests, dates and references read from the sheet.
    let good = dir.join("pbc.xlsx");
    std::fs::write(&good, workbook(40, None)).unwrap();
    let report = cli(&s, &["request", "import", "--audit", "AUD-003", good.to_str().unwrap(), "--as", AUDITOR]);
    assert_eq!(report["created"].as_array().unwrap().len(), 40);
    let all = cli(&s, &["request", "list", "--audit", "AUD-003"]);
    assert_eq!(all.as_array().unwrap().len(), 40);
    let first = &all[0];
    assert_eq!((first["id"].as_str(), first["reference"].as_str()), (Some("REQ-001"), Some("PBC-01")));
    assert_eq!(first["references"], json!(["A.5.2", "9.2"]));
    assert_eq!(first["due"], "2027-01-02");
    assert_eq!(first["assignee"], CONTROL_OWNER);
    assert_eq!(first["status"], "open");
    // Importing the same list again would repeat its references: refused, nothing stored.
    let again =
        s.isms(&["request", "import", "--audit", "AUD-003", good.to_str().unwrap(), "--as", AUDITOR, "--org", ORG]);
    assert_ne!(again.code, 0);
    assert!(again.stdout.contains("line 2, reference: PBC-01 is already a request of AUD-003"), "{}", again.stdout);
    assert_eq!(cli(&s, &["request", "list"]).as_array().unwrap().len(), 40);
    // The same list as CSV (with a byte-order mark, as spreadsheet programs write it).
    let csv = dir.join("pbc.csv");
    std::fs::write(&csv, "\u{feff}Reference,Request,Due\nX-1,Firewall rule review,2027-02-01\nX-2,,2027-02-01\n")
        .unwrap();
    let run =
        s.isms(&["request", "import", "--audit", "AUD-001", csv.to_str().unwrap(), "--as", AUDITOR, "--org", ORG]);
    assert!(run.stdout.contains("line 3, request: is required"), "{}", run.stdout);
    // One trail entry per request, all from the import.
    let trail = s.isms(&["--json", "audit-log", "show", "--limit", "1000", "--org", ORG]);
    let entries: Value = serde_json::from_str(&trail.stdout).unwrap();
    assert_eq!(entries.as_array().unwrap().iter().filter(|e| e["action"] == "evidence_request.created").count(), 40);
}

#[tokio::test]
async fn the_team_answers_and_the_auditor_accepts_one_and_returns_another() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[]);
    let auditor = ApiClient::sign_in(&server.url(""), AUDITOR, "isms-demo").await;
    let owner = ApiClient::sign_in(&server.url(""), OWNER, "isms-demo").await;
    let priya = ApiClient::sign_in(&server.url(""), CONTROL_OWNER, "isms-demo").await;
    let marcus = ApiClient::sign_in(&server.url(""), MANAGER, "isms-demo").await;
    marcus.choose_org(ORG).await;
    let other = ApiClient::sign_in(&server.url(""), "ana.souza@bluefin.example", "isms-demo").await;
    use reqwest::Method;
    let write = |reference: &str, assignee: &str| {
        json!({ "audit": "AUD-003", "reference": reference, "text": format!("Show {reference}"),
                "references": ["A.5.15, A.5.18"], "due": "2020-01-31", "assignee": assignee })
    };
    let a = auditor.must(Method::POST, "/api/v1/requests", Some(write("PBC-1", CONTROL_OWNER)), 201).await;
    let b = auditor.must(Method::POST, "/api/v1/requests", Some(write("PBC-2", MANAGER)), 201).await;
    assert_eq!(a["references"], json!(["A.5.15", "A.5.18"]));
    let (code, _) = auditor.post("/api/v1/requests", write("pbc-1", CONTROL_OWNER)).await;
    assert_eq!(code.as_u16(), 409, "a reference is unique within the audit");
    let (code, _) = priya.post("/api/v1/requests", write("PBC-9", CONTROL_OWNER)).await;
    assert_eq!(code.as_u16(), 403, "a control owner does not write requests");
    let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());

    // Overdue: in the assignee's tasks and the organization's overdue list; in the calendar.
    let status = priya.must(Method::GET, "/api/v1/status", None, 200).await;
    let mine: Vec<&Value> =
        status["my_tasks"].as_array().unwrap().iter().filter(|t| t["kind"] == "evidence_request").collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert!(mine[0]["what"].as_str().unwrap().contains("PBC-1") && mine[0]["overdue"] == true);
    let ics = s.path().join("cal.ics");
    assert_eq!(s.isms(&["calendar", "-o", ics.to_str().unwrap(), "--org", ORG]).code, 0);
    let calendar = std::fs::read_to_string(&ics).unwrap();
    assert!(calendar.contains(&format!("Evidence request due: {a_id} PBC-1")), "{calendar}");

    // The team answers. Submitting needs an answer; a control owner answers only their own.
    let (code, body) = priya.post(&format!("/api/v1/requests/{a_id}/submit"), json!({})).await;
    assert_eq!(code.as_u16(), 409, "{body}");
    let (code, _) = priya.post(&format!("/api/v1/requests/{b_id}/attach"), json!({ "evidence": ["EVD-001"] })).await;
    assert_eq!(code.as_u16(), 403, "PBC-2 is Marcus's");
    let (code, body) = priya.post(&format!("/api/v1/requests/{a_id}/attach"), json!({ "evidence": ["EVD-999"] })).await;
    assert_eq!(code.as_u16(), 404, "{body}");
    let attached = priya
        .must(Method::POST, &format!("/api/v1/requests/{a_id}/attach"), Some(json!({ "evidence": ["EVD-001"] })), 200)
        .await;
    assert_eq!(attached["evidence"], json!(["EVD-001"]));
    // Attached by mistake: taken off again while the request is with the team.
    priya
        .must(Method::POST, &format!("/api/v1/requests/{a_id}/attach"), Some(json!({ "evidence": ["EVD-002"] })), 200)
        .await;
    let fixed = priya
        .must(Method::POST, &format!("/api/v1/requests/{a_id}/detach"), Some(json!({ "evidence": ["EVD-002"] })), 200)
        .await;
    assert_eq!(fixed["evidence"], json!(["EVD-001"]));
    let (code, _) = priya.post(&format!("/api/v1/requests/{a_id}/detach"), json!({ "evidence": ["EVD-009"] })).await;
    assert_eq!(code.as_u16(), 422, "not attached");
    priya
        .must(Method::POST, &format!("/api/v1/requests/{a_id}/submit"), Some(json!({ "comment": "Q3 reviews" })), 200)
        .await;
    marcus
        .must(Method::POST, &format!("/api/v1/requests/{b_id}/attach"), Some(json!({ "evidence": ["EVD-002"] })), 200)
        .await;
    marcus.must(Method::POST, &format!("/api/v1/requests/{b_id}/submit"), Some(json!({})), 200).await;
    // The auditor's tasks now hold both decisions.
    let status = auditor.must(Method::GET, "/api/v1/status", None, 200).await;
    let decide = status["my_tasks"].as_array().unwrap().iter().filter(|t| t["kind"] == "evidence_request").count();
    assert_eq!(decide, 2);

    // The auditor accepts one and returns the other with a comment.
    let (code, _) = priya.post(&format!("/api/v1/requests/{a_id}/accept"), json!({})).await;
    assert_eq!(code.as_u16(), 403, "the team does not accept its own answer");
    let accepted = auditor.must(Method::POST, &format!("/api/v1/requests/{a_id}/accept"), Some(json!({})), 200).await;
    assert_eq!(accepted["status"], "accepted");
    let (code, body) = auditor.post(&format!("/api/v1/requests/{b_id}/return"), json!({ "comment": " " })).await;
    assert_eq!(code.as_u16(), 422, "returning says why: {body}");
    let returned = auditor
        .must(
            Method::POST,
            &format!("/api/v1/requests/{b_id}/return"),
            Some(json!({ "comment": "The log covers August only; send September too" })),
            200,
        )
        .await;
    assert_eq!(returned["status"], "returned");
    let (code, _) = auditor.post(&format!("/api/v1/requests/{a_id}/return"), json!({ "comment": "x" })).await;
    assert_eq!(code.as_u16(), 409, "an accepted request is not returned");
    // The thread: the team replies; everyone reads it.
    marcus
        .must(
            Method::POST,
            &format!("/api/v1/requests/{b_id}/comments"),
            Some(json!({ "comment": "September follows on Monday" })),
            200,
        )
        .await;
    let thread = owner.must(Method::GET, &format!("/api/v1/requests/{b_id}"), None, 200).await;
    let said: Vec<(&str, &str)> = thread["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["by"].as_str().unwrap(), c["status"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(said, [(MANAGER, "submitted"), (AUDITOR, "returned"), (MANAGER, "")]);
    // The pages: the request with its thread (user text escaped), the audit's progress.
    marcus
        .must(
            Method::POST,
            &format!("/api/v1/requests/{b_id}/comments"),
            Some(json!({ "comment": "<b>bold</b>" })),
            200,
        )
        .await;
    let (code, page) = owner.get(&format!("/requests/{b_id}")).await;
    assert_eq!(code.as_u16(), 200);
    let page = page.as_str().unwrap();
    assert!(page.contains("The log covers August only") && page.contains("&#60;b&#62;bold&#60;/b&#62;"), "{page}");
    assert!(!page.contains("<b>bold</b>"));
    let (_, audit_page) = owner.get("/audits/AUD-003").await;
    assert!(audit_page.as_str().unwrap().contains("1 of 2 accepted</strong> · 0 open · 0 submitted · 1 returned"));
    let (code, _) = other.get(&format!("/requests/{a_id}")).await;
    assert_eq!(code.as_u16(), 404, "another organization's request page");
    let listed = owner.must(Method::GET, "/api/v1/requests?audit=AUD-003&status=returned", None, 200).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    // Another organization sees none of it and cannot act on it.
    let (code, _) = other.get(&format!("/api/v1/requests/{a_id}")).await;
    assert_eq!(code.as_u16(), 404);
    let (code, _) = other.post(&format!("/api/v1/requests/{b_id}/comments"), json!({ "comment": "hi" })).await;
    assert_eq!(code.as_u16(), 404);
    assert_eq!(other.must(Method::GET, "/api/v1/requests", None, 200).await["items"], json!([]));

    // Every step is in the trail.
    drop(server);
    let trail = s.isms(&["--json", "audit-log", "show", "--limit", "1000", "--org", ORG]);
    let entries: Value = serde_json::from_str(&trail.stdout).unwrap();
    let steps = entries.as_array().unwrap().iter().filter(|e| e["entity"] == "evidence_request").count();
    assert_eq!(
        steps,
        2 + 3 + 1 + 2 + 1 + 1 + 2,
        "created ×2, attached ×3, detached, submitted ×2, accepted, returned, comments ×2"
    );
    // The command line reads the same.
    let shown = s.isms(&["request", "show", b_id, "--org", ORG]);
    assert!(shown.stdout.contains("[returned] The log covers August only"), "{}", shown.stdout);
}
