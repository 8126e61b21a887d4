//! The asset inventory (A.5.9): assets checked against the organization (owner is a
//! member, classification is a level of its scheme), and CSV import with row-level
//! errors where nothing is stored when any row is bad, unless bad rows are skipped.

use isms_domain::OrgId;
use isms_domain::asset::{Asset, AssetType, ClassificationScheme, Lifecycle};
use isms_domain::register::Entry;
use isms_domain::trail::TrailActor;
use serde::Serialize;

use crate::access::Actor;
use crate::registers::{self, Checked, Register, create_in};
use crate::{AppError, AppResult, Cx, ErrorKind, FieldError};
use isms_domain::access::UseCase;

/// The organization's classification scheme (the default four levels until changed).
pub(crate) async fn classification_scheme(cx: &Cx, org: OrgId) -> AppResult<ClassificationScheme> {
    match registers::get::<ClassificationScheme>(cx, org, "CLASSIFICATION").await {
        Ok(scheme) => Ok(scheme),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(ClassificationScheme::default()),
        Err(e) => Err(e),
    }
}

async fn members(cx: &Cx, org: OrgId) -> AppResult<Vec<String>> {
    let mut tx = cx.read().await?;
    Ok(tx.members(org).await?.into_iter().map(|(u, _)| u.email.to_string()).collect())
}

/// Checks an asset against the organization; normalizes owner and classification.
fn fit(asset: &mut Asset, scheme: &ClassificationScheme, members: &[String]) -> Vec<(&'static str, String)> {
    let mut problems = asset.problems();
    asset.owner = asset.owner.trim().to_lowercase();
    if !asset.owner.is_empty() && !members.contains(&asset.owner) {
        problems.push(("owner", format!("{} is not a member of this organization", asset.owner)));
    }
    match scheme.level(&asset.classification) {
        Some(level) => asset.classification = level.to_owned(),
        None => problems.push((
            "classification",
            format!(
                "{:?} is not a level of the classification scheme ({})",
                asset.classification,
                scheme.levels.join(", ")
            ),
        )),
    }
    problems
}

fn invalid(problems: Vec<(&'static str, String)>) -> AppError {
    AppError::invalid(problems.into_iter().map(|(f, m)| FieldError { field: f.into(), message: m }).collect())
}

/// Adds an asset (through [`crate::registers::create_entry`], which checks the actor).
pub(crate) async fn add_asset(cx: &Cx, actor: &TrailActor, org: OrgId, mut asset: Asset) -> AppResult<Asset> {
    let scheme = classification_scheme(cx, org).await?;
    let problems = fit(&mut asset, &scheme, &members(cx, org).await?);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    registers::create(cx, actor, org, asset).await
}

/// Replaces an asset (through [`crate::registers::replace_entry`]).
pub(crate) async fn update_asset(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    mut asset: Asset,
) -> AppResult<Asset> {
    let scheme = classification_scheme(cx, org).await?;
    let problems = fit(&mut asset, &scheme, &members(cx, org).await?);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    registers::replace(cx, actor, org, id, asset).await
}

pub use crate::imports::RowError;

/// What an import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportReport {
    /// Assets created, with their new ids.
    pub created: Vec<Asset>,
    /// Rows refused (all of them when nothing was stored).
    pub errors: Vec<RowError>,
    /// True when rows were stored.
    pub stored: bool,
}

/// The columns an asset CSV has (`description` is optional).
pub const CSV_COLUMNS: [&str; 10] = [
    "name",
    "type",
    "owner",
    "classification",
    "confidentiality",
    "integrity",
    "availability",
    "lifecycle",
    "description",
    "id",
];

/// Imports assets from CSV. Every row is checked first; when any row is bad nothing is
/// stored, unless `skip_bad_rows`, in which case the good rows are stored and the bad
/// ones reported. All rows are stored in one transaction. `done` counts the rows
/// checked and then the assets stored (twice the rows in all), for a progress bar.
pub async fn import_assets_csv(
    cx: &Cx,
    actor: &Actor,
    csv_text: &str,
    skip_bad_rows: bool,
    done: &std::sync::atomic::AtomicUsize,
) -> AppResult<ImportReport> {
    actor.require(UseCase::EditAssets)?;
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    let scheme = classification_scheme(cx, org).await?;
    let members = members(cx, org).await?;
    let mut reader = crate::imports::reader(csv_text);
    let headers = crate::imports::header(&mut reader, &CSV_COLUMNS[..8], &CSV_COLUMNS[..9])?;
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut good = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                errors.push(RowError { line, column: String::new(), message: e.to_string() });
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        let get = |name: &str| {
            isms_domain::cells::restore(col(name).and_then(|c| record.get(c)).unwrap_or_default()).to_owned()
        };
        let mut row_errors = Vec::new();
        let mut bad =
            |column: &str, message: String| row_errors.push(RowError { line, column: column.into(), message });
        let kind = AssetType::parse(&get("type"));
        if kind.is_none() {
            let all: Vec<&str> = AssetType::ALL.iter().map(|t| t.as_str()).collect();
            bad("type", format!("{:?} is not an asset type (one of {})", get("type"), all.join(", ")));
        }
        let lifecycle =
            if get("lifecycle").is_empty() { Some(Lifecycle::InUse) } else { Lifecycle::parse(&get("lifecycle")) };
        if lifecycle.is_none() {
            bad("lifecycle", format!("{:?} is not planned, in_use, retiring or retired", get("lifecycle")));
        }
        let mut level = |name: &str| match get(name).parse::<u8>() {
            Ok(v) => v,
            Err(_) => {
                bad(name, format!("{:?} is not a number from 1 to 4", get(name)));
                0
            }
        };
        let (c, i, a) = (level("confidentiality"), level("integrity"), level("availability"));
        if let (Some(kind), Some(lifecycle)) = (kind, lifecycle) {
            let mut asset = Asset {
                id: String::new(),
                name: get("name"),
                kind,
                owner: get("owner"),
                classification: get("classification"),
                confidentiality: c,
                integrity: i,
                availability: a,
                lifecycle,
                description: get("description"),
            };
            for (column, message) in fit(&mut asset, &scheme, &members) {
                if !(c == 0 || i == 0 || a == 0) || !["confidentiality", "integrity", "availability"].contains(&column)
                {
                    row_errors.push(RowError { line, column: column.into(), message });
                }
            }
            if row_errors.is_empty() {
                good.push(asset);
            }
        }
        errors.extend(row_errors);
        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    if !errors.is_empty() && !skip_bad_rows {
        return Ok(ImportReport { created: Vec::new(), errors, stored: false });
    }
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    for asset in &mut good {
        create_in(&mut *tx, cx, actor, org, asset).await?;
        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    tx.commit().await?;
    Ok(ImportReport { stored: !good.is_empty(), created: good, errors })
}

/// Assets are a register whose creates and replacements go through the checks above.
impl Register for Asset {
    const EDIT: UseCase = UseCase::EditAssets;

    fn create(
        cx: &Cx,
        actor: &TrailActor,
        org: OrgId,
        value: Self,
        _: Checked,
    ) -> impl Future<Output = AppResult<Self>> + Send {
        add_asset(cx, actor, org, value)
    }

    fn replace(
        cx: &Cx,
        actor: &TrailActor,
        org: OrgId,
        id: &str,
        value: Self,
        _: Checked,
    ) -> impl Future<Output = AppResult<Self>> + Send {
        update_asset(cx, actor, org, id, value)
    }
}
