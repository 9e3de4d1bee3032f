//! Whether the office's closed dates run out: from October on, a policy whose
//! holidays are listed for this year but not for the next leaves next year's
//! sheets without closures and has rota expect a backup on every holiday
//! (`holidays-missing`, raised by `rota check`, `plan` and `doctor`).
//!
//! Pure: a function of the calendar and "today"; never reads the clock.

use chrono::{Datelike, NaiveDate};

use super::Calendar;

/// The first month in which next year's holidays are asked for.
pub const ASK_FROM_MONTH: u32 = 10;

/// This year has closed dates and next year has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HolidaysMissing {
    pub this_year: i32,
    pub next_year: i32,
}

/// From October on: `Some` when a closed date (or range) falls in `today`'s
/// year and none falls in the next. A policy without any closed dates is an
/// office that never closes on a weekday, and is left alone.
pub fn holidays_missing(calendar: &Calendar, today: NaiveDate) -> Option<HolidaysMissing> {
    if today.month() < ASK_FROM_MONTH {
        return None;
    }
    let this_year = today.year();
    let next_year = this_year + 1;
    let touches = |year: i32| {
        calendar
            .closed
            .iter()
            .any(|span| span.from.year() <= year && year <= span.to.year())
    };
    (touches(this_year) && !touches(next_year)).then_some(HolidaysMissing {
        this_year,
        next_year,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, Weekday};

    use super::*;
    use crate::calendar::{ClosedSpan, FiscalYearEnd};
    use crate::test_support::date;

    fn calendar(closed: &[(&str, &str)]) -> Calendar {
        let closed = closed
            .iter()
            .map(|(from, to)| ClosedSpan {
                from: date(from),
                to: date(to),
                name: None,
            })
            .collect();
        Calendar::new(
            chrono_tz::America::Denver,
            &[Weekday::Mon, Weekday::Tue],
            closed,
            NaiveTime::MIN,
            FiscalYearEnd::default(),
        )
    }

    #[test]
    fn next_years_holidays_are_asked_for_from_october() {
        let only_2026 = calendar(&[("2026-01-01", "2026-01-01"), ("2026-12-25", "2026-12-25")]);
        assert_eq!(holidays_missing(&only_2026, date("2026-09-30")), None);
        assert_eq!(
            holidays_missing(&only_2026, date("2026-10-01")),
            Some(HolidaysMissing {
                this_year: 2026,
                next_year: 2027
            })
        );
        assert!(holidays_missing(&only_2026, date("2026-12-31")).is_some());
        // In 2027 this year has none: nothing to compare with.
        assert_eq!(holidays_missing(&only_2026, date("2027-11-01")), None);
    }

    #[test]
    fn a_break_into_next_year_or_a_listed_next_year_is_enough() {
        let winter_break = calendar(&[("2026-12-21", "2027-01-01")]);
        assert_eq!(holidays_missing(&winter_break, date("2026-11-02")), None);
        let both = calendar(&[("2026-11-26", "2026-11-26"), ("2027-01-01", "2027-01-01")]);
        assert_eq!(holidays_missing(&both, date("2026-11-02")), None);
        let never_closed = calendar(&[]);
        assert_eq!(holidays_missing(&never_closed, date("2026-11-02")), None);
    }
}
