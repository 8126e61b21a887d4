//! User accounts and their membership in organizations.
//!
//! An account is global to the installation (a consultant logs in once); what a user
//! may do is decided per organization by the [`Role`] of their [`Membership`].

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{OrgId, UserId};

/// An e-mail address that was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a usable e-mail address: {reason}")]
pub struct EmailError {
    /// What was given.
    pub value: String,
    /// Why it was refused.
    pub reason: &'static str,
}

/// A normalized (trimmed, lower-case) e-mail address, used as the login name.
///
/// The check is deliberately modest: one `@`, a non-empty local part, a domain
/// without spaces. Deliverability is not our business; typos like a missing `@` are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses an address typed by a person.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let value = raw.trim().to_lowercase();
        let refuse = |reason| EmailError { value: raw.to_owned(), reason };
        if value.len() > 254 {
            return Err(refuse("it is longer than 254 characters"));
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(refuse("it has no @"));
        };
        if local.is_empty() {
            return Err(refuse("nothing comes before the @"));
        }
        if domain.is_empty() || domain.contains('@') {
            return Err(refuse("the part after the @ must be one domain name"));
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse("it contains spaces or control characters"));
        }
        Ok(Self(value))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::text::text_newtype!(Email, EmailError);

/// A display name that was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisplayNameError {
    /// Nothing but whitespace was given.
    #[error("a person's name cannot be empty")]
    Empty,
    /// More than 200 characters.
    #[error("a person's name can have at most 200 characters")]
    TooLong,
    /// Contains a line break or another control character.
    #[error("a person's name cannot contain control characters such as line breaks")]
    ControlCharacter,
}

/// A person's name as shown in the product.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    /// Parses a name typed by a person.
    pub fn parse(raw: &str) -> Result<Self, DisplayNameError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(DisplayNameError::Empty);
        }
        if name.chars().count() > 200 {
            return Err(DisplayNameError::TooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(DisplayNameError::ControlCharacter);
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::text::text_newtype!(DisplayName, DisplayNameError);

/// What a member may do in one organization. The permission table that gives each
/// role its rights arrives with the web application; the set of roles is fixed here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the organization in isms: members, settings, everything.
    Owner,
    /// Runs the ISMS (ISO/IEC 27001:2022 5.3): scope, SoA, risks, audits.
    IsmsManager,
    /// Implements and evidences the controls, risks and tasks assigned to them.
    ControlOwner,
    /// Contributes content without approving it.
    Contributor,
    /// Reads everything in scope and records findings; changes nothing else.
    Auditor,
    /// Reads.
    Viewer,
    /// A certification body's auditor invited to one or more audits: sees those audits'
    /// workspace (scope, the SoA version under audit, sampled controls, linked evidence
    /// and documents, requests, samples) while their access lasts, and nothing else.
    /// Not one of [`Role::ALL`]: it is given only by inviting someone to an audit.
    ExternalAuditor,
}

impl Role {
    /// Whether someone with this role may be named owner of a risk, control, asset,
    /// document, objective or corrective action: not auditors (who must stay
    /// independent of what they audit) and not viewers (who change nothing).
    pub fn may_own(self) -> bool {
        !matches!(self, Role::Auditor | Role::Viewer | Role::ExternalAuditor)
    }

    /// Every role, most powerful first.
    pub const ALL: [Role; 6] =
        [Role::Owner, Role::IsmsManager, Role::ControlOwner, Role::Contributor, Role::Auditor, Role::Viewer];

    /// The stored and typed name of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::IsmsManager => "isms_manager",
            Role::ControlOwner => "control_owner",
            Role::Contributor => "contributor",
            Role::Auditor => "auditor",
            Role::Viewer => "viewer",
            Role::ExternalAuditor => "external_auditor",
        }
    }

    /// How the role is shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::IsmsManager => "ISMS manager",
            Role::ControlOwner => "Control owner",
            Role::Contributor => "Contributor",
            Role::Auditor => "Auditor",
            Role::Viewer => "Viewer",
            Role::ExternalAuditor => "External auditor",
        }
    }

    /// Parses the name of a role a member may be given (`isms_manager`, also
    /// `isms-manager`); not `external_auditor`, which comes only with an audit.
    pub fn parse(s: &str) -> Option<Role> {
        let wanted = s.trim().replace('-', "_").to_lowercase();
        Role::ALL.into_iter().find(|r| r.as_str() == wanted)
    }

    /// Reads a stored role name, `external_auditor` included.
    pub fn from_stored(s: &str) -> Option<Role> {
        if s == Role::ExternalAuditor.as_str() { Some(Role::ExternalAuditor) } else { Role::parse(s) }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user account. The password hash is a PHC string (argon2id); the clear password
/// is never stored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct User {
    /// Its identifier.
    pub id: UserId,
    /// The login name.
    pub email: Email,
    /// How the person is shown.
    pub display_name: DisplayName,
    /// The argon2id PHC string.
    #[serde(skip_serializing)]
    pub password_hash: String,
    /// A disabled account cannot log in; its history stays.
    pub disabled: bool,
    /// When the account was created.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub created_at: OffsetDateTime,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("display_name", &self.display_name)
            .field("password_hash", &"<redacted>")
            .field("disabled", &self.disabled)
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// A user's membership in an organization, with the role it grants there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The organization.
    pub org: OrgId,
    /// The member.
    pub user: UserId,
    /// What the member may do in that organization.
    pub role: Role,
    /// When the membership was granted.
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

/// A signed-in browser or client: stored server-side under the SHA-256 of its token,
/// so a database leak yields no usable session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Hex SHA-256 of the token the client holds.
    pub token_hash: String,
    /// Who is signed in.
    pub user: UserId,
    /// The organization currently worked in; `None` until one is chosen.
    pub org: Option<OrgId>,
    /// The token every state-changing request of this session must echo.
    pub csrf_token: String,
    /// When the session began.
    pub created_at: OffsetDateTime,
    /// When it stops being accepted.
    pub expires_at: OffsetDateTime,
}

/// A bearer token for automation: one user, one organization, a role ceiling (the
/// token never does more than this role allows, nor more than its user may), an
/// expiry, and only the SHA-256 of the secret stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApiToken {
    /// Public id (for listing and revoking).
    pub id: String,
    /// Whose token it is.
    pub user: UserId,
    /// The organization it works in.
    pub org: OrgId,
    /// What the owner called it ("CI evidence upload").
    pub name: String,
    /// Hex SHA-256 of the secret.
    #[serde(skip_serializing)]
    pub token_hash: String,
    /// The most the token may do.
    pub role_ceiling: Role,
    /// What the token is for: the API, or only the calendar feed.
    pub kind: TokenKind,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub created_at: OffsetDateTime,
    /// When it stops working.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub expires_at: OffsetDateTime,
    /// When it was revoked, if it was.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub revoked_at: Option<OffsetDateTime>,
}

/// What a token opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// `Authorization: Bearer` on the API, within its role ceiling.
    Api,
    /// Only the calendar feed (`GET /api/v1/calendar.ics?token=`), refused everywhere
    /// else: a calendar address that leaks reveals dates, nothing more.
    Calendar,
}

impl TokenKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Api => "api",
            TokenKind::Calendar => "calendar",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<TokenKind> {
        [TokenKind::Api, TokenKind::Calendar].into_iter().find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized() {
        assert_eq!(Email::parse(" Alice@Example.COM ").unwrap().as_str(), "alice@example.com");
    }

    #[test]
    fn malformed_emails_say_why() {
        for (raw, reason) in [
            ("alice", "it has no @"),
            ("@example.com", "nothing comes before the @"),
            ("a@", "the part after the @ must be one domain name"),
            ("a@b@c", "the part after the @ must be one domain name"),
            ("a b@c.com", "it contains spaces or control characters"),
        ] {
            assert_eq!(Email::parse(raw).unwrap_err().reason, reason, "{raw}");
        }
    }

    #[test]
    fn every_role_parses_from_its_own_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("ISMS-Manager"), Some(Role::IsmsManager));
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn debug_output_never_shows_the_password_hash() {
        let user = User {
            id: UserId::from_random_bytes([1; 16]),
            email: Email::parse("a@b.c").unwrap(),
            display_name: DisplayName::parse("A").unwrap(),
            password_hash: "$argon2id$secret".into(),
            disabled: false,
            created_at: OffsetDateTime::UNIX_EPOCH,
        };
        assert!(!format!("{user:?}").contains("secret"));
        assert!(!serde_json::to_string(&user).unwrap().contains("secret"));
    }
}
