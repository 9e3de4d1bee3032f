//! Period keys: one typed key per retention tier (business day, calendar month,
//! fiscal quarter, fiscal year), so "same period?" is a key comparison and never a
//! chain of pairwise date checks.
//!
//! A fiscal year is named after the calendar year in which it ends (a year ending
//! in June 2026 is FY2026 and runs July 2025 – June 2026). Fiscal quarters end on
//! the fiscal year's last month and every third month before it.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// The last month of the fiscal year (the year always ends on a month's last day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FiscalYearEnd {
    month: u32,
}

impl FiscalYearEnd {
    pub const DECEMBER: FiscalYearEnd = FiscalYearEnd { month: 12 };

    /// `month` is 1..=12; anything else is `None`.
    pub fn new(month: u32) -> Option<FiscalYearEnd> {
        (1..=12).contains(&month).then_some(FiscalYearEnd { month })
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// 0 for the fiscal year's first month, 11 for its last.
    fn fiscal_month_index(self, month: u32) -> u32 {
        (month + 11 - self.month) % 12
    }

    /// The fiscal year (named by the calendar year it ends in) of a month.
    fn fiscal_year(self, year: i32, month: u32) -> i32 {
        if month > self.month { year + 1 } else { year }
    }
}

impl Default for FiscalYearEnd {
    fn default() -> Self {
        FiscalYearEnd::DECEMBER
    }
}

/// The kinds of period a retention tier keeps one backup of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    BusinessDay,
    Month,
    FiscalQuarter,
    FiscalYear,
}

/// One period; ordering is chronological within a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    BusinessDay(NaiveDate),
    Month { year: i32, month: u32 },
    FiscalQuarter { fiscal_year: i32, quarter: u32 },
    FiscalYear { fiscal_year: i32 },
}

impl Period {
    /// The period of `kind` that contains `date`.
    pub fn containing(kind: PeriodKind, date: NaiveDate, fye: FiscalYearEnd) -> Period {
        let (year, month) = (date.year(), date.month());
        match kind {
            PeriodKind::BusinessDay => Period::BusinessDay(date),
            PeriodKind::Month => Period::Month { year, month },
            PeriodKind::FiscalQuarter => Period::FiscalQuarter {
                fiscal_year: fye.fiscal_year(year, month),
                quarter: fye.fiscal_month_index(month) / 3 + 1,
            },
            PeriodKind::FiscalYear => Period::FiscalYear {
                fiscal_year: fye.fiscal_year(year, month),
            },
        }
    }

    pub fn kind(&self) -> PeriodKind {
        match self {
            Period::BusinessDay(_) => PeriodKind::BusinessDay,
            Period::Month { .. } => PeriodKind::Month,
            Period::FiscalQuarter { .. } => PeriodKind::FiscalQuarter,
            Period::FiscalYear { .. } => PeriodKind::FiscalYear,
        }
    }

    /// The last calendar month (year, month) of the period.
    fn last_month(&self, fye: FiscalYearEnd) -> (i32, u32) {
        match *self {
            Period::BusinessDay(date) => (date.year(), date.month()),
            Period::Month { year, month } => (year, month),
            Period::FiscalYear { fiscal_year } => (fiscal_year, fye.month),
            Period::FiscalQuarter {
                fiscal_year,
                quarter,
            } => {
                // Months from the fiscal year's end back to this quarter's end.
                let back = (4 - quarter) * 3;
                shift_month(fiscal_year, fye.month, -(back as i32))
            }
        }
    }

    /// The first calendar day of the period.
    pub fn first_day(&self, fye: FiscalYearEnd) -> NaiveDate {
        let months = match self {
            Period::BusinessDay(date) => return *date,
            Period::Month { .. } => 1,
            Period::FiscalQuarter { .. } => 3,
            Period::FiscalYear { .. } => 12,
        };
        let (year, month) = self.last_month(fye);
        let (year, month) = shift_month(year, month, 1 - months);
        NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last calendar day of the period.
    pub fn last_day(&self, fye: FiscalYearEnd) -> NaiveDate {
        if let Period::BusinessDay(date) = self {
            return *date;
        }
        let (year, month) = self.last_month(fye);
        last_day_of_month(year, month)
    }

    /// Completed as of `today`: its last calendar day is before today.
    pub fn is_completed(&self, today: NaiveDate, fye: FiscalYearEnd) -> bool {
        self.last_day(fye) < today
    }

    /// The period just before this one (for business days: the previous
    /// calendar date; the calendar skips closed ones).
    pub fn previous(&self, fye: FiscalYearEnd) -> Option<Period> {
        match self {
            Period::BusinessDay(date) => date.pred_opt().map(Period::BusinessDay),
            _ => {
                let before = self.first_day(fye).pred_opt()?;
                Some(Period::containing(self.kind(), before, fye))
            }
        }
    }

    /// The period just after this one.
    pub fn next(&self, fye: FiscalYearEnd) -> Option<Period> {
        let after = self.last_day(fye).succ_opt()?;
        Some(Period::containing(self.kind(), after, fye))
    }
}

impl fmt::Display for Period {
    /// Short human names: `2026-03-31`, `2026-03`, `FY2026 Q3`, `FY2026`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::BusinessDay(date) => write!(f, "{date}"),
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::FiscalQuarter {
                fiscal_year,
                quarter,
            } => write!(f, "FY{fiscal_year} Q{quarter}"),
            Period::FiscalYear { fiscal_year } => write!(f, "FY{fiscal_year}"),
        }
    }
}

/// (year, month) moved by `delta` months.
fn shift_month(year: i32, month: u32, delta: i32) -> (i32, u32) {
    let zero_based = year * 12 + month as i32 - 1 + delta;
    (
        zero_based.div_euclid(12),
        zero_based.rem_euclid(12) as u32 + 1,
    )
}

/// The last day of a calendar month.
pub fn last_day_of_month(year: i32, month: u32) -> NaiveDate {
    let (next_year, next_month) = shift_month(year, month, 1);
    NaiveDate::from_ymd_opt(next_year, next_month, 1)
        .and_then(|first| first.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::date;

    #[test]
    fn fiscal_quarters_for_every_year_end() {
        // (fiscal year end month, date, expected fiscal year, expected quarter)
        let table = [
            (12, "2026-01-15", 2026, 1),
            (12, "2026-12-31", 2026, 4),
            (6, "2026-06-30", 2026, 4),
            (6, "2026-07-01", 2027, 1),
            (6, "2026-01-31", 2026, 3),
            (3, "2026-03-31", 2026, 4),
            (3, "2026-04-01", 2027, 1),
            (3, "2026-12-31", 2027, 3),
            (9, "2026-09-30", 2026, 4),
            (9, "2026-10-01", 2027, 1),
            (9, "2026-02-28", 2026, 2),
        ];
        for (month, day, fiscal_year, quarter) in table {
            let fye = FiscalYearEnd::new(month).unwrap();
            let period = Period::containing(PeriodKind::FiscalQuarter, date(day), fye);
            assert_eq!(
                period,
                Period::FiscalQuarter {
                    fiscal_year,
                    quarter
                },
                "fye {month} day {day}"
            );
        }
    }

    #[test]
    fn quarter_bounds_follow_the_fiscal_year() {
        let june = FiscalYearEnd::new(6).unwrap();
        let q1 = Period::FiscalQuarter {
            fiscal_year: 2027,
            quarter: 1,
        };
        assert_eq!(q1.first_day(june), date("2026-07-01"));
        assert_eq!(q1.last_day(june), date("2026-09-30"));
        let fy = Period::FiscalYear { fiscal_year: 2026 };
        assert_eq!(fy.first_day(june), date("2025-07-01"));
        assert_eq!(fy.last_day(june), date("2026-06-30"));
        assert_eq!(q1.previous(june).unwrap().to_string(), "FY2026 Q4");
        assert_eq!(q1.next(june).unwrap().to_string(), "FY2027 Q2");
    }

    #[test]
    fn months_roll_over_new_year() {
        let dec = FiscalYearEnd::DECEMBER;
        let jan = Period::Month {
            year: 2027,
            month: 1,
        };
        assert_eq!(jan.previous(dec).unwrap().to_string(), "2026-12");
        assert_eq!(
            Period::Month {
                year: 2024,
                month: 2
            }
            .last_day(dec),
            date("2024-02-29")
        );
        assert!(
            Period::Month {
                year: 2026,
                month: 3
            }
            .is_completed(date("2026-04-01"), dec)
        );
        assert!(
            !Period::Month {
                year: 2026,
                month: 3
            }
            .is_completed(date("2026-03-31"), dec)
        );
    }
}
