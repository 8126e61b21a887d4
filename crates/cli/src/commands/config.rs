//! `isms config show`

use std::process::ExitCode;

use crate::config::Config;
use crate::output::{CliError, Out};

/// Prints the effective configuration, each value with its source; secrets masked.
pub fn show(config: &Config, out: &Out) -> Result<ExitCode, CliError> {
    out.doc(&config.to_json());
    match &config.file {
        Some(path) => out.line(format!("config file: {}", path.display())),
        None => out.line("config file: none (use --config or ISMS_CONFIG)"),
    }
    let rows = config.rows();
    let width = rows.iter().map(|(k, _, _)| k.len()).max().unwrap_or(0);
    for (key, value, source) in rows {
        out.line(format!("{key:<width$}  {value}  ({source})"));
    }
    Ok(ExitCode::SUCCESS)
}
