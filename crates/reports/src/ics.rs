//! iCalendar (RFC 5545) feeds: all-day events for audits, certificate deadlines,
//! corrective actions and reviews, for people's calendar applications. Lines end in
//! CRLF and are folded at 75 octets (never inside a UTF-8 character); text is escaped.

use time::{Date, Duration, OffsetDateTime};

/// One all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    /// Stable across feeds, so calendars update the event rather than add another.
    pub uid: String,
    /// The title.
    pub summary: String,
    /// First day.
    pub start: Date,
    /// Last day (inclusive).
    pub end: Date,
    /// A link to it.
    pub url: Option<String>,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded at 75 octets.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn day(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The calendar `name` with `events`, stamped `now`; `domain` qualifies the UIDs.
pub fn calendar(name: &str, domain: &str, events: &[IcsEvent], now: OffsetDateTime) -> String {
    let mut out = String::new();
    let stamp = {
        let t = now.to_offset(time::UtcOffset::UTC);
        format!("{}T{:02}{:02}{:02}Z", day(t.date()), t.hour(), t.minute(), t.second())
    };
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//isms//isms calendar//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}@{}", escape(&e.uid), escape(domain)));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        line(&mut out, &format!("DTSTART;VALUE=DATE:{}", day(e.start)));
        // DTEND of an all-day event is the day after the last one.
        let last = e.end.max(e.start);
        line(&mut out, &format!("DTEND;VALUE=DATE:{}", day(last.checked_add(Duration::days(1)).unwrap_or(last))));
        line(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        if let Some(url) = &e.url {
            line(&mut out, &format!("URL:{}", url.replace(['\r', '\n'], "")));
        }
        line(&mut out, "TRANSP:TRANSPARENT");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn events_are_all_day_escaped_and_folded() {
        let long = "Corrective action due: FND-001, backups; restore \\ test ".repeat(3) + "— ünïcödé";
        let events = [IcsEvent {
            uid: "finding-FND-001".into(),
            summary: long,
            start: date!(2027 - 03 - 15),
            end: date!(2027 - 03 - 15),
            url: Some("https://isms.example/findings/FND-001".into()),
        }];
        let ics = calendar("Acme ISMS", "acme.example", &events, datetime!(2026-11-26 10:00 UTC));
        assert!(ics.contains("DTSTART;VALUE=DATE:20270315\r\nDTEND;VALUE=DATE:20270316\r\n"), "{ics}");
        assert!(ics.contains("UID:finding-FND-001@acme.example"));
        assert!(ics.contains("FND-001\\, backups\\; restore \\\\ test"));
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }
}
