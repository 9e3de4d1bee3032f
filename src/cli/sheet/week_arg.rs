//! Reading `--week` and `--from`: an ISO week written as `2026-W14`, or any date
//! in it (`2026-03-31`). Errors say what was wrong and show an example.

use chrono::{Datelike, NaiveDate, Weekday};

/// An ISO week: its week-year and number, known to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoWeek {
    pub year: i32,
    pub week: u32,
}

impl IsoWeek {
    /// The week `date` falls in.
    pub fn containing(date: NaiveDate) -> IsoWeek {
        let iso = date.iso_week();
        IsoWeek {
            year: iso.year(),
            week: iso.week(),
        }
    }

    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon)
            .expect("an IsoWeek exists by construction")
    }

    /// The week after this one.
    pub fn next(self) -> Option<IsoWeek> {
        self.monday()
            .checked_add_days(chrono::Days::new(7))
            .map(IsoWeek::containing)
    }
}

impl std::fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

/// Why a week could not be read: a message and a one-line help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekError {
    pub message: String,
    pub help: String,
}

const EXAMPLE: &str = "write a week as 2026-W14 (ISO week 14 of 2026), or give any date in it, \
                       such as 2026-03-31";

/// Parses `2026-W14` (also `2026W14`, `2026-w14`) or a date `2026-03-31`.
pub fn parse_week(text: &str) -> Result<IsoWeek, WeekError> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(IsoWeek::containing(date));
    }
    let not_a_week = || WeekError {
        message: format!("`{text}` is not a week"),
        help: EXAMPLE.to_string(),
    };
    let (year, week) = text.split_once(['W', 'w']).ok_or_else(not_a_week)?;
    let year = year.strip_suffix('-').unwrap_or(year);
    let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if year.len() != 4 || !all_digits(year) || !all_digits(week) || week.len() > 2 {
        return Err(not_a_week());
    }
    let (year, week): (i32, u32) = (
        year.parse().map_err(|_| not_a_week())?,
        week.parse().map_err(|_| not_a_week())?,
    );
    match NaiveDate::from_isoywd_opt(year, week, Weekday::Mon) {
        Some(_) => Ok(IsoWeek { year, week }),
        None => Err(WeekError {
            message: format!("{year} has no week {week}"),
            help: format!(
                "the ISO weeks of {year} run from {year}-W01 to {year}-W{:02}",
                weeks_in(year)
            ),
        }),
    }
}

/// How many ISO weeks `year` has (52 or 53): 28 December is always in the last.
fn weeks_in(year: i32) -> u32 {
    NaiveDate::from_ymd_opt(year, 12, 28)
        .map(|date| date.iso_week().week())
        .unwrap_or(52)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(year: i32, week: u32) -> IsoWeek {
        IsoWeek { year, week }
    }

    #[test]
    fn weeks_and_dates_are_read() {
        assert_eq!(parse_week("2026-W14"), Ok(week(2026, 14)));
        assert_eq!(parse_week("2026W14"), Ok(week(2026, 14)));
        assert_eq!(parse_week(" 2026-w03 "), Ok(week(2026, 3)));
        assert_eq!(parse_week("2026-03-31"), Ok(week(2026, 14)));
        assert_eq!(parse_week("2026-W53"), Ok(week(2026, 53)));
        // New Year's Day 2027 is a Friday of 2026's week 53.
        assert_eq!(parse_week("2027-01-01"), Ok(week(2026, 53)));
        assert_eq!(week(2026, 53).next(), Some(week(2027, 1)));
        assert_eq!(week(2026, 14).to_string(), "2026-W14");
    }

    #[test]
    fn bad_weeks_say_how_to_write_one() {
        for bad in [
            "",
            "14",
            "2026-14",
            "W14",
            "2026-W",
            "2026-Wx4",
            "26-W14",
            "2026-W014",
            "next week",
        ] {
            let error = parse_week(bad).unwrap_err();
            assert!(error.message.contains("is not a week"), "{bad}: {error:?}");
            assert!(error.help.contains("2026-W14"), "{bad}");
        }
        let error = parse_week("2027-W53").unwrap_err();
        assert_eq!(error.message, "2027 has no week 53");
        assert_eq!(
            error.help,
            "the ISO weeks of 2027 run from 2027-W01 to 2027-W52"
        );
        assert!(parse_week("2026-W00").is_err());
    }
}
