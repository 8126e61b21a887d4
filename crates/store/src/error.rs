//! The errors every store adapter reports, whatever its engine.

/// A storage failure, in terms the app layer can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist (or belongs to another organization).
    #[error("{0} was not found")]
    NotFound(String),
    /// The change clashes with what is stored (a duplicate, a concurrent change).
    #[error("{0}")]
    Conflict(String),
    /// The database could not be reached or refused to work.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The database refused a value as such (text holding the NUL character): bad
    /// input, not a fault of the database.
    #[error("{0}")]
    Invalid(String),
    /// Stored data cannot be read back into the domain (a bug or a manual edit).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;
