//! Reading names whose date and time are all fixed-width numbers (`%Y`, `%m`,
//! `%d`, `%H`, `%M`, `%S` and literal text, as in `backup_{%Y-%m-%d_%H%M}.bak`)
//! without chrono's general parser: a large office has 100,000s of names, and
//! the general parser was a tenth of the scan.
//!
//! It only ever answers for names chrono would read the same way: every number
//! with all its digits (chrono reads up to that many), the literals exactly,
//! nothing left over. Any other name (a short field, a leap second, no match
//! at all) and any other format are left to chrono, so what matches and what
//! it means stay chrono's.

use chrono::format::{Item, Numeric, Pad};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// A format of fixed-width numbers and literals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FixedLayout {
    parts: Vec<Part>,
    /// Bytes of every name in this layout.
    len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(Box<str>),
    Number(Field),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

impl Field {
    fn of(numeric: &Numeric) -> Option<Field> {
        match numeric {
            Numeric::Year => Some(Field::Year),
            Numeric::Month => Some(Field::Month),
            Numeric::Day => Some(Field::Day),
            Numeric::Hour => Some(Field::Hour),
            Numeric::Minute => Some(Field::Minute),
            Numeric::Second => Some(Field::Second),
            _ => None,
        }
    }

    /// Digits it is written with (and the most chrono reads).
    fn width(self) -> usize {
        match self {
            Field::Year => 4,
            _ => 2,
        }
    }
}

impl FixedLayout {
    /// The layout of a parsed strftime format, if it is one: year, month, day,
    /// hour and minute (seconds optional) each once, zero-padded, and literals.
    pub(super) fn of(items: &[Item<'_>]) -> Option<FixedLayout> {
        let mut parts = Vec::new();
        for item in items {
            let part = match item {
                Item::Literal(text) => Part::Literal((*text).into()),
                Item::OwnedLiteral(text) => Part::Literal(text.clone()),
                Item::Numeric(numeric, Pad::Zero) => Part::Number(Field::of(numeric)?),
                _ => return None,
            };
            parts.push(part);
        }
        let count = |field| {
            parts
                .iter()
                .filter(|part| **part == Part::Number(field))
                .count()
        };
        let required = [
            Field::Year,
            Field::Month,
            Field::Day,
            Field::Hour,
            Field::Minute,
        ];
        if required.iter().any(|field| count(*field) != 1) || count(Field::Second) > 1 {
            return None;
        }
        let len = parts
            .iter()
            .map(|part| match part {
                Part::Literal(text) => text.len(),
                Part::Number(field) => field.width(),
            })
            .sum();
        Some(FixedLayout { parts, len })
    }

    /// The time in `middle` (the name without prefix and suffix) when it is
    /// written in exactly this layout and is a valid time; None otherwise
    /// (chrono decides).
    pub(super) fn read(&self, middle: &str) -> Option<NaiveDateTime> {
        let bytes = middle.as_bytes();
        if bytes.len() != self.len {
            return None;
        }
        // By field, in `Field`'s order; seconds are 0 when the layout has none.
        let mut values = [0u32; 6];
        let mut at = 0;
        for part in &self.parts {
            match part {
                Part::Literal(text) => {
                    if !bytes[at..].starts_with(text.as_bytes()) {
                        return None;
                    }
                    at += text.len();
                }
                Part::Number(field) => {
                    let digits = &bytes[at..at + field.width()];
                    values[*field as usize] = digits.iter().try_fold(0u32, |value, digit| {
                        digit
                            .is_ascii_digit()
                            .then(|| value * 10 + u32::from(digit - b'0'))
                    })?;
                    at += field.width();
                }
            }
        }
        let [year, month, day, hour, minute, second] = values;
        // A leap second (60) is left to chrono.
        if second > 59 {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
        Some(date.and_time(NaiveTime::from_hms_opt(hour, minute, second)?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::NamePattern;

    const FIXED: [&str; 5] = [
        "backup_{%Y-%m-%d_%H%M}.bak",
        "MacPractice_{%Y-%m-%d_%H%M%S}.mpbackup",
        "{%Y%m%d%H%M}",
        "db-{%d.%m.%Y-%H.%M}-full.tar",
        "x{%FT%H%M}",
    ];

    /// Formats left to chrono alone.
    const NOT_FIXED: [&str; 4] = [
        "b_{%Y-%m-%d %H%M}",
        "b_{%y-%m-%d_%H%M}",
        "b_{%Y-%m-%d_%I%M%p}",
        "b_{%Y-%b-%d_%H%M}",
    ];

    fn pattern(text: &str) -> NamePattern {
        NamePattern::parse(text).unwrap()
    }

    #[test]
    fn fixed_formats_are_recognised_and_others_are_not() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 9)
            .and_then(|day| day.and_hms_opt(7, 5, 0))
            .unwrap();
        for text in FIXED {
            let pattern = pattern(text);
            let name = pattern.name_for(at);
            let middle = &name[pattern.prefix.len()..name.len() - pattern.suffix.len()];
            let fixed = pattern.fixed.as_ref().expect(text);
            assert_eq!(fixed.read(middle), Some(at), "{text}: {name}");
        }
        for text in NOT_FIXED {
            assert!(pattern(text).fixed.is_none(), "{text}");
        }
    }

    /// Names near the layout: valid, out of range, short, long, signed,
    /// spaced, with letters; each read exactly as chrono reads it.
    #[test]
    fn every_name_reads_as_chrono_reads_it() {
        let mut rng = crate::simulate::SplitMix64::new(7);
        let mut random = move |below: usize| rng.below(below);
        let alphabet = b"0123456789-_.T :+ax";
        for text in FIXED.iter().chain(&NOT_FIXED) {
            let pattern = pattern(text);
            for _ in 0..3_000 {
                let at = chrono::DateTime::from_timestamp(random(4_000_000_000) as i64, 0)
                    .unwrap()
                    .naive_utc();
                let mut name = pattern.name_for(at).into_bytes();
                for _ in 0..random(3) {
                    let position = random(name.len() + 1);
                    let byte = alphabet[random(alphabet.len())];
                    match random(3) {
                        0 => name.insert(position, byte),
                        1 if position < name.len() => {
                            name.remove(position);
                        }
                        _ if position < name.len() => name[position] = byte,
                        _ => {}
                    }
                }
                let name = String::from_utf8(name).unwrap();
                let chrono = name
                    .strip_prefix(&pattern.prefix)
                    .and_then(|rest| rest.strip_suffix(&pattern.suffix))
                    .and_then(|middle| pattern.chrono_timestamp(middle));
                assert_eq!(pattern.timestamp(&name), chrono, "{text}: {name:?}");
            }
        }
    }

    #[test]
    fn invalid_dates_and_leap_seconds_are_chronos_call() {
        let pattern = pattern("b_{%Y-%m-%d_%H%M%S}");
        for name in [
            "b_2026-02-29_120000",
            "b_2024-02-29_120000",
            "b_2026-13-01_120000",
            "b_2026-12-01_240000",
            "b_2026-12-31_235960",
            "b_2026-12-31_235959",
            "b_0000-01-01_000000",
        ] {
            let middle = &name[2..];
            assert_eq!(
                pattern.timestamp(name),
                pattern.chrono_timestamp(middle),
                "{name}"
            );
        }
    }
}
