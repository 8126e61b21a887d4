//! Day-one work in the pages, over real HTTP with a signed-in session: a document with
//! template placeholders is approved only after the approver confirms them, evidence
//! links are added from the evidence page (a refused one keeps what was typed),
//! evidence is uploaded from an audit's page, and people are shown by name.

use reqwest::{StatusCode, header};

use crate::support::{ApiClient, Sandbox};

const OWNER: &str = "dana.whitfield@cedarridge.example";

/// Posts a page form (the CSRF token first, as browsers send it); answers the status,
/// where it redirects to, and the page.
async fn form(api: &ApiClient, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
    let client = crate::support::client().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut all = vec![("csrf", api.csrf.as_str())];
    all.extend_from_slice(fields);
    let r =
        client.post(format!("{}{path}", api.base)).header(header::COOKIE, &api.cookie).form(&all).send().await.unwrap();
    let status = r.status();
    let to = r.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, to, r.text().await.unwrap())
}

async fn page(api: &ApiClient, path: &str) -> String {
    let (status, body) = api.get(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body.as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_compliance_leads_day_one_in_the_pages() {
    let s = Sandbox::new();
    let server = s.serve(&["--demo"], &[]);
    let api = ApiClient::sign_in(server.url("").trim_end_matches('/'), OWNER, "isms-demo").await;

    // A policy still holding template placeholders: approving it asks for a confirmation.
    let (status, to, body) = form(
        &api,
        "/documents",
        &[
            ("title", "Clean desk policy"),
            ("type", "policy"),
            ("owner", OWNER),
            ("text", "Owner: [name]. Effective [YYYY-MM-DD]. See [the standard](https://example.com)."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let id = to.trim_start_matches("/documents/").split('?').next().unwrap().to_owned();
    assert_eq!(form(&api, &format!("/documents/{id}/step"), &[("action", "submit")]).await.0, StatusCode::SEE_OTHER);
    let shown = page(&api, &format!("/documents/{id}")).await;
    assert!(shown.contains(r#"id="placeholders-warning""#), "{shown}");
    assert!(
        shown.contains("<code>[name]</code>, <code>[YYYY-MM-DD]</code>."),
        "the link is not a placeholder: {shown}"
    );
    let (status, _, refused) = form(&api, &format!("/documents/{id}/step"), &[("action", "approve")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("template placeholders ([name], [YYYY-MM-DD])"), "{refused}");
    let doc = api.must(reqwest::Method::GET, &format!("/api/v1/documents/{id}"), None, 200).await;
    assert!(doc["versions"][0]["approval"].is_null(), "nothing was approved: {doc}");
    let (status, _, _) =
        form(&api, &format!("/documents/{id}/step"), &[("action", "approve"), ("placeholders_checked", "yes")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let shown = page(&api, &format!("/documents/{id}")).await;
    assert!(shown.contains(r#"title="dana.whitfield@cedarridge.example">Dana Whitfield</dd>"#), "the owner by name");

    // An evidence link from the evidence page; the control picked by id and words.
    let (status, _, refused) = form(
        &api,
        "/evidence/link",
        &[
            ("title", "Q3 access review"),
            ("control", "A.5.18 Access rights"),
            ("url", "not a link"),
            ("valid_for_days", "90"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.contains(r#"id="link-problems""#) && refused.contains(r#"value="Q3 access review""#), "{refused}");
    let (status, to, body) = form(
        &api,
        "/evidence/link",
        &[
            ("title", "Q3 access review"),
            ("control", "A.5.18 Access rights"),
            ("url", "https://tickets.example.com/SEC-1234"),
            ("valid_for_days", "90"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let ev = to.rsplit('#').next().unwrap().to_owned();
    let stored = api.must(reqwest::Method::GET, &format!("/api/v1/evidence/{ev}"), None, 200).await;
    assert_eq!(stored["targets"][0]["id"], "A.5.18", "{stored}");
    let listed = page(&api, "/evidence").await;
    assert!(listed.contains(&format!(r#"<tr id="{ev}">"#)) && listed.contains("https://tickets.example.com/SEC-1234"));

    // Evidence uploaded from an audit's page lands on that audit and returns there.
    let (kind, body) = crate::support::multipart(
        &[
            ("csrf", api.csrf.as_bytes()),
            ("audit", b"AUD-001"),
            ("title", b"Sampled access reviews"),
            ("control", b"A.5.18 Access rights"),
        ],
        true,
    );
    let client = crate::support::client().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client
        .post(format!("{}/evidence", api.base))
        .header(header::COOKIE, &api.cookie)
        .header(header::CONTENT_TYPE, kind)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(to.starts_with("/audits/AUD-001?done="), "{to}");
    let audit = page(&api, "/audits/AUD-001").await;
    assert!(audit.contains("Sampled access reviews") && audit.contains(r#"id="audit-evidence-form""#), "{audit}");

    // People by name, not by address, in the register and the owner pickers.
    let risks = page(&api, "/risks").await;
    assert!(!risks.contains("<td>dana.whitfield@cedarridge.example</td>"), "owners by name in the register");
    let risk = page(&api, "/risks/RSK-001").await;
    let picker = risk.split(r#"<select id="owner""#).nth(1).unwrap().split("</select>").next().unwrap();
    assert!(!picker.contains("sam.okafor@certbody.example"), "an auditor cannot own a risk: {picker}");
}

/// Text a person reads on a page: the markup, scripts, form controls and code removed.
fn visible(html: &str) -> String {
    let mut text = html.to_owned();
    for tag in ["script", "style", "code", "pre", "textarea", "select", "datalist", "svg", "title"] {
        while let Some(start) = text.find(&format!("<{tag}")) {
            let close = format!("</{tag}>");
            let Some(end) = text[start..].find(&close) else { break };
            text.replace_range(start..start + end + close.len(), " ");
        }
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&#x27;", "'").replace("&quot;", "\"")
}

/// A stored value shown raw: a lower-case word with underscores (`in_progress`).
fn machine_words(text: &str) -> Vec<String> {
    text.split(|c: char| {
        !(c.is_ascii_alphanumeric() || c == '_' || c == '@' || c == '.' || c == '/' || c == '-' || c == ':')
    })
    .filter(|w| {
        w.contains('_')
            && !w.contains(['@', '.', '/', ':'])
            && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && !w.starts_with('_')
    })
    .map(str::to_owned)
    .collect()
}

/// Every page a signed-in owner reaches by following links answers, shows stored values
/// in words, and names members rather than showing their addresses (except where the
/// address is the point: members, tokens and the trail).
#[tokio::test]
async fn every_linked_page_answers_in_words_and_names_people() {
    let s = Sandbox::new();
    let server = s.serve(&["--demo"], &[]);
    let api = ApiClient::sign_in(server.url("").trim_end_matches('/'), OWNER, "isms-demo").await;
    let members: Vec<String> = api.must(reqwest::Method::GET, "/api/v1/members", None, 200).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap().to_owned())
        .collect();
    assert!(members.len() >= 5, "{members:?}");
    let mut todo = vec!["/dashboard".to_owned()];
    let mut seen = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    while let Some(path) = todo.pop() {
        if seen.len() >= 250 || !seen.insert(path.clone()) {
            continue;
        }
        let html = page(&api, &path).await;
        for link in html.split("href=\"").skip(1).filter_map(|l| l.split('"').next()) {
            let link = link.replace("&amp;", "&");
            let skip = !link.starts_with('/')
                || link.starts_with("/api/")
                || link.starts_with("/assets/")
                || link.contains("page=")
                || link.contains('#')
                || link.matches('/').count() > 3
                || (link.contains('?') && !link.starts_with("/crosswalk"));
            if !skip && !seen.contains(&link) {
                todo.push(link);
            }
        }
        let text = visible(&html);
        for w in machine_words(&text) {
            problems.push(format!("{path}: shows the stored value {w:?}"));
        }
        if !["/members", "/tokens", "/audit-log"].iter().any(|p| path.starts_with(p)) {
            for m in &members {
                if text.contains(m.as_str()) {
                    problems.push(format!("{path}: shows {m} rather than a name"));
                }
            }
        }
    }
    assert!(seen.len() > 100, "the crawl reached {} pages", seen.len());
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
