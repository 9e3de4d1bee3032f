//! `rota doctor`, `rota verify`, `rota restore-test` and `rota simulate` run
//! as an office would, on the sandbox office of `support::sandbox` (real
//! backup files, labelled disk folders swapped in and out, copies and
//! manifests written night by night).

use std::fs;
use std::path::Path;

use crate::support;
use crate::support::TempOffice;
use crate::support::sandbox::{POLICY, Sandbox};
use chrono::{DateTime, Utc};
use rota::content_hash::hash_path;
use rota::inventory::{Catalog, CopyRecord, EntryKind, Manifest, layout, read_label};

/// Five weeks of nights ending on Tuesday, March 31st, each disk verified on
/// its last night, and a restore test that day: everything the guide asks.
fn healthy_sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.run_nights("2026-02-23", "2026-03-24");
    for day in [
        "2026-03-25",
        "2026-03-26",
        "2026-03-27",
        "2026-03-30",
        "2026-03-31",
    ] {
        sandbox.run_nights(day, day);
        sandbox
            .rota("verify", &format!("{day}T23:57"))
            .run()
            .success()
            .stdout_contains("all intact");
    }
    sandbox
        .rota("restore-test", "2026-03-31T23:58")
        .run()
        .success()
        .stdout_contains("its content hash matches the disk's manifest");
    sandbox
}

#[test]
fn doctor_passes_every_check_in_a_healthy_sandbox() {
    let sandbox = healthy_sandbox();
    // A Mac with FileVault on, encrypted disks and a recent Time Machine backup.
    let path = support::fake_tools::healthy_mac(&sandbox.office.join("bin"), "2026-03-31-221530");
    let doctor = || {
        sandbox
            .rota("doctor", "2026-03-31T23:59")
            .env("PATH", &path)
            .env("ROTA_PROBE_PLATFORM", "macos")
    };
    let output = doctor().run().success();
    assert!(
        !output.stdout.contains("WARN") && !output.stdout.contains("FAIL"),
        "{}",
        output.stdout
    );
    let json = doctor().args(["--format", "json"]).run().success();
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    for id in [
        "disk-encrypted",
        "server-encrypted",
        "time-machine",
        "unencrypted-media",
    ] {
        assert!(
            report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == id),
            "no {id} check: {}",
            json.stdout
        );
    }
    assert_eq!(report["summary"]["fail"], 0);
    assert_eq!(report["summary"]["warn"], 0);
    let checks = report["checks"].as_array().unwrap();
    assert!(checks.iter().all(|c| c["status"] == "pass"));
    let verified = checks
        .iter()
        .find(|c| c["id"] == "disk-verified" && c["subject"] == "MON")
        .unwrap();
    assert!(
        verified["evidence"]
            .as_str()
            .unwrap()
            .contains("all read back since 2026-03-30")
    );
}

#[test]
fn doctor_fails_and_exits_1_when_a_disk_is_lost_and_says_when_the_first_restore_test_is_due() {
    let sandbox = Sandbox::new();
    sandbox.run_nights("2026-02-23", "2026-03-24");
    // WED is lost after its night of March 18th; on the morning of the 26th
    // it has missed its night of the 25th.
    sandbox.connect_only(&[]);
    fs::remove_dir_all(sandbox.office.join("shelf/WED")).unwrap();
    let output = sandbox
        .rota("doctor", "2026-03-26T10:00")
        .run()
        .failure()
        .stderr_contains("checks failed");
    for needle in [
        "FAIL  Disk WED seen within one rotation cycle",
        "last seen 2026-03-18 (8 days ago), but it should have been connected on Wednesday 2026-03-25",
        // rota began in February: the first restore test is due a quarter on.
        "WARN  A restore test every quarter",
        "no restore test yet; rota began on ",
        ", so the first is due by ",
    ] {
        assert!(
            output.stdout.contains(needle),
            "{needle}\n{}",
            output.stdout
        );
    }
}

#[test]
fn verify_finds_a_flipped_byte_a_truncated_file_and_a_missing_copy() {
    let sandbox = Sandbox::new();
    sandbox.run_nights("2026-02-23", "2026-03-20");
    // FRI (connected) holds the Fridays of March and February's month-end.
    let copies = layout::copies_dir(&sandbox.mount("FRI"));
    let flipped = copies.join("MacPractice_2026-03-06_2330.mpbackup");
    let mut bytes = fs::read(&flipped).unwrap();
    bytes[100] ^= 0x20;
    fs::write(&flipped, bytes).unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(copies.join("MacPractice_2026-03-13_2330.mpbackup"))
        .unwrap()
        .set_len(10)
        .unwrap();
    fs::remove_file(copies.join("MacPractice_2026-03-20_2330.mpbackup")).unwrap();
    fs::write(copies.join("notes.txt"), b"not a backup").unwrap();
    let output = sandbox
        .rota("verify", "2026-03-20T23:58")
        .args(["--disk", "FRI"])
        .run()
        .failure();
    for needle in [
        "1 intact, 2 changed, 1 missing",
        "MacPractice_2026-03-06_2330.mpbackup: CHANGED: its content changed",
        "MacPractice_2026-03-13_2330.mpbackup: CHANGED: truncated: 10 bytes on disk, 3000 copied",
        "MacPractice_2026-03-20_2330.mpbackup: MISSING",
        "notes.txt: unexpected",
        "3 copies no longer count as copies",
    ] {
        assert!(
            output.stdout.contains(needle),
            "{needle}\n{}",
            output.stdout
        );
    }
    // The manifest records it: the damaged copies are unverified, the missing
    // one forgotten, and the disk's last verification is recorded.
    let manifest = Manifest::load(&copies).unwrap().unwrap();
    assert!(
        manifest
            .get("MacPractice_2026-03-20_2330.mpbackup")
            .is_none()
    );
    assert_eq!(
        manifest
            .get("MacPractice_2026-03-06_2330.mpbackup")
            .unwrap()
            .verified_at,
        None
    );
    assert!(manifest.last_verified.is_some());
    let catalog = Catalog::load(&sandbox.policy.state_dir).unwrap();
    let fri = catalog.disks.values().find(|d| d.label == "FRI").unwrap();
    assert!(fri.last_verified.is_some());
    // The planner copies back what it can: the 20th is still on the server.
    let plan = sandbox.rota("plan", "2026-03-20T23:59").run().success();
    assert!(
        plan.stdout.contains("+ copy")
            && plan.stdout.contains("MacPractice_2026-03-20_2330.mpbackup"),
        "{}",
        plan.stdout
    );
    // Doctor sees the damaged copies.
    let doctor = sandbox.rota("doctor", "2026-03-20T23:59").run();
    assert!(
        doctor.stdout.contains("WARN  Disk FRI verified recently"),
        "{}",
        doctor.stdout
    );
}

#[test]
fn verify_of_a_disk_that_is_not_connected_says_which_are() {
    let sandbox = Sandbox::new();
    sandbox.run_nights("2026-03-02", "2026-03-03");
    sandbox
        .rota("verify", "2026-03-03T23:58")
        .args(["--disk", "MON"])
        .run()
        .failure()
        .stderr_contains("disk MON is not connected")
        .stderr_contains("connected now: TUE");
}

#[test]
fn restore_test_of_a_file_and_of_a_bundle_is_recorded_and_cleaned_up() {
    let sandbox = Sandbox::new();
    sandbox.run_nights("2026-03-02", "2026-03-03");
    // A bundle copy on TUE, recorded in its manifest as rota would.
    let copies = layout::copies_dir(&sandbox.mount("TUE"));
    let name = "MacPractice_2026-03-03_0100.mpbackup";
    let bundle = sandbox.office.backup_bundle(name, 5_000);
    let copy = copies.join(name);
    fs::create_dir_all(copy.join("Contents/Resources")).unwrap();
    for part in ["Contents/Info.plist", "Contents/Resources/data.bin"] {
        fs::copy(bundle.join(part), copy.join(part)).unwrap();
    }
    let id = read_label(&sandbox.mount("TUE")).unwrap().unwrap().id;
    let mut manifest = Manifest::load_for(&copies, &id, "TUE").unwrap();
    let now: DateTime<Utc> = "2026-03-04T04:00:00Z".parse().unwrap();
    manifest.record(CopyRecord {
        name: name.into(),
        size: 5_000,
        kind: EntryKind::Bundle,
        hash: hash_path(&copy).unwrap(),
        copied_at: now,
        verified_at: Some(now),
        ciphertext_hash: None,
        fingerprint: None,
    });
    manifest.save(&copies).unwrap();
    let scratch = sandbox.office.folder("scratch");
    // The first run as Pat; the second with no login name in the environment
    // at all (a launchd job), so the name comes from the user database.
    for (backup, user) in [
        (name, Some("pat")),
        ("MacPractice_2026-03-03_2330.mpbackup", None),
    ] {
        let command = sandbox.rota("restore-test", "2026-03-03T23:59");
        let command = match user {
            Some(user) => command.env("USER", user),
            None => command
                .env_remove("USER")
                .env_remove("LOGNAME")
                .env_remove("USERNAME"),
        };
        command
            .args(["--backup", backup, "--to"])
            .arg(&scratch)
            .args(["--command", "test -e {} && echo checked"])
            .run()
            .success()
            .stdout_contains("its content hash matches the disk's manifest")
            .stdout_contains("passed (exit status 0: checked)")
            .stdout_contains("the next restore test is due by 2026-06-03");
    }
    assert_eq!(
        fs::read_dir(&scratch).unwrap().count(),
        0,
        "the scratch folder is gone"
    );
    let log = fs::read_to_string(sandbox.office.join("state/restore-tests.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    assert!(
        records
            .iter()
            .all(|r| r["ok"] == true && r["from"] == "TUE")
    );
    assert_eq!(records[0]["backup"], name);
    // Each test records how long it took and who ran it, never "unknown".
    assert!(records.iter().all(|r| r["duration_ms"].is_u64()));
    assert_eq!(records[0]["user"], "pat");
    let account = records[1]["user"].as_str().unwrap();
    assert!(!account.is_empty() && account != "unknown" && account != "pat");
}

#[test]
fn a_damaged_copy_fails_the_restore_test_and_a_failing_check_command_too() {
    let sandbox = Sandbox::new();
    sandbox.run_nights("2026-03-02", "2026-03-03");
    let copy =
        layout::copies_dir(&sandbox.mount("TUE")).join("MacPractice_2026-03-03_2330.mpbackup");
    let mut bytes = fs::read(&copy).unwrap();
    bytes[0] ^= 1;
    fs::write(&copy, bytes).unwrap();
    sandbox
        .rota("restore-test", "2026-03-03T23:59")
        .run()
        .failure()
        .stdout_contains("differs from the manifest's")
        .stderr_contains("the restore test of MacPractice_2026-03-03_2330.mpbackup failed");
    sandbox
        .rota("restore-test", "2026-03-03T23:59")
        .args(["--backup", "MacPractice_2026-03-02_2330.mpbackup"])
        .run()
        .failure()
        .stderr_contains("has no verified copy on a connected disk")
        .stderr_contains("it is on server, MON; connect one of those disks (connected: TUE)");
    let log = fs::read_to_string(sandbox.office.join("state/restore-tests.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 1);
    assert!(log.contains("\"ok\":false"));
    assert!(
        !sandbox
            .office
            .join("state/restore-scratch")
            .read_dir()
            .unwrap()
            .any(|_| true)
    );
}

#[test]
fn simulate_writes_an_html_report_and_refuses_bad_assumptions() {
    let office = TempOffice::new(POLICY);
    office
        .rota()
        .args([
            "simulate",
            "policy.yaml",
            "--from",
            "2026-01-01",
            "--to",
            "2026-06-30",
        ])
        .args([
            "--disk-size",
            "30GB",
            "--backup-size",
            "5GB",
            "--format",
            "html",
            "--out",
            "sim.html",
        ])
        .run()
        // "Not enough" is exit 1, for scripts; the report is still written.
        .failure()
        .stdout_contains("Wrote the report to sim.html.")
        .stdout_contains("Answer: not enough. Disk FRI ran out of room on")
        .stderr_contains("the disks are not enough")
        .stderr_contains("exit status 1 means \"not enough\"");
    let page = fs::read_to_string(office.join("sim.html")).unwrap();
    assert!(page.contains("<svg") && page.contains("Disk usage over time"));
    office
        .rota()
        .args(["simulate", "policy.yaml", "--from", "2026-01-01"])
        .args([
            "--to",
            "2026-03-31",
            "--disk-size",
            "2TB",
            "--backup-size",
            "5GB",
        ])
        .run()
        .success()
        .stdout_contains("Answer: enough.");
    office
        .rota()
        .args([
            "simulate",
            "policy.yaml",
            "--from",
            "2026-01-01",
            "--to",
            "2025-01-01",
        ])
        .run()
        .failure()
        .stderr_contains("is before --from");
    office
        .rota()
        .args([
            "simulate",
            "policy.yaml",
            "--from",
            "2026-01-01",
            "--to",
            "2026-02-01",
        ])
        .args(["--wrong-disk", "300%"])
        .run()
        .failure()
        .stderr_contains("--wrong-disk");
}

#[test]
fn the_sandbox_helper_swaps_disks() {
    let sandbox = Sandbox::new();
    sandbox.connect_only(&["MON"]);
    assert!(sandbox.mount("MON").is_dir());
    sandbox.connect_only(&["TUE"]);
    assert!(!sandbox.mount("MON").exists() && sandbox.mount("TUE").is_dir());
    assert!(Path::new(&sandbox.office.join("shelf/MON")).is_dir());
}
