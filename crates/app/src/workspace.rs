//! Creating a workspace (`isms init`): the database, the first organization and its
//! owner, whose generated password is returned once and never stored in clear.
//!
//! Installation-level commands like this one run on the server's own machine with
//! access to its configuration; they are not subject to organization roles.

use isms_domain::trail::TrailActor;
use isms_domain::{
    DisplayName, Email, Membership, OrgId, OrgName, Organization, Role, User, UserId, Workspace, WorkspaceKind,
};
use isms_store::{MigrationId, StoreError, WriteTx};
use serde::Serialize;

use crate::password::{generate_password, hash_password};
use crate::trail::{created, record};
use crate::{AppError, AppResult, Code, Cx, FieldError};

/// What `isms init` is asked to create, already parsed.
#[derive(Debug, Clone)]
pub struct NewWorkspace {
    /// The first organization's name.
    pub org_name: OrgName,
    /// The owner's login.
    pub admin_email: Email,
    /// The owner's name.
    pub admin_name: DisplayName,
}

impl NewWorkspace {
    /// Parses the raw input, reporting every bad field at once.
    pub fn parse(org_name: &str, admin_email: &str, admin_name: Option<&str>) -> AppResult<Self> {
        let mut fields = Vec::new();
        let mut bad = |field: &str, e: &dyn std::fmt::Display| {
            fields.push(FieldError { field: field.to_owned(), message: e.to_string() });
        };
        let org = OrgName::parse(org_name).map_err(|e| bad("org", &e)).ok();
        let email = Email::parse(admin_email).map_err(|e| bad("admin_email", &e)).ok();
        let name = DisplayName::parse(admin_name.unwrap_or("Administrator")).map_err(|e| bad("admin_name", &e)).ok();
        match (org, email, name) {
            (Some(org_name), Some(admin_email), Some(admin_name)) => Ok(Self { org_name, admin_email, admin_name }),
            _ => Err(AppError::invalid(fields)),
        }
    }
}

/// What was created.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedWorkspace {
    /// The workspace marker.
    pub workspace: Workspace,
    /// The first organization.
    pub organization: Organization,
    /// Its owner.
    pub admin: User,
    /// The owner's generated password: shown once, stored only as a hash.
    pub admin_password: String,
    /// Migrations applied on the way.
    #[serde(serialize_with = "names")]
    pub migrations_applied: Vec<MigrationId>,
}

fn names<S: serde::Serializer>(ids: &[MigrationId], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ids.iter().map(ToString::to_string))
}

/// The workspace in the database, if it was initialized. A database that was never
/// migrated has none.
pub async fn current_workspace(cx: &Cx) -> AppResult<Option<Workspace>> {
    crate::reads::end_request_read(); // the status check is a transaction of its own
    let status = cx.store.schema_status().await?;
    if status.applied.is_empty() {
        return Ok(None);
    }
    let mut tx = cx.read().await?;
    Ok(tx.workspace().await?)
}

/// The refusal given when a workspace already exists.
pub(crate) fn already_exists(cx: &Cx, existing: &Workspace) -> AppError {
    AppError::new(
        Code::WorkspaceExists,
        format!(
            "{} already holds an isms {} workspace (created {}); nothing was changed — to start over, move it away first",
            cx.store.location(),
            existing.kind.as_str(),
            existing.created_at.date()
        ),
    )
}

/// Creates the workspace: migrates the database, then records the workspace, the first
/// organization, its owner and the owner's membership in one transaction. Refuses,
/// changing nothing, when the database already holds a workspace.
pub async fn initialize_workspace(cx: &Cx, new: NewWorkspace) -> AppResult<CreatedWorkspace> {
    create(cx, WorkspaceKind::Standard, new, None).await
}

/// Shared by `isms init` and `isms demo`: `password` is generated when `None`.
pub(crate) async fn create(
    cx: &Cx,
    kind: WorkspaceKind,
    new: NewWorkspace,
    password: Option<&str>,
) -> AppResult<CreatedWorkspace> {
    if let Some(existing) = current_workspace(cx).await? {
        return Err(already_exists(cx, &existing));
    }
    let migrations_applied = cx.store.migrate().await?;
    let now = cx.clock.now();
    let actor = TrailActor::System(match kind {
        WorkspaceKind::Standard => "isms init".to_owned(),
        WorkspaceKind::Demo => "isms demo".to_owned(),
    });
    let admin_password = password.map_or_else(|| generate_password(&*cx.entropy), ToOwned::to_owned);
    let workspace = Workspace { kind, created_at: now };
    let organization =
        Organization { id: OrgId::from_random_bytes(cx.random_id_bytes()), name: new.org_name, created_at: now };
    let admin = new_user(cx, new.admin_email, new.admin_name, &admin_password)?;

    let mut tx = cx.write().await?;
    tx.create_workspace(&workspace).await.map_err(|e| match e {
        StoreError::Conflict(_) => already_exists(cx, &workspace),
        e => e.into(),
    })?;
    add_organization(&mut *tx, cx, &actor, &organization).await?;
    add_member(&mut *tx, cx, &actor, &organization, &admin, Role::Owner).await?;
    tx.commit().await?;
    Ok(CreatedWorkspace { workspace, organization, admin, admin_password, migrations_applied })
}

/// A new, enabled account with a freshly hashed password.
pub(crate) fn new_user(cx: &Cx, email: Email, display_name: DisplayName, password: &str) -> AppResult<User> {
    Ok(User {
        id: UserId::from_random_bytes(cx.random_id_bytes()),
        email,
        display_name,
        password_hash: hash_password(password, &*cx.entropy)?,
        disabled: false,
        created_at: cx.clock.now(),
    })
}

/// Stores an organization and records its creation in its own trail.
pub(crate) async fn add_organization(
    tx: &mut dyn WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: &Organization,
) -> AppResult<()> {
    tx.insert_organization(org).await?;
    let draft = created(actor, "organization.created", "organization", org.id.to_string(), org);
    record(tx, org.id, cx.clock.now(), draft).await?;
    crate::controls::seed_controls(tx, cx, actor, org.id).await
}

/// Stores the account if it is new, adds it to the organization with a role, and
/// records both in the organization's trail.
pub(crate) async fn add_member(
    tx: &mut dyn WriteTx,
    cx: &Cx,
    actor: &TrailActor,
    org: &Organization,
    user: &User,
    role: Role,
) -> AppResult<()> {
    if tx.user_by_email(&user.email).await?.is_none() {
        tx.insert_user(user).await?;
        let draft = created(actor, "user.created", "user", user.id.to_string(), user);
        record(tx, org.id, cx.clock.now(), draft).await?;
    }
    let member =
        tx.user_by_email(&user.email).await?.ok_or_else(|| AppError::not_found(format!("user {}", user.email)))?;
    let membership = Membership { org: org.id, user: member.id, role, since: cx.clock.now() };
    tx.insert_membership(&membership).await?;
    let draft = created(actor, "membership.granted", "membership", format!("{}/{}", org.id, member.id), &membership);
    record(tx, org.id, cx.clock.now(), draft).await
}
