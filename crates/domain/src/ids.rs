//! Newtype identifiers. Every entity has its own id type so that an organization id
//! can never be passed where a user id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An identifier that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} id {value:?} is not a valid identifier (expected a UUID such as 0190c3e4-7b1a-4c2e-9f00-2b6f3c1d4e5f)")]
pub struct IdParseError {
    /// Which kind of id was expected ("organization", "user", ...).
    pub kind: &'static str,
    /// The text that was given.
    pub value: String,
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Builds an id from 16 random bytes (a version 4 UUID); the caller supplies
            /// the randomness so that tests can be deterministic.
            pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }

            /// The id as a UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        string_schema!($name, { "type": "string", "format": "uuid" });

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| IdParseError {
                    kind: $kind,
                    value: s.to_owned(),
                })
            }
        }
    };
}

id_type!(
    /// Identifies an organization (a tenant). Every row of organization data carries one.
    OrgId,
    "organization"
);
id_type!(
    /// Identifies a user account. One account may belong to several organizations.
    UserId,
    "user"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = OrgId::from_random_bytes([7; 16]);
        let parsed: OrgId = id.to_string().parse().unwrap();
        assert_eq!(parsed, id);
    }

    #[test]
    fn malformed_id_names_its_kind() {
        let err = "not-a-uuid".parse::<UserId>().unwrap_err();
        assert_eq!(err.kind, "user");
        assert!(err.to_string().contains("\"not-a-uuid\""));
    }
}
