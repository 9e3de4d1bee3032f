//! Planner tests on synthetic offices: nights simulated with the in-memory
//! executor, invariants checked after each, and snapshots of the text diff and
//! JSON for the nights a reviewer cares about.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};

use super::warnings::WarningCode;
use super::*;
use crate::policy::Policy;
use crate::simulate::synthetic::SyntheticOffice;

pub const GB_FOR_TESTS: u64 = 1_000_000_000;
const GB: u64 = GB_FOR_TESTS;

pub use crate::test_support::{date, policy_from, vendor_policy};

/// The instant of `time` office-local on `day`.
pub fn local(policy: &Policy, day: NaiveDate, time: &str) -> DateTime<chrono_tz::Tz> {
    let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
    policy.office.calendar.instant_of(day.and_time(time))
}

/// The label of the rotation disk for a date's weekday.
pub fn disk_for(policy: &Policy, day: NaiveDate) -> Option<String> {
    policy
        .disks
        .for_weekday(day.weekday())
        .next()
        .map(|d| d.label.clone())
}

/// Runs nights from `from` to `to`: on each open day a 6 GB backup at 23:30,
/// `connect(day)` decides which disks are connected, then plan and apply at
/// 23:55. Checks the plan-level invariants every night.
pub fn run_nights(
    policy: &Policy,
    office: &mut SyntheticOffice,
    from: &str,
    to: &str,
    connect: &dyn Fn(NaiveDate) -> Vec<String>,
) {
    let calendar = &policy.office.calendar;
    for day in date(from).iter_days().take_while(|d| *d <= date(to)) {
        if calendar.is_open(day) {
            let stamp = day.and_time(NaiveTime::from_hms_opt(23, 30, 0).unwrap());
            office.add_backup(policy, stamp, 6 * GB);
        }
        let at = local(policy, day, "23:55");
        let now = at.with_timezone(&Utc);
        let labels = connect(day);
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        office.connect_only(&labels, now);
        let plan = make_plan(policy, &office.inventory(policy), at);
        check_plan_invariants(policy, &plan);
        office
            .apply(&plan, now)
            .unwrap_or_else(|e| panic!("{day}: {e}"));
    }
}

/// Invariants every plan must keep (safety invariants 1, 2, 3 and 8, docs/architecture.md),
/// checked by the same code `rota simulate` uses.
pub fn check_plan_invariants(policy: &Policy, plan: &Plan) {
    let violations = invariants::check_plan(policy, plan);
    assert!(
        violations.is_empty(),
        "{}\n{}",
        invariants::describe(&violations),
        text::render(plan, false)
    );
}

pub fn daily_disk(policy: &Policy) -> impl Fn(NaiveDate) -> Vec<String> + '_ {
    move |day| disk_for(policy, day).into_iter().collect()
}

#[test]
fn a_quarter_of_nights_converges_and_each_disk_holds_what_it_must() {
    let policy = vendor_policy();
    let mut office = SyntheticOffice::new(&policy, 2_000 * GB);
    run_nights(
        &policy,
        &mut office,
        "2026-01-05",
        "2026-04-10",
        &daily_disk(&policy),
    );
    let at = local(&policy, date("2026-04-10"), "23:59");
    let plan = make_plan(&policy, &office.inventory(&policy), at);
    assert!(
        plan.actions.is_empty(),
        "second plan not empty: {}",
        text::render(&plan, false)
    );
    // The server keeps its newest 3.
    assert_eq!(office.source.len(), 3);
    // FRI holds its newest 4 Fridays, and the month-end of January (Fri 30th)
    // and the quarter-end of March (Tue 31st) is on TUE.
    let fri = office.disks.iter().find(|d| d.label == "FRI").unwrap();
    let fri_names: Vec<&str> = fri.copies.keys().map(String::as_str).collect();
    assert!(
        fri_names.contains(&"MacPractice_2026-01-30_2330.mpbackup"),
        "{fri_names:?}"
    );
    let tue = office.disks.iter().find(|d| d.label == "TUE").unwrap();
    assert!(
        tue.copies
            .contains_key("MacPractice_2026-03-31_2330.mpbackup")
    );
    for disk in &office.disks {
        assert!(
            disk.copies.len() >= 4,
            "{} holds {}",
            disk.label,
            disk.copies.len()
        );
    }
}

#[test]
fn the_vendor_plan_snapshot_for_a_normal_night() {
    let policy = vendor_policy();
    let mut office = SyntheticOffice::new(&policy, 2_000 * GB);
    run_nights(
        &policy,
        &mut office,
        "2026-02-02",
        "2026-03-30",
        &daily_disk(&policy),
    );
    let day = date("2026-03-31");
    office.add_backup(&policy, day.and_hms_opt(23, 30, 0).unwrap(), 6 * GB);
    let at = local(&policy, day, "23:55");
    office.connect_only(&["TUE"], at.with_timezone(&Utc));
    let plan = make_plan(&policy, &office.inventory(&policy), at);
    assert_eq!(plan.count(Op::Copy), 1, "{}", text::render(&plan, false));
}

/// Runs the vendor office through `from..to` with the day's disk connected, then
/// plans the night of `night` with `connected` disks, snapshotting text and JSON.
pub fn snapshot_night(
    name: &str,
    policy: &Policy,
    office: &mut SyntheticOffice,
    night: &str,
    connected: &[&str],
) -> Plan {
    let day = date(night);
    if policy.office.calendar.is_open(day) {
        office.add_backup(policy, day.and_hms_opt(23, 30, 0).unwrap(), 6 * GB);
    }
    let at = local(policy, day, "23:55");
    office.connect_only(connected, at.with_timezone(&Utc));
    let plan = make_plan(policy, &office.inventory(policy), at);
    check_plan_invariants(policy, &plan);
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(format!("plan_{name}"), text::render(&plan, false));
    });
    plan
}

pub fn office_until(policy: &Policy, disk_size: u64, from: &str, until: &str) -> SyntheticOffice {
    let mut office = SyntheticOffice::new(policy, disk_size);
    office.last_restore_test = Some(date(until));
    run_nights(policy, &mut office, from, until, &daily_disk(policy));
    office
}

#[test]
fn snapshot_normal_night() {
    let policy = vendor_policy();
    let mut office = office_until(&policy, 2_000 * GB, "2026-02-02", "2026-03-17");
    let plan = snapshot_night("normal_night", &policy, &mut office, "2026-03-18", &["WED"]);
    assert_eq!(plan.count(Op::Copy), 1);
    assert!(plan.pending.is_empty());
    let json = serde_json::to_string_pretty(&json::to_json(&plan)).unwrap();
    // What `plan --format json` writes is exactly the JsonPlan's serialization.
    crate::plan::json::tests::assert_same_as_serde(&plan);
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("plan_normal_night_json", json);
    });
}

#[test]
fn snapshot_wrong_disk() {
    let policy = vendor_policy();
    let mut office = office_until(&policy, 2_000 * GB, "2026-02-02", "2026-03-17");
    let plan = snapshot_night("wrong_disk", &policy, &mut office, "2026-03-18", &["THU"]);
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.code == WarningCode::WrongDisk)
    );
    let fallback = plan.actions.iter().find(|a| a.op == Op::Copy).unwrap();
    assert_eq!(
        fallback.to,
        Some(crate::placement::Location::Disk("THU".into()))
    );
    assert!(
        plan.pending
            .iter()
            .any(|p| p.to == Some(crate::placement::Location::Disk("WED".into())))
    );
    // The next night WED is back: the fallback copy expires after WED has it.
    office.apply(&plan, Utc::now()).unwrap();
    run_nights(
        &policy,
        &mut office,
        "2026-03-19",
        "2026-03-26",
        &daily_disk(&policy),
    );
    let thu = office.disks.iter().find(|d| d.label == "THU").unwrap();
    assert!(
        !thu.copies
            .contains_key("MacPractice_2026-03-18_2330.mpbackup")
    );
    let wed = office.disks.iter().find(|d| d.label == "WED").unwrap();
    assert!(
        wed.copies
            .contains_key("MacPractice_2026-03-18_2330.mpbackup")
    );
}

#[test]
fn snapshot_forgotten_disk() {
    let policy = vendor_policy();
    let mut office = office_until(&policy, 2_000 * GB, "2026-02-02", "2026-03-17");
    let plan = snapshot_night("forgotten_disk", &policy, &mut office, "2026-03-18", &[]);
    assert_eq!(plan.count(Op::Copy), 0);
    assert!(plan.warnings.iter().any(|w| w.code == WarningCode::NoDisk));
    // Nothing connected for a week: the server keeps every backup not yet on its disk.
    run_nights(&policy, &mut office, "2026-03-19", "2026-03-25", &|_| {
        Vec::new()
    });
    assert_eq!(office.source.len(), 6, "{:?}", office.source.keys());
}

#[test]
fn snapshot_full_disk() {
    let policy = vendor_policy();
    let mut office = office_until(&policy, 2_000 * GB, "2026-02-02", "2026-03-17");
    office.disk_mut("WED").unwrap().total = 24 * GB;
    let plan = snapshot_night("full_disk", &policy, &mut office, "2026-03-18", &["WED"]);
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.code == WarningCode::DiskFull),
        "{:?}",
        plan.warnings
    );
    // Tonight's backup did not fit: it stays on the server, pending.
    assert!(
        plan.pending
            .iter()
            .any(|p| p.backup == "MacPractice_2026-03-18_2330.mpbackup")
    );
    assert!(
        !plan
            .actions
            .iter()
            .any(|a| a.backup == "MacPractice_2026-03-18_2330.mpbackup")
    );
}

#[test]
fn snapshot_holiday_week() {
    let policy = vendor_policy();
    let mut office = office_until(&policy, 2_000 * GB, "2026-10-05", "2026-11-26");
    let plan = snapshot_night("holiday_week", &policy, &mut office, "2026-11-27", &["FRI"]);
    assert_eq!(plan.count(Op::Copy), 1);
    // Thanksgiving (Thursday) is closed: no missing-backup warning for it.
    assert!(
        !plan
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::MissingBackup),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn snapshot_month_end() {
    let policy = vendor_policy();
    let mut office = office_until(&policy, 2_000 * GB, "2026-02-02", "2026-03-31");
    let plan = snapshot_night("month_end", &policy, &mut office, "2026-04-01", &["WED"]);
    let march = plan
        .backups
        .iter()
        .find(|b| b.name == "MacPractice_2026-03-31_2330.mpbackup")
        .unwrap();
    let reasons: Vec<String> = march.reasons.iter().map(|r| r.to_string()).collect();
    assert_eq!(
        reasons,
        [
            "business day 2026-03-31",
            "month-end 2026-03",
            "quarter-end FY2026 Q1"
        ]
    );
}

#[test]
fn snapshot_fiscal_year_end() {
    let policy = vendor_policy();
    let mut office = office_until(&policy, 2_000 * GB, "2026-10-05", "2027-01-01");
    let plan = snapshot_night(
        "fiscal_year_end",
        &policy,
        &mut office,
        "2027-01-04",
        &["MON"],
    );
    let year_end = plan
        .backups
        .iter()
        .find(|b| b.name == "MacPractice_2026-12-31_2330.mpbackup")
        .unwrap();
    assert!(
        year_end
            .reasons
            .iter()
            .any(|r| r.to_string() == "fiscal-year-end FY2026")
    );
    assert!(
        year_end
            .required_at
            .contains(&crate::placement::Location::Disk("THU".into()))
    );
}

#[test]
fn snapshot_archive_office_after_the_fiscal_year() {
    let text = include_str!("../../policies/four-day-june-fiscal-year.yaml");
    let policy = policy_from(text);
    let mut office = SyntheticOffice::new(&policy, 2_000 * GB);
    office.last_restore_test = Some(date("2026-07-01"));
    let connect = |day: NaiveDate| {
        let mut disks: Vec<String> = disk_for(&policy, day).into_iter().collect();
        if day.day() == 1 {
            disks.push("ARCHIVE-A".into());
        }
        disks
    };
    run_nights(&policy, &mut office, "2026-04-06", "2026-07-05", &connect);
    let plan = snapshot_night(
        "archive_office",
        &policy,
        &mut office,
        "2026-07-06",
        &["MON", "ARCHIVE-A"],
    );
    let archive = office
        .disks
        .iter()
        .find(|d| d.label == "ARCHIVE-A")
        .unwrap();
    // The June 30 backup (fiscal-year end) reached the archive on July 1st.
    assert!(
        archive.copies.contains_key("Ortho-20260630-2330.bak"),
        "{:?}",
        archive.copies.keys()
    );
    assert!(plan.actions.iter().all(|a| a.op != Op::Destroy));
}

#[test]
fn catching_up_is_not_a_mass_delete_but_a_policy_cut_is() {
    let policy = vendor_policy();
    let mut office = office_until(&policy, 2_000 * GB, "2026-02-02", "2026-03-13");
    // MON stays in the drawer for two weeks, then comes back.
    let no_mon = |day: NaiveDate| {
        disk_for(&policy, day)
            .into_iter()
            .filter(|d| d != "MON")
            .collect()
    };
    run_nights(&policy, &mut office, "2026-03-14", "2026-03-29", &no_mon);
    let day = date("2026-03-30");
    office.add_backup(&policy, day.and_hms_opt(23, 30, 0).unwrap(), 6 * GB);
    let at = local(&policy, day, "23:55");
    office.connect_only(&["MON"], at.with_timezone(&Utc));
    let plan = make_plan(&policy, &office.inventory(&policy), at);
    let on_mon = |op: Op| {
        plan.actions
            .iter()
            .filter(|a| {
                a.op == op
                    && (a.to.as_ref().map(|l| l.name()) == Some("MON")
                        || a.location.as_ref().map(|l| l.name()) == Some("MON"))
            })
            .count()
    };
    assert_eq!(
        (on_mon(Op::Copy), on_mon(Op::Remove)),
        (3, 3),
        "{}",
        text::render(&plan, false)
    );
    assert!(
        !plan
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::MassDelete)
    );

    // The same office under a policy cut to one backup per disk and no business
    // days: most copies on MON would go at once. That needs --allow-mass-delete.
    let cut = policy_from(
        &include_str!("../../policies/vendor-guide.yaml")
            .replace("min_backups: 4", "min_backups: 1")
            .replace("business_days: 10", "business_days: 0"),
    );
    office.apply(&plan, at.with_timezone(&Utc)).unwrap();
    let plan = make_plan(&cut, &office.inventory(&cut), at);
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.code == WarningCode::MassDelete && w.message.contains("on MON")),
        "{}",
        text::render(&plan, false)
    );
}

#[test]
fn pruning_the_server_once_everything_is_on_disks_is_not_a_mass_delete() {
    let policy = vendor_policy();
    let mut office = SyntheticOffice::new(&policy, 2_000 * GB);
    office.last_restore_test = Some(date("2026-03-01"));
    let calendar = &policy.office.calendar;
    for day in calendar.open_days_between(date("2026-03-09"), date("2026-03-31")) {
        office.add_backup(&policy, day.and_hms_opt(23, 30, 0).unwrap(), GB);
    }
    // Every disk plugged in at once: all copies are made and the server keeps 3.
    let at = local(&policy, date("2026-03-31"), "23:55");
    office.connect_only(&["MON", "TUE", "WED", "THU", "FRI"], at.with_timezone(&Utc));
    let plan = make_plan(&policy, &office.inventory(&policy), at);
    let pruned = plan
        .actions
        .iter()
        .filter(|a| a.op == Op::Remove && a.location == Some(crate::placement::Location::Server))
        .count();
    assert!(
        pruned * 2 > office.source.len(),
        "{}",
        text::render(&plan, false)
    );
    assert!(
        !plan
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::MassDelete),
        "{}",
        text::render(&plan, false)
    );
}

#[test]
fn snapshot_deletions_stopped_by_a_name_dated_next_year() {
    let policy = vendor_policy();
    let mut office = office_until(&policy, 2_000 * GB, "2026-02-02", "2026-03-17");
    // A mistyped export: next year's date. The gate closes (invariant 13).
    office.add_backup(
        &policy,
        date("2027-03-17").and_hms_opt(23, 30, 0).unwrap(),
        6 * GB,
    );
    let plan = snapshot_night(
        "deletions_stopped",
        &policy,
        &mut office,
        "2026-03-18",
        &["WED"],
    );
    assert!(
        plan.actions.iter().all(|a| !a.op.deletes()),
        "{:#?}",
        plan.actions
    );
    assert_eq!(
        plan.count(Op::Copy),
        2,
        "tonight's backup, and the future one to its home disk"
    );
    let codes: Vec<WarningCode> = plan.deletions_stopped.iter().map(|c| c.code).collect();
    assert_eq!(codes, [WarningCode::FutureBackup]);
}
