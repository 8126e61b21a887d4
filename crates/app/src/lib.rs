//! isms-app: the use cases of isms, one async function per thing a user does.
//!
//! The CLI, the HTML pages and the API all call these functions, so each rule is
//! written once. A use case checks permission first, does its work in one store
//! transaction, and records the change in the audit trail inside that transaction.
//! Time and randomness come in through [`Cx`], so tests control them.

pub mod access;
pub mod advisor;
pub mod assets;
pub mod auditors;
pub mod branding;
mod cache;
pub mod certification;
pub mod certification_reports;
pub mod checks;
mod clock;
pub mod collect;
pub mod controls;
pub mod coverage;
pub mod demo;
mod demo_isms;
pub mod documents;
mod entropy;
mod error;
pub mod evidence;
pub mod export;
pub mod fair;
mod files;
pub mod frameworks;
pub mod gap;
pub mod imports;
pub mod invitations;
pub mod jobs;
pub mod mappings;
pub mod monitoring;
pub mod oscal;
pub mod package;
pub mod password;
pub mod proposals;
pub mod reads;
pub mod registers;
pub mod requests;
pub mod reviews;
pub mod risks;
pub mod sampling;
pub mod schema;
pub mod search;
pub mod sessions;
pub mod soa;
pub mod starters;
pub mod status;
pub mod tokens;
pub mod trail;
pub mod users;
pub mod workspace;

use std::fmt;
use std::sync::Arc;

pub use clock::{Clock, FixedClock, SystemClock};
pub use entropy::{Entropy, SeededEntropy, SystemEntropy};
pub use error::{AppError, AppResult, Code, ErrorKind, FieldError};
use isms_store::{BlobStore, Store};

/// The largest upload accepted unless configured otherwise: 4 GiB.
pub const DEFAULT_MAX_UPLOAD: u64 = 4 << 30;

/// Everything a use case needs from the outside world.
#[derive(Clone)]
pub struct Cx {
    /// Where data lives.
    pub store: Arc<dyn Store>,
    /// What time it is.
    pub clock: Arc<dyn Clock>,
    /// Where randomness comes from (ids, salts, generated passwords).
    pub entropy: Arc<dyn Entropy>,
    /// The framework library, built on first use.
    pub library: Arc<frameworks::LibraryCache>,
    /// Where evidence files and uploaded documents are kept.
    pub blobs: Arc<dyn BlobStore>,
    /// The largest file accepted, in bytes.
    pub max_upload: u64,
    /// Organizations' data as last read, by data version.
    pub cache: Arc<cache::ReadCache>,
    /// Where the operator installs external collectors (`exec` checks run only these).
    pub collectors: Option<std::path::PathBuf>,
    /// Where the installation keeps its own mapping files per tool.
    pub mappings: Option<std::path::PathBuf>,
}

impl Cx {
    /// A context on the real clock and the operating system's randomness.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            clock: Arc::new(SystemClock),
            entropy: Arc::new(SystemEntropy),
            library: Arc::default(),
            blobs: Arc::new(evidence::NoBlobs),
            max_upload: DEFAULT_MAX_UPLOAD,
            cache: Arc::default(),
            collectors: None,
            mappings: None,
        }
    }

    /// The same context keeping files in `blobs`, accepting files up to `max_upload`
    /// bytes.
    pub fn with_blobs(mut self, blobs: Arc<dyn BlobStore>, max_upload: u64) -> Self {
        self.blobs = blobs;
        self.max_upload = max_upload;
        self
    }

    /// Sixteen random bytes, for a new id.
    pub fn random_id_bytes(&self) -> [u8; 16] {
        let mut bytes = [0u8; 16];
        self.entropy.fill(&mut bytes);
        bytes
    }
}

impl fmt::Debug for Cx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cx").field("store", &self.store).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
