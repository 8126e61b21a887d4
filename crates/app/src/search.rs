//! One search over the organization's records and the framework library: controls,
//! risks, documents, evidence, assets, findings and the requirements of every
//! framework, by id or by words.

use isms_domain::access::UseCase;
use isms_domain::asset::Asset;
use serde::Serialize;

use crate::access::Actor;
use crate::{AppResult, Cx};

/// One thing found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Found {
    /// What kind: `control`, `risk`, `document`, `evidence`, `asset`, `finding` or
    /// `requirement`.
    pub kind: &'static str,
    /// Its id (`A.8.13`, `RSK-004`, `nist-csf-2.0:PR.DS-11`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where it is in the web application (a path).
    pub link: String,
}

/// The most hits of each kind.
const PER_KIND: usize = 20;

/// True when every word of the query is in one of `texts` (case-insensitive).
fn matches(words: &[String], texts: &[&str]) -> bool {
    let hay = texts.join(" ").to_lowercase();
    words.iter().all(|w| hay.contains(w.as_str()))
}

/// Searches the organization's records and the library for every word of `query`.
pub async fn search(cx: &Cx, actor: &Actor, query: &str) -> AppResult<Vec<Found>> {
    actor.require(UseCase::ReadIsms)?;
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut add = |kind: &'static str, hits: Vec<(String, String, String)>| {
        out.extend(hits.into_iter().take(PER_KIND).map(|(id, title, link)| Found { kind, id, title, link }));
    };
    let controls = crate::controls::list_controls(cx, actor).await?;
    add(
        "control",
        controls
            .iter()
            .filter(|c| matches(&words, &[&c.record.control, &c.title, &c.record.implementation]))
            .map(|c| (c.record.control.clone(), c.title.clone(), format!("/controls/{}", c.record.control)))
            .collect(),
    );
    let risks = crate::risks::list_risks(cx, actor).await?;
    add(
        "risk",
        risks
            .iter()
            .map(|r| &r.risk)
            .filter(|r| matches(&words, &[&r.id, &r.title, &r.threat, &r.vulnerability, &r.description]))
            .map(|r| (r.id.clone(), r.title.clone(), format!("/risks/{}", r.id)))
            .collect(),
    );
    let documents = crate::documents::list_documents(cx, actor).await?;
    add(
        "document",
        documents
            .iter()
            .filter(|d| matches(&words, &[&d.id, &d.title]))
            .map(|d| (d.id.clone(), d.title.clone(), format!("/documents/{}", d.id)))
            .collect(),
    );
    let evidence = crate::evidence::list_evidence(cx, actor).await?;
    add(
        "evidence",
        evidence
            .iter()
            .filter(|e| matches(&words, &[&e.id, &e.title, &e.note]))
            .map(|e| (e.id.clone(), e.title.clone(), format!("/evidence#{}", e.id)))
            .collect(),
    );
    let assets = crate::registers::entries::<Asset>(cx, actor).await?;
    add(
        "asset",
        assets
            .iter()
            .filter(|a| matches(&words, &[&a.id, &a.name, &a.description]))
            .map(|a| (a.id.clone(), a.name.clone(), format!("/assets/{}", a.id)))
            .collect(),
    );
    let findings = crate::certification::findings(cx, actor).await?;
    add(
        "finding",
        findings
            .iter()
            .filter(|f| matches(&words, &[&f.id, &f.requirement, &f.description]))
            .map(|f| (f.id.clone(), f.description.clone(), format!("/findings/{}", f.id)))
            .collect(),
    );
    let requirements = crate::frameworks::search(cx, query, None, PER_KIND).await?;
    add(
        "requirement",
        requirements
            .into_iter()
            .map(|h| {
                let id = h.item.to_string();
                let link = format!("/crosswalk?item={id}");
                (id, h.title, link)
            })
            .collect(),
    );
    Ok(out)
}
