//! `isms serve`

use isms_app::Code;
use std::future::Future;
use std::process::ExitCode;

use clap::Args;
use isms_app::demo::{DemoOutcome, create_or_reuse_demo};
use isms_app::schema;
use isms_app::workspace::current_workspace;
use tokio::net::TcpListener;

use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

/// Arguments of `isms serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 or 0.0.0.0:8080. Also ISMS_LISTEN.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Serve the demo workspace, creating it first if needed (in its own directory
    /// unless --data-dir or a database is configured).
    #[arg(long)]
    pub demo: bool,
}

/// Binds, migrates, serves until SIGINT or SIGTERM, then finishes in-flight requests.
pub async fn run(mut config: Config, args: ServeArgs, out: &Out) -> Result<ExitCode, CliError> {
    let shutdown = shutdown_signal()?;
    if args.demo {
        super::demo::locate(&mut config)?;
    }
    let addr = config.listen.value;
    let listener = TcpListener::bind(addr).await.map_err(|e| {
        CliError::error(Code::Listen, format!("cannot listen on {addr} ({}): {}", config.listen.source, io_reason(&e)))
    })?;
    let addr = listener.local_addr().unwrap_or(addr);
    let cx = super::open(&config).await?;

    if args.demo {
        match create_or_reuse_demo(&cx).await? {
            DemoOutcome::Created(demo) => {
                out.line(format!("Created the demo workspace in {}.", cx.store.location()));
                super::demo::print_logins(out, &demo);
            }
            DemoOutcome::Existing(_) => {
                out.line(format!("Serving the existing demo workspace in {}.", cx.store.location()));
                out.line(format!("Demo accounts use the password {}.", isms_app::demo::DEMO_PASSWORD));
            }
        }
    }
    let applied = schema::migrate(&cx).await.map_err(|e| {
        let mut err = CliError::from(e);
        err.message = format!("isms serve did not start: {}", err.message);
        err
    })?;
    for m in &applied {
        tracing::info!(migration = %m, "migration applied on start");
    }
    if current_workspace(&cx).await?.is_none() {
        tracing::warn!("the database holds no workspace yet: run `isms init` to create the first organization");
    }

    tracing::info!(%addr, database = cx.store.location(), engine = %cx.store.engine(), "isms is serving");
    out.line(format!(
        "isms {} is serving http://{addr} ({} at {}). Stop with Ctrl-C.",
        env!("CARGO_PKG_VERSION"),
        cx.store.engine(),
        cx.store.location()
    ));
    out.doc(&serde_json::json!({ "listening": format!("http://{addr}"), "database": cx.store.location() }));

    let sweeper = tokio::spawn(sweep_abandoned_uploads(cx.clone()));
    let collector = (!config.collect_every.value.is_zero())
        .then(|| tokio::spawn(isms_app::collect::schedule(cx.clone(), config.collect_every.value)));
    let served =
        isms_server::serve(listener, cx.clone(), config.server_options(), shutdown, config.shutdown_grace.value).await;
    sweeper.abort();
    if let Some(c) = collector {
        c.abort();
    }
    cx.store.close().await;
    served.map_err(|e| CliError::error(Code::Serve, format!("the server stopped with an error: {}", io_reason(&e))))?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Removes uploads abandoned by a crash or a killed server, at start and then hourly.
/// An upload untouched for longer than the longest a streaming request may take
/// cannot still be live (on this or another replica sharing the blob directory).
async fn sweep_abandoned_uploads(cx: isms_app::Cx) {
    let idle = isms_server::STREAMING_TIMEOUT + std::time::Duration::from_secs(600);
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        match cx.blobs.sweep(idle).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "removed abandoned partial uploads"),
            Err(e) => tracing::warn!(error = %e, "could not sweep abandoned uploads"),
        }
    }
}

/// Installs the SIGINT and SIGTERM handlers now — before the server says it is
/// serving, so a signal that arrives early is never fatal — and returns a future that
/// resolves when either arrives.
pub(crate) fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static, CliError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let install = |kind: SignalKind, name: &str| {
            signal(kind).map_err(|e| {
                CliError::error(Code::Serve, format!("cannot install the {name} handler: {}", io_reason(&e)))
            })
        };
        let mut interrupt = install(SignalKind::interrupt(), "SIGINT")?;
        let mut terminate = install(SignalKind::terminate(), "SIGTERM")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}
