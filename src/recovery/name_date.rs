//! The date written in a backup's name, read without the policy's pattern: on a
//! disk alone (`rota restore --disk`) there is no policy to say how names are
//! made, but practice software writes the date plainly (`2026-03-31`,
//! `2026_03_31`, `2026.03.31` or `20260331`). The first such date in the name
//! is taken; a name without one has no date.
//!
//! Pure: names only.

use chrono::NaiveDate;

/// Years a backup's name can plausibly carry (rules out serial numbers).
const YEARS: std::ops::RangeInclusive<i32> = 1990..=2199;

/// The first date written in `name`, if any.
pub fn date_in_name(name: &str) -> Option<NaiveDate> {
    let bytes = name.as_bytes();
    (0..bytes.len()).find_map(|start| {
        // A date starts a run of digits: "120260331" is not 2026-03-31.
        if start > 0 && bytes[start - 1].is_ascii_digit() {
            return None;
        }
        separated(&bytes[start..]).or_else(|| compact(&bytes[start..]))
    })
}

/// `YYYY-MM-DD` with `-`, `_` or `.` between the parts.
fn separated(text: &[u8]) -> Option<NaiveDate> {
    let part = text.get(..10)?;
    let separator = part[4];
    if !matches!(separator, b'-' | b'_' | b'.') || part[7] != separator {
        return None;
    }
    if text.get(10).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    date_from_digits(&part[0..4], &part[5..7], &part[8..10])
}

/// `YYYYMMDD`, not followed by another digit.
fn compact(text: &[u8]) -> Option<NaiveDate> {
    let part = text.get(..8)?;
    if text.get(8).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    date_from_digits(&part[0..4], &part[4..6], &part[6..8])
}

fn date_from_digits(year: &[u8], month: &[u8], day: &[u8]) -> Option<NaiveDate> {
    let number = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(year)?).ok()?;
    if !YEARS.contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, number(month)?, number(day)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_the_usual_spellings() {
        let cases = [
            ("MacPractice_2026-03-31_2330.mpbackup", Some("2026-03-31")),
            ("Dentrix_2026_01_02.zip", Some("2026-01-02")),
            ("eaglesoft.2025.12.31.bak", Some("2025-12-31")),
            ("Backup20260331-2330.zip", Some("2026-03-31")),
            ("Backup_2026-02-30.zip", None),
            ("Serial120260331.zip", None),
            ("Backup_202603311.zip", None),
            ("notes.txt", None),
            ("1234-56-78", None),
        ];
        for (name, expected) in cases {
            let expected = expected.map(|d| d.parse::<NaiveDate>().unwrap());
            assert_eq!(date_in_name(name), expected, "{name}");
        }
    }
}
