//! `isms serve`

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
    if args.demo {
        super::demo::locate(&mut config)?;
    }
    let addr = config.listen.value;
    let listener = TcpListener::bind(addr).await.map_err(|e| {
        CliError::error("listen", format!("cannot listen on {addr} ({}): {}", config.listen.source, io_reason(&e)))
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

    let served = isms_server::serve(listener, cx.clone(), shutdown_signal(), config.shutdown_grace.value).await;
    cx.store.close().await;
    served.map_err(|e| CliError::error("serve", format!("the server stopped with an error: {}", io_reason(&e))))?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
