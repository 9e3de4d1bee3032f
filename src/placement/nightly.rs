//! What each night asks of the staff, from the same placement rules the planner
//! uses: which disk to connect before leaving, which disk goes to storage or
//! off-site, and whether the night's backup will be kept long-term (a month-,
//! quarter- or fiscal-year-end). The swap sheet is rendered from this.

use chrono::{Datelike, NaiveDate, Weekday};

use super::disks_for_day;
use crate::calendar::{Calendar, PeriodKind};
use crate::policy::{Carry, Policy, Tier};

/// One night of the rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Night {
    pub date: NaiveDate,
    pub open: bool,
    /// Why the office is closed: a holiday's name, or "closed" on a weekday the
    /// office never opens.
    pub closure: Option<String>,
    /// Rotation disks to connect before leaving (empty when closed).
    pub connect: Vec<String>,
    /// Disks that come off the server this morning: last open night's.
    pub store: Vec<String>,
    /// Whether `store` leaves the building (per `disks.offsite`) rather than
    /// going to the storage place.
    pub offsite: bool,
    /// The long-term periods this night's backup will close (month, fiscal
    /// quarter, fiscal year), only for tiers the policy keeps.
    pub long_term: Vec<PeriodKind>,
}

impl Night {
    /// Flags as in the sheet's `data-flags` (docs/sheets.md): month-end, quarter-end,
    /// fiscal-year-end, closed.
    pub fn flags(&self) -> Vec<&'static str> {
        let mut flags: Vec<&'static str> = self
            .long_term
            .iter()
            .map(|kind| match kind {
                PeriodKind::Month => "month-end",
                PeriodKind::FiscalQuarter => "quarter-end",
                PeriodKind::FiscalYear => "fiscal-year-end",
                PeriodKind::BusinessDay => "business-day",
            })
            .collect();
        if !self.open {
            flags.push("closed");
        }
        flags
    }
}

/// The night of `date`.
pub fn night(policy: &Policy, date: NaiveDate) -> Night {
    let calendar = &policy.office.calendar;
    let open = calendar.is_open(date);
    let closure = if open {
        None
    } else {
        Some(
            match calendar.closure(date).and_then(|span| span.name.clone()) {
                Some(name) => name,
                None => String::from("closed"),
            },
        )
    };
    let connect = if open {
        labels(policy, date)
    } else {
        Vec::new()
    };
    let previous = date
        .pred_opt()
        .and_then(|before| calendar.open_day_on_or_before(before));
    let (store, offsite) = match previous {
        Some(previous) if open => (
            labels(policy, previous),
            goes_offsite(policy, previous.weekday()),
        ),
        _ => (Vec::new(), false),
    };
    Night {
        date,
        open,
        closure,
        connect,
        store,
        offsite,
        long_term: if open {
            closes_periods(policy, calendar, date)
        } else {
            Vec::new()
        },
    }
}

fn labels(policy: &Policy, day: NaiveDate) -> Vec<String> {
    disks_for_day(policy, day)
        .into_iter()
        .map(str::to_string)
        .collect()
}

fn goes_offsite(policy: &Policy, weekday: Weekday) -> bool {
    match policy.disks.offsite.as_ref().map(|offsite| &offsite.carry) {
        Some(Carry::Previous) => true,
        Some(Carry::Days(days)) => days.contains(&weekday),
        None => false,
    }
}

/// The periods whose last backup will be this open day's: the next open day
/// falls in another period. Only for tiers the policy keeps.
fn closes_periods(policy: &Policy, calendar: &Calendar, date: NaiveDate) -> Vec<PeriodKind> {
    let next = calendar.next_open_day(date);
    [
        (PeriodKind::Month, Tier::MonthEnds),
        (PeriodKind::FiscalQuarter, Tier::QuarterEnds),
        (PeriodKind::FiscalYear, Tier::FiscalYearEnds),
    ]
    .into_iter()
    .filter(|(_, tier)| !policy.retain.count(*tier).is_zero())
    .filter(|(kind, _)| match next {
        Some(next) => calendar.period(*kind, next) != calendar.period(*kind, date),
        None => true,
    })
    .map(|(kind, _)| kind)
    .collect()
}

/// Every night of the ISO week `year`-W`week`, Monday first (None if no such week).
pub fn iso_week(policy: &Policy, year: i32, week: u32) -> Option<Vec<Night>> {
    let monday = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)?;
    Some(
        monday
            .iter_days()
            .take(7)
            .map(|date| night(policy, date))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::policy;

    fn vendor() -> Policy {
        let text = include_str!("../../policies/vendor-guide.yaml");
        policy::load_str(text, Path::new("/o/rota.yaml"))
            .unwrap()
            .policy
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_month_end_week() {
        let policy = vendor();
        let week = iso_week(&policy, 2026, 14).unwrap();
        let tuesday = &week[1];
        assert_eq!(tuesday.date, date("2026-03-31"));
        assert_eq!(tuesday.connect, ["TUE"]);
        assert_eq!(tuesday.store, ["MON"]);
        assert!(tuesday.offsite);
        assert_eq!(tuesday.flags(), ["month-end", "quarter-end"]);
        let saturday = &week[5];
        assert!(!saturday.open);
        assert!(saturday.connect.is_empty());
        assert_eq!(saturday.flags(), ["closed"]);
    }

    #[test]
    fn a_holiday_moves_the_month_end_flag() {
        let policy = vendor();
        // Christmas break 24-25 Dec 2026; Dec 31 (Thursday) closes the year.
        let thursday = night(&policy, date("2026-12-31"));
        assert_eq!(
            thursday.flags(),
            ["month-end", "quarter-end", "fiscal-year-end"]
        );
        let christmas = night(&policy, date("2026-12-25"));
        assert_eq!(christmas.closure.as_deref(), Some("Christmas"));
        // Monday after Thanksgiving week: Friday's disk comes off.
        let monday = night(&policy, date("2026-11-30"));
        assert_eq!(monday.store, ["FRI"]);
        let friday = night(&policy, date("2026-11-27"));
        assert_eq!(friday.store, ["WED"], "Thursday was Thanksgiving");
        assert_eq!(friday.flags(), Vec::<&str>::new());
        assert_eq!(night(&policy, date("2026-11-30")).flags(), ["month-end"]);
    }

    #[test]
    fn the_nights_disk_is_the_planners_home_disk() {
        let policy = vendor();
        for date in date("2026-01-01").iter_days().take(365) {
            let night = night(&policy, date);
            if night.open {
                let homes: Vec<String> = policy
                    .disks
                    .for_weekday(date.weekday())
                    .map(|d| d.label.clone())
                    .collect();
                assert_eq!(night.connect, homes, "{date}");
            }
        }
    }
}
