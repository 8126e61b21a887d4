//! `isms framework ...` and `isms crosswalk`.

use isms_app::Code;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use isms_app::Cx;
use isms_app::frameworks::{self, parse_item_ref};
use isms_domain::framework::Framework;
use serde_json::json;

use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

/// `isms framework` subcommands.
#[derive(Debug, Subcommand)]
pub enum FrameworkCommand {
    /// List the frameworks in the library.
    List,
    /// Show a framework's items, or the part under one item.
    Show(ShowArgs),
    /// Search ids, titles, guidance and official text.
    Search(SearchArgs),
    /// Import an OSCAL catalog (.json) or a framework folder (framework.toml + items.csv).
    Import(ImportArgs),
    /// Add a framework to those an organization works with.
    Adopt(AdoptArgs),
    /// List the frameworks an organization works with.
    InUse(OrgArg),
}

/// Arguments of `isms framework show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Framework id, e.g. iso27001-2022 (see `isms framework list`).
    id: String,
    /// Only the part under this item (any kind).
    #[arg(long, value_name = "ITEM", conflicts_with_all = ["theme", "family", "function"])]
    under: Option<String>,
    /// Only this Annex A theme, e.g. A.8.
    #[arg(long, value_name = "THEME", conflicts_with_all = ["family", "function"])]
    theme: Option<String>,
    /// Only this family, e.g. ac (SP 800-53) or 3.1 (SP 800-171).
    #[arg(long, value_name = "FAMILY", conflicts_with = "function")]
    family: Option<String>,
    /// Only this CSF function, e.g. PR.
    #[arg(long, value_name = "FUNCTION")]
    function: Option<String>,
}

/// Arguments of `isms framework search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find (all must match).
    #[arg(required = true)]
    words: Vec<String>,
    /// Only in this framework.
    #[arg(long, value_name = "ID")]
    framework: Option<String>,
    /// At most this many results.
    #[arg(long, default_value_t = 25)]
    limit: usize,
}

/// Arguments of `isms framework import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// An OSCAL catalog (.json) or a folder holding framework.toml and items.csv.
    path: PathBuf,
    /// Framework id for an OSCAL import (default: derived from the file name).
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// Tag the controls an OSCAL profile selects, e.g. --baseline moderate=profile.json.
    #[arg(long, value_name = "NAME=PROFILE")]
    baseline: Vec<String>,
    /// Also write the framework in the isms folder format to this directory.
    #[arg(long, value_name = "DIR")]
    export: Option<PathBuf>,
    /// Check and convert only; store nothing.
    #[arg(long)]
    dry_run: bool,
}

pub use super::OrgArg;

/// Arguments of `isms framework adopt`.
#[derive(Debug, Args)]
pub struct AdoptArgs {
    /// Framework id.
    id: String,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms crosswalk`.
#[derive(Debug, Args)]
pub struct CrosswalkArgs {
    /// The item, as framework:id (e.g. iso27001-2022:A.5.15 or nist-csf-2.0:PR.AA-01).
    item: String,
    /// Only map to this framework.
    #[arg(long, value_name = "FRAMEWORK")]
    to: Option<String>,
}

/// Runs a framework subcommand.
pub async fn run(config: &Config, command: FrameworkCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| match command {
        FrameworkCommand::List => list(cx, out).await,
        FrameworkCommand::Show(args) => show(cx, args, out).await,
        FrameworkCommand::Search(args) => search(cx, args, out).await,
        FrameworkCommand::Import(args) => import(cx, args, out).await,
        FrameworkCommand::Adopt(args) => adopt(cx, args, out).await,
        FrameworkCommand::InUse(args) => in_use(cx, args, out).await,
    })
    .await
}

async fn list(cx: &Cx, out: &Out) -> Result<ExitCode, CliError> {
    let all = frameworks::list_frameworks(cx).await?;
    out.doc(&all);
    out.line(format!("{:<16} {:<44} {}", "ID", "NAME", "ITEMS"));
    for f in &all {
        let counts: Vec<String> = f.counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let name = if f.imported { format!("{} (imported)", f.name) } else { f.name.clone() };
        out.line(format!("{:<16} {:<44} {}", f.id, name, counts.join(", ")));
    }
    Ok(ExitCode::SUCCESS)
}

async fn show(cx: &Cx, args: ShowArgs, out: &Out) -> Result<ExitCode, CliError> {
    let under = args.under.or(args.theme).or(args.family).or(args.function);
    let fw = frameworks::show_framework(cx, &args.id, under.as_deref()).await?;
    out.doc(&fw);
    out.line(format!("{} — {} ({} items)", fw.id, fw.name, fw.items.len()));
    let depth_of = |fw: &Framework, id: &str| {
        let mut depth = 0usize;
        let mut current = fw.items.iter().find(|i| i.id == id).and_then(|i| i.parent.clone());
        while let Some(p) = current {
            depth += 1;
            current = fw.items.iter().find(|i| i.id == p).and_then(|i| i.parent.clone());
        }
        depth
    };
    let base = fw.items.first().map_or(0, |i| depth_of(&fw, &i.id));
    for item in &fw.items {
        let indent = "  ".repeat(depth_of(&fw, &item.id).saturating_sub(base));
        out.line(format!("{indent}{:<12} {}", item.id, item.title));
    }
    Ok(ExitCode::SUCCESS)
}

async fn search(cx: &Cx, args: SearchArgs, out: &Out) -> Result<ExitCode, CliError> {
    let hits = frameworks::search(cx, &args.words.join(" "), args.framework.as_deref(), args.limit).await?;
    out.doc(&hits);
    if hits.is_empty() {
        out.line("No items match.");
    }
    for h in &hits {
        out.line(format!("{:<36} {}", h.item.to_string(), h.title));
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(cx: &Cx, args: ImportArgs, out: &Out) -> Result<ExitCode, CliError> {
    let framework = read_framework(&args)?;
    if let Some(dir) = &args.export {
        export(&framework, dir)?;
        out.line(format!("Wrote {} items to {}.", framework.items.len(), dir.display()));
    }
    if args.dry_run {
        out.doc(&json!({ "id": framework.id, "items": framework.items.len(), "stored": false }));
        out.line(format!(
            "{} ({} items) is valid; nothing was stored (--dry-run).",
            framework.id,
            framework.items.len()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let origin = args.path.display().to_string();
    let summary = frameworks::import_framework(cx, framework, &origin).await?;
    out.doc(&summary);
    let counts: Vec<String> = summary.counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    out.line(format!("Imported {} — {} ({}).", summary.id, summary.name, counts.join(", ")));
    Ok(ExitCode::SUCCESS)
}

fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::bad_input(Code::Import, format!("cannot read {}: {}", path.display(), io_reason(&e))))
}

fn read_framework(args: &ImportArgs) -> Result<Framework, CliError> {
    let path = &args.path;
    if path.is_dir() {
        let header = read(&path.join("framework.toml"))?;
        let items = read(&path.join("items.csv"))?;
        return isms_catalog::parse_framework(&path.display().to_string(), &header, &items)
            .map_err(|e| CliError::bad_input(Code::Import, e.to_string()));
    }
    let json = read(path)?;
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let id = args.id.clone().unwrap_or_else(|| derive_id(&name));
    let mut fw = isms_oscal::import_catalog(&path.display().to_string(), &json, &id)
        .map_err(|e| CliError::bad_input(Code::Import, e.to_string()))?;
    for spec in &args.baseline {
        let (label, profile) = spec.split_once('=').ok_or_else(|| {
            CliError::bad_input(
                Code::Import,
                format!("--baseline {spec:?} must be NAME=PROFILE, e.g. moderate=profile.json"),
            )
        })?;
        let profile_path = Path::new(profile);
        let ids = isms_oscal::baseline_ids(profile, &read(profile_path)?)
            .map_err(|e| CliError::bad_input(Code::Import, e.to_string()))?;
        let missing = isms_oscal::tag_items(&mut fw, "baseline", label, &ids);
        if !missing.is_empty() {
            tracing::warn!(baseline = label, missing = ?missing, "profile selects controls the catalog does not have");
        }
    }
    Ok(fw)
}

/// `NIST_SP-800-53_rev5_catalog.json` → `nist-sp-800-53-rev5-catalog`.
fn derive_id(file_name: &str) -> String {
    let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
    let mut id: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    while id.contains("--") {
        id = id.replace("--", "-");
    }
    let id = id.trim_matches('-').chars().take(64).collect::<String>();
    if id.starts_with(|c: char| c.is_ascii_lowercase()) { id } else { format!("f-{id}") }
}

fn export(fw: &Framework, dir: &Path) -> Result<(), CliError> {
    let fail =
        |e: &dyn std::fmt::Display| CliError::error(Code::Export, format!("cannot write to {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(|e| fail(&io_reason(&e)))?;
    let kind = serde_json::to_value(fw.kind).ok().and_then(|v| v.as_str().map(ToOwned::to_owned)).unwrap_or_default();
    let header = format!(
        "id = {:?}\nname = {:?}\nversion = {:?}\npublisher = {:?}\nkind = {:?}\ncertifiable = {}\ndescription = {:?}\nprovenance = {:?}\n",
        fw.id.as_str(),
        fw.name,
        fw.version,
        fw.publisher,
        kind,
        fw.certifiable,
        fw.description,
        fw.provenance
    );
    std::fs::write(dir.join("framework.toml"), header).map_err(|e| fail(&io_reason(&e)))?;
    let file = std::fs::File::create(dir.join("items.csv")).map_err(|e| fail(&io_reason(&e)))?;
    isms_catalog::write_items_csv(fw, std::io::BufWriter::new(file)).map_err(|e| fail(&e))?;
    Ok(())
}

async fn adopt(cx: &Cx, args: AdoptArgs, out: &Out) -> Result<ExitCode, CliError> {
    let org = super::resolve_org(cx, &args.org.org).await?;
    frameworks::adopt_framework(cx, &isms_app::access::Actor::operator(org, "isms framework adopt"), &args.id).await?;
    out.doc(&json!({ "organization": org, "adopted": args.id }));
    out.line(format!("{} is now in use by {}.", args.id, args.org.org.as_deref().unwrap_or("the organization")));
    Ok(ExitCode::SUCCESS)
}

async fn in_use(cx: &Cx, args: OrgArg, out: &Out) -> Result<ExitCode, CliError> {
    let org = super::resolve_org(cx, &args.org).await?;
    let ids = frameworks::frameworks_in_use(cx, &super::reader(org)).await?;
    out.doc(&ids);
    for id in &ids {
        out.line(id.to_string());
    }
    Ok(ExitCode::SUCCESS)
}

/// `isms crosswalk <framework:item> [--to framework]`
pub async fn crosswalk(config: &Config, args: CrosswalkArgs, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        let from = parse_item_ref(&args.item)?;
        let hits = frameworks::crosswalk(cx, &from, args.to.as_deref()).await?;
        out.doc(&json!({ "from": from, "hits": hits }));
        if hits.is_empty() {
            out.line(format!(
                "{from} maps to nothing{}.",
                args.to.as_deref().map_or(String::new(), |t| format!(" in {t}"))
            ));
        }
        for h in &hits {
            let how = if h.direct { "direct".to_owned() } else { format!("transitive, {} path(s)", h.paths.len()) };
            out.line(format!("{:<36} {:<12} {:<24} {}", h.target.to_string(), h.relation.as_str(), how, h.title));
            for p in h.paths.iter().filter(|p| p.steps.len() > 1) {
                let via: Vec<String> = p.steps.iter().skip(1).map(|s| s.from.to_string()).collect();
                out.line(format!("    via {} ({})", via.join(" → "), p.relation.as_str()));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::derive_id;

    #[test]
    fn ids_are_derived_from_file_names() {
        assert_eq!(derive_id("NIST_SP-800-53_rev5_catalog.json"), "nist-sp-800-53-rev5-catalog");
        assert_eq!(derive_id("800-171.json"), "f-800-171");
    }
}
