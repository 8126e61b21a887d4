//! The app layer's authorization: a [`Caller`] (who, in which organization, with
//! which role) is checked against the domain's role table before a use case runs.

use isms_domain::access::{Grant, UseCase, grant};
use isms_domain::trail::TrailActor;
use isms_domain::{OrgId, Role, UserId};

use crate::sessions::Principal;
use crate::{AppError, AppResult, Code};

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
                Code::NoOrganizationChosen,
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
                Code::Forbidden,
                format!("the {} role may not {}", self.role.label(), describe(use_case)),
            )),
            Grant::Denied => Err(AppError::new(
                Code::Forbidden,
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
        UseCase::EditDocuments => "edit documents",
        UseCase::ApproveDocuments => "approve documents",
        UseCase::ManageAudits => "plan audits and record management reviews and certificates",
        UseCase::ActOnFindings => "act on findings",
    }
}

pub mod guarded;
