//! `isms asset`: the asset inventory and its classification scheme.

use super::*;
use isms_app::assets;
use isms_app::reviews;

/// `isms asset` subcommands.
#[derive(Debug, Subcommand)]
pub enum AssetCommand {
    /// List the asset inventory (A.5.9).
    List(AssetListArgs),
    /// Show one asset.
    Show(AssetShowArgs),
    /// Add an asset.
    Add(AssetAddArgs),
    /// Import assets from CSV (nothing is stored if any row is bad, unless --skip-bad-rows).
    Import(AssetImportArgs),
    /// Change an asset's fields.
    Set(Box<AssetSetArgs>),
    /// Delete an asset.
    Delete(DeleteArgs),
    /// Show the classification scheme, or set its levels (lowest first).
    Classification(ClassificationArgs),
}

/// Arguments of `isms asset set`.
#[derive(Debug, Args)]
pub struct AssetSetArgs {
    /// The asset's id (AST-…).
    id: String,
    #[command(flatten)]
    org: OrgArg,
    /// New name.
    #[arg(long)]
    name: Option<String>,
    /// New owner e-mail (a member).
    #[arg(long)]
    owner: Option<String>,
    /// New classification level.
    #[arg(long)]
    classification: Option<String>,
    /// New C,I,A values (1–4 each).
    #[arg(long, value_name = "C,I,A")]
    cia: Option<String>,
    /// planned, in_use, retiring or retired.
    #[arg(long)]
    lifecycle: Option<String>,
    /// New description.
    #[arg(long)]
    description: Option<String>,
    #[command(flatten)]
    who: AsArg,
}

/// Arguments of `isms asset classification`.
#[derive(Debug, Args)]
pub struct ClassificationArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Set the levels, lowest first, comma-separated (e.g. Public,Internal,Confidential,Restricted).
    #[arg(long, value_name = "LIST")]
    levels: Option<String>,
    #[command(flatten)]
    who: AsArg,
}

fn parse_cia(text: &str) -> Result<(u8, u8, u8), CliError> {
    let values: Vec<u8> = text
        .split(',')
        .map(|v| v.trim().parse().map_err(|_| bad("--cia", format!("{text:?} must be three numbers 1–4, e.g. 3,3,2"))))
        .collect::<Result<_, _>>()?;
    match values[..] {
        [c, i, a] => Ok((c, i, a)),
        _ => Err(bad("--cia", format!("{text:?} must be three numbers 1–4, e.g. 3,3,2"))),
    }
}

/// Arguments of `isms asset list`.
#[derive(Debug, Args)]
pub struct AssetListArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Only this type.
    #[arg(long = "type")]
    kind: Option<String>,
}

/// Arguments of `isms asset show`.
#[derive(Debug, Args)]
pub struct AssetShowArgs {
    /// The asset's id (AST-…).
    id: String,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms asset add`.
#[derive(Debug, Args)]
pub struct AssetAddArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Its name.
    #[arg(long)]
    name: String,
    /// information, system, service, person, location or supplier.
    #[arg(long = "type")]
    kind: String,
    /// The owner's e-mail (a member).
    #[arg(long)]
    owner: String,
    /// A level of the organization's classification scheme.
    #[arg(long)]
    classification: String,
    /// Confidentiality, integrity, availability values 1–4, as C,I,A (e.g. 3,3,2).
    #[arg(long, value_name = "C,I,A")]
    cia: String,
    /// planned, in_use, retiring or retired.
    #[arg(long, default_value = "in_use")]
    lifecycle: String,
    /// What it is.
    #[arg(long, default_value = "")]
    description: String,
    #[command(flatten)]
    who: AsArg,
}

/// Arguments of `isms asset import`.
#[derive(Debug, Args)]
pub struct AssetImportArgs {
    /// CSV with columns name,type,owner,classification,confidentiality,integrity,availability,lifecycle[,description].
    file: PathBuf,
    #[command(flatten)]
    org: OrgArg,
    /// Store the good rows and report the bad ones.
    #[arg(long)]
    skip_bad_rows: bool,
    #[command(flatten)]
    who: AsArg,
}

/// Runs an asset subcommand.
pub async fn asset(config: &Config, command: AssetCommand, out: &Out) -> Result<ExitCode, CliError> {
    with_workspace(config, async |cx| asset_inner(cx, command, out).await).await
}

async fn asset_inner(cx: &Cx, command: AssetCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        AssetCommand::List(args) => list(cx, args, out).await?,
        AssetCommand::Show(args) => show(cx, args, out).await?,
        AssetCommand::Add(args) => add(cx, args, out).await?,
        AssetCommand::Import(args) => import(cx, args, out).await?,
        AssetCommand::Delete(args) => delete(cx, args, out).await?,
        AssetCommand::Set(args) => set(cx, *args, out).await?,
        AssetCommand::Classification(args) => classification(cx, args, out).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(cx: &Cx, args: AssetListArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let kind = args
        .kind
        .as_deref()
        .map(|k| AssetType::parse(k).ok_or_else(|| bad("--type", format!("{k:?} is not an asset type"))))
        .transpose()?;
    let all: Vec<Asset> = registers::entries::<Asset>(cx, &reader(org))
        .await?
        .into_iter()
        .filter(|a| kind.is_none_or(|k| a.kind == k))
        .collect();
    out.doc(&all);
    out.line(format!("{:<8} {:<12} {:<14} {:<6} {:<28} {}", "ID", "TYPE", "CLASS", "C/I/A", "OWNER", "NAME"));
    for a in &all {
        out.line(format!(
            "{:<8} {:<12} {:<14} {:<6} {:<28} {}",
            a.id,
            a.kind.as_str(),
            a.classification,
            format!("{}/{}/{}", a.confidentiality, a.integrity, a.availability),
            a.owner,
            a.name
        ));
    }
    out.line(format!("{} asset(s)", all.len()));
    Ok(())
}

async fn show(cx: &Cx, args: AssetShowArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let a = registers::entry::<Asset>(cx, &reader(org), &args.id).await?;
    let review =
        reviews::review_status(cx, &reader(org), &Subject { kind: SubjectKind::Asset, id: a.id.clone() }).await?;
    out.doc(&serde_json::json!({ "asset": a, "review": review }));
    out.line(format!("{} {} ({})", a.id, a.name, a.kind.as_str()));
    out.line(format!(
        "  owner {}; classification {}; C/I/A {}/{}/{}; {}",
        a.owner,
        a.classification,
        a.confidentiality,
        a.integrity,
        a.availability,
        a.lifecycle.as_str()
    ));
    if !a.description.is_empty() {
        out.line(format!("  {}", a.description));
    }
    out.line(format!("  review: {}", review_line(review)));
    Ok(())
}

async fn add(cx: &Cx, args: AssetAddArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let actor = actor(cx, org, args.who.as_email.as_deref(), "isms asset add").await?;
    let cia: Vec<u8> = args
        .cia
        .split(',')
        .map(|v| {
            v.trim().parse().map_err(|_| bad("--cia", format!("{:?} must be three numbers 1–4, e.g. 3,3,2", args.cia)))
        })
        .collect::<Result<_, _>>()?;
    let [c, i, a] = cia[..] else {
        return Err(bad("--cia", format!("{:?} must be three numbers 1–4, e.g. 3,3,2", args.cia)));
    };
    let asset = Asset {
        id: String::new(),
        name: args.name,
        kind: AssetType::parse(&args.kind).ok_or_else(|| {
            bad("--type", format!("{:?} is not information, system, service, person, location or supplier", args.kind))
        })?,
        owner: args.owner,
        classification: args.classification,
        confidentiality: c,
        integrity: i,
        availability: a,
        lifecycle: Lifecycle::parse(&args.lifecycle).ok_or_else(|| {
            bad("--lifecycle", format!("{:?} is not planned, in_use, retiring or retired", args.lifecycle))
        })?,
        description: args.description,
    };
    let saved = registers::create_entry(cx, &actor, asset).await?;
    out.doc(&saved);
    out.line(format!("Added {}.", saved.id));
    Ok(())
}

async fn import(cx: &Cx, args: AssetImportArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let actor = actor(cx, org, args.who.as_email.as_deref(), "isms asset import").await?;
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| bad("import", format!("cannot read {}: {}", args.file.display(), io_reason(&e))))?;
    let (rows, done) = (crate::commands::csv_rows(&text), std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0)));
    let work = assets::import_assets_csv(cx, &actor, &text, args.skip_bad_rows, &done);
    let report = crate::commands::with_progress(out, 2 * rows, rows >= 500, done.clone(), work).await?;
    out.doc(&report);
    crate::commands::rows_refused(out, &args.file, &report.errors, report.stored)?;
    out.line(format!(
        "Imported {}{}.",
        isms_domain::text::plural(report.created.len(), "asset", "assets"),
        if report.errors.is_empty() {
            String::new()
        } else {
            format!(", skipped {}", isms_domain::text::plural(report.errors.len(), "bad row", "bad rows"))
        }
    ));
    Ok(())
}

async fn delete(cx: &Cx, args: DeleteArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let actor = actor(cx, org, args.who.as_email.as_deref(), "isms asset delete").await?;
    registers::delete_entry::<Asset>(cx, &actor, &args.id).await?;
    out.line(format!("Deleted {}.", args.id));
    Ok(())
}

async fn set(cx: &Cx, args: AssetSetArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let actor = actor(cx, org, args.who.as_email.as_deref(), "isms asset set").await?;
    let mut asset = registers::entry::<Asset>(cx, &reader(org), &args.id).await?;
    if let Some(name) = args.name {
        asset.name = name;
    }
    if let Some(owner) = args.owner {
        asset.owner = owner;
    }
    if let Some(class) = args.classification {
        asset.classification = class;
    }
    if let Some(cia) = &args.cia {
        (asset.confidentiality, asset.integrity, asset.availability) = parse_cia(cia)?;
    }
    if let Some(l) = &args.lifecycle {
        asset.lifecycle = Lifecycle::parse(l)
            .ok_or_else(|| bad("--lifecycle", format!("{l:?} is not planned, in_use, retiring or retired")))?;
    }
    if let Some(d) = args.description {
        asset.description = d;
    }
    let saved = registers::replace_entry(cx, &actor, &args.id, asset).await?;
    out.doc(&saved);
    out.line(format!("Saved {}.", saved.id));
    Ok(())
}

async fn classification(cx: &Cx, args: ClassificationArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let scheme = match &args.levels {
        Some(levels) => {
            let actor = actor(cx, org, args.who.as_email.as_deref(), "isms asset classification").await?;
            let scheme = ClassificationScheme {
                id: String::new(),
                levels: levels.split(',').map(|l| l.trim().to_owned()).collect(),
            };
            registers::replace_entry(cx, &actor, "", scheme).await?
        }
        None => registers::entry::<ClassificationScheme>(cx, &reader(org), "").await?,
    };
    out.doc(&scheme);
    out.line(format!("Classification levels, lowest first: {}", scheme.levels.join(", ")));
    Ok(())
}
