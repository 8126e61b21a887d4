//! The one error type of the use cases. Its `code` is stable: the API's problem
//! `type`, the CLI's `--json` output and docs/errors.md all use it.

use std::fmt;

use isms_store::{MigrateError, StoreError};
use serde::Serialize;

/// The broad class of an error, which decides the HTTP status and the CLI exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input was wrong; the fields say where.
    Invalid,
    /// The thing does not exist, or is not visible to the caller.
    NotFound,
    /// The caller may not do this.
    Forbidden,
    /// The caller is not signed in.
    Unauthenticated,
    /// The change clashes with the stored state.
    Conflict,
    /// Too many attempts (failed sign-ins); retrying later will help.
    Throttled,
    /// An upload was larger than the configured limit.
    TooLarge,
    /// A dependency (the database) is unavailable; retrying may help.
    Unavailable,
    /// A bug or corrupt data; details are logged, not shown.
    Internal,
}

/// One field's problem, as shown next to the field in a form or in `--json` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field (`org`, `admin_email`, a column name, ...).
    pub field: String,
    /// What is wrong with it, as a sentence.
    pub message: String,
}

/// A use case's failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppError {
    /// The class.
    pub kind: ErrorKind,
    /// The stable code (see docs/errors.md).
    pub code: &'static str,
    /// One sentence for people.
    pub message: String,
    /// Per-field problems, for `Invalid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error of a kind, with its code and message.
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Self { kind, code, message: message.into(), fields: Vec::new() }
    }

    /// Invalid input in the named fields.
    pub fn invalid(fields: Vec<FieldError>) -> Self {
        let message = fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ");
        Self { kind: ErrorKind::Invalid, code: "invalid_input", message, fields }
    }

    /// Invalid input in one field.
    pub fn invalid_field(field: &str, message: impl fmt::Display) -> Self {
        Self::invalid(vec![FieldError { field: field.to_owned(), message: message.to_string() }])
    }

    /// The thing was not found.
    pub fn not_found(what: impl fmt::Display) -> Self {
        Self::new(ErrorKind::NotFound, "not_found", format!("{what} was not found"))
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::not_found(what),
            StoreError::Conflict(message) => AppError::new(ErrorKind::Conflict, "conflict", message),
            StoreError::Unavailable(_) => AppError::new(ErrorKind::Unavailable, "database_unavailable", e.to_string()),
            StoreError::Corrupt(_) => AppError::new(ErrorKind::Internal, "corrupt_data", e.to_string()),
            StoreError::Invalid(message) => AppError::new(ErrorKind::Invalid, "invalid_input", message),
        }
    }
}

impl From<MigrateError> for AppError {
    fn from(e: MigrateError) -> Self {
        match e {
            MigrateError::Unavailable(_) => {
                AppError::new(ErrorKind::Unavailable, "database_unavailable", e.to_string())
            }
            MigrateError::Failed { .. } => AppError::new(ErrorKind::Internal, "migration_failed", e.to_string()),
            MigrateError::Changed { .. } => AppError::new(ErrorKind::Internal, "migration_changed", e.to_string()),
            MigrateError::Newer { .. } => AppError::new(ErrorKind::Conflict, "schema_too_new", e.to_string()),
        }
    }
}
