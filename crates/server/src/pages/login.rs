//! Signing in and out, and choosing the organization to work in.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use isms_app::ErrorKind;
use isms_app::sessions::{SESSION_LIFETIME, authenticate, my_organizations, sign_in, sign_out, switch_organization};
use isms_domain::OrgId;
use serde::Deserialize;

use super::{PageError, see_other};
use crate::AppState;
use crate::auth::{ClientAddr, SESSION_COOKIE, cookie, is_tls, same_secret, session_cookie};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/organizations", get(choose))
        .route("/organization", post(switch))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    email: String,
    problem: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Next {
    next: Option<String>,
}

/// Only paths on this site are followed after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_owned(),
        _ => "/dashboard".to_owned(),
    }
}

async fn login_form(Query(q): Query<Next>) -> LoginPage {
    LoginPage { next: safe_next(q.next.as_deref()), email: String::new(), problem: None }
}

#[derive(Debug, Deserialize)]
struct Credentials {
    email: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    uri: Uri,
    headers: HeaderMap,
    Form(c): Form<Credentials>,
) -> Response {
    let next = safe_next(c.next.as_deref());
    match sign_in(&state.cx, &c.email, &c.password, &address).await {
        Ok(signed) => {
            let to = if signed.principal.current.is_some() { next } else { "/organizations".to_owned() };
            let mut response = see_other(&to);
            let cookie = session_cookie(&signed.token, SESSION_LIFETIME.whole_seconds(), is_tls(&uri, &headers));
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => {
            let status = crate::error::status_of(e.kind);
            let problem = match e.kind {
                ErrorKind::Throttled => e.message,
                ErrorKind::Unauthenticated => "The e-mail or password is not right.".to_owned(),
                _ => return PageError(e).into_response(),
            };
            let page = LoginPage { next, email: c.email, problem: Some(problem) };
            (status, page).into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
struct CsrfOnly {
    csrf: String,
}

async fn logout(State(state): State<AppState>, uri: Uri, headers: HeaderMap, Form(f): Form<CsrfOnly>) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Ok(principal) = authenticate(&state.cx, token).await
    {
        if !same_secret(f.csrf.as_bytes(), principal.session.csrf_token.as_bytes()) {
            return StatusCode::FORBIDDEN.into_response();
        }
        if let Err(e) = sign_out(&state.cx, &principal).await {
            return PageError(e).into_response();
        }
    }
    let mut response = see_other("/login");
    response.headers_mut().insert(header::SET_COOKIE, session_cookie("", 0, is_tls(&uri, &headers)));
    response
}

#[derive(Template, WebTemplate)]
#[template(path = "organizations.html")]
struct ChoosePage {
    user_name: String,
    csrf: String,
    /// (id, name, role label)
    orgs: Vec<(String, String, &'static str)>,
}

async fn choose(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let Some(token) = cookie(&headers, SESSION_COOKIE) else { return Ok(see_other("/login")) };
    let principal = match authenticate(&state.cx, token).await {
        Ok(p) => p,
        Err(e) if e.kind == ErrorKind::Unauthenticated => return Ok(see_other("/login")),
        Err(e) => return Err(e.into()),
    };
    let orgs = my_organizations(&state.cx, &principal).await?;
    Ok(ChoosePage {
        user_name: principal.user.display_name.to_string(),
        csrf: principal.session.csrf_token.clone(),
        orgs: orgs.into_iter().map(|(o, r)| (o.id.to_string(), o.name.to_string(), r.label())).collect(),
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
struct Switch {
    csrf: String,
    organization: String,
}

async fn switch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<Switch>,
) -> Result<Response, PageError> {
    let Some(token) = cookie(&headers, SESSION_COOKIE) else { return Ok(see_other("/login")) };
    let principal = authenticate(&state.cx, token).await?;
    let viewer_csrf = principal.session.csrf_token.clone();
    if !same_secret(f.csrf.as_bytes(), viewer_csrf.as_bytes()) {
        return Err(PageError(isms_app::AppError::new(
            ErrorKind::Forbidden,
            "csrf_token_missing",
            "this form is out of date; reload the page and try again",
        )));
    }
    let org: OrgId = f
        .organization
        .parse()
        .map_err(|_| isms_app::AppError::not_found(format!("organization {}", f.organization)))?;
    switch_organization(&state.cx, &principal, org).await?;
    Ok(see_other("/dashboard"))
}
