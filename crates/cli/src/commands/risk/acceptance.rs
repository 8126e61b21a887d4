//! `isms risk accept`: the owner accepts a risk's residual level.

use super::*;

/// Arguments of `isms risk accept`.
#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The risk's id.
    id: String,
    #[command(flatten)]
    org: OrgArg,
    /// The person accepting (must be the risk owner).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: String,
    /// Why the residual risk is acceptable.
    #[arg(long, default_value = "")]
    comment: String,
}

pub(super) async fn accept(cx: &Cx, args: AcceptArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let actor = actor(cx, org, Some(&args.as_email), "isms risk accept").await?;
    let saved = risks::accept_risk(cx, &actor, &args.id, &args.comment).await?;
    out.doc(&saved);
    out.line(format!("{} accepted at level {}.", saved.risk.id, saved.residual_level));
    Ok(())
}
