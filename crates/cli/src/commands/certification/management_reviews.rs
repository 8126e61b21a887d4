//! `isms management-review`: add, list, mark an action done, and the briefing.

use super::*;

/// `isms management-review` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Record a management review.
    Add(ReviewArgs),
    /// The management reviews, newest first.
    List(OrgArg),
    /// What isms already knows for each input (a starting point for the meeting).
    Briefing(OrgArg),
    /// Mark a review's action (1, 2, …) done.
    ActionDone(ActionDoneArgs),
    /// Write a review's minutes: -o FILE.pdf (a deliverable) or FILE.md.
    Minutes(MinutesArgs),
}

/// Arguments of `isms management-review minutes`.
#[derive(Debug, Args)]
pub struct MinutesArgs {
    /// The review, e.g. MR-001.
    id: String,
    /// Where to write them: .pdf or .md.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    org: OrgArg,
}

/// Arguments of `isms management-review action-done`.
#[derive(Debug, Args)]
pub struct ActionDoneArgs {
    #[command(flatten)]
    id: IdArgs,
    /// The action's number (1, 2, …).
    number: usize,
    /// Reopen it instead.
    #[arg(long)]
    undo: bool,
}

/// Arguments of `isms management-review add`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    org: OrgArg,
    /// When it was held.
    #[arg(long)]
    held_on: String,
    /// Who attended; repeatable.
    #[arg(long = "attendee", required = true)]
    attendees: Vec<String>,
    /// An input's notes as KEY=TEXT (keys: previous_actions, issues, interested_parties,
    /// nonconformities, monitoring, audits, objectives, feedback, risks, improvement);
    /// repeatable.
    #[arg(long = "input")]
    inputs: Vec<String>,
    /// Fill every input not given with isms's briefing.
    #[arg(long)]
    briefing: bool,
    /// A decision; repeatable.
    #[arg(long = "decision")]
    decisions: Vec<String>,
    /// An action as TITLE|OWNER|YYYY-MM-DD; repeatable.
    #[arg(long = "action")]
    actions: Vec<String>,
    #[command(flatten)]
    who: AsArg,
}

/// Runs `isms management-review`.
pub async fn run_review(config: &Config, command: ReviewCommand, out: &Out) -> Result<ExitCode, CliError> {
    with_workspace(config, async |cx| review_in(cx, command, out).await).await
}

async fn review_in(cx: &Cx, command: ReviewCommand, out: &Out) -> Result<ExitCode, CliError> {
    match command {
        ReviewCommand::Add(a) => add(cx, a, out).await?,
        ReviewCommand::Minutes(a) => {
            let org = resolve_org(cx, &a.org.org).await?;
            let ext = a.output.extension().and_then(|e| e.to_str()).unwrap_or_default().to_owned();
            let format = isms_app::export::DocFormat::parse(&ext)
                .map_err(|_| bad("--output", format!("{}: name it .pdf or .md", a.output.display())))?;
            let bytes = isms_app::certification_reports::review_minutes(cx, &reader(org), &a.id, format).await?;
            write(&a.output, &bytes)?;
            out.line(format!("Wrote the minutes of {} to {}.", a.id.to_ascii_uppercase(), a.output.display()));
        }
        ReviewCommand::List(o) => {
            let org = resolve_org(cx, &o.org).await?;
            let all = cert::management_reviews(cx, &reader(org)).await?;
            out.doc(&all);
            if all.is_empty() {
                out.line("No management reviews yet.");
            }
            for r in &all {
                let missing = r.missing_inputs().len();
                out.line(format!(
                    "{:<8} {}  {} attendee(s), {} decision(s), {} action(s){}",
                    r.id,
                    r.held_on,
                    r.attendees.len(),
                    r.decisions.len(),
                    r.actions.len(),
                    if missing > 0 { format!(", {missing} input(s) not covered") } else { String::new() }
                ));
            }
        }
        ReviewCommand::ActionDone(a) => {
            let org = resolve_org(cx, &a.id.org.org).await?;
            let actor = who(cx, org, &a.id.who, "isms management-review action-done").await?;
            if a.number == 0 {
                return Err(bad("NUMBER", "actions are numbered from 1"));
            }
            let r = cert::review_action_done(cx, &actor, &a.id.id, a.number - 1, !a.undo).await?;
            out.doc(&r);
            out.line(format!("{} action {}: {}", r.id, a.number, if a.undo { "reopened" } else { "done" }));
        }
        ReviewCommand::Briefing(o) => {
            let org = resolve_org(cx, &o.org).await?;
            let b = cert::review_briefing(cx, &reader(org)).await?;
            out.doc(&b);
            for i in &b {
                let title = REVIEW_INPUTS.iter().find(|(k, _)| *k == i.topic).map_or("", |(_, t)| *t);
                out.line(format!("{title}\n  {}", i.notes));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn add(cx: &Cx, a: ReviewArgs, out: &Out) -> Result<(), CliError> {
    let org = resolve_org(cx, &a.org.org).await?;
    let actor = who(cx, org, &a.who, "isms management-review add").await?;
    let mut inputs = Vec::new();
    for i in &a.inputs {
        let (k, v) = i.split_once('=').ok_or_else(|| bad("--input", format!("{i:?} must be KEY=TEXT")))?;
        if !REVIEW_INPUTS.iter().any(|(key, _)| *key == k.trim()) {
            let keys: Vec<&str> = REVIEW_INPUTS.iter().map(|(k, _)| *k).collect();
            return Err(bad("--input", format!("{k:?} is not one of {}", keys.join(", "))));
        }
        inputs.push(ReviewInput { topic: k.trim().to_owned(), notes: v.trim().to_owned() });
    }
    if a.briefing {
        for b in cert::review_briefing(cx, &reader(org)).await? {
            if !inputs.iter().any(|i| i.topic == b.topic) {
                inputs.push(b);
            }
        }
    }
    let mut actions = Vec::new();
    for t in &a.actions {
        let parts: Vec<&str> = t.split('|').collect();
        let [title, owner, due] = parts.as_slice() else {
            return Err(bad("--action", format!("{t:?} must be TITLE|OWNER|YYYY-MM-DD")));
        };
        actions.push(ReviewAction {
            title: title.trim().to_owned(),
            owner: owner.trim().to_lowercase(),
            due: parse_date("--action", due)?,
            done: false,
        });
    }
    let review = ManagementReview {
        id: String::new(),
        held_on: parse_date("--held-on", &a.held_on)?,
        attendees: a.attendees,
        inputs,
        decisions: a.decisions,
        actions,
    };
    let r = cert::record_management_review(cx, &actor, review).await?;
    out.doc(&r);
    out.line(format!("Recorded {} ({}).", r.id, r.held_on));
    for m in r.missing_inputs() {
        out.line(format!("warning: the review did not consider: {m}"));
    }
    Ok(())
}
