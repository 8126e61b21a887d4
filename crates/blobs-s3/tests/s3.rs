//! The S3 blob store against a real S3-compatible server (moto's, started per test):
//! the same promises as the local store. Ignored unless asked for (`--include-ignored`,
//! as CI does); then it fails when moto's server cannot start.

#![allow(clippy::unwrap_used, reason = "tests")]

use isms_blobs_s3::{S3Blobs, S3Settings};
use isms_store::{BlobError, BlobState, BlobStore};
use isms_testkit::{S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3Server};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

fn blobs(server: &S3Server, prefix: &str, instance: &str) -> S3Blobs {
    let address = format!("s3://{}/{prefix}?endpoint={}&style=path", server.bucket, server.endpoint);
    S3Blobs::new(S3Settings::parse(&address, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY).unwrap(), instance).unwrap()
}

#[tokio::test]
#[ignore = "needs moto's S3 server (python3 -m pip install 'moto[server]'); CI runs it"]
async fn blobs_in_an_s3_bucket_are_content_addressed_streamed_and_verified() {
    let server = S3Server::start();
    let one = blobs(&server, "isms", "replica-a");
    let other = blobs(&server, "isms", "replica-b");
    // 20 MiB and a bit: three parts of a multipart upload, never held whole.
    let big: Vec<u8> =
        (0..20 * 1024 * 1024 + 12_345).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let sha = hex::encode(Sha256::digest(&big));
    let stored = one.put(&mut &big[..], u64::MAX).await.unwrap();
    assert_eq!((stored.sha256.as_str(), stored.size, stored.existed), (sha.as_str(), big.len() as u64, false));
    // Uploaded through one replica, read and verified through the other.
    let (mut reader, size) = other.open(&sha).await.unwrap();
    let mut back = Vec::new();
    reader.read_to_end(&mut back).await.unwrap();
    assert_eq!(size, big.len() as u64);
    assert!(back == big, "the same bytes come back");
    assert_eq!(other.check(&sha).await.unwrap(), BlobState::Intact { size: big.len() as u64 });
    let again = other.put(&mut &big[..], u64::MAX).await.unwrap();
    assert!(again.existed, "identical content is stored once");
    // Too large: refused, nothing kept.
    assert_eq!(one.put(&mut &b"0123456789"[..], 9).await.unwrap_err(), BlobError::TooLarge { limit: 9 });
    assert_eq!(one.sweep(std::time::Duration::ZERO).await.unwrap(), 0, "no partial upload stayed behind");
    // Missing, bad addresses, and another prefix sees nothing of this one.
    let missing = "0".repeat(64);
    assert_eq!(one.check(&missing).await.unwrap(), BlobState::Missing);
    assert!(matches!(one.open("nope").await, Err(BlobError::BadAddress(_))));
    assert_eq!(blobs(&server, "other", "c").check(&sha).await.unwrap(), BlobState::Missing);
    assert!(one.location().contains(&server.bucket) && one.location().contains("path style"));
}

#[tokio::test]
#[ignore = "needs moto's S3 server (python3 -m pip install 'moto[server]'); CI runs it"]
async fn virtual_host_style_reaches_the_bucket_by_its_host_name() {
    let server = S3Server::start();
    let port = server.endpoint.rsplit(':').next().unwrap();
    // BUCKET.localhost does not resolve here: send every name to the server's address.
    let address = format!("s3://{}?endpoint=http://localhost:{port}&style=virtual&resolve=127.0.0.1", server.bucket);
    let virtual_host =
        S3Blobs::new(S3Settings::parse(&address, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY).unwrap(), "v").unwrap();
    let stored = virtual_host.put(&mut &b"virtual host"[..], 1024).await.unwrap();
    // The same object, read path style: the two styles name one bucket.
    let path_style = blobs(&server, "", "p");
    assert_eq!(path_style.check(&stored.sha256).await.unwrap(), BlobState::Intact { size: 12 });
    assert!(virtual_host.location().contains("virtual style"));
}
