//! The framework library as users see it: list, browse, search, crosswalk, import
//! custom frameworks, and choose which frameworks an organization works with.
//!
//! The library is the shipped frameworks (compiled in) plus those users imported
//! (stored in the database, installation-wide). It is built once and rebuilt only
//! when the set of imported frameworks changes, which every replica notices because
//! the check reads the database.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use isms_catalog::load_with;
use isms_domain::OrgId;
use isms_domain::access::UseCase;
use isms_domain::crosswalk::Hit;
use isms_domain::framework::{Framework, FrameworkId, ItemKind, ItemRef, Library, PIVOT};
use isms_domain::trail::TrailActor;
use isms_store::ReadTx;
use serde::Serialize;
use time::OffsetDateTime;

use crate::access::Actor;
use crate::trail::{created, record};
use crate::{AppError, AppResult, Code, Cx};

/// Id and import instant of each imported framework in a built library.
type Fingerprint = Vec<(String, OffsetDateTime)>;

/// The built library and the fingerprint of the imported frameworks it contains.
#[derive(Debug, Default)]
pub struct LibraryCache {
    built: Mutex<Option<(Fingerprint, Arc<Library>)>>,
    /// Set once the database was seen migrated (it stays so).
    migrated: std::sync::atomic::AtomicBool,
}

fn broken(errors: &[isms_catalog::CatalogError]) -> AppError {
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    AppError::new(Code::CatalogInvalid, format!("the framework library does not load: {}", text.join("; ")))
}

/// The current library: shipped frameworks plus imported ones. Works on a database
/// that was never migrated (then only the shipped frameworks exist). Opens its own
/// read transaction: inside a transaction, use [`library_in`].
pub async fn library(cx: &Cx) -> AppResult<Arc<Library>> {
    // Once migrated, a database stays so: asked once per process.
    if !cx.library.migrated.load(std::sync::atomic::Ordering::Relaxed) {
        crate::reads::end_request_read(); // the status check is a transaction of its own
        let migrated = cx.store.schema_status().await?.pending.iter().all(|m| m.version > 2);
        if !migrated {
            return cached_or_load(cx, Vec::new(), Vec::new);
        }
        cx.library.migrated.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let mut tx = cx.read().await?;
    library_in(cx, &mut *tx).await
}

/// [`library`] read inside the caller's transaction, so a use case never holds one
/// connection while waiting for another.
pub async fn library_in(cx: &Cx, tx: &mut dyn ReadTx) -> AppResult<Arc<Library>> {
    let versions = tx.custom_framework_versions().await?;
    if let Some(lib) = cached(cx, &versions) {
        return Ok(lib);
    }
    let custom = if versions.is_empty() { Vec::new() } else { tx.custom_frameworks().await? };
    cached_or_load(cx, versions, || custom)
}

fn cached(cx: &Cx, versions: &[(String, OffsetDateTime)]) -> Option<Arc<Library>> {
    let guard = cx.library.built.lock().ok()?;
    let (fingerprint, lib) = guard.as_ref()?;
    (fingerprint.as_slice() == versions).then(|| lib.clone())
}

fn cached_or_load(
    cx: &Cx,
    versions: Vec<(String, OffsetDateTime)>,
    custom: impl FnOnce() -> Vec<Framework>,
) -> AppResult<Arc<Library>> {
    if let Some(lib) = cached(cx, &versions) {
        return Ok(lib);
    }
    let lib = Arc::new(load_with(custom(), Vec::new()).map_err(|e| broken(&e))?);
    if let Ok(mut guard) = cx.library.built.lock() {
        *guard = Some((versions, lib.clone()));
    }
    Ok(lib)
}

/// One line of `isms framework list`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FrameworkSummary {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its edition.
    pub version: String,
    /// Standard, regulation, guideline or custom.
    pub kind: String,
    /// Items per kind.
    pub counts: BTreeMap<String, usize>,
    /// True when imported by a user rather than shipped.
    pub imported: bool,
}

fn summary(lib: &Library, fw: &Framework, imported: bool) -> FrameworkSummary {
    FrameworkSummary {
        id: fw.id.to_string(),
        name: fw.name.clone(),
        version: fw.version.clone(),
        kind: serde_json::to_value(fw.kind).ok().and_then(|v| v.as_str().map(ToOwned::to_owned)).unwrap_or_default(),
        counts: lib.count_by_kind(fw.id.as_str()).into_iter().map(|(k, n)| (k.as_str().to_owned(), n)).collect(),
        imported,
    }
}

/// Every framework in the library.
pub async fn list_frameworks(cx: &Cx) -> AppResult<Vec<FrameworkSummary>> {
    let lib = library(cx).await?;
    let shipped = isms_catalog::SHIPPED_FRAMEWORKS.len();
    Ok(lib.frameworks().iter().enumerate().map(|(i, fw)| summary(&lib, fw, i >= shipped)).collect())
}

fn unknown_framework(id: &str) -> AppError {
    AppError::new(
        Code::FrameworkNotFound,
        format!("there is no framework {id:?}; `isms framework list` shows the available ones"),
    )
}

/// A framework, or the part of it under one item (a theme, family, function...).
pub async fn show_framework(cx: &Cx, id: &str, under: Option<&str>) -> AppResult<Framework> {
    let lib = library(cx).await?;
    let fw = lib.framework(id).ok_or_else(|| unknown_framework(id))?;
    let Some(root) = under else { return Ok(fw.clone()) };
    if lib.item(id, root).is_none() {
        return Err(AppError::new(Code::ItemNotFound, format!("framework {id} has no item {root:?}")));
    }
    let mut keep: std::collections::HashSet<&str> = [root].into();
    let items = fw
        .items
        .iter()
        .filter(|i| {
            let inside = i.id == root || i.parent.as_deref().is_some_and(|p| keep.contains(p));
            if inside {
                keep.insert(&i.id);
            }
            inside
        })
        .cloned()
        .collect();
    Ok(Framework { items, ..fw.clone() })
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SearchHit {
    /// The item found.
    pub item: ItemRef,
    /// Its kind.
    pub kind: ItemKind,
    /// Its title.
    pub title: String,
}

/// Full-text search over ids, titles, guidance and official text.
pub async fn search(cx: &Cx, query: &str, framework: Option<&str>, limit: usize) -> AppResult<Vec<SearchHit>> {
    let lib = library(cx).await?;
    if let Some(f) = framework
        && lib.framework(f).is_none()
    {
        return Err(unknown_framework(f));
    }
    if query.trim().is_empty() {
        return Err(AppError::invalid_field("query", "type at least one word to search for"));
    }
    Ok(lib
        .search(query, framework, limit)
        .into_iter()
        .map(|(r, item)| SearchHit { item: r, kind: item.kind, title: item.title.clone() })
        .collect())
}

/// The Annex A themes of ISO/IEC 27001:2022 as the catalog names them:
/// (`A.5`, `Organizational controls`), … in order.
pub async fn annex_a_themes(cx: &Cx) -> AppResult<Vec<(String, String)>> {
    let library = library(cx).await?;
    let iso = library
        .framework(PIVOT)
        .ok_or_else(|| AppError::new(Code::CatalogInvalid, format!("the library has no {PIVOT}")))?;
    Ok(iso.items.iter().filter(|i| i.kind == ItemKind::Theme).map(|i| (i.id.clone(), i.title.clone())).collect())
}

/// Parses `framework:item` (`iso27001-2022:A.5.15`). A bare item id means the pivot.
pub fn parse_item_ref(text: &str) -> AppResult<ItemRef> {
    let (framework, item) = match text.split_once(':') {
        Some((f, i)) => (f, i),
        None => (PIVOT, text),
    };
    let framework = FrameworkId::parse(framework.trim()).map_err(|m| AppError::invalid_field("item", m))?;
    if item.trim().is_empty() {
        return Err(AppError::invalid_field("item", "write the item as framework:id, e.g. iso27001-2022:A.5.15"));
    }
    Ok(ItemRef { framework, item: item.trim().to_owned() })
}

/// What an item maps to in other frameworks (or in one), with every path.
pub async fn crosswalk(cx: &Cx, from: &ItemRef, to: Option<&str>) -> AppResult<Vec<Hit>> {
    let lib = library(cx).await?;
    let to = to.map(|t| FrameworkId::parse(t).map_err(|m| AppError::invalid_field("to", m))).transpose()?;
    lib.crosswalk(from, to.as_ref()).map_err(|e| AppError::new(Code::ItemNotFound, e.to_string()))
}

/// The items whose id is `text` (any case), in every framework: how a bare id such as
/// `A.5.15`, `PR.AA-01` or `AC-2` is resolved. ISO/IEC 27001:2022 first.
pub async fn items_with_id(cx: &Cx, text: &str) -> AppResult<Vec<SearchHit>> {
    let lib = library(cx).await?;
    let wanted = text.trim();
    let mut hits: Vec<SearchHit> = lib
        .frameworks()
        .iter()
        .flat_map(|fw| {
            fw.items.iter().filter(|i| i.id.eq_ignore_ascii_case(wanted)).map(|i| SearchHit {
                item: ItemRef { framework: fw.id.clone(), item: i.id.clone() },
                kind: i.kind,
                title: i.title.clone(),
            })
        })
        .collect();
    hits.sort_by_key(|h| h.item.framework.as_str() != PIVOT);
    Ok(hits)
}

/// Adds an imported framework to the library after checking it against everything
/// loaded (unique ids, parents, no clash with a shipped or imported framework).
/// Nothing is stored when any check fails.
pub async fn import_framework(cx: &Cx, framework: Framework, origin: &str) -> AppResult<FrameworkSummary> {
    crate::schema::require_current_schema(cx).await?;
    let lib = library(cx).await?;
    if lib.framework(framework.id.as_str()).is_some() {
        return Err(AppError::new(
            Code::FrameworkExists,
            format!("a framework with id {} already exists; choose another id with --id", framework.id),
        ));
    }
    let mut custom = cx.read().await?.custom_frameworks().await?;
    custom.push(framework.clone());
    let check = load_with(custom, Vec::new()).map_err(|errors| {
        AppError::invalid(
            errors.iter().map(|e| crate::FieldError { field: "framework".into(), message: e.to_string() }).collect(),
        )
    })?;
    let mut tx = cx.write().await?;
    tx.insert_custom_framework(&framework, origin, cx.clock.now()).await?;
    tx.commit().await?;
    tracing::info!(framework = %framework.id, origin, items = framework.items.len(), "framework imported");
    Ok(summary(&check, &framework, true))
}

/// The frameworks an organization works with: ISO/IEC 27001:2022 always, then the
/// adopted ones.
pub async fn frameworks_in_use(cx: &Cx, actor: &Actor) -> AppResult<Vec<FrameworkId>> {
    actor.require(UseCase::ReadIsms)?;
    in_use_of(cx, actor.org()).await
}

/// [`frameworks_in_use`] for the app's own use inside a checked use case.
pub(crate) async fn in_use_of(cx: &Cx, org: OrgId) -> AppResult<Vec<FrameworkId>> {
    let mut tx = cx.read().await?;
    tx.organization(org).await?;
    let mut ids = vec![FrameworkId::parse(PIVOT).map_err(|m| AppError::new(Code::CatalogInvalid, m))?];
    ids.extend(tx.frameworks_in_use(org).await?.into_iter().map(|(id, _)| id));
    Ok(ids)
}

/// Adds a framework to those an organization works with.
pub async fn adopt_framework(cx: &Cx, actor: &Actor, framework: &str) -> AppResult<()> {
    actor.require(UseCase::ManageFrameworks)?;
    let (org, trail) = (actor.org(), actor.trail());
    let actor = &trail;
    let lib = library(cx).await?;
    let fw = lib.framework(framework).ok_or_else(|| unknown_framework(framework))?;
    if fw.id.as_str() == PIVOT {
        return Err(AppError::new(Code::FrameworkInUse, format!("{PIVOT} is always in use")));
    }
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    if tx.frameworks_in_use(org).await?.iter().any(|(id, _)| *id == fw.id) {
        return Err(AppError::new(Code::FrameworkInUse, format!("{} is already in use", fw.id)));
    }
    adopted_in(&mut *tx, cx, actor, org, fw).await?;
    tx.commit().await?;
    Ok(())
}

/// Adopts a framework of the library inside a caller's transaction (which holds the
/// organization's write turn and has checked it is not in use yet).
pub(crate) async fn adopt_in(
    tx: &mut dyn isms_store::WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    framework: &str,
) -> AppResult<()> {
    let lib = library_in(cx, &mut *tx).await?;
    let fw = lib.framework(framework).ok_or_else(|| unknown_framework(framework))?;
    adopted_in(tx, cx, actor, org, fw).await
}

async fn adopted_in(
    tx: &mut dyn isms_store::WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    fw: &Framework,
) -> AppResult<()> {
    let now = cx.clock.now();
    tx.adopt_framework(org, &fw.id, now).await?;
    #[derive(Serialize)]
    struct Adopted<'a> {
        framework: &'a str,
        name: &'a str,
    }
    let draft = created(
        actor,
        "framework.adopted",
        "framework",
        fw.id.to_string(),
        &Adopted { framework: fw.id.as_str(), name: &fw.name },
    );
    record(tx, org, now, draft).await?;
    Ok(())
}
