//! Who is calling: the session cookie (with its CSRF token on every state-changing
//! request) and the client's address. Handlers take [`Auth`] and pass the principal
//! to the use case, which checks the role.

use isms_app::Code;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use isms_app::AppError;
use isms_app::access::Actor;
use isms_app::sessions::{Principal, authenticate};
use isms_app::tokens::authenticate_token;

use crate::{ApiError, AppState};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "isms_session";
/// Header carrying the session's CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of a cookie in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// The session cookie: HttpOnly (scripts never read it), SameSite=Lax (not sent on
/// cross-site posts), Secure when served over TLS. An empty value with max age 0
/// removes it.
pub(crate) fn session_cookie(value: &str, max_age: i64, tls: bool) -> axum::http::HeaderValue {
    let secure = if tls { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    axum::http::HeaderValue::from_str(&cookie)
        .unwrap_or_else(|_| axum::http::HeaderValue::from_static("isms_session=; Max-Age=0"))
}

/// True when the request reached us over TLS, directly or through a proxy.
pub fn is_tls(parts_uri: &axum::http::Uri, headers: &HeaderMap) -> bool {
    parts_uri.scheme_str() == Some("https")
        || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

/// The address the client reached this server at (`https://isms.example`), for links
/// that leave the page (calendar feeds); empty without a `Host` header.
pub fn base_url(uri: &axum::http::Uri, headers: &HeaderMap) -> String {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return String::new() };
    format!("{}://{host}", if is_tls(uri, headers) { "https" } else { "http" })
}

/// Compares two secrets in time independent of where they first differ.
pub(crate) fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a form post comes from our own pages, by the browser's word: modern
/// browsers send `Sec-Fetch-Site` (it must be `same-origin`, or `none` when the person
/// typed or bookmarked the address); otherwise an `Origin` must name this host.
/// Requests with neither (scripts, very old browsers) are let through: no browser
/// sends a cross-site form without them.
pub(crate) fn same_site_form(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// A signed-in caller.
#[derive(Debug, Clone)]
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token =
            cookie(&parts.headers, SESSION_COOKIE).ok_or_else(|| AppError::new(Code::NotSignedIn, "sign in first"))?;
        let principal = authenticate(&state.cx, token).await?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts.headers.get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
            if !same_secret(sent, principal.session.csrf_token.as_bytes()) {
                return Err(AppError::new(
                    Code::CsrfTokenMissing,
                    format!("a state-changing request must carry the session's {CSRF_HEADER} header"),
                )
                .into());
            }
        }
        Ok(Self(principal))
    }
}

/// The client's address: the socket's peer, or — when the peer is a trusted reverse
/// proxy — the right-most address in `X-Forwarded-For` (all its lines) that is not a
/// trusted proxy (see [`crate::TrustedProxies::client`]). "unknown" when the server
/// runs without connection info.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()) else {
            return Ok(Self("unknown".to_owned()));
        };
        let lines: Vec<&str> =
            parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        Ok(Self(state.options.trusted_proxies.client(peer, &lines).to_string()))
    }
}

/// Where links that leave the page point: the configured public address, or the
/// address the client reached us at.
pub fn public_base(state: &AppState, uri: &axum::http::Uri, headers: &HeaderMap) -> String {
    match &state.options.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => base_url(uri, headers),
    }
}

/// A member acting in an organization: by API token (`Authorization: Bearer`, no
/// CSRF token needed since browsers never attach it on their own) or by session
/// cookie (with the CSRF rules of [`Auth`]).
#[derive(Debug, Clone)]
pub struct Member(pub Actor);

impl FromRequestParts<AppState> for Member {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
        if let Some(secret) = bearer {
            return Ok(Self(authenticate_token(&state.cx, secret.trim()).await?));
        }
        let Auth(principal) = Auth::from_request_parts(parts, state).await?;
        Ok(Self(principal.actor()?))
    }
}
