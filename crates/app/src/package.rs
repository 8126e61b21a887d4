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

use crate::access::Actor;
use crate::clock::FixedClock;
use crate::export::DocFormat;
use crate::soa::VersionRef;
use crate::{AppError, AppResult, Code, Cx, registers};

/// What the manifest says a package is.
pub const FORMAT: &str = "isms-audit-package/1";

/// The manifest's name in the ZIP.
pub const MANIFEST: &str = "manifest.json";

/// The manifest's signature's name in the ZIP (hex Ed25519 of `manifest.json`).
pub const SIGNATURE: &str = "manifest.sig";

/// The files every package holds (besides the SoA and the evidence).
pub const REQUIRED: [&str; 6] = [
    "audit-report.md",
    "audit-report.pdf",
    "evidence-requests.xlsx",
    "nonconformity-register.xlsx",
    "risk-treatment-plan.xlsx",
    "samples.json",
];

/// Where an organization's package-signing key is kept (never in the trail).
const KEY_KIND: &str = "package_signing_key";

#[derive(Serialize, Deserialize)]
struct StoredKey {
    secret: String,
    public: String,
}

fn key_of(json: &str) -> AppResult<ed25519_dalek::SigningKey> {
    let stored: StoredKey =
        serde_json::from_str(json).map_err(|e| AppError::new(Code::CorruptData, format!("the package key: {e}")))?;
    let bytes: [u8; 32] = hex::decode(&stored.secret)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| AppError::new(Code::CorruptData, "the package key is not 32 bytes of hex"))?;
    Ok(ed25519_dalek::SigningKey::from_bytes(&bytes))
}

/// The organization's package-signing key, made on first use (its public half is
/// recorded in the trail; the secret half is not).
async fn signing_key(cx: &Cx, actor: &Actor) -> AppResult<ed25519_dalek::SigningKey> {
    let org = actor.org();
    if let Some(json) = cx.read().await?.entry(org, KEY_KIND, "").await? {
        return key_of(&json);
    }
    let mut secret = [0u8; 32];
    cx.entropy.fill(&mut secret);
    let key = ed25519_dalek::SigningKey::from_bytes(&secret);
    let public = hex::encode(key.verifying_key().to_bytes());
    let json = serde_json::to_string(&StoredKey { secret: hex::encode(secret), public: public.clone() })
        .map_err(|e| AppError::new(Code::CorruptData, e.to_string()))?;
    let now = cx.clock.now();
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    if let Some(json) = tx.entry(org, KEY_KIND, "").await? {
        return key_of(&json); // made by another request meanwhile
    }
    tx.put_entry(org, KEY_KIND, "", &json, now).await?;
    let draft = isms_domain::trail::TrailDraft {
        actor: actor.trail(),
        action: "package_key.created".into(),
        entity: "organization".into(),
        entity_id: org.to_string(),
        before: None,
        after: Some(serde_json::json!({ "public_key": public }).to_string()),
    };
    crate::trail::record(&mut *tx, org, now, draft).await?;
    tx.commit().await?;
    Ok(key)
}

/// The organization's package-signing key's public half (hex), for its auditors.
pub async fn signing_key_of(cx: &Cx, actor: &Actor) -> AppResult<String> {
    actor.require(UseCase::ReadIsms)?;
    Ok(hex::encode(signing_key(cx, actor).await?.verifying_key().to_bytes()))
}

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
    /// The organization's package-signing key (Ed25519, hex): `manifest.sig` is its
    /// signature of `manifest.json`, so the manifest cannot be rewritten to match a
    /// changed file. Compare it with the key the organization gives its auditors
    /// (`isms package verify` in its workspace does).
    pub signing_key: String,
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

/// Builds the package of an audit: any member may (it holds what they may read). The
/// records are read over several transactions, so the build is repeated (a few times
/// at most) when the trail moved on meanwhile: the manifest's head is the state the
/// files show.
pub async fn build_package(cx: &Cx, actor: &Actor, audit: &str) -> AppResult<(Manifest, Vec<u8>)> {
    actor.require(UseCase::ReadIsms)?;
    let key = signing_key(cx, actor).await?;
    let public = hex::encode(key.verifying_key().to_bytes());
    for _ in 0..4 {
        let (manifest, c) = build_once(cx, actor, audit, &public).await?;
        let now = cx.read().await?.trail_head(actor.org()).await?;
        if now.seq != manifest.trail_head.seq {
            continue;
        }
        let json =
            serde_json::to_vec_pretty(&manifest).map_err(|e| AppError::new(Code::ExportFailed, e.to_string()))?;
        use ed25519_dalek::Signer;
        let signature = hex::encode(key.sign(&json).to_bytes());
        let files: Vec<(&str, &[u8])> = c.files.iter().map(|(p, (_, b))| (p.as_str(), b.as_slice())).collect();
        let zip = zip_bytes(&json, &signature, &files)
            .map_err(|e| AppError::new(Code::ExportFailed, format!("the package: {e}")))?;
        return Ok((manifest, zip));
    }
    Err(AppError::new(Code::Conflict, "the records kept changing while the package was made; try again"))
}

async fn build_once(cx: &Cx, actor: &Actor, audit: &str, public: &str) -> AppResult<(Manifest, Contents)> {
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
                c.add(
                    format!("evidence/{}/{}", e.id, safe(filename)),
                    what,
                    crate::files::read_blob(cx, sha256).await?,
                );
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
                c.add(
                    format!("documents/{}/v{n}/{}", doc.id, safe(filename)),
                    what,
                    crate::files::read_blob(cx, sha256).await?,
                );
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
        signing_key: public.to_owned(),
    };
    Ok((manifest, c))
}

/// The package's bytes: the manifest, its signature, then every file in path order,
/// stored, with the ZIP epoch as their time (so the same content gives the same bytes).
fn zip_bytes(manifest: &[u8], signature: &str, files: &[(&str, &[u8])]) -> Result<Vec<u8>, zip::result::ZipError> {
    use zip::write::SimpleFileOptions;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(MANIFEST, options)?;
    zip.write_all(manifest)?;
    zip.start_file(SIGNATURE, options)?;
    zip.write_all(signature.as_bytes())?;
    for (path, bytes) in files {
        zip.start_file(*path, options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Checks a package offline: the manifest is there and signed by the key it names;
/// every file it lists is in the ZIP with the SHA-256 and size it gives; the files
/// every package holds are there; and the ZIP is exactly what isms writes for that
/// manifest and those files (so no duplicate, hidden or unlisted entry can ride along).
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
    let raw = match read(&mut archive, MANIFEST) {
        Ok(b) => b,
        Err(p) => return PackageCheck { manifest: None, checked: 0, problems: vec![p] },
    };
    let manifest: Manifest = match serde_json::from_slice(&raw) {
        Ok(m) => m,
        Err(e) => {
            let p = format!("{MANIFEST}: not a package manifest ({e})");
            return PackageCheck { manifest: None, checked: 0, problems: vec![p] };
        }
    };
    if manifest.format != FORMAT {
        problems.push(format!("{MANIFEST}: the format is {:?}, not {FORMAT}", manifest.format));
    }
    let signature = match read(&mut archive, SIGNATURE) {
        Ok(sig) => {
            let text = String::from_utf8_lossy(&sig).into_owned();
            if !signed(&manifest.signing_key, &text, &raw) {
                problems.push(format!(
                    "{MANIFEST}: its signature ({SIGNATURE}) does not match: the manifest was changed after it was signed"
                ));
            }
            text
        }
        Err(p) => {
            problems.push(p);
            String::new()
        }
    };
    let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    for name in &names {
        if name != MANIFEST && name != SIGNATURE && !listed.contains(name.as_str()) {
            problems.push(format!("{name}: in the ZIP but not in the manifest"));
        }
    }
    for required in REQUIRED {
        if !listed.contains(required) {
            problems.push(format!("{required}: every package holds it, and this one does not"));
        }
    }
    for ext in ["xlsx", "pdf"] {
        if !listed.iter().any(|p| p.starts_with("soa/") && p.ends_with(ext)) {
            problems
                .push(format!("soa/statement-of-applicability-*.{ext}: every package holds it, and this one does not"));
        }
    }
    let mut checked = 0;
    let mut contents: Vec<(String, Vec<u8>)> = Vec::new();
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
                contents.push((f.path.clone(), b));
            }
        }
    }
    if problems.is_empty() {
        let files: Vec<(&str, &[u8])> = contents.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
        if zip_bytes(&raw, &signature, &files).map_or(true, |again| again != bytes) {
            problems.push(
                "the ZIP is not as isms writes it for this manifest: it holds duplicate or hidden entries, or bytes \
                 around its files"
                    .to_owned(),
            );
        }
    }
    PackageCheck { manifest: Some(manifest), checked, problems }
}

/// Whether `signature` (hex) is `key`'s (hex) Ed25519 signature of `message`.
fn signed(key: &str, signature: &str, message: &[u8]) -> bool {
    use ed25519_dalek::Verifier;
    let Some(key) = hex::decode(key.trim()).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()) else { return false };
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&key) else { return false };
    let Some(sig) = hex::decode(signature.trim()).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()) else {
        return false;
    };
    key.verify(message, &ed25519_dalek::Signature::from_bytes(&sig)).is_ok()
}

/// What a package's manifest says that only the workspace can confirm: that it was
/// signed with this organization's key, and that the trail still holds its head.
/// Whoever may verify the trail. Answers the problems (none: confirmed).
pub async fn check_in_workspace(cx: &Cx, actor: &Actor, manifest: &Manifest) -> AppResult<Vec<String>> {
    actor.require(UseCase::VerifyAuditTrail)?;
    let mut problems = Vec::new();
    let ours = cx.read().await?.entry(actor.org(), KEY_KIND, "").await?;
    match ours.as_deref().map(key_of).transpose()? {
        Some(k) if hex::encode(k.verifying_key().to_bytes()) == manifest.signing_key => {}
        Some(k) => problems.push(format!(
            "{MANIFEST}: signed with the key {}, not this organization's {}",
            manifest.signing_key,
            hex::encode(k.verifying_key().to_bytes())
        )),
        None => problems.push(format!("{MANIFEST}: this organization has made no package; its key is not known here")),
    }
    if !trail_holds(cx, actor, &manifest.trail_head).await? {
        problems.push(format!(
            "{MANIFEST}: the audit trail no longer holds its head #{} {}",
            manifest.trail_head.seq, manifest.trail_head.hash
        ));
    }
    Ok(problems)
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
