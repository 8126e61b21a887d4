//! `isms certificate`: add, show and change the status of the certificate and its cycle.

use super::*;

/// `isms certificate` subcommands.
#[derive(Debug, Subcommand)]
pub enum CertificateCommand {
    /// Record a certificate (refused while a major nonconformity is open).
    Add(CertificateArgs),
    /// The certificate and its cycle.
    Show(OrgArg),
    /// Record a suspension, withdrawal or reinstatement.
    Status(StatusArgs),
}

/// Arguments of `isms certificate add`.
#[derive(Debug, Args)]
pub struct CertificateArgs {
    #[command(flatten)]
    org: OrgArg,
    /// The certificate number.
    #[arg(long)]
    number: String,
    /// The certification body.
    #[arg(long)]
    body: String,
    /// Its accreditation body.
    #[arg(long, default_value = "ANAB")]
    accreditation: String,
    /// The certification decision date.
    #[arg(long)]
    issued: String,
    /// The scope statement on the certificate.
    #[arg(long)]
    scope: String,
    #[command(flatten)]
    who: AsArg,
}

/// Arguments of `isms certificate status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    id: IdArgs,
    /// active, suspended or withdrawn.
    status: String,
}

/// Runs `isms certificate`.
pub async fn run_certificate(config: &Config, command: CertificateCommand, out: &Out) -> Result<ExitCode, CliError> {
    with_workspace(config, async |cx| certificate_in(cx, command, out).await).await
}

async fn certificate_in(cx: &Cx, command: CertificateCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        CertificateCommand::Add(a) => {
            let org = resolve_org(cx, &a.org.org).await?;
            let actor = who(cx, org, &a.who, "isms certificate add").await?;
            let c = Certificate {
                id: String::new(),
                number: a.number,
                certification_body: a.body,
                accreditation_body: a.accreditation,
                issued: parse_date("--issued", &a.issued)?,
                scope: a.scope,
                status: CertificateStatus::Active,
                standard: "ISO/IEC 27001:2022".into(),
                continues: None,
                status_since: None,
            };
            let c = cert::add_certificate(cx, &actor, c).await?;
            out.doc(&c);
            show_cycle(out, &c, cx.clock.today());
        }
        CertificateCommand::Show(o) => {
            let org = resolve_org(cx, &o.org).await?;
            match cert::current_certificate(cx, &reader(org)).await? {
                Some(c) => {
                    out.doc(&serde_json::json!({ "certificate": c, "cycle": c.cycle(), "status_today": c.status_on(cx.clock.today()) }));
                    show_cycle(out, &c, cx.clock.today());
                }
                None => {
                    out.doc(&serde_json::Value::Null);
                    out.line("No certificate recorded: add one after the certification decision with `isms certificate add`.");
                }
            }
        }
        CertificateCommand::Status(a) => {
            let org = resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms certificate status").await?;
            let status: CertificateStatus = parse_enum("STATUS", &a.status, "active, suspended, withdrawn")?;
            let c = cert::set_certificate_status(cx, &actor, &a.id.id, status).await?;
            out.doc(&c);
            show_cycle(out, &c, cx.clock.today());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show_cycle(out: &Out, c: &Certificate, today: time::Date) {
    let cycle = c.cycle();
    out.line(format!(
        "Certificate {} by {} ({}), {}",
        c.number,
        c.certification_body,
        c.accreditation_body,
        c.status_on(today).as_str()
    ));
    out.line(format!("  issued                   {}", cycle.issued));
    out.line(format!("  surveillance 1 due by    {}", cycle.surveillance_1_due));
    out.line(format!("  surveillance 2 due by    {}", cycle.surveillance_2_due));
    out.line(format!("  plan recertification by  {}", cycle.recertification_planned));
    out.line(format!("  expires                  {}", cycle.expiry));
}
