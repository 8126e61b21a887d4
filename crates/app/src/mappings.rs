//! Mapping files per tool (docs/monitoring.md): which Annex A controls a rule is
//! evidence for when its results name no requirement. isms ships some; an installation
//! adds or replaces them with files in its mappings directory (`<data_dir>/mappings`),
//! each with its provenance. Every run records the mapping it used, by name and SHA-256.

use std::path::Path;

use isms_domain::access::UseCase;
use isms_domain::framework::PIVOT;
use isms_ingest::mapping::{Provenance, SHIPPED, ToolMapping, parse};
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::access::Actor;
use crate::controls::normalize_control_id;
use crate::frameworks::library;
use crate::{AppError, AppResult, Code, Cx};

/// A mapping file as isms reads it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MappingUsed {
    /// Its name (the file's stem: `checkov`).
    pub name: String,
    /// What it maps.
    pub title: String,
    /// `shipped` with isms, or `local` (the installation's mappings directory).
    pub origin: String,
    /// The SHA-256 of the file's text.
    pub sha256: String,
}

/// A mapping file with its provenance, for the list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MappingView {
    /// Name, title, origin and hash.
    #[serde(flatten)]
    pub used: MappingUsed,
    /// The tool it is for (`*` wildcard).
    pub tool: String,
    /// Who wrote it, how, when, from what.
    #[cfg_attr(feature = "schema", schemars(with = "serde_json::Value"))]
    pub provenance: Provenance,
    /// How many rules it maps.
    pub rules: usize,
    /// A shipped file replaced by a local one of the same name.
    pub replaced: bool,
}

/// A mapping in force: the file read, and what it is.
#[derive(Debug, Clone)]
pub(crate) struct Active {
    pub mapping: ToolMapping,
    pub used: MappingUsed,
    pub text: String,
}

fn digest(text: &str) -> String {
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Every mapping in force, local files first (they replace shipped ones of the same
/// name), then the shipped ones, each checked: a file that does not parse, or names a
/// control Annex A does not have, is refused naming the file and where.
pub(crate) async fn active(cx: &Cx) -> AppResult<Vec<Active>> {
    let lib = library(cx).await?;
    let mut out: Vec<Active> = Vec::new();
    let mut read = |name: &str, text: String, origin: &str| -> AppResult<()> {
        let mut mapping = parse(name, &text).map_err(|m| AppError::new(Code::Import, format!("mapping file {m}")))?;
        for (i, r) in mapping.rules.iter_mut().enumerate() {
            for c in &mut r.controls {
                let id = normalize_control_id(c);
                if !c.trim().to_ascii_uppercase().starts_with('A')
                    || lib.item(PIVOT, &id).is_none_or(|item| item.kind.is_grouping())
                {
                    return Err(AppError::new(
                        Code::Import,
                        format!("mapping file {name}: rules[{i}] ({}): {c:?} is not an Annex A control", r.rule),
                    ));
                }
                *c = id;
            }
        }
        if out.iter().any(|a| a.mapping.name == mapping.name) {
            return Ok(()); // a local file of that name replaces the shipped one
        }
        let used = MappingUsed {
            name: mapping.name.clone(),
            title: mapping.title.clone(),
            origin: origin.to_owned(),
            sha256: digest(&text),
        };
        out.push(Active { mapping, used, text });
        Ok(())
    };
    if let Some(dir) = &cx.mappings {
        for (name, text) in local_files(dir)? {
            read(&name, text, "local")?;
        }
    }
    for (name, text) in SHIPPED {
        read(name, text.to_owned(), "shipped")?;
    }
    Ok(out)
}

fn local_files(dir: &Path) -> AppResult<Vec<(String, String)>> {
    let io = |e: std::io::Error| {
        AppError::new(Code::Import, format!("the mappings directory {} cannot be read: {e}", dir.display()))
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(io)?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else { continue };
        if !name.ends_with(".toml") || name.starts_with('.') {
            continue;
        }
        out.push((name, std::fs::read_to_string(&path).map_err(io)?));
    }
    out.sort();
    Ok(out)
}

/// Every mapping file in force (and the shipped ones replaced), with its provenance.
pub async fn mappings(cx: &Cx, actor: &Actor) -> AppResult<Vec<MappingView>> {
    actor.require(UseCase::ReadIsms)?;
    let all = active(cx).await?;
    let view = |a: &Active, replaced: bool| MappingView {
        used: a.used.clone(),
        tool: a.mapping.tool.clone(),
        provenance: a.mapping.provenance.clone(),
        rules: a.mapping.rules.len(),
        replaced,
    };
    let mut out: Vec<MappingView> = all.iter().map(|a| view(a, false)).collect();
    for (name, text) in SHIPPED {
        let stem = name.trim_end_matches(".toml");
        if all.iter().any(|a| a.used.name == stem && a.used.origin == "local")
            && let Ok(mapping) = parse(name, text)
        {
            let used = MappingUsed {
                name: stem.to_owned(),
                title: mapping.title.clone(),
                origin: "shipped".to_owned(),
                sha256: digest(text),
            };
            out.push(view(&Active { mapping, used, text: (*text).to_owned() }, true));
        }
    }
    Ok(out)
}

/// One mapping file's text as in force (to copy into the mappings directory and edit).
pub async fn mapping_text(cx: &Cx, actor: &Actor, name: &str) -> AppResult<String> {
    actor.require(UseCase::ReadIsms)?;
    let stem = name.trim().trim_end_matches(".toml");
    active(cx)
        .await?
        .into_iter()
        .find(|a| a.used.name == stem)
        .map(|a| a.text)
        .ok_or_else(|| AppError::new(Code::NotFound, format!("there is no mapping file {stem}")))
}
