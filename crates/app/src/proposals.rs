//! Implementation statements proposed from an OSCAL component definition (issue 22):
//! importing one proposes, for each Annex A control it reaches (named directly, or
//! through the crosswalk from SP 800-53, SP 800-171 or any framework of the library),
//! the vendor's text as a draft; the control's owner (or the ISMS manager) accepts it
//! into the control's implementation statement or rejects it with a reason. Every
//! step is one transaction and lands in the audit trail.

use std::collections::BTreeMap;

use isms_domain::access::{Grant, UseCase};
use isms_domain::framework::{FrameworkId, ItemRef, PIVOT};
use isms_domain::proposal::{Proposal, ProposalStatus, ProposedFrom};
use isms_oscal::OscalError;
use isms_oscal::component::{framework_of_source, read_component_definition, resolver};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::access::Actor;
use crate::controls::{ControlChange, normalize_control_id, update_control_in};
use crate::frameworks::library;
use crate::registers;
use crate::{AppError, AppResult, Code, Cx};

/// What an import proposed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportReport {
    /// The file.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The component definition's title.
    pub title: String,
    /// Its components.
    pub components: usize,
    /// The controls they implement.
    pub requirements: usize,
    /// The proposals made, one per component and Annex A control.
    pub proposed: Vec<Proposal>,
    /// Proposals already waiting with the same text (an import repeated).
    pub unchanged: usize,
    /// Controls of the definition no Annex A control is reached from (`AC-2 (nist-800-53r5)`).
    pub unreached: Vec<String>,
}

fn import_error(e: &OscalError) -> AppError {
    AppError::new(Code::Import, e.to_string())
}

/// Reads a component definition and proposes its statements: `file` names it in
/// messages and records, `framework` says which framework its controls are of when its
/// `source` does not tell. Malformed JSON, another model, or a control id its framework
/// does not have is refused naming the element, and nothing is stored.
pub async fn import_component_definition(
    cx: &Cx,
    actor: &Actor,
    file: &str,
    bytes: &[u8],
    framework: Option<&str>,
) -> AppResult<ImportReport> {
    if actor.require(UseCase::EditControls)? != Grant::Any {
        return Err(AppError::new(
            Code::Forbidden,
            "importing a component definition proposes statements for any control: the ISMS manager or the owner does it",
        ));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| AppError::new(Code::Import, format!("{file}: not UTF-8 text (byte {})", e.valid_up_to())))?;
    let def = read_component_definition(file, text).map_err(|e| import_error(&e))?;
    let lib = library(cx).await?;
    let known: Vec<(String, String)> = lib.frameworks().iter().map(|f| (f.id.to_string(), f.name.clone())).collect();
    if let Some(f) = framework
        && lib.framework(f.trim()).is_none()
    {
        return Err(AppError::new(
            Code::FrameworkNotFound,
            format!("there is no framework {}; `isms framework list` shows them", f.trim()),
        ));
    }
    // Resolve every control first: one unknown id refuses the whole file.
    let mut unknown: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut resolved: Vec<(usize, String, String, String)> = Vec::new(); // component, framework, item, text
    let mut requirements = 0;
    for (ci, c) in def.components.iter().enumerate() {
        for imp in &c.implementations {
            let fw_id = match framework.map(str::trim) {
                Some(f) => f.to_owned(),
                None => framework_of_source(&imp.source, &known).ok_or_else(|| {
                    import_error(&OscalError::UnknownSource {
                        source_name: file.to_owned(),
                        path: imp.path.clone(),
                        source_href: imp.source.clone(),
                    })
                })?,
            };
            let Some(fw) = lib.framework(&fw_id) else { continue };
            let find = resolver(fw);
            for r in &imp.requirements {
                requirements += 1;
                match find(&r.control_id) {
                    Some(item) => resolved.push((ci, fw_id.clone(), item, r.description.clone())),
                    None => unknown.entry(fw.name.clone()).or_default().push((r.path.clone(), r.control_id.clone())),
                }
            }
        }
    }
    if let Some((name, ids)) = unknown.into_iter().next() {
        return Err(import_error(&OscalError::UnknownControls {
            source_name: file.to_owned(),
            framework: name,
            unknown: ids,
        }));
    }
    // Each requirement reaches Annex A controls: itself, or through the crosswalk.
    let pivot = FrameworkId::parse(PIVOT).map_err(|e| AppError::new(Code::CatalogInvalid, e))?;
    let mut by_control: BTreeMap<(usize, String), (Vec<String>, Vec<ProposedFrom>)> = BTreeMap::new();
    let mut unreached = Vec::new();
    for (ci, fw_id, item, text) in &resolved {
        let hits: Vec<(String, ProposedFrom)> = if fw_id == PIVOT {
            vec![(
                item.clone(),
                ProposedFrom {
                    framework: fw_id.clone(),
                    item: item.clone(),
                    relation: "direct".into(),
                    mappings: vec![],
                },
            )]
        } else {
            let from = ItemRef {
                framework: FrameworkId::parse(fw_id).map_err(|e| AppError::new(Code::Import, e))?,
                item: item.clone(),
            };
            lib.crosswalk(&from, Some(&pivot))
                .map_err(|e| AppError::new(Code::Import, e.to_string()))?
                .into_iter()
                .filter(|h| h.target.item.starts_with("A."))
                .map(|h| {
                    let mut mappings: Vec<String> =
                        h.paths.iter().flat_map(|p| p.steps.iter().map(|s| s.mapping.clone())).collect();
                    mappings.dedup();
                    (
                        h.target.item.clone(),
                        ProposedFrom {
                            framework: fw_id.clone(),
                            item: item.clone(),
                            relation: h.relation.as_str().to_owned(),
                            mappings,
                        },
                    )
                })
                .collect()
        };
        let hits: Vec<_> = hits.into_iter().filter(|(c, _)| c.starts_with("A.")).collect();
        if hits.is_empty() {
            unreached.push(format!("{item} ({fw_id})"));
        }
        for (control, from) in hits {
            let entry = by_control.entry((*ci, control)).or_default();
            if !entry.0.contains(text) {
                entry.0.push(text.clone());
            }
            entry.1.push(from);
        }
    }
    let sha256 = hex(&Sha256::digest(bytes));
    let who = actor.who(cx).await?;
    let today = cx.clock.now().date();
    let org = actor.org();
    let trail = actor.trail();
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let waiting: Vec<Proposal> = registers::list_in::<Proposal>(&mut *tx, org)
        .await?
        .into_iter()
        .filter(|p| p.status == ProposalStatus::Proposed)
        .collect();
    let mut proposed = Vec::new();
    let mut unchanged = 0;
    for ((ci, control), (texts, from)) in by_control {
        let c = &def.components[ci];
        let statement = texts.join("\n\n");
        if waiting.iter().any(|p| p.control == control && p.component == c.title && p.statement == statement) {
            unchanged += 1;
            continue;
        }
        let mut p = Proposal {
            id: String::new(),
            control,
            statement,
            component: c.title.clone(),
            component_type: c.kind.clone(),
            source: def.title.clone(),
            file: file.to_owned(),
            sha256: sha256.clone(),
            from,
            imported_by: who.clone(),
            imported_on: today,
            status: ProposalStatus::Proposed,
            decided_by: None,
            decided_on: None,
            reason: String::new(),
        };
        registers::create_in(&mut *tx, cx, &trail, org, &mut p).await?;
        proposed.push(p);
    }
    tx.commit().await?;
    Ok(ImportReport {
        file: file.to_owned(),
        sha256,
        title: def.title,
        components: def.components.len(),
        requirements,
        proposed,
        unchanged,
        unreached,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The proposals, newest first: all, or those of one status or control.
pub async fn proposals(
    cx: &Cx,
    actor: &Actor,
    status: Option<ProposalStatus>,
    control: Option<&str>,
) -> AppResult<Vec<Proposal>> {
    actor.require(UseCase::ReadIsms)?;
    let control = control.map(normalize_control_id);
    let mut all: Vec<Proposal> = registers::list::<Proposal>(cx, actor.org())
        .await?
        .into_iter()
        .filter(|p| status.is_none_or(|s| p.status == s) && control.as_ref().is_none_or(|c| p.control == *c))
        .collect();
    all.sort_by(|a, b| b.id.len().cmp(&a.id.len()).then(b.id.cmp(&a.id)));
    Ok(all)
}

/// What the control's owner decides.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Take the statement into the control's implementation statement.
    Accept,
    /// Turn it down, saying why.
    Reject(String),
}

/// Accepts or rejects a proposal, in one transaction with the control's change. A
/// control owner decides only on their own controls.
pub async fn decide(cx: &Cx, actor: &Actor, id: &str, decision: Decision) -> AppResult<Proposal> {
    let assigned = actor.require(UseCase::EditControls)? == Grant::Assigned;
    let who = actor.who(cx).await?;
    let today = cx.clock.now().date();
    let org = actor.org();
    let trail = actor.trail();
    let id = id.trim().to_ascii_uppercase();
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let current: Proposal = registers::list_in::<Proposal>(&mut *tx, org)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| AppError::new(Code::NotFound, format!("there is no implementation proposal {id}")))?;
    let record = tx.control_implementation(org, &current.control).await?;
    if assigned && record.as_ref().is_none_or(|r| r.owner.is_none() || r.owner != actor.user()) {
        return Err(AppError::new(
            Code::Forbidden,
            format!("{} is not assigned to you; a control owner decides only on their own controls", current.control),
        ));
    }
    let refused = |e: isms_domain::proposal::ProposalError| AppError::new(Code::Conflict, e.to_string());
    let decided = registers::update_in::<Proposal>(&mut *tx, cx, &trail, org, &id, |p| match &decision {
        Decision::Accept => p.accept(&who, today).map_err(refused),
        Decision::Reject(reason) => p.reject(&who, today, reason).map_err(|e| match e {
            isms_domain::proposal::ProposalError::NoReason => AppError::invalid_field("reason", e.to_string()),
            other => refused(other),
        }),
    })
    .await?;
    if matches!(decision, Decision::Accept) {
        let now = record.map(|r| r.implementation).unwrap_or_default();
        let change = ControlChange { implementation: Some(decided.merged_into(&now)), ..ControlChange::default() };
        update_control_in(&mut *tx, cx, &trail, org, &decided.control, change, None).await?;
    }
    tx.commit().await?;
    Ok(decided)
}
