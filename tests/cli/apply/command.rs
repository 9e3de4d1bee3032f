//! `rota apply` as the IT person meets it: confirmation rules, the lock, saved
//! plans, the mass-delete guard, a missing source folder, and the summary.

use std::fs::OpenOptions;
use std::io::Write;

use crate::apply_office::{ApplyOffice, name};
use crate::support::FIVE_DAY_POLICY;

const AT: &str = "2026-03-31";

/// The five-day office with a fortnight of backups, MON and TUE plugged in.
fn office() -> ApplyOffice {
    let office = ApplyOffice::new(FIVE_DAY_POLICY);
    for day in [16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 30, 31] {
        let backup = name(&format!("2026-03-{day}"));
        if day % 5 == 0 {
            office.office.backup_bundle(&backup, 3000);
        } else {
            office.office.backup_file(&backup, 2000 + day);
        }
    }
    office.disk("MON", true);
    office.disk("TUE", true);
    office
}

#[test]
fn without_a_terminal_apply_needs_yes_and_changes_nothing() {
    let office = office();
    let before = office.state();
    office
        .rota()
        .args(["apply", "policy.yaml", "--at", AT])
        .run()
        .failure()
        .stderr_contains("rota apply needs --yes")
        .stderr_contains("cron or launchd");
    assert_eq!(office.state(), before);
}

#[test]
fn apply_copies_verifies_prunes_and_a_second_plan_is_empty() {
    let office = office();
    let output = office.apply(AT).success();
    let out = &output.stdout;
    assert!(
        out.contains("ok       + copy MacPractice_2026-03-31_2330.mpbackup server → TUE"),
        "{out}"
    );
    assert!(out.contains(", verified"), "{out}");
    assert!(
        out.contains("ok       - remove MacPractice_2026-03-16_2330.mpbackup on server"),
        "{out}"
    );
    assert!(out.contains("Summary: copied 6 ("), "{out}");
    assert!(
        out.contains("removed 4, archived 0, destroyed 0, failed 0, pending"),
        "{out}"
    );
    office
        .rota()
        .args(["plan", "policy.yaml", "--detailed-exitcode", "--at", AT])
        .run()
        .success();
    office
        .apply(AT)
        .success()
        .stdout_contains("Nothing to do: every backup is where the policy wants it.");
}

#[test]
fn a_second_concurrent_apply_refuses_with_who_holds_the_lock() {
    let office = office();
    std::fs::create_dir_all(office.office.join("state")).unwrap();
    let mut lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(office.office.join("state/lock"))
        .unwrap();
    lock.try_lock().expect("the test takes the lock first");
    lock.write_all(b"rota apply, started at 2026-03-31 23:30:00 UTC, pid 4242\n")
        .unwrap();
    let before = office.state();
    office.apply(AT).failure().stderr_contains(
        "another rota run holds the lock (rota apply, started at 2026-03-31 23:30:00 UTC, pid 4242)",
    );
    assert_eq!(office.state(), before);
    // The commands that write manifests or the catalog wait their turn too.
    for command in [
        &["verify"][..],
        &["restore-test"][..],
        &["disk", "list"][..],
    ] {
        office
            .rota()
            .args(command)
            .arg("policy.yaml")
            .args(["--at", AT].iter().filter(|_| command[0] != "disk"))
            .run()
            .failure()
            .stderr_contains("pid 4242");
    }
    assert_eq!(office.state(), before);
    drop(lock);
    office.apply(AT).success();
}

#[test]
fn a_saved_plan_applies_only_to_the_state_it_was_made_from() {
    let office = office();
    let plan = |file: &str| {
        office
            .rota()
            .args(["plan", "policy.yaml", "--at", AT, "--out", file])
            .run()
            .success();
    };
    plan("stale.json");
    office
        .office
        .backup_file(&name("2026-03-27").replace("2330", "1200"), 500);
    let before = office.state();
    office
        .rota()
        .args(["apply", "policy.yaml", "--yes", "--plan", "stale.json"])
        .run()
        .failure()
        .stderr_contains(
            "the disks or backups changed since the plan was made; run `rota plan` again",
        );
    assert_eq!(office.state(), before);
    plan("fresh.json");
    office
        .rota()
        .args(["apply", "policy.yaml", "--yes", "--plan", "fresh.json"])
        .run()
        .success()
        .stdout_contains("Summary: copied");
    office
        .rota()
        .args([
            "apply",
            "policy.yaml",
            "--yes",
            "--plan",
            "fresh.json",
            "--at",
            AT,
        ])
        .run()
        .failure()
        .stderr_contains("cannot be used with");
    std::fs::write(office.office.join("junk.json"), "{}").unwrap();
    office
        .rota()
        .args(["apply", "policy.yaml", "--yes", "--plan", "junk.json"])
        .run()
        .failure()
        .stderr_contains("is not a plan saved by `rota plan --out`");
}

const GUARD_POLICY: &str = r#"version: 1
office: { name: Guard Dental, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri] }
source: { path: source, pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup", keep_last: 2 }
retain: { business_days: 3 }
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  min_backups: 1
  rotation: [{ label: ALL, days: [mon, tue, wed, thu, fri] }]
state_dir: state
"#;

#[test]
fn the_mass_delete_guard_refuses_unless_allowed() {
    // A first run on a server that kept every backup: it would keep only 2
    // of its 11. (A wrong clock no longer gets this far: the deletion gate
    // stops every deletion while the source looks stale, invariant 13.)
    let office = ApplyOffice::new(GUARD_POLICY);
    let first = chrono::NaiveDate::from_ymd_opt(2026, 3, 17).unwrap();
    for day in first.iter_days().take(15) {
        if chrono::Datelike::weekday(&day).number_from_monday() <= 5 {
            office.office.backup_file(&name(&day.to_string()), 1000);
        }
    }
    office.disk("ALL", true);
    let before = office.state();
    office
        .apply("2026-03-31")
        .failure()
        .stderr_contains("refusing a mass deletion: the plan deletes")
        .stderr_contains("--allow-mass-delete");
    assert_eq!(office.state(), before);
    assert!(office.audit().is_empty());
    office
        .rota()
        .args([
            "apply",
            "policy.yaml",
            "--yes",
            "--allow-mass-delete",
            "--at",
            "2026-03-31",
        ])
        .run()
        .success();
    assert_eq!(office.state().entries["server"].len(), 2);
    assert_eq!(office.audit().len(), 9, "every deletion is logged");
}

#[test]
fn a_missing_source_folder_is_an_error_pointing_at_the_policy() {
    let office = office();
    std::fs::rename(office.office.source(), office.office.join("moved")).unwrap();
    office
        .apply(AT)
        .failure()
        .stderr_contains("the source folder")
        .stderr_contains("does not exist")
        .stderr_contains("policy.yaml:");
}
