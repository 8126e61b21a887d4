//! The calendar of every date: audits, deadlines, corrective actions, reviews and
//! evidence requests.

use super::*;

/// One date in the calendar.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// A stable id (for calendar clients to update the same event).
    pub uid: String,
    /// What.
    pub summary: String,
    /// First day.
    #[serde(with = "isms_domain::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub start: Date,
    /// Last day (inclusive).
    #[serde(with = "isms_domain::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub end: Date,
    /// Where to look in isms.
    pub path: String,
}

/// Every date people should have in their calendars: audits, the certificate's
/// deadlines, corrective action due dates, document reviews, management review actions.
pub async fn events(cx: &Cx, actor: &Actor) -> AppResult<Vec<Event>> {
    actor.require(UseCase::ReadIsms)?;
    events_of(cx, actor.org()).await
}

/// [`events`] for the app's own use inside a checked use case.
pub(crate) async fn events_of(cx: &Cx, org: OrgId) -> AppResult<Vec<Event>> {
    let mut out = Vec::new();
    for a in audits_of(cx, org).await?.iter().filter(|a| a.status != AuditStatus::Cancelled) {
        out.push(Event {
            uid: format!("audit-{}", a.id),
            summary: format!("{}: {}", capitalized(a.kind.label()), a.title),
            start: a.start,
            end: a.end,
            path: format!("/audits/{}", a.id),
        });
    }
    if let Some(c) = current_certificate_of(cx, org).await? {
        let cycle = c.cycle();
        for (key, what, day) in [
            ("s1", "Surveillance audit 1 due", cycle.surveillance_1_due),
            ("s2", "Surveillance audit 2 due", cycle.surveillance_2_due),
            ("recert", "Plan the recertification audit", cycle.recertification_planned),
            ("expiry", "Certificate expires", cycle.expiry),
        ] {
            out.push(Event {
                uid: format!("certificate-{}-{key}", c.id),
                summary: format!("{what} (certificate {})", c.number),
                start: day,
                end: day,
                path: "/certification".into(),
            });
        }
    }
    for f in findings_of(cx, org).await?.iter().filter(|f| f.is_open() && f.grade.nonconformity()) {
        if let Some(due) = f.due {
            out.push(Event {
                uid: format!("finding-{}", f.id),
                summary: format!("Corrective action due: {} ({})", f.id, f.grade.label()),
                start: due,
                end: due,
                path: format!("/findings/{}", f.id),
            });
        }
    }
    for d in crate::documents::documents_of(cx, org).await? {
        if let Some(due) = d.review_due() {
            out.push(Event {
                uid: format!("document-{}-review", d.id),
                summary: format!("Review {} {}", d.id, d.title),
                start: due,
                end: due,
                path: format!("/documents/{}", d.id),
            });
        }
    }
    for r in management_reviews_of(cx, org).await? {
        for (i, a) in r.actions.iter().enumerate().filter(|(_, a)| !a.done) {
            out.push(Event {
                uid: format!("review-{}-action-{i}", r.id),
                summary: format!("Management review action due: {}", a.title),
                start: a.due,
                end: a.due,
                path: "/management-reviews".into(),
            });
        }
    }
    for r in crate::requests::requests_of(cx, org, None).await?.iter().filter(|r| r.status.with_team()) {
        if let Some(due) = r.due {
            out.push(Event {
                uid: format!("request-{}", r.id),
                summary: format!("Evidence request due: {} {} ({})", r.id, r.reference, r.audit),
                start: due,
                end: due,
                path: format!("/requests/{}", r.id),
            });
        }
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then(a.uid.cmp(&b.uid)));
    Ok(out)
}
