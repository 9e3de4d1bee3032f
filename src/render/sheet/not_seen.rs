//! Which rotation disks have gone more than a rotation cycle without rota
//! seeing them: a disk left in the safe, lost, or taken home and forgotten.
//!
//! A disk's *rotation cycle* is the stretch between two of its nights, closures
//! included: seven days for a weekly disk, fourteen when a holiday skipped its
//! night, three and four for a disk that takes Monday's and Thursday's backups.
//! A disk has gone more than a cycle unseen when rota has not seen it since
//! before its latest night (tonight does not count: the sheet is read during
//! the day, before tonight's disk goes in). Its nights come from
//! [`crate::placement::nightly::night`], the same rules the planner and the
//! sheet's own rows use.
//!
//! Pure: the sightings come in from the catalog (via the CLI's scan).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use super::words;
use crate::placement::nightly::night;
use crate::policy::Policy;

/// How far back a disk's latest night is looked for. A disk with no night in
/// the last year (a rotation of closed weekdays) is not reported.
const LOOKBACK_DAYS: usize = 400;

/// When rota last saw each rotation disk (the newest sighting of any disk
/// with that label), as the CLI read it from the catalog and the mounts.
#[derive(Debug, Clone, Default)]
pub struct Sightings {
    pub last_seen: Vec<(String, Option<DateTime<Utc>>)>,
}

/// A disk overdue to be seen, as the sheet shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DiskNotSeen {
    pub label: String,
    /// "2026-03-23".
    pub last_seen: String,
    /// "Monday 23 March 2026".
    pub last_seen_words: String,
    /// The night it should last have been connected, "2026-03-30".
    pub missed_night: String,
    /// The length of its latest cycle, "7 days".
    pub cycle: String,
    /// The whole line: "MON: last seen Monday 23 March (9 days ago); missed its
    /// night, Monday 30 March."
    pub text: String,
}

/// What the sheet says about disks rota has not seen lately.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overdue {
    /// Seen before, but not since before their latest night.
    pub disks: Vec<DiskNotSeen>,
    /// Never seen by rota although a night of theirs has passed.
    pub never_seen: Vec<String>,
}

/// The rotation disks not seen for more than a rotation cycle as of `today`
/// (the office's working date), in policy order.
pub fn disks_not_seen(policy: &Policy, sightings: &Sightings, today: NaiveDate) -> Overdue {
    let mut overdue = Overdue::default();
    let calendar = &policy.office.calendar;
    for disk in &policy.disks.rotation {
        let seen = sightings
            .last_seen
            .iter()
            .filter(|(label, _)| *label == disk.label)
            .filter_map(|(_, seen)| *seen)
            .max()
            .map(|instant| calendar.working_date(calendar.local_time(&instant)));
        let mut nights = nights_before(policy, &disk.label, today);
        let Some(latest) = nights.next() else {
            continue;
        };
        match seen {
            Some(seen) if seen >= latest => {}
            Some(seen) => {
                let cycle = nights.next().map(|before| (latest - before).num_days());
                overdue
                    .disks
                    .push(describe(&disk.label, seen, latest, cycle, today));
            }
            None => overdue.never_seen.push(disk.label.clone()),
        }
    }
    overdue
}

/// The nights of `label` strictly before `today`, newest first.
fn nights_before<'a>(
    policy: &'a Policy,
    label: &'a str,
    today: NaiveDate,
) -> impl Iterator<Item = NaiveDate> + 'a {
    today
        .iter_days()
        .rev()
        .skip(1)
        .take(LOOKBACK_DAYS)
        .filter(move |date| night(policy, *date).connect.iter().any(|l| l == label))
}

fn describe(
    label: &str,
    seen: NaiveDate,
    missed: NaiveDate,
    cycle: Option<i64>,
    today: NaiveDate,
) -> DiskNotSeen {
    DiskNotSeen {
        label: label.to_string(),
        last_seen: seen.to_string(),
        last_seen_words: words::long_date(seen),
        missed_night: missed.to_string(),
        text: format!(
            "{label}: last seen {} ({} ago); missed its night, {}.",
            words::weekday(seen) + " " + &words::day_month(seen, today.year()),
            words::days((today - seen).num_days()),
            words::weekday(missed) + " " + &words::day_month(missed, today.year()),
        ),
        cycle: cycle.map(words::days).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {

    use chrono::TimeZone;

    use super::*;
    use crate::test_support::{VENDOR_GUIDE, date, policy_at};

    fn vendor() -> Policy {
        policy_at(VENDOR_GUIDE, "/o/rota.yaml")
    }

    /// `label` seen at 23:00 New York time on `day`.
    fn seen(label: &str, day: &str) -> (String, Option<DateTime<Utc>>) {
        let local = date(day).and_hms_opt(23, 0, 0).unwrap();
        let instant = chrono_tz::America::New_York
            .from_local_datetime(&local)
            .unwrap()
            .with_timezone(&Utc);
        (label.to_string(), Some(instant))
    }

    fn labels(found: &Overdue) -> Vec<&str> {
        found.disks.iter().map(|d| d.label.as_str()).collect()
    }

    #[test]
    fn a_disk_seen_on_its_latest_night_is_fine_and_one_that_missed_it_is_listed() {
        let policy = vendor();
        // Wednesday 1 April 2026: MON's latest night was Monday 30 March.
        let sightings = Sightings {
            last_seen: vec![
                seen("MON", "2026-03-23"),
                seen("TUE", "2026-03-31"),
                seen("WED", "2026-03-25"),
                seen("THU", "2026-03-26"),
                seen("FRI", "2026-03-27"),
            ],
        };
        let found = disks_not_seen(&policy, &sightings, date("2026-04-01"));
        assert_eq!(labels(&found), ["MON"], "WED's night is tonight");
        assert!(found.never_seen.is_empty());
        let mon = &found.disks[0];
        assert_eq!(mon.missed_night, "2026-03-30");
        assert_eq!(mon.cycle, "7 days");
        assert_eq!(
            mon.text,
            "MON: last seen Monday 23 March (9 days ago); missed its night, Monday 30 March."
        );
    }

    #[test]
    fn a_holiday_lengthens_the_cycle() {
        let policy = vendor();
        // Memorial Day, Monday 25 May 2026: MON's night before the 1 June one
        // was 18 May, fourteen days earlier.
        let sightings = Sightings {
            last_seen: vec![seen("MON", "2026-05-18")],
        };
        let found = disks_not_seen(&policy, &sightings, date("2026-05-29"));
        assert!(!labels(&found).contains(&"MON"), "its night was skipped");
        let found = disks_not_seen(&policy, &sightings, date("2026-06-02"));
        let mon = found.disks.iter().find(|d| d.label == "MON").unwrap();
        assert_eq!(mon.cycle, "14 days");
    }

    #[test]
    fn an_after_midnight_sighting_counts_for_the_night_before() {
        let policy = vendor(); // day_starts_at 05:00
        let local = date("2026-03-31").and_hms_opt(1, 30, 0).unwrap();
        let instant = chrono_tz::America::New_York
            .from_local_datetime(&local)
            .unwrap()
            .with_timezone(&Utc);
        let sightings = Sightings {
            last_seen: vec![(String::from("MON"), Some(instant))],
        };
        let found = disks_not_seen(&policy, &sightings, date("2026-03-31"));
        assert!(!labels(&found).contains(&"MON"));
    }

    #[test]
    fn never_seen_disks_are_listed_and_the_newest_of_two_same_labels_counts() {
        let policy = vendor();
        let sightings = Sightings {
            last_seen: vec![seen("MON", "2026-01-05"), seen("MON", "2026-03-30")],
        };
        let found = disks_not_seen(&policy, &sightings, date("2026-03-31"));
        assert!(labels(&found).is_empty(), "MON was seen on its night");
        assert_eq!(found.never_seen, ["TUE", "WED", "THU", "FRI"]);
    }
}
