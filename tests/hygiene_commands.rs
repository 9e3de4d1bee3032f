//! `rota doctor`, `rota verify` and `rota restore-test` on a sandbox office on
//! disk: real backup files, disk folders labelled as `rota disk init` would,
//! copies and manifests written night by night by a small stand-in for
//! `rota apply` (the plan's copies and removals, carried out here), and disks
//! "swapped" by moving their folders in and out of the mount folder.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use rota::content_hash::hash_path;
use rota::inventory::{
    Catalog, CopyRecord, DiskView, EntryKind, Manifest, layout, read_label, scan_with_catalog,
    write_label,
};
use rota::placement::Location;
use rota::plan::{Op, make_plan};
use rota::policy::Policy;
use support::TempOffice;

/// A five-day office that carries last night's disk off-site, says its
/// backups are encrypted, and keeps only 1 MB free (so the test machine's
/// own free space cannot fail it).
const POLICY: &str = r#"version: 1
office:
  name: Sandbox Dental
  timezone: America/New_York
  open_days: [mon, tue, wed, thu, fri]
  day_starts_at: "05:00"
source:
  path: source
  pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup"
  keep_last: 3
  reserve: 1 MB
  encrypted: true
retain:
  business_days: 10
  month_ends: 12
  quarter_ends: 8
  fiscal_year_ends: all
disks:
  mount_search: ["disks/*"]
  min_backups: 4
  reserve: 1 MB
  rotation:
    - { label: MON, days: [mon] }
    - { label: TUE, days: [tue] }
    - { label: WED, days: [wed] }
    - { label: THU, days: [thu] }
    - { label: FRI, days: [fri] }
  offsite: { carry: previous, by: Office manager }
restore_test: { every: quarter }
state_dir: state
"#;

const LABELS: [&str; 5] = ["MON", "TUE", "WED", "THU", "FRI"];

struct Sandbox {
    office: TempOffice,
    policy: Policy,
}

impl Sandbox {
    fn new() -> Sandbox {
        let office = TempOffice::new(POLICY);
        fs::create_dir_all(office.join("disks")).unwrap();
        fs::create_dir_all(office.join("shelf")).unwrap();
        let policy = rota::policy::load(&office.policy()).unwrap().policy;
        let labelled = "2026-01-01T12:00:00Z".parse().unwrap();
        for label in LABELS {
            let mount = office.join("shelf").join(label);
            fs::create_dir_all(layout::copies_dir(&mount)).unwrap();
            write_label(&mount, label, labelled).unwrap();
        }
        Sandbox { office, policy }
    }

    fn at(&self, day: NaiveDate, time: &str) -> DateTime<Tz> {
        let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
        self.policy.office.calendar.instant_of(day.and_time(time))
    }

    /// Moves `label`'s folder under `disks/` (connected) or back on the shelf.
    fn connect_only(&self, labels: &[&str]) {
        for label in LABELS {
            let shelf = self.office.join("shelf").join(label);
            let mounted = self.office.join("disks").join(label);
            if labels.contains(&label) && shelf.exists() {
                fs::rename(&shelf, &mounted).unwrap();
            } else if !labels.contains(&label) && mounted.exists() {
                fs::rename(&mounted, &shelf).unwrap();
            }
        }
    }

    fn mount(&self, label: &str) -> PathBuf {
        self.office.join("disks").join(label)
    }

    /// Each night from `from` to `to`: tonight's backup (3 kB), tonight's
    /// disk connected, then the plan carried out.
    fn run_nights(&self, from: &str, to: &str) {
        let (from, to): (NaiveDate, NaiveDate) = (from.parse().unwrap(), to.parse().unwrap());
        for day in from.iter_days().take_while(|d| *d <= to) {
            let night = rota::placement::nightly::night(&self.policy, day);
            if night.open {
                let name = self
                    .policy
                    .source
                    .pattern
                    .name_for(day.and_hms_opt(23, 30, 0).unwrap());
                self.office.backup_file(&name, 3_000);
                let labels: Vec<&str> = night.connect.iter().map(String::as_str).collect();
                self.connect_only(&labels);
            }
            self.apply(self.at(day, "23:55"));
        }
    }

    /// The plan of `at`, carried out: copies hashed and recorded as verified,
    /// removals deleted and forgotten; the catalog updated.
    fn apply(&self, at: DateTime<Tz>) {
        let now = at.with_timezone(&Utc);
        let state = &self.policy.state_dir;
        let mut catalog = Catalog::load(state).unwrap();
        let inventory = scan_with_catalog(&self.policy, &catalog, now);
        let plan = make_plan(&self.policy, &inventory, at);
        for action in &plan.actions {
            match action.op {
                Op::Copy => {
                    let from = self.path_of(action.from.as_ref().unwrap(), &action.backup);
                    let Location::Disk(label) = action.to.as_ref().unwrap() else {
                        panic!("only disks here")
                    };
                    let copies = layout::copies_dir(&self.mount(label));
                    fs::copy(&from, copies.join(&action.backup)).unwrap();
                    let id = read_label(&self.mount(label)).unwrap().unwrap().id;
                    let mut manifest = Manifest::load_for(&copies, &id, label).unwrap();
                    manifest.record(CopyRecord {
                        name: action.backup.clone(),
                        size: action.bytes,
                        kind: EntryKind::File,
                        hash: hash_path(&copies.join(&action.backup)).unwrap(),
                        copied_at: now,
                        verified_at: Some(now),
                        ciphertext_hash: None,
                    });
                    manifest.save(&copies).unwrap();
                }
                Op::Remove | Op::Destroy => {
                    let location = action.location.as_ref().unwrap();
                    fs::remove_file(self.path_of(location, &action.backup)).unwrap();
                    if let Location::Disk(label) = location {
                        let copies = layout::copies_dir(&self.mount(label));
                        let mut manifest = Manifest::load(&copies).unwrap().unwrap();
                        manifest.remove(&action.backup);
                        manifest.save(&copies).unwrap();
                    }
                }
                Op::Archive => panic!("no archive disks here"),
            }
        }
        let after = scan_with_catalog(&self.policy, &catalog, now);
        let connected: Vec<DiskView> = after.connected_disks().cloned().collect();
        catalog.merge_scan(&connected, now);
        catalog.save(state).unwrap();
    }

    fn path_of(&self, location: &Location, name: &str) -> PathBuf {
        match location {
            Location::Server => self.office.source().join(name),
            Location::Disk(label) => layout::copies_dir(&self.mount(label)).join(name),
            Location::Offsite(_) => panic!("no off-site targets here"),
        }
    }

    fn rota(&self, command: &str, at: &str) -> support::Rota {
        self.office
            .rota()
            .args([command, "policy.yaml", "--at", at])
    }
}

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
    let output = sandbox.rota("doctor", "2026-03-31T23:59").run().success();
    assert!(
        !output.stdout.contains("WARN") && !output.stdout.contains("FAIL"),
        "{}",
        output.stdout
    );
    let json = sandbox
        .rota("doctor", "2026-03-31T23:59")
        .args(["--format", "json"])
        .run()
        .success();
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
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
            .contains("last verified 2026-03-30")
    );
}

#[test]
fn doctor_fails_and_exits_1_when_a_disk_is_lost_and_no_restore_test_is_recorded() {
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
        "FAIL  A restore test every quarter",
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
    });
    manifest.save(&copies).unwrap();
    let scratch = sandbox.office.folder("scratch");
    for backup in [name, "MacPractice_2026-03-03_2330.mpbackup"] {
        sandbox
            .rota("restore-test", "2026-03-03T23:59")
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
        .success()
        .stdout_contains("Wrote the report to sim.html.")
        .stdout_contains("Answer: not enough. Disk FRI ran out of room on");
    let page = fs::read_to_string(office.join("sim.html")).unwrap();
    assert!(page.contains("<svg") && page.contains("Disk usage over time"));
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
