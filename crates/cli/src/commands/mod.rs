//! One module per command; each parses its arguments, calls use cases and prints.

pub mod config;
pub mod demo;
pub mod framework;
pub mod init;
pub mod migrate;
pub mod serve;
pub mod version;

use std::path::Path;

use isms_app::Cx;
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
            "data_dir",
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
    Ok(Cx::new(store))
}
