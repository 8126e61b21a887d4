//! The workspace: one installation's database, created by `isms init` or `isms demo`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Whether a workspace holds real data or the generated demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkspaceKind {
    /// Created by `isms init`: the organization's real ISMS.
    Standard,
    /// Created by `isms demo`: generated sample data, safe to throw away.
    Demo,
}

impl WorkspaceKind {
    /// The stored name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Demo => "demo",
        }
    }

    /// Parses the stored name of a kind.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "standard" => Some(Self::Standard),
            "demo" => Some(Self::Demo),
            _ => None,
        }
    }
}

/// The marker row that says a database holds an initialized workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    /// Real or demo.
    pub kind: WorkspaceKind,
    /// When `isms init` or `isms demo` created it.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}
