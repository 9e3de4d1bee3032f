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
    /// Disks to connect tonight that left the building after their last
    /// night (per `disks.offsite`): someone brings them back today.
    pub bring_back: Vec<String>,
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
    // A disk that comes off this morning and goes back in tonight (two
    // nights in a row) is said so by the morning's row ("back in tonight").
    let bring_back = connect
        .iter()
        .filter(|label| !store.contains(label) && went_offsite(policy, label, date))
        .cloned()
        .collect();
    Night {
        date,
        open,
        closure,
        connect,
        store,
        offsite,
        bring_back,
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

/// Whether the disk `label` is off-site on the morning of `date`: it came
/// off the server after its last night before `date`, and that night's disk
/// leaves the building (`carry: previous`, or that weekday in `carry`).
fn went_offsite(policy: &Policy, label: &str, date: NaiveDate) -> bool {
    let calendar = &policy.office.calendar;
    let last_night = (1..=BRING_BACK_SEARCH_DAYS)
        .filter_map(|back| date.checked_sub_days(chrono::Days::new(back)))
        .filter(|day| calendar.is_open(*day))
        .find(|day| disks_for_day(policy, *day).contains(&label));
    last_night.is_some_and(|night| goes_offsite(policy, night.weekday()))
}

/// How far back a disk's last night is looked for (four weeks: a disk with
/// no night in them has been away, and is not brought back by the sheet).
const BRING_BACK_SEARCH_DAYS: u64 = 28;

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

    use super::*;
    use crate::test_support::{VENDOR_GUIDE, date, policy_at};

    fn vendor() -> Policy {
        policy_at(VENDOR_GUIDE, "/o/rota.yaml")
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
    fn disks_that_left_the_building_are_brought_back_for_their_night() {
        // carry: previous: every disk leaves the morning after its night, so
        // each comes back on its next one.
        let policy = vendor();
        let monday = night(&policy, date("2026-03-30"));
        assert_eq!(monday.bring_back, ["MON"]);
        // carry: [thu] in a four-day office: only THU comes back.
        let text = include_str!("../../policies/four-day-june-fiscal-year.yaml");
        let prairie = policy_at(text, "/o/rota.yaml");
        let week = iso_week(&prairie, 2026, 11).unwrap();
        let back: Vec<(String, Vec<String>)> = week
            .iter()
            .filter(|night| !night.bring_back.is_empty())
            .map(|night| (night.date.to_string(), night.bring_back.clone()))
            .collect();
        let thu_night = week
            .iter()
            .find(|night| night.connect.iter().any(|l| l == "THU"))
            .unwrap();
        assert_eq!(
            back,
            [(thu_night.date.to_string(), vec![String::from("THU")])]
        );
        // Without disks.offsite nothing leaves, so nothing comes back.
        let mut stays = vendor();
        stays.disks.offsite = None;
        assert!(night(&stays, date("2026-03-30")).bring_back.is_empty());
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
