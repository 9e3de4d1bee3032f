//! Planner tests on synthetic offices: nights simulated with the in-memory
//! executor, invariants checked after each, and snapshots of the text diff and
//! JSON for the nights a reviewer cares about.

use std::path::Path;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};

use super::*;
use crate::policy::{self, Policy};
use crate::synthetic::SyntheticOffice;

const GB: u64 = 1_000_000_000;

pub fn vendor_policy() -> Policy {
    let text = include_str!("../../policies/vendor-guide.yaml");
    policy::load_str(text, Path::new("/office/rota.yaml")).unwrap().policy
}

pub fn policy_from(text: &str) -> Policy {
    policy::load_str(text, Path::new("/office/rota.yaml")).unwrap().policy
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// The instant of `time` office-local on `day`.
pub fn local(policy: &Policy, day: NaiveDate, time: &str) -> DateTime<chrono_tz::Tz> {
    let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
    policy.office.calendar.instant_of(day.and_time(time))
}

/// The label of the rotation disk for a date's weekday.
pub fn disk_for(policy: &Policy, day: NaiveDate) -> Option<String> {
    policy.disks.for_weekday(day.weekday()).next().map(|d| d.label.clone())
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
        check_plan_invariants(policy, office, &plan);
        office.apply(&plan, now).unwrap_or_else(|e| panic!("{day}: {e}"));
    }
}

/// Invariants every plan must keep (SPEC.md safety invariants 2, 3, 8).
pub fn check_plan_invariants(policy: &Policy, office: &SyntheticOffice, plan: &Plan) {
    for backup in &plan.backups {
        let deletions: Vec<&Action> = plan
            .actions
            .iter()
            .filter(|a| a.backup == backup.name && a.op.deletes())
            .collect();
        if deletions.is_empty() {
            continue;
        }
        assert!(
            !backup.reasons.contains(&crate::retention::Reason::Hold),
            "held backup {} deleted",
            backup.name
        );
        let copies_after: usize = office.locations_of(&backup.name).len()
            + plan.actions.iter().filter(|a| a.backup == backup.name && a.writes_to().is_some()).count()
            - deletions.len();
        if !backup.reasons.is_empty() || !backup.required_at.is_empty() {
            assert!(copies_after >= 1, "last copy of needed backup {} deleted", backup.name);
        }
        for deletion in deletions {
            for copy in plan.actions.iter().filter(|a| a.backup == backup.name && a.writes_to().is_some() && a.id != deletion.id) {
                assert!(deletion.after.contains(&copy.id) || deletion.op == Op::Archive, "deletion {} of {} does not wait for copy {}", deletion.id, backup.name, copy.id);
            }
        }
    }
    for action in &plan.actions {
        for before in &action.after {
            assert!(*before < action.id, "action {} runs before its prerequisite {}", action.id, before);
        }
    }
    let _ = policy;
}

fn daily_disk(policy: &Policy) -> impl Fn(NaiveDate) -> Vec<String> + '_ {
    move |day| disk_for(policy, day).into_iter().collect()
}

#[test]
fn a_quarter_of_nights_converges_and_each_disk_holds_what_it_must() {
    let policy = vendor_policy();
    let mut office = SyntheticOffice::new(&policy, 2_000 * GB);
    run_nights(&policy, &mut office, "2026-01-05", "2026-04-10", &daily_disk(&policy));
    let at = local(&policy, date("2026-04-10"), "23:59");
    let plan = make_plan(&policy, &office.inventory(&policy), at);
    assert!(plan.actions.is_empty(), "second plan not empty: {}", text::render(&plan, false));
    // The server keeps its newest 3.
    assert_eq!(office.source.len(), 3);
    // FRI holds its newest 4 Fridays, and the month-end of January (Fri 30th)
    // and the quarter-end of March (Tue 31st) is on TUE.
    let fri = office.disks.iter().find(|d| d.label == "FRI").unwrap();
    let fri_names: Vec<&str> = fri.copies.keys().map(String::as_str).collect();
    assert!(fri_names.contains(&"MacPractice_2026-01-30_2330.mpbackup"), "{fri_names:?}");
    let tue = office.disks.iter().find(|d| d.label == "TUE").unwrap();
    assert!(tue.copies.contains_key("MacPractice_2026-03-31_2330.mpbackup"));
    for disk in &office.disks {
        assert!(disk.copies.len() >= 4, "{} holds {}", disk.label, disk.copies.len());
    }
}

#[test]
fn the_vendor_plan_snapshot_for_a_normal_night() {
    let policy = vendor_policy();
    let mut office = SyntheticOffice::new(&policy, 2_000 * GB);
    run_nights(&policy, &mut office, "2026-02-02", "2026-03-30", &daily_disk(&policy));
    let day = date("2026-03-31");
    office.add_backup(&policy, day.and_hms_opt(23, 30, 0).unwrap(), 6 * GB);
    let at = local(&policy, day, "23:55");
    office.connect_only(&["TUE"], at.with_timezone(&Utc));
    let plan = make_plan(&policy, &office.inventory(&policy), at);
    println!("{}", text::render(&plan, false));
    assert_eq!(plan.count(Op::Copy), 1);
}

#[allow(dead_code)]
fn utc(text: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap())
}
