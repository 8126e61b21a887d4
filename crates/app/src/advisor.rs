//! The framework advisor (issue 21): the questionnaire's answers kept as a versioned
//! record, the advice computed from the shipped rules, and what changed since the last
//! answers.

use isms_domain::access::UseCase;
use isms_domain::advice::{Advice, AdvisorAnswers, Answers, advise, changed_advice, changed_answers};
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
