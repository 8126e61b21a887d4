//! The framework advisor (issue 21): the questionnaire's answers kept as a versioned
//! record, the advice computed from the shipped rules, and what changed since the last
//! answers.

use isms_domain::access::UseCase;
use isms_domain::advice::{Advice, AdvisorAnswers, Answers, Verdict, advise, changed_advice, changed_answers};
use isms_domain::register::{ContextIssue, InterestedParty, IssueOrigin, PartyRequirement, RequirementKind};
use serde::Serialize;

use crate::access::Actor;
use crate::{AppError, AppResult, Code, Cx, registers};

/// One answer that changed since the previous submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AnswerChange {
    /// The fact.
    pub fact: String,
    /// Its previous answer.
    pub before: String,
    /// Its answer now.
    pub after: String,
}

/// The advice for a submission, and what changed since the one before.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AdviceReport {
    /// The submission.
    pub record: AdvisorAnswers,
    /// The advice.
    pub advice: Advice,
    /// The submission compared with, if any.
    pub previous: Option<String>,
    /// Answers that changed since it.
    pub changed_answers: Vec<AnswerChange>,
    /// How the advice changed since it.
    pub changed_advice: Vec<String>,
}

fn rules() -> AppResult<isms_domain::advice::AdviceRules> {
    isms_catalog::advice_rules().map_err(|e| AppError::new(Code::CatalogInvalid, e))
}

fn report(record: AdvisorAnswers, previous: Option<&AdvisorAnswers>) -> AppResult<AdviceReport> {
    let rules = rules()?;
    let advice = advise(&record.answers, &rules);
    let (changed_answers, changed_advice) = match previous {
        Some(p) => (
            changed_answers(&p.answers, &record.answers)
                .into_iter()
                .map(|(fact, before, after)| AnswerChange { fact, before, after })
                .collect(),
            changed_advice(&advise(&p.answers, &rules), &advice),
        ),
        None => (Vec::new(), Vec::new()),
    };
    Ok(AdviceReport { previous: previous.map(|p| p.id.clone()), record, advice, changed_answers, changed_advice })
}

/// Submissions oldest first (by when they were made, then by number).
fn in_order(mut all: Vec<AdvisorAnswers>) -> Vec<AdvisorAnswers> {
    all.sort_by_key(|r| (r.at, r.id.len(), r.id.clone()));
    all
}

/// Records the questionnaire's answers as the organization's next submission and
/// answers the advice, with what changed since the previous submission.
pub async fn submit_answers(cx: &Cx, actor: &Actor, answers: Answers) -> AppResult<AdviceReport> {
    actor.require(UseCase::EditContext)?;
    let org = actor.org();
    let by = match actor.user() {
        Some(_) => actor.email(cx).await?.to_string(),
        None => actor.trail().to_string(),
    };
    let previous = in_order(registers::list::<AdvisorAnswers>(cx, org).await?).pop();
    let record = AdvisorAnswers { id: String::new(), answers, by, at: cx.clock.now() };
    let record = registers::create(cx, &actor.trail(), org, record).await?;
    report(record, previous.as_ref())
}

/// The advice for the organization's latest answers (`None` before any).
pub async fn current_advice(cx: &Cx, actor: &Actor) -> AppResult<Option<AdviceReport>> {
    actor.require(UseCase::ReadIsms)?;
    let mut all = in_order(registers::list::<AdvisorAnswers>(cx, actor.org()).await?);
    let Some(latest) = all.pop() else { return Ok(None) };
    Ok(Some(report(latest, all.last())?))
}

/// What accepting the advice recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Accepted {
    /// The submission whose advice was accepted.
    pub answers: String,
    /// Frameworks adopted (those already in use are left as they are).
    pub adopted: Vec<String>,
    /// Interested parties added (4.2): the regulators, and customers demanding a certificate.
    pub parties: Vec<String>,
    /// External issues added (4.1): the regimes that bind the organization.
    pub issues: Vec<String>,
}

/// Accepts the advice for the latest answers, in one transaction: adopts the binding
/// frameworks and the advised voluntary one, records each regime's regulator (and
/// customers who demand a certificate) as an interested party with the requirement,
/// and each regime as an external issue. What is already there is not added twice, so
/// accepting again after a change adds only what is new.
pub async fn accept_advice(cx: &Cx, actor: &Actor) -> AppResult<Accepted> {
    actor.require(UseCase::ManageFrameworks)?;
    actor.require(UseCase::EditContext)?;
    let org = actor.org();
    let trail = actor.trail();
    let Some(report) = current_advice(cx, actor).await? else {
        return Err(AppError::new(Code::NotFound, "no answers yet: run `isms advise --answers FILE.toml` first"));
    };
    let advice = &report.advice;
    let mut wanted: Vec<&str> = advice.mandatory.iter().flat_map(|c| c.frameworks.iter().map(String::as_str)).collect();
    for c in [&advice.certification, &advice.csf] {
        if c.verdict == Some(Verdict::Advised) {
            wanted.extend(c.frameworks.iter().map(String::as_str));
        }
    }
    let mut accepted = Accepted { answers: report.record.id.clone(), ..Accepted::default() };
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let in_use: Vec<String> = tx.frameworks_in_use(org).await?.into_iter().map(|(id, _)| id.to_string()).collect();
    for fw in wanted {
        if fw == isms_domain::framework::PIVOT
            || in_use.iter().any(|u| u == fw)
            || accepted.adopted.iter().any(|a| a == fw)
        {
            continue;
        }
        crate::frameworks::adopt_in(&mut *tx, cx, &trail, org, fw).await?;
        accepted.adopted.push(fw.to_owned());
    }
    let parties = registers::list_in::<InterestedParty>(&mut *tx, org).await?;
    let mut new_parties: Vec<InterestedParty> = Vec::new();
    for c in &advice.mandatory {
        let requirement = PartyRequirement::new(RequirementKind::Regulatory, &format!("{}: {}", c.what, c.citation));
        if c.regulator.is_empty() || parties.iter().any(|p| p.name == c.regulator) {
            continue;
        }
        match new_parties.iter_mut().find(|p| p.name == c.regulator) {
            Some(p) => p.requirements.push(requirement),
            None => new_parties.push(InterestedParty {
                id: String::new(),
                name: c.regulator.clone(),
                requirements: vec![requirement],
            }),
        }
    }
    const CUSTOMERS: &str = "Customers who require a certificate";
    if report.record.answers.certificate_demanded && !parties.iter().any(|p| p.name == CUSTOMERS) {
        new_parties.push(InterestedParty {
            id: String::new(),
            name: CUSTOMERS.to_owned(),
            requirements: vec![PartyRequirement::new(
                RequirementKind::Contractual,
                "An ISO/IEC 27001 certificate for the ISMS",
            )],
        });
    }
    for mut p in new_parties {
        registers::create_in(&mut *tx, cx, &trail, org, &mut p).await?;
        accepted.parties.push(format!("{} {}", p.id, p.name));
    }
    let issues = registers::list_in::<ContextIssue>(&mut *tx, org).await?;
    for c in &advice.mandatory {
        let title = format!("{} applies", c.what);
        if issues.iter().any(|i| i.title == title) {
            continue;
        }
        let mut issue = ContextIssue {
            id: String::new(),
            origin: IssueOrigin::External,
            title,
            description: format!("{} ({})", c.why, c.citation),
        };
        registers::create_in(&mut *tx, cx, &trail, org, &mut issue).await?;
        accepted.issues.push(format!("{} {}", issue.id, issue.title));
    }
    tx.commit().await?;
    Ok(accepted)
}
