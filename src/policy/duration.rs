//! Durations as a policy writes them: `10m`, `90s`, `2h`, `1h30m`, `1 day`, `0`.
//! Used by `source.settle` and by `apply --wait`; shown back the same way.

use std::fmt;
use std::time::Duration;

/// A whole number of seconds, parsed from and printed as `1h30m`-style text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Span(pub Duration);

impl Span {
    pub fn from_secs(seconds: u64) -> Span {
        Span(Duration::from_secs(seconds))
    }

    pub fn as_secs(self) -> u64 {
        self.0.as_secs()
    }

    /// Parses `10m`, `45 s`, `2h`, `1h30m`, `3 days`, or `0`.
    pub fn parse(text: &str) -> Result<Span, String> {
        let cleaned: String = text.trim().to_ascii_lowercase();
        let bad =
            || format!("`{text}` is not a duration like \"10m\", \"90s\", \"2h\" or \"1h30m\"");
        if cleaned == "0" {
            return Ok(Span::default());
        }
        let mut seconds = 0u64;
        let mut rest = cleaned.as_str();
        if rest.is_empty() {
            return Err(bad());
        }
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let number: u64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = rest[digits..].trim_start();
            let unit_len = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let unit = unit_seconds(&rest[..unit_len]).ok_or_else(bad)?;
            rest = rest[unit_len..].trim_start();
            seconds = number
                .checked_mul(unit)
                .and_then(|s| s.checked_add(seconds))
                .ok_or_else(bad)?;
        }
        Ok(Span::from_secs(seconds))
    }
}

fn unit_seconds(unit: &str) -> Option<u64> {
    match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => Some(1),
        "m" | "min" | "mins" | "minute" | "minutes" => Some(60),
        "h" | "hr" | "hrs" | "hour" | "hours" => Some(3600),
        "d" | "day" | "days" => Some(86_400),
        _ => None,
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.as_secs();
        if total == 0 {
            return f.write_str("0s");
        }
        let parts = [
            (total / 86_400, "d"),
            (total / 3600 % 24, "h"),
            (total / 60 % 60, "m"),
            (total % 60, "s"),
        ];
        for (amount, unit) in parts {
            if amount > 0 {
                write!(f, "{amount}{unit}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_offices_write() {
        let secs = |text| Span::parse(text).map(Span::as_secs);
        assert_eq!(secs("10m"), Ok(600));
        assert_eq!(secs(" 90 s "), Ok(90));
        assert_eq!(secs("2h"), Ok(7200));
        assert_eq!(secs("1h30m"), Ok(5400));
        assert_eq!(secs("1 day"), Ok(86_400));
        assert_eq!(secs("0"), Ok(0));
        assert_eq!(secs("0s"), Ok(0));
        for bad in [
            "",
            "ten minutes",
            "10",
            "10 fortnights",
            "m",
            "-5m",
            "99999999999999999999d",
        ] {
            assert!(Span::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn prints_as_it_is_written() {
        for text in ["10m", "2h", "1h30m", "1d", "45s", "0s"] {
            assert_eq!(Span::parse(text).unwrap().to_string(), text);
        }
    }
}
