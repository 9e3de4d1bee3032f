//! Small wordings the plan's sections share: durations for people, office
//! dates of instants, paths quoted for Terminal, and where the key is kept.
//! Pure.

use chrono::{DateTime, NaiveDate, Utc};

use crate::policy::Policy;

/// A recovery time in words: "8 hours", "4 hours 30 minutes", "2 days".
pub fn span_words(seconds: u64) -> String {
    let units = [
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
        (1, "second"),
    ];
    let mut rest = seconds;
    let mut parts = Vec::new();
    for (size, unit) in units {
        let count = rest / size;
        rest %= size;
        if count > 0 {
            parts.push(format!(
                "{count} {unit}{}",
                if count == 1 { "" } else { "s" }
            ));
        }
    }
    if parts.is_empty() {
        String::from("0 seconds")
    } else {
        parts.join(" ")
    }
}

/// A measured time, short: "0.4 s", "12 s", "3 min 05 s", "1 h 12 min".
pub fn measured(milliseconds: u64) -> String {
    let seconds = milliseconds / 1000;
    if seconds < 10 {
        format!("{:.1} s", milliseconds as f64 / 1000.0)
    } else if seconds < 60 {
        format!("{seconds} s")
    } else if seconds < 3600 {
        format!("{} min {:02} s", seconds / 60, seconds % 60)
    } else {
        format!("{} h {:02} min", seconds / 3600, (seconds % 3600) / 60)
    }
}

/// The office date of an instant.
pub fn office_date(policy: &Policy, at: DateTime<Utc>) -> NaiveDate {
    policy.office.calendar.local_time(&at).date()
}

/// A path or remote as typed in Terminal: as is when it is plain, else in
/// double quotes. A leading `~/` stays outside the quotes so the shell
/// still expands it.
pub fn quoted(text: &str) -> String {
    let plain = |text: &str| {
        text.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    };
    if !text.is_empty() && plain(text) {
        return text.to_string();
    }
    if let Some(rest) = text.strip_prefix("~/")
        && plain(rest)
    {
        return text.to_string();
    }
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Where the key or password is kept, for a step that needs it.
pub fn key_place(policy: &Policy) -> String {
    match &policy.contingency.key_custody {
        Some(place) => format!("kept: {place}"),
        None => String::from("where it is kept: see section 1, Encryption and keys"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(span_words(8 * 3600), "8 hours");
        assert_eq!(span_words(4 * 3600 + 1800), "4 hours 30 minutes");
        assert_eq!(span_words(2 * 86_400), "2 days");
        assert_eq!(span_words(60), "1 minute");
        assert_eq!(measured(420), "0.4 s");
        assert_eq!(measured(12_300), "12 s");
        assert_eq!(measured(185_000), "3 min 05 s");
        assert_eq!(measured(4_320_000), "1 h 12 min");
    }

    #[test]
    fn paths_are_quoted_only_when_needed() {
        assert_eq!(quoted("/Volumes/MON"), "/Volumes/MON");
        assert_eq!(quoted("b2:lakeside/rota"), "b2:lakeside/rota");
        assert_eq!(quoted("~/Restored"), "~/Restored");
        assert_eq!(
            quoted("/Users/Shared/Offsite Outbox"),
            "\"/Users/Shared/Offsite Outbox\""
        );
        assert_eq!(quoted("a \"b\""), "\"a \\\"b\\\"\"");
    }
}
