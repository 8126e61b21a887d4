//! isms-blobs: the blob store in a local directory (the default; an object store can
//! implement [`BlobStore`] the same way).
//!
//! Layout: `<root>/sha256/<first two hex digits>/<64 hex digits>` for complete blobs and
//! `<root>/partial/` for uploads in progress. An upload is streamed into a partial
//! file while it is hashed, synced to disk, then renamed to its address — a rename is
//! atomic, so a blob is either complete or absent, and a crash leaves only a partial
//! file that nothing refers to. Identical content is stored once.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use isms_store::{Blob, BlobError, BlobReader, BlobState, BlobStore, is_address};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

/// Bytes read and hashed at a time.
const CHUNK: usize = 256 * 1024;

/// Blobs in a directory of the local file system.
#[derive(Debug)]
pub struct LocalBlobs {
    root: PathBuf,
    next: AtomicU64,
}

fn io(what: &str, e: &std::io::Error) -> BlobError {
    BlobError::Io(format!("{what}: {e}"))
}

impl LocalBlobs {
    /// A store rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into(), next: AtomicU64::new(0) }
    }

    /// Where a blob lives.
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.root.join("sha256").join(&sha256[..2]).join(sha256)
    }

    fn partial(&self) -> PathBuf {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.root.join("partial").join(format!("{}-{n}.part", std::process::id()))
    }

    /// Partial uploads left behind (by a crash or a refused upload that could not be
    /// cleaned up); none of them is a blob.
    pub fn partial_files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.root.join("partial"))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    }
}

async fn hash_stream(
    data: &mut (dyn AsyncRead + Unpin + Send),
    limit: u64,
    mut sink: Option<&mut tokio::io::BufWriter<tokio::fs::File>>,
) -> Result<(String, u64), BlobError> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut size = 0u64;
    loop {
        let n = data.read(&mut buf).await.map_err(|e| io("reading the upload", &e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        if size > limit {
            return Err(BlobError::TooLarge { limit });
        }
        hasher.update(&buf[..n]);
        if let Some(w) = sink.as_mut() {
            w.write_all(&buf[..n]).await.map_err(|e| io("writing the blob", &e))?;
        }
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// Reads `data` to its end and answers its SHA-256 (lower-case hex) and size: what
/// every blob store's `check` does with what it finds stored.
pub async fn hash_all(data: &mut (dyn AsyncRead + Unpin + Send)) -> Result<(String, u64), BlobError> {
    hash_stream(data, u64::MAX, None).await
}

async fn store(path: &Path, data: &mut (dyn AsyncRead + Unpin + Send), limit: u64) -> Result<(String, u64), BlobError> {
    let file = tokio::fs::File::create(path).await.map_err(|e| io(&path.display().to_string(), &e))?;
    let mut w = tokio::io::BufWriter::with_capacity(CHUNK, file);
    let (sha, size) = hash_stream(data, limit, Some(&mut w)).await?;
    w.flush().await.map_err(|e| io("writing the blob", &e))?;
    w.get_ref().sync_all().await.map_err(|e| io("syncing the blob", &e))?;
    Ok((sha, size))
}

#[async_trait]
impl BlobStore for LocalBlobs {
    async fn put(&self, data: &mut (dyn AsyncRead + Unpin + Send), limit: u64) -> Result<Blob, BlobError> {
        let partial = self.partial();
        let dir = partial.parent().map(Path::to_path_buf).unwrap_or_default();
        tokio::fs::create_dir_all(&dir).await.map_err(|e| io(&dir.display().to_string(), &e))?;
        let (sha256, size) = match store(&partial, data, limit).await {
            Ok(done) => done,
            Err(e) => {
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(e);
            }
        };
        let target = self.path_of(&sha256);
        if tokio::fs::try_exists(&target).await.unwrap_or(false) {
            let _ = tokio::fs::remove_file(&partial).await;
            return Ok(Blob { sha256, size, existed: true });
        }
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(|e| io(&parent.display().to_string(), &e))?;
        }
        if let Err(e) = tokio::fs::rename(&partial, &target).await {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(io("storing the blob", &e));
        }
        Ok(Blob { sha256, size, existed: false })
    }

    async fn open(&self, sha256: &str) -> Result<(BlobReader, u64), BlobError> {
        if !is_address(sha256) {
            return Err(BlobError::BadAddress(sha256.to_owned()));
        }
        let path = self.path_of(sha256);
        let file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(BlobError::NotFound(sha256.to_owned())),
            Err(e) => return Err(io(&path.display().to_string(), &e)),
        };
        let size = file.metadata().await.map_err(|e| io(&path.display().to_string(), &e))?.len();
        Ok((Box::pin(file), size))
    }

    async fn check(&self, sha256: &str) -> Result<BlobState, BlobError> {
        let (mut reader, _) = match self.open(sha256).await {
            Ok(r) => r,
            Err(BlobError::NotFound(_)) => return Ok(BlobState::Missing),
            Err(e) => return Err(e),
        };
        let (actual, size) = hash_all(&mut reader).await?;
        Ok(if actual == sha256 { BlobState::Intact { size } } else { BlobState::Changed { actual } })
    }

    fn location(&self) -> String {
        self.root.display().to_string()
    }

    async fn sweep(&self, idle: std::time::Duration) -> Result<usize, BlobError> {
        let mut removed = 0;
        // File times are the file system's wall clock, so they are compared with it,
        // not with the app's (test-controlled) clock.
        #[allow(clippy::disallowed_methods)]
        let now = std::time::SystemTime::now();
        for path in self.partial_files() {
            let Ok(meta) = tokio::fs::metadata(&path).await else { continue };
            let stale = meta.modified().ok().and_then(|m| now.duration_since(m).ok()).is_some_and(|age| age >= idle);
            if stale && path.extension().is_some_and(|e| e == "part") {
                match tokio::fs::remove_file(&path).await {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io(&path.display().to_string(), &e)),
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    #[tokio::test]
    async fn content_is_stored_once_by_its_hash_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = LocalBlobs::new(dir.path());
        let first = blobs.put(&mut &b"hello"[..], 1024).await.unwrap();
        assert_eq!(first, Blob { sha256: HELLO.into(), size: 5, existed: false });
        let again = blobs.put(&mut &b"hello"[..], 1024).await.unwrap();
        assert!(again.existed, "identical content is stored once");
        let (mut r, size) = blobs.open(HELLO).await.unwrap();
        let mut back = String::new();
        r.read_to_string(&mut back).await.unwrap();
        assert_eq!((back.as_str(), size), ("hello", 5));
        assert_eq!(blobs.check(HELLO).await.unwrap(), BlobState::Intact { size: 5 });
        assert!(blobs.partial_files().is_empty(), "no partial file stays behind");
    }

    #[tokio::test]
    async fn a_changed_or_missing_blob_is_reported_and_a_too_large_one_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = LocalBlobs::new(dir.path());
        blobs.put(&mut &b"hello"[..], 1024).await.unwrap();
        std::fs::write(blobs.path_of(HELLO), b"jello").unwrap();
        assert!(matches!(blobs.check(HELLO).await.unwrap(), BlobState::Changed { .. }));
        std::fs::remove_file(blobs.path_of(HELLO)).unwrap();
        assert_eq!(blobs.check(HELLO).await.unwrap(), BlobState::Missing);
        let big = vec![7u8; 10_000];
        assert_eq!(blobs.put(&mut &big[..], 9_999).await.unwrap_err(), BlobError::TooLarge { limit: 9_999 });
        assert!(blobs.partial_files().is_empty(), "the refused upload left nothing");
        assert!(matches!(blobs.open("nope").await, Err(BlobError::BadAddress(_))));
    }

    #[tokio::test]
    async fn sweeping_removes_abandoned_uploads_only() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = LocalBlobs::new(dir.path());
        blobs.put(&mut &b"hello"[..], 1024).await.unwrap();
        std::fs::create_dir_all(dir.path().join("partial")).unwrap();
        let abandoned = dir.path().join("partial").join("1-0.part");
        std::fs::write(&abandoned, b"half an upload").unwrap();
        assert_eq!(blobs.sweep(std::time::Duration::from_secs(3600)).await.unwrap(), 0, "a recent one may be live");
        assert!(abandoned.exists());
        assert_eq!(blobs.sweep(std::time::Duration::ZERO).await.unwrap(), 1);
        assert!(!abandoned.exists() && blobs.partial_files().is_empty());
        assert_eq!(blobs.check(HELLO).await.unwrap(), BlobState::Intact { size: 5 }, "finished blobs stay");
    }
}
