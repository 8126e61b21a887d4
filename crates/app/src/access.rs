//! The app layer's authorization: every use case takes an [`Actor`] — a member (who,
//! in which organization, with which role and token ceiling) or the installation's
//! operator — and checks it against the domain's grant table before it runs.

use isms_domain::access::{Grant, UseCase, grant};
use isms_domain::trail::TrailActor;
use isms_domain::{Email, OrgId, Role, UserId};

use crate::{AppError, AppResult, Code, Cx};

/// A signed-in member acting in one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// Who.
    pub user: UserId,
    /// In which organization every read and write happens.
    pub org: OrgId,
    /// The role held there.
    pub role: Role,
    /// An API token's role ceiling: the caller may do only what both roles allow.
    pub ceiling: Option<Role>,
}

/// Who runs a use case, and in which organization. Every use case takes one and
/// checks it against the grant table ([`Actor::require`]) before it reads or writes:
/// the API, the pages and the command line call the same functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A member: signed in (session or API token), or named with `--as` on the
    /// command line. Their role (and a token's ceiling) decides what they may do.
    Member(Caller),
    /// The installation's operator: whoever runs the command line on the host, and so
    /// already holds the database. Granted every use case; recorded in the trail as
    /// the command that acted.
    Operator {
        /// The organization acted in.
        org: OrgId,
        /// The command, as the trail names it (e.g. `isms risk import`).
        command: &'static str,
    },
}

impl From<Caller> for Actor {
    fn from(caller: Caller) -> Self {
        Actor::Member(caller)
    }
}

impl Actor {
    /// The member with `email` acting in `org` with the role they hold there (the
    /// command line's `--as EMAIL`); refused when they are not a member or their
    /// account is disabled.
    pub async fn member(cx: &Cx, org: OrgId, email: &Email) -> AppResult<Actor> {
        let mut tx = cx.read().await?;
        let not_member = || AppError::invalid_field("as", format!("{email} is not a member of this organization"));
        let user = tx.user_by_email(email).await?.ok_or_else(not_member)?;
        let membership = tx.membership(org, user.id).await?.ok_or_else(not_member)?;
        if user.disabled {
            return Err(AppError::invalid_field("as", format!("{email}'s account is disabled")));
        }
        if !crate::auditors::membership_open(&mut *tx, org, membership.role, email.as_str(), cx.clock.today()).await? {
            return Err(AppError::invalid_field("as", format!("{email}'s access as external auditor has ended")));
        }
        Ok(Actor::Member(Caller { user: user.id, org, role: membership.role, ceiling: None }))
    }

    /// The operator acting in `org` through `command`.
    pub fn operator(org: OrgId, command: &'static str) -> Actor {
        Actor::Operator { org, command }
    }

    /// The organization every read and write of the use case is scoped to.
    pub fn org(&self) -> OrgId {
        match self {
            Actor::Member(c) => c.org,
            Actor::Operator { org, .. } => *org,
        }
    }

    /// The member's account, if a member acts.
    pub fn user(&self) -> Option<UserId> {
        match self {
            Actor::Member(c) => Some(c.user),
            Actor::Operator { .. } => None,
        }
    }

    /// The member's role, if a member acts.
    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::Member(c) => Some(c.role),
            Actor::Operator { .. } => None,
        }
    }

    /// How the actor appears in the audit trail.
    pub fn trail(&self) -> TrailActor {
        match self {
            Actor::Member(c) => TrailActor::User(c.user),
            Actor::Operator { command, .. } => TrailActor::System((*command).to_owned()),
        }
    }

    /// The grant the actor holds for `use_case`: the operator holds every grant in
    /// full; a member what their role (within a token's ceiling) allows, or a
    /// `forbidden` error. `Assigned` grants are narrowed to the member's own items
    /// by the use case itself.
    pub fn require(&self, use_case: UseCase) -> AppResult<Grant> {
        let Actor::Member(caller) = self else { return Ok(Grant::Any) };
        let by_role = grant(caller.role, use_case);
        let granted = caller.ceiling.map_or(by_role, |c| by_role.min(grant(c, use_case)));
        match granted {
            Grant::Denied if by_role == Grant::Denied => Err(AppError::new(
                Code::Forbidden,
                format!("the {} role may not {}", caller.role.label(), describe(use_case)),
            )),
            Grant::Denied => Err(AppError::new(
                Code::Forbidden,
                format!("this API token's ceiling does not allow it to {}", describe(use_case)),
            )),
            g => Ok(g),
        }
    }

    /// True when `require(use_case)` would pass.
    pub fn may(&self, use_case: UseCase) -> bool {
        self.require(use_case).is_ok()
    }

    /// The actor in words for records that name who did something (who collected
    /// evidence, who drafted a document): the member's e-mail, or the command (`isms
    /// document add (command line)`).
    pub(crate) async fn who(&self, cx: &Cx) -> AppResult<String> {
        match self {
            Actor::Member(_) => Ok(self.email(cx).await?.to_string()),
            Actor::Operator { command, .. } => Ok(format!("{command} (command line)")),
        }
    }

    /// Checks `use_case` and answers whom the grant is narrowed to: the member's
    /// e-mail under an `Assigned` grant (a control owner's own items only), `None`
    /// under a full one.
    pub(crate) async fn narrowed(&self, cx: &Cx, use_case: UseCase) -> AppResult<Option<Email>> {
        match self.require(use_case)? {
            Grant::Assigned => Ok(Some(self.email(cx).await?)),
            _ => Ok(None),
        }
    }

    /// The audits an external auditor may open today (`None` for anyone else: their
    /// role decides). Read before any write transaction is opened.
    pub(crate) async fn audit_scope(&self, cx: &Cx) -> AppResult<Option<Vec<String>>> {
        match self {
            Actor::Member(c) if c.role == Role::ExternalAuditor => {
                let email = self.email(cx).await?;
                let mut tx = cx.read().await?;
                Ok(Some(crate::auditors::open_audits_in(&mut *tx, c.org, email.as_str(), cx.clock.today()).await?))
            }
            _ => Ok(None),
        }
    }

    /// The acting member's e-mail, for use cases that record a person (who accepted,
    /// approved, reviewed). The operator must name the member (`--as EMAIL`).
    pub async fn email(&self, cx: &Cx) -> AppResult<Email> {
        match self {
            Actor::Member(c) => Ok(cx.read().await?.user(c.user).await?.email),
            Actor::Operator { command, .. } => Err(AppError::invalid_field(
                "as",
                format!("{command} records who acted: name the member with --as EMAIL"),
            )),
        }
    }
}

/// A use case in words, for error messages.
pub fn describe(use_case: UseCase) -> &'static str {
    match use_case {
        UseCase::ReadIsms => "read the ISMS",
        UseCase::ReadAuditTrail => "read the audit trail",
        UseCase::VerifyAuditTrail => "verify the audit trail",
        UseCase::EditContext => "edit scope and context",
        UseCase::EditAssets => "edit assets",
        UseCase::EditControls => "edit controls",
        UseCase::EditRisks => "edit risks",
        UseCase::AcceptRisks => "accept risks",
        UseCase::EditMethodology => "change the risk methodology",
        UseCase::ApproveSoa => "approve the Statement of Applicability",
        UseCase::ManageFrameworks => "manage frameworks",
        UseCase::RecordReviews => "record reviews",
        UseCase::RunSimulations => "run simulations",
        UseCase::ManageMembers => "manage members",
        UseCase::RecordFindings => "record audit findings",
        UseCase::EditDocuments => "edit documents",
        UseCase::ApproveDocuments => "approve documents",
        UseCase::ManageAudits => "plan audits and record management reviews and certificates",
        UseCase::ActOnFindings => "act on findings",
    }
}

#[cfg(test)]
mod gate;
