//! Server-rendered HTML pages. Each page is a view-model struct rendered by an askama
//! template under `templates/` (checked at compile time, HTML-escaped by default).

mod home;

use axum::Router;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().merge(home::routes())
}
