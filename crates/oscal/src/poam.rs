//! The open corrective actions and risk treatment actions as an OSCAL 1.1.3 plan of
//! action and milestones.

use serde_json::{Value, json};

use crate::export::{NS, metadata, uuid_for};

/// One open item: a nonconformity's corrective action or a risk treatment action.
#[derive(Debug, Clone)]
pub struct PoamItem {
    /// What it is known by (`FND-002`, `RSK-004 action 1`): its stable key.
    pub key: String,
    /// Its title.
    pub title: String,
    /// What is wrong and what is being done.
    pub description: String,
    /// `nonconformity` or `risk-treatment`.
    pub kind: &'static str,
    /// More facts as (name, value) props in the isms namespace: owner, due date,
    /// grade, status, residual level.
    pub props: Vec<(&'static str, String)>,
    /// Anything else.
    pub remarks: Option<String>,
}

/// The plan of action and milestones. `ssp_href` names the SSP it belongs to.
pub fn poam(org_id: &str, org_name: &str, items: &[PoamItem], ssp_href: &str, last_modified: &str) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|i| {
            let mut props =
                vec![json!({ "name": "label", "value": i.key }), json!({ "name": "kind", "ns": NS, "value": i.kind })];
            for (name, value) in &i.props {
                let v = value.split_whitespace().collect::<Vec<_>>().join(" ");
                if !v.is_empty() {
                    props.push(json!({ "name": name, "ns": NS, "value": v }));
                }
            }
            let mut item = json!({
                "uuid": uuid_for(org_id, &format!("poam-item:{}", i.key)),
                "title": i.title,
                "description": i.description,
                "props": props,
            });
            if let Some(r) = i.remarks.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
                item["remarks"] = json!(r);
            }
            item
        })
        .collect();
    json!({ "plan-of-action-and-milestones": {
        "uuid": uuid_for(org_id, "poam"),
        "metadata": metadata(
            &format!("{org_name} — plan of action and milestones"),
            "1",
            last_modified,
            Some("The open corrective actions of nonconformities (ISO/IEC 27001:2022 10.2) and the open actions of the risk treatment plan (6.1.3), from isms."),
        ),
        "import-ssp": { "href": ssp_href },
        "poam-items": items,
    }})
}
