//! Collectors (issue 23): `isms collect` runs the collectors the checks name, on
//! demand or on a schedule inside `isms serve`, and ingests what each one finds as a
//! run of results ([`crate::checks::ingest`]): the output file is evidence like any
//! other tool's, content-addressed, and its results give the checks fed by that
//! collector and target their readings.
//!
//! Built-in collectors (`isms-collect`): `tls` (a `host:port`), `postgres` (a
//! database URL, without a password: use `PGPASSWORD` or a `.pgpass` file), `git` (a
//! repository's path), `openscap` (an SSG profile id, optionally followed by a data
//! stream's path). `exec` runs an external collector by the plug-in protocol
//! (docs/monitoring.md): only an executable the operator installed in the collectors
//! directory (`<data_dir>/collectors`), named by its file name, so that defining a
//! check over the API never names a program to run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use isms_domain::access::{Grant, UseCase};
use isms_domain::check::{Check, CheckResult, CheckRun, CheckSource, Collected};
use isms_domain::evidence::{Target, TargetKind};
use serde::Serialize;

use crate::access::Actor;
use crate::checks::{IngestRequest, ingest};
use crate::evidence::NewEvidence;
use crate::monitoring::CheckView;
use crate::{AppError, AppResult, Code, Cx, registers};

/// How long an external collector may run.
pub const PLUGIN_TIMEOUT: Duration = Duration::from_secs(600);

/// How long a TLS endpoint has to answer each probe.
const TLS_TIMEOUT: Duration = Duration::from_secs(10);

/// How far a collection has come.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    /// Steps done.
    pub done: usize,
    /// Of how many.
    pub total: usize,
    /// What is being done.
    pub message: String,
}

/// What one collector run gave.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Collection {
    /// Which collector, on what.
    #[serde(flatten)]
    pub collected: Collected,
    /// The run its output was ingested as.
    pub run: Option<CheckRun>,
    /// Why it could not collect.
    pub error: Option<String>,
}

fn may_collect(grant: Grant) -> AppResult<()> {
    if grant != Grant::Any {
        return Err(AppError::new(
            Code::Forbidden,
            "collected results are evidence for any control: the owner, the ISMS manager or a contributor collects",
        ));
    }
    Ok(())
}

fn failed(e: impl std::fmt::Display) -> AppError {
    AppError::new(Code::CollectorFailed, e.to_string())
}

/// Our own JSON check format (docs/evidence-ingest.md), which the ingestion reads back.
fn as_json(collector: &str, results: &[CheckResult]) -> AppResult<Vec<u8>> {
    let results: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            serde_json::json!({
                "rule": r.rule,
                "title": r.title,
                "target": r.target,
                "result": r.outcome.as_str(),
                "severity": r.severity.as_str(),
                "message": r.message,
                "references": r.references.iter().map(|x| format!("{}:{}", x.framework, x.id)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let doc = serde_json::json!({
        "tool": format!("isms collect {collector}"),
        "version": env!("CARGO_PKG_VERSION"),
        "results": results,
    });
    serde_json::to_vec_pretty(&doc).map_err(|e| AppError::new(Code::Internal, e.to_string()))
}

/// A file name from a target: letters, digits, dots and dashes.
fn slug(text: &str) -> String {
    let s: String = text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '-' }).collect();
    s.trim_matches('-').chars().take(60).collect()
}

/// A database URL without its user and password: `host:port/database`.
fn without_credentials(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split('?').next().unwrap_or(rest).to_owned()
}

/// The file in the collectors directory where the operator lists what the built-in
/// collectors may reach: one `COLLECTOR PATTERN` a line (`*` matches any run of
/// characters; `#` starts a comment), e.g. `tls *.example.com:443`,
/// `postgres db.internal:5432/*`, `git /srv/repos/*`, `openscap /srv/scap/*`.
pub const ALLOWED_TARGETS: &str = "allowed-targets";

/// What the allow list matches for a collector's target: `host:port` (TLS),
/// `host:port/database` (databases), the canonical path (a repository, a data stream);
/// none for what needs no listing (the operator's own external collectors, and the
/// installed SCAP Security Guide content).
fn reach_of(collector: &str, target: &str) -> AppResult<Option<String>> {
    let target = target.trim();
    let bad = |m: String| AppError::invalid_field("target", m);
    let canonical = |path: &str, what: &str| {
        std::fs::canonicalize(path)
            .map(|p| p.display().to_string())
            .map_err(|e| bad(format!("{what} {path:?} cannot be read: {e}")))
    };
    Ok(match collector {
        "tls" => {
            let t = target.to_ascii_lowercase();
            Some(if t.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) { t } else { format!("{t}:443") })
        }
        "postgres" | "mariadb" => {
            let rest = target.split_once("://").map_or(target, |(_, r)| r);
            let authority = rest.split(['/', '?']).next().unwrap_or_default();
            if authority.rsplit_once('@').is_some_and(|(user, _)| user.contains(':')) {
                return Err(bad(format!(
                    "the URL holds a password, which would be stored with the check and shown to every reader: \
                     leave it out ({} from the environment, or {})",
                    if collector == "postgres" { "PGPASSWORD" } else { "MYSQL_PWD" },
                    if collector == "postgres" { "~/.pgpass" } else { "an option file" }
                )));
            }
            Some(without_credentials(target).to_ascii_lowercase())
        }
        "git" => Some(canonical(target, "the repository")?),
        "openscap" => {
            let mut words = target.split_whitespace();
            let profile = words.next().unwrap_or_default();
            if profile.is_empty()
                || !profile.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'))
            {
                return Err(bad(format!("{profile:?} is not an XCCDF profile id")));
            }
            match words.next() {
                Some(path) => Some(canonical(path, "the data stream")?),
                None => None,
            }
        }
        _ => None,
    })
}

/// Refuses a collector target the operator has not allowed (see [`ALLOWED_TARGETS`]):
/// the collectors act with the server's own network access and files, which belong to
/// the installation, not to any one organization.
pub(crate) fn check_target(cx: &Cx, collector: &str, target: &str) -> AppResult<()> {
    let Some(reach) = reach_of(collector, target)? else { return Ok(()) };
    let Some(dir) = &cx.collectors else {
        return Err(AppError::invalid_field("target", "no collectors directory is configured on this installation"));
    };
    let file = dir.join(ALLOWED_TARGETS);
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(AppError::new(Code::Config, format!("{} cannot be read: {e}", file.display()))),
    };
    let allowed = text.lines().map(|l| l.split('#').next().unwrap_or_default().trim()).any(|line| {
        line.split_once(char::is_whitespace)
            .is_some_and(|(c, pattern)| c == collector && isms_domain::check::glob(pattern.trim(), &reach))
    });
    if allowed {
        return Ok(());
    }
    Err(AppError::invalid_field(
        "target",
        format!(
            "{collector} may not reach {reach} on this installation: the operator lists what collectors may reach in {} \
             (a line `{collector} PATTERN`)",
            file.display()
        ),
    ))
}

/// The external collector `target` names: its executable in the collectors
/// directory, and its arguments.
fn plugin(cx: &Cx, target: &str) -> AppResult<(PathBuf, Vec<String>)> {
    let mut words = target.split_whitespace();
    let name = words.next().unwrap_or_default();
    let safe = !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !safe {
        return Err(AppError::invalid_field(
            "target",
            format!("{name:?} is not the file name of a collector in the collectors directory"),
        ));
    }
    let Some(dir) = &cx.collectors else {
        return Err(AppError::invalid_field("target", "no collectors directory is configured"));
    };
    let exe = dir.join(name);
    if !exe.is_file() {
        return Err(AppError::invalid_field(
            "target",
            format!("there is no collector {name} in {} (install it there to use it)", dir.display()),
        ));
    }
    Ok((exe, words.map(str::to_owned).collect()))
}

/// Runs one collector on one target and ingests its output; `controls` are the
/// controls of the checks it feeds (its evidence is attached to them) and `valid_for`
/// how long that evidence stays current.
async fn collect_one(
    cx: &Cx,
    actor: &Actor,
    collected: &Collected,
    controls: Vec<String>,
    valid_for: u32,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> AppResult<CheckRun> {
    // One target that never answers must not hold up the others (nor the schedule).
    match tokio::time::timeout(COLLECT_TIMEOUT, collect_within(cx, actor, collected, controls, valid_for, progress))
        .await
    {
        Ok(done) => done,
        Err(_) => Err(AppError::new(
            Code::CollectorFailed,
            format!(
                "{} on {}: no result within {} minutes",
                collected.collector,
                collected.target,
                COLLECT_TIMEOUT.as_secs() / 60
            ),
        )),
    }
}

/// The longest one collector run may take, collecting and ingesting.
pub const COLLECT_TIMEOUT: Duration = Duration::from_secs(15 * 60);

async fn collect_within(
    cx: &Cx,
    actor: &Actor,
    collected: &Collected,
    controls: Vec<String>,
    valid_for: u32,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> AppResult<CheckRun> {
    let target = collected.target.trim();
    // Checked again here: the allow list may have changed since the check was defined.
    check_target(cx, &collected.collector, target)?;
    let spool = tempfile::tempdir().map_err(|e| AppError::new(Code::Internal, format!("no room to collect: {e}")))?;
    let (file, bytes): (String, Vec<u8>) = match collected.collector.as_str() {
        "tls" => {
            let opts = isms_collect::tls::TlsOptions {
                timeout: TLS_TIMEOUT,
                ..isms_collect::tls::TlsOptions::new(cx.clock.now())
            };
            let found = isms_collect::tls::collect(target, &opts).await.map_err(failed)?;
            (format!("tls-{}.json", slug(target)), as_json("tls", &found)?)
        }
        "postgres" => {
            let found = isms_collect::postgres::collect(target).await.map_err(failed)?;
            (format!("postgres-{}.json", slug(&without_credentials(target))), as_json("postgres", &found)?)
        }
        "mariadb" => {
            let found = isms_collect::mariadb::collect(target).await.map_err(failed)?;
            (format!("mariadb-{}.json", slug(&without_credentials(target))), as_json("mariadb", &found)?)
        }
        "git" => {
            let found = isms_collect::git::collect(Path::new(target)).await.map_err(failed)?;
            let name = Path::new(target).file_name().and_then(|n| n.to_str()).unwrap_or("repository");
            (format!("git-{}.json", slug(name)), as_json("git", &found)?)
        }
        "openscap" => {
            let mut words = target.split_whitespace();
            let profile = words.next().unwrap_or_default().to_owned();
            let datastream = match words.next() {
                Some(d) => PathBuf::from(d),
                None => isms_collect::openscap::default_datastream().ok_or_else(|| {
                    AppError::invalid_field(
                        "target",
                        "no SCAP Security Guide data stream is installed (Debian: apt-get install ssg-debian); name one after the profile",
                    )
                })?,
            };
            let opts = isms_collect::openscap::OpenscapOptions { datastream, profile, oscap: PathBuf::from("oscap") };
            let out = spool.path().join("arf.xml");
            let arf = isms_collect::openscap::collect(&opts, &out).await.map_err(failed)?;
            let bytes = tokio::fs::read(&arf)
                .await
                .map_err(|e| AppError::new(Code::CollectorFailed, format!("openscap wrote no report: {e}")))?;
            (format!("openscap-{}.arf.xml", slug(&opts.profile)), bytes)
        }
        "exec" => {
            let (exe, args) = plugin(cx, target)?;
            let mut report = |p: isms_collect::plugin::Progress| {
                let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
                progress(Progress { done: count(p.done), total: count(p.total), message: p.message });
            };
            let bytes = isms_collect::plugin::collect(&exe, &args, PLUGIN_TIMEOUT, cx.max_upload, &mut report)
                .await
                .map_err(failed)?;
            let name = exe.file_name().and_then(|n| n.to_str()).unwrap_or("plugin").to_owned();
            (format!("{}.json", slug(&name)), bytes)
        }
        other => {
            return Err(AppError::invalid_field(
                "collector",
                format!("{other:?} is not a collector: {}", crate::monitoring::COLLECTORS.join(", ")),
            ));
        }
    };
    let request = IngestRequest {
        file,
        format: None,
        tool: (collected.collector != "exec").then(|| format!("isms collect {}", collected.collector)),
        evidence: NewEvidence {
            title: format!("{} on {target}", collected.collector),
            targets: controls.into_iter().map(|id| Target { kind: TargetKind::Control, id }).collect(),
            valid_for_days: Some(i64::from(valid_for)),
            ..NewEvidence::default()
        },
        collected: Some(collected.clone()),
    };
    Ok(ingest(cx, actor, request, &mut bytes.as_slice()).await?.run)
}

/// The collector sources the checks name (`only` one kind of collector), each with
/// the controls of its checks and the shortest frequency among them.
fn sources(checks: &[Check], only: Option<&str>) -> Vec<(Collected, Vec<String>, u32)> {
    let mut out: Vec<(Collected, Vec<String>, u32)> = Vec::new();
    for c in checks {
        let CheckSource::Collector { collector, target, .. } = &c.source else { continue };
        if only.is_some_and(|o| o != collector) {
            continue;
        }
        let key = Collected { collector: collector.clone(), target: target.clone() };
        match out.iter_mut().find(|(k, ..)| *k == key) {
            Some((_, controls, every)) => {
                controls.extend(c.controls.iter().cloned());
                *every = (*every).min(c.frequency_days);
            }
            None => out.push((key, c.controls.clone(), c.frequency_days)),
        }
    }
    for (_, controls, _) in &mut out {
        let set: BTreeSet<String> = controls.drain(..).collect();
        controls.extend(set);
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Runs every collector the checks name (only those of `only`, when given), one after
/// the other; one that cannot collect is reported and the others still run.
pub async fn collect_all(
    cx: &Cx,
    actor: &Actor,
    only: Option<&str>,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> AppResult<Vec<Collection>> {
    may_collect(actor.require(UseCase::EditControls)?)?;
    if let Some(o) = only
        && !crate::monitoring::COLLECTORS.contains(&o)
    {
        return Err(AppError::invalid_field(
            "collector",
            format!("{o:?} is not a collector: {}", crate::monitoring::COLLECTORS.join(", ")),
        ));
    }
    let checks = registers::list::<Check>(cx, actor.org()).await?;
    let all = sources(&checks, only);
    let total = all.len();
    let mut out = Vec::new();
    for (i, (collected, controls, every)) in all.into_iter().enumerate() {
        progress(Progress { done: i, total, message: format!("{} on {}", collected.collector, collected.target) });
        let done = collect_one(cx, actor, &collected, controls, every, progress).await;
        let (run, error) = match done {
            Ok(run) => (Some(run), None),
            Err(e) => (None, Some(e.message.clone())),
        };
        out.push(Collection { collected, run, error });
    }
    progress(Progress { done: total, total, message: "done".to_owned() });
    Ok(out)
}

/// How many collector runs [`collect_all`] would make (one per collector and target).
pub async fn collection_size(cx: &Cx, actor: &Actor, only: Option<&str>) -> AppResult<usize> {
    may_collect(actor.require(UseCase::EditControls)?)?;
    Ok(sources(&registers::list::<Check>(cx, actor.org()).await?, only).len())
}

/// The job kind of a collection (manual or scheduled): one at a time per organization.
pub const COLLECT_JOB: &str = "collect";

/// Takes a reading of one collector check now: runs its collector on its target.
pub async fn run_check(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> AppResult<CheckView> {
    may_collect(actor.require(UseCase::EditControls)?)?;
    let id = id.trim().to_ascii_uppercase();
    let check = registers::get::<Check>(cx, actor.org(), &id).await?;
    let CheckSource::Collector { collector, target, .. } = &check.source else {
        let how = match check.source {
            CheckSource::Manual => "a person attests it: `isms check run ID --pass|--fail --note TEXT`".to_owned(),
            other => format!("it reads the results ingested from {} (`isms ingest FILE`)", other.describe()),
        };
        return Err(AppError::new(Code::WrongState, format!("{id} has no collector to run: {how}")));
    };
    let collected = Collected { collector: collector.clone(), target: target.clone() };
    let checks = registers::list::<Check>(cx, actor.org()).await?;
    let (_, controls, every) = sources(&checks, Some(collector))
        .into_iter()
        .find(|(k, ..)| *k == collected)
        .unwrap_or((collected.clone(), check.controls.clone(), check.frequency_days));
    progress(Progress { done: 0, total: 1, message: format!("{collector} on {target}") });
    collect_one(cx, actor, &collected, controls, every, progress).await?;
    progress(Progress { done: 1, total: 1, message: "done".to_owned() });
    Ok(crate::monitoring::check(cx, actor, &id, None, 1).await?.0)
}

/// Runs, every `every`, the collectors whose checks are due within the next `every`
/// (or are stale), in every organization, as `isms serve (scheduled collection)`.
/// Replicas take turns through the organization's job claim: one collects, the
/// others skip that round. Never returns; the server aborts it on shutdown.
pub async fn schedule(cx: Cx, every: Duration) {
    let instance: String = cx.random_id_bytes()[..8].iter().map(|b| format!("{b:02x}")).collect();
    loop {
        tokio::time::sleep(every.min(Duration::from_secs(60))).await;
        if let Err(e) = scheduled_round(&cx, every, &instance).await {
            tracing::warn!("scheduled collection: {e}");
        }
        tokio::time::sleep(every.saturating_sub(Duration::from_secs(60))).await;
    }
}

/// One round of [`schedule`]: answers how many collector runs were ingested. One
/// organization's trouble is logged and the others still collect.
pub async fn scheduled_round(cx: &Cx, every: Duration, instance: &str) -> AppResult<usize> {
    let mut ingested = 0;
    for org in crate::users::organizations(cx).await? {
        match scheduled_for(cx, org.id, every, instance).await {
            Ok(n) => ingested += n,
            Err(e) => tracing::warn!(org = %org.id, "scheduled collection: {e}"),
        }
    }
    Ok(ingested)
}

/// [`scheduled_round`] in one organization, holding its collection claim (renewed every
/// few seconds, so no other replica nor "Collect now" starts a second one meanwhile).
async fn scheduled_for(cx: &Cx, org: isms_domain::OrgId, every: Duration, instance: &str) -> AppResult<usize> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let actor = Actor::operator(org, "isms serve (scheduled collection)");
    let horizon = time::Duration::try_from(every).unwrap_or(time::Duration::DAY);
    let now = cx.clock.now();
    let until = now.checked_add(horizon).unwrap_or(now);
    let checks = registers::list::<Check>(cx, org).await?;
    let due: Vec<Check> = checks.into_iter().filter(|c| c.due().is_none_or(|d| d <= until)).collect();
    let all = sources(&due, None);
    if all.is_empty() {
        return Ok(0);
    }
    let (run, mine) =
        crate::jobs::claim_job(cx, &actor, UseCase::EditControls, COLLECT_JOB, instance, all.len()).await?;
    if !mine {
        return Ok(0);
    }
    let done = Arc::new(AtomicUsize::new(0));
    let heartbeat = {
        let (cx, done, instance) = (cx.clone(), done.clone(), instance.to_owned());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                match crate::jobs::renew_job(&cx, &actor, COLLECT_JOB, run, &instance, done.load(Ordering::Relaxed))
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => tracing::warn!("could not renew the collection's claim: {e}"),
                }
            }
        })
    };
    let (mut ingested, mut failures) = (0, Vec::new());
    for (i, (collected, controls, every)) in all.into_iter().enumerate() {
        match collect_one(cx, &actor, &collected, controls, every, &mut |_| {}).await {
            Ok(r) => {
                ingested += 1;
                tracing::info!(org = %org, run = %r.id, collector = %collected.collector, target = %collected.target, "collected");
            }
            Err(e) => {
                tracing::warn!(org = %org, collector = %collected.collector, target = %collected.target, "could not collect: {e}");
                failures.push(e.message.clone());
            }
        }
        done.store(i + 1, Ordering::Relaxed);
    }
    heartbeat.abort();
    let outcome = if failures.is_empty() {
        Ok(format!("Collected {ingested} run(s)."))
    } else {
        Err(format!("Collected {ingested} run(s); could not collect: {}", failures.join("; ")))
    };
    crate::jobs::finish_job(cx, &actor, COLLECT_JOB, run, instance, outcome).await?;
    Ok(ingested)
}
