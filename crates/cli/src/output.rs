//! What the CLI prints: results on standard output (text or `--json`), errors as one
//! sentence on standard error, and the exit code that goes with each.

use isms_app::Code;
use std::io::Write;
use std::process::ExitCode;

use isms_app::{AppError, ErrorKind, FieldError};
use serde::Serialize;

use crate::config::ConfigError;

/// How a command failed.
#[derive(Debug, Clone)]
pub struct CliError {
    /// Stable code (docs/errors.md).
    pub code: Code,
    /// One sentence for people.
    pub message: String,
    /// Per-field problems.
    pub fields: Vec<FieldError>,
    /// 1 when a check answered "no", 2 for errors and bad input.
    pub exit: u8,
}

impl CliError {
    /// An error (exit 2).
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: Vec::new(), exit: 2 }
    }

    /// Bad input (exit 2).
    pub fn bad_input(code: Code, message: impl Into<String>) -> Self {
        Self::error(code, message)
    }

    /// A check that answered "no" (exit 1).
    pub fn check_failed(code: Code, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: Vec::new(), exit: 1 }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit)
    }
}

impl From<AppError> for CliError {
    fn from(e: AppError) -> Self {
        let message = if e.kind == ErrorKind::Invalid && !e.fields.is_empty() {
            format!("invalid input — {}", e.message)
        } else {
            e.message
        };
        Self { code: e.code, message, fields: e.fields, exit: 2 }
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        Self::bad_input(Code::Config, e.to_string())
    }
}

impl From<isms_store_sql::ConnectError> for CliError {
    fn from(e: isms_store_sql::ConnectError) -> Self {
        Self::error(Code::DatabaseUnavailable, e.to_string())
    }
}

/// The printer for one command run.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    json: bool,
}

#[derive(Serialize)]
struct ErrorDoc<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fields: &'a [FieldError],
}

impl Out {
    /// A printer; `json` selects machine-readable output.
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// True when `--json` was given.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Prints a line of text (text mode only).
    pub fn line(&self, text: impl AsRef<str>) {
        if !self.json {
            let _ = writeln!(std::io::stdout().lock(), "{}", text.as_ref());
        }
    }

    /// Prints a result document (JSON mode only).
    pub fn doc<T: Serialize>(&self, value: &T) {
        if self.json {
            let text = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
            let _ = writeln!(std::io::stdout().lock(), "{text}");
        }
    }

    /// Reports progress of a long collection on standard error (text mode only).
    pub fn progress(&self, p: &isms_app::collect::Progress) {
        if !self.json && p.done < p.total {
            let _ = writeln!(std::io::stderr().lock(), "[{}/{}] {}", p.done + 1, p.total, p.message);
        }
    }

    /// Prints an error on standard error.
    pub fn error(&self, e: &CliError) {
        let mut err = std::io::stderr().lock();
        if self.json {
            let doc = ErrorDoc { error: ErrorBody { code: e.code.as_str(), message: &e.message, fields: &e.fields } };
            let _ = writeln!(err, "{}", serde_json::to_string(&doc).unwrap_or_default());
        } else {
            let _ = writeln!(err, "error: {}", e.message);
        }
    }
}
