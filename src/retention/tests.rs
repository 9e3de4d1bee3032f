//! Retention tables over years of business days: three offices in three time
//! zones, fiscal years ending in December, June and March, missing days, several
//! backups a day, holds and backups dated after today.

use chrono::{Datelike, Duration, NaiveDateTime, NaiveTime, Weekday};

use super::*;
use crate::calendar::{ClosedSpan, FiscalYearEnd};
use crate::test_support::date;

fn calendar(zone: &str, days: &[Weekday], starts: &str, fye: u32, closed: &[&str]) -> Calendar {
    let closed = closed
        .iter()
        .map(|day| ClosedSpan {
            from: date(day),
            to: date(day),
            name: None,
        })
        .collect();
    Calendar::new(
        zone.parse().unwrap(),
        days,
        closed,
        NaiveTime::parse_from_str(starts, "%H:%M").unwrap(),
        FiscalYearEnd::new(fye).unwrap(),
    )
}

const WEEKDAYS: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

/// One backup per open day at `time` (plus `offset_days` for after-midnight
/// jobs), from `from` to `to`, skipping `missing` dates.
fn nightly(
    cal: &Calendar,
    from: &str,
    to: &str,
    time: &str,
    offset_days: i64,
    missing: &[&str],
) -> Vec<Dated> {
    let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
    cal.open_days_between(date(from), date(to))
        .into_iter()
        .filter(|day| !missing.contains(&day.to_string().as_str()))
        .map(|day| {
            let stamp = (day + Duration::days(offset_days)).and_time(time);
            dated(cal, stamp)
        })
        .collect()
}

fn dated(cal: &Calendar, timestamp: NaiveDateTime) -> Dated {
    Dated {
        name: format!("b_{}", timestamp.format("%Y-%m-%d_%H%M")),
        timestamp,
        business_day: cal.business_day(timestamp).unwrap(),
        written: None,
    }
}

fn retain_counts(days: u32, months: u32, quarters: u32, years: Count, last: u32) -> Retain {
    Retain {
        business_days: Count::Number(days),
        month_ends: Count::Number(months),
        quarter_ends: Count::Number(quarters),
        fiscal_year_ends: years,
        last: Count::Number(last),
    }
}

/// Kept backups of one tier, as "business day" strings, oldest first.
fn kept_days(backups: &[Dated], retention: &Retention, tier: Tier) -> Vec<String> {
    let mut days: Vec<String> = backups
        .iter()
        .zip(&retention.reasons)
        .filter(|(_, reasons)| reasons.iter().any(|r| r.tier() == Some(tier)))
        .map(|(backup, _)| backup.business_day.to_string())
        .collect();
    days.sort();
    days
}

#[test]
fn vendor_guide_office_in_new_york_over_two_years() {
    let cal = calendar(
        "America/New_York",
        &WEEKDAYS,
        "05:00",
        12,
        &["2025-12-31", "2026-03-30"],
    );
    let backups = nightly(&cal, "2024-01-02", "2026-03-31", "23:30", 0, &[]);
    let today = date("2026-03-31");
    let result = retain(
        &retain_counts(10, 12, 8, Count::All, 0),
        &[],
        &cal,
        &backups,
        today,
    );

    assert_eq!(
        kept_days(&backups, &result, Tier::BusinessDays),
        [
            "2026-03-17",
            "2026-03-18",
            "2026-03-19",
            "2026-03-20",
            "2026-03-23",
            "2026-03-24",
            "2026-03-25",
            "2026-03-26",
            "2026-03-27",
            "2026-03-31"
        ],
        "ten open days; the closed 30th is skipped"
    );
    // March is not completed on the 31st; the 12 months are 2025-03 .. 2026-02.
    let months = kept_days(&backups, &result, Tier::MonthEnds);
    assert_eq!(months.len(), 12);
    assert_eq!(months.first().unwrap(), "2025-03-31");
    assert_eq!(months.last().unwrap(), "2026-02-27");
    // December 31st 2025 was closed: December's last backup is the 30th's.
    assert!(months.contains(&"2025-12-30".to_string()));
    assert_eq!(
        kept_days(&backups, &result, Tier::QuarterEnds),
        [
            "2024-03-29",
            "2024-06-28",
            "2024-09-30",
            "2024-12-31",
            "2025-03-31",
            "2025-06-30",
            "2025-09-30",
            "2025-12-30"
        ]
    );
    assert_eq!(
        kept_days(&backups, &result, Tier::FiscalYearEnds),
        ["2024-12-31", "2025-12-30"]
    );
    let reasons = &result.reasons[backups
        .iter()
        .position(|b| b.business_day == date("2025-12-30"))
        .unwrap()];
    let shown: Vec<String> = reasons.iter().map(|r| r.to_string()).collect();
    assert_eq!(
        shown,
        [
            "month-end 2025-12",
            "quarter-end FY2025 Q4",
            "fiscal-year-end FY2025"
        ]
    );
}

#[test]
fn the_day_after_a_month_end_the_month_is_kept() {
    let cal = calendar("America/New_York", &WEEKDAYS, "05:00", 12, &[]);
    let backups = nightly(&cal, "2026-01-01", "2026-04-01", "23:30", 0, &[]);
    let policy = retain_counts(0, 1, 1, Count::Number(0), 0);
    let on_31st = retain(&policy, &[], &cal, &backups, date("2026-03-31"));
    let on_1st = retain(&policy, &[], &cal, &backups, date("2026-04-01"));
    assert_eq!(
        kept_days(&backups, &on_31st, Tier::MonthEnds),
        ["2026-02-27"]
    );
    assert_eq!(
        kept_days(&backups, &on_1st, Tier::MonthEnds),
        ["2026-03-31"]
    );
    assert_eq!(
        kept_days(&backups, &on_1st, Tier::QuarterEnds),
        ["2026-03-31"]
    );
}

#[test]
fn four_day_office_in_chicago_with_a_june_fiscal_year() {
    let days = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu];
    let cal = calendar("America/Chicago", &days, "00:00", 6, &["2026-06-30"]);
    let backups = nightly(&cal, "2024-07-01", "2026-07-09", "18:00", 0, &[]);
    let today = date("2026-07-09");
    let result = retain(
        &retain_counts(8, 0, 4, Count::Number(2), 0),
        &[],
        &cal,
        &backups,
        today,
    );
    // Quarters of FY2026 end Sep, Dec, Mar, Jun. June 30 2026 (Tuesday) was
    // closed, so Monday the 29th is the quarter's and the year's last backup.
    assert_eq!(
        kept_days(&backups, &result, Tier::QuarterEnds),
        ["2025-09-30", "2025-12-31", "2026-03-31", "2026-06-29"]
    );
    assert_eq!(
        kept_days(&backups, &result, Tier::FiscalYearEnds),
        ["2025-06-30", "2026-06-29"]
    );
    // Eight open days back from Thursday July 9 (no Fridays).
    let business = kept_days(&backups, &result, Tier::BusinessDays);
    assert_eq!(business.first().unwrap(), "2026-06-25");
    assert!(!business.contains(&"2026-06-30".to_string()));
}

#[test]
fn six_day_office_in_sydney_backing_up_after_midnight() {
    let days = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
    ];
    let cal = calendar("Australia/Sydney", &days, "05:00", 6, &[]);
    // The job runs at 01:30 the morning after each open day.
    let backups = nightly(&cal, "2025-06-02", "2026-07-04", "01:30", 1, &[]);
    for backup in &backups {
        assert_eq!(
            backup.business_day + Duration::days(1),
            backup.timestamp.date(),
            "{} belongs to the day before",
            backup.name
        );
    }
    let today = date("2026-07-06"); // Monday; the June 30 backup ran on July 1st.
    let result = retain(
        &retain_counts(6, 2, 0, Count::Number(1), 0),
        &[],
        &cal,
        &backups,
        today,
    );
    assert_eq!(
        kept_days(&backups, &result, Tier::MonthEnds),
        ["2026-05-30", "2026-06-30"]
    );
    assert_eq!(
        kept_days(&backups, &result, Tier::FiscalYearEnds),
        ["2026-06-30"]
    );
    // Today's backup (Monday night) has not run yet, but today is one of the six
    // open days: five backups are held.
    assert_eq!(
        kept_days(&backups, &result, Tier::BusinessDays),
        [
            "2026-06-30",
            "2026-07-01",
            "2026-07-02",
            "2026-07-03",
            "2026-07-04"
        ]
    );
}

#[test]
fn missing_days_and_missing_months_still_count_as_periods() {
    let cal = calendar("Europe/London", &WEEKDAYS, "00:00", 12, &[]);
    // No backup on 2026-02-27 (the last Friday of February), none in all of April.
    let april: Vec<String> = cal
        .open_days_between(date("2026-04-01"), date("2026-04-30"))
        .iter()
        .map(|d| d.to_string())
        .collect();
    let mut missing: Vec<&str> = april.iter().map(String::as_str).collect();
    missing.push("2026-02-27");
    missing.push("2026-06-03");
    let backups = nightly(&cal, "2026-01-05", "2026-06-05", "20:00", 0, &missing);
    let result = retain(
        &retain_counts(5, 4, 0, Count::Number(0), 0),
        &[],
        &cal,
        &backups,
        date("2026-06-05"),
    );
    // February's latest is the 26th; April has none but still uses up a slot.
    assert_eq!(
        kept_days(&backups, &result, Tier::MonthEnds),
        ["2026-02-26", "2026-03-31", "2026-05-29"]
    );
    // The last five open days include the missing 3rd: only four backups kept.
    assert_eq!(
        kept_days(&backups, &result, Tier::BusinessDays),
        ["2026-06-01", "2026-06-02", "2026-06-04", "2026-06-05"]
    );
}

#[test]
fn several_backups_a_day_keep_the_latest_as_the_days_backup() {
    let cal = calendar("America/New_York", &WEEKDAYS, "05:00", 12, &[]);
    let times = [
        "2026-03-30 12:00",
        "2026-03-30 23:30",
        "2026-03-31 02:00", // after midnight: still Monday's
        "2026-03-31 12:00",
        "2026-03-31 18:00",
    ];
    let backups: Vec<Dated> = times
        .iter()
        .map(|t| {
            dated(
                &cal,
                NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").unwrap(),
            )
        })
        .collect();
    let result = retain(
        &retain_counts(2, 0, 0, Count::Number(0), 2),
        &[],
        &cal,
        &backups,
        date("2026-03-31"),
    );
    assert_eq!(result.is_day_backup, [false, false, true, false, true]);
    let business: Vec<bool> = result
        .reasons
        .iter()
        .map(|r| r.iter().any(|r| r.tier() == Some(Tier::BusinessDays)))
        .collect();
    assert_eq!(business, [false, false, true, false, true]);
    let newest: Vec<Option<usize>> = result
        .reasons
        .iter()
        .map(|r| {
            r.iter().find_map(|r| match r {
                Reason::Newest { rank } => Some(*rank),
                _ => None,
            })
        })
        .collect();
    assert_eq!(newest, [None, None, None, Some(2), Some(1)]);
}

#[test]
fn holds_and_future_backups_are_always_kept() {
    let cal = calendar("America/Denver", &WEEKDAYS, "00:00", 12, &[]);
    let backups = nightly(&cal, "2025-01-06", "2026-04-10", "21:00", 0, &[]);
    let holds = [
        Hold::Dates {
            from: date("2025-06-02"),
            to: date("2025-06-04"),
        },
        Hold::Name("b_2025-02-11_2100".into()),
    ];
    let nothing = retain_counts(0, 0, 0, Count::Number(0), 0);
    let result = retain(&nothing, &holds, &cal, &backups, date("2026-03-31"));
    let kept: Vec<(String, Vec<Reason>)> = backups
        .iter()
        .zip(&result.reasons)
        .filter(|(_, r)| !r.is_empty())
        .map(|(b, r)| (b.business_day.to_string(), r.clone()))
        .collect();
    let held: Vec<&str> = kept
        .iter()
        .filter(|(_, r)| r.contains(&Reason::Hold))
        .map(|(d, _)| d.as_str())
        .collect();
    assert_eq!(
        held,
        ["2025-02-11", "2025-06-02", "2025-06-03", "2025-06-04"]
    );
    let future = kept
        .iter()
        .filter(|(_, r)| r.contains(&Reason::Future))
        .count();
    assert_eq!(future, 8, "April 1-10 2026 are after today");
}

#[test]
fn huge_counts_and_all_cost_no_more_than_the_backups() {
    let cal = calendar("UTC", &WEEKDAYS, "00:00", 3, &[]);
    let backups = nightly(&cal, "2020-01-01", "2026-03-31", "22:00", 0, &[]);
    let everything = Retain {
        business_days: Count::Number(u32::MAX),
        month_ends: Count::All,
        quarter_ends: Count::Number(u32::MAX),
        fiscal_year_ends: Count::All,
        last: Count::Number(u32::MAX),
    };
    let result = retain(&everything, &[], &cal, &backups, date("2026-03-31"));
    assert!(result.reasons.iter().all(|r| !r.is_empty()));
    // Fiscal years ending in March: FY2020 .. FY2025 ended; FY2026 ends today.
    let years = kept_days(&backups, &result, Tier::FiscalYearEnds);
    assert_eq!(years.first().unwrap(), "2020-03-31");
    assert_eq!(years.last().unwrap(), "2025-03-31");
    assert_eq!(years.len(), 6);
    assert!(
        backups
            .iter()
            .all(|b| b.business_day.weekday() != Weekday::Sat)
    );
}
