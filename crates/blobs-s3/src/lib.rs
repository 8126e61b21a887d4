//! isms-blobs-s3: the blob store in S3-compatible object storage (AWS S3, MinIO, Ceph,
//! moto …), for several `isms serve` replicas that share no disk.
//!
//! The same content addressing as the local store: a blob lives at
//! `<prefix>sha256/<first two hex digits>/<64 hex digits>`. An upload streams into a
//! multipart upload at `<prefix>partial/<unique name>` while it is hashed (no file is
//! ever held in memory, only one part at a time); once complete it is copied to its
//! address, unless identical content is there already, and the partial object is
//! deleted. A blob at its address is therefore always complete (S3 makes an object
//! visible only when its upload or copy completes), and a crash leaves at most a
//! partial object or an unfinished multipart upload, which [`BlobStore::sweep`] removes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use futures_util::{StreamExt, TryStreamExt};
use isms_store::{Blob, BlobError, BlobReader, BlobState, BlobStore, is_address};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Bytes read, hashed and sent at a time; also the size of each part (S3's smallest
/// part is 5 MiB).
const PART: usize = 8 * 1024 * 1024;
/// Bytes read from the upload at a time.
const CHUNK: usize = 256 * 1024;

/// Where and how to reach the bucket.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// The bucket.
    pub bucket: String,
    /// The service's address (`https://s3.us-east-1.amazonaws.com`,
    /// `http://127.0.0.1:9000`); AWS's own for the region when `None`.
    pub endpoint: Option<String>,
    /// The region (`us-east-1` unless set).
    pub region: String,
    /// Keys under this prefix only (`isms/`), so one bucket can hold other things.
    pub prefix: String,
    /// Virtual-host style (`https://BUCKET.host/key`) instead of path style
    /// (`https://host/BUCKET/key`, what most S3-compatible servers expect).
    pub virtual_host: bool,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// Sends every request to this address whatever the host name (as `curl
    /// --resolve`): for virtual-host style on a server whose bucket names do not
    /// resolve, such as a local test server.
    pub resolve: Option<std::net::IpAddr>,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("prefix", &self.prefix)
            .field("virtual_host", &self.virtual_host)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"(hidden)")
            .field("resolve", &self.resolve)
            .finish()
    }
}

impl S3Settings {
    /// Reads `s3://BUCKET[/PREFIX][?endpoint=URL&region=R&style=path|virtual&resolve=IP]` with the
    /// keys given separately (they never appear in the address, which is shown in
    /// logs and `isms config`). The error says which part is wrong.
    pub fn parse(address: &str, access_key_id: &str, secret_access_key: &str) -> Result<Self, String> {
        let url = url::Url::parse(address).map_err(|e| format!("{address:?} is not an address: {e}"))?;
        if url.scheme() != "s3" {
            return Err(format!("{address:?} does not start with s3:// (s3://BUCKET?endpoint=…)"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("keys do not go in the address: set ISMS_S3_ACCESS_KEY_ID and ISMS_S3_SECRET_ACCESS_KEY".into());
        }
        let bucket = url.host_str().unwrap_or_default().to_owned();
        if bucket.is_empty() {
            return Err(format!("{address:?} names no bucket (s3://BUCKET)"));
        }
        let mut prefix = url.path().trim_matches('/').to_owned();
        if !prefix.is_empty() {
            prefix.push('/');
        }
        let mut settings = S3Settings {
            bucket,
            endpoint: None,
            region: "us-east-1".into(),
            prefix,
            virtual_host: false,
            access_key_id: access_key_id.to_owned(),
            secret_access_key: secret_access_key.to_owned(),
            resolve: None,
        };
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "endpoint" => {
                    let e = url::Url::parse(&value).map_err(|e| format!("endpoint {value:?}: {e}"))?;
                    if !matches!(e.scheme(), "http" | "https") {
                        return Err(format!("endpoint {value:?} is not an http or https address"));
                    }
                    settings.endpoint = Some(value.trim_end_matches('/').to_owned());
                }
                "region" => settings.region = value.into_owned(),
                "resolve" => {
                    settings.resolve =
                        Some(value.parse().map_err(|_| format!("resolve {value:?} is not an IP address"))?);
                }
                "style" => {
                    settings.virtual_host = match value.as_ref() {
                        "path" => false,
                        "virtual" => true,
                        other => return Err(format!("style {other:?} is not path or virtual")),
                    }
                }
                other => {
                    return Err(format!(
                        "{other:?} is not a setting of the address (endpoint, region, style, resolve)"
                    ));
                }
            }
        }
        if settings.access_key_id.is_empty() || settings.secret_access_key.is_empty() {
            return Err("set ISMS_S3_ACCESS_KEY_ID and ISMS_S3_SECRET_ACCESS_KEY for the bucket".into());
        }
        Ok(settings)
    }
}

/// `http://host:port` → `http://BUCKET.host:port` (the virtual-host style address).
fn bucket_host(endpoint: &str, bucket: &str) -> Result<String, BlobError> {
    let mut url = url::Url::parse(endpoint).map_err(|e| BlobError::Io(format!("endpoint {endpoint:?}: {e}")))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    url.set_host(Some(&format!("{bucket}.{host}")))
        .map_err(|e| BlobError::Io(format!("endpoint {endpoint:?} with bucket {bucket:?}: {e}")))?;
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// A resolver that answers one address for every name.
#[derive(Debug)]
struct Fixed(std::net::IpAddr);

impl object_store::client::DnsResolver for Fixed {
    fn resolve(&self, _host: &str) -> object_store::client::DnsFuture {
        let address = self.0;
        Box::pin(async move { Ok(vec![address]) })
    }
}

/// Blobs in an S3-compatible bucket.
#[derive(Debug)]
pub struct S3Blobs {
    store: Arc<AmazonS3>,
    settings: S3Settings,
    next: AtomicU64,
    /// Tells this process's partial uploads from another replica's.
    instance: String,
}

fn failed(what: &str, e: &object_store::Error) -> BlobError {
    BlobError::Io(format!("{what}: {e}"))
}

impl S3Blobs {
    /// A store for the bucket (no request is made until the first use). `instance`
    /// makes partial upload names unique across replicas (a random token).
    pub fn new(settings: S3Settings, instance: &str) -> Result<Self, BlobError> {
        // TLS through rustls with ring, as the rest of isms; ignored when already chosen.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            .with_virtual_hosted_style_request(settings.virtual_host);
        if let Some(endpoint) = &settings.endpoint {
            // Virtual-host style addresses the bucket as a name under the service's host.
            let endpoint =
                if settings.virtual_host { bucket_host(endpoint, &settings.bucket)? } else { endpoint.clone() };
            builder = builder.with_endpoint(&endpoint).with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(address) = settings.resolve {
            let options = object_store::ClientOptions::new()
                .with_allow_http(settings.endpoint.as_deref().is_some_and(|e| e.starts_with("http://")))
                .with_dns_resolver(Arc::new(Fixed(address)));
            builder = builder.with_client_options(options);
        }
        let store = builder.build().map_err(|e| failed("the S3 settings", &e))?;
        Ok(Self { store: Arc::new(store), settings, next: AtomicU64::new(0), instance: instance.to_owned() })
    }

    /// The key of a complete blob.
    pub fn key_of(&self, sha256: &str) -> Path {
        Path::from(format!("{}sha256/{}/{sha256}", self.settings.prefix, &sha256[..2]))
    }

    fn partial_dir(&self) -> Path {
        Path::from(format!("{}partial", self.settings.prefix))
    }

    fn partial(&self) -> Path {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        Path::from(format!("{}partial/{}-{}-{n}.part", self.settings.prefix, self.instance, std::process::id()))
    }

    /// Streams `data` into a multipart upload at `key`, hashing it; the upload is
    /// aborted (nothing kept) on any error.
    async fn upload(
        &self,
        key: &Path,
        data: &mut (dyn AsyncRead + Unpin + Send),
        limit: u64,
    ) -> Result<(String, u64), BlobError> {
        let upload = self.store.put_multipart(key).await.map_err(|e| failed("starting the upload", &e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut size = 0u64;
        let outcome = loop {
            let n = match data.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => break Err(BlobError::Io(format!("reading the upload: {e}"))),
            };
            if n == 0 {
                break Ok(());
            }
            size += n as u64;
            if size > limit {
                break Err(BlobError::TooLarge { limit });
            }
            hasher.update(&buf[..n]);
            // At most two parts in flight: memory stays at a few parts whatever the size.
            if let Err(e) = writer.wait_for_capacity(2).await {
                break Err(failed("sending a part", &e));
            }
            writer.write(&buf[..n]);
        };
        match outcome {
            Ok(()) => {
                writer.finish().await.map_err(|e| failed("completing the upload", &e))?;
                Ok((hex::encode(hasher.finalize()), size))
            }
            Err(e) => {
                let _ = writer.abort().await;
                Err(e)
            }
        }
    }
}

#[async_trait]
impl BlobStore for S3Blobs {
    async fn put(&self, data: &mut (dyn AsyncRead + Unpin + Send), limit: u64) -> Result<Blob, BlobError> {
        let partial = self.partial();
        let (sha256, size) = self.upload(&partial, data, limit).await?;
        let target = self.key_of(&sha256);
        let existed = match self.store.head(&target).await {
            Ok(_) => true,
            Err(object_store::Error::NotFound { .. }) => false,
            Err(e) => {
                let _ = self.store.delete(&partial).await;
                return Err(failed("looking for the blob", &e));
            }
        };
        if !existed && let Err(e) = self.store.copy(&partial, &target).await {
            let _ = self.store.delete(&partial).await;
            return Err(failed("storing the blob", &e));
        }
        let _ = self.store.delete(&partial).await;
        Ok(Blob { sha256, size, existed })
    }

    async fn open(&self, sha256: &str) -> Result<(BlobReader, u64), BlobError> {
        if !is_address(sha256) {
            return Err(BlobError::BadAddress(sha256.to_owned()));
        }
        let got = match self.store.get(&self.key_of(sha256)).await {
            Ok(g) => g,
            Err(object_store::Error::NotFound { .. }) => return Err(BlobError::NotFound(sha256.to_owned())),
            Err(e) => return Err(failed("reading the blob", &e)),
        };
        let size = got.meta.size;
        let stream = got.into_stream().map_err(std::io::Error::other);
        Ok((Box::pin(tokio_util::io::StreamReader::new(stream)), size))
    }

    async fn check(&self, sha256: &str) -> Result<BlobState, BlobError> {
        let (mut reader, _) = match self.open(sha256).await {
            Ok(r) => r,
            Err(BlobError::NotFound(_)) => return Ok(BlobState::Missing),
            Err(e) => return Err(e),
        };
        let (actual, size) = isms_blobs::hash_all(&mut reader).await?;
        Ok(if actual == sha256 { BlobState::Intact { size } } else { BlobState::Changed { actual } })
    }

    fn location(&self) -> String {
        let style = if self.settings.virtual_host { "virtual" } else { "path" };
        match &self.settings.endpoint {
            Some(e) => format!("s3://{}/{} at {e} ({style} style)", self.settings.bucket, self.settings.prefix),
            None => format!(
                "s3://{}/{} in {} ({style} style)",
                self.settings.bucket, self.settings.prefix, self.settings.region
            ),
        }
    }

    async fn sweep(&self, idle: std::time::Duration) -> Result<usize, BlobError> {
        // The objects' times are the object store's clock, compared with this machine's.
        #[allow(clippy::disallowed_methods)]
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let idle = idle.as_secs() as i64;
        let mut listing = self.store.list(Some(&self.partial_dir()));
        let mut stale = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(|e| failed("listing partial uploads", &e))?;
            if now - meta.last_modified.timestamp() >= idle && meta.location.as_ref().ends_with(".part") {
                stale.push(meta.location);
            }
        }
        let mut removed = 0;
        for key in stale {
            match self.store.delete(&key).await {
                Ok(()) => removed += 1,
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(failed("removing a partial upload", &e)),
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_names_bucket_prefix_endpoint_and_style_and_never_the_keys() {
        let s = S3Settings::parse("s3://evidence/isms?endpoint=http://127.0.0.1:9000&style=path", "AK", "SK").unwrap();
        assert_eq!(s.bucket, "evidence");
        assert_eq!(s.prefix, "isms/");
        assert_eq!(s.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert!(!s.virtual_host);
        assert!(!format!("{s:?}").contains("SK"), "the secret is not shown");
        let v = S3Settings::parse("s3://evidence?region=eu-west-1&style=virtual&resolve=10.0.0.5", "AK", "SK").unwrap();
        assert!(v.virtual_host && v.prefix.is_empty() && v.region == "eu-west-1" && v.endpoint.is_none());
        assert_eq!(v.resolve, Some("10.0.0.5".parse().unwrap()));
        assert_eq!(bucket_host("http://localhost:9000", "evidence").unwrap(), "http://evidence.localhost:9000");
        for (bad, says) in [
            ("https://evidence", "does not start with s3://"),
            ("s3://ak:sk@evidence", "keys do not go in the address"),
            ("s3://evidence?style=sideways", "not path or virtual"),
            ("s3://evidence?endpoint=ftp://x", "not an http or https address"),
            ("s3://evidence?colour=blue", "\"colour\" is not a setting"),
            ("s3://evidence?resolve=nowhere", "not an IP address"),
        ] {
            let e = S3Settings::parse(bad, "AK", "SK").unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        assert!(S3Settings::parse("s3://evidence", "", "").unwrap_err().contains("ISMS_S3_ACCESS_KEY_ID"));
    }
}
