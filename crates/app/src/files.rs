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

/// A stored file's bytes, checked against the SHA-256 it is stored under (a file that
/// changed on disk is refused rather than handed on).
pub(crate) async fn read_blob(cx: &crate::Cx, sha256: &str) -> crate::AppResult<Vec<u8>> {
    use sha2::Digest;
    use tokio::io::AsyncReadExt;
    let (mut reader, size) = cx.blobs.open(sha256).await.map_err(blob_error)?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    reader.read_to_end(&mut bytes).await.map_err(|e| AppError::new(Code::BlobStore, e.to_string()))?;
    if hex::encode(sha2::Sha256::digest(&bytes)) != sha256 {
        return Err(AppError::new(
            Code::CorruptData,
            format!("the stored file {sha256} no longer matches its hash; run `isms evidence verify`"),
        ));
    }
    Ok(bytes)
}
