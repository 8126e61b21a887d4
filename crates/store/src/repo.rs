//! Repository traits, split by capability. Organization data is always addressed
//! through the organization that owns it.

use async_trait::async_trait;
use isms_domain::framework::{Framework, FrameworkId};
use isms_domain::job::JobRun;
use isms_domain::review::{Review, ReviewCycle, Subject};
use isms_domain::soa::{ControlImplementation, SoaVersion, StatusChange};
use isms_domain::throttle::Throttle;
use isms_domain::trail::{TrailEntry, TrailHead};
use isms_domain::{
    ApiToken, Email, Invitation, Membership, OrgId, Organization, Role, Session, User, UserId, Workspace,
};
use time::Date;
use time::OffsetDateTime;

use crate::StoreResult;

/// Reads the workspace marker.
#[async_trait]
pub trait WorkspaceRead {
    /// The workspace, or `None` when the database was migrated but never initialized.
    async fn workspace(&mut self) -> StoreResult<Option<Workspace>>;
}

/// Creates the workspace marker.
#[async_trait]
pub trait WorkspaceWrite {
    /// Records that the database holds a workspace. `Conflict` when it already does.
    async fn create_workspace(&mut self, workspace: &Workspace) -> StoreResult<()>;
}

/// Reads organizations.
#[async_trait]
pub trait OrgRead {
    /// One organization; `NotFound` when it does not exist.
    async fn organization(&mut self, org: OrgId) -> StoreResult<Organization>;
    /// The organization's data version: raised by every committed transaction that
    /// wrote its data (registers, controls, the SoA, reviews, frameworks in use,
    /// members, the trail), so what was read at one version is still current while the
    /// version is the same, in this process and on every replica. `NotFound` when the
    /// organization does not exist.
    async fn data_version(&mut self, org: OrgId) -> StoreResult<i64>;
    /// Every organization of the installation, by name (installation administration).
    async fn organizations(&mut self) -> StoreResult<Vec<Organization>>;
    /// The organizations a user belongs to, with the role held in each, by name.
    async fn organizations_of(&mut self, user: UserId) -> StoreResult<Vec<(Organization, Role)>>;
}

/// Creates and changes organizations.
#[async_trait]
pub trait OrgWrite {
    /// Reads an organization and takes its write turn: until this transaction ends,
    /// other write transactions of the same organization (in this process or another
    /// replica) wait at this call. Every write use case on an organization's data calls
    /// it first, before reading what it will change, so a read-modify-write never
    /// works on a stale read and readable ids are never handed out twice (on SQLite the
    /// database has one writer at a time anyway). `NotFound` when it does not exist.
    async fn lock_organization(&mut self, org: OrgId) -> StoreResult<Organization>;
    /// Stores a new organization.
    async fn insert_organization(&mut self, org: &Organization) -> StoreResult<()>;
}

/// Reads user accounts and memberships.
#[async_trait]
pub trait UserRead {
    /// One account; `NotFound` when it does not exist.
    async fn user(&mut self, id: UserId) -> StoreResult<User>;
    /// The account with this login name, if any.
    async fn user_by_email(&mut self, email: &Email) -> StoreResult<Option<User>>;
    /// Every account of the installation, by e-mail.
    async fn users(&mut self) -> StoreResult<Vec<User>>;
    /// The members of one organization with their memberships, by e-mail.
    async fn members(&mut self, org: OrgId) -> StoreResult<Vec<(User, Membership)>>;
    /// A user's membership in one organization, if any.
    async fn membership(&mut self, org: OrgId, user: UserId) -> StoreResult<Option<Membership>>;
}

/// Creates and changes accounts and memberships.
#[async_trait]
pub trait UserWrite {
    /// Stores a new account. `Conflict` when the e-mail is taken.
    async fn insert_user(&mut self, user: &User) -> StoreResult<()>;
    /// Adds a user to an organization. `Conflict` when already a member.
    async fn insert_membership(&mut self, membership: &Membership) -> StoreResult<()>;
    /// The account with this login name, locked until the transaction ends, for a
    /// change decided on what it holds (concurrent changes of one account take turns).
    async fn lock_user(&mut self, email: &Email) -> StoreResult<Option<User>>;
    /// Replaces an account's name, password hash and disabled flag.
    async fn update_user(&mut self, user: &User) -> StoreResult<()>;
    /// Changes a member's role; false when the user is not a member of `org`.
    async fn set_member_role(&mut self, org: OrgId, user: UserId, role: Role) -> StoreResult<bool>;
    /// Ends a membership and deletes the user's API tokens for `org` (sessions that
    /// had `org` current lose it); false when the user was not a member.
    async fn remove_member(&mut self, org: OrgId, user: UserId) -> StoreResult<bool>;
}

/// Reads an organization's audit trail.
#[async_trait]
pub trait TrailRead {
    /// Entries with `seq > after`, in order, at most `limit`.
    async fn trail(&mut self, org: OrgId, after: i64, limit: u32) -> StoreResult<Vec<TrailEntry>>;
    /// Entries made at or after `since` with `seq > after`, in order, at most `limit`
    /// (what changed since a date, without reading the whole trail).
    async fn trail_since(
        &mut self,
        org: OrgId,
        since: OffsetDateTime,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<TrailEntry>>;
    /// The recorded end of the organization's chain (without locking it).
    async fn trail_head(&mut self, org: OrgId) -> StoreResult<TrailHead>;
}

/// Appends to an organization's audit trail.
#[async_trait]
pub trait TrailWrite {
    /// The end of the organization's chain, locked until this transaction ends so that
    /// concurrent writers (other replicas too) append one after the other.
    async fn lock_trail_head(&mut self, org: OrgId) -> StoreResult<TrailHead>;
    /// Appends an entry sealed after the head returned by [`Self::lock_trail_head`].
    /// `Conflict` when the chain moved on in the meantime.
    async fn append_trail(&mut self, entry: &TrailEntry) -> StoreResult<()>;
}

/// Reads user-imported frameworks and each organization's frameworks in use.
#[async_trait]
pub trait FrameworkRead {
    /// Frameworks imported or defined by users (installation-wide), by id.
    async fn custom_frameworks(&mut self) -> StoreResult<Vec<Framework>>;
    /// Id and import instant of each user-imported framework: a cheap fingerprint to
    /// tell whether a cached library is still current.
    async fn custom_framework_versions(&mut self) -> StoreResult<Vec<(String, OffsetDateTime)>>;
    /// The frameworks an organization has adopted (ISO/IEC 27001:2022 is implicit), by id.
    async fn frameworks_in_use(&mut self, org: OrgId) -> StoreResult<Vec<(FrameworkId, OffsetDateTime)>>;
}

/// Stores imported frameworks and adoption by organizations.
#[async_trait]
pub trait FrameworkWrite {
    /// Stores an imported framework; `origin` says where it came from. `Conflict` when
    /// the id is taken.
    async fn insert_custom_framework(
        &mut self,
        framework: &Framework,
        origin: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Records that an organization uses a framework. `Conflict` when it already does.
    async fn adopt_framework(&mut self, org: OrgId, framework: &FrameworkId, at: OffsetDateTime) -> StoreResult<()>;
    /// Stops using a framework; false when it was not in use.
    async fn drop_framework(&mut self, org: OrgId, framework: &FrameworkId) -> StoreResult<bool>;
}

/// Reads an organization's control implementations.
#[async_trait]
pub trait ControlRead {
    /// Every control record of the organization, by control id.
    async fn control_implementations(&mut self, org: OrgId) -> StoreResult<Vec<ControlImplementation>>;
    /// One control's record with its links, if the organization has it.
    async fn control_implementation(&mut self, org: OrgId, control: &str)
    -> StoreResult<Option<ControlImplementation>>;
    /// One control's status history, oldest first.
    async fn control_history(&mut self, org: OrgId, control: &str) -> StoreResult<Vec<StatusChange>>;
}

/// Changes an organization's control implementations.
#[async_trait]
pub trait ControlWrite {
    /// Creates or replaces a control record (its links included).
    async fn save_control_implementation(&mut self, org: OrgId, record: &ControlImplementation) -> StoreResult<()>;
    /// Changes a stored control record from `before` (as read in this transaction) to
    /// `after`, writing only what differs: its row when a field changed, and each link
    /// added or removed (not the control's other links).
    async fn update_control_implementation(
        &mut self,
        org: OrgId,
        before: &ControlImplementation,
        after: &ControlImplementation,
    ) -> StoreResult<()>;
    /// Appends to a control's status history.
    async fn append_status_change(&mut self, org: OrgId, change: &StatusChange) -> StoreResult<()>;
}

/// Reads approved SoA versions.
#[async_trait]
pub trait SoaRead {
    /// Every approved version, oldest first.
    async fn soa_versions(&mut self, org: OrgId) -> StoreResult<Vec<SoaVersion>>;
}

/// Stores approved SoA versions; there is no way to change or delete one.
#[async_trait]
pub trait SoaWrite {
    /// Stores a newly approved version. `Conflict` when its number is taken (another
    /// approval got there first).
    async fn insert_soa_version(&mut self, org: OrgId, version: &SoaVersion) -> StoreResult<()>;
}

/// Reads review cycles and reviews.
#[async_trait]
pub trait ReviewRead {
    /// A subject's cycle and the day it started, if it has one.
    async fn review_cycle(&mut self, org: OrgId, subject: &Subject) -> StoreResult<Option<(ReviewCycle, Date)>>;
    /// A subject's reviews, oldest first.
    async fn reviews(&mut self, org: OrgId, subject: &Subject) -> StoreResult<Vec<Review>>;
}

/// Sets review cycles and records reviews.
#[async_trait]
pub trait ReviewWrite {
    /// Creates or changes a subject's cycle.
    async fn set_review_cycle(
        &mut self,
        org: OrgId,
        subject: &Subject,
        cycle: ReviewCycle,
        started: Date,
    ) -> StoreResult<()>;
    /// Records a review (the subject must have a cycle).
    async fn insert_review(&mut self, org: OrgId, review: &Review) -> StoreResult<()>;
}

/// Reads register entries (typed JSON documents) of one kind.
#[async_trait]
pub trait RegisterRead {
    /// Every entry of a kind as `(id, JSON)`, by id.
    async fn entries(&mut self, org: OrgId, kind: &str) -> StoreResult<Vec<(String, String)>>;
    /// One entry's JSON, if it exists.
    async fn entry(&mut self, org: OrgId, kind: &str, id: &str) -> StoreResult<Option<String>>;
    /// The ids of every entry of a kind, by id (without reading their content).
    async fn entry_ids(&mut self, org: OrgId, kind: &str) -> StoreResult<Vec<String>>;
}

/// Creates, replaces and deletes register entries.
#[async_trait]
pub trait RegisterWrite {
    /// Creates a new entry. `Conflict` when the id is taken: a create never overwrites.
    async fn insert_entry(
        &mut self,
        org: OrgId,
        kind: &str,
        id: &str,
        json: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Replaces an existing entry's content. `NotFound` when there is none.
    async fn replace_entry(
        &mut self,
        org: OrgId,
        kind: &str,
        id: &str,
        json: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Creates the entry or replaces its content: only for values that are replaced as
    /// a whole whether or not they existed (a singleton such as the methodology, the
    /// latest simulation result), never for records that get new ids.
    async fn put_entry(&mut self, org: OrgId, kind: &str, id: &str, json: &str, at: OffsetDateTime) -> StoreResult<()>;
    /// Takes the next number of a per-organization counter (`kind` names it): one more
    /// than the last number taken, and at least `at_least`. Numbers are never handed
    /// out twice, even after the record that had one is deleted.
    async fn next_number(&mut self, org: OrgId, kind: &str, at_least: i64) -> StoreResult<i64>;
    /// Takes the next number of a counter that has been used before, without knowing a
    /// floor; `None` when the counter was never used (then [`Self::next_number`] with
    /// the floor read from the stored ids).
    async fn bump_number(&mut self, org: OrgId, kind: &str) -> StoreResult<Option<i64>>;
    /// Deletes an entry; false when there was none.
    async fn delete_entry(&mut self, org: OrgId, kind: &str, id: &str) -> StoreResult<bool>;
}

/// Reading login sessions and sign-in throttling.
#[async_trait]
pub trait SessionRead {
    /// The session stored under this token hash, expired or not.
    async fn session(&mut self, token_hash: &str) -> StoreResult<Option<Session>>;
    /// Whether `user` has signed in from `address` before.
    async fn known_address(&mut self, user: UserId, address: &str) -> StoreResult<bool>;
}

/// Writing login sessions and failed-login records.
#[async_trait]
pub trait SessionWrite {
    /// Stores a new session.
    async fn insert_session(&mut self, session: &Session) -> StoreResult<()>;
    /// Changes the organization a session works in.
    async fn set_session_org(&mut self, token_hash: &str, org: Option<OrgId>) -> StoreResult<()>;
    /// Removes a session; `false` when there was none.
    async fn delete_session(&mut self, token_hash: &str) -> StoreResult<bool>;
    /// Removes every session of a user (disable, password change); returns how many.
    async fn delete_sessions_of(&mut self, user: UserId) -> StoreResult<u64>;
    /// The throttling state of `subject` (an account from an address, an address …),
    /// locked until the transaction ends so that parallel sign-in attempts are counted
    /// one after another; a subject never seen has the default state.
    async fn lock_throttle(&mut self, subject: &str) -> StoreResult<Throttle>;
    /// Stores the throttling state of `subject` (locked first with
    /// [`SessionWrite::lock_throttle`]).
    async fn save_throttle(&mut self, subject: &str, state: &Throttle) -> StoreResult<()>;
    /// Remembers that `user` signed in from `address` at `at`.
    async fn remember_address(&mut self, user: UserId, address: &str, at: OffsetDateTime) -> StoreResult<()>;
}

/// Reading API tokens.
#[async_trait]
pub trait TokenRead {
    /// The token stored under this secret hash, revoked or expired or not.
    async fn token_by_hash(&mut self, token_hash: &str) -> StoreResult<Option<ApiToken>>;
    /// A user's tokens in an organization, newest first.
    async fn tokens_of(&mut self, user: UserId, org: OrgId) -> StoreResult<Vec<ApiToken>>;
}

/// Writing API tokens.
#[async_trait]
pub trait TokenWrite {
    /// Stores a new token.
    async fn insert_token(&mut self, token: &ApiToken) -> StoreResult<()>;
    /// Marks a token of `user` in `org` revoked; `false` when there is no such
    /// unrevoked token.
    async fn revoke_token(&mut self, user: UserId, org: OrgId, id: &str, at: OffsetDateTime) -> StoreResult<bool>;
    /// Revokes every unrevoked token of `user` in every organization (password reset,
    /// disabled account); returns how many.
    async fn revoke_tokens_of(&mut self, user: UserId, at: OffsetDateTime) -> StoreResult<u64>;
}

/// Reading invitations.
#[async_trait]
pub trait InvitationRead {
    /// An organization's invitations, newest first.
    async fn invitations(&mut self, org: OrgId) -> StoreResult<Vec<Invitation>>;
    /// The invitation whose link has this secret hash, in any state.
    async fn invitation_by_hash(&mut self, token_hash: &str) -> StoreResult<Option<Invitation>>;
    /// Whether any unaccepted, unrevoked invitation for `email` runs past `now`.
    async fn has_pending_invitation(&mut self, email: &Email, now: OffsetDateTime) -> StoreResult<bool>;
}

/// Writing invitations.
#[async_trait]
pub trait InvitationWrite {
    /// Stores a new invitation.
    async fn insert_invitation(&mut self, invitation: &Invitation) -> StoreResult<()>;
    /// The invitation whose link has this secret hash, locked until the transaction
    /// ends (so one link is accepted once, whatever runs in parallel).
    async fn lock_invitation(&mut self, token_hash: &str) -> StoreResult<Option<Invitation>>;
    /// Records acceptance or revocation (the stored `accepted_*` and `revoked_at`).
    async fn settle_invitation(&mut self, invitation: &Invitation) -> StoreResult<()>;
}

/// Reading runs of jobs.
#[async_trait]
pub trait JobRead {
    /// The latest run of `kind` in `org`, if there was one.
    async fn job_run(&mut self, org: OrgId, kind: &str) -> StoreResult<Option<JobRun>>;
}

/// Claiming, renewing and finishing runs of jobs. These writes are bookkeeping, not the
/// organization's data: they do not raise its data version.
#[async_trait]
pub trait JobWrite {
    /// The latest run of `kind` in `org`, locked until the transaction ends (so two
    /// replicas claiming at once take turns).
    async fn lock_job_run(&mut self, org: OrgId, kind: &str) -> StoreResult<Option<JobRun>>;
    /// Stores a run, replacing the earlier one of the same kind.
    async fn put_job_run(&mut self, run: &JobRun) -> StoreResult<()>;
    /// Records progress and renews the claim of run `run` held by `owner`; false when
    /// that run is no longer theirs (it lapsed and was replaced).
    async fn renew_job_run(
        &mut self,
        org: OrgId,
        kind: &str,
        run: i64,
        owner: &str,
        done: i64,
        lease_until: OffsetDateTime,
    ) -> StoreResult<bool>;
}

/// Reading the results of ingested check runs.
#[async_trait]
pub trait CheckRead {
    /// The results of run `run` in `org` after sequence number `after`, in order, at
    /// most `limit` of them, each with its sequence number.
    async fn check_results(
        &mut self,
        org: OrgId,
        run: &str,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, isms_domain::check::CheckResult)>>;

    /// The readings of check `check` in `org` before sequence number `before` (all when
    /// `None`), newest first, at most `limit` of them, each with its sequence number.
    async fn check_readings(
        &mut self,
        org: OrgId,
        check: &str,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<(i64, isms_domain::check::Reading)>>;
}

/// Writing the results of ingested check runs.
#[async_trait]
pub trait CheckWrite {
    /// Stores `results` of run `run` in `org`, numbered from `first` on.
    async fn insert_check_results(
        &mut self,
        org: OrgId,
        run: &str,
        first: i64,
        results: &[isms_domain::check::CheckResult],
    ) -> StoreResult<()>;

    /// Appends reading number `seq` of check `check` in `org`.
    async fn insert_check_reading(
        &mut self,
        org: OrgId,
        check: &str,
        seq: i64,
        reading: &isms_domain::check::Reading,
    ) -> StoreResult<()>;
}
