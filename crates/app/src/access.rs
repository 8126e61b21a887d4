//! The app layer's authorization: a [`Caller`] (who, in which organization, with
//! which role) is checked against the domain's role table before a use case runs.

use isms_domain::access::{Grant, UseCase, grant};
use isms_domain::trail::TrailActor;
use isms_domain::{OrgId, Role, UserId};

use crate::sessions::Principal;
use crate::{AppError, AppResult, ErrorKind};

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

impl Caller {
    /// The caller behind a session; an error when no organization is chosen yet.
    pub fn of(principal: &Principal) -> AppResult<Caller> {
        match &principal.current {
            Some((org, role)) => Ok(Caller { user: principal.user.id, org: org.id, role: *role, ceiling: None }),
            None => Err(AppError::new(
                ErrorKind::Conflict,
                "no_organization_chosen",
                "choose an organization first (PUT /api/v1/session/organization)",
            )),
        }
    }

    /// How the caller appears in the audit trail.
    pub fn actor(&self) -> TrailActor {
        TrailActor::User(self.user)
    }

    /// Ok when the caller's role grants the use case at all (`Assigned` grants are
    /// narrowed to the caller's own items by the use case itself).
    pub fn require(&self, use_case: UseCase) -> AppResult<Grant> {
        let by_role = grant(self.role, use_case);
        let granted = self.ceiling.map_or(by_role, |c| by_role.min(grant(c, use_case)));
        match granted {
            Grant::Denied if by_role == Grant::Denied => Err(AppError::new(
                ErrorKind::Forbidden,
                "forbidden",
                format!("the {} role may not {}", self.role.label(), describe(use_case)),
            )),
            Grant::Denied => Err(AppError::new(
                ErrorKind::Forbidden,
                "forbidden",
                format!("this API token's ceiling does not allow it to {}", describe(use_case)),
            )),
            g => Ok(g),
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
    }
}

/// The use cases as a signed-in member invokes them: each checks the caller's role
/// first, then runs in the caller's organization only. The HTTP API calls these; the
/// installation's command line (run by whoever administers the host) calls the
/// unguarded functions directly.
pub mod guarded {
    use super::Caller;
    use crate::audit::Verification;
    use crate::controls::ControlView;
    use crate::risks::RiskView;
    use crate::{AppResult, Cx};
    use isms_domain::access::UseCase;
    use isms_domain::trail::TrailEntry;

    /// The organization's controls.
    pub async fn controls(cx: &Cx, caller: &Caller) -> AppResult<Vec<ControlView>> {
        caller.require(UseCase::ReadIsms)?;
        crate::controls::list_controls(cx, caller.org).await
    }

    /// The organization's risks.
    pub async fn risks(cx: &Cx, caller: &Caller) -> AppResult<Vec<RiskView>> {
        caller.require(UseCase::ReadIsms)?;
        crate::risks::list_risks(cx, caller.org).await
    }

    /// One risk by id ("not found" for another organization's id).
    pub async fn risk(cx: &Cx, caller: &Caller, id: &str) -> AppResult<RiskView> {
        caller.require(UseCase::ReadIsms)?;
        crate::risks::risk(cx, caller.org, id).await
    }

    /// Changes a control record. A control owner may change only the controls assigned
    /// to them, and may not hand them to someone else.
    pub async fn update_control(
        cx: &Cx,
        caller: &Caller,
        id: &str,
        change: crate::controls::ControlChange,
    ) -> AppResult<isms_domain::soa::ControlImplementation> {
        if caller.require(UseCase::EditControls)? == isms_domain::access::Grant::Assigned {
            let wanted = crate::controls::normalize_control_id(id);
            let record = cx
                .store
                .read()
                .await?
                .control_implementations(caller.org)
                .await?
                .into_iter()
                .find(|r| r.control == wanted);
            let assigned = record.as_ref().is_some_and(|r| r.owner == Some(caller.user));
            if record.is_some() && !assigned {
                return Err(crate::AppError::new(
                    crate::ErrorKind::Forbidden,
                    "forbidden",
                    format!("{wanted} is not assigned to you; a control owner edits only their own controls"),
                ));
            }
            if change.owner.is_some() {
                return Err(crate::AppError::new(
                    crate::ErrorKind::Forbidden,
                    "forbidden",
                    "a control owner cannot reassign a control; ask the ISMS manager",
                ));
            }
        }
        crate::controls::update_control(cx, &caller.actor(), caller.org, id, change).await
    }

    /// Adds a risk. A control owner may add only risks they own themselves.
    pub async fn add_risk(cx: &Cx, caller: &Caller, risk: isms_domain::risk::Risk) -> AppResult<RiskView> {
        if caller.require(UseCase::EditRisks)? == isms_domain::access::Grant::Assigned {
            let me = cx.store.read().await?.user(caller.user).await?;
            if !risk.owner.eq_ignore_ascii_case(me.email.as_str()) {
                return Err(crate::AppError::new(
                    crate::ErrorKind::Forbidden,
                    "forbidden",
                    "a control owner adds only risks they own (owner must be your e-mail)",
                ));
            }
        }
        crate::risks::add_risk(cx, &caller.actor(), caller.org, risk).await
    }

    /// Accepts a risk's residual level as the caller (the methodology's acceptance
    /// rules apply on top of the role).
    pub async fn accept_risk(cx: &Cx, caller: &Caller, id: &str, comment: &str) -> AppResult<RiskView> {
        caller.require(UseCase::AcceptRisks)?;
        let me = cx.store.read().await?.user(caller.user).await?;
        crate::risks::accept_risk(cx, caller.org, id, &me.email, comment).await
    }

    /// The Statement of Applicability as the control records make it now, with what
    /// blocks its approval.
    pub async fn soa(cx: &Cx, caller: &Caller) -> AppResult<crate::soa::SoaDraft> {
        caller.require(UseCase::ReadIsms)?;
        crate::soa::soa_draft(cx, caller.org).await
    }

    /// The current risk methodology.
    pub async fn methodology(cx: &Cx, caller: &Caller) -> AppResult<isms_domain::risk::Methodology> {
        caller.require(UseCase::ReadIsms)?;
        crate::risks::methodology(cx, caller.org).await
    }

    /// A page of the audit trail.
    pub async fn trail(cx: &Cx, caller: &Caller, after: i64, limit: u32) -> AppResult<Vec<TrailEntry>> {
        caller.require(UseCase::ReadAuditTrail)?;
        crate::audit::trail(cx, caller.org, after, limit).await
    }

    /// Verifies the organization's audit trail.
    pub async fn verify_trail(cx: &Cx, caller: &Caller) -> AppResult<Verification> {
        caller.require(UseCase::VerifyAuditTrail)?;
        crate::audit::verify_trail(cx, caller.org).await
    }
}
