//! Backups that change: still being written when `apply` runs, or rewritten
//! after they were copied. Safety invariants 10 (a copy counts only while its
//! recorded fingerprint equals the source backup's) and 11 (a backup that
//! changed while it was copied is never recorded as copied).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use crate::apply_office::{ApplyOffice, name};
use crate::support;
use crate::support::FIVE_DAY_POLICY;
use rota::content_hash::hash_path;
use rota::inventory::{Manifest, fingerprint_of, layout};

const AT: &str = "2026-03-31";

fn office(policy: &str) -> ApplyOffice {
    let office = ApplyOffice::new(policy);
    for day in [26, 27, 30] {
        office
            .office
            .backup_file(&name(&format!("2026-03-{day}")), 2000 + day);
    }
    office.disk("TUE", true);
    office
}

fn with_settle(settle: &str) -> String {
    FIVE_DAY_POLICY.replacen("source:\n", &format!("source:\n  settle: {settle}\n"), 1)
}

/// Every record on TUE of `backup` must be of the backup as it is now.
fn counted_copies_match_the_source(office: &ApplyOffice, backup: &str) -> Option<String> {
    let copies = layout::copies_dir(&office.mount("TUE"));
    let manifest = Manifest::load(&copies).unwrap()?;
    let record = manifest.get(backup)?.clone();
    let now = fingerprint_of(&office.office.source().join(backup)).unwrap();
    assert!(
        record.is_copy_of(&now),
        "TUE counts a copy of {backup} made from {:?}, the backup is now {now:?}",
        record.fingerprint
    );
    Some(record.hash)
}

/// Whether disk `label` counts a copy of `backup`.
fn counted_copies_on(office: &ApplyOffice, label: &str, backup: &str) {
    let copies = layout::copies_dir(&office.mount(label));
    let manifest = Manifest::load(&copies).unwrap().expect("a manifest");
    assert!(manifest.get(backup).is_some(), "{label} holds {backup}");
}

/// Whatever the runs during the writes recorded: a copy of an earlier state
/// is stale now, so the plan copies the backup again.
fn stale_copies_do_not_count(office: &ApplyOffice, backup: &str) {
    let copies = layout::copies_dir(&office.mount("TUE"));
    let Some(record) = Manifest::load(&copies)
        .unwrap()
        .and_then(|m| m.get(backup).cloned())
    else {
        return;
    };
    let now = fingerprint_of(&office.office.source().join(backup)).unwrap();
    if !record.is_copy_of(&now) {
        let plan = office.plan_json(AT);
        let copies_again = plan["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["op"] == "copy" && a["backup"] == backup);
        assert!(copies_again, "a stale copy of {backup} counts: {plan:#}");
    }
}

#[test]
fn invariant_10_a_backup_still_being_written_is_pending_and_not_copied() {
    let office = office(&with_settle("10m"));
    let tonight = name("2026-03-31");
    office.office.fresh_backup_file(&tonight, 5_000);
    let plan = office.plan_json(AT);
    let pending = plan["pending"].as_array().unwrap();
    assert!(
        pending.iter().any(|p| p["backup"] == tonight.as_str()
            && p["reason"]
                .as_str()
                .unwrap()
                .starts_with("still being written (last changed 0 min ago)")),
        "{pending:#?}"
    );
    let codes: Vec<&str> = plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"unsettled-backup"), "{codes:?}");
    office.apply(AT).success();
    let copies = layout::copies_dir(&office.mount("TUE"));
    assert!(
        !copies.join(&tonight).exists(),
        "a backup still being written was copied"
    );
}

#[test]
fn invariant_10_a_backup_rewritten_after_it_was_copied_makes_its_copy_stale_and_is_copied_again() {
    let office = office(FIVE_DAY_POLICY);
    let tonight = name("2026-03-31");
    office.office.backup_file(&tonight, 5_000);
    office.apply(AT).success();
    let first = counted_copies_match_the_source(&office, &tonight).expect("copied");
    // The practice software runs again: other content, other size.
    fs::write(office.office.source().join(&tonight), vec![7u8; 81_000]).unwrap();
    support::finished_an_hour_ago(&office.office.source().join(&tonight));
    let plan = office.plan_json(AT);
    let warnings = plan["warnings"].as_array().unwrap();
    let changed = warnings
        .iter()
        .find(|w| w["code"] == "changed-backup")
        .expect("changed-backup");
    let message = changed["message"].as_str().unwrap();
    assert!(
        message.contains(&tonight) && message.contains("TUE") && message.contains("size"),
        "{message}"
    );
    assert!(
        plan["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["op"] == "copy" && a["backup"] == tonight.as_str() && a["to"] == "TUE"),
        "{plan:#}"
    );
    office
        .rota()
        .args(["explain", "policy.yaml", &tonight, "--at", AT])
        .run()
        .success()
        .stdout_contains("state     changed on the server after it was copied: the copies on TUE no longer count")
        .stdout_contains("stale on   TUE");
    let doctor = office
        .rota()
        .args(["doctor", "policy.yaml", "--format", "json", "--at", AT])
        .run()
        .no_panic();
    let report: serde_json::Value = serde_json::from_str(&doctor.stdout).unwrap();
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "backups-unchanged")
        .expect("the backups-unchanged check");
    assert_eq!(check["status"], "warn", "{check:#}");
    office.apply(AT).success();
    let second = counted_copies_match_the_source(&office, &tonight).expect("copied again");
    assert_ne!(first, second);
    let on_disk = layout::copies_dir(&office.mount("TUE")).join(&tonight);
    assert_eq!(
        hash_path(&on_disk).unwrap(),
        hash_path(&office.office.source().join(&tonight)).unwrap()
    );
    assert!(
        office.plan_json(AT)["actions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// A writer appending in bursts while `apply` runs (with `settle: 0s`, so
/// rota tries to copy it): whatever apply records must be a copy of the
/// backup as it then was, and once the writer stops the next run copies the
/// final backup byte for byte.
#[test]
fn invariant_11_a_file_growing_while_apply_runs_is_never_recorded_half_written() {
    let office = office(&with_settle("0s"));
    let tonight = name("2026-03-31");
    let path = office.office.source().join(&tonight);
    fs::write(&path, vec![1u8; 1 << 20]).unwrap();
    let stop = AtomicBool::new(false);
    thread::scope(|scope| {
        scope.spawn(|| {
            let mut file = OpenOptions::new().append(true).open(&path).unwrap();
            for burst in 0..40u8 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                file.write_all(&vec![burst; 1 << 20]).unwrap();
                file.sync_data().unwrap();
                thread::sleep(Duration::from_millis(25));
            }
        });
        for _ in 0..3 {
            office.apply(AT).no_panic();
        }
        stop.store(true, Ordering::Relaxed);
    });
    support::finished_an_hour_ago(&path);
    stale_copies_do_not_count(&office, &tonight);
    office.apply(AT).success();
    let hash = counted_copies_match_the_source(&office, &tonight).expect("copied once finished");
    assert_eq!(hash, hash_path(&path).unwrap());
    let on_disk = layout::copies_dir(&office.mount("TUE")).join(&tonight);
    assert_eq!(fs::read(on_disk).unwrap(), fs::read(&path).unwrap());
}

/// A bundle gaining files while `apply` runs.
#[test]
fn invariant_11_a_bundle_gaining_files_while_apply_runs_is_never_recorded_incomplete() {
    let office = office(&with_settle("0s"));
    let tonight = name("2026-03-31");
    let root = office.office.backup_bundle(&tonight, 3_000);
    let stop = AtomicBool::new(false);
    thread::scope(|scope| {
        scope.spawn(|| {
            for part in 0..60 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                fs::write(
                    root.join(format!("Contents/part-{part:03}.db")),
                    vec![part as u8; 200_000],
                )
                .unwrap();
                thread::sleep(Duration::from_millis(20));
            }
        });
        for _ in 0..3 {
            office.apply(AT).no_panic();
        }
        stop.store(true, Ordering::Relaxed);
    });
    support::finished_an_hour_ago(&root);
    stale_copies_do_not_count(&office, &tonight);
    office.apply(AT).success();
    let hash = counted_copies_match_the_source(&office, &tonight).expect("copied once finished");
    assert_eq!(hash, hash_path(&root).unwrap());
}

/// `rota apply --wait`, started before tonight's backup exists (as a
/// schedule soon after the practice software's job is): it says it waits
/// for the backup to appear, then for it to settle, and copies it once it
/// has been unchanged for `source.settle`.
#[test]
fn apply_wait_waits_for_tonights_backup_to_appear_and_settle_then_copies_it() {
    let office = office(&with_settle("3s"));
    let tonight = name("2026-03-31");
    let path = office.office.source().join(&tonight);
    let output = thread::scope(|scope| {
        scope.spawn(|| {
            thread::sleep(Duration::from_secs(2));
            fs::write(&path, vec![3u8; 1 << 20]).unwrap();
        });
        office
            .rota()
            .args(["apply", "policy.yaml", "--yes", "--wait", "1m", "--at", AT])
            .run()
            .success()
    });
    output
        .stdout_contains("today's backup (2026-03-31) has not appeared")
        .stdout_contains(&format!("{tonight} is still being written"))
        .stdout_contains("Today's backup is ready after waiting");
    counted_copies_match_the_source(&office, &tonight).expect("copied once settled");
}

/// The Mac slept through Monday's 23:45 start and launchd delivered it on
/// waking at 07:30 Tuesday: the run is Monday night's, late. It does not
/// wait for Tuesday's backup (due that night), plans Monday's rotation, and
/// its record says it served Monday.
#[test]
fn a_scheduled_run_delivered_on_wake_serves_the_night_it_missed() {
    let policy = FIVE_DAY_POLICY.replacen(
        "state_dir: state",
        "schedule: { at: \"23:45\", wait: 2h }\nstate_dir: state",
        1,
    );
    let office = office(&policy);
    office.disk("MON", true);
    let started = std::time::Instant::now();
    office
        .rota()
        .args(["apply", "policy.yaml", "--yes", "--wait", "30s"])
        .args(["--at", "2026-03-31T07:30"])
        .run()
        .success()
        .stdout_contains("after Monday 2026-03-30's scheduled start at 23:45")
        .stdout_contains("this is that night's run, late")
        .stdout_lacks("has not appeared");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "it did not wait"
    );
    let runs = fs::read_to_string(office.office.join("state/runs.jsonl")).unwrap();
    assert!(runs.contains("\"today\":\"2026-03-30\""), "{runs}");
    // Monday's disk got Monday's backup: the plan was Monday's.
    assert!(office.mount("MON").join("rota").exists());
    counted_copies_on(&office, "MON", &name("2026-03-30"));
}

/// When the wait is up and tonight's backup is still being written, apply
/// says so and goes on without copying it: the plan keeps it pending.
#[test]
fn apply_wait_gives_up_on_a_backup_still_being_written_and_leaves_it_pending() {
    let office = office(&with_settle("10m"));
    let tonight = name("2026-03-31");
    office.office.fresh_backup_file(&tonight, 5_000);
    office
        .rota()
        .args(["apply", "policy.yaml", "--yes", "--wait", "2s", "--at", AT])
        .run()
        .success()
        .stdout_contains("Stopped waiting after 2s")
        .stdout_contains("still being written");
    let copies = layout::copies_dir(&office.mount("TUE"));
    assert!(
        !copies.join(&tonight).exists(),
        "copied while being written"
    );
    let plan = office.plan_json(AT);
    assert!(
        plan["pending"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["backup"] == tonight.as_str()),
        "{plan:#}"
    );
}
