//! isms-domain: the pure rules and types of isms.
//!
//! Nothing in this crate performs I/O, awaits, talks SQL or HTTP, or reads the clock:
//! time and randomness are passed in. Everything that can be decided from data lives
//! here and is unit-tested here.

/// The JSON Schema of a type that is written as one JSON string (ids, checked text):
/// shown inline wherever it is used, with the given schema.
macro_rules! string_schema {
    ($name:ident, $schema:tt) => {
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

pub mod access;
pub mod advice;
pub mod asset;
pub mod audit;
pub mod cells;
pub mod certification;
pub mod check;
pub mod crosswalk;
pub mod dates;
pub mod document;
pub mod evidence;
pub mod fair;
pub mod framework;
pub mod ids;
pub mod invitation;
pub mod job;
pub mod organization;
pub mod proposal;
pub mod readiness;
pub mod register;
pub mod request;
pub mod review;
pub mod risk;
pub mod roadmap;
pub mod sample;
pub mod soa;
pub mod text;
pub mod throttle;
pub mod trail;
pub mod user;
pub mod workspace;

pub use ids::{OrgId, UserId};
pub use invitation::{Invitation, InvitationState};
pub use organization::{OrgName, Organization};
pub use user::{ApiToken, DisplayName, Email, Membership, Role, Session, TokenKind, User};
pub use workspace::{Workspace, WorkspaceKind};
