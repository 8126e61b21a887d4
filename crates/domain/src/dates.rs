//! Calendar dates in JSON as `YYYY-MM-DD` (what people and API clients expect), read
//! back from that or from the `[year, ordinal]` pair earlier versions stored.

use serde::{Deserialize, Deserializer, Serializer};
use time::Date;
use time::macros::format_description;

#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    Text(String),
    Ordinal(i32, u16),
}

fn parse<E: serde::de::Error>(stored: Stored) -> Result<Date, E> {
    match stored {
        Stored::Text(t) => parse_text(&t).map_err(E::custom),
        Stored::Ordinal(year, day) => Date::from_ordinal_date(year, day).map_err(E::custom),
    }
}

/// Parses a date a person or a file gave (`YYYY-MM-DD`), refusing one outside
/// [`YEARS`]. Every date that comes in — JSON bodies, forms, CSV imports, command-line
/// flags — goes through here.
pub fn parse_text(text: &str) -> Result<Date, String> {
    let d = Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("{text:?} is not a date (YYYY-MM-DD)"))?;
    plausible(d).map_err(|m| format!("{text:?}: {m}"))
}

/// The longest span of days a person may give (a hundred years).
pub const MAX_DAYS: i64 = 36_525;

/// The day `days` days after `from`, refused (never a panic) when the count is
/// outside ±[`MAX_DAYS`] or the result falls outside [`YEARS`].
pub fn add_days(from: Date, days: i64) -> Result<Date, String> {
    if !(-MAX_DAYS..=MAX_DAYS).contains(&days) {
        return Err(format!("{days} days is more than {MAX_DAYS} (a hundred years)"));
    }
    let d = from
        .checked_add(time::Duration::days(days))
        .ok_or_else(|| format!("{days} days from {from} is past the end of the calendar"))?;
    plausible(d).map_err(|m| format!("{days} days from {from}: {m}"))
}

fn text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The years a date given by a person may fall in. Dates far outside them are typing
/// mistakes, and date arithmetic near the limits of the calendar would overflow.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Refuses a date outside [`YEARS`].
pub fn plausible(d: Date) -> Result<Date, String> {
    if YEARS.contains(&d.year()) {
        Ok(d)
    } else {
        Err(format!("the year must be between {} and {}", YEARS.start(), YEARS.end()))
    }
}

/// A moment as people read it on a page: `2026-12-07 09:41 UTC`.
pub fn minute(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).unwrap_or_else(|_| at.to_string())
}

/// `#[serde(with = "crate::dates::date")]`
pub mod date {
    use super::*;

    /// Writes `YYYY-MM-DD`.
    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&text(*d))
    }

    /// Reads `YYYY-MM-DD` or `[year, ordinal]`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        parse(Stored::deserialize(d)?)
    }
}

/// `#[serde(with = "crate::dates::option")]`
pub mod option {
    use super::*;

    /// Writes `YYYY-MM-DD` or null.
    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&text(*d)),
            None => s.serialize_none(),
        }
    }

    /// Reads `YYYY-MM-DD`, `[year, ordinal]` or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        Option::<Stored>::deserialize(d)?.map(parse).transpose()
    }
}

#[cfg(test)]
mod range_tests {
    use time::macros::date;

    #[test]
    fn dates_outside_the_plausible_years_are_refused_wherever_they_come_from() {
        assert_eq!(super::parse_text("2026-12-06"), Ok(date!(2026 - 12 - 06)));
        assert!(super::parse_text("9999-01-01").unwrap_err().contains("between 1900 and 2200"));
        assert!(super::parse_text("1899-12-31").is_err());
        assert!(super::parse_text("2026-02-30").unwrap_err().contains("is not a date"));
        let refused: Result<super::tests_support::Row, _> = serde_json::from_str(r#"{"on":"3000-01-01"}"#);
        assert!(refused.unwrap_err().to_string().contains("between 1900 and 2200"));
    }

    #[test]
    fn day_counts_are_bounded_and_never_overflow() {
        let today = date!(2026 - 12 - 06);
        assert_eq!(super::add_days(today, 30), Ok(date!(2027 - 01 - 05)));
        assert!(super::add_days(today, 10_000_000).unwrap_err().contains("a hundred years"));
        assert!(super::add_days(today, i64::MAX).is_err());
        assert!(super::add_days(date!(2150 - 01 - 01), 36_000).unwrap_err().contains("between 1900 and 2200"));
    }
}

#[cfg(test)]
mod tests_support {
    #[derive(Debug, serde::Deserialize)]
    pub struct Row {
        #[serde(with = "super::date")]
        #[allow(dead_code)]
        pub on: time::Date,
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use time::macros::date;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Row {
        #[serde(with = "super::date")]
        on: time::Date,
        #[serde(default, with = "super::option")]
        until: Option<time::Date>,
    }

    #[test]
    fn dates_are_written_as_text_and_read_from_text_or_the_old_pair() {
        let row = Row { on: date!(2028 - 02 - 29), until: None };
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(json, r#"{"on":"2028-02-29","until":null}"#);
        assert_eq!(serde_json::from_str::<Row>(&json).unwrap(), row);
        let old: Row = serde_json::from_str(r#"{"on":[2028,60],"until":[2026,1]}"#).unwrap();
        assert_eq!(old, Row { on: date!(2028 - 02 - 29), until: Some(date!(2026 - 01 - 01)) });
        let err = serde_json::from_str::<Row>(r#"{"on":"2028-02-30"}"#).unwrap_err().to_string();
        assert!(err.contains("not a date"), "{err}");
    }
}
