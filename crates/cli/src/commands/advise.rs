//! `isms advise`: which regimes bind the organization and which voluntary path fits,
//! from the questionnaire's answers (a TOML file), with the answers and the rule behind
//! every conclusion.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use isms_domain::advice::{Answers, Conclusion};

use super::{AsArg, OrgArg};
use crate::config::Config;
use crate::output::{CliError, Out};

/// Arguments of `isms advise`.
#[derive(Debug, Args)]
pub struct AdviseArgs {
    /// The answers, as TOML: sector, federal_contracts, handles_fci, handles_cui,
    /// operates_federal_system, handles_phi, ftc_financial_institution, eu_personal_data,
    /// certificate_demanded, international, employees, maturity (ad_hoc, defined,
    /// managed). Recorded as the organization's next submission. Without it, the advice
    /// for the latest answers is shown.
    #[arg(long, value_name = "FILE")]
    answers: Option<PathBuf>,
    /// Accept the advice: adopt its frameworks, record the regulators (and customers who
    /// demand a certificate) as interested parties and the regimes as external issues.
    #[arg(long)]
    accept: bool,
    #[command(flatten)]
    org: OrgArg,
    #[command(flatten)]
    who: AsArg,
}

/// Reads the answers file; an error names the file, line and what is wrong.
fn read_answers(path: &std::path::Path) -> Result<Answers, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        super::bad("answers", format!("cannot read {}: {}", path.display(), crate::config::io_reason(&e)))
    })?;
    toml::from_str(&text).map_err(|e: toml::de::Error| {
        let line = e.span().map_or(1, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        super::bad("answers", format!("{}, line {line}: {}", path.display(), e.message().trim()))
    })
}

fn print(out: &Out, c: &Conclusion) {
    let verdict = c.verdict.map_or("mandatory", |v| v.label());
    out.line(format!("  {:<10} {}", verdict, c.what));
    out.line(format!("             because {}", c.because.join(", ")));
    out.line(format!("             rule: {}", c.rule));
}

/// Runs `isms advise`.
pub async fn run(config: &Config, args: AdviseArgs, out: &Out) -> Result<ExitCode, CliError> {
    let answers = args.answers.as_deref().map(read_answers).transpose()?;
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms advise").await?;
        let report = match answers {
            Some(a) => isms_app::advisor::submit_answers(cx, &actor, a).await?,
            None => match isms_app::advisor::current_advice(cx, &actor).await? {
                Some(r) => r,
                None => {
                    return Err(super::bad("answers", "no answers yet: run `isms advise --answers FILE.toml`"));
                }
            },
        };
        out.doc(&report);
        out.line(format!(
            "Advice from answers {} ({}, {}):",
            report.record.id,
            report.record.by,
            report.record.at.date()
        ));
        out.line("Binding:");
        if report.advice.mandatory.is_empty() {
            out.line("  none of the regimes isms knows binds these answers");
        }
        for c in &report.advice.mandatory {
            print(out, c);
        }
        out.line("Voluntary:");
        print(out, &report.advice.certification);
        print(out, &report.advice.csf);
        out.line(format!("Operative framework: {}", report.advice.operative));
        if let Some(previous) = &report.previous {
            if report.changed_answers.is_empty() {
                out.line(format!("No answer changed since {previous}."));
            }
            for c in &report.changed_answers {
                out.line(format!("Changed since {previous}: {} {} → {}", c.fact, c.before, c.after));
            }
            for line in &report.changed_advice {
                out.line(format!("Advice changed: {line}"));
            }
        }
        if args.accept {
            let accepted = isms_app::advisor::accept_advice(cx, &actor).await?;
            out.doc(&accepted);
            out.line(format!("Accepted the advice of {}:", accepted.answers));
            let none = |v: &[String]| if v.is_empty() { "none new".to_owned() } else { v.join(", ") };
            out.line(format!("  frameworks adopted: {}", none(&accepted.adopted)));
            out.line(format!("  interested parties added (4.2): {}", none(&accepted.parties)));
            out.line(format!("  external issues added (4.1): {}", none(&accepted.issues)));
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
