//! The JSON API under `/api/v1`. Each handler resolves the caller, asks the app layer
//! (which checks the role), and shapes the answer; lists share one pagination,
//! filtering and sorting scheme ([`list`]).

mod list;
mod records;
mod session;
mod tokens;

use axum::Router;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().merge(session::routes()).merge(records::routes()).merge(tokens::routes())
}
