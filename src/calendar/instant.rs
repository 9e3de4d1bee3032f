//! The planning instant given with `--at`: RFC 3339, `YYYY-MM-DD` (the end of that
//! day, 23:59, office time) or `YYYY-MM-DDTHH:MM` (office time).

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;

use super::Calendar;

/// `--at` text that is none of the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtError {
    pub text: String,
}

impl fmt::Display for AtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a time rota understands: use 2026-03-31 (end of that day), \
             2026-03-31T18:30 (office time) or 2026-03-31T18:30:00-04:00 (RFC 3339)",
            self.text
        )
    }
}

impl std::error::Error for AtError {}

/// Parses `--at` text into an instant in the office time zone.
pub fn parse_at(text: &str, calendar: &Calendar) -> Result<DateTime<Tz>, AtError> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&calendar.timezone));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let end_of_day = NaiveTime::from_hms_opt(23, 59, 0).expect("valid time");
        return Ok(calendar.instant_of(date.and_time(end_of_day)));
    }
    for format in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(calendar.instant_of(local));
        }
    }
    Err(AtError {
        text: text.to_string(),
    })
}
