//! `isms document`: policies, procedures, standards, plans and records with versions
//! (draft → in review → approved → superseded; approved versions never change),
//! acknowledgements, and the mandatory documented-information checklist.

use isms_app::Code;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use isms_app::Cx;
use isms_app::documents::{self, NewDocument};
use isms_domain::document::{Audience, Body, DocumentType};

use super::OrgArg;
use crate::config::{Config, io_reason};
use crate::output::{CliError, Out};

/// `isms document` subcommands.
#[derive(Debug, Subcommand)]
pub enum DocumentCommand {
    /// Create a document; its first version is a draft.
    Add(AddArgs),
    /// List documents with the version in force and the open one.
    List(OrgArg),
    /// One document with its versions.
    Show(IdArgs),
    /// Start a new draft version from a Markdown file.
    Version(VersionArgs),
    /// Replace the text of a draft version (approved versions never change).
    Edit(EditArgs),
    /// Submit the open draft for approval.
    Submit(IdArgs),
    /// Approve the version in review.
    Approve(ApproveArgs),
    /// Acknowledge the version in force.
    Ack(AckArgs),
    /// Send the version in review back to draft.
    SendBack(IdArgs),
    /// Record a periodic review that keeps the version in force.
    Review(IdArgs),
    /// Who must acknowledge the version in force and who has not (exit 1 while anyone
    /// has not).
    Acks(IdArgs),
    /// The starter templates (written in our own words) an organization can adopt.
    Starters,
    /// Adopt a starter template as a new document; its first draft is the template.
    Adopt(AdoptArgs),
    /// The mandatory documented information and what satisfies each item (exit 1
    /// while any is missing).
    Checklist(OrgArg),
}

/// Arguments of `isms document adopt`.
#[derive(Debug, Args)]
pub struct AdoptArgs {
    /// The starter (see `isms document starters`).
    key: String,
    #[command(flatten)]
    org: OrgArg,
    /// The owner (a member's e-mail).
    #[arg(long)]
    owner: String,
    /// The member acting (recorded in the trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Document types.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    /// A policy.
    Policy,
    /// A procedure.
    Procedure,
    /// A standard.
    Standard,
    /// A plan.
    Plan,
    /// A record.
    Record,
}

/// Arguments of `isms document add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    org: OrgArg,
    /// Its title.
    #[arg(long)]
    title: String,
    /// Its type.
    #[arg(long = "type", value_enum)]
    kind: Kind,
    /// The owner (a member's e-mail).
    #[arg(long)]
    owner: String,
    /// The first draft, in Markdown.
    #[arg(long, value_name = "FILE")]
    file: PathBuf,
    /// Its classification.
    #[arg(long, default_value = "Internal")]
    classification: String,
    /// A clause it satisfies (5.2, 6.1.2); repeatable.
    #[arg(long = "clause")]
    clauses: Vec<String>,
    /// An Annex A control it supports; repeatable.
    #[arg(long = "control")]
    controls: Vec<String>,
    /// Months between reviews.
    #[arg(long, default_value_t = 12)]
    review_months: u32,
    /// Who must acknowledge it: everyone, or a role (owner, isms_manager, ...).
    #[arg(long, value_name = "WHO")]
    acknowledge: Option<String>,
    /// The author (a member's e-mail; recorded in the trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// A document by id.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The document (DOC-001).
    id: String,
    #[command(flatten)]
    org: OrgArg,
    /// The member acting (recorded in the trail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

/// Arguments of `isms document version`.
#[derive(Debug, Args)]
pub struct VersionArgs {
    #[command(flatten)]
    id: IdArgs,
    /// The new text, in Markdown (or any file with --upload).
    #[arg(long, value_name = "FILE")]
    file: PathBuf,
    /// Store the file as it is (a PDF, a Word document) in the blob store instead of
    /// reading it as Markdown.
    #[arg(long)]
    upload: bool,
    /// What this version changes.
    #[arg(long, default_value = "")]
    note: String,
}

/// Arguments of `isms document edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    #[command(flatten)]
    id: IdArgs,
    /// The version to change.
    #[arg(long)]
    version: u32,
    /// The new text, in Markdown.
    #[arg(long, value_name = "FILE")]
    file: PathBuf,
    /// What this version changes.
    #[arg(long, default_value = "")]
    note: String,
}

/// Arguments of `isms document approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    #[command(flatten)]
    id: IdArgs,
    /// Why, or what changed.
    #[arg(long, default_value = "")]
    comment: String,
}

/// Arguments of `isms document ack`.
#[derive(Debug, Args)]
pub struct AckArgs {
    /// The document.
    id: String,
    #[command(flatten)]
    org: OrgArg,
    /// Who acknowledges (a member's e-mail).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: String,
}

fn markdown(path: &std::path::Path) -> Result<Body, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::bad_input(Code::InvalidInput, format!("--file: cannot read {}: {}", path.display(), io_reason(&e)))
    })?;
    Ok(Body::Markdown { text })
}

/// One workflow step on a document as the command line.
async fn step(
    cx: &Cx,
    a: &IdArgs,
    step: documents::Step,
    command: &'static str,
) -> Result<isms_domain::document::Document, CliError> {
    let org = super::resolve_org(cx, &a.org.org).await?;
    let actor = super::actor(cx, org, a.as_email.as_deref(), command).await?;
    Ok(documents::change_document(cx, &actor, &a.id, step).await?)
}

/// Runs a document subcommand.
pub async fn run(config: &Config, command: DocumentCommand, out: &Out) -> Result<ExitCode, CliError> {
    super::with_workspace(config, async |cx| run_in(cx, command, out).await).await
}

fn show_versions(out: &Out, doc: &isms_domain::document::Document) {
    for v in &doc.versions {
        let approval = v.approval.as_ref().map_or(String::new(), |a| format!(" by {} on {}", a.by, a.at.date()));
        out.line(format!("  v{} {}{} — {}", v.number, v.state.as_str(), approval, v.change_note));
    }
}

async fn add(cx: &Cx, a: AddArgs, out: &Out) -> Result<(), CliError> {
    let org = super::resolve_org(cx, &a.org.org).await?;
    let actor = super::actor(cx, org, a.as_email.as_deref(), "isms document add").await?;
    let acknowledged_by = match a.acknowledge.as_deref() {
        None => None,
        Some(r) => Audience::parse(r).map_err(|m| super::bad("--acknowledge", m))?,
    };
    let kind = match a.kind {
        Kind::Policy => DocumentType::Policy,
        Kind::Procedure => DocumentType::Procedure,
        Kind::Standard => DocumentType::Standard,
        Kind::Plan => DocumentType::Plan,
        Kind::Record => DocumentType::Record,
    };
    let new = NewDocument {
        title: a.title,
        kind,
        owner: a.owner,
        classification: a.classification,
        clauses: a.clauses,
        controls: a.controls,
        review_months: a.review_months,
        acknowledged_by,
        body: markdown(&a.file)?,
    };
    let doc = documents::create_document(cx, &actor, new).await?;
    out.doc(&doc);
    out.line(format!("Added {} with version 1 as a draft.", doc.id));
    Ok(())
}

async fn list(cx: &Cx, o: OrgArg, out: &Out) -> Result<(), CliError> {
    let org = super::resolve_org(cx, &o.org).await?;
    let docs = documents::list_documents(cx, &super::reader(org)).await?;
    out.doc(&docs);
    if docs.is_empty() {
        out.line("No documents yet.");
    }
    for d in &docs {
        let in_force = d.in_force().map_or("none approved".to_owned(), |v| format!("v{} in force", v.number));
        let open = d.open_version().map_or(String::new(), |v| format!(", v{} {}", v.number, v.state.as_str()));
        let due = d.review_due().map_or(String::new(), |r| format!(", review due {r}"));
        out.line(format!("{:<8} {} ({in_force}{open}{due})", d.id, d.title));
    }
    Ok(())
}

async fn version(cx: &Cx, a: VersionArgs, out: &Out) -> Result<(), CliError> {
    let org = super::resolve_org(cx, &a.id.org.org).await?;
    let actor = super::actor(cx, org, a.id.as_email.as_deref(), "isms document version").await?;
    let body = if a.upload {
        let mut file = tokio::fs::File::open(&a.file).await.map_err(|e| {
            CliError::bad_input(
                Code::InvalidInput,
                format!("--file: cannot read {}: {}", a.file.display(), io_reason(&e)),
            )
        })?;
        documents::upload_body(cx, &actor, &a.file.to_string_lossy(), &mut file).await?
    } else {
        markdown(&a.file)?
    };
    let doc =
        documents::change_document(cx, &actor, &a.id.id, documents::Step::StartVersion { body, note: a.note }).await?;
    out.doc(&doc);
    show_versions(out, &doc);
    Ok(())
}

async fn acks(cx: &Cx, a: IdArgs, out: &Out) -> Result<(), CliError> {
    let org = super::resolve_org(cx, &a.org.org).await?;
    let acks = documents::acknowledgements(cx, &super::reader(org), &a.id).await?;
    out.doc(&acks);
    for d in &acks.done {
        out.line(format!("  done     {} ({})", d.by, d.at.date()));
    }
    for p in &acks.pending {
        out.line(format!("  pending  {p}"));
    }
    if !acks.pending.is_empty() {
        return Err(CliError::check_failed(
            Code::AcknowledgementsPending,
            format!(
                "{} of {} have not acknowledged {}",
                acks.pending.len(),
                acks.pending.len() + acks.done.len(),
                a.id
            ),
        ));
    }
    Ok(())
}

async fn checklist(cx: &Cx, o: OrgArg, out: &Out) -> Result<(), CliError> {
    let org = super::resolve_org(cx, &o.org).await?;
    let items = documents::mandatory_checklist(cx, &super::reader(org)).await?;
    out.doc(&items);
    for i in &items {
        let state = if i.satisfied {
            format!("ok — {}", i.by.join(", "))
        } else {
            format!("MISSING — {}", i.missing.clone().unwrap_or_default())
        };
        out.line(format!("{:<8} {:<42} {state}", i.clause, i.title));
    }
    let missing = items.iter().filter(|i| !i.satisfied).count();
    if missing > 0 {
        return Err(CliError::check_failed(
            Code::DocumentsMissing,
            format!("{missing} of {} mandatory items are missing", items.len()),
        ));
    }
    Ok(())
}

async fn run_in(cx: &Cx, command: DocumentCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        DocumentCommand::Add(a) => add(cx, a, out).await?,
        DocumentCommand::List(o) => list(cx, o, out).await?,
        DocumentCommand::Show(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let doc = documents::document(cx, &super::reader(org), &a.id).await?;
            out.doc(&doc);
            out.line(format!("{} {} — owner {}, clauses {}", doc.id, doc.title, doc.owner, doc.clauses.join(", ")));
            show_versions(out, &doc);
        }
        DocumentCommand::Version(a) => version(cx, a, out).await?,
        DocumentCommand::Edit(a) => {
            let org = super::resolve_org(cx, &a.id.org.org).await?;
            let actor = super::actor(cx, org, a.id.as_email.as_deref(), "isms document edit").await?;
            let edit = documents::Step::EditVersion { number: a.version, body: markdown(&a.file)?, note: a.note };
            let doc = documents::change_document(cx, &actor, &a.id.id, edit).await?;
            out.doc(&doc);
            out.line(format!("Changed version {} of {}.", a.version, doc.id));
        }
        DocumentCommand::Submit(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let actor = super::actor(cx, org, a.as_email.as_deref(), "isms document submit").await?;
            let doc = documents::change_document(cx, &actor, &a.id, documents::Step::Submit).await?;
            out.doc(&doc);
            show_versions(out, &doc);
        }
        DocumentCommand::Approve(a) => {
            let org = super::resolve_org(cx, &a.id.org.org).await?;
            let actor = super::actor(cx, org, a.id.as_email.as_deref(), "isms document approve").await?;
            let approve = documents::Step::Approve { comment: a.comment };
            let doc = documents::change_document(cx, &actor, &a.id.id, approve).await?;
            out.doc(&doc);
            show_versions(out, &doc);
        }
        DocumentCommand::Ack(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let actor = super::actor(cx, org, Some(&a.as_email), "isms document ack").await?;
            let doc = documents::acknowledge_document(cx, &actor, &a.id).await?;
            out.doc(&doc);
            out.line(format!("{} acknowledged {}.", a.as_email, doc.id));
        }
        DocumentCommand::SendBack(a) => {
            let doc = step(cx, &a, documents::Step::SendBack, "isms document send-back").await?;
            out.doc(&doc);
            show_versions(out, &doc);
        }
        DocumentCommand::Review(a) => {
            let doc = step(cx, &a, documents::Step::Review, "isms document review").await?;
            out.doc(&doc);
            out.line(format!(
                "Recorded the review of {}; the next is due {}.",
                doc.id,
                doc.review_due().map_or_else(String::new, |d| d.to_string())
            ));
        }
        DocumentCommand::Acks(a) => acks(cx, a, out).await?,
        DocumentCommand::Starters => {
            out.doc(&isms_app::starters::STARTERS);
            for st in &isms_app::starters::STARTERS {
                out.line(format!("{:<32} {}", st.key, st.title));
            }
        }
        DocumentCommand::Adopt(a) => {
            let org = super::resolve_org(cx, &a.org.org).await?;
            let actor = super::actor(cx, org, a.as_email.as_deref(), "isms document adopt").await?;
            let doc = isms_app::starters::adopt(cx, &actor, &a.key, Some(&a.owner)).await?;
            out.doc(&doc);
            out.line(format!("Adopted {} as {} (version 1, a draft).", a.key, doc.id));
        }
        DocumentCommand::Checklist(o) => checklist(cx, o, out).await?,
    }
    Ok(ExitCode::SUCCESS)
}
