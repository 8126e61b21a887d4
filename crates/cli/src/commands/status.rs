//! `isms status`: where the ISMS stands, as the dashboard shows it.

use std::process::ExitCode;

use clap::Args;

use super::{AsArg, OrgArg};
use crate::config::Config;
use crate::output::{CliError, Out};

/// Arguments of `isms status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Show this member's own tasks too (their role applies).
    #[command(flatten)]
    who: AsArg,
}

/// Runs `isms status`.
pub async fn run(config: &Config, args: StatusArgs, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| {
        let org = super::resolve_org(cx, &args.org.org).await?;
        let actor = super::actor(cx, org, args.who.as_email.as_deref(), "isms status").await?;
        let s = isms_app::status::status(cx, &actor).await?;
        out.doc(&s);
        out.line(format!(
            "Annex A: {}% of {} applicable controls implemented ({}); {}{}",
            s.percent,
            s.applicable,
            s.implemented,
            s.soa_version.map_or("no approved SoA".to_owned(), |v| format!("SoA v{v} approved")),
            if s.soa_problems > 0 { format!(", {} problem(s) in the draft", s.soa_problems) } else { String::new() }
        ));
        for t in &s.themes {
            out.line(format!("  {:<4} {:<14} {:>3}% of {}", t.theme, t.title, t.percent, t.applicable));
        }
        out.line(format!("Risks: {} in the register, {} awaiting acceptance", s.risks, s.risks_awaiting_acceptance));
        match &s.certificate {
            Some(c) => out.line(format!(
                "Certificate {}: {}, expires {}",
                c.certificate.number,
                c.status_today.as_str(),
                c.cycle.expiry
            )),
            None => out.line("Certificate: none recorded yet"),
        }
        let r = &s.readiness;
        out.line(format!(
            "Readiness for {}: {} ({} blocker(s), {} warning(s); `isms readiness` lists them)",
            r.stage.label(),
            if r.ready { "nothing blocks it" } else { "BLOCKED" },
            r.blockers.len(),
            r.warnings.len()
        ));
        for c in &s.coverage {
            out.line(format!(
                "Coverage of {}: {}% ({} of {} requirements covered, {} partly; `isms coverage --gaps` lists the rest)",
                c.name, c.percent, c.covered, c.requirements, c.partial
            ));
        }
        out.line("Clauses:");
        for c in &s.clauses {
            out.line(format!("  {} {:<6} {} — {}", if c.ok { "ok" } else { "!!" }, c.clause, c.title, c.detail));
        }
        let task = |t: &isms_app::status::Task| {
            format!("  {:<10} {}", t.due.map(|d| d.to_string()).unwrap_or_default(), t.what)
        };
        if args.who.as_email.is_some() {
            out.line(format!("My tasks ({}):", s.my_tasks.len()));
            s.my_tasks.iter().for_each(|t| out.line(task(t)));
        }
        out.line(format!("Overdue ({}):", s.overdue.len()));
        s.overdue.iter().for_each(|t| out.line(task(t)));
        Ok(ExitCode::SUCCESS)
    })
    .await
}
