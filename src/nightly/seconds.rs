//! Instants as people and monitoring read them: RFC 3339 to the second
//! (`2026-04-01T03:45:02Z`, `2026-03-31T23:45:00-04:00`), never with the
//! nanoseconds the clock carries. For serde (`serialize_with`) and for text.
//! Reading accepts any RFC 3339, so records written before still read.

use std::fmt::Display;

use chrono::{DateTime, SecondsFormat, TimeZone};
use serde::Serializer;

/// `at` in RFC 3339, whole seconds; UTC is written `Z`.
pub fn text<Tz: TimeZone>(at: &DateTime<Tz>) -> String
where
    Tz::Offset: Display,
{
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn serialize<Tz: TimeZone, S: Serializer>(
    at: &DateTime<Tz>,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    Tz::Offset: Display,
{
    serializer.serialize_str(&text(at))
}

/// [`serialize`] for an optional instant (`null` when absent).
pub fn serialize_option<Tz: TimeZone, S: Serializer>(
    at: &Option<DateTime<Tz>>,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    Tz::Offset: Display,
{
    match at {
        Some(at) => serialize(at, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, Utc};

    use super::*;

    #[test]
    fn nanoseconds_are_never_written() {
        let at: DateTime<Utc> = "2026-04-01T03:45:02.123456789Z".parse().unwrap();
        assert_eq!(text(&at), "2026-04-01T03:45:02Z");
        let local: DateTime<FixedOffset> = "2026-03-31T23:45:00.5-04:00".parse().unwrap();
        assert_eq!(text(&local), "2026-03-31T23:45:00-04:00");
        #[derive(serde::Serialize)]
        struct Both {
            #[serde(serialize_with = "serialize")]
            at: DateTime<Utc>,
            #[serde(serialize_with = "serialize_option")]
            maybe: Option<DateTime<Utc>>,
        }
        let json = serde_json::to_string(&Both {
            at,
            maybe: Some(at),
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"at":"2026-04-01T03:45:02Z","maybe":"2026-04-01T03:45:02Z"}"#
        );
    }
}
