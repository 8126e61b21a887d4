//! The framework advisor: the questionnaire, the advice with the answers and rule behind
//! every conclusion, what changed since the answers before, and accepting it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use isms_app::advisor::{Accepted, AdviceReport};
use isms_domain::access::UseCase;
use isms_domain::advice::{Answers, Conclusion, Maturity};
use serde::Deserialize;

use super::{CsrfForm, NoFields, PageError, Shell, Viewer, see_other};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/advisor", get(page).post(submit)).route("/advisor/accept", post(accept))
}

/// A yes/no question of the questionnaire: (field, question).
const QUESTIONS: [(&str, &str); 9] = [
    ("federal_contracts", "Do you hold or bid for US federal contracts or subcontracts?"),
    ("handles_fci", "Do you handle Federal Contract Information (FCI) under them?"),
    ("handles_cui", "Do you handle Controlled Unclassified Information (CUI)?"),
    ("operates_federal_system", "Do you operate an information system for or on behalf of a federal agency?"),
    ("handles_phi", "Are you a HIPAA covered entity or business associate (electronic PHI)?"),
    (
        "ftc_financial_institution",
        "Are you a financial institution under the FTC's jurisdiction, holding customer information?",
    ),
    ("eu_personal_data", "Do you process personal data of people in the EU?"),
    ("certificate_demanded", "Does a customer or contract demand a certificate (ISO/IEC 27001 or equivalent)?"),
    ("international", "Do you sell or operate across international jurisdictions?"),
];

#[derive(Template, WebTemplate)]
#[template(path = "advisor.html")]
struct AdvisorPage {
    shell: Shell,
    report: Option<AdviceReport>,
    answers: Answers,
    can_answer: bool,
    can_accept: bool,
    accepted: Option<Accepted>,
    problems: Vec<(String, String)>,
}

impl AdvisorPage {
    fn questions(&self) -> Vec<(&'static str, &'static str, bool)> {
        QUESTIONS.iter().map(|(f, q)| (*f, *q, self.answers.fact(f).unwrap_or(false))).collect()
    }

    fn maturity_is(&self, m: &str) -> bool {
        self.answers.maturity.map(Maturity::as_str) == Some(m)
    }

    fn voluntary(&self) -> Vec<&Conclusion> {
        self.report.iter().flat_map(|r| [&r.advice.certification, &r.advice.csf]).collect()
    }

    fn verdict(&self, c: &Conclusion) -> &'static str {
        c.verdict.map_or("mandatory", |v| v.label())
    }
}

async fn render(
    s: &AppState,
    viewer: &Viewer,
    accepted: Option<Accepted>,
    problems: Vec<(String, String)>,
    typed: Option<Answers>,
) -> Result<AdvisorPage, PageError> {
    let report = isms_app::advisor::current_advice(&s.cx, &viewer.caller).await?;
    let shell = viewer.shell("frameworks");
    Ok(AdvisorPage {
        answers: typed.or_else(|| report.as_ref().map(|r| r.record.answers.clone())).unwrap_or_default(),
        can_answer: shell.can.any(UseCase::EditContext),
        can_accept: shell.can.any(UseCase::EditContext) && shell.can.any(UseCase::ManageFrameworks),
        report,
        accepted,
        problems,
        shell,
    })
}

async fn page(State(s): State<AppState>, viewer: Viewer) -> Result<AdvisorPage, PageError> {
    render(&s, &viewer, None, vec![], None).await
}

#[derive(Debug, Deserialize)]
struct AnswersForm {
    #[serde(default)]
    sector: String,
    #[serde(default)]
    employees: String,
    #[serde(default)]
    maturity: String,
    #[serde(flatten)]
    facts: std::collections::BTreeMap<String, String>,
}

impl AnswersForm {
    fn answers(&self) -> Result<Answers, isms_app::AppError> {
        let yes = |f: &str| self.facts.get(f).is_some_and(|v| v == "yes");
        let employees = match self.employees.trim() {
            "" => 0,
            n => n.parse::<u32>().map_err(|_| {
                isms_app::AppError::invalid_field("employees", format!("{n:?} is not a whole number of people"))
            })?,
        };
        let maturity = match self.maturity.trim() {
            "" => None,
            other => Some(Maturity::parse(other).ok_or_else(|| {
                isms_app::AppError::invalid_field("maturity", format!("{other:?} is not ad_hoc, defined or managed"))
            })?),
        };
        Ok(Answers {
            sector: self.sector.trim().to_owned(),
            federal_contracts: yes("federal_contracts"),
            handles_fci: yes("handles_fci"),
            handles_cui: yes("handles_cui"),
            operates_federal_system: yes("operates_federal_system"),
            handles_phi: yes("handles_phi"),
            ftc_financial_institution: yes("ftc_financial_institution"),
            eu_personal_data: yes("eu_personal_data"),
            certificate_demanded: yes("certificate_demanded"),
            international: yes("international"),
            employees,
            maturity,
        })
    }
}

async fn submit(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<AnswersForm>) -> Result<Response, PageError> {
    let result = match f.answers() {
        Ok(a) => isms_app::advisor::submit_answers(&s.cx, &viewer.caller, a).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other("/advisor#advice")),
        Err(e) if e.kind == isms_app::ErrorKind::Invalid => {
            let problems = super::form_problems(&e);
            let typed = f.answers().ok();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&s, &viewer, None, problems, typed).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn accept(State(s): State<AppState>, CsrfForm(viewer, _): CsrfForm<NoFields>) -> Result<Response, PageError> {
    let accepted = isms_app::advisor::accept_advice(&s.cx, &viewer.caller).await?;
    Ok(render(&s, &viewer, Some(accepted), vec![], None).await?.into_response())
}
