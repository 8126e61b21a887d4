//! Generic use cases over the ISMS registers (context issues, interested parties,
//! scope, roles, objectives, assets, classification scheme): list, read, create,
//! replace, delete — each change validated, scoped to one organization and recorded
//! in the audit trail in the same transaction. Entries with a review cycle get a
//! yearly one when created.

use std::sync::Arc;

use isms_domain::OrgId;
use isms_domain::access::UseCase;
use isms_domain::asset::ClassificationScheme;
use isms_domain::register::{ContextIssue, InterestedParty, IsmsRole, Objective, Scope};
use isms_domain::register::{Entry, format_id, next_number};
use isms_domain::review::{ReviewCycle, Subject, SubjectKind};
use isms_domain::trail::{TrailActor, TrailDraft};
use isms_store::WriteTx;

use crate::access::Actor;
use crate::trail::record;
use crate::{AppError, AppResult, Code, Cx, FieldError};

fn decode<T: Entry>(id: &str, json: &str) -> AppResult<T> {
    serde_json::from_str(json)
        .map_err(|e| AppError::new(Code::CorruptData, format!("stored {} {id} cannot be read: {e}", T::KIND)))
}

fn encode<T: Entry>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::new(Code::CorruptData, e.to_string()))
}

fn check<T: Entry>(value: &T) -> AppResult<()> {
    let problems = value.problems();
    if problems.is_empty() {
        return Ok(());
    }
    Err(AppError::invalid(
        problems.into_iter().map(|(field, message)| FieldError { field: field.into(), message }).collect(),
    ))
}

/// A register members edit through the API: which use case changes it, and how an
/// entry is created and replaced (plain [`create`]/[`replace`] unless the kind checks
/// more against the organization, as assets do).
pub trait Register: Entry + 'static {
    /// The use case that changes entries of this kind.
    const EDIT: UseCase;
    /// Whether the register has exactly one entry (the scope, the scheme).
    const SINGLETON: bool = false;

    /// A singleton's value before anyone set it (`None`: there is none yet).
    fn absent() -> Option<Self> {
        None
    }

    /// Creates an entry, once [`create_entry`] has checked the actor (the
    /// [`Checked`] proof cannot be made outside this crate).
    fn create(
        cx: &Cx,
        actor: &TrailActor,
        org: OrgId,
        value: Self,
        _: Checked,
    ) -> impl Future<Output = AppResult<Self>> + Send {
        create(cx, actor, org, value)
    }

    /// Replaces an entry, once [`replace_entry`] has checked the actor.
    fn replace(
        cx: &Cx,
        actor: &TrailActor,
        org: OrgId,
        id: &str,
        value: Self,
        _: Checked,
    ) -> impl Future<Output = AppResult<Self>> + Send {
        replace(cx, actor, org, id, value)
    }
}

impl Register for ContextIssue {
    const EDIT: UseCase = UseCase::EditContext;
}
impl Register for InterestedParty {
    const EDIT: UseCase = UseCase::EditContext;
}
impl Register for IsmsRole {
    const EDIT: UseCase = UseCase::EditContext;
}
impl Register for Objective {
    const EDIT: UseCase = UseCase::EditContext;
}
impl Register for Scope {
    const EDIT: UseCase = UseCase::EditContext;
    const SINGLETON: bool = true;
}
impl Register for ClassificationScheme {
    const EDIT: UseCase = UseCase::EditAssets;
    const SINGLETON: bool = true;

    fn absent() -> Option<Self> {
        Some(ClassificationScheme::default())
    }
}
/// The review subject of an entry, for the kinds that are reviewed on a schedule.
pub fn subject_of<T: Entry>(id: &str) -> Option<Subject> {
    let kind = match T::KIND {
        "scope" => SubjectKind::Scope,
        "objective" => SubjectKind::Objective,
        "asset" => SubjectKind::Asset,
        _ => return None,
    };
    Some(Subject { kind, id: id.to_owned() })
}

/// Proof that a use case checked its actor before a [`Register`]'s own create or
/// replace runs; only this crate can make one.
#[derive(Debug, Clone, Copy)]
pub struct Checked(());

/// Every entry of a register.
pub async fn entries<T: Register>(cx: &Cx, actor: &Actor) -> AppResult<Vec<T>> {
    actor.require(UseCase::ReadIsms)?;
    list::<T>(cx, actor.org()).await
}

/// One entry of a register (a singleton by any id).
pub async fn entry<T: Register>(cx: &Cx, actor: &Actor, id: &str) -> AppResult<T> {
    actor.require(UseCase::ReadIsms)?;
    if T::SINGLETON {
        let stored = list::<T>(cx, actor.org()).await?.into_iter().next();
        return stored
            .or_else(T::absent)
            .ok_or_else(|| AppError::new(Code::NotFound, format!("no {} is recorded yet", T::KIND.replace('_', " "))));
    }
    get::<T>(cx, actor.org(), id).await
}

/// Adds an entry to a register.
pub async fn create_entry<T: Register>(cx: &Cx, actor: &Actor, value: T) -> AppResult<T> {
    actor.require(T::EDIT)?;
    T::create(cx, &actor.trail(), actor.org(), value, Checked(())).await
}

/// Replaces an entry (a singleton is created when absent).
pub async fn replace_entry<T: Register>(cx: &Cx, actor: &Actor, id: &str, value: T) -> AppResult<T> {
    actor.require(T::EDIT)?;
    if T::SINGLETON {
        return put_singleton(cx, &actor.trail(), actor.org(), value).await;
    }
    T::replace(cx, &actor.trail(), actor.org(), id, value, Checked(())).await
}

/// Deletes an entry.
pub async fn delete_entry<T: Register>(cx: &Cx, actor: &Actor, id: &str) -> AppResult<()> {
    actor.require(T::EDIT)?;
    delete::<T>(cx, &actor.trail(), actor.org(), id).await
}

/// Every entry of a kind, by id.
pub(crate) async fn list<T: Entry + 'static>(cx: &Cx, org: OrgId) -> AppResult<Vec<T>> {
    Ok(shared::<T>(cx, org).await?.as_ref().clone())
}

/// [`list`] without a copy: the decoded entries as this process keeps them while the
/// organization's data version stays the same (see [`crate::cache`]).
pub(crate) async fn shared<T: Entry + 'static>(cx: &Cx, org: OrgId) -> AppResult<Arc<Vec<T>>> {
    crate::cache::kept(cx, org, T::KIND, || async {
        let mut tx = cx.read().await?;
        tx.entries(org, T::KIND).await?.iter().map(|(id, json)| decode(id, json)).collect()
    })
    .await
}

/// [`list`] inside a caller's write transaction, so what it reads cannot change before
/// the transaction commits (the organization's write turn is held).
pub(crate) async fn list_in<T: Entry>(tx: &mut dyn WriteTx, org: OrgId) -> AppResult<Vec<T>> {
    tx.entries(org, T::KIND).await?.iter().map(|(id, json)| decode(id, json)).collect()
}

/// [`list`] inside a caller's read transaction (sessions check access with it).
pub(crate) async fn list_read<T: Entry>(tx: &mut dyn isms_store::ReadTx, org: OrgId) -> AppResult<Vec<T>> {
    tx.entries(org, T::KIND).await?.iter().map(|(id, json)| decode(id, json)).collect()
}

/// One entry; `NotFound` when absent (or in another organization).
pub(crate) async fn get<T: Entry>(cx: &Cx, org: OrgId, id: &str) -> AppResult<T> {
    let mut tx = cx.read().await?;
    tx.organization(org).await?;
    let json = tx.entry(org, T::KIND, id).await?.ok_or_else(|| not_found::<T>(id))?;
    decode(id, &json)
}

/// [`get`] inside a caller's write transaction.
pub(crate) async fn get_in<T: Entry>(tx: &mut dyn WriteTx, org: OrgId, id: &str) -> AppResult<T> {
    let json = tx.entry(org, T::KIND, id).await?.ok_or_else(|| not_found::<T>(id))?;
    decode(id, &json)
}

fn not_found<T: Entry>(id: &str) -> AppError {
    AppError::new(Code::NotFound, format!("there is no {} {id}", T::KIND.replace('_', " ")))
}

async fn write_entry<T: Entry>(
    tx: &mut dyn WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    before: Option<String>,
    value: &T,
) -> AppResult<()> {
    let json = encode(value)?;
    let now = cx.clock.now();
    if before.is_some() {
        tx.replace_entry(org, T::KIND, value.id(), &json, now).await?;
    } else {
        tx.insert_entry(org, T::KIND, value.id(), &json, now).await?;
    }
    if before.is_none()
        && let Some(subject) = subject_of::<T>(value.id())
    {
        tx.set_review_cycle(org, &subject, ReviewCycle::default(), now.date()).await?;
    }
    let action = if before.is_some() { "updated" } else { "created" };
    let draft = TrailDraft {
        actor: actor.clone(),
        action: format!("{}.{action}", T::KIND),
        entity: T::KIND.into(),
        entity_id: value.id().to_owned(),
        before,
        after: Some(json),
    };
    record(tx, org, now, draft).await
}

/// Creates an entry with the next free id (`AST-012`); singletons keep their fixed id.
pub(crate) async fn create<T: Entry>(cx: &Cx, actor: &TrailActor, org: OrgId, mut value: T) -> AppResult<T> {
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    create_in(&mut *tx, cx, actor, org, &mut value).await?;
    tx.commit().await?;
    Ok(value)
}

/// [`create`] inside a caller's transaction (bulk imports, the demo).
pub(crate) async fn create_in<T: Entry>(
    tx: &mut dyn WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    value: &mut T,
) -> AppResult<()> {
    check(value)?;
    value.set_id(reserve_id_in::<T>(tx, org).await?);
    write_entry(tx, cx, actor, org, None, value).await
}

/// The next free id of a kind (`RUN-012`), taken inside the caller's transaction, for
/// an entry whose id other rows name before it is stored ([`insert_in`]).
pub(crate) async fn reserve_id_in<T: Entry>(tx: &mut dyn WriteTx, org: OrgId) -> AppResult<String> {
    // The counter is taken inside this transaction (after the organization's write
    // turn), and starts above any id already stored.
    let number = match tx.bump_number(org, T::KIND).await? {
        Some(n) => n,
        None => {
            let existing = tx.entry_ids(org, T::KIND).await?;
            tx.next_number(org, T::KIND, next_number(T::PREFIX, existing)).await?
        }
    };
    Ok(format_id(T::PREFIX, number))
}

/// Stores a new entry under the id [`reserve_id_in`] gave it, with its trail entry.
pub(crate) async fn insert_in<T: Entry>(
    tx: &mut dyn WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    value: &T,
) -> AppResult<()> {
    check(value)?;
    write_entry(tx, cx, actor, org, None, value).await
}

/// Replaces an existing entry (its id is kept).
pub(crate) async fn replace<T: Entry>(cx: &Cx, actor: &TrailActor, org: OrgId, id: &str, mut value: T) -> AppResult<T> {
    value.set_id(id.to_owned());
    check(&value)?;
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let before = tx.entry(org, T::KIND, id).await?.ok_or_else(|| not_found::<T>(id))?;
    write_entry(&mut *tx, cx, actor, org, Some(before), &value).await?;
    tx.commit().await?;
    Ok(value)
}

/// Reads an entry, applies `step` and writes the result, all in one write
/// transaction, so a change decided on what was read cannot overwrite a concurrent
/// one (two people approving and editing the same document at once).
pub(crate) async fn update<T: Entry>(
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    step: impl FnOnce(&mut T) -> AppResult<()>,
) -> AppResult<T> {
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let value = update_in(&mut *tx, cx, actor, org, id, step).await?;
    tx.commit().await?;
    Ok(value)
}

/// [`update`] inside a caller's transaction.
pub(crate) async fn update_in<T: Entry>(
    tx: &mut dyn WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: OrgId,
    id: &str,
    step: impl FnOnce(&mut T) -> AppResult<()>,
) -> AppResult<T> {
    let before = tx.entry(org, T::KIND, id).await?.ok_or_else(|| not_found::<T>(id))?;
    let mut value: T = decode(id, &before)?;
    step(&mut value)?;
    value.set_id(id.to_owned());
    check(&value)?;
    if encode(&value)? == before {
        return Ok(value); // nothing changed: no write, no trail entry
    }
    write_entry(tx, cx, actor, org, Some(before), &value).await?;
    Ok(value)
}

/// Creates or replaces a singleton entry (the scope, the classification scheme).
pub(crate) async fn put_singleton<T: Entry>(cx: &Cx, actor: &TrailActor, org: OrgId, mut value: T) -> AppResult<T> {
    value.set_id(String::new());
    check(&value)?;
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let before = tx.entry(org, T::KIND, value.id()).await?;
    write_entry(&mut *tx, cx, actor, org, before, &value).await?;
    tx.commit().await?;
    Ok(value)
}

/// Deletes an entry.
pub(crate) async fn delete<T: Entry>(cx: &Cx, actor: &TrailActor, org: OrgId, id: &str) -> AppResult<()> {
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let before = tx.entry(org, T::KIND, id).await?.ok_or_else(|| not_found::<T>(id))?;
    tx.delete_entry(org, T::KIND, id).await?;
    let now = cx.clock.now();
    let draft = TrailDraft {
        actor: actor.clone(),
        action: format!("{}.deleted", T::KIND),
        entity: T::KIND.into(),
        entity_id: id.to_owned(),
        before: Some(before),
        after: None,
    };
    record(&mut *tx, org, now, draft).await?;
    tx.commit().await?;
    Ok(())
}
