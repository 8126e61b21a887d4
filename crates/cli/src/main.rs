//! `isms`: the command-line interface, and the binary that serves the web application.
//!
//! Exit codes: 0 success; 1 a check answered "no" (e.g. `isms migrate --check` with
//! migrations pending); 2 an error or bad input. Errors are printed as one sentence on
//! standard error (as a JSON object with `--json`), never as a panic or backtrace.

mod commands;
mod config;
mod output;

use isms_app::Code;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Flags, LogFormat, Source, process_env};
use crate::output::{CliError, Out};

/// isms — an Information Security Management System you can run.
///
/// Takes an organization from "a customer wants ISO/IEC 27001" to a certificate and
/// keeps it certified. Configuration: defaults < config file (--config or
/// ISMS_CONFIG) < ISMS_* environment variables < flags.
#[derive(Debug, Parser)]
#[command(name = "isms", version, about, long_about)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct GlobalArgs {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Config file (TOML). Also ISMS_CONFIG.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory (SQLite database and files). Also ISMS_DATA_DIR.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB. Also ISMS_DATABASE_URL.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Log filter, e.g. info or isms=debug. Also ISMS_LOG.
    #[arg(long, global = true, value_name = "FILTER")]
    log_level: Option<String>,
    /// Log format on standard error: text or json. Also ISMS_LOG_FORMAT.
    #[arg(long, global = true, value_name = "FORMAT")]
    log_format: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a workspace: the database, the first organization and its owner.
    Init(commands::init::InitArgs),
    /// Serve the web application and API.
    Serve(commands::serve::ServeArgs),
    /// Apply pending database migrations (also done on start of `serve`).
    Migrate(commands::migrate::MigrateArgs),
    /// Create a demo workspace with sample data, in a directory of its own unless
    /// --data-dir or a database is configured.
    Demo(commands::demo::DemoArgs),
    /// The framework library: list, show, search, import, adopt.
    #[command(subcommand)]
    Framework(commands::framework::FrameworkCommand),
    /// What an item maps to in other frameworks, with every path.
    Crosswalk(commands::framework::CrosswalkArgs),
    /// The ISMS scope (4.3).
    #[command(subcommand)]
    Scope(commands::register::ScopeCommand),
    /// Internal and external issues and interested parties (4.1, 4.2).
    #[command(subcommand)]
    Context(commands::register::ContextCommand),
    /// ISMS roles and responsibilities (5.3).
    #[command(subcommand)]
    Role(commands::register::RoleCommand),
    /// Information security objectives (6.2).
    #[command(subcommand)]
    Objective(commands::register::ObjectiveCommand),
    /// The asset inventory (A.5.9).
    #[command(subcommand)]
    Asset(commands::register::AssetCommand),
    /// Reviews: what is due, and recording one.
    #[command(subcommand)]
    Review(commands::register::ReviewCommand),
    /// The risk register: assess, treat, accept, heat maps.
    #[command(subcommand)]
    Risk(commands::risk::RiskCommand),
    /// The risk methodology: scales, matrix, acceptance criteria.
    #[command(subcommand)]
    Methodology(commands::risk::MethodologyCommand),
    /// Open FAIR quantitative risk: batch-run scenario files.
    #[command(subcommand)]
    Fair(commands::fair::FairCommand),
    /// The organization's record per Annex A control.
    #[command(subcommand)]
    Control(commands::control::ControlCommand),
    /// Documented information: policies, procedures, standards, plans, records; versions, approval, acknowledgement, the mandatory checklist.
    #[command(subcommand)]
    Document(commands::document::DocumentCommand),
    /// Evidence: add files and links, list, get, verify stored files, freshness per control.
    #[command(subcommand)]
    Evidence(commands::evidence::EvidenceCommand),
    /// The Statement of Applicability: show, validate, approve, versions, diff, export, review.
    #[command(subcommand)]
    Soa(commands::soa::SoaCommand),
    /// Accounts: add to an organization, list, disable, reset a password.
    #[command(subcommand)]
    User(commands::user::UserCommand),
    /// Organizations in this workspace: add one (a consultant's next client), list.
    #[command(subcommand)]
    Org(commands::user::OrgCommand),
    /// Audits: plan (checklist of clauses and sampled controls), record results, complete, copy to the next cycle, the programme, reports.
    #[command(subcommand)]
    Audit(commands::certification::AuditCommand),
    /// Findings of audits and their corrective actions; the nonconformity register.
    #[command(subcommand)]
    Finding(commands::certification::FindingCommand),
    /// Management reviews (9.3): record one, list, the briefing of what isms knows.
    #[command(subcommand, name = "management-review")]
    ManagementReview(commands::certification::ReviewCommand),
    /// The ISO/IEC 27001 certificate and its three-year cycle.
    #[command(subcommand)]
    Certificate(commands::certification::CertificateCommand),
    /// Could we pass Stage 1, Stage 2 or the next surveillance audit today? Exit 1 when blocked.
    Readiness(commands::certification::ReadinessArgs),
    /// Where the ISMS stands, as the dashboard shows it: progress per Annex A theme, each
    /// clause, risks awaiting acceptance, the certificate, readiness, what is overdue.
    Status(commands::status::StatusArgs),
    /// Which regimes bind the organization and which voluntary path fits (ISO/IEC 27001
    /// certification, NIST CSF 2.0 adoption, or both), from the questionnaire's answers,
    /// with the answers and the rule behind every conclusion.
    Advise(commands::advise::AdviseArgs),
    /// How much of each framework in use the ISMS already covers through the crosswalk,
    /// per requirement: covered, partly, not — with the controls and paths behind each.
    Coverage(commands::coverage::CoverageArgs),
    /// The gap analysis (per clause and Annex A control: current state, target, gap,
    /// owner, effort) and the roadmap to a target Stage 2. Exit 1 when the plan cannot work.
    #[command(name = "gap-analysis")]
    GapAnalysis(commands::gap::GapArgs),
    /// OSCAL 1.1.3 documents: a framework as a catalog, the SoA's selection as a profile,
    /// the ISMS as a system security plan, the open actions as a POA&M.
    #[command(subcommand)]
    Oscal(commands::oscal::OscalCommand),
    /// Ingest a scanner's or test suite's results as evidence: SARIF, XCCDF/ARF, OCSF,
    /// JUnit, or our CSV/JSON check format; each result mapped to the Annex A controls
    /// its references reach.
    Ingest(commands::checks::IngestArgs),
    /// Checks (named tests of controls: passing, failing or stale, with history),
    /// control health, and the ingested runs of results.
    #[command(subcommand)]
    Check(commands::checks::CheckCommand),
    /// Audit samples drawn with a recorded seed, so the draw can be repeated.
    #[command(subcommand)]
    Sample(commands::sampling::SampleCommand),
    /// Evidence requests for an audit (the "provided by client" list): written or
    /// imported from CSV/XLSX, answered with evidence, accepted or returned.
    #[command(subcommand)]
    Request(commands::request::RequestCommand),
    /// The audit package: build one ZIP for an audit with a manifest of SHA-256
    /// hashes, and verify one offline and against the audit trail.
    #[command(subcommand)]
    Package(commands::package::PackageCommand),
    /// Watch a directory and ingest every results file put there (per-tool
    /// sub-directories), moving each to ingested/ or failed/.
    Watch(commands::checks::WatchArgs),
    /// Run the collectors the checks name (all, or one kind: tls, postgres, mariadb,
    /// git, openscap, exec) and ingest what each finds.
    Collect(commands::checks::CollectArgs),
    /// Write the iCalendar (.ics) file of audit dates, deadlines and reviews.
    Calendar(commands::certification::CalendarArgs),
    /// What is new, changed or removed since the last audit (or a date).
    Changes(commands::certification::ChangesArgs),
    /// The hash-chained audit trail: verify, show, export.
    #[command(subcommand, name = "audit-log")]
    AuditLog(commands::audit_log::AuditCommand),
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the version.
    Version,
    /// Print the OpenAPI 3.1 document of the JSON API.
    Openapi,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration and where each value came from (secrets masked).
    Show,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Out::new(cli.global.json);
    match run(cli, &out) {
        Ok(code) => code,
        Err(e) => {
            out.error(&e);
            e.exit_code()
        }
    }
}

fn run(cli: Cli, out: &Out) -> Result<ExitCode, CliError> {
    let flags = Flags {
        config: cli.global.config,
        data_dir: cli.global.data_dir,
        database_url: cli.global.database_url,
        listen: match &cli.command {
            Command::Serve(args) => args.listen.clone(),
            _ => None,
        },
        log_level: cli.global.log_level,
        log_format: cli.global.log_format,
    };
    let config = Config::load(&flags, &process_env)?;
    let serving = matches!(cli.command, Command::Serve(_));
    init_logging(&config, serving)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::error(Code::Runtime, format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        match cli.command {
            Command::Init(args) => commands::init::run(&config, args, out).await,
            Command::Serve(args) => commands::serve::run(config, args, out).await,
            Command::Migrate(args) => commands::migrate::run(&config, args, out).await,
            Command::Demo(args) => commands::demo::run(config, args, out).await,
            Command::Framework(command) => commands::framework::run(&config, command, out).await,
            Command::Crosswalk(args) => commands::framework::crosswalk(&config, args, out).await,
            Command::Scope(command) => commands::register::scope(&config, command, out).await,
            Command::Context(command) => commands::register::context(&config, command, out).await,
            Command::Role(command) => commands::register::role(&config, command, out).await,
            Command::Objective(command) => commands::register::objective(&config, command, out).await,
            Command::Asset(command) => commands::register::asset(&config, command, out).await,
            Command::Review(command) => commands::register::review(&config, command, out).await,
            Command::Risk(command) => commands::risk::risk(&config, command, out).await,
            Command::Methodology(command) => commands::risk::methodology(&config, command, out).await,
            Command::Fair(command) => commands::fair::run(command, out),
            Command::Control(command) => commands::control::run(&config, command, out).await,
            Command::Evidence(command) => commands::evidence::run(&config, command, out).await,
            Command::Document(command) => commands::document::run(&config, command, out).await,
            Command::Soa(command) => commands::soa::run(&config, command, out).await,
            Command::User(command) => commands::user::run(&config, command, out).await,
            Command::Org(command) => commands::user::run_org(&config, command, out).await,
            Command::AuditLog(command) => commands::audit_log::run(&config, command, out).await,
            Command::Audit(command) => commands::certification::run_audit(&config, command, out).await,
            Command::Finding(command) => commands::certification::run_finding(&config, command, out).await,
            Command::ManagementReview(command) => commands::certification::run_review(&config, command, out).await,
            Command::Certificate(command) => commands::certification::run_certificate(&config, command, out).await,
            Command::Readiness(args) => commands::certification::run_readiness(&config, args, out).await,
            Command::Status(args) => commands::status::run(&config, args, out).await,
            Command::Advise(args) => commands::advise::run(&config, args, out).await,
            Command::Coverage(args) => commands::coverage::run(&config, args, out).await,
            Command::GapAnalysis(args) => commands::gap::run(&config, args, out).await,
            Command::Oscal(command) => commands::oscal::run(&config, command, out).await,
            Command::Ingest(args) => commands::checks::ingest(&config, args, out).await,
            Command::Check(command) => commands::checks::run(&config, command, out).await,
            Command::Collect(args) => commands::checks::collect(&config, args, out).await,
            Command::Watch(args) => commands::checks::watch(&config, args, out).await,
            Command::Sample(command) => commands::sampling::run(&config, command, out).await,
            Command::Request(command) => commands::request::run(&config, command, out).await,
            Command::Package(command) => commands::package::run(&config, command, out).await,
            Command::Calendar(args) => commands::certification::run_calendar(&config, args, out).await,
            Command::Changes(args) => commands::certification::run_changes(&config, args, out).await,
            Command::Config(ConfigCommand::Show) => commands::config::show(&config, out),
            Command::Version => commands::version::run(out),
            Command::Openapi => commands::version::openapi(out),
        }
    })
}

/// Logs go to standard error. Commands other than `serve` log warnings only, unless a
/// level was configured, so their own output stays readable.
fn init_logging(config: &Config, serving: bool) -> Result<(), CliError> {
    let level =
        if serving || config.log_level.source != Source::Default { config.log_level.value.as_str() } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_new(level).map_err(|e| {
        CliError::bad_input(
            Code::Config,
            format!("{} has {:?}, which is not a log filter: {e}", config.log_level.source, level),
        )
    })?;
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let result = match config.log_format.value {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    result.map_err(|e| CliError::error(Code::Logging, format!("cannot set up logging: {e}")))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
