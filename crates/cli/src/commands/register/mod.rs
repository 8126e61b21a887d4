//! `isms scope`, `isms context`, `isms role`, `isms objective`, `isms asset`,
//! `isms review`: the ISMS registers from the command line.

use isms_app::Code;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use isms_app::Cx;
use isms_app::registers;
use isms_domain::asset::{Asset, AssetType, ClassificationScheme, Lifecycle};
use isms_domain::register::{
    ContextIssue, Entry, InterestedParty, IsmsRole, IssueOrigin, Objective, ObjectiveStatus, PartyRequirement,
    RequirementKind, Scope, ScopeExclusion,
};
use isms_domain::review::{ReviewOutcome, ReviewStatus, Subject, SubjectKind};

use super::{AsArg, OrgArg, actor, bad, email_arg, parse_date, parse_enum, reader, resolve_org, with_workspace};
use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

mod assets;
mod context;
mod objectives;
mod reviews;
mod roles;
mod scope;

pub use assets::*;
pub use context::*;
pub use objectives::*;
pub use reviews::*;
pub use roles::*;
pub use scope::*;

/// Arguments of a delete.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The entry's id.
    id: String,
    #[command(flatten)]
    org: OrgArg,
    #[command(flatten)]
    who: AsArg,
}

pub(super) fn review_line(review: Option<ReviewStatus>) -> String {
    match review {
        None => "no review cycle".to_owned(),
        Some(ReviewStatus::Current { due }) => format!("next review due {due}"),
        Some(ReviewStatus::Due { due }) => format!("review due by {due}"),
        Some(ReviewStatus::Overdue { due, days }) => format!("review OVERDUE since {due} ({days} days)"),
    }
}
