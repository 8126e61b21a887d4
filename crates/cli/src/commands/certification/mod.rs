//! `isms audit`, `isms finding`, `isms management-review`, `isms certificate`,
//! `isms readiness`, `isms calendar` and `isms changes`: the certification lifecycle
//! from the command line.

use isms_app::Code;
use isms_app::access::Actor;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use isms_app::Cx;
use isms_app::certification::{self as cert, FindingStep, NewAudit, NewFinding};
use isms_domain::audit::{AuditKind, CheckResult, ManagementReview, REVIEW_INPUTS, ReviewAction, ReviewInput};
use isms_domain::certification::{Certificate, CertificateStatus};
use isms_domain::readiness::{Severity, Stage};

use super::{AsArg, OrgArg, actor, bad, parse_date, parse_enum, reader, resolve_org, with_workspace};
use crate::config::Config;
use crate::output::{CliError, Out};

mod audits;
mod calendar;
mod certificates;
mod changes;
mod findings;
mod management_reviews;
mod readiness;

pub use audits::*;
pub use calendar::*;
pub use certificates::*;
pub use changes::*;
pub use findings::*;
pub use management_reviews::*;
pub use readiness::*;

/// An audit or finding by id, in an organization, as someone.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The id (AUD-001, FND-002, CRT-001).
    id: String,
    #[command(flatten)]
    org: OrgArg,
    #[command(flatten)]
    who: AsArg,
}

use super::write_output as write;

pub(super) async fn who(cx: &Cx, org: isms_domain::OrgId, a: &AsArg, command: &'static str) -> Result<Actor, CliError> {
    actor(cx, org, a.as_email.as_deref(), command).await
}
