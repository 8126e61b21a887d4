//! The audit package (issue 24): one ZIP for an audit that a certification body can
//! keep and check offline. It holds the SoA version under audit, the risk treatment
//! plan, the audit report, the nonconformity register, the audit's evidence requests
//! and samples, and every evidence file and document version linked to the audit, its
//! requests and its sampled controls; `manifest.json` lists each file with its SHA-256,
//! the SoA version and the audit trail's head at packaging time.
//!
//! The same state packages to the same bytes: files are written in path order, stored
//! without compression and with the ZIP epoch as their time, and every report inside
//! is rendered as of the trail head's time (not the clock), so nothing in the package
//! depends on when it was made. [`verify_package`] checks a package offline;
//! [`trail_holds`] checks, given the workspace, that the trail still holds its head.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Write};
use std::sync::Arc;

use isms_domain::access::UseCase;
use isms_domain::audit::Audit;
use isms_domain::document::Body;
use isms_domain::evidence::Content;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::io::AsyncReadExt;

use crate::access::Actor;
use crate::clock::FixedClock;
use crate::export::DocFormat;
use crate::soa::VersionRef;
use crate::{AppError, AppResult, Code, Cx, registers};

/// What the manifest says a package is.
pub const FORMAT: &str = "isms-audit-package/1";

/// The manifest's name in the ZIP.
pub const MANIFEST: &str = "manifest.json";

/// One file of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PackageFile {
    /// Its path in the ZIP.
    pub path: String,
    /// The SHA-256 of its bytes.
    pub sha256: String,
    /// How many bytes.
    pub bytes: u64,
    /// What it is (`soa`, `evidence EVD-004`, `document DOC-002 v3`…).
    pub what: String,
}

/// The audit trail's head when the package was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PackageHead {
    /// The last entry's sequence number.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
    /// When it was written (the time every report in the package is rendered as of).
    pub at: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The organization's id.
    pub organization_id: String,
    /// Its name.
    pub organization: String,
    /// The audit (`AUD-003`).
    pub audit: String,
    /// Its title.
    pub audit_title: String,
    /// The approved SoA version under audit (none: the draft, nothing approved yet).
    pub soa_version: Option<i64>,
    /// The audit trail's head at packaging time.
    pub trail_head: PackageHead,
    /// Every file but the manifest, in path order.
    pub files: Vec<PackageFile>,
    /// Evidence items that are links, not files: (id, title, URL).
    pub links: Vec<(String, String, String)>,
}

/// What checking a package found.
#[derive(Debug, Clone, Serialize)]
pub struct PackageCheck {
    /// The manifest, when it could be read.
    pub manifest: Option<Manifest>,
    /// Files checked against the manifest.
    pub checked: usize,
    /// What is wrong, each naming its file (empty: the package is intact).
    pub problems: Vec<String>,
}

/// A file name safe in a ZIP on every system: letters, digits, `.`, `-`, `_`.
fn safe(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .take(100)
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_owned();
    if cleaned.is_empty() { "file".to_owned() } else { cleaned }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The files of a package being put together, by path.
#[derive(Default)]
struct Contents {
    files: BTreeMap<String, (String, Vec<u8>)>,
}

impl Contents {
    fn add(&mut self, path: String, what: String, bytes: Vec<u8>) {
        let mut path = path;
        let mut n = 1;
        while self.files.contains_key(&path) {
            n += 1;
            path = match path.rsplit_once('.') {
                Some((stem, ext)) if !stem.is_empty() => format!("{stem}-{n}.{ext}"),
                _ => format!("{path}-{n}"),
            };
        }
        self.files.insert(path, (what, bytes));
    }
}

async fn blob(cx: &Cx, sha256: &str) -> AppResult<Vec<u8>> {
    let (mut reader, size) = cx.blobs.open(sha256).await.map_err(crate::files::blob_error)?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    reader.read_to_end(&mut bytes).await.map_err(|e| AppError::new(Code::BlobStore, e.to_string()))?;
    if sha256_hex(&bytes) != sha256 {
        return Err(AppError::new(
            Code::CorruptData,
            format!("the stored file {sha256} no longer matches its hash; run `isms evidence verify`"),
        ));
    }
    Ok(bytes)
}

/// Builds the package of an audit: any member may (it holds what they may read).
pub async fn build_package(cx: &Cx, actor: &Actor, audit: &str) -> AppResult<(Manifest, Vec<u8>)> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let audit: Audit = registers::get(cx, org, &audit.trim().to_ascii_uppercase()).await?;
    let (organization, head, head_at) = {
        let mut tx = cx.read().await?;
        let organization = tx.organization(org).await?;
        let head = tx.trail_head(org).await?;
        let at = if head.seq > 0 { tx.trail(org, head.seq - 1, 1).await?.first().map(|e| e.at) } else { None };
        (organization, head, at.unwrap_or(OffsetDateTime::UNIX_EPOCH))
    };
    // Everything is rendered as of the head's time: the same state, the same bytes.
    let frozen = Cx { clock: Arc::new(FixedClock(head_at)), ..cx.clone() };
    let cx = &frozen;

    let l = crate::auditors::linked(cx, org, audit).await?;
    let audit = &l.audit;
    let soa_version = l.soa_version;
    let at = soa_version.map_or(VersionRef::Draft, VersionRef::Number);
    let label = soa_version.map_or_else(|| "draft".to_owned(), |n| format!("v{n}"));

    let mut c = Contents::default();
    for format in [DocFormat::Xlsx, DocFormat::Pdf] {
        let soa = crate::soa::export_soa(cx, actor, at, format).await?;
        c.add(
            format!("soa/statement-of-applicability-{label}.{}", format.extension()),
            format!("SoA {label}"),
            soa.bytes,
        );
    }
    let plan = crate::risks::risk_table(cx, actor, crate::risks::RiskReport::Plan).await?;
    c.add(
        "risk-treatment-plan.xlsx".into(),
        "risk treatment plan".into(),
        crate::export::render_table(&plan, DocFormat::Xlsx)?,
    );
    for format in [DocFormat::Md, DocFormat::Xlsx, DocFormat::Pdf] {
        let report = crate::certification_reports::audit_report(cx, actor, &audit.id, format).await?;
        c.add(format!("audit-report.{}", format.extension()), format!("audit report {}", audit.id), report);
    }
    let register = crate::certification_reports::finding_register(cx, actor, DocFormat::Xlsx).await?;
    c.add("nonconformity-register.xlsx".into(), "nonconformity register".into(), register);

    let (requests, samples) = (&l.requests, &l.samples);
    let request_table = isms_reports::table::Table {
        title: format!("Evidence requests {}", audit.id),
        subtitle: format!("{} · {}", organization.name, audit.title),
        headers: ["Request", "Reference", "What is asked", "Concerns", "Due", "Answered by", "Status", "Answer"]
            .map(String::from)
            .to_vec(),
        rows: requests
            .iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.reference.clone(),
                    r.text.clone(),
                    r.references.join(", "),
                    r.due.map(|d| d.to_string()).unwrap_or_default(),
                    r.assignee.clone().unwrap_or_default(),
                    r.status.as_str().to_owned(),
                    r.evidence.iter().chain(&r.documents).cloned().collect::<Vec<_>>().join(", "),
                ]
            })
            .collect(),
        widths: vec![10, 12, 50, 20, 12, 28, 12, 30],
    };
    c.add(
        "evidence-requests.xlsx".into(),
        "evidence requests".into(),
        crate::export::render_table(&request_table, DocFormat::Xlsx)?,
    );
    let samples_json =
        serde_json::to_vec_pretty(&samples).map_err(|e| AppError::new(Code::ExportFailed, e.to_string()))?;
    c.add("samples.json".into(), "samples drawn".into(), samples_json);

    let mut links = Vec::new();
    for e in &l.evidence {
        match &e.content {
            Content::File { sha256, filename, .. } => {
                let what = format!("evidence {} {}", e.id, e.title);
                c.add(format!("evidence/{}/{}", e.id, safe(filename)), what, blob(cx, sha256).await?);
            }
            Content::Link { url } => links.push((e.id.clone(), e.title.clone(), url.clone())),
        }
    }
    for (doc, n) in &l.versions {
        let Some(v) = doc.versions.iter().find(|v| v.number == *n) else { continue };
        let what = format!("document {} v{n} {}", doc.id, doc.title);
        match &v.body {
            Body::Markdown { text } => {
                c.add(format!("documents/{}/v{n}/{}.md", doc.id, doc.id), what, text.clone().into_bytes());
            }
            Body::File { sha256, filename, .. } => {
                c.add(format!("documents/{}/v{n}/{}", doc.id, safe(filename)), what, blob(cx, sha256).await?);
            }
        }
    }

    let manifest = Manifest {
        format: FORMAT.into(),
        organization_id: org.to_string(),
        organization: organization.name.to_string(),
        audit: audit.id.clone(),
        audit_title: audit.title.clone(),
        soa_version,
        trail_head: PackageHead { seq: head.seq, hash: head.hash, at: head_at.format(&Rfc3339).unwrap_or_default() },
        files: c
            .files
            .iter()
            .map(|(path, (what, bytes))| PackageFile {
                path: path.clone(),
                sha256: sha256_hex(bytes),
                bytes: bytes.len() as u64,
                what: what.clone(),
            })
            .collect(),
        links,
    };
    let zip = write_zip(&manifest, &c).map_err(|e| AppError::new(Code::ExportFailed, format!("the package: {e}")))?;
    Ok((manifest, zip))
}

fn write_zip(manifest: &Manifest, c: &Contents) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    use zip::write::SimpleFileOptions;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(MANIFEST, options)?;
    zip.write_all(&serde_json::to_vec_pretty(manifest)?)?;
    for (path, (_, bytes)) in &c.files {
        zip.start_file(path.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Checks a package offline: the manifest is there and readable, every file it lists
/// is in the ZIP with the SHA-256 and size it gives, and the ZIP holds nothing else.
pub fn verify_package(bytes: &[u8]) -> PackageCheck {
    let mut problems = Vec::new();
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(a) => a,
        Err(e) => {
            return PackageCheck { manifest: None, checked: 0, problems: vec![format!("not a readable ZIP: {e}")] };
        }
    };
    let read = |archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str| -> Result<Vec<u8>, String> {
        let mut f = archive.by_name(name).map_err(|e| format!("{name}: {e}"))?;
        let mut out = Vec::new();
        f.read_to_end(&mut out).map_err(|e| format!("{name}: cannot be read ({e})"))?;
        Ok(out)
    };
    let manifest: Manifest = match read(&mut archive, MANIFEST)
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| format!("{MANIFEST}: not a package manifest ({e})")))
    {
        Ok(m) => m,
        Err(p) => return PackageCheck { manifest: None, checked: 0, problems: vec![p] },
    };
    if manifest.format != FORMAT {
        problems.push(format!("{MANIFEST}: the format is {:?}, not {FORMAT}", manifest.format));
    }
    let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    for name in &names {
        if name != MANIFEST && !listed.contains(name.as_str()) {
            problems.push(format!("{name}: in the ZIP but not in the manifest"));
        }
    }
    let mut checked = 0;
    for f in &manifest.files {
        checked += 1;
        match read(&mut archive, &f.path) {
            Err(p) => problems.push(p),
            Ok(b) => {
                let sha = sha256_hex(&b);
                if sha != f.sha256 {
                    problems.push(format!("{}: its SHA-256 is {sha}, the manifest says {}", f.path, f.sha256));
                } else if b.len() as u64 != f.bytes {
                    problems.push(format!("{}: {} bytes, the manifest says {}", f.path, b.len(), f.bytes));
                }
            }
        }
    }
    PackageCheck { manifest: Some(manifest), checked, problems }
}

/// Whether the organization's audit trail still holds the package's head: the entry at
/// its sequence number has its hash. Whoever may verify the trail.
pub async fn trail_holds(cx: &Cx, actor: &Actor, head: &PackageHead) -> AppResult<bool> {
    actor.require(UseCase::VerifyAuditTrail)?;
    let mut tx = cx.read().await?;
    if head.seq == 0 {
        return Ok(true);
    }
    let entry = tx.trail(actor.org(), head.seq - 1, 1).await?;
    Ok(entry.first().is_some_and(|e| e.seq == head.seq && e.hash == head.hash))
}
