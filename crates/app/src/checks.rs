//! Automated evidence (issue 23): the results of the tools security teams already run,
//! ingested as evidence. A file (SARIF, XCCDF/ARF, OCSF, JUnit, our CSV/JSON) is
//! spooled to disk, stored in the blob store, and read result by result
//! (`isms-ingest`) into the check results of a run (`RUN-001`), each result mapped
//! to the Annex A controls its references reach through the crosswalk. The evidence
//! item (attached to those controls), the run and every result commit together, or
//! nothing does: a malformed or cut-short file, a dropped request or a failed write
//! leaves no trace but an unreferenced blob.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use isms_domain::access::{Grant, UseCase};
use isms_domain::check::{CheckResult, CheckRun, Collected, Counts, Outcome, Reference};
use isms_domain::evidence::{Content, Evidence, Target, TargetKind};
use isms_domain::framework::{FrameworkId, ItemRef, Library, PIVOT};
use isms_ingest::{Format, IngestError};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWriteExt};

use crate::access::Actor;
use crate::controls::normalize_control_id;
use crate::evidence::{NewEvidence, checked_targets, item};
use crate::files::{base_name, blob_error};
use crate::frameworks::library;
use crate::{AppError, AppResult, Code, Cx, registers};

/// The Annex A controls a CWE weakness found by a code scanner is evidence for (our
/// own analysis): secure development life cycle, secure coding, security testing.
pub const CWE_CONTROLS: [&str; 3] = ["A.8.25", "A.8.28", "A.8.29"];

/// Results are handed from the reader to the writer in batches of this many.
const BATCH: usize = 1_000;

/// What a person says about a file of results.
#[derive(Debug, Clone, Default)]
pub struct IngestRequest {
    /// The file's name.
    pub file: String,
    /// Its format, when the content does not say (`sarif`, `xccdf`, `arf`, `ocsf`,
    /// `junit`, `csv`, `json`).
    pub format: Option<String>,
    /// The tool that made it (takes the place of the name the file gives, if any).
    pub tool: Option<String>,
    /// The evidence item's title, controls every result is evidence for, validity and
    /// period.
    pub evidence: NewEvidence,
    /// The collector that made the file, when `isms collect` ran one.
    pub collected: Option<Collected>,
}

/// What an ingestion stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Ingested {
    /// The run.
    pub run: CheckRun,
    /// The evidence item keeping the file.
    pub evidence: Evidence,
}

fn ingest_error(e: IngestError) -> AppError {
    match e {
        IngestError::Stopped { message, .. } => AppError::new(Code::Internal, message),
        other => AppError::new(Code::Import, other.to_string()),
    }
}

/// Maps a result's references to Annex A controls, remembering each reference's.
struct Mapper<'a> {
    lib: &'a Library,
    pivot: FrameworkId,
    every: Vec<String>,
    known: HashMap<Reference, Vec<String>>,
}

impl Mapper<'_> {
    fn reach(&self, r: &Reference) -> Vec<String> {
        // Only an id written as an Annex A control (`A.8.8`) is one: a bare `5.1` is a
        // clause of the standard, not control A.5.1.
        let annex_a = |id: &str| {
            if !id.trim().to_ascii_uppercase().starts_with("A.") {
                return None;
            }
            let id = normalize_control_id(id);
            self.lib.item(PIVOT, &id).filter(|i| !i.kind.is_grouping() && id.starts_with("A.")).map(|_| id)
        };
        match r.framework.as_str() {
            PIVOT => annex_a(&r.id).into_iter().collect(),
            "cwe" => CWE_CONTROLS.iter().map(|c| (*c).to_owned()).collect(),
            fw => {
                // SP 800-53 Rev 4 ids are read as Rev 5's (SCAP content still cites Rev 4).
                let fw = if fw == "nist-800-53r4" { "nist-800-53r5" } else { fw };
                let Ok(framework) = FrameworkId::parse(fw) else { return Vec::new() };
                let base = r.id.split('(').next().unwrap_or(&r.id).to_owned();
                for id in [r.id.clone(), base] {
                    let from = ItemRef { framework: framework.clone(), item: id };
                    // An enhancement no mapping names is read as its control (IA-2(1) as IA-2).
                    if let Ok(hits) = self.lib.crosswalk(&from, Some(&self.pivot)) {
                        let mut out: Vec<String> =
                            hits.into_iter().map(|h| h.target.item).filter(|i| i.starts_with("A.")).collect();
                        out.sort();
                        out.dedup();
                        if !out.is_empty() {
                            return out;
                        }
                    }
                }
                Vec::new()
            }
        }
    }

    /// The controls the references reach (without the controls every result is for).
    fn controls(&mut self, refs: &[Reference]) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = BTreeSet::new();
        for r in refs {
            if !self.known.contains_key(r) {
                let reached = self.reach(r);
                self.known.insert(r.clone(), reached);
            }
            out.extend(self.known[r].iter().cloned());
        }
        out
    }
}

/// Copies the upload to a file of its own, refusing more than `limit` bytes.
async fn spool(data: &mut (dyn AsyncRead + Unpin + Send), path: &PathBuf, limit: u64) -> AppResult<u64> {
    use tokio::io::AsyncReadExt;
    let io =
        |e: std::io::Error| AppError::new(Code::BlobStore, format!("the upload cannot be kept while it is read: {e}"));
    let mut out = tokio::fs::File::create(path).await.map_err(io)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = data
            .read(&mut buf)
            .await
            .map_err(|e| AppError::new(Code::InvalidInput, format!("the upload broke off: {e}")))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        if size > limit {
            return Err(AppError::new(
                Code::FileTooLarge,
                format!("the file is larger than the limit of {limit} bytes"),
            ));
        }
        out.write_all(&buf[..n]).await.map_err(io)?;
    }
    out.flush().await.map_err(io)?;
    Ok(size)
}

fn media_type(format: Format) -> &'static str {
    match format {
        Format::Sarif => "application/sarif+json",
        Format::Xccdf | Format::Junit => "application/xml",
        Format::Ocsf | Format::Json | Format::Checkov => "application/json",
        Format::Csv => "text/csv",
    }
}

/// Ingests a file of results as evidence (see the module's documentation). The
/// owner, ISMS manager or a contributor does it: results reach any control.
pub async fn ingest(
    cx: &Cx,
    actor: &Actor,
    request: IngestRequest,
    data: &mut (dyn AsyncRead + Unpin + Send),
) -> AppResult<Ingested> {
    if actor.require(UseCase::EditControls)? != Grant::Any {
        return Err(AppError::new(
            Code::Forbidden,
            "ingested results are evidence for any control: the owner, the ISMS manager or a contributor ingests them",
        ));
    }
    let format = match request.format.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => Some(Format::parse(f).ok_or_else(|| {
            AppError::invalid_field(
                "format",
                format!("{f:?} is not a format isms reads: sarif, xccdf (or arf), ocsf, junit, checkov, csv or json"),
            )
        })?),
        None => None,
    };
    if let Some(d) = request.evidence.valid_for_days
        && d < 1
    {
        return Err(AppError::invalid_field("valid_for", "must be at least one day"));
    }
    let org = actor.org();
    let lib = library(cx).await?;
    // Read before the write turn is taken: nothing may open a second transaction then.
    let mappings = crate::mappings::active(cx).await?;
    let every = checked_targets(cx, org, request.evidence.targets.clone()).await?;
    if let Some(t) = every.iter().find(|t| t.kind != TargetKind::Control) {
        return Err(AppError::invalid_field(
            "control",
            format!("ingested results are evidence for controls, not {:?}", t.id),
        ));
    }
    let every: Vec<String> = every.into_iter().map(|t| t.id).collect();
    let name = base_name(&request.file);
    let who = actor.who(cx).await?;
    let trail = actor.trail();

    // The file, spooled and then stored: complete in the blob store before any row.
    let dir = tempfile::tempdir()
        .map_err(|e| AppError::new(Code::BlobStore, format!("no room to keep the upload while it is read: {e}")))?;
    let path = dir.path().join("upload");
    spool(data, &path, cx.max_upload).await?;
    let mut file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| AppError::new(Code::BlobStore, format!("the spooled upload cannot be read: {e}")))?;
    let blob = cx.blobs.put(&mut file, cx.max_upload).await.map_err(blob_error)?;

    // The reader runs on a thread of its own and hands results over in batches; a
    // dropped request drops the receiver, which stops the reader.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<CheckResult>>(4);
    let (reader_name, reader_path) = (name.clone(), path.clone());
    let reader = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let read = isms_ingest::read(&reader_name, &reader_path, format, &mut |r| {
            batch.push(r);
            if batch.len() >= BATCH {
                sender
                    .blocking_send(std::mem::take(&mut batch))
                    .map_err(|_| "the ingestion was abandoned".to_owned())?;
            }
            Ok(())
        });
        if read.is_ok() && !batch.is_empty() && sender.blocking_send(batch).is_err() {
            return Err(IngestError::Stopped { file: reader_name, message: "the ingestion was abandoned".into() });
        }
        read
    });
    let mut mapper = Mapper {
        lib: &lib,
        pivot: FrameworkId::parse(PIVOT).map_err(|e| AppError::new(Code::CatalogInvalid, e))?,
        every,
        known: HashMap::new(),
    };
    let (mut seq, mut counts, mut unmapped) = (1i64, Counts::default(), 0u64);
    let mut per_control: BTreeMap<String, Counts> = BTreeMap::new();
    // Per rule, for the checks the run feeds (which ones is known once the tool is).
    let mut tallies: BTreeMap<String, crate::monitoring::RuleTally> = BTreeMap::new();
    // The organization's write turn is taken once results come, so a file refused while
    // it is checked (SARIF's first pass reads it whole) never holds it.
    let Some(first) = receiver.recv().await else {
        reader
            .await
            .map_err(|e| AppError::new(Code::Internal, format!("the reader stopped: {e}")))?
            .map_err(ingest_error)?;
        return Err(AppError::new(Code::Import, format!("{name}: the file holds no results")));
    };
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let run_id = registers::reserve_id_in::<CheckRun>(&mut *tx, org).await?;
    let mut next = Some(first);
    while let Some(batch) = next {
        for r in &batch {
            counts.add(r.outcome);
            match tallies.get_mut(&r.rule) {
                Some(t) => t.add(r.outcome, &r.target),
                None => tallies.entry(r.rule.clone()).or_default().add(r.outcome, &r.target),
            }
            let mut reached = mapper.controls(&r.references);
            if reached.is_empty()
                && let Some(t) = tallies.get_mut(&r.rule)
            {
                t.unreferenced.add(r.outcome);
            }
            reached.extend(mapper.every.iter().cloned());
            for c in reached {
                per_control.entry(c).or_default().add(r.outcome);
            }
        }
        tx.insert_check_results(org, &run_id, seq, &batch).await?;
        seq += i64::try_from(batch.len()).unwrap_or(i64::MAX);
        next = receiver.recv().await;
    }
    let (format, found) = reader
        .await
        .map_err(|e| AppError::new(Code::Internal, format!("the reader stopped: {e}")))?
        .map_err(ingest_error)?;
    if counts.total() == 0 {
        return Err(AppError::new(Code::Import, format!("{name}: the file holds no results")));
    }
    let tool = request
        .tool
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| if found.tool.is_empty() { format.as_str().to_uppercase() } else { found.tool.clone() });
    // Results naming no requirement: the tool's mapping file says which controls their
    // rules are evidence for (besides the controls every result is for).
    let mapping = mappings.into_iter().find(|m| m.mapping.applies_to(&tool));
    for (rule, t) in &tallies {
        if t.unreferenced.total() == 0 {
            continue;
        }
        match mapping.as_ref().and_then(|m| m.mapping.find(rule)) {
            Some(m) => {
                for c in m.controls.iter().filter(|c| !mapper.every.contains(c)) {
                    per_control.entry(c.clone()).or_default().merge(&t.unreferenced);
                }
            }
            None if mapper.every.is_empty() => unmapped += t.unreferenced.total(),
            None => {}
        }
    }
    if per_control.is_empty() {
        return Err(AppError::invalid_field(
            "control",
            format!(
                "{name}: no result names a requirement that reaches an Annex A control; say which controls the results are evidence for (--control A.8.8, ?control=A.8.8)"
            ),
        ));
    }
    let mut new = request.evidence.clone();
    if new.title.trim().is_empty() || new.title == request.file {
        new.title = format!("{tool} results: {name}");
    }
    let targets: Vec<Target> =
        per_control.keys().map(|c| Target { kind: TargetKind::Control, id: c.clone() }).collect();
    let content = Content::File {
        sha256: blob.sha256.clone(),
        size: blob.size,
        filename: name.clone(),
        media_type: media_type(format).to_owned(),
    };
    let mut evidence = item(cx, new, targets, content, &who)?;
    evidence.note = [evidence.note.trim(), &format!("Check run {run_id}: {} result(s).", counts.total())]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    registers::create_in(&mut *tx, cx, &trail, org, &mut evidence).await?;
    let mut run = CheckRun {
        id: run_id,
        format: format.as_str().to_owned(),
        tool,
        version: found.version,
        file: name,
        sha256: blob.sha256,
        evidence: evidence.id.clone(),
        ingested_by: who,
        ingested_at: cx.clock.now(),
        counts,
        controls: per_control,
        unmapped,
        collected: request.collected.clone(),
        checks: Vec::new(),
        mapping: mapping.map(|m| format!("{} ({}, sha256 {})", m.used.name, m.used.origin, m.used.sha256)),
    };
    run.checks = crate::monitoring::read_run_in(&mut *tx, cx, &trail, org, &run, &run.ingested_by, &tallies).await?;
    registers::insert_in(&mut *tx, cx, &trail, org, &run).await?;
    tx.commit().await?;
    Ok(Ingested { run, evidence })
}

/// Every ingested run, newest first.
pub async fn runs(cx: &Cx, actor: &Actor) -> AppResult<Vec<CheckRun>> {
    actor.require(UseCase::ReadIsms)?;
    let mut all = registers::list::<CheckRun>(cx, actor.org()).await?;
    all.sort_by(|a, b| b.ingested_at.cmp(&a.ingested_at).then(b.id.len().cmp(&a.id.len())).then(b.id.cmp(&a.id)));
    Ok(all)
}

/// One run.
pub async fn run(cx: &Cx, actor: &Actor, id: &str) -> AppResult<CheckRun> {
    actor.require(UseCase::ReadIsms)?;
    registers::get::<CheckRun>(cx, actor.org(), &id.trim().to_ascii_uppercase()).await
}

/// A page of a run's results after sequence number `after` (at most `limit`, up to
/// 1,000), only those of `outcome` when given; with the sequence number to ask from next.
pub async fn results(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    outcome: Option<Outcome>,
    after: i64,
    limit: u32,
) -> AppResult<(Vec<(i64, CheckResult)>, Option<i64>)> {
    actor.require(UseCase::ReadIsms)?;
    let run = run(cx, actor, id).await?;
    let limit = limit.clamp(1, 1_000);
    let mut out = Vec::new();
    let mut from = after.max(0);
    let mut tx = cx.read().await?;
    loop {
        let page = tx.check_results(actor.org(), &run.id, from, 1_000).await?;
        let Some((last, _)) = page.last() else { return Ok((out, None)) };
        let last = *last;
        for (seq, r) in page {
            if outcome.is_none_or(|o| r.outcome == o) {
                out.push((seq, r));
                if out.len() as u32 == limit {
                    return Ok((out, Some(seq)));
                }
            }
        }
        from = last;
    }
}
