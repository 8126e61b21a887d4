//! The front page: what this server is and whether it is ready. It shows no
//! organization data, because nobody is signed in yet.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use isms_app::schema::readiness;
use isms_app::workspace::current_workspace;

use crate::AppState;

/// View model of `templates/home.html`.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "home.html")]
pub(crate) struct HomePage {
    version: &'static str,
    engine: String,
    ready: bool,
    problem: Option<String>,
    schema_version: i64,
    /// "standard", "demo", or none when `isms init` has not run.
    workspace: Option<&'static str>,
    created: Option<String>,
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home(State(state): State<AppState>) -> HomePage {
    let r = readiness(&state.cx).await;
    let ws = if r.ready { current_workspace(&state.cx).await.ok().flatten() } else { None };
    HomePage {
        version: env!("CARGO_PKG_VERSION"),
        engine: match r.engine.as_str() {
            "postgres" => "PostgreSQL".to_owned(),
            _ => "SQLite".to_owned(),
        },
        ready: r.ready,
        problem: r.problem,
        schema_version: r.schema_version,
        workspace: ws.as_ref().map(|w| w.kind.as_str()),
        created: ws.map(|w| w.created_at.date().to_string()),
    }
}
