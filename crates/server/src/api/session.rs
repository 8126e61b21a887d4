//! `/api/v1/session`: sign in, who am I, sign out, switch organization.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use isms_app::sessions::{Principal, SESSION_LIFETIME, sign_in, sign_out, switch_organization};
use isms_domain::OrgId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::doc::{Access, Api, Op};
use super::{Body, Items};
use crate::auth::{Auth, ClientAddr, is_tls, session_cookie};
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    const SESSION: &str = "/api/v1/session";
    Api::default()
        .op(
            Op::new(
                "post",
                SESSION,
                "signIn",
                "session",
                "Sign in; sets the session cookie and returns the CSRF token",
            )
            .access(Access::Public)
            .body_type::<Credentials>()
            .answers::<SessionView>()
            .ok(201),
            post(create_session),
        )
        .op(
            Op::new("get", SESSION, "currentSession", "session", "Who is signed in, where, with which role")
                .access(Access::Session)
                .answers::<SessionView>(),
            get(current_session),
        )
        .op(
            Op::new("delete", SESSION, "signOut", "session", "Sign out").access(Access::Session).ok(204),
            delete(delete_session),
        )
        .op(
            Op::new(
                "put",
                "/api/v1/session/password",
                "changePassword",
                "session",
                "Change your own password; your other sessions end and (unless revoke_tokens is false) your API tokens and calendar addresses are revoked",
            )
            .access(Access::Session)
            .body_type::<PasswordChange>()
            .answers::<PasswordChanged>(),
            put(change_password),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/session/organizations",
                "myOrganizations",
                "session",
                "The organizations you belong to, with your role in each",
            )
            .access(Access::Session)
            .answers::<Items<MyOrganization>>(),
            get(my_organizations),
        )
        .op(
            Op::new(
                "put",
                "/api/v1/session/organization",
                "switchOrganization",
                "session",
                "Make another of your organizations the current one",
            )
            .access(Access::Session)
            .body_type::<Switch>()
            .answers::<Switched>(),
            put(switch),
        )
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Credentials {
    /// Login e-mail
    email: String,
    /// Password
    password: String,
}

/// Who is signed in, where, with which role.
#[derive(Debug, Serialize, JsonSchema)]
struct SessionView {
    /// The account.
    user: isms_domain::User,
    /// The current organization, if any.
    organization: Option<isms_domain::Organization>,
    /// The role there.
    role: Option<isms_domain::Role>,
    /// Send it as `x-csrf-token` with requests that change state.
    csrf_token: String,
    /// When the session ends.
    #[schemars(extend("format" = "date-time"))]
    expires_at: Option<String>,
}

fn describe(p: &Principal) -> SessionView {
    SessionView {
        user: p.user.clone(),
        organization: p.current.as_ref().map(|(o, _)| o.clone()),
        role: p.current.as_ref().map(|(_, r)| *r),
        csrf_token: p.session.csrf_token.clone(),
        expires_at: p.session.expires_at.format(&time::format_description::well_known::Rfc3339).ok(),
    }
}

/// One of your organizations.
#[derive(Debug, Serialize, JsonSchema)]
struct MyOrganization {
    /// The organization.
    organization: isms_domain::Organization,
    /// Your role there.
    role: isms_domain::Role,
    /// Whether it is the session's current one.
    current: bool,
}

/// The organization now current, and your role there.
#[derive(Debug, Serialize, JsonSchema)]
struct Switched {
    /// The organization.
    organization: isms_domain::Organization,
    /// Your role there.
    role: isms_domain::Role,
}

async fn create_session(
    axum::extract::State(state): axum::extract::State<AppState>,
    ClientAddr(address): ClientAddr,
    uri: Uri,
    headers: HeaderMap,
    Body(c): Body<Credentials>,
) -> Result<Response, ApiError> {
    if !crate::auth::same_site_form(&headers) {
        return Err(cross_site().into());
    }
    let signed = sign_in(&state.cx, &c.email, &c.password, &address).await?;
    let mut response = (StatusCode::CREATED, Json(json!(describe(&signed.principal)))).into_response();
    let cookie = session_cookie(&signed.token, SESSION_LIFETIME.whole_seconds(), is_tls(&uri, &headers));
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// A sign-in sent by another site's page (login CSRF).
pub(crate) fn cross_site() -> isms_app::AppError {
    isms_app::AppError::new(
        isms_app::Code::CrossSiteForm,
        "a sign-in must come from isms itself or a client that is not a browser on another site",
    )
}

async fn current_session(Auth(p): Auth) -> Response {
    let mut response = Json(json!(describe(&p))).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn delete_session(
    axum::extract::State(state): axum::extract::State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Auth(p): Auth,
) -> Result<Response, ApiError> {
    sign_out(&state.cx, &p).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie("", 0, is_tls(&uri, &headers)));
    Ok(response)
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Switch {
    /// The organization's id
    organization: String,
}

async fn switch(
    axum::extract::State(state): axum::extract::State<AppState>,
    Auth(p): Auth,
    Body(s): Body<Switch>,
) -> Result<Json<serde_json::Value>, ApiError> {
    // An unparsable id is as unknown as an id of someone else's organization.
    let org: OrgId = s
        .organization
        .parse()
        .map_err(|_| isms_app::AppError::not_found(format!("organization {}", s.organization)))?;
    let (organization, role) = switch_organization(&state.cx, &p, org).await?;
    Ok(Json(json!(Switched { organization, role })))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    /// The password now
    current_password: String,
    /// At least 12 characters
    new_password: String,
    /// Also revoke every API token and calendar address of the account (default true)
    #[serde(default = "yes")]
    revoke_tokens: bool,
}

fn yes() -> bool {
    true
}

/// A password changed.
#[derive(Debug, Serialize, JsonSchema)]
struct PasswordChanged {
    /// Every other session of the account has ended.
    other_sessions_ended: bool,
    /// How many API tokens and calendar addresses were revoked.
    tokens_revoked: u64,
}

async fn change_password(
    axum::extract::State(state): axum::extract::State<AppState>,
    Auth(p): Auth,
    Body(c): Body<PasswordChange>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let tokens_revoked =
        isms_app::sessions::change_password(&state.cx, &p, &c.current_password, &c.new_password, c.revoke_tokens)
            .await?;
    Ok(Json(json!(PasswordChanged { other_sessions_ended: true, tokens_revoked })))
}

async fn my_organizations(
    axum::extract::State(state): axum::extract::State<AppState>,
    Auth(p): Auth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let current = p.session.org;
    let orgs = isms_app::sessions::my_organizations(&state.cx, &p).await?;
    let items: Vec<_> = orgs
        .into_iter()
        .map(|(o, r)| MyOrganization { current: Some(o.id) == current, organization: o, role: r })
        .collect();
    Ok(Json(json!(Items { items })))
}
