//! The sheet never has a disk of its own: for every day of a year, the disk in
//! the rendered HTML (`data-connect`, weekly sheets and the year at a glance)
//! is the disk the planner's placement gives that day, and nothing on a
//! closed day. Checked for the shipped policies and for generated offices
//! (open days, rotations that share disks, holidays, fiscal years, years).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

use super::*;
use crate::placement::disks_for_day;
use crate::placement::nightly::iso_week;
use crate::policy;

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `data-date` → `data-connect` of every element that carries both.
fn connect_by_date(html: &str) -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (start, _) in html.match_indices("data-date=\"") {
        let rest = &html[start + "data-date=\"".len()..];
        let date = &rest[..rest.find('"').expect("a closing quote")];
        let tag = &rest[..rest.find('>').expect("the end of the tag")];
        let connect = tag
            .split_once("data-connect=\"")
            .and_then(|(_, value)| value.split_once('"'))
            .map(|(value, _)| value)
            .expect("data-connect next to data-date");
        found
            .entry(date.to_string())
            .or_default()
            .push(connect.to_string());
    }
    found
}

fn facts() -> SheetFacts {
    SheetFacts {
        today: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        last_restore_test: None,
        sightings: Ok(Sightings::default()),
        policy_file: String::from("rota.yaml"),
        paper: Paper::A4,
    }
}

/// Renders every week touching `year` and the year at a glance, and checks
/// each day of the year against placement.
fn check_year(policy: &Policy, year: i32) -> Result<(), TestCaseError> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap();
    let mut weeks = Vec::new();
    let mut monday = first - chrono::Days::new(u64::from(first.weekday().num_days_from_monday()));
    while monday <= last {
        let iso = monday.iso_week();
        weeks.push(iso_week(policy, iso.year(), iso.week()).unwrap());
        monday = monday + chrono::Days::new(7);
    }
    let templates = Templates::embedded();
    let weekly = templates
        .render("week.html", &weeks_context(policy, &weeks, &facts()))
        .unwrap();
    let at_a_glance = templates
        .render("year.html", &year_context(policy, year, &facts()))
        .unwrap();
    let weekly = connect_by_date(&weekly);
    let at_a_glance = connect_by_date(&at_a_glance);
    prop_assert_eq!(
        weekly.len(),
        weeks.len() * 7,
        "every day of every week, once"
    );
    prop_assert_eq!(at_a_glance.len(), last.ordinal() as usize);
    for date in first.iter_days().take_while(|date| *date <= last) {
        let expected = if policy.office.calendar.is_open(date) {
            disks_for_day(policy, date).join(" ")
        } else {
            String::new()
        };
        let key = date.to_string();
        prop_assert_eq!(
            &weekly[&key],
            &vec![expected.clone()],
            "weekly sheet, {}",
            key
        );
        prop_assert_eq!(
            &at_a_glance[&key],
            &vec![expected],
            "year at a glance, {}",
            key
        );
    }
    Ok(())
}

fn load(text: &str) -> Policy {
    policy::load_str(text, Path::new("/o/rota.yaml"))
        .unwrap_or_else(|errors| panic!("{errors:?}\n{text}"))
        .policy
}

#[test]
fn the_shipped_policies_sheets_name_the_placement_disk_every_day() {
    for text in [
        include_str!("../../../policies/vendor-guide.yaml"),
        include_str!("../../../policies/four-day-june-fiscal-year.yaml"),
        include_str!("../../../policies/six-day-after-midnight.yaml"),
    ] {
        let policy = load(text);
        for year in [2026, 2027] {
            check_year(&policy, year).unwrap();
        }
    }
}

/// A policy text for a generated office.
fn office_policy(
    open: &[usize],
    disk_of_day: &[usize],
    holidays: &[(NaiveDate, u64)],
    fiscal_month: u32,
) -> String {
    let open_days: Vec<&str> = open.iter().map(|day| WEEKDAYS[*day]).collect();
    let mut disks: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for day in open {
        disks
            .entry(disk_of_day[*day])
            .or_default()
            .push(WEEKDAYS[*day]);
    }
    let rotation: String = disks
        .iter()
        .map(|(disk, days)| {
            format!(
                "    - {{ label: DISK-{disk}, days: [{}] }}\n",
                days.join(", ")
            )
        })
        .collect();
    let closed: String = holidays
        .iter()
        .enumerate()
        .map(|(i, (from, length))| {
            let to = *from + chrono::Days::new(*length);
            format!("    - {{ from: {from}, to: {to}, name: Holiday {i} }}\n")
        })
        .collect();
    // February is left out: its last day depends on the year.
    let last_day = [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][fiscal_month as usize - 1];
    format!(
        "version: 1\noffice:\n  name: Generated Office\n  timezone: Europe/Dublin\n  open_days: [{}]\n  closed:\n{closed}  fiscal_year_end: \"{fiscal_month:02}-{last_day:02}\"\nsource:\n  path: source\n  pattern: \"b_{{%Y-%m-%d_%H%M}}.bak\"\nretain:\n  business_days: 5\n  month_ends: 12\n  quarter_ends: 4\n  fiscal_year_ends: all\ndisks:\n  rotation:\n{rotation}",
        open_days.join(", ")
    )
}

proptest! {
    // A failure is saved next to this file, not in a top-level folder.
    #![proptest_config(ProptestConfig {
        cases: 16,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_generated_offices_sheets_name_the_placement_disk_every_day(
        open in proptest::sample::subsequence((0..7usize).collect::<Vec<_>>(), 1..=7),
        disk_of_day in proptest::collection::vec(0..4usize, 7),
        holidays in proptest::collection::vec((0..370u64, 0..10u64), 0..6),
        fiscal_month in prop_oneof![Just(1u32), 3..=12u32],
        year in 2024..=2030i32,
    ) {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        let holidays: Vec<(NaiveDate, u64)> = holidays
            .iter()
            .map(|(offset, length)| (start + chrono::Days::new(*offset), *length))
            .collect();
        let policy = load(&office_policy(&open, &disk_of_day, &holidays, fiscal_month));
        check_year(&policy, year)?;
    }
}
