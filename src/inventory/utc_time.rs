//! Reading the times in rota's own records (manifests and the catalog: when
//! each copy was made and verified). rota writes them as chrono does, RFC 3339
//! in UTC (`2026-03-31T23:05:12.345678901Z`); a large office's catalog and
//! manifests hold 100,000s, and chrono's general parser was a tenth of the
//! scan. That one form is read directly; anything else (another offset, a leap
//! second, a record edited by hand) goes to chrono, so what is accepted and
//! what it means are exactly chrono's.
//!
//! Use with `#[serde(deserialize_with = "utc_time::required")]`, or
//! `"utc_time::optional"` on an `Option` field (with `default`).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use serde::de::{self, Deserializer, Visitor};

/// A required time.
pub fn required<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(TimeVisitor)
}

/// A time that may be `null`.
pub fn optional<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    deserializer.deserialize_option(OptionalVisitor)
}

/// `text` as chrono's `Deserialize` for `DateTime<Utc>` reads it.
pub fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match parse_utc(text.as_bytes()) {
        Some(time) => Ok(time),
        None => text
            .parse::<DateTime<FixedOffset>>()
            .map(|time| time.with_timezone(&Utc)),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.F{1,9}]Z`, or None for any other form (chrono's).
fn parse_utc(bytes: &[u8]) -> Option<DateTime<Utc>> {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = bytes.get(range)?;
        digits.iter().try_fold(0u32, |value, digit| {
            digit
                .is_ascii_digit()
                .then(|| value * 10 + u32::from(digit - b'0'))
        })
    };
    let punctuation = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if punctuation
        .iter()
        .any(|(at, expected)| bytes.get(*at) != Some(expected))
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?;
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let rest = &bytes[19..];
    let (nanos, rest) = match rest.strip_prefix(b".") {
        Some(fraction) => {
            let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if !(1..=9).contains(&digits) {
                return None;
            }
            let value = number(20..20 + digits)?;
            (value * 10u32.pow(9 - digits as u32), &fraction[digits..])
        }
        None => (0, rest),
    };
    // A leap second (60) is left to chrono.
    if rest != b"Z" || second > 59 {
        return None;
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(date.and_time(time).and_utc())
}

struct TimeVisitor;

impl Visitor<'_> for TimeVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("an RFC 3339 date and time")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
        parse(text).map_err(E::custom)
    }
}

struct OptionalVisitor;

impl<'de> Visitor<'de> for OptionalVisitor {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("an RFC 3339 date and time, or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        required(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What chrono's own `Deserialize` makes of `text` (as a JSON string).
    fn chrono_reads(text: &str) -> Option<DateTime<Utc>> {
        serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
    }

    #[test]
    fn every_form_reads_as_chrono_reads_it() {
        let texts = [
            "2026-03-31T23:05:12Z",
            "2026-03-31T23:05:12.5Z",
            "2026-03-31T23:05:12.345678901Z",
            "2026-11-27T10:18:19.236728476Z",
            "2024-02-29T00:00:00Z",
            "1970-01-01T00:00:00.000000001Z",
            // Left to chrono:
            "2026-03-31T23:05:12+02:00",
            "2026-03-31T23:05:12.25-05:30",
            "2026-03-31 23:05:12Z",
            "2026-03-31t23:05:12z",
            "2016-12-31T23:59:60Z",
            "2026-03-31T23:05:12.1234567891Z",
            // Not times at all:
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-03-31T24:00:00Z",
            "2026-03-31T23:05:12.Z",
            "2026-03-31T23:05:12",
            "2026-03-31T23:05:12Zjunk",
            "2026-3-31T23:05:12Z",
            "+002026-03-31T23:05:12Z",
            "",
            "yesterday",
        ];
        for text in texts {
            assert_eq!(parse(text).ok(), chrono_reads(text), "{text:?}");
        }
        assert!(parse_utc(b"2026-03-31T23:05:12.5Z").is_some());
        assert!(parse_utc(b"2026-03-31T23:05:12+02:00").is_none());
    }

    #[test]
    fn what_chrono_writes_reads_back_the_same() {
        let mut time = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        for step in 0..2_000i64 {
            time += chrono::Duration::nanoseconds(step * 7_919_993_123 + step % 10);
            let written = serde_json::to_value(time).unwrap();
            let text = written.as_str().unwrap();
            assert!(parse_utc(text.as_bytes()).is_some(), "{text}");
            assert_eq!(parse(text), Ok(time), "{text}");
        }
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Record {
        #[serde(deserialize_with = "required")]
        copied_at: DateTime<Utc>,
        #[serde(default, deserialize_with = "optional")]
        verified_at: Option<DateTime<Utc>>,
    }

    #[test]
    fn fields_read_as_their_chrono_types_would() {
        let at = parse("2026-03-31T23:05:12Z").unwrap();
        let read = |json: &str| serde_json::from_str::<Record>(json);
        let both =
            r#"{"copied_at": "2026-03-31T23:05:12Z", "verified_at": "2026-03-31T23:05:12Z"}"#;
        assert_eq!(
            read(both).unwrap(),
            Record {
                copied_at: at,
                verified_at: Some(at)
            }
        );
        let null = r#"{"copied_at": "2026-03-31T23:05:12Z", "verified_at": null}"#;
        assert_eq!(read(null).unwrap().verified_at, None);
        let missing = r#"{"copied_at": "2026-03-31T23:05:12Z"}"#;
        assert_eq!(read(missing).unwrap().verified_at, None);
        assert!(read(r#"{"copied_at": "31/03/2026"}"#).is_err());
        assert!(read(r#"{"copied_at": 5}"#).is_err());
        assert!(read(r#"{"copied_at": null}"#).is_err());
    }
}
