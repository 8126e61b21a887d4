//! The certification lifecycle's reports: the audit report, the nonconformity register,
//! the readiness report, and the iCalendar feed.

use isms_domain::access::UseCase;
use isms_domain::audit::CheckResult;
use isms_domain::readiness::{Readiness, Severity};
use isms_reports::table::Table;

use crate::access::Actor;
use crate::export::{DocFormat, render_table};
use crate::{AppResult, Cx, certification as cert};

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn result_word(r: CheckResult) -> &'static str {
    match r {
        CheckResult::Open => "open",
        CheckResult::Conforming => "conforming",
        CheckResult::Finding => "finding",
        CheckResult::NotAudited => "not audited",
    }
}

/// The report of one audit: what was audited, against what, by whom, the result of
/// every checklist line, the findings and the conclusion.
pub async fn audit_report(cx: &Cx, actor: &Actor, id: &str, format: DocFormat) -> AppResult<Vec<u8>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let a = cert::audit_of(cx, org, id).await?;
    let findings: Vec<_> = cert::findings_of(cx, org).await?.into_iter().filter(|f| f.audit == a.id).collect();
    let organization = cx.read().await?.organization(org).await?.name;
    if format == DocFormat::Pdf {
        return crate::export::pdf(cx, org, audit_pdf(&a, &findings, organization.to_string())).await;
    }
    if format == DocFormat::Md {
        let mut md = format!("# Audit report: {} {}\n\n", a.id, md_cell(&a.title));
        for (k, v) in [
            ("Organization", organization.to_string()),
            ("Kind", a.kind.label().to_owned()),
            ("Dates", format!("{} to {}", a.start, a.end)),
            ("Auditor", a.auditor.clone()),
            ("Certification body", a.certification_body.clone().unwrap_or_else(|| "—".into())),
            ("Scope", a.scope.clone()),
            ("Criteria", a.criteria.clone()),
            ("Status", a.status.as_str().to_owned()),
        ] {
            md.push_str(&format!("- **{k}:** {}\n", md_cell(&v)));
        }
        md.push_str(&format!(
            "\n## Conclusion\n\n{}\n\n## Checklist\n\n| Reference | Title | Result | Notes |\n|---|---|---|---|\n",
            if a.conclusion.is_empty() { "Not completed yet.".to_owned() } else { a.conclusion.clone() }
        ));
        for l in &a.checklist {
            md.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                l.reference,
                md_cell(&l.title),
                result_word(l.result),
                md_cell(&l.notes)
            ));
        }
        md.push_str("\n## Findings\n\n");
        if findings.is_empty() {
            md.push_str("None.\n");
        }
        for f in &findings {
            md.push_str(&format!(
                "- **{} — {} ({})**: {} Evidence: {} Status: {}{}.\n",
                f.id,
                f.grade.label(),
                f.requirement,
                md_cell(&f.description),
                if f.evidence.is_empty() { "—".to_owned() } else { md_cell(&f.evidence) },
                f.status.as_str(),
                f.due.map_or_else(String::new, |d| format!(", due {d}"))
            ));
        }
        return Ok(md.into_bytes());
    }
    let mut rows = checklist_rows(&a, &findings);
    for f in findings.iter().filter(|f| !a.checklist.iter().any(|l| l.reference == f.requirement)) {
        rows.push(vec![f.requirement.clone(), String::new(), "finding".into(), f.description.clone(), f.id.clone()]);
    }
    let table = Table {
        title: format!("Audit report {}", a.id),
        subtitle: format!(
            "{organization} · {} · {} to {} · auditor {} · {} · conclusion: {}",
            a.title,
            a.start,
            a.end,
            a.auditor,
            a.status.as_str(),
            if a.conclusion.is_empty() { "—" } else { &a.conclusion }
        ),
        headers: ["Reference", "Title", "Result", "Notes", "Findings"].map(String::from).to_vec(),
        rows,
        widths: vec![12, 40, 14, 60, 16],
    };
    render_table(&table, format)
}

/// The audit's checklist as report rows: reference, title, result, notes and the
/// findings raised on the line.
fn checklist_rows(a: &isms_domain::audit::Audit, findings: &[isms_domain::audit::Finding]) -> Vec<Vec<String>> {
    a.checklist
        .iter()
        .map(|l| {
            let raised: Vec<&str> =
                findings.iter().filter(|f| f.requirement == l.reference).map(|f| f.id.as_str()).collect();
            vec![
                l.reference.clone(),
                l.title.clone(),
                result_word(l.result).to_owned(),
                l.notes.clone(),
                raised.join(", "),
            ]
        })
        .collect()
}

/// An audit report as a PDF deliverable: what was audited, the conclusion, the
/// checklist and the findings.
fn audit_pdf(
    a: &isms_domain::audit::Audit,
    findings: &[isms_domain::audit::Finding],
    organization: String,
) -> isms_pdf::Document {
    use isms_pdf::{Block, Section};
    let facts = vec![
        ("Kind".to_owned(), a.kind.label().to_owned()),
        ("Dates".into(), format!("{} to {}", a.start, a.end)),
        ("Auditor".into(), a.auditor.clone()),
        ("Certification body".into(), a.certification_body.clone().unwrap_or_else(|| "—".into())),
        ("Scope".into(), a.scope.clone()),
        ("Criteria".into(), a.criteria.clone()),
        ("Status".into(), a.status.as_str().to_owned()),
    ];
    let checklist = checklist_rows(a, findings);
    let found: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            vec![
                f.id.clone(),
                f.grade.label().to_owned(),
                f.requirement.clone(),
                f.description.clone(),
                f.status.as_str().to_owned(),
                f.due.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let mut sections = vec![
        Section { heading: "The audit".into(), blocks: vec![Block::Facts(facts)] },
        Section {
            heading: "Conclusion".into(),
            blocks: vec![Block::Paragraph(if a.conclusion.is_empty() {
                "Not completed yet.".into()
            } else {
                a.conclusion.clone()
            })],
        },
        Section {
            heading: "Checklist".into(),
            blocks: vec![Block::Table {
                headers: ["Reference", "Title", "Result", "Notes", "Findings"].map(String::from).to_vec(),
                rows: checklist,
                widths: vec![10, 30, 12, 36, 12],
            }],
        },
    ];
    sections.push(Section {
        heading: "Findings".into(),
        blocks: vec![if found.is_empty() {
            Block::Paragraph("None.".into())
        } else {
            Block::Table {
                headers: ["Finding", "Grade", "Requirement", "What was found", "Status", "Due"]
                    .map(String::from)
                    .to_vec(),
                rows: found,
                widths: vec![10, 16, 12, 40, 12, 10],
            }
        }],
    });
    isms_pdf::Document {
        title: format!("Audit report {}", a.id),
        organization,
        subtitle: a.title.clone(),
        version: a.status.as_str().to_owned(),
        generated: a.end.to_string(),
        approval: vec![
            ("Auditor".into(), a.auditor.clone()),
            ("Conclusion".into(), if a.conclusion.is_empty() { "—".into() } else { "see Conclusion".into() }),
        ],
        logo: None,
        sections,
    }
}

/// The minutes of a management review (9.3): who attended, every input with its notes,
/// the decisions and the actions; as Markdown or a PDF deliverable.
pub async fn review_minutes(cx: &Cx, actor: &Actor, id: &str, format: DocFormat) -> AppResult<Vec<u8>> {
    use isms_pdf::{Block, Section};
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let r = cert::management_reviews_of(cx, org)
        .await?
        .into_iter()
        .find(|r| r.id.eq_ignore_ascii_case(id.trim()))
        .ok_or_else(|| crate::AppError::new(crate::Code::NotFound, format!("there is no management review {id}")))?;
    let topic = |key: &str| {
        isms_domain::audit::REVIEW_INPUTS
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(key.to_owned(), |(_, t)| (*t).to_owned())
    };
    let actions: Vec<Vec<String>> = r
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            vec![
                (i + 1).to_string(),
                a.title.clone(),
                a.owner.clone(),
                a.due.to_string(),
                if a.done { "done" } else { "open" }.into(),
            ]
        })
        .collect();
    match format {
        DocFormat::Md => {
            let mut md = format!(
                "# Management review minutes {}

- **Held on:** {}
- **Attendees:** {}

## Inputs

",
                r.id,
                r.held_on,
                md_cell(&r.attendees.join(", "))
            );
            for i in &r.inputs {
                md.push_str(&format!(
                    "- **{}:** {}
",
                    topic(&i.topic),
                    md_cell(&i.notes)
                ));
            }
            md.push_str(
                "
## Decisions

",
            );
            for d in &r.decisions {
                md.push_str(&format!(
                    "- {}
",
                    md_cell(d)
                ));
            }
            md.push_str(
                "
## Actions

| # | Action | Owner | Due | Status |
|---|---|---|---|---|
",
            );
            for a in &actions {
                md.push_str(&format!(
                    "| {} |
",
                    a.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                ));
            }
            Ok(md.into_bytes())
        }
        DocFormat::Pdf => {
            let sections = vec![
                Section {
                    heading: "Inputs".into(),
                    blocks: vec![Block::Facts(r.inputs.iter().map(|i| (topic(&i.topic), i.notes.clone())).collect())],
                },
                Section {
                    heading: "Decisions".into(),
                    blocks: if r.decisions.is_empty() {
                        vec![Block::Paragraph("None recorded.".into())]
                    } else {
                        r.decisions.iter().map(|d| Block::Paragraph(d.clone())).collect()
                    },
                },
                Section {
                    heading: "Actions".into(),
                    blocks: vec![if actions.is_empty() {
                        Block::Paragraph("None.".into())
                    } else {
                        Block::Table {
                            headers: ["#", "Action", "Owner", "Due", "Status"].map(String::from).to_vec(),
                            rows: actions,
                            widths: vec![4, 44, 24, 12, 10],
                        }
                    }],
                },
            ];
            let doc = isms_pdf::Document {
                title: "Management review minutes".into(),
                organization: String::new(),
                subtitle: format!("{} · held on {}", r.id, r.held_on),
                version: r.id.clone(),
                generated: r.held_on.to_string(),
                approval: vec![("Held on".into(), r.held_on.to_string()), ("Attendees".into(), r.attendees.join(", "))],
                logo: None,
                sections,
            };
            crate::export::pdf(cx, org, doc).await
        }
        _ => Err(crate::AppError::invalid_field("format", "the minutes are made as md or pdf")),
    }
}

/// The nonconformity register: every finding with its correction, root cause,
/// corrective action, owner, due date, status and verification.
pub async fn finding_register(cx: &Cx, actor: &Actor, format: DocFormat) -> AppResult<Vec<u8>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let today = cx.clock.today();
    let organization = cx.read().await?.organization(org).await?.name;
    let rows = cert::findings_of(cx, org)
        .await?
        .into_iter()
        .map(|f| {
            vec![
                f.id.clone(),
                f.source(),
                f.grade.label().to_owned(),
                f.requirement.clone(),
                f.description.clone(),
                f.raised_on.to_string(),
                f.correction.clone(),
                f.root_cause.clone(),
                f.corrective_action.clone(),
                f.owner.clone().unwrap_or_default(),
                f.due.map(|d| d.to_string()).unwrap_or_default(),
                if f.overdue(today) {
                    format!("{} (overdue)", f.status.as_str())
                } else {
                    f.status.as_str().to_owned()
                },
                f.verification.as_ref().map(|v| format!("{} on {}: {}", v.by, v.on, v.note)).unwrap_or_default(),
            ]
        })
        .collect();
    let table = Table {
        title: "Nonconformity register".into(),
        subtitle: format!("{organization} · as of {today}"),
        headers: [
            "Finding",
            "Audit",
            "Grade",
            "Requirement",
            "Description",
            "Raised",
            "Correction",
            "Root cause",
            "Corrective action",
            "Owner",
            "Due",
            "Status",
            "Verification",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        widths: vec![10, 10, 22, 12, 40, 12, 30, 30, 40, 26, 12, 16, 40],
    };
    crate::export::render_report(cx, actor, &table, format).await
}

/// The readiness report: every blocker and warning with the requirement it concerns,
/// and readiness per clause, in any format (PDF included).
pub async fn readiness_report(cx: &Cx, actor: &Actor, r: &Readiness, format: DocFormat) -> AppResult<Vec<u8>> {
    actor.require(UseCase::ReadIsms)?;
    crate::export::render_report(cx, actor, &readiness_table(r), format).await
}

/// The readiness report as a table.
fn readiness_table(r: &Readiness) -> Table {
    let mut rows: Vec<Vec<String>> = r
        .blockers
        .iter()
        .chain(&r.warnings)
        .map(|p| {
            vec![
                if p.severity == Severity::Blocker { "blocker" } else { "warning" }.to_owned(),
                p.requirement.clone(),
                p.rule.to_owned(),
                p.message.clone(),
            ]
        })
        .collect();
    for (clause, passed, total) in &r.clauses {
        let pct = (passed * 100).checked_div(*total).unwrap_or(100);
        rows.push(vec![
            "clause".into(),
            format!("Clause {clause}"),
            "readiness".into(),
            format!("{pct}% ({passed} of {total} checks)"),
        ]);
    }
    for (theme, ready, total) in &r.themes {
        let pct = (ready * 100).checked_div(*total).unwrap_or(100);
        rows.push(vec![
            "theme".into(),
            format!("Annex {theme}"),
            "readiness".into(),
            format!("{pct}% ({ready} of {total} applicable controls implemented with current evidence)"),
        ]);
    }
    Table {
        title: format!("Readiness for {}", r.stage.label()),
        subtitle: if r.ready {
            "Nothing blocks it.".into()
        } else {
            format!(
                "{}, {}",
                isms_domain::text::plural(r.blockers.len(), "blocker", "blockers"),
                isms_domain::text::plural(r.warnings.len(), "warning", "warnings")
            )
        },
        headers: ["Severity", "Requirement", "Rule", "What is missing"].map(String::from).to_vec(),
        rows,
        widths: vec![10, 16, 22, 90],
    }
}

/// The organization's dates as an iCalendar feed; `base` (the server's address, or
/// empty) makes each event link to its page.
pub async fn calendar(cx: &Cx, actor: &Actor, base: &str) -> AppResult<String> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let name = cx.read().await?.organization(org).await?.name;
    let events: Vec<isms_reports::ics::IcsEvent> = cert::events_of(cx, org)
        .await?
        .into_iter()
        .map(|e| isms_reports::ics::IcsEvent {
            uid: format!("{}-{}", org, e.uid),
            summary: e.summary,
            start: e.start,
            end: e.end,
            url: (!base.is_empty()).then(|| format!("{}{}", base.trim_end_matches('/'), e.path)),
        })
        .collect();
    Ok(isms_reports::ics::calendar(&format!("{name} — ISMS"), "isms", &events, cx.clock.now()))
}
