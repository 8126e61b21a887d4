//! The risk register: `isms risk list`, `show`, `add`, `edit`, `delete`, and the
//! threat catalog (`isms risk threats`) that `--from-threat` starts from.

use super::*;

/// Filters of `isms risk list`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RiskFilter {
    /// Above appetite and not accepted.
    Unaccepted,
    /// Review date within 30 days or past.
    ReviewDue,
}

/// Arguments of `isms risk list`.
#[derive(Debug, Args)]
pub struct RiskListArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Only risks needing attention.
    #[arg(long, value_enum)]
    only: Option<RiskFilter>,
}

/// A risk by id.
#[derive(Debug, Args)]
pub struct RiskIdArgs {
    /// The risk's id (RSK-…).
    id: String,
    #[command(flatten)]
    org: OrgArg,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// The fields of a risk.
#[derive(Debug, Args)]
pub struct RiskFields {
    /// Start from a threat of the catalog (`isms risk threats`): fills the threat and
    /// suggests its controls unless given.
    #[arg(long, value_name = "T-NN")]
    from_threat: Option<String>,
    /// Short name.
    #[arg(long)]
    title: Option<String>,
    /// What could happen.
    #[arg(long)]
    description: Option<String>,
    /// The risk owner's e-mail.
    #[arg(long)]
    owner: Option<String>,
    /// The threat.
    #[arg(long)]
    threat: Option<String>,
    /// The vulnerability.
    #[arg(long)]
    vulnerability: Option<String>,
    /// Inherent rating as LIKELIHOOD,IMPACT (e.g. 4,5).
    #[arg(long, value_name = "L,I")]
    inherent: Option<String>,
    /// Residual rating as LIKELIHOOD,IMPACT.
    #[arg(long, value_name = "L,I")]
    residual: Option<String>,
    /// Controls already in place.
    #[arg(long)]
    existing_controls: Option<String>,
    /// modify, retain, avoid or share.
    #[arg(long)]
    treatment: Option<String>,
    /// Annex A control chosen to treat it (repeatable; replaces the list).
    #[arg(long)]
    control: Vec<String>,
    /// Affected asset id (repeatable; replaces the list).
    #[arg(long)]
    asset: Vec<String>,
    /// Treatment action "TITLE|OWNER|DUE[|STATUS]" (repeatable; replaces the plan).
    #[arg(long, value_name = "TITLE|OWNER|DUE")]
    action: Vec<String>,
    /// Next review date YYYY-MM-DD.
    #[arg(long)]
    next_review: Option<String>,
}

/// Arguments of `isms risk add`.
#[derive(Debug, Args)]
pub struct RiskArgs {
    #[command(flatten)]
    org: OrgArg,
    #[command(flatten)]
    fields: RiskFields,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Arguments of `isms risk edit`.
#[derive(Debug, Args)]
pub struct RiskEditArgs {
    /// The risk's id.
    id: String,
    #[command(flatten)]
    org: OrgArg,
    #[command(flatten)]
    fields: RiskFields,
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

fn parse_rating(flag: &str, text: &str) -> Result<Rating, CliError> {
    let (l, i) =
        text.split_once(',').ok_or_else(|| bad(flag, format!("{text:?} must be LIKELIHOOD,IMPACT, e.g. 4,5")))?;
    let n = |s: &str| s.trim().parse::<u8>().map_err(|_| bad(flag, format!("{text:?} must be two numbers, e.g. 4,5")));
    Ok(Rating { likelihood: n(l)?, impact: n(i)? })
}

fn apply(fields: RiskFields, risk: &mut Risk) -> Result<(), CliError> {
    if let Some(id) = &fields.from_threat {
        let threat = isms_catalog::threats().iter().find(|t| t.id.eq_ignore_ascii_case(id)).ok_or_else(|| {
            bad("--from-threat", format!("{id:?} is not in the threat catalog (`isms risk threats`)"))
        })?;
        risk.threat = threat.name.clone();
        if risk.title.is_empty() {
            risk.title = threat.name.clone();
        }
        if risk.description.is_empty() {
            risk.description = threat.description.clone();
        }
        if fields.control.is_empty() {
            risk.controls = threat.controls.clone();
        }
    }
    if let Some(v) = fields.title {
        risk.title = v;
    }
    if let Some(v) = fields.description {
        risk.description = v;
    }
    if let Some(v) = fields.owner {
        risk.owner = v;
    }
    if let Some(v) = fields.threat {
        risk.threat = v;
    }
    if let Some(v) = fields.vulnerability {
        risk.vulnerability = v;
    }
    if let Some(v) = fields.inherent {
        risk.inherent = parse_rating("--inherent", &v)?;
    }
    if let Some(v) = fields.residual {
        risk.residual = parse_rating("--residual", &v)?;
    }
    if let Some(v) = fields.existing_controls {
        risk.existing_controls = v;
    }
    if let Some(v) = fields.treatment {
        risk.treatment = parse_enum::<TreatmentOption>("--treatment", &v, "modify, retain, avoid, share")?;
    }
    if !fields.control.is_empty() {
        risk.controls = fields.control.iter().filter(|c| !c.is_empty() && *c != "none").cloned().collect();
    }
    if !fields.asset.is_empty() {
        risk.assets = fields.asset.iter().filter(|a| !a.is_empty() && *a != "none").cloned().collect();
    }
    if !fields.action.is_empty() {
        risk.actions = fields
            .action
            .iter()
            .map(|a| {
                let parts: Vec<&str> = a.split('|').map(str::trim).collect();
                match parts[..] {
                    [title, owner, due] | [title, owner, due, _] => Ok(TreatmentAction {
                        title: title.into(),
                        owner: owner.into(),
                        due: parse_date("--action", due)?,
                        status: match parts.get(3) {
                            Some(s) => parse_enum::<ActionStatus>("--action", s, "open, in_progress, done")?,
                            None => ActionStatus::Open,
                        },
                    }),
                    _ => Err(bad("--action", format!("{a:?} must be TITLE|OWNER|DUE[|STATUS]"))),
                }
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(v) = fields.next_review {
        risk.next_review = parse_date("--next-review", &v)?;
    }
    Ok(())
}

pub(super) async fn list(cx: &Cx, args: RiskListArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let today = cx.clock.today();
    let all: Vec<_> = risks::list_risks(cx, &reader(org))
        .await?
        .into_iter()
        .filter(|r| match args.only {
            None => true,
            Some(RiskFilter::Unaccepted) => r.acceptance_state.awaits_acceptance(),
            Some(RiskFilter::ReviewDue) => r.risk.next_review <= today + time::Duration::days(30),
        })
        .collect();
    out.doc(&all);
    out.line(format!(
        "{:<8} {:<9} {:<9} {:<16} {:<28} {}",
        "ID", "INHERENT", "RESIDUAL", "ACCEPTANCE", "OWNER", "TITLE"
    ));
    for r in &all {
        out.line(format!(
            "{:<8} {:<9} {:<9} {:<16} {:<28} {}",
            r.risk.id,
            r.inherent_level,
            r.residual_level,
            r.acceptance_state.label(),
            r.risk.owner,
            r.risk.title
        ));
    }
    out.line(format!("{} risk(s)", all.len()));
    Ok(())
}

pub(super) async fn show(cx: &Cx, args: RiskIdArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let r = risks::risk(cx, &reader(org), &args.id).await?;
    out.doc(&r);
    let k = &r.risk;
    out.line(format!("{} {}", k.id, k.title));
    out.line(format!("  owner        {}", k.owner));
    out.line(format!("  threat       {}", k.threat));
    out.line(format!("  vulnerability {}", k.vulnerability));
    out.line(format!("  inherent     L{} × I{} → {}", k.inherent.likelihood, k.inherent.impact, r.inherent_level));
    out.line(format!(
        "  residual     L{} × I{} → {} ({})",
        k.residual.likelihood,
        k.residual.impact,
        r.residual_level,
        r.acceptance_state.label()
    ));
    out.line(format!(
        "  treatment    {:?}; controls {}",
        k.treatment,
        if k.controls.is_empty() { "—".into() } else { k.controls.join(", ") }
    ));
    for a in &k.actions {
        out.line(format!("  action       {} — {} by {} ({:?})", a.title, a.owner, a.due, a.status));
    }
    if let Some(acc) = &k.acceptance {
        out.line(format!("  accepted     by {} on {} at level {}: {}", acc.by, acc.at.date(), acc.level, acc.comment));
    }
    out.line(format!("  next review  {}", k.next_review));
    for h in &k.history {
        out.line(format!(
            "  history      methodology v{}: inherent {}, residual {} ({})",
            h.methodology_version,
            h.inherent,
            h.residual,
            h.at.date()
        ));
    }
    if let Some(r) = isms_app::fair::stored_result(cx, &reader(org), &k.id).await? {
        let s = &r.summary;
        out.line(format!(
            "  FAIR         mean {} · p50 {} · p90 {} · p95 {} · p99 {} · P(any loss) {:.1}% ({} years, seed {}, {})",
            isms_reports::risk::money(s.mean),
            isms_reports::risk::money(s.p50),
            isms_reports::risk::money(s.p90),
            isms_reports::risk::money(s.p95),
            isms_reports::risk::money(s.p99),
            s.p_any_loss * 100.0,
            r.settings.iterations,
            r.settings.seed,
            r.at.date()
        ));
    } else if k.fair.is_some() {
        out.line("  FAIR         estimates set; not simulated yet (`isms risk simulate --risk ID`)");
    }
    Ok(())
}

pub(super) async fn add(cx: &Cx, args: RiskArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let actor = actor(cx, org, args.as_email.as_deref(), "isms risk add").await?;
    let mut r = Risk {
        id: String::new(),
        title: String::new(),
        description: String::new(),
        assets: vec![],
        threat: String::new(),
        vulnerability: String::new(),
        owner: String::new(),
        inherent: Rating { likelihood: 0, impact: 0 },
        existing_controls: String::new(),
        treatment: TreatmentOption::Modify,
        actions: vec![],
        controls: vec![],
        residual: Rating { likelihood: 0, impact: 0 },
        acceptance: None,
        next_review: cx.clock.today() + time::Duration::days(365),
        history: vec![],
        fair: None,
    };
    let missing_residual = args.fields.residual.is_none();
    apply(args.fields, &mut r)?;
    if missing_residual {
        r.residual = r.inherent;
    }
    let saved = risks::add_risk(cx, &actor, r).await?;
    out.doc(&saved);
    out.line(format!("Added {} ({} → {}).", saved.risk.id, saved.inherent_level, saved.residual_level));
    Ok(())
}

pub(super) async fn edit(cx: &Cx, args: RiskEditArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let actor = actor(cx, org, args.as_email.as_deref(), "isms risk edit").await?;
    // The fields are applied to the stored risk inside the write transaction.
    let fields = args.fields;
    let mut refused = None;
    let change = |r: &mut Risk| {
        apply(fields, r).map_err(|e| {
            let message = e.message.clone();
            refused = Some(e);
            isms_app::AppError::invalid_field("risk", message)
        })
    };
    let saved = risks::edit_risk(cx, &actor, &args.id, change).await;
    if let Some(e) = refused {
        return Err(e);
    }
    let saved = saved?;
    out.doc(&saved);
    out.line(format!(
        "Saved {} ({} → {}, {}).",
        saved.risk.id,
        saved.inherent_level,
        saved.residual_level,
        saved.acceptance_state.label()
    ));
    Ok(())
}

pub(super) async fn delete(cx: &Cx, args: RiskIdArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &args.org.org).await?;
    let actor = actor(cx, org, args.as_email.as_deref(), "isms risk delete").await?;
    risks::delete_risk(cx, &actor, &args.id).await?;
    out.line(format!("Deleted {}.", args.id));
    Ok(())
}

pub(super) fn threats(out: &Out) {
    let all = isms_catalog::threats();
    out.doc(&all);
    for t in all {
        out.line(format!("{} {:<40} {}", t.id, t.name, t.controls.join(", ")));
    }
}
