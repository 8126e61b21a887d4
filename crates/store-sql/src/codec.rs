//! Conversions between domain values and their stored text, and between sqlx errors
//! and [`StoreError`].

use isms_store::StoreError;
use sqlx::error::ErrorKind;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// Formats an instant as fixed-width RFC 3339 UTC text (sorts in time order).
pub(crate) fn instant_to_text(at: OffsetDateTime) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    at.to_offset(time::UtcOffset::UTC).format(&fmt).unwrap_or_else(|_| at.to_string())
}

/// Parses stored instant text.
pub(crate) fn text_to_instant(column: &str, text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| StoreError::Corrupt(format!("column {column} holds {text:?}, not an RFC 3339 instant: {e}")))
}

/// Formats a civil date as `YYYY-MM-DD`.
pub(crate) fn date_to_text(date: time::Date) -> String {
    let fmt = format_description!("[year]-[month]-[day]");
    date.format(&fmt).unwrap_or_else(|_| date.to_string())
}

/// Parses stored `YYYY-MM-DD` text.
pub(crate) fn text_to_date(column: &str, text: &str) -> Result<time::Date, StoreError> {
    let fmt = format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &fmt)
        .map_err(|e| StoreError::Corrupt(format!("column {column} holds {text:?}, not a date: {e}")))
}

/// Turns a domain parse failure of a stored value into `Corrupt`.
pub(crate) fn corrupt(column: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("column {column}: {error}"))
}

/// Maps a sqlx error. `what` describes the thing being written, for conflicts.
#[expect(clippy::needless_pass_by_value, reason = "shaped for .map_err; callers hand the error over")]
pub(crate) fn map_err(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        // PostgreSQL cannot store U+0000 in text (22021, 22P05).
        sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("22021" | "22P05")) => {
            StoreError::Invalid(format!("{what}: text cannot contain the NUL character (U+0000)"))
        }
        sqlx::Error::Database(db) => match db.kind() {
            ErrorKind::UniqueViolation => StoreError::Conflict(format!("{what} already exists")),
            ErrorKind::ForeignKeyViolation => {
                StoreError::Conflict(format!("{what} refers to something that does not exist"))
            }
            ErrorKind::CheckViolation | ErrorKind::NotNullViolation => {
                StoreError::Corrupt(format!("{what} breaks a database constraint: {}", db.message()))
            }
            _ => StoreError::Unavailable(db.message().to_owned()),
        },
        sqlx::Error::RowNotFound => StoreError::NotFound(what.to_owned()),
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::TypeNotFound { .. } => StoreError::Corrupt(e.to_string()),
        _ => StoreError::Unavailable(e.to_string()),
    }
}

/// Shorthand used on every query: `.map_err(err("organization Acme"))`.
pub(crate) fn err(what: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |e| map_err(e, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_at_microsecond_precision() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_764_099_546_123_456_000).unwrap();
        let text = instant_to_text(at);
        assert_eq!(text, "2025-11-25T19:39:06.123456Z");
        assert_eq!(text_to_instant("at", &text).unwrap(), at);
    }

    #[test]
    fn unreadable_instants_are_reported_as_corrupt_with_the_column() {
        let e = text_to_instant("created_at", "yesterday").unwrap_err();
        assert!(matches!(e, StoreError::Corrupt(m) if m.contains("created_at")));
    }
}
