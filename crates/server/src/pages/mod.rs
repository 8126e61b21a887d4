//! Server-rendered HTML pages. Each page is a view-model struct rendered by an askama
//! template under `templates/` (checked at compile time, HTML-escaped by default).
//!
//! Pages use the same session as the API. A page handler takes a [`Viewer`] (signed
//! in, with a current organization — otherwise it redirects to sign in or to choose
//! one) and calls the same use cases as the API with the member as actor, so the role checks are the
//! same. Forms carry the session's CSRF token in a hidden `csrf` field; scripts read it
//! from `<meta name="csrf-token">` and call the JSON API. Every page works without
//! scripts; `assets/app.js` only makes edits and filters quicker.

mod advisor;
mod assets;
mod audit;
mod certification;
mod checks;
mod context;
mod controls;
mod coverage;
mod dashboard;
mod documents;
mod evidence;
mod frameworks;
mod gap;
mod home;
mod login;
mod markdown;
mod methodology;
mod people;
mod risks;
mod search;
mod soa;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use isms_app::Code;
use isms_app::access::Actor;
use isms_app::sessions::{Principal, authenticate, my_organizations};
use isms_app::{AppError, ErrorKind};
use isms_domain::access::{Grant, UseCase, grant};
use isms_domain::{Organization, Role};

use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie, same_secret};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(home::routes())
        .merge(login::routes())
        .merge(dashboard::routes())
        .merge(search::routes())
        .merge(soa::routes())
        .merge(controls::routes())
        .merge(risks::routes())
        .merge(audit::routes())
        .merge(frameworks::routes())
        .merge(coverage::routes())
        .merge(advisor::routes())
        .merge(gap::routes())
        .merge(context::routes())
        .merge(people::routes())
        .merge(assets::routes())
        .merge(methodology::routes())
        .merge(evidence::routes())
        .merge(checks::routes())
        .merge(documents::routes())
        .merge(certification::routes())
        .layer(axum::middleware::map_response(no_store))
}

/// Pages show an organization's records: browsers and proxies must not keep copies.
async fn no_store(mut response: Response) -> Response {
    response.headers_mut().entry(header::CACHE_CONTROL).or_insert(axum::http::HeaderValue::from_static("no-store"));
    response
}

/// What the signed-in person may do here, for deciding what to offer. The use cases
/// check again when asked; this only keeps forbidden actions off the page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Can {
    role: Role,
}

impl Can {
    pub fn grant(self, use_case: UseCase) -> Grant {
        grant(self.role, use_case)
    }
    pub fn any(self, use_case: UseCase) -> bool {
        self.grant(use_case) == Grant::Any
    }
    pub fn some(self, use_case: UseCase) -> bool {
        self.grant(use_case) != Grant::Denied
    }
    pub fn edit_risks(self) -> bool {
        self.some(UseCase::EditRisks)
    }
    pub fn approve_soa(self) -> bool {
        self.any(UseCase::ApproveSoa)
    }
    /// Reads the ISMS (everyone but an external auditor, who sees their audit only).
    pub fn read_isms(self) -> bool {
        self.some(UseCase::ReadIsms)
    }
    pub fn read_trail(self) -> bool {
        self.any(UseCase::ReadAuditTrail)
    }
}

/// The frame around every signed-in page: who, where, the organization switcher and
/// the navigation.
#[derive(Debug, Clone)]
pub(crate) struct Shell {
    pub user_name: String,
    pub user_email: String,
    pub org_id: String,
    pub org_name: String,
    pub role: &'static str,
    pub csrf: String,
    /// (id, name, role label) of the other organizations, for the switcher.
    pub others: Vec<(String, String, &'static str)>,
    /// The section shown, for the navigation.
    pub section: &'static str,
    pub can: Can,
}

impl Shell {
    /// The label of the section shown.
    pub fn section_label(&self) -> &'static str {
        self.nav().into_iter().find(|(s, _, _)| *s == self.section).map_or("", |(_, _, label)| label)
    }

    /// The navigation: (section, href, label).
    pub fn nav(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        if !self.can.some(UseCase::ReadIsms) {
            // An external auditor: their audit workspace, nothing else.
            return vec![("audits", "/dashboard", "Audit workspace")];
        }
        let mut items = vec![
            ("dashboard", "/dashboard", "Dashboard"),
            ("soa", "/soa", "SoA"),
            ("risks", "/risks", "Risks"),
            ("documents", "/documents", "Documents"),
            ("evidence", "/evidence", "Evidence"),
            ("checks", "/checks", "Monitoring"),
            ("audits", "/audits", "Audits"),
            ("certification", "/certification", "Certification"),
            ("context", "/context", "Context"),
            ("assets", "/assets", "Assets"),
            ("frameworks", "/frameworks", "Frameworks"),
        ];
        if self.can.read_trail() {
            items.push(("trail", "/audit-log", "Audit trail"));
        }
        items.push(("members", "/members", "Members"));
        items.push(("tokens", "/tokens", "API tokens"));
        items
    }
}

/// A signed-in person with a current organization.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    pub principal: Principal,
    pub caller: Actor,
    pub org: Organization,
    pub orgs: Vec<(Organization, Role)>,
}

impl Viewer {
    /// The viewer's role in the current organization.
    pub fn role(&self) -> Role {
        self.principal.current.as_ref().map_or(Role::Viewer, |(_, role)| *role)
    }

    /// The page frame, with `section` highlighted.
    pub fn shell(&self, section: &'static str) -> Shell {
        Shell {
            user_name: self.principal.user.display_name.to_string(),
            user_email: self.principal.user.email.to_string(),
            org_id: self.org.id.to_string(),
            org_name: self.org.name.to_string(),
            role: self.role().label(),
            csrf: self.principal.session.csrf_token.clone(),
            others: self
                .orgs
                .iter()
                .filter(|(o, _)| o.id != self.org.id)
                .map(|(o, r)| (o.id.to_string(), o.name.to_string(), r.label()))
                .collect(),
            section,
            can: Can { role: self.role() },
        }
    }

    /// Refuses a form whose `csrf` field is not this session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if same_secret(sent.as_bytes(), self.principal.session.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(PageError(AppError::new(
                Code::CsrfTokenMissing,
                "this form is out of date or did not come from isms; reload the page and try again",
            )))
        }
    }
}

/// Where an unauthenticated visitor goes: the sign-in page, back here afterwards.
fn to_login(parts: &Parts) -> Response {
    let here = parts.uri.path_and_query().map_or("/dashboard", |p| p.as_str());
    Redirect::to(&format!("/login?next={}", encode(here))).into_response()
}

/// Percent-encodes a path and query for use as a query value.
pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else { return Err(to_login(parts)) };
        let principal = match authenticate(&state.cx, token).await {
            Ok(p) => p,
            Err(e) if e.kind == ErrorKind::Unauthenticated => return Err(to_login(parts)),
            Err(e) => return Err(PageError(e).into_response()),
        };
        let Some((org, _)) = principal.current.clone() else {
            return Err(Redirect::to("/organizations").into_response());
        };
        let caller = principal.actor().map_err(|e| PageError(e).into_response())?;
        let orgs = my_organizations(&state.cx, &principal).await.map_err(|e| PageError(e).into_response())?;
        Ok(Viewer { principal, caller, org, orgs })
    }
}

/// An error shown as a page: the status of its kind, and what went wrong in words.
#[derive(Debug)]
pub(crate) struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: &'static str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = crate::error::status_of(self.0.kind);
        let (title, message) = match self.0.kind {
            ErrorKind::Forbidden => ("Not allowed", self.0.message),
            ErrorKind::NotFound => ("Not found", self.0.message),
            ErrorKind::Invalid | ErrorKind::Conflict => ("That did not work", self.0.message),
            ErrorKind::Internal => {
                tracing::error!(code = self.0.code.as_str(), error = %self.0.message, "page failed");
                ("Something went wrong", "The server could not show this page; the error is in its log.".to_owned())
            }
            _ => ("That did not work", self.0.message),
        };
        let page = ErrorPage { status: status.as_u16(), title, message };
        let mut response = page.into_response();
        *response.status_mut() = status;
        response
    }
}

/// The router's fallback: a browser asking for a page that does not exist gets a page
/// with the navigation and the way back; the API and everything else a problem.
pub(crate) async fn fallback(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    let browser = headers.get(header::ACCEPT).and_then(|a| a.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if uri.path().starts_with("/api/") || !browser {
        return crate::error::not_found(uri).await;
    }
    PageError(AppError::new(Code::NotFound, format!("there is nothing at {}", uri.path()))).into_response()
}

/// An invalid input's problems as (field, message) pairs, for a form shown again with
/// them (a problem without a field is named by the error's message).
pub(crate) fn form_problems(e: &AppError) -> Vec<(String, String)> {
    if e.fields.is_empty() {
        return vec![("problem".to_owned(), e.message.clone())];
    }
    e.fields.iter().map(|p| (p.field.clone(), p.message.clone())).collect()
}

/// The organization's members as the pages show them, read once per page: names by
/// e-mail address (a former member's address is shown as it is), and who an owner
/// picker offers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    by_email: std::collections::HashMap<String, String>,
    /// (e-mail, name) of the enabled members whose role may own things (not auditors,
    /// not viewers), by name.
    owners: Vec<(String, String)>,
}

impl Names {
    /// The organization's members.
    pub(crate) async fn load(cx: &isms_app::Cx, actor: &Actor) -> Result<Names, PageError> {
        let members = isms_app::users::members(cx, actor).await?;
        let mut owners: Vec<(String, String)> = members
            .iter()
            .filter(|m| !m.disabled && m.role.may_own())
            .map(|m| (m.email.to_string(), m.name.to_string()))
            .collect();
        owners.sort_by_key(|p| p.1.to_lowercase());
        let by_email = members.into_iter().map(|m| (m.email.as_str().to_lowercase(), m.name.to_string())).collect();
        Ok(Names { by_email, owners })
    }

    /// The name for `email`, or `email` itself.
    pub(crate) fn of(&self, email: &str) -> String {
        self.by_email.get(&email.trim().to_lowercase()).cloned().unwrap_or_else(|| email.to_owned())
    }

    /// Each of several addresses (`a@x, b@x`) as names.
    pub(crate) fn all(&self, emails: &str) -> String {
        emails.split(',').map(|e| self.of(e.trim())).filter(|e| !e.is_empty()).collect::<Vec<_>>().join(", ")
    }

    /// The people an owner picker offers: (e-mail, name).
    pub(crate) fn owners(&self) -> Vec<(String, String)> {
        self.owners.clone()
    }
}

/// [`Names::owners`] for a page that shows no other names.
pub(crate) async fn owner_choices(cx: &isms_app::Cx, actor: &Actor) -> Result<Vec<(String, String)>, PageError> {
    Ok(Names::load(cx, actor).await?.owners())
}

/// Where a record of the trail, a readiness problem or a search lives in the pages (none
/// for records without one, such as sessions).
pub(crate) fn record_href(entity: &str, id: &str) -> Option<String> {
    let id = encode(id.split('/').next().unwrap_or(id));
    Some(match entity {
        "risk" => format!("/risks/{id}"),
        "fair_result" if id == "PORTFOLIO" => "/risks/quantitative".to_owned(),
        "fair_result" => format!("/risks/{id}#fair"),
        "loss_appetite" => "/risks/quantitative#appetite".to_owned(),
        "control" => format!("/controls/{id}"),
        "document" => format!("/documents/{id}"),
        "document_acknowledgement" => "/documents".to_owned(),
        "asset" => format!("/assets/{id}"),
        "audit" => format!("/audits/{id}"),
        "audit_settings" => "/audits".to_owned(),
        "finding" => format!("/findings/{id}"),
        "check" => format!("/checks/{id}"),
        "check_run" => format!("/check-runs/{id}"),
        "evidence" => format!("/evidence#{id}"),
        "management_review" => "/management-reviews".to_owned(),
        "certificate" => "/certification".to_owned(),
        "soa" | "soa_version" => "/soa".to_owned(),
        "methodology" => "/methodology".to_owned(),
        "classification_scheme" => "/assets".to_owned(),
        "scope" | "context_issue" | "interested_party" | "isms_role" | "objective" => "/context".to_owned(),
        "membership" | "invitation" => "/members".to_owned(),
        "api_token" => "/tokens".to_owned(),
        _ => return None,
    })
}

/// A redirect after a successful form post (303: the browser follows with GET).
pub(crate) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

/// A flash message carried in the query string after a redirect (`?done=...`).
pub(crate) fn notice(done: Option<&str>) -> Option<String> {
    done.map(|d| d.chars().filter(|c| !c.is_control()).take(200).collect())
}

/// An enum's written name for people (`contractual`, `on track`).
pub(crate) fn word<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(isms_domain::text::words)).unwrap_or_default()
}

/// The id a picker's value names: its first word (`A.8.13 Information backup`).
pub(crate) fn picked(text: &str) -> &str {
    text.split_whitespace().next().unwrap_or_default()
}

/// A page form from a signed-in member, with its CSRF token checked: the extractor
/// takes the [`Viewer`] (redirecting to sign-in without one), reads the
/// `application/x-www-form-urlencoded` body, refuses it (403) unless its `csrf` field
/// is the session's token, and only then reads the form into `T` (422 naming the
/// problem otherwise). Handlers cannot forget the check: there is no other way to get
/// a page form.
pub(crate) struct CsrfForm<T>(pub Viewer, pub T);

/// A form with nothing but its CSRF token (a button).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct NoFields {}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let request = axum::extract::Request::from_parts(parts, body);
        let bytes = axum::body::Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        let token: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField { csrf: String::new() });
        viewer.check_csrf(&token.csrf).map_err(IntoResponse::into_response)?;
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| PageError(AppError::invalid_field("form", e)).into_response())?;
        Ok(CsrfForm(viewer, form))
    }
}

/// The most a text field of an upload form may hold.
pub(crate) const MAX_FORM_TEXT: usize = 64 * 1024;
/// The most text fields an upload form may have before its file.
const MAX_FORM_FIELDS: usize = 16;

/// One text field of an upload form, checked as the form is read: the first field
/// must be the CSRF token (checked before anything else is read), there may be at most
/// [`MAX_FORM_FIELDS`] fields, and each holds at most [`MAX_FORM_TEXT`] bytes — so a
/// member cannot make the server hold more than a few hundred kilobytes of form text.
/// The session and role are checked before any of the body is read. Answers `None`
/// for the token itself.
pub(crate) async fn upload_text(
    viewer: &Viewer,
    seen: &mut usize,
    name: &str,
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<Option<String>, PageError> {
    let bad = |field: &str, message: String| PageError(AppError::invalid_field(field, message));
    if *seen == 0 && name != "csrf" {
        return Err(PageError(AppError::new(
            Code::CsrfTokenMissing,
            "the form's token must come first; reload the page and try again",
        )));
    }
    *seen += 1;
    if *seen > MAX_FORM_FIELDS {
        return Err(bad("form", format!("an upload form has at most {MAX_FORM_FIELDS} fields")));
    }
    let mut value = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| bad(name, e.body_text()))? {
        if value.len() + chunk.len() > MAX_FORM_TEXT {
            return Err(PageError(AppError::new(
                Code::FieldTooLarge,
                format!("the field {name:?} holds more than {} KiB", MAX_FORM_TEXT / 1024),
            )));
        }
        value.extend_from_slice(&chunk);
    }
    let value = String::from_utf8(value).map_err(|_| bad(name, "is not UTF-8 text".to_owned()))?;
    if *seen == 1 {
        viewer.check_csrf(&value)?;
        return Ok(None);
    }
    Ok(Some(value))
}

#[cfg(test)]
mod convention_tests {
    /// Page forms of signed-in members are read only through [`super::CsrfForm`], which
    /// checks the CSRF token: no page handler reads a plain `Form` (only the sign-in
    /// pages, which have no session yet, and check what they need themselves).
    #[test]
    fn page_forms_go_through_the_csrf_extractor() {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src/pages"));
        let mut files = Vec::new();
        let mut dirs = vec![dir.to_path_buf()];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() { dirs.push(path) } else { files.push(path) }
            }
        }
        let mut offenders = Vec::new();
        for path in files {
            let name = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if name == "login.rs" || name == "mod.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let plain = line.replace("CsrfForm", "");
                if plain.contains("Form<") || plain.contains("check_csrf(") {
                    offenders.push(format!("{name}:{}: {}", n + 1, line.trim()));
                }
            }
        }
        assert!(offenders.is_empty(), "read page forms with CsrfForm<T>:\n{}", offenders.join("\n"));
    }
}
