//! Continuous control monitoring (issue 23; ISO/IEC 27001 9.1 and 10.2): checks
//! (`CHK-001`), named tests of controls fed by ingested results, collectors or a
//! person's attestation, each passing, failing or stale, with its history; drift,
//! where a check that turns failing raises a nonconformity from monitoring with a
//! corrective action and an owner, and a check that passes again marks that action
//! implemented, awaiting verification; and control health per Annex A theme and per
//! framework.
//!
//! A reading, the check it lands on, and the nonconformity it raises or moves are
//! written in one transaction with their trail entries: two runs at once, or a run
//! and an attestation, cannot raise the same nonconformity twice.

use std::collections::BTreeMap;

use isms_domain::OrgId;
use isms_domain::access::{Grant, UseCase};
use isms_domain::audit::{Finding, FindingStatus};
use isms_domain::check::{Check, CheckSource, CheckStatus, Counts, Drift, Outcome, Reading};
use isms_domain::framework::PIVOT;
use isms_domain::trail::TrailActor;
use isms_store::WriteTx;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::access::Actor;
use crate::controls::{ControlView, controls_of, normalize_control_id};
use crate::frameworks::library;
use crate::{AppError, AppResult, Code, Cx, registers};

/// The built-in collectors, and `exec` for an external one (the plug-in protocol).
pub const COLLECTORS: [&str; 6] = ["openscap", "tls", "postgres", "mariadb", "git", "exec"];

/// A check as a person defines it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCheck {
    /// A short name.
    pub name: String,
    /// What it tests and why.
    #[serde(default)]
    pub description: String,
    /// The Annex A controls it tests.
    pub controls: Vec<String>,
    /// Where its results come from.
    pub source: Option<CheckSource>,
    /// How often a result is expected, in days.
    pub frequency_days: u32,
    /// Who acts when it fails (default: the first control's owner, else whoever
    /// defines it).
    #[serde(default)]
    pub owner: Option<String>,
    /// What the owner does when it fails.
    #[serde(default)]
    pub response: String,
}

/// A check and where it stands, without its history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CheckView {
    /// `CHK-001`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it tests.
    pub description: String,
    /// The controls it tests.
    pub controls: Vec<String>,
    /// Where its results come from.
    pub source: CheckSource,
    /// The source in words.
    pub source_text: String,
    /// Expected frequency in days.
    pub frequency_days: u32,
    /// Who acts when it fails.
    pub owner: String,
    /// What they do.
    pub response: String,
    /// Passing, failing, error or stale, now.
    pub status: CheckStatus,
    /// When the next reading is due (none before the first).
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub due: Option<OffsetDateTime>,
    /// The last reading.
    pub last: Option<Reading>,
    /// How many readings it has.
    pub readings: u64,
    /// The last nonconformity it raised.
    pub nonconformity: Option<String>,
}

impl CheckView {
    fn of(c: &Check, now: OffsetDateTime) -> CheckView {
        CheckView {
            id: c.id.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            controls: c.controls.clone(),
            source_text: c.source.describe(),
            source: c.source.clone(),
            frequency_days: c.frequency_days,
            owner: c.owner.clone(),
            response: c.response.clone(),
            status: c.status(now),
            due: c.due(),
            last: c.last().cloned(),
            readings: c.readings,
            nonconformity: c.nonconformity.clone(),
        }
    }
}

/// Checks the definition and fills in its owner.
async fn checked(cx: &Cx, actor: &Actor, new: NewCheck) -> AppResult<Check> {
    let org = actor.org();
    let lib = library(cx).await?;
    let mut controls: Vec<String> = Vec::new();
    for c in &new.controls {
        let id = normalize_control_id(c);
        if !c.trim().to_ascii_uppercase().starts_with('A') || lib.item(PIVOT, &id).is_none_or(|i| i.kind.is_grouping())
        {
            return Err(AppError::invalid_field("controls", format!("{c:?} is not an Annex A control")));
        }
        if !controls.contains(&id) {
            controls.push(id);
        }
    }
    let source = new.source.ok_or_else(|| {
        AppError::invalid_field("source", "say where the results come from: ingest (a tool), a collector, or manual")
    })?;
    if let CheckSource::Collector { collector, target, .. } = &source {
        if !COLLECTORS.contains(&collector.as_str()) {
            return Err(AppError::invalid_field(
                "collector",
                format!("{collector:?} is not a collector: {}", COLLECTORS.join(", ")),
            ));
        }
        if !target.trim().is_empty() {
            crate::collect::check_target(cx, collector, target)?;
        }
    }
    let owner = match new.owner.map(|o| o.trim().to_lowercase()).filter(|o| !o.is_empty()) {
        Some(o) => {
            let members = crate::users::members_of(cx, org).await?;
            if !members.iter().any(|m| m.email.as_str() == o && m.role != isms_domain::Role::ExternalAuditor) {
                return Err(AppError::invalid_field("owner", format!("{o} is not a member of this organization")));
            }
            o
        }
        None => {
            let views = controls_of(cx, org).await?;
            let first = controls.first().and_then(|c| views.iter().find(|v| v.record.control == *c));
            match first.and_then(|v| v.owner_email.clone()) {
                Some(o) => o,
                None => actor.email(cx).await.map(|e| e.to_string()).map_err(|_| {
                    AppError::invalid_field("owner", "the control has no owner: name who acts when the check fails")
                })?,
            }
        }
    };
    Ok(Check {
        id: String::new(),
        name: new.name.trim().to_owned(),
        description: new.description.trim().to_owned(),
        controls,
        source,
        frequency_days: new.frequency_days,
        owner,
        response: new.response.trim().to_owned(),
        nonconformity: None,
        last: None,
        readings: 0,
    })
}

fn may_define(grant: Grant) -> AppResult<()> {
    if grant != Grant::Any {
        return Err(AppError::new(
            Code::Forbidden,
            "checks are defined by the owner, the ISMS manager or a contributor; a control owner attests their own",
        ));
    }
    Ok(())
}

/// Defines a check.
pub async fn define(cx: &Cx, actor: &Actor, new: NewCheck) -> AppResult<CheckView> {
    may_define(actor.require(UseCase::EditControls)?)?;
    let check = checked(cx, actor, new).await?;
    let check = registers::create(cx, &actor.trail(), actor.org(), check).await?;
    Ok(CheckView::of(&check, cx.clock.now()))
}

/// Changes a check's definition; its history and nonconformity stay.
pub async fn redefine(cx: &Cx, actor: &Actor, id: &str, new: NewCheck) -> AppResult<CheckView> {
    may_define(actor.require(UseCase::EditControls)?)?;
    let id = id.trim().to_ascii_uppercase();
    let fresh = checked(cx, actor, new).await?;
    let check = registers::update(cx, &actor.trail(), actor.org(), &id, |c: &mut Check| {
        let (last, readings, nonconformity) = (c.last.take(), c.readings, c.nonconformity.take());
        *c = Check { id: c.id.clone(), last, readings, nonconformity, ..fresh };
        Ok(())
    })
    .await?;
    Ok(CheckView::of(&check, cx.clock.now()))
}

/// Every check, worst first (failing, error, stale, passing), then by id.
pub async fn checks(cx: &Cx, actor: &Actor) -> AppResult<Vec<CheckView>> {
    actor.require(UseCase::ReadIsms)?;
    checks_of(cx, actor.org()).await
}

pub(crate) async fn checks_of(cx: &Cx, org: OrgId) -> AppResult<Vec<CheckView>> {
    let now = cx.clock.now();
    let mut out: Vec<CheckView> =
        registers::shared::<Check>(cx, org).await?.iter().map(|c| CheckView::of(c, now)).collect();
    out.sort_by(|a, b| a.status.cmp(&b.status).then(a.id.len().cmp(&b.id.len())).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// The most readings one page of a check's history holds.
pub const HISTORY_PAGE: u32 = 500;

/// One check with a page of its history, newest reading first: the readings numbered
/// below `before` (the newest when `None`), at most `limit` (up to
/// [`HISTORY_PAGE`]), each with its number; and the `before` of the next page.
pub async fn check(
    cx: &Cx,
    actor: &Actor,
    id: &str,
    before: Option<i64>,
    limit: u32,
) -> AppResult<(CheckView, Vec<(i64, Reading)>, Option<i64>)> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let c = registers::get::<Check>(cx, org, &id.trim().to_ascii_uppercase()).await?;
    let limit = limit.clamp(1, HISTORY_PAGE);
    let page = cx.read().await?.check_readings(org, &c.id, before, limit).await?;
    let next = page.last().map(|(n, _)| *n).filter(|n| *n > 1 && page.len() == limit as usize);
    Ok((CheckView::of(&c, cx.clock.now()), page, next))
}

/// A person attests a manual check's result (pass or fail, with what they saw): the
/// owner, the ISMS manager, a contributor, or the check's own owner.
pub async fn attest(cx: &Cx, actor: &Actor, id: &str, outcome: Outcome, note: &str) -> AppResult<CheckView> {
    let only = actor.narrowed(cx, UseCase::EditControls).await?;
    let id = id.trim().to_ascii_uppercase();
    if !matches!(outcome, Outcome::Pass | Outcome::Fail) {
        return Err(AppError::invalid_field("outcome", "an attestation passes or fails"));
    }
    if note.trim().is_empty() {
        return Err(AppError::invalid_field("note", "say what was looked at: the attestation is the evidence"));
    }
    let by = actor.email(cx).await?.to_string();
    let org = actor.org();
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let check: Check = registers::get_in(&mut *tx, org, &id).await?;
    if let Some(me) = &only
        && !check.owner.eq_ignore_ascii_case(me.as_str())
    {
        return Err(AppError::new(Code::Forbidden, format!("{id} is {}'s to attest", check.owner)));
    }
    if check.source != CheckSource::Manual {
        return Err(AppError::new(
            Code::WrongState,
            format!("{id} is fed by {}, not attested by a person", check.source.describe()),
        ));
    }
    let counts = match outcome {
        Outcome::Pass => Counts { pass: 1, ..Counts::default() },
        _ => Counts { fail: 1, ..Counts::default() },
    };
    let reading = Reading {
        at: cx.clock.now(),
        outcome,
        counts,
        run: None,
        by,
        note: note.trim().to_owned(),
        raised: None,
        implemented: None,
    };
    read_in(&mut *tx, cx, &actor.trail(), org, &id, reading).await?;
    let check: Check = registers::get_in(&mut *tx, org, &id).await?;
    tx.commit().await?;
    Ok(CheckView::of(&check, cx.clock.now()))
}

/// Lands a reading on check `id` inside the caller's transaction (the organization's
/// write turn held), raising its nonconformity or marking its action implemented as
/// [`Check::drift`] says. Returns the reading as stored.
pub(crate) async fn read_in(
    tx: &mut dyn WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    mut reading: Reading,
) -> AppResult<Reading> {
    let check: Check = registers::get_in(tx, org, id).await?;
    let (open, pending) = match &check.nonconformity {
        Some(f) => {
            let f: Finding = registers::get_in(tx, org, f).await?;
            (f.is_open(), f.status == FindingStatus::ActionPlanned)
        }
        None => (false, false),
    };
    let mut raised = None;
    match check.drift(reading.outcome, open, pending) {
        Drift::None => {}
        Drift::Raise => {
            let settings = crate::certification::settings_in(tx, org).await?;
            let mut finding = Finding::from_check(&check, &reading, settings.minor_due_days)
                .map_err(|e| AppError::new(Code::Internal, format!("the nonconformity of {}: {e}", check.id)))?;
            registers::create_in(tx, cx, actor, org, &mut finding).await?;
            reading.raised = Some(finding.id.clone());
            raised = Some(finding.id);
        }
        Drift::Implemented(f) => {
            registers::update_in(tx, cx, actor, org, &f, |f: &mut Finding| {
                f.implemented().map_err(|e| AppError::new(Code::WrongState, e.to_string()))
            })
            .await?;
            reading.implemented = Some(f);
        }
    }
    let stored = reading.clone();
    // The reading is appended to the check's history and becomes its last one (which
    // the trail entry of the check's change carries).
    let check = registers::update_in(tx, cx, actor, org, id, |c: &mut Check| {
        if let Some(f) = raised {
            c.nonconformity = Some(f);
        }
        c.record(reading);
        Ok(())
    })
    .await?;
    let seq = i64::try_from(check.readings).unwrap_or(i64::MAX);
    tx.insert_check_reading(org, id, seq, &stored).await?;
    Ok(stored)
}

/// The results a run gave one rule: per outcome, and the first failing targets.
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleTally {
    pub counts: Counts,
    pub failing: Vec<String>,
    /// The results whose references reach no Annex A control.
    pub unreferenced: Counts,
}

/// How many failing targets a reading names per rule.
const NAMED: usize = 3;

impl RuleTally {
    pub(crate) fn add(&mut self, outcome: Outcome, target: &str) {
        self.counts.add(outcome);
        if matches!(outcome, Outcome::Fail | Outcome::Error) && self.failing.len() < NAMED {
            self.failing.push(target.to_owned());
        }
    }
}

/// The readings a run gives the checks it feeds, inside the ingestion's transaction.
pub(crate) async fn read_run_in(
    tx: &mut dyn WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    run: &isms_domain::check::CheckRun,
    by: &str,
    tallies: &BTreeMap<String, RuleTally>,
) -> AppResult<Vec<String>> {
    let checks = registers::list_in::<Check>(tx, org).await?;
    let mut fed = Vec::new();
    for c in checks.iter().filter(|c| c.source.feeds_from(&run.tool, run.collected.as_ref())) {
        let mut counts = Counts::default();
        let mut failing: Vec<String> = Vec::new();
        for (rule, t) in tallies.iter().filter(|(rule, _)| c.source.counts_rule(rule)) {
            counts.merge(&t.counts);
            if failing.len() < 5 {
                failing.extend(t.failing.iter().take(5 - failing.len()).map(|target| format!("{rule} on {target}")));
            }
        }
        let Some(outcome) = Reading::outcome_of(&counts) else { continue };
        let counted = counts.pass + counts.fail + counts.error;
        let note = match outcome {
            Outcome::Pass => format!("{counted} result(s) of {} passed", run.id),
            Outcome::Fail => {
                format!("{} of {counted} result(s) of {} failed: {}", counts.fail, run.id, failing.join("; "))
            }
            _ => format!(
                "{} of {counted} result(s) of {} could not be checked: {}",
                counts.error,
                run.id,
                failing.join("; ")
            ),
        };
        let reading = Reading {
            at: run.ingested_at,
            outcome,
            counts,
            run: Some(run.id.clone()),
            by: by.to_owned(),
            note,
            raised: None,
            implemented: None,
        };
        read_in(tx, cx, actor, org, &c.id, reading).await?;
        fed.push(c.id.clone());
    }
    Ok(fed)
}

/// Checks per outcome: how many of a group's controls (or requirements) are at each
/// health.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Tally {
    /// The theme, or the framework's id.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Whose checks all pass.
    pub passing: usize,
    /// With a failing check.
    pub failing: usize,
    /// With a check that could not decide (and none failing).
    pub error: usize,
    /// With a stale check (and none failing or erroring).
    pub stale: usize,
    /// No check tests it.
    pub unchecked: usize,
}

impl Tally {
    fn add(&mut self, status: Option<CheckStatus>) {
        match status {
            Some(CheckStatus::Passing) => self.passing += 1,
            Some(CheckStatus::Failing) => self.failing += 1,
            Some(CheckStatus::Error) => self.error += 1,
            Some(CheckStatus::Stale) => self.stale += 1,
            None => self.unchecked += 1,
        }
    }
}

/// One control's health: the worst of its checks.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ControlHealth {
    /// The control.
    pub control: String,
    /// Its title.
    pub title: String,
    /// Its theme.
    pub theme: String,
    /// The worst status of its checks; none without checks.
    pub status: Option<CheckStatus>,
    /// Its checks.
    pub checks: Vec<String>,
}

/// Control health: per applicable control, per Annex A theme, and per requirement of
/// each other framework in use (through the crosswalk).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Health {
    /// Every check, per status.
    pub checks: Tally,
    /// Applicable controls per theme.
    pub themes: Vec<Tally>,
    /// Requirements per framework in use (besides ISO/IEC 27001): a requirement's
    /// health is the worst of the checked controls that reach it.
    pub frameworks: Vec<Tally>,
    /// Every applicable control.
    pub controls: Vec<ControlHealth>,
}

/// The health of each control: the worst status of the checks that test it.
pub(crate) fn control_status(checks: &[CheckView]) -> BTreeMap<String, (CheckStatus, Vec<String>)> {
    let mut out: BTreeMap<String, (CheckStatus, Vec<String>)> = BTreeMap::new();
    for c in checks {
        for control in &c.controls {
            let e = out.entry(control.clone()).or_insert((c.status, Vec::new()));
            e.0 = e.0.min(c.status);
            e.1.push(c.id.clone());
        }
    }
    out
}

/// Control health (see [`Health`]).
pub async fn health(cx: &Cx, actor: &Actor) -> AppResult<Health> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let checks = checks_of(cx, org).await?;
    let per_control = control_status(&checks);
    let controls: Vec<ControlView> = controls_of(cx, org).await?.into_iter().filter(|c| c.record.applicable).collect();
    let mut all = Tally { name: "checks".into(), title: "Checks".into(), ..Tally::default() };
    for c in &checks {
        all.add(Some(c.status));
    }
    let mut themes: Vec<Tally> = Vec::new();
    let mut rows = Vec::new();
    for c in &controls {
        let found = per_control.get(&c.record.control);
        let status = found.map(|f| f.0);
        match themes.iter_mut().find(|t| t.name == c.theme) {
            Some(t) => t.add(status),
            None => {
                let mut t = Tally { name: c.theme.clone(), title: c.theme.clone(), ..Tally::default() };
                t.add(status);
                themes.push(t);
            }
        }
        rows.push(ControlHealth {
            control: c.record.control.clone(),
            title: c.title.clone(),
            theme: c.theme.clone(),
            status,
            checks: found.map(|f| f.1.clone()).unwrap_or_default(),
        });
    }
    let mut frameworks = Vec::new();
    for fw in crate::coverage::coverage_of(cx, org).await?.iter() {
        let mut t = Tally { name: fw.summary.framework.clone(), title: fw.summary.name.clone(), ..Tally::default() };
        for item in &fw.items {
            let status = item
                .through
                .iter()
                .filter(|c| c.applicable)
                .filter_map(|c| per_control.get(&c.control).map(|f| f.0))
                .min();
            t.add(status);
        }
        frameworks.push(t);
    }
    Ok(Health { checks: all, themes, frameworks, controls: rows })
}
