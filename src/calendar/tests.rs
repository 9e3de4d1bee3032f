//! Calendar tables: open days, closures, day_starts_at, DST both ways, New Year's
//! week, month ends on holidays and fiscal years ending in different months.

use chrono::{NaiveDateTime, NaiveTime, Weekday};
use chrono_tz::Tz;

use super::*;
use crate::test_support::date;

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

fn weekdays() -> Vec<Weekday> {
    vec![
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ]
}

fn calendar(zone: &str, starts: &str, fye_month: u32) -> Calendar {
    Calendar::new(
        zone.parse::<Tz>().unwrap(),
        &weekdays(),
        vec![
            ClosedSpan {
                from: date("2026-01-01"),
                to: date("2026-01-01"),
                name: Some("New Year's Day".into()),
            },
            ClosedSpan {
                from: date("2026-11-26"),
                to: date("2026-11-26"),
                name: Some("Thanksgiving".into()),
            },
            ClosedSpan {
                from: date("2026-12-24"),
                to: date("2026-12-26"),
                name: Some("Christmas break".into()),
            },
            // A holiday on a month end: the month's last open day is the 29th.
            ClosedSpan {
                from: date("2026-04-30"),
                to: date("2026-04-30"),
                name: None,
            },
        ],
        NaiveTime::parse_from_str(starts, "%H:%M").unwrap(),
        FiscalYearEnd::new(fye_month).unwrap(),
    )
}

#[test]
fn business_days_of_wall_clock_times() {
    let office = calendar("America/New_York", "05:00", 12);
    // (backup wall-clock time, business day)
    let table = [
        ("2026-03-31 23:30", "2026-03-31"), // Tuesday night
        ("2026-04-01 02:00", "2026-03-31"), // after midnight, before 05:00
        ("2026-04-01 05:00", "2026-04-01"), // the day starts at 05:00 sharp
        ("2026-04-04 22:00", "2026-04-03"), // Saturday belongs to Friday
        ("2026-04-06 01:00", "2026-04-03"), // Monday 01:00 is still Sunday
        ("2026-11-26 20:00", "2026-11-25"), // Thanksgiving belongs to Wednesday
        ("2026-12-27 12:00", "2026-12-23"), // Christmas break and a weekend
        ("2026-04-30 23:00", "2026-04-29"), // a closed month end
        ("2026-01-01 23:00", "2025-12-31"), // New Year's Day belongs to last year
        ("2026-01-02 04:59", "2025-12-31"), // and so does the early morning after
    ];
    for (time, expected) in table {
        assert_eq!(
            office.business_day(local(time)),
            Some(date(expected)),
            "{time}"
        );
    }
}

#[test]
fn dst_gap_and_repeat_belong_to_their_written_date() {
    // 2026-03-08: New York springs forward at 02:00; 2026-11-01: falls back at 02:00.
    // Both are Sundays; with day_starts_at 00:00 a Sunday backup belongs to Friday,
    // so use a seven-day office to see the date itself.
    let mut office = calendar("America/New_York", "00:00", 12);
    office = Calendar::new(
        office.timezone,
        &[
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ],
        vec![],
        office.day_starts_at,
        office.fiscal_year_end,
    );
    assert_eq!(
        office.business_day(local("2026-03-08 02:30")),
        Some(date("2026-03-08"))
    );
    assert_eq!(
        office.business_day(local("2026-11-01 01:30")),
        Some(date("2026-11-01"))
    );
    // With the day starting at 05:00 both are "last night" backups.
    let late = Calendar::new(
        office.timezone,
        &office.open_weekdays(),
        vec![],
        NaiveTime::from_hms_opt(5, 0, 0).unwrap(),
        office.fiscal_year_end,
    );
    assert_eq!(
        late.business_day(local("2026-03-08 02:30")),
        Some(date("2026-03-07"))
    );
    assert_eq!(
        late.business_day(local("2026-11-01 01:30")),
        Some(date("2026-10-31"))
    );
}

#[test]
fn instants_in_dst_gaps_and_repeats() {
    let office = calendar("America/New_York", "00:00", 12);
    // In the gap: read with the offset before the jump, shown after it.
    let gap = office.instant_of(local("2026-03-08 02:30"));
    assert_eq!(gap.to_rfc3339(), "2026-03-08T03:30:00-04:00");
    // In the repeat: the first (daylight) occurrence.
    let repeat = office.instant_of(local("2026-11-01 01:30"));
    assert_eq!(repeat.to_rfc3339(), "2026-11-01T01:30:00-04:00");
}

#[test]
fn today_depends_on_the_office_time_zone() {
    // 2026-04-01T03:00Z is Tuesday evening in Los Angeles, Wednesday in Berlin.
    let instant = DateTime::parse_from_rfc3339("2026-04-01T03:00:00Z").unwrap();
    let la = calendar("America/Los_Angeles", "00:00", 12);
    let berlin = calendar("Europe/Berlin", "00:00", 12);
    let sydney = calendar("Australia/Sydney", "00:00", 12);
    assert_eq!(la.today(&instant), Some(date("2026-03-31")));
    assert_eq!(berlin.today(&instant), Some(date("2026-04-01")));
    assert_eq!(sydney.today(&instant), Some(date("2026-04-01")));
}

#[test]
fn at_forms() {
    let office = calendar("America/New_York", "05:00", 12);
    let end_of_day = parse_at("2026-03-31", &office).unwrap();
    assert_eq!(end_of_day.to_rfc3339(), "2026-03-31T23:59:00-04:00");
    let local_time = parse_at("2026-03-31T18:30", &office).unwrap();
    assert_eq!(local_time.to_rfc3339(), "2026-03-31T18:30:00-04:00");
    let rfc = parse_at("2026-04-01T03:00:00Z", &office).unwrap();
    assert_eq!(rfc.to_rfc3339(), "2026-03-31T23:00:00-04:00");
    assert!(parse_at("yesterday", &office).is_err());
    assert!(parse_at("2026-02-30", &office).is_err());
}

#[test]
fn latest_open_days_skip_weekends_and_holidays() {
    let office = calendar("America/New_York", "05:00", 12);
    let days = office.latest_open_days(date("2026-01-05"), 10);
    let shown: Vec<String> = days.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        shown,
        [
            "2026-01-05",
            "2026-01-02",
            "2025-12-31",
            "2025-12-30",
            "2025-12-29",
            "2025-12-26",
            "2025-12-25",
            "2025-12-24",
            "2025-12-23",
            "2025-12-22",
        ]
    );
    let christmas = office.latest_open_days(date("2026-12-29"), 4);
    let shown: Vec<String> = christmas.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        shown,
        ["2026-12-29", "2026-12-28", "2026-12-23", "2026-12-22"]
    );
}

#[test]
fn completed_periods_for_fiscal_years_ending_in_four_months() {
    let today = date("2026-07-01");
    // (fiscal year end month, latest completed quarter, latest completed year)
    let table = [
        (12, "FY2026 Q2", "FY2025"),
        (6, "FY2026 Q4", "FY2026"),
        (3, "FY2027 Q1", "FY2026"),
        (9, "FY2026 Q3", "FY2025"),
    ];
    for (month, quarter, year) in table {
        let office = calendar("America/Chicago", "00:00", month);
        let quarters = office.latest_completed_periods(PeriodKind::FiscalQuarter, today, 2);
        let years = office.latest_completed_periods(PeriodKind::FiscalYear, today, 1);
        assert_eq!(quarters[0].to_string(), quarter, "fye {month}");
        assert_eq!(years[0].to_string(), year, "fye {month}");
        assert!(quarters[0].is_completed(today, office.fiscal_year_end));
        assert!(quarters[1] < quarters[0]);
    }
}

#[test]
fn new_years_week_is_one_period_boundary_not_two() {
    let office = calendar("America/New_York", "05:00", 12);
    let months = office.latest_completed_periods(PeriodKind::Month, date("2026-01-02"), 3);
    let shown: Vec<String> = months.iter().map(|m| m.to_string()).collect();
    assert_eq!(shown, ["2025-12", "2025-11", "2025-10"]);
    let years = office.latest_completed_periods(PeriodKind::FiscalYear, date("2026-01-02"), 2);
    assert_eq!(years[0].to_string(), "FY2025");
    // The Friday of New Year's week and the Monday before sit in different years.
    let friday = office.period(PeriodKind::FiscalYear, date("2026-01-02"));
    let monday = office.period(PeriodKind::FiscalYear, date("2025-12-29"));
    assert_ne!(friday, monday);
}

#[test]
fn an_office_with_no_open_day_has_no_business_days() {
    let office = Calendar::new(
        chrono_tz::UTC,
        &[],
        vec![],
        NaiveTime::MIN,
        FiscalYearEnd::DECEMBER,
    );
    assert_eq!(office.business_day(local("2026-03-31 12:00")), None);
    assert!(office.latest_open_days(date("2026-03-31"), 5).is_empty());
}
