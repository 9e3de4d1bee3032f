//! Backup names: `prefix{chrono format}suffix`, e.g.
//! `MacPractice_{%Y-%m-%d_%H%M}.mpbackup`. The part inside braces is a chrono
//! strftime format; a name matches when it has the prefix and suffix and the middle
//! parses, in full, as a wall-clock date and time.
//!
//! A pattern is accepted only if it can carry a full date: it is checked by
//! formatting sample times and parsing them back, which catches a missing day,
//! a two-field year that cannot round-trip, or a 12-hour clock without AM/PM.
//!
//! A pattern with a full date and no time of day (`Backup_{%Y-%m-%d}.zip`) is
//! *date-only*: its name states the business day itself, so `day_starts_at`
//! never moves it, and several backups of one date are ordered by modification
//! time (`retention::Dated::written`). A pattern that has an hour must also
//! have the minutes (a half-written time is a mistake, not a date-only name).

use std::fmt::{self, Write as _};

use chrono::format::{Item, Parsed, StrftimeItems};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// A validated backup name pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePattern {
    source: String,
    prefix: String,
    format: String,
    suffix: String,
    /// The format parsed once (names are parsed by the hundred thousand):
    /// chrono's parser then reads each name without re-reading the format.
    items: Vec<Item<'static>>,
    /// The format names a date and no time of day.
    date_only: bool,
}

/// Why a pattern is unusable; `offset`/`len` point into the pattern text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// No `{...}` part, or more than one, or unbalanced braces.
    Braces { offset: usize, len: usize },
    /// The format inside braces has a specifier chrono does not know.
    BadSpecifier { offset: usize, len: usize },
    /// The format cannot carry a full date and time (what is missing is named).
    Incomplete { missing: &'static str },
    /// A number of varying width (`%-m`, `%e`, `%s`) runs into the next
    /// number, so a name cannot be split back into its fields.
    RunTogether,
    /// Names made from this pattern would contain a path separator or NUL.
    BadCharacter { character: char },
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::Braces { .. } => {
                write!(
                    f,
                    "the pattern needs exactly one {{...}} part holding the date and time"
                )
            }
            PatternError::BadSpecifier { .. } => {
                write!(f, "the date format has a specifier chrono does not know")
            }
            PatternError::Incomplete { missing } => {
                write!(
                    f,
                    "the pattern cannot yield a full date and time: {missing}"
                )
            }
            PatternError::RunTogether => write!(
                f,
                "a number of varying width (such as %-m, %e or %s) runs into the next \
                 number, so backup names cannot be read back"
            ),
            PatternError::BadCharacter { character } => {
                write!(
                    f,
                    "backup names would contain {character:?}, which a file name cannot"
                )
            }
        }
    }
}

/// Sample times that differ in every field, so a format that drops or confuses
/// any field fails to round-trip at least one of them. The last three are edge
/// cases the property tests (tests/cli/policy/fuzz.rs) found the first two miss:
/// midnight, when a 12-hour `%l` writes two digits where it wrote " 5" (so
/// `{%s%l}` ran together); and the ISO week-year boundaries, where `%G`
/// differs from the calendar year.
const SAMPLES: [(i32, u32, u32, u32, u32); 5] = [
    (2031, 11, 23, 17, 47),
    (2026, 2, 3, 4, 5),
    (2000, 1, 1, 0, 0),
    (2024, 12, 30, 12, 0),
    (2027, 1, 1, 23, 59),
];

impl NamePattern {
    pub fn parse(pattern: &str) -> Result<NamePattern, PatternError> {
        let (prefix, format, suffix) = split_braces(pattern)?;
        check_specifiers(format, prefix.len() + 1)?;
        for text in [prefix, suffix] {
            if let Some(character) = text.chars().find(|c| *c == '/' || *c == '\0') {
                return Err(PatternError::BadCharacter { character });
            }
        }
        let items: Vec<Item<'static>> =
            StrftimeItems::new(format).parse_to_owned().map_err(|_| {
                PatternError::BadSpecifier {
                    offset: prefix.len() + 1,
                    len: format.len(),
                }
            })?;
        check_numbers_are_delimited(&items)?;
        let candidate = NamePattern {
            source: pattern.to_string(),
            prefix: prefix.to_string(),
            format: format.to_string(),
            suffix: suffix.to_string(),
            items,
            date_only: false,
        };
        match candidate.check_round_trip() {
            Ok(()) => Ok(candidate),
            Err(error) if !has_time_of_day(format) => {
                let date_only = NamePattern {
                    date_only: true,
                    ..candidate
                };
                // A date-only pattern must still carry the whole date; if it
                // does not, the full-time error says what is missing.
                date_only.check_round_trip().map_err(|_| error)?;
                Ok(date_only)
            }
            Err(error) => Err(error),
        }
    }

    /// The name gives a date and no time of day.
    pub fn is_date_only(&self) -> bool {
        self.date_only
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The wall-clock time in a backup's name, or `None` if the name does not
    /// match. A date-only name gives the start (00:00) of its date.
    pub fn timestamp(&self, name: &str) -> Option<NaiveDateTime> {
        let middle = name
            .strip_prefix(&self.prefix)?
            .strip_suffix(&self.suffix)?;
        let mut parsed = Parsed::new();
        chrono::format::parse(&mut parsed, middle, self.items.iter()).ok()?;
        if self.date_only {
            return parsed
                .to_naive_date()
                .ok()
                .map(|date| date.and_time(NaiveTime::MIN));
        }
        parsed.to_naive_datetime_with_offset(0).ok()
    }

    pub fn matches(&self, name: &str) -> bool {
        self.timestamp(name).is_some()
    }

    /// The backup name for a wall-clock time (used by `demo` and `simulate`).
    pub fn name_for(&self, local: NaiveDateTime) -> String {
        let mut middle = String::new();
        // The format was checked for bad specifiers in `parse`, so writing succeeds.
        let _ = write!(middle, "{}", local.format(&self.format));
        format!("{}{}{}", self.prefix, middle, self.suffix)
    }

    fn check_round_trip(&self) -> Result<(), PatternError> {
        for (year, month, day, hour, minute) in SAMPLES {
            let sample = NaiveDate::from_ymd_opt(year, month, day)
                .and_then(|date| date.and_hms_opt(hour, minute, 0))
                .expect("sample times are valid");
            // A date-only name reads back as the start of its date.
            let sample_read = if self.date_only {
                sample.date().and_time(NaiveTime::MIN)
            } else {
                sample
            };
            let name = self.name_for(sample);
            if let Some(character) = name.chars().find(|c| *c == '/' || *c == '\0') {
                return Err(PatternError::BadCharacter { character });
            }
            match self.timestamp(&name) {
                Some(parsed) if parsed == sample_read => {}
                Some(parsed) => {
                    return Err(PatternError::Incomplete {
                        missing: describe_mismatch(sample_read, parsed),
                    });
                }
                None => {
                    return Err(PatternError::Incomplete {
                        missing: describe_missing(&self.format),
                    });
                }
            }
        }
        Ok(())
    }
}

fn split_braces(pattern: &str) -> Result<(&str, &str, &str), PatternError> {
    let whole = PatternError::Braces {
        offset: 0,
        len: pattern.len(),
    };
    let open = pattern.find('{').ok_or(whole.clone())?;
    let close = pattern[open..].find('}').map(|i| i + open).ok_or(whole)?;
    let stray = pattern[close + 1..]
        .find(['{', '}'])
        .map(|i| i + close + 1)
        .or_else(|| pattern[open + 1..close].find('{').map(|i| i + open + 1))
        .or_else(|| pattern[..open].find('}'));
    if let Some(offset) = stray {
        return Err(PatternError::Braces { offset, len: 1 });
    }
    Ok((
        &pattern[..open],
        &pattern[open + 1..close],
        &pattern[close + 1..],
    ))
}

fn check_specifiers(format: &str, base: usize) -> Result<(), PatternError> {
    if StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) {
        let offset = format.find('%').unwrap_or(0);
        return Err(PatternError::BadSpecifier {
            offset: base + offset,
            len: format.len() - offset,
        });
    }
    Ok(())
}

/// A number written with a varying width (`%-m`, `%e`, `%s`) must not run
/// straight into another number: reading `2012-01-10110` back for
/// `{%F%-m%_d}` cannot tell month 1, day 10 from month 11, day 0. The sample
/// round-trip catches most such formats only on some dates; this catches the
/// whole class at once (found by tests/cli/policy/fuzz.rs).
fn check_numbers_are_delimited(items: &[Item<'static>]) -> Result<(), PatternError> {
    let varies = |item: &Item| match item {
        Item::Numeric(chrono::format::Numeric::Timestamp, _) => true,
        Item::Numeric(_, pad) => *pad != chrono::format::Pad::Zero,
        _ => false,
    };
    let starts_with_digit = |item: &Item| match item {
        Item::Numeric(..) => true,
        Item::Literal(text) => text.starts_with(|c: char| c.is_ascii_digit()),
        Item::OwnedLiteral(text) => text.starts_with(|c: char| c.is_ascii_digit()),
        _ => false,
    };
    match items
        .windows(2)
        .any(|pair| varies(&pair[0]) && starts_with_digit(&pair[1]))
    {
        true => Err(PatternError::RunTogether),
        false => Ok(()),
    }
}

/// Whether the format writes any part of a time of day (then it must write
/// all of it: a pattern is date-only only when it has no time at all).
fn has_time_of_day(format: &str) -> bool {
    [
        "%H", "%k", "%I", "%l", "%R", "%T", "%X", "%M", "%S", "%p", "%P", "%s", "%c", "%r",
    ]
    .iter()
    .any(|spec| format.contains(spec))
}

fn describe_mismatch(sample: NaiveDateTime, parsed: NaiveDateTime) -> &'static str {
    if parsed.date() != sample.date() {
        "the date does not survive being written and read back (two-digit or missing year?)"
    } else if parsed.hour() != sample.hour() {
        "the hour is ambiguous (a 12-hour clock needs %p)"
    } else {
        "the minutes do not survive being written and read back"
    }
}

fn describe_missing(format: &str) -> &'static str {
    let has = |specs: &[&str]| specs.iter().any(|spec| format.contains(spec));
    if !has(&["%Y", "%y", "%G", "%F", "%C"]) {
        "it has no year (add %Y)"
    } else if !has(&["%m", "%b", "%B", "%h", "%j", "%F", "%U", "%W", "%V"]) {
        "it has no month (add %m)"
    } else if !has(&["%d", "%e", "%j", "%F", "%a", "%A", "%u", "%w"]) {
        "it has no day of the month (add %d)"
    } else if !has(&["%H", "%k", "%I", "%l", "%R", "%T", "%X"]) {
        "it has no hour (add %H)"
    } else if has(&["%I", "%l"]) && !has(&["%p", "%P", "%H", "%k"]) {
        "the hour is ambiguous (a 12-hour clock needs %p)"
    } else if !has(&["%M", "%R", "%T", "%X"]) {
        "it has no minutes (add %M)"
    } else {
        "names written with it cannot be read back unambiguously"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendor_pattern_parses_names() {
        let pattern = NamePattern::parse("MacPractice_{%Y-%m-%d_%H%M}.mpbackup").unwrap();
        let time = pattern
            .timestamp("MacPractice_2026-03-31_2330.mpbackup")
            .unwrap();
        assert_eq!(time.to_string(), "2026-03-31 23:30:00");
        assert!(!pattern.matches("MacPractice_2026-03-31_2330.mpbackup.tmp"));
        assert!(!pattern.matches("MacPractice_2026-13-31_2330.mpbackup"));
        assert!(!pattern.matches("notes.txt"));
        assert_eq!(
            pattern.name_for(time),
            "MacPractice_2026-03-31_2330.mpbackup"
        );
    }

    #[test]
    fn names_inside_dst_gaps_are_valid() {
        // 2026-03-08 02:30 never happened in New York; the name is still a backup.
        let pattern = NamePattern::parse("b_{%Y%m%dT%H%M}").unwrap();
        assert!(pattern.timestamp("b_20260308T0230").is_some());
    }

    #[test]
    fn incomplete_patterns_are_rejected() {
        for (pattern, expect) in [
            ("backup_{%Y-%m}.zip", "day"),
            ("backup_{%m-%d_%H%M}.zip", "year"),
            ("backup_{%Y-%m-%d_%H}.zip", "minutes"),
            ("backup_{%Y-%m-%d_%I%M}.zip", "hour"),
        ] {
            let error = NamePattern::parse(pattern).unwrap_err();
            assert!(
                error.to_string().contains(expect),
                "{pattern}: {error} should mention {expect}"
            );
        }
    }

    #[test]
    fn date_only_patterns_read_the_date() {
        let pattern = NamePattern::parse("Backup_{%Y-%m-%d}.zip").unwrap();
        assert!(pattern.is_date_only());
        let time = pattern.timestamp("Backup_2026-03-31.zip").unwrap();
        assert_eq!(time.to_string(), "2026-03-31 00:00:00");
        assert!(!pattern.matches("Backup_2026-03-31_2330.zip"));
        assert_eq!(pattern.name_for(time), "Backup_2026-03-31.zip");
        assert!(
            !NamePattern::parse("b_{%Y%m%d_%H%M}")
                .unwrap()
                .is_date_only()
        );
        // A time written in part is a mistake, not a date-only name.
        assert!(NamePattern::parse("backup_{%Y-%m-%d_%H}.zip").is_err());
        assert!(NamePattern::parse("backup_{%Y-%m}.zip").is_err());
    }

    #[test]
    fn malformed_patterns_are_rejected() {
        assert!(matches!(
            NamePattern::parse("backup.zip"),
            Err(PatternError::Braces { .. })
        ));
        assert!(matches!(
            NamePattern::parse("a{%Y}{%m}"),
            Err(PatternError::Braces { .. })
        ));
        assert!(matches!(
            NamePattern::parse("a{%Y-%m-%d %H%M %Q}"),
            Err(PatternError::BadSpecifier { .. })
        ));
        assert!(matches!(
            NamePattern::parse("a{%D %H:%M}"),
            Err(PatternError::BadCharacter { character: '/' })
        ));
    }

    #[test]
    fn patterns_that_fail_only_at_edges_are_rejected() {
        // Found by tests/cli/policy/fuzz.rs: epoch seconds run into a 12-hour hour
        // at midnight; the ISO week-year is not the calendar year on Dec 30.
        // A varying-width month ran into the day only on 2012-01-10.
        for pattern in ["{%s%l}", "x_{%G-%m-%d_%H%M}"] {
            assert!(NamePattern::parse(pattern).is_err(), "{pattern}");
        }
        for pattern in ["{%F%-m%_d}", "{%F%e1}", "b_{%Y%-m%d_%H%M}"] {
            assert_eq!(
                NamePattern::parse(pattern),
                Err(PatternError::RunTogether),
                "{pattern}"
            );
        }
        assert!(NamePattern::parse("b_{%Y-%-m-%e_%H%M}").is_ok());
    }

    #[test]
    fn other_spellings_of_a_full_date_are_accepted() {
        for pattern in [
            "x_{%F_%H-%M-%S}.bak",
            "x_{%Y%j%H%M}",
            "x_{%d %b %Y %H.%M}",
            "x_{%Y-%m-%d %I%M%p}",
        ] {
            assert!(NamePattern::parse(pattern).is_ok(), "{pattern}");
        }
    }
}
