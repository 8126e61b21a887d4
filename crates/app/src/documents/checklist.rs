//! The mandatory documented information of ISO/IEC 27001:2022 and what satisfies each item.

use super::*;

/// One line of the mandatory documented information checklist.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MandatoryItem {
    /// The clause.
    pub clause: &'static str,
    /// What is required, in our words.
    pub title: &'static str,
    /// Where isms finds it.
    pub source: Source,
    /// True when something satisfies it.
    pub satisfied: bool,
    /// What satisfies it (document ids with their version in force, or the register).
    pub by: Vec<String>,
    /// What is missing, when not satisfied.
    pub missing: Option<String>,
}

/// The mandatory documented information of ISO/IEC 27001:2022 and what satisfies each
/// item: approved documents linked to the clause, or the registers isms keeps.
/// Records of audits (9.2), management reviews (9.3) and nonconformities (10.2) are
/// the ones isms keeps; an approved document linked to the clause also satisfies them.
pub async fn mandatory_checklist(cx: &Cx, actor: &Actor) -> AppResult<Vec<MandatoryItem>> {
    actor.require(UseCase::ReadIsms)?;
    mandatory_of(cx, actor.org()).await
}

/// [`mandatory_checklist`] for the app's own use inside a checked use case; kept
/// between requests while the organization's data and the day stay the same.
pub(crate) async fn mandatory_of(cx: &Cx, org: OrgId) -> AppResult<Vec<MandatoryItem>> {
    Ok(crate::cache::kept_today(cx, org, "mandatory_checklist", || gather(cx, org)).await?.as_ref().clone())
}

async fn gather(cx: &Cx, org: OrgId) -> AppResult<Vec<MandatoryItem>> {
    let docs = documents_of(cx, org).await?;
    let scope = registers::list::<Scope>(cx, org).await?;
    let objectives = registers::list::<Objective>(cx, org).await?;
    let risks = registers::shared::<Risk>(cx, org).await?;
    let soa = cx.read().await?.soa_versions(org).await?;
    let audits = registers::list::<isms_domain::audit::Audit>(cx, org).await?;
    let internal_done = audits.iter().any(|a| {
        a.kind == isms_domain::audit::AuditKind::Internal && a.status == isms_domain::audit::AuditStatus::Completed
    });
    let any_done = audits.iter().any(|a| a.status == isms_domain::audit::AuditStatus::Completed);
    // 9.2.2: a programme of internal audits covering every clause over the cycle, and results.
    let programme_covers = crate::certification::programme_of(cx, org).await?.uncovered_clauses.is_empty();
    let controlled_documents = docs.iter().any(|d| d.in_force().is_some() && !d.controls.is_empty());
    let competence_records = registers::shared::<isms_domain::evidence::Evidence>(cx, org).await?.iter().any(|e| {
        e.targets.iter().any(|t| t.kind == isms_domain::evidence::TargetKind::Requirement && t.id.ends_with(":7.2"))
    });
    let reviews = registers::list::<isms_domain::audit::ManagementReview>(cx, org).await?;
    let findings = registers::list::<isms_domain::audit::Finding>(cx, org).await?;
    let today = cx.clock.today();
    let current_evidence = registers::shared::<isms_domain::evidence::Evidence>(cx, org)
        .await?
        .iter()
        .any(|e| e.freshness(today) == isms_domain::evidence::Freshness::Current);
    let mut out = Vec::new();
    for (clause, title, source) in MANDATORY {
        let approved: Vec<String> = docs
            .iter()
            // "6.1.3 d" (the SoA) is a register; a document linked to 6.1.3 is the
            // treatment process, not the SoA: only documents-sourced items take a
            // parent clause.
            .filter(|d| {
                d.clauses.iter().any(|c| {
                    c == clause
                        || (source != Source::Register
                            && (clause.starts_with(&format!("{c} ")) || clause.starts_with(&format!("{c}."))))
                })
            })
            .filter_map(|d| d.in_force().map(|v| format!("{} v{}", d.id, v.number)))
            .collect();
        let (register_ok, register_name, register_missing) = match clause {
            "4.3" => (!scope.is_empty(), "the scope", "define the scope"),
            "6.1.3 d" => (!soa.is_empty(), "the approved SoA", "approve the Statement of Applicability"),
            "6.2" => (!objectives.is_empty(), "the objectives register", "set measurable objectives"),
            "8.2" => (!risks.is_empty(), "the risk register", "assess risks"),
            "8.3" => (
                risks.iter().any(|r| !r.actions.is_empty() || !r.controls.is_empty()),
                "the treatment plan",
                "plan risk treatment",
            ),
            "9.1" => (current_evidence, "current evidence of controls in operation", ""),
            "7.2" => (competence_records, "competence records (evidence linked to 7.2)", ""),
            "7.5.1 b" => (controlled_documents, "the document register (approved documents linked to controls)", ""),
            "9.2.2" => (
                internal_done && programme_covers,
                "the audit programme (every clause covered in the cycle) and its completed internal audits",
                "",
            ),
            "9.3.3" => (!reviews.is_empty(), "the management review records", ""),
            "10.2" => (!findings.is_empty() || any_done, "the nonconformity register", ""),
            _ => (false, "", ""),
        };
        let mut by = approved;
        if register_ok {
            by.push(register_name.to_owned());
        }
        let satisfied = !by.is_empty();
        let missing = (!satisfied).then(|| match (source, clause) {
            (_, "9.1") => "collect current evidence, or approve a document linked to 9.1 (a metrics report)".to_owned(),
            (_, "7.2") => {
                "add evidence of competence linked to 7.2 (training records, certifications), or approve a document \
                 linked to 7.2"
                    .to_owned()
            }
            (_, "7.5.1 b") => "approve documents linked to the controls they support".to_owned(),
            (_, "9.2.2") if internal_done => {
                "plan internal audits that cover every clause over the cycle (`isms audit programme` lists what is \
                 missing), or approve a document linked to 9.2"
                    .to_owned()
            }
            (_, "9.2.2") => "complete an internal audit in isms, or approve a document linked to 9.2".to_owned(),
            (_, "9.3.3") => "record a management review in isms, or approve a document linked to 9.3".to_owned(),
            (_, "10.2") => {
                "complete an audit (its findings form the register), or approve a document linked to 10.2".to_owned()
            }
            (Source::Register, _) => format!("{register_missing} in isms"),
            _ => format!("approve a document linked to clause {clause}"),
        });
        out.push(MandatoryItem { clause, title, source, satisfied, by, missing });
    }
    Ok(out)
}
