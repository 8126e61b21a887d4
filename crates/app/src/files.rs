//! Stored files (evidence files, uploaded document versions): what their blob
//! store's errors mean to a person, and the name a file is kept under. Shared by
//! evidence and documents, which otherwise do not depend on each other.

use isms_store::BlobError;

use crate::{AppError, Code};

/// What a blob store error means to a person.
pub(crate) fn blob_error(e: BlobError) -> AppError {
    match e {
        BlobError::TooLarge { limit } => {
            AppError::new(Code::FileTooLarge, format!("the file is larger than the limit of {limit} bytes"))
        }
        BlobError::NotFound(a) => AppError::new(Code::NotFound, format!("no stored file {a}")),
        BlobError::BadAddress(a) => AppError::new(Code::InvalidInput, format!("{a:?} is not a SHA-256")),
        BlobError::Io(m) => AppError::new(Code::BlobStore, m),
    }
}

/// The last component of an uploaded file's name (browsers and tools may send a path).
pub(crate) fn base_name(filename: &str) -> String {
    let name = filename.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() { "file".to_owned() } else { name.to_owned() }
}
