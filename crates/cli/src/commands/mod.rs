//! One module per command; each parses its arguments, calls use cases and prints.

pub mod advise;
pub mod audit_log;
pub mod certification;
pub mod checks;
pub mod config;
pub mod control;
pub mod coverage;
pub mod demo;
pub mod document;
pub mod evidence;
pub mod fair;
pub mod framework;
pub mod gap;
pub mod init;
pub mod migrate;
pub mod oscal;
pub mod package;
pub mod register;
pub mod request;
pub mod risk;
pub mod sampling;
pub mod serve;
pub mod soa;
pub mod status;
pub mod user;
pub mod version;

use isms_app::Code;
use std::sync::Arc;

use std::path::Path;

use clap::Args;
use isms_app::Cx;
use isms_app::access::Actor;
use isms_domain::{Email, OrgId};
use isms_store_sql::{ConnectOptions, connect};

use crate::config::{Config, Source, io_reason};
use crate::output::CliError;

/// Creates the data directory (owner-only on Unix) when the database is the embedded
/// default inside it.
pub fn ensure_data_dir(config: &Config) -> Result<(), CliError> {
    if config.default_sqlite_file().is_none() {
        return Ok(());
    }
    create_private_dir(&config.data_dir.value).map_err(|e| {
        CliError::error(
            Code::DataDir,
            format!(
                "cannot create the data directory {} ({}): {}",
                config.data_dir.value.display(),
                config.data_dir.source,
                io_reason(&e)
            ),
        )
    })
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens the configured database (creating the data directory first when needed).
pub async fn open(config: &Config) -> Result<Cx, CliError> {
    ensure_data_dir(config)?;
    let options = ConnectOptions { max_connections: config.max_connections.value, ..ConnectOptions::default() };
    let store = connect(&config.database_url.value, &options).await.map_err(|e| {
        let mut err = CliError::from(e);
        if !matches!(config.database_url.source, Source::Derived(_) | Source::Default) {
            err.message = format!("{}: {}", config.database_url.source, err.message);
        }
        err
    })?;
    let mut cx = Cx::new(store);
    cx.collectors = Some(config.data_dir.value.join("collectors"));
    cx.mappings = Some(config.data_dir.value.join("mappings"));
    let blobs: Arc<dyn isms_store::BlobStore> = match &config.blob_store.value {
        Some(s3) => {
            // Names this process's partial uploads apart from other replicas'.
            let instance: String = cx.random_id_bytes()[..8].iter().map(|b| format!("{b:02x}")).collect();
            Arc::new(
                isms_blobs_s3::S3Blobs::new(s3.clone(), &instance)
                    .map_err(|e| CliError::bad_input(Code::Config, format!("{}: {e}", config.blob_store.source)))?,
            )
        }
        None => Arc::new(isms_blobs::LocalBlobs::new(config.blob_dir.value.clone())),
    };
    Ok(cx.with_blobs(blobs, config.max_upload.value))
}

/// Opens the workspace, runs `work` with it, and closes the store whatever `work`
/// answered: the one way every command that needs the database runs.
pub async fn with_workspace<T>(
    config: &Config,
    work: impl AsyncFnOnce(&Cx) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let cx = open(config).await?;
    let result = work(&cx).await;
    cx.store.close().await;
    result
}

/// Prints each refused row of a CSV import as `FILE, line N, COLUMN: what`, and fails
/// (exit 2, code `import`) when nothing was stored because of them.
pub(crate) fn rows_refused(
    out: &crate::output::Out,
    file: &Path,
    errors: &[isms_app::imports::RowError],
    stored: bool,
) -> Result<(), CliError> {
    for e in errors {
        out.line(format!("{}, line {}, {}: {}", file.display(), e.line, e.column, e.message));
    }
    if errors.is_empty() || stored {
        return Ok(());
    }
    Err(CliError::bad_input(
        Code::Import,
        format!(
            "{} in {}; nothing was imported (use --skip-bad-rows to import the good rows)",
            isms_domain::text::plural(errors.len(), "row error", "row errors"),
            file.display()
        ),
    ))
}

/// Runs `work` with a progress bar on the terminal (not with `--json`, not when stderr
/// is redirected, and only when `worth_a_bar`) that follows `done` up to `total`.
pub(crate) async fn with_progress<T>(
    out: &crate::output::Out,
    total: usize,
    worth_a_bar: bool,
    done: Arc<std::sync::atomic::AtomicUsize>,
    work: impl Future<Output = T>,
) -> T {
    let show = worth_a_bar && !out.is_json() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let bar = show.then(|| indicatif::ProgressBar::new(total as u64));
    let ticker = bar.clone().map(|bar| {
        tokio::spawn(async move {
            loop {
                bar.set_position(done.load(std::sync::atomic::Ordering::Relaxed) as u64);
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        })
    });
    let result = work.await;
    if let Some(t) = ticker {
        t.abort();
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result
}

/// Rows of a CSV text (its lines after the header; a close guess for a progress bar).
pub(crate) fn csv_rows(text: &str) -> usize {
    text.lines().count().saturating_sub(1)
}

/// A usage error naming the flag.
pub(crate) fn bad(flag: &str, message: impl std::fmt::Display) -> CliError {
    CliError::bad_input(Code::InvalidInput, format!("{flag}: {message}"))
}

/// A `YYYY-MM-DD` date given to `flag`.
pub(crate) fn parse_date(flag: &str, text: &str) -> Result<time::Date, CliError> {
    isms_domain::dates::parse_text(text).map_err(|m| bad(flag, m))
}

/// A snake_case enum given to `flag` (`in-progress` and `in progress` read as
/// `in_progress`).
pub(crate) fn parse_enum<T: serde::de::DeserializeOwned>(flag: &str, text: &str, choices: &str) -> Result<T, CliError> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_lowercase().replace(['-', ' '], "_")))
        .map_err(|_| bad(flag, format!("{text:?} is not one of {choices}")))
}

/// Who a change is attributed to.
#[derive(Debug, Args)]
pub struct AsArg {
    /// The member making the change (recorded in the audit trail).
    #[arg(long = "as", value_name = "EMAIL")]
    pub(crate) as_email: Option<String>,
}

/// An organization by id or name; optional when the workspace has exactly one.
#[derive(Debug, Args)]
pub struct OrgArg {
    /// Organization id or exact name (default: ISMS_ORG, else the only organization).
    #[arg(long, value_name = "ORG", env = "ISMS_ORG")]
    pub org: Option<String>,
}

/// Finds an organization by id or exact (case-insensitive) name; without one, the
/// workspace's only organization.
pub async fn resolve_org(cx: &Cx, org: &Option<String>) -> Result<OrgId, CliError> {
    isms_app::schema::require_current_schema(cx).await?;
    let orgs = isms_app::users::organizations(cx).await?;
    let names = || orgs.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ");
    let Some(org) = org.as_deref().map(str::trim).filter(|o| !o.is_empty()) else {
        return match orgs.as_slice() {
            [only] => Ok(only.id),
            [] => Err(CliError::bad_input(Code::NotFound, "the workspace has no organization yet (run `isms init`)")),
            _ => Err(CliError::bad_input(
                Code::OrgRequired,
                format!(
                    "the workspace has {} organizations ({}): choose one with --org or ISMS_ORG",
                    orgs.len(),
                    names()
                ),
            )),
        };
    };
    orgs.iter().find(|o| o.id.to_string() == org || o.name.as_str().eq_ignore_ascii_case(org)).map(|o| o.id).ok_or_else(
        || {
            CliError::bad_input(
                Code::NotFound,
                format!("there is no organization {org:?} (give its id or exact name; there are: {})", names()),
            )
        },
    )
}

/// Parses an e-mail given on the command line.
pub fn email_arg(flag: &str, text: &str) -> Result<Email, CliError> {
    Email::parse(text).map_err(|e| CliError::bad_input(Code::InvalidInput, format!("{flag}: {e}")))
}

/// Who runs a command's use cases: the member named with `--as` (acting with their
/// role in the organization, as they would in the browser), or else the installation's
/// operator, recorded in the trail as `command`.
pub async fn actor(cx: &Cx, org: OrgId, as_email: Option<&str>, command: &'static str) -> Result<Actor, CliError> {
    let Some(text) = as_email else { return Ok(Actor::operator(org, command)) };
    let email = email_arg("--as", text)?;
    Actor::member(cx, org, &email).await.map_err(|e| {
        let why = e.fields.first().map_or(e.message.as_str(), |f| f.message.as_str());
        CliError::bad_input(e.code, format!("--as: {why}"))
    })
}

/// Writes an `--output` file; an error names the file and why.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes)
        .map_err(|e| bad("--output", format!("cannot write {}: {}", path.display(), io_reason(&e))))
}

/// The document format an `--output` file asks for by its extension (xlsx, csv, md,
/// json); `None` without a file.
pub fn output_format(output: Option<&Path>) -> Result<Option<isms_app::export::DocFormat>, CliError> {
    let Some(path) = output else { return Ok(None) };
    match isms_app::export::DocFormat::parse(path.extension().and_then(|e| e.to_str()).unwrap_or_default()) {
        Ok(isms_app::export::DocFormat::Pdf) | Err(_) => {
            Err(bad("--output", format!("{}: name it .xlsx, .csv, .md or .json", path.display())))
        }
        Ok(format) => Ok(Some(format)),
    }
}

/// The operator reading in `org` (reads leave no trail entry, so no command is named).
pub fn reader(org: OrgId) -> Actor {
    Actor::operator(org, "isms")
}
