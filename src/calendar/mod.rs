//! The office calendar: which days are open, which business day a wall-clock time
//! belongs to, and where months, fiscal quarters and fiscal years end.
//!
//! Everything here is a pure function of the calendar settings and a date or time.
//! Backups carry wall-clock names, so the calendar works on local *naive* times and
//! never on instants: a backup named inside a DST gap (02:30 on a spring-forward
//! night) or a DST repeat (01:30 on a fall-back night) is still a valid name and
//! belongs to the date written in it. Only the planning instant (`--at`) is an
//! absolute time; [`Calendar::local_time`] turns it into office wall-clock time.
//!
//! This module never reads the clock and never touches the filesystem.

mod fixed_zone;
mod holidays;
mod instant;
mod pattern;
mod period;
mod weekday;

pub use fixed_zone::{FixedZone, fixed_offset_zone};
pub use holidays::{ASK_FROM_MONTH as ASK_HOLIDAYS_FROM_MONTH, HolidaysMissing, holidays_missing};
pub use instant::{AtError, parse_at};
pub use pattern::{NamePattern, PatternError};
pub use period::{FiscalYearEnd, Period, PeriodKind, last_day_of_month};
pub use weekday::full_weekday;

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Weekday,
};
use chrono_tz::Tz;

/// A closed stretch of dates (a holiday or a break), inclusive on both ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedSpan {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub name: Option<String>,
}

impl ClosedSpan {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// How far back [`Calendar::open_day_on_or_before`] searches before giving up.
/// A policy whose office is closed for more than ten years in a row is not a
/// calendar anyone can plan with; the bound keeps every query finite.
const MAX_CLOSED_STRETCH_DAYS: u64 = 3700;

/// The office calendar, built from a validated policy.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub timezone: Tz,
    /// Open weekdays, indexed by `Weekday::num_days_from_monday`.
    open_weekdays: [bool; 7],
    pub closed: Vec<ClosedSpan>,
    pub day_starts_at: NaiveTime,
    pub fiscal_year_end: FiscalYearEnd,
}

impl Calendar {
    pub fn new(
        timezone: Tz,
        open_days: &[Weekday],
        closed: Vec<ClosedSpan>,
        day_starts_at: NaiveTime,
        fiscal_year_end: FiscalYearEnd,
    ) -> Calendar {
        let mut open_weekdays = [false; 7];
        for day in open_days {
            open_weekdays[day.num_days_from_monday() as usize] = true;
        }
        Calendar {
            timezone,
            open_weekdays,
            closed,
            day_starts_at,
            fiscal_year_end,
        }
    }

    /// The open weekdays, Monday first.
    pub fn open_weekdays(&self) -> Vec<Weekday> {
        (0..7)
            .filter(|i| self.open_weekdays[*i as usize])
            .map(|i| Weekday::try_from(i as u8).expect("0..7 is a weekday"))
            .collect()
    }

    pub fn is_open_weekday(&self, weekday: Weekday) -> bool {
        self.open_weekdays[weekday.num_days_from_monday() as usize]
    }

    /// The holiday or break that closes `date`, if any.
    pub fn closure(&self, date: NaiveDate) -> Option<&ClosedSpan> {
        self.closed.iter().find(|span| span.contains(date))
    }

    /// An open day is a listed weekday that is not in `closed`.
    pub fn is_open(&self, date: NaiveDate) -> bool {
        self.is_open_weekday(date.weekday()) && self.closure(date).is_none()
    }

    /// The latest open day on or before `date`, or `None` when the office has no
    /// open day in the ten years before it (no open weekday, or closed throughout).
    pub fn open_day_on_or_before(&self, date: NaiveDate) -> Option<NaiveDate> {
        let mut day = date;
        for _ in 0..MAX_CLOSED_STRETCH_DAYS {
            if self.is_open(day) {
                return Some(day);
            }
            day = day.pred_opt()?;
        }
        None
    }

    /// The first open day strictly after `date`.
    pub fn next_open_day(&self, date: NaiveDate) -> Option<NaiveDate> {
        let mut day = date;
        for _ in 0..MAX_CLOSED_STRETCH_DAYS {
            day = day.succ_opt()?;
            if self.is_open(day) {
                return Some(day);
            }
        }
        None
    }

    /// The calendar date a wall-clock time counts for: times before
    /// `day_starts_at` belong to the previous date (an after-midnight backup job
    /// still backs up the day before).
    pub fn working_date(&self, local: NaiveDateTime) -> NaiveDate {
        if local.time() < self.day_starts_at {
            local.date().pred_opt().unwrap_or(local.date())
        } else {
            local.date()
        }
    }

    /// The business day a wall-clock time belongs to: its working date, or the
    /// latest open day before it when that date is closed.
    pub fn business_day(&self, local: NaiveDateTime) -> Option<NaiveDate> {
        self.business_day_of_working_date(self.working_date(local))
    }

    /// The business day of every time whose working date is `date`.
    pub fn business_day_of_working_date(&self, date: NaiveDate) -> Option<NaiveDate> {
        self.open_day_on_or_before(date)
    }

    /// Office wall-clock time at an instant.
    pub fn local_time<Z: TimeZone>(&self, instant: &DateTime<Z>) -> NaiveDateTime {
        instant.with_timezone(&self.timezone).naive_local()
    }

    /// "Today" of an instant: the business day of the office's wall-clock time then.
    pub fn today<Z: TimeZone>(&self, instant: &DateTime<Z>) -> Option<NaiveDate> {
        self.business_day(self.local_time(instant))
    }

    /// The `count` latest open days on or before `date`, newest first.
    pub fn latest_open_days(&self, date: NaiveDate, count: usize) -> Vec<NaiveDate> {
        self.latest_open_days_since(date, count, NaiveDate::MIN)
    }

    /// As [`Self::latest_open_days`], but never going back before `floor` (so a
    /// huge count costs no more than the days that matter).
    pub fn latest_open_days_since(
        &self,
        date: NaiveDate,
        count: usize,
        floor: NaiveDate,
    ) -> Vec<NaiveDate> {
        let mut days = Vec::with_capacity(count.min(4096));
        let mut cursor = self.open_day_on_or_before(date);
        while let Some(day) = cursor {
            if days.len() >= count || day < floor {
                break;
            }
            days.push(day);
            cursor = day
                .pred_opt()
                .and_then(|before| self.open_day_on_or_before(before));
        }
        days
    }

    /// Every open day in `from..=to`, oldest first.
    pub fn open_days_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        from.iter_days()
            .take_while(|day| *day <= to)
            .filter(|day| self.is_open(*day))
            .collect()
    }

    /// The period of `kind` that a business day falls in.
    pub fn period(&self, kind: PeriodKind, business_day: NaiveDate) -> Period {
        Period::containing(kind, business_day, self.fiscal_year_end)
    }

    /// The `count` latest periods of `kind` that are completed as of `today`
    /// (their last calendar day is before today), newest first. Periods count
    /// whether or not any backup falls in them: calendar semantics, not buckets.
    /// For business days, "completed" means "open, on or before today".
    pub fn latest_completed_periods(
        &self,
        kind: PeriodKind,
        today: NaiveDate,
        count: usize,
    ) -> Vec<Period> {
        self.latest_completed_periods_since(kind, today, count, NaiveDate::MIN)
    }

    /// As [`Self::latest_completed_periods`], stopping at periods that end
    /// before `floor` (nothing older can matter to the caller).
    pub fn latest_completed_periods_since(
        &self,
        kind: PeriodKind,
        today: NaiveDate,
        count: usize,
        floor: NaiveDate,
    ) -> Vec<Period> {
        if kind == PeriodKind::BusinessDay {
            return self
                .latest_open_days_since(today, count, floor)
                .into_iter()
                .map(Period::BusinessDay)
                .collect();
        }
        let mut periods = Vec::new();
        let mut period = self.period(kind, today).previous(self.fiscal_year_end);
        while periods.len() < count {
            let Some(current) = period else { break };
            if current.last_day(self.fiscal_year_end) < floor {
                break;
            }
            period = current.previous(self.fiscal_year_end);
            periods.push(current);
        }
        periods
    }

    /// Turns an office wall-clock time into an instant. A time inside a DST gap
    /// does not exist on the clock; it is read as the same wall time after the
    /// clocks jumped (02:30 on a spring-forward night becomes 03:30). A time in a
    /// DST repeat happened twice; the first (daylight) occurrence is taken.
    pub fn instant_of(&self, local: NaiveDateTime) -> DateTime<Tz> {
        use chrono::LocalResult;
        match self.timezone.from_local_datetime(&local) {
            LocalResult::Single(instant) => instant,
            LocalResult::Ambiguous(earliest, _) => earliest,
            LocalResult::None => {
                // Read the wall time with the offset in force just before the gap:
                // 02:30 EST (-5) is 07:30 UTC, which the clocks show as 03:30 EDT.
                let before = (1..=48)
                    .map(|hours| local - chrono::Duration::hours(hours))
                    .find_map(|probe| self.timezone.from_local_datetime(&probe).earliest());
                match before {
                    Some(instant) => {
                        let offset = instant.offset().fix();
                        let utc =
                            local - chrono::Duration::seconds(offset.local_minus_utc().into());
                        self.timezone.from_utc_datetime(&utc)
                    }
                    None => self.timezone.from_utc_datetime(&local),
                }
            }
        }
    }

    /// Number of calendar days from `from` to `to` (negative when `to` is earlier).
    pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
        (to - from).num_days()
    }

    /// `date` plus `days` calendar days, saturating at chrono's range.
    pub fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
        date.checked_add_days(Days::new(days)).unwrap_or(date)
    }
}

#[cfg(test)]
mod tests;
