//! Source names that carry a date and no time of day (`Backup_2026-03-31.zip`):
//! the name states the business day, so `day_starts_at` does not move it;
//! a closed day's backup counts for the open day before, as any other's.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use crate::support;
use crate::support::{FIVE_DAY_POLICY, TempOffice};

fn date_only_office() -> TempOffice {
    let policy = FIVE_DAY_POLICY.replace(
        "pattern: \"MacPractice_{%Y-%m-%d_%H%M}.mpbackup\"",
        "pattern: \"Backup_{%Y-%m-%d}.zip\"",
    );
    assert_ne!(policy, FIVE_DAY_POLICY);
    TempOffice::new(&policy)
}

/// Each backup's business day in `rota plan --format json`.
fn business_days(office: &TempOffice, at: &str) -> BTreeMap<String, String> {
    let output = office
        .rota()
        .args(["plan", "policy.yaml", "--format", "json", "--at", at])
        .run()
        .no_panic();
    let plan: serde_json::Value = serde_json::from_str(&output.stdout).expect("plan JSON");
    plan["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap().to_string(),
                b["business_day"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_date_only_pattern_is_valid() {
    let office = date_only_office();
    office
        .rota()
        .args(["check", "policy.yaml"])
        .run()
        .success()
        .stdout_contains("a name's date is its business day (day_starts_at does not move it)");
}

#[test]
fn a_date_only_name_counts_for_its_own_date_whatever_day_starts_at_says() {
    let office = date_only_office();
    // A time of 00:00 would fall before day_starts_at (05:00) and count for
    // the day before; the name says which day it is.
    for date in ["2026-03-26", "2026-03-27", "2026-03-30"] {
        office.backup_file(&format!("Backup_{date}.zip"), 4_000);
    }
    let days = business_days(&office, "2026-03-31");
    assert_eq!(days["Backup_2026-03-26.zip"], "2026-03-26");
    assert_eq!(days["Backup_2026-03-27.zip"], "2026-03-27");
    assert_eq!(days["Backup_2026-03-30.zip"], "2026-03-30");
}

#[test]
fn a_date_only_backup_of_a_closed_day_counts_for_the_open_day_before() {
    let office = date_only_office();
    // New Year's Day is closed in the policy; 2026-03-08 is a Sunday and the
    // day clocks change in New York.
    for date in [
        "2025-12-31",
        "2026-01-01",
        "2026-03-06",
        "2026-03-08",
        "2026-03-09",
    ] {
        office.backup_file(&format!("Backup_{date}.zip"), 4_000);
    }
    let days = business_days(&office, "2026-03-10");
    assert_eq!(days["Backup_2026-01-01.zip"], "2025-12-31");
    assert_eq!(days["Backup_2026-03-08.zip"], "2026-03-06");
    assert_eq!(days["Backup_2026-03-09.zip"], "2026-03-09");
}

/// Two names of one date (the software wrote `2026-3-31` once, unpadded,
/// and `2026-03-31` later): the one modified last is the day's backup, the
/// other is kept by no rule, whatever their names' order.
#[test]
fn of_two_date_only_backups_of_one_date_the_last_written_is_the_days() {
    let office = date_only_office();
    let day = |office: &TempOffice| -> Vec<(String, Vec<String>)> {
        let output = office
            .rota()
            .args([
                "plan",
                "policy.yaml",
                "--format",
                "json",
                "--at",
                "2026-03-31",
            ])
            .run()
            .success();
        let plan: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
        plan["backups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                let tiers = b["tiers"].as_array().unwrap();
                let tiers = tiers.iter().map(|t| t.as_str().unwrap().to_string());
                (b["name"].as_str().unwrap().to_string(), tiers.collect())
            })
            .collect()
    };
    let earlier = office.backup_file("Backup_2026-03-31.zip", 4_000);
    let later = office.backup_file("Backup_2026-3-31.zip", 5_000);
    let hours_ago = |hours: u64| SystemTime::now() - Duration::from_secs(hours * 3600);
    support::set_modified_tree(&earlier, hours_ago(3));
    support::set_modified_tree(&later, hours_ago(2));
    let backups = day(&office);
    let tiers = |name: &str| &backups.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(
        tiers("Backup_2026-3-31.zip"),
        &vec!["business_days".to_string()]
    );
    assert!(tiers("Backup_2026-03-31.zip").is_empty());
    // Written the other way round, the other one is the day's backup.
    support::set_modified_tree(&earlier, hours_ago(1));
    let backups = day(&office);
    let tiers = |name: &str| &backups.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(
        tiers("Backup_2026-03-31.zip"),
        &vec!["business_days".to_string()]
    );
    assert!(tiers("Backup_2026-3-31.zip").is_empty());
}

#[test]
fn a_pattern_with_part_of_a_time_is_still_refused() {
    let policy = FIVE_DAY_POLICY.replace(
        "pattern: \"MacPractice_{%Y-%m-%d_%H%M}.mpbackup\"",
        "pattern: \"Backup_{%Y-%m-%d_%H}.zip\"",
    );
    TempOffice::new(&policy)
        .rota()
        .args(["check", "policy.yaml"])
        .run()
        .code(1)
        .stderr_contains("bad-pattern");
}
