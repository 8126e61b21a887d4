//! Quantitative risk on screen: a risk's Open FAIR estimates, entered and simulated on
//! its page, and the quantitative page of the register — the portfolio simulation
//! (run as a job whose progress the page shows), each risk's share, the loss
//! exceedance curve against the organization's loss appetite, and the appetite itself.
//! Estimates are typed as on the command line (`isms risk estimate`) and read by the
//! same [`FairText`]; every change goes through `isms_app::fair`.

use super::super::word;
use super::*;

use isms_app::fair::MAX_REQUEST_ITERATIONS;
use isms_domain::access::UseCase;
use isms_domain::fair::Settings;
use isms_domain::risk::{FairResult, FairText, LossAppetite};
use isms_reports::risk::{exceedance_svg, money};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/risks/quantitative", get(portfolio_page).post(portfolio_post))
        .route("/risks/{id}/fair", axum::routing::post(risk_fair_post))
}

/// A stored simulation result as the pages show it.
#[derive(Debug, Clone)]
pub(crate) struct ResultView {
    /// When and how it ran, in words.
    pub ran: String,
    /// (what, value) lines of the statistics.
    pub stats: Vec<(&'static str, String)>,
    /// The loss exceedance curve (empty when the result has none).
    pub svg: String,
    /// Against the appetite: (within it, what to say); `None` without an appetite.
    pub verdict: Option<(bool, String)>,
}

fn percent(p: f64) -> String {
    let v = p * 100.0;
    if v == 0.0 || v >= 10.0 { format!("{v:.0}%") } else { format!("{v:.1}%") }
}

fn result_view(r: &FairResult, appetite: Option<&LossAppetite>, title: &str) -> ResultView {
    let s = &r.summary;
    let st = &r.settings;
    let ran = format!(
        "{} simulated years, seed {}, PERT ({}), secondary loss as {}{} — run {}",
        group(u64::from(st.iterations)),
        st.seed,
        word(&st.pert),
        word(&st.secondary),
        if st.poisson { ", events counted as Poisson" } else { "" },
        r.at.date()
    );
    let stats = vec![
        ("Mean annual loss", money(s.mean)),
        ("Median year", money(s.p50)),
        ("Exceeded 1 year in 10 (90th percentile)", money(s.p90)),
        ("Exceeded 1 year in 20 (95th percentile)", money(s.p95)),
        ("Exceeded 1 year in 100 (99th percentile)", money(s.p99)),
        ("Worst simulated year", money(s.max)),
        ("Years with any loss", percent(s.p_any_loss)),
    ];
    let svg = if r.curve.is_empty() {
        String::new()
    } else {
        exceedance_svg(title, &r.curve, appetite.map(|a| a.points.as_slice()))
    };
    let verdict = appetite.filter(|_| !r.curve.is_empty()).map(|a| {
        let breaches = a.breaches(&r.curve);
        match breaches.first() {
            None => (true, "Within the loss appetite at every point of the curve.".to_owned()),
            Some((loss, p, limit)) => (
                false,
                format!(
                    "Above the loss appetite at {} of {} points: a loss of {} is exceeded with probability {} where the appetite allows {}.",
                    breaches.len(),
                    r.curve.len(),
                    money(*loss),
                    percent(*p),
                    percent(*limit)
                ),
            ),
        }
    });
    ResultView { ran, stats, svg, verdict }
}

/// 10000 → "10,000".
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The risk page's Open FAIR panel.
#[derive(Debug, Clone, Default)]
pub(crate) struct FairPanel {
    /// The form's values: the stored estimates, or what was typed when refused.
    pub text: FairText,
    /// Whether the risk has estimates.
    pub set: bool,
    pub result: Option<ResultView>,
    pub can_simulate: bool,
    /// Whether the organization has a loss appetite.
    pub appetite_set: bool,
}

/// The panel for `risk`, with `typed` when the form came back refused.
pub(super) async fn panel(
    s: &AppState,
    actor: &Actor,
    risk: &Risk,
    typed: Option<FairText>,
) -> Result<FairPanel, PageError> {
    let appetite = isms_app::fair::appetite(&s.cx, actor).await?;
    let stored = isms_app::fair::stored_result(&s.cx, actor, &risk.id).await?;
    Ok(FairPanel {
        text: typed.unwrap_or_else(|| risk.fair.as_ref().map(FairText::of).unwrap_or_default()),
        set: risk.fair.is_some(),
        result: stored.map(|r| result_view(&r, appetite.as_ref(), &format!("Loss exceedance — {}", risk.id))),
        can_simulate: actor.may(UseCase::RunSimulations),
        appetite_set: appetite.is_some(),
    })
}

/// The risk page's FAIR form: `save` the estimates, `clear` them, or `simulate` the risk.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct FairForm {
    #[serde(default)]
    action: String,
    #[serde(flatten)]
    text: FairText,
    #[serde(default)]
    iterations: String,
    #[serde(default)]
    seed: String,
}

fn invalid(field: &str, message: impl std::fmt::Display) -> isms_app::AppError {
    isms_app::AppError::invalid_field(field, message)
}

/// The settings a form asks for: iterations up to the request limit, and a seed.
fn settings(iterations: &str, seed: &str) -> isms_app::AppResult<Settings> {
    let defaults = Settings::default();
    let iterations = match iterations.trim().replace([',', '_'], "") {
        t if t.is_empty() => defaults.iterations,
        t => isms_app::fair::request_iterations(
            t.parse::<u32>().map_err(|_| invalid("iterations", format!("{t:?} is not a whole number of years")))?,
        )?,
    };
    let seed = match seed.trim() {
        "" => defaults.seed,
        t => t.parse::<u64>().map_err(|_| invalid("seed", format!("{t:?} is not a whole number")))?,
    };
    Ok(Settings { iterations, seed, ..defaults })
}

async fn risk_fair_post(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<FairForm>,
) -> Result<Response, PageError> {
    let actor = &viewer.caller;
    let result = match f.action.as_str() {
        "save" => match f.text.estimates() {
            Ok(e) => isms_app::fair::set_estimates(&s.cx, actor, &id, Some(e))
                .await
                .map(|_| "Saved the FAIR estimates".to_owned()),
            Err((field, message)) => Err(invalid(field, message)),
        },
        "clear" => isms_app::fair::set_estimates(&s.cx, actor, &id, None)
            .await
            .map(|_| "Removed the FAIR estimates".to_owned()),
        "simulate" => match settings(&f.iterations, &f.seed) {
            Ok(st) => isms_app::fair::simulate_risks(&s.cx, actor, Some(&id), st, Default::default())
                .await
                .map(|_| format!("Simulated {} years", group(u64::from(st.iterations)))),
            Err(e) => Err(e),
        },
        other => Err(invalid("action", format!("{other:?} is not something this form does"))),
    };
    match result {
        Ok(said) => Ok(see_other(&format!("/risks/{id}?done={}#fair", super::super::encode(&said)))),
        Err(e) if e.kind == isms_app::ErrorKind::Invalid || e.code == isms_app::Code::NoEstimates => {
            let problems = super::super::form_problems(&e);
            let page = risk::refused_fair(&s, &viewer, &id, f.text, problems).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "risks_quantitative.html")]
pub(super) struct PortfolioPage {
    shell: Shell,
    done: Option<String>,
    problems: Vec<(String, String)>,
    /// The job the page follows: (done, total) while it runs.
    running: Option<(usize, usize)>,
    /// A job that failed, and why.
    failed: Option<String>,
    portfolio: Option<ResultView>,
    /// (id, title, mean, share of the portfolio's mean) by share.
    contributions: Vec<(String, String, String, String)>,
    /// (id, title, mean, 90th, 99th percentile) of each risk with estimates.
    estimated: Vec<(String, String, String, String, String)>,
    /// Risks without estimates.
    without: usize,
    /// (loss, probability) of the appetite, in words.
    appetite: Vec<(String, String)>,
    appetite_text: String,
    can_simulate: bool,
    can_appetite: bool,
    max_iterations: String,
}

/// The kind of job a portfolio simulation is (one run at a time per organization).
const PORTFOLIO_JOB: &str = "fair_portfolio";

#[derive(Debug, Deserialize)]
pub(super) struct PortfolioQuery {
    done: Option<String>,
    job: Option<i64>,
}

async fn portfolio_page(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<PortfolioQuery>,
) -> Result<Response, PageError> {
    let mut done = notice(q.done.as_deref());
    let (mut running, mut failed) = (None, None);
    if let Some(job) = q.job {
        use isms_domain::job::JobState;
        match s.jobs.progress(&s.cx, &viewer.caller, PORTFOLIO_JOB, job).await? {
            Some(JobState::Running { done: d, total }) => {
                running = Some((usize::try_from(d).unwrap_or(0), usize::try_from(total).unwrap_or(0)));
            }
            Some(JobState::Finished(Ok(said))) => done = Some(said),
            Some(JobState::Finished(Err(why))) => failed = Some(why),
            Some(JobState::Abandoned) => {
                failed = Some("The server running that simulation stopped before it finished; start it again.".into());
            }
            None => {
                done = Some("That simulation was replaced by a later one; the stored result is below.".into());
            }
        }
    }
    let page = render_portfolio(&s, &viewer, done, running, failed, None).await?;
    Ok(page.into_response())
}

async fn render_portfolio(
    s: &AppState,
    viewer: &Viewer,
    done: Option<String>,
    running: Option<(usize, usize)>,
    failed: Option<String>,
    refused: Option<(String, Vec<(String, String)>)>,
) -> Result<PortfolioPage, PageError> {
    let actor = &viewer.caller;
    let risks = isms_app::risks::list_risks(&s.cx, actor).await?;
    let results = isms_app::fair::stored_results(&s.cx, actor).await?;
    let appetite = isms_app::fair::appetite(&s.cx, actor).await?;
    let title = |id: &str| risks.iter().find(|r| r.risk.id == id).map_or(String::new(), |r| r.risk.title.clone());
    let result = |id: &str| results.iter().find(|r| r.id == id);
    let portfolio = result("PORTFOLIO");
    let mut contributions: Vec<(String, String, f64)> = portfolio
        .map(|p| p.contributions.iter().map(|(id, share)| (id.clone(), title(id), *share)).collect())
        .unwrap_or_default();
    contributions.sort_by(|a, b| b.2.total_cmp(&a.2));
    let mean = portfolio.map_or(0.0, |p| p.summary.mean);
    let estimated = risks
        .iter()
        .filter(|r| r.risk.fair.is_some())
        .map(|r| {
            let (m, p90, p99) = result(&r.risk.id)
                .map_or(("not simulated".into(), String::new(), String::new()), |x| {
                    (money(x.summary.mean), money(x.summary.p90), money(x.summary.p99))
                });
            (r.risk.id.clone(), r.risk.title.clone(), m, p90, p99)
        })
        .collect::<Vec<_>>();
    let shell = viewer.shell("risks");
    let appetite_text = refused.as_ref().map(|(t, _)| t.clone()).unwrap_or_else(|| {
        appetite.as_ref().map_or(String::new(), |a| {
            a.points.iter().map(|(l, p)| format!("{l} {}", percent(*p))).collect::<Vec<_>>().join("\n")
        })
    });
    Ok(PortfolioPage {
        done,
        problems: refused.map(|(_, p)| p).unwrap_or_default(),
        running,
        failed,
        portfolio: portfolio.map(|p| result_view(p, appetite.as_ref(), "Loss exceedance — all risks")),
        contributions: contributions
            .into_iter()
            .map(|(id, t, share)| (id, t, money(share * mean), percent(share)))
            .collect(),
        without: risks.len() - estimated.len(),
        estimated,
        appetite: appetite
            .as_ref()
            .map(|a| a.points.iter().map(|(l, p)| (money(*l), percent(*p))).collect())
            .unwrap_or_default(),
        appetite_text,
        can_simulate: actor.may(UseCase::RunSimulations),
        can_appetite: actor.may(UseCase::EditMethodology),
        max_iterations: group(u64::from(MAX_REQUEST_ITERATIONS)),
        shell,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct PortfolioForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    iterations: String,
    #[serde(default)]
    seed: String,
    /// The appetite, one `LOSS PROBABILITY` point a line.
    #[serde(default)]
    points: String,
}

/// Reads the appetite's lines: `LOSS PROBABILITY` each (`2,000,000 50%`, `$2000000:0.5`).
fn appetite_points(text: &str) -> isms_app::AppResult<Vec<(f64, f64)>> {
    let mut points = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let point = isms_domain::risk::appetite_point(line)
            .map_err(|why| invalid("points", format!("line {}: {line:?}: {why}", n + 1)))?;
        points.push(point);
    }
    Ok(points)
}

async fn portfolio_post(
    State(s): State<AppState>,
    CsrfForm(viewer, f): CsrfForm<PortfolioForm>,
) -> Result<Response, PageError> {
    let actor = viewer.caller;
    match f.action.as_str() {
        "simulate" => {
            actor.require(UseCase::RunSimulations)?;
            let st = match settings(&f.iterations, &f.seed) {
                Ok(st) => st,
                Err(e) => return refused_portfolio(&s, &viewer, f.points, &e).await,
            };
            let total =
                isms_app::risks::list_risks(&s.cx, &actor).await?.iter().filter(|r| r.risk.fair.is_some()).count();
            if total == 0 {
                let e = invalid("risks", "no risk has FAIR estimates yet: add them on a risk's page first");
                return refused_portfolio(&s, &viewer, f.points, &e).await;
            }
            let (cx, runner) = (s.cx.clone(), actor);
            let job = s
                .jobs
                .start(&s.cx, actor, UseCase::RunSimulations, PORTFOLIO_JOB, total, move |done| async move {
                    isms_app::fair::simulate_risks(&cx, &runner, None, st, done)
                        .await
                        .map(|sim| {
                            format!(
                                "Simulated {} risks over {} years; the result is stored.",
                                sim.risks.len(),
                                group(u64::from(st.iterations))
                            )
                        })
                        .map_err(|e| e.message)
                })
                .await?;
            Ok(see_other(&format!("/risks/quantitative?job={job}")))
        }
        "appetite" => {
            let result = match appetite_points(&f.points) {
                Ok(points) => isms_app::fair::set_appetite(&s.cx, &actor, points).await.map(|_| ()),
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => Ok(see_other("/risks/quantitative?done=Saved+the+loss+appetite#appetite")),
                Err(e) if e.kind == isms_app::ErrorKind::Invalid => refused_portfolio(&s, &viewer, f.points, &e).await,
                Err(e) => Err(e.into()),
            }
        }
        other => Err(invalid("action", format!("{other:?} is not something this page does")).into()),
    }
}

async fn refused_portfolio(
    s: &AppState,
    viewer: &Viewer,
    typed: String,
    e: &isms_app::AppError,
) -> Result<Response, PageError> {
    let problems = super::super::form_problems(e);
    let page = render_portfolio(s, viewer, None, None, None, Some((typed, problems))).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appetite_lines_read_money_and_percentages_and_name_the_bad_line() {
        assert_eq!(
            appetite_points("$2,000,000 50%\n\n10000000:0.1\n").unwrap(),
            [(2_000_000.0, 0.5), (10_000_000.0, 0.1)]
        );
        let e = appetite_points("1000 5%\nlots 5%").unwrap_err();
        assert!(e.fields[0].message.starts_with("line 2:"), "{e:?}");
        assert!(appetite_points("1000").is_err());
        assert_eq!(group(1_000_000), "1,000,000");
        assert_eq!(group(999), "999");
        assert!(settings("2,000,000", "").is_err());
        assert_eq!(settings("", "7").unwrap().seed, 7);
    }
}
