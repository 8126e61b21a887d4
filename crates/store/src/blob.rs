//! The blob port: files (evidence, uploaded documents) stored by the SHA-256 of their
//! content. Identical content is stored once. Adapters stream — no implementation may
//! hold a whole file in memory — and make a blob visible only once it is complete, so a
//! crash mid-upload leaves at most an unreferenced temporary file.

use std::fmt;
use std::pin::Pin;

use async_trait::async_trait;
use tokio::io::AsyncRead;

/// A stored blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// Lower-case hex SHA-256 of the content (its address).
    pub sha256: String,
    /// Bytes.
    pub size: u64,
    /// True when identical content was already stored (nothing new was written).
    pub existed: bool,
}

/// What re-hashing a stored blob found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobState {
    /// The content still hashes to its address.
    Intact {
        /// Bytes.
        size: u64,
    },
    /// The content changed: it now hashes to something else.
    Changed {
        /// What it hashes to now.
        actual: String,
    },
    /// Nothing is stored under the address.
    Missing,
}

/// Why a blob operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    /// The content was larger than allowed; nothing was kept.
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// The address is not a SHA-256 in hex.
    #[error("{0:?} is not a SHA-256 address")]
    BadAddress(String),
    /// Nothing is stored under the address.
    #[error("no blob {0}")]
    NotFound(String),
    /// Reading the upload or writing the store failed; nothing was kept.
    #[error("{0}")]
    Io(String),
}

/// A readable stream of bytes.
pub type BlobReader = Pin<Box<dyn AsyncRead + Send>>;

/// Content-addressed file storage.
#[async_trait]
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// Streams `data` in, hashing as it goes, and stores it under its SHA-256. More
    /// than `limit` bytes is refused and nothing is kept.
    async fn put(&self, data: &mut (dyn AsyncRead + Unpin + Send), limit: u64) -> Result<Blob, BlobError>;
    /// The content stored under `sha256`, as a stream.
    async fn open(&self, sha256: &str) -> Result<(BlobReader, u64), BlobError>;
    /// Re-reads and re-hashes what is stored under `sha256`.
    async fn check(&self, sha256: &str) -> Result<BlobState, BlobError>;
    /// Where the blobs are (for messages).
    fn location(&self) -> String;
    /// Removes uploads that were never finished (a crash, a killed server) and have
    /// not been written to for `idle`; returns how many. Finished blobs are never
    /// touched.
    async fn sweep(&self, idle: std::time::Duration) -> Result<usize, BlobError>;
}

/// True for 64 lower-case hex digits.
pub fn is_address(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
