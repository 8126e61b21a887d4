//! Organizations: the tenants of an installation. A consultant's installation holds
//! several client organizations; all ISMS data belongs to exactly one of them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::OrgId;

/// The longest organization name we accept, in characters.
pub const MAX_ORG_NAME_CHARS: usize = 200;

/// An organization name that was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgNameError {
    /// Nothing but whitespace was given.
    #[error("an organization name cannot be empty")]
    Empty,
    /// The name is longer than [`MAX_ORG_NAME_CHARS`].
    #[error("an organization name can have at most {MAX_ORG_NAME_CHARS} characters (this one has {0})")]
    TooLong(usize),
    /// The name contains a control character such as a newline.
    #[error("an organization name cannot contain control characters such as line breaks")]
    ControlCharacter,
}

/// A validated organization name: trimmed, not empty, at most 200 characters, one line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgName(String);

impl OrgName {
    /// Parses and normalizes a name typed by a person.
    pub fn parse(raw: &str) -> Result<Self, OrgNameError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(OrgNameError::Empty);
        }
        let chars = name.chars().count();
        if chars > MAX_ORG_NAME_CHARS {
            return Err(OrgNameError::TooLong(chars));
        }
        if name.chars().any(char::is_control) {
            return Err(OrgNameError::ControlCharacter);
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::text::text_newtype!(OrgName, OrgNameError);

/// An organization (tenant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Organization {
    /// Its identifier.
    pub id: OrgId,
    /// Its display name.
    pub name: OrgName,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed() {
        assert_eq!(OrgName::parse("  Acme Corp ").unwrap().as_str(), "Acme Corp");
    }

    #[test]
    fn empty_long_and_multiline_names_are_refused() {
        assert_eq!(OrgName::parse("   "), Err(OrgNameError::Empty));
        assert_eq!(OrgName::parse(&"x".repeat(201)), Err(OrgNameError::TooLong(201)));
        assert!(OrgName::parse(&"é".repeat(200)).is_ok());
        assert_eq!(OrgName::parse("a\nb"), Err(OrgNameError::ControlCharacter));
    }
}
