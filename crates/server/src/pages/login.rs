//! Signing in and out, and choosing the organization to work in.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use isms_app::Code;
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
        .route("/invite/{secret}", get(invitation).post(accept_invitation))
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

/// Only a plain absolute path on this site is followed after sign-in (no open
/// redirect): it must parse as a path, start with one `/`, and hold no control
/// characters, spaces or backslashes (browsers drop tabs and newlines and read `\` as
/// `/`, which turns `/\t/evil.example` into `//evil.example`).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    const HOME: &str = "/dashboard";
    let Some(n) = next else { return HOME.to_owned() };
    let plain = n.starts_with('/')
        && !n.starts_with("//")
        && !n.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        && n.parse::<axum::http::uri::PathAndQuery>().is_ok_and(|p| p.as_str() == n);
    if plain { n.to_owned() } else { HOME.to_owned() }
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
    // A sign-in form posted from another site would sign this browser in to the
    // other site's choice of account (login CSRF).
    if !crate::auth::same_site_form(&headers) {
        let page = LoginPage {
            next,
            email: String::new(),
            problem: Some("This sign-in form came from another site. Sign in here instead.".into()),
        };
        return (StatusCode::FORBIDDEN, page).into_response();
    }
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
                // Throttled, or a right password whose access has ended (an external auditor's).
                ErrorKind::Throttled | ErrorKind::Forbidden => e.message,
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
            Code::CsrfTokenMissing,
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

/// What the invitation page shows about the offer.
struct OfferView {
    email: String,
    name: String,
    role: &'static str,
    expires: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "invite.html")]
struct InvitePage {
    org_name: String,
    offer: Option<OfferView>,
    action: String,
    problem: Option<String>,
}

async fn invite_page(state: &AppState, secret: &str, problem: Option<String>) -> Result<InvitePage, PageError> {
    match isms_app::invitations::offer(&state.cx, secret).await {
        Ok(o) => Ok(InvitePage {
            org_name: o.organization.name.to_string(),
            offer: Some(OfferView {
                email: o.invitation.email.to_string(),
                name: o.invitation.name.to_string(),
                role: o.invitation.role.label(),
                expires: o.invitation.expires_at.date().to_string(),
            }),
            action: format!("{}{secret}", isms_app::invitations::LINK_PATH),
            problem,
        }),
        Err(e) if e.kind == ErrorKind::NotFound => {
            Ok(InvitePage { org_name: String::new(), offer: None, action: String::new(), problem: Some(e.message) })
        }
        Err(e) => Err(e.into()),
    }
}

/// The page an invitation link opens. It never caches, and sends no referrer on, so
/// the secret in its address goes nowhere else.
async fn invitation(
    State(state): State<AppState>,
    axum::extract::Path(secret): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let page = invite_page(&state, &secret, None).await?;
    let status = if page.offer.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    let mut response = (status, page).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct AcceptForm {
    #[serde(default)]
    name: String,
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn accept_invitation(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    axum::extract::Path(secret): axum::extract::Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Form(f): Form<AcceptForm>,
) -> Result<Response, PageError> {
    if !crate::auth::same_site_form(&headers) {
        return Err(PageError(isms_app::AppError::new(
            Code::CrossSiteForm,
            "this form was sent from another site; open the invitation link and try again",
        )));
    }
    let retry = async |problem: String, status: StatusCode| -> Result<Response, PageError> {
        let page = invite_page(&state, &secret, Some(problem)).await?;
        Ok((status, page).into_response())
    };
    if f.password != f.confirm {
        return retry(
            "The two passwords differ; type the same password twice.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let name = match isms_domain::DisplayName::parse(&f.name) {
        Ok(n) => Some(n),
        Err(e) => return retry(format!("Your name: {e}."), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match isms_app::invitations::accept(&state.cx, &secret, &f.password, name, &address).await {
        Ok(signed) => {
            let mut response = see_other("/dashboard");
            let cookie = session_cookie(&signed.token, SESSION_LIFETIME.whole_seconds(), is_tls(&uri, &headers));
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Err(e) => match e.kind {
            ErrorKind::Invalid => {
                let text = e.fields.iter().map(|f| f.message.clone()).next().unwrap_or(e.message);
                retry(format!("Password: {text}."), StatusCode::UNPROCESSABLE_ENTITY).await
            }
            ErrorKind::Unauthenticated => {
                retry(
                    "This address already has an isms account, and that is not its password. Enter the password you sign in with."
                        .into(),
                    StatusCode::UNAUTHORIZED,
                )
                .await
            }
            ErrorKind::Throttled | ErrorKind::Conflict => retry(e.message.clone(), crate::error::status_of(e.kind)).await,
            _ => Err(e.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_plain_same_site_paths_are_followed() {
        for good in ["/risks", "/risks/RSK-001?tab=controls", "/search?q=a%20b"] {
            assert_eq!(safe_next(Some(good)), good);
        }
        for bad in [
            "//evil.example/",
            "/\\evil.example/",
            "/\t/evil.example/",
            "/\n/evil.example",
            "https://evil.example/",
            "evil.example",
            "/ /evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/dashboard", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/dashboard");
    }
}
