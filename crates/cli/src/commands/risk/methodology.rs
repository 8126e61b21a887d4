//! `isms methodology show` and `isms methodology edit`.

use super::*;

/// `isms methodology` subcommands.
#[derive(Debug, Subcommand)]
pub enum MethodologyCommand {
    /// Show the current methodology (or a version).
    Show(MethodologyShowArgs),
    /// Change the methodology: from a JSON file, or cell by cell. Re-levels every risk.
    Edit(MethodologyEditArgs),
}

/// Arguments of `isms methodology show`.
#[derive(Debug, Args)]
pub struct MethodologyShowArgs {
    #[command(flatten)]
    org: OrgArg,
    /// An earlier version number.
    #[arg(long)]
    version: Option<u32>,
}

/// Arguments of `isms methodology edit`.
#[derive(Debug, Args)]
pub struct MethodologyEditArgs {
    #[command(flatten)]
    org: OrgArg,
    /// A whole methodology as JSON (as `isms methodology show --json` prints it).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Set one matrix cell: LIKELIHOOD,IMPACT=LEVEL (repeatable), e.g. 3,3=high.
    #[arg(long, value_name = "L,I=LEVEL")]
    cell: Vec<String>,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Runs a methodology subcommand.
pub async fn methodology(config: &Config, command: MethodologyCommand, out: &Out) -> Result<ExitCode, CliError> {
    with_workspace(config, async |cx| {
        match command {
            MethodologyCommand::Show(args) => show(cx, args, out).await?,
            MethodologyCommand::Edit(args) => edit(cx, args, out).await?,
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}

async fn show(cx: &Cx, args: MethodologyShowArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let m = match args.version {
        None => risks::methodology(cx, &reader(org)).await?,
        Some(v) => risks::methodology_versions(cx, &reader(org))
            .await?
            .into_iter()
            .find(|m| m.version == v)
            .ok_or_else(|| CliError::bad_input(Code::NotFound, format!("there is no methodology version {v}")))?,
    };
    out.doc(&m);
    print_methodology(out, &m);
    Ok(())
}

async fn edit(cx: &Cx, args: MethodologyEditArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let actor = actor(cx, org, args.as_email.as_deref(), "isms methodology edit").await?;
    let mut m = match &args.file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| bad("--file", format!("cannot read {}: {}", path.display(), io_reason(&e))))?;
            serde_json::from_str::<Methodology>(&text).map_err(|e| bad("--file", format!("{}: {e}", path.display())))?
        }
        None => risks::methodology(cx, &reader(org)).await?,
    };
    for cell in &args.cell {
        let (pos, level) = cell.split_once('=').ok_or_else(|| bad("--cell", format!("{cell:?} must be L,I=LEVEL")))?;
        let (l, i) = pos.split_once(',').ok_or_else(|| bad("--cell", format!("{cell:?} must be L,I=LEVEL")))?;
        let (l, i): (usize, usize) =
            (l.trim().parse().map_err(|_| bad("--cell", cell))?, i.trim().parse().map_err(|_| bad("--cell", cell))?);
        let slot = m
            .matrix
            .get_mut(l.wrapping_sub(1))
            .and_then(|row| row.get_mut(i.wrapping_sub(1)))
            .ok_or_else(|| bad("--cell", format!("{cell:?} is outside the matrix")))?;
        *slot = level.trim().to_owned();
    }
    let (saved, relevelled) = risks::edit_methodology(cx, &actor, m).await?;
    out.doc(&serde_json::json!({ "version": saved.version, "relevelled": relevelled }));
    out.line(format!("Saved methodology version {}; {relevelled} risk(s) changed level.", saved.version));
    Ok(())
}

fn print_methodology(out: &Out, m: &Methodology) {
    out.line(format!("Risk methodology version {}", m.version));
    out.line("Likelihood:");
    for l in &m.likelihood {
        out.line(format!("  {} {:<16} {}", l.value, l.label, l.criterion));
    }
    out.line("Impact:");
    for l in &m.impact {
        out.line(format!("  {} {:<16} {}", l.value, l.label, l.criterion));
    }
    out.line("Levels (lowest first) and who may accept them:");
    for l in &m.levels {
        let who =
            serde_json::to_value(l.acceptance).ok().and_then(|v| v.as_str().map(ToOwned::to_owned)).unwrap_or_default();
        out.line(format!("  {:<10} {who}", l.id));
    }
    out.line("Matrix (rows: likelihood, highest first; columns: impact 1…):");
    for (r, row) in m.matrix.iter().enumerate().rev() {
        out.line(format!("  {}  {}", r + 1, row.iter().map(|c| format!("{c:<9}")).collect::<String>()));
    }
}
