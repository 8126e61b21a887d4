//! The iCalendar feed of every certification date.

use super::*;

pub(super) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/calendar.ics", "calendar", AUDITS, "Audit dates, certificate deadlines, corrective actions and reviews as an iCalendar feed; calendar applications pass a calendar token (POST /api/v1/calendar/tokens) as ?token=").exports(&[ICALENDAR]),
            get(calendar),
        )
}

/// The feed answers a session, an API token as `Authorization: Bearer`, or a calendar
/// token as `?token=` (calendar applications cannot send headers; an address gets
/// copied and shared, so only a calendar token — which opens nothing else — may
/// travel in one).
async fn calendar(State(s): State<AppState>, Query(q): Params, request: Request) -> Result<Response, ApiError> {
    let (mut parts, _) = request.into_parts();
    let caller = match q.get("token") {
        Some(t) => isms_app::tokens::authenticate_calendar(&s.cx, t.trim()).await?,
        None => Member::from_request_parts(&mut parts, &s).await?.0,
    };
    let base = crate::auth::base_url(&parts.uri, &parts.headers);
    let ics = isms_app::certification_reports::calendar(&s.cx, &caller, &base).await?;
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], ics)
        .into_response())
}
