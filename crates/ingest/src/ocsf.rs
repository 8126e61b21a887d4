//! OCSF 1.x findings (Prowler's OCSF output, Security Hub exports converted to OCSF):
//! a JSON array of Detection (or Compliance) Finding objects, or one. The status is
//! `status_code` (PASS / FAIL / MANUAL), else the `compliance.status`; a muted finding
//! (`status` Suppressed) is not applicable. The requirements come from Prowler's
//! `unmapped.compliance` (framework → ids) and OCSF's `compliance` object.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::json::{Walk, records};
use crate::{CheckResult, Found, IngestError, Outcome, Reference, Severity, Sink, Source, sp800_53};

#[derive(Deserialize)]
struct Finding {
    #[serde(default)]
    status_code: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    status_id: Option<u32>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    status_detail: Option<String>,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    finding_info: Option<FindingInfo>,
    #[serde(default)]
    resources: Vec<Resource>,
    #[serde(default)]
    unmapped: Option<Unmapped>,
    #[serde(default)]
    compliance: Option<Compliance>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    event_code: Option<String>,
    #[serde(default)]
    product: Option<Product>,
}

#[derive(Deserialize)]
struct Product {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
struct FindingInfo {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    uid: Option<String>,
}

#[derive(Deserialize)]
struct Resource {
    #[serde(default)]
    uid: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct Unmapped {
    #[serde(default)]
    compliance: Option<BTreeMap<String, Vec<String>>>,
}

#[derive(Deserialize)]
struct Compliance {
    #[serde(default)]
    requirements: Vec<String>,
    #[serde(default)]
    standards: Vec<String>,
    #[serde(default)]
    status: Option<String>,
}

/// The library's framework for a compliance key (`NIST-800-53-Revision-5`,
/// `ISO27001-2022`), and how its ids read.
fn framework(key: &str) -> String {
    let k = key.to_ascii_lowercase();
    if k.contains("800-53") || k.contains("800_53") {
        if k.contains("revision-4") || k.contains("rev4") || k.contains("r4") {
            "nist-800-53r4"
        } else {
            "nist-800-53r5"
        }
        .to_owned()
    } else if k.contains("800-171") {
        "nist-800-171r2".to_owned()
    } else if k.contains("27001") && k.contains("2013") {
        "iso27001-2013".to_owned()
    } else if k.contains("27001") {
        "iso27001-2022".to_owned()
    } else if k.contains("csf") {
        "nist-csf-2.0".to_owned()
    } else {
        k
    }
}

fn references_for(key: &str, ids: &[String], out: &mut Vec<Reference>) {
    let fw = framework(key);
    for id in ids {
        let id = if fw.starts_with("nist-800-53") {
            match sp800_53(id) {
                Some(i) => i,
                None => continue,
            }
        } else if fw == "nist-800-171r2" {
            id.trim().replace('_', ".")
        } else {
            id.trim().to_owned()
        };
        let r = Reference { framework: fw.clone(), id };
        if !r.id.is_empty() && !out.contains(&r) {
            out.push(r);
        }
    }
}

pub(crate) fn read(file: &str, source: &dyn Source, sink: &mut Sink<'_>) -> Result<Found, IngestError> {
    let walk = Walk::new(file);
    let found = RefCell::new(Found::default());
    let bad = RefCell::new(None::<(String, String)>);
    let input = source.open().map_err(|e| IngestError::Io { file: file.to_owned(), source: e })?;
    let mut each = |f: Finding| -> Result<(), String> {
        if found.borrow().tool.is_empty()
            && let Some(p) = f.metadata.as_ref().and_then(|m| m.product.as_ref())
        {
            let mut fd = found.borrow_mut();
            fd.tool = p.name.clone().unwrap_or_default();
            fd.version = p.version.clone().unwrap_or_default();
        }
        let status = f
            .status_code
            .clone()
            .or_else(|| f.compliance.as_ref().and_then(|c| c.status.clone()))
            .unwrap_or_default()
            .to_ascii_uppercase();
        let muted = f.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("suppressed")) || f.status_id == Some(3);
        let outcome = match status.as_str() {
            _ if muted => Outcome::NotApplicable,
            "PASS" => Outcome::Pass,
            "FAIL" => Outcome::Fail,
            "MANUAL" | "WARNING" | "UNKNOWN" => Outcome::Error,
            other => {
                let message = if other.is_empty() {
                    "an OCSF finding has no status_code".to_owned()
                } else {
                    format!("{other:?} is not an OCSF status code (PASS, FAIL or MANUAL)")
                };
                *bad.borrow_mut() = Some((format!("{}.status_code", walk.at.borrow()), message.clone()));
                return Err(message);
            }
        };
        let mut references = Vec::new();
        if let Some(map) = f.unmapped.as_ref().and_then(|u| u.compliance.as_ref()) {
            for (key, ids) in map {
                references_for(key, ids, &mut references);
            }
        }
        if let Some(c) = &f.compliance {
            for s in &c.standards {
                references_for(s, &c.requirements, &mut references);
            }
        }
        let rule = f
            .metadata
            .as_ref()
            .and_then(|m| m.event_code.clone())
            .or_else(|| f.finding_info.as_ref().and_then(|i| i.uid.clone()))
            .unwrap_or_else(|| "(no rule)".to_owned());
        let target = f
            .resources
            .iter()
            .find_map(|r| r.uid.clone().or_else(|| r.name.clone()))
            .unwrap_or_else(|| "(no resource)".to_owned());
        sink(CheckResult {
            rule,
            title: f.finding_info.as_ref().and_then(|i| i.title.clone()).unwrap_or_default(),
            target,
            outcome,
            severity: Severity::parse(f.severity.as_deref().unwrap_or_default()),
            message: f.status_detail.clone().or_else(|| f.message.clone()).unwrap_or_default(),
            references,
        })
    };
    records::<Finding>(&walk, input, None, &mut each, &mut |_, _| {}).map_err(|e| {
        match (bad.borrow_mut().take(), e) {
            // A refusal of ours (no status) is a malformed file, not a storage stop.
            (Some((element, message)), IngestError::Stopped { file, .. }) => {
                IngestError::Malformed { file, element, message }
            }
            (_, e) => e,
        }
    })?;
    Ok(found.into_inner())
}
