//! Invitations: how a person joins an organization. An owner invites an e-mail
//! address with a role; the invitation is a one-time link (only its SHA-256 is
//! stored) that expires. Whoever opens it sets their own password (a new account) or
//! proves they hold the existing account with that address; nobody else ever sees or
//! sets a password. Until it is accepted the invitation grants nothing.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::ids::{OrgId, UserId};
use crate::user::{DisplayName, Email, Role};

/// How long an invitation link works.
pub const INVITATION_LIFETIME: Duration = Duration::days(7);

/// An invitation to join one organization with one role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Invitation {
    /// Public id (`inv_…`), for listing and revoking.
    pub id: String,
    /// The organization to join.
    pub org: OrgId,
    /// The address invited (the login name the account will have).
    pub email: Email,
    /// The name the inviter gave; the invitee may change it when accepting.
    pub name: DisplayName,
    /// The role granted on acceptance.
    pub role: Role,
    /// Hex SHA-256 of the link's secret.
    #[serde(skip)]
    pub token_hash: String,
    /// Who invited (`user:<id>` or `system:<command>`).
    pub invited_by: String,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub created_at: OffsetDateTime,
    /// When the link stops working.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub expires_at: OffsetDateTime,
    /// When it was accepted, if it was.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub accepted_at: Option<OffsetDateTime>,
    /// The account that accepted it.
    pub accepted_by: Option<UserId>,
    /// When it was revoked, if it was.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub revoked_at: Option<OffsetDateTime>,
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    /// The link works.
    Pending,
    /// Someone joined with it.
    Accepted,
    /// The inviter (or another owner) withdrew it.
    Revoked,
    /// Its time ran out.
    Expired,
}

impl InvitationState {
    /// The state's name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Pending => "pending",
            InvitationState::Accepted => "accepted",
            InvitationState::Revoked => "revoked",
            InvitationState::Expired => "expired",
        }
    }
}

impl Invitation {
    /// Where the invitation stands at `now`.
    pub fn state(&self, now: OffsetDateTime) -> InvitationState {
        if self.accepted_at.is_some() {
            InvitationState::Accepted
        } else if self.revoked_at.is_some() {
            InvitationState::Revoked
        } else if self.expires_at <= now {
            InvitationState::Expired
        } else {
            InvitationState::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_is_pending_until_accepted_revoked_or_expired() {
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let mut inv = Invitation {
            id: "inv_1".into(),
            org: OrgId::from_random_bytes([1; 16]),
            email: Email::parse("a@b.c").unwrap(),
            name: DisplayName::parse("A").unwrap(),
            role: Role::Viewer,
            token_hash: "h".into(),
            invited_by: "system:test".into(),
            created_at: t0,
            expires_at: t0 + INVITATION_LIFETIME,
            accepted_at: None,
            accepted_by: None,
            revoked_at: None,
        };
        assert_eq!(inv.state(t0), InvitationState::Pending);
        assert_eq!(inv.state(t0 + INVITATION_LIFETIME), InvitationState::Expired);
        inv.revoked_at = Some(t0);
        assert_eq!(inv.state(t0), InvitationState::Revoked);
        inv.accepted_at = Some(t0);
        assert_eq!(inv.state(t0 + Duration::days(30)), InvitationState::Accepted, "acceptance is final");
    }
}
