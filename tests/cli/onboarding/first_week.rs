//! Issue 28's "done when": a new office's first week, set up from the README
//! alone. A five-day Denver office whose server already holds a year of
//! backups: `rota init` (edited where its CHANGE marks and the README say),
//! `rota disk init --policy` for five disks, the first night run by hand
//! (the mass-delete guard refuses it, the README says why and what to run),
//! `rota schedule install --print`, then five nights with correct swaps.
//! Every morning `rota doctor` exits 0 with no FAIL, and `rota status` is
//! calm. What a person reads on the way is snapshotted: the first night's
//! plan (abridged), the guard's words, and the first morning's doctor.

use std::fs;
use std::time::SystemTime;

use crate::support;
use crate::support::{TempOffice, redact_paths, set_modified_tree};
use chrono::{Datelike, NaiveDate, TimeZone, Weekday};

const LABELS: [&str; 5] = ["MON", "TUE", "WED", "THU", "FRI"];
/// The doctor's checks whose words depend on this machine: its own tools
/// (lsblk, fdesetup, tmutil) and its free space.
const MACHINE_CHECKS: [&str; 4] = [
    "disk-encrypted",
    "server-encrypted",
    "time-machine",
    "free-space",
];

struct Office {
    office: TempOffice,
}

impl Office {
    /// `rota init`, then the edits the README and the CHANGE marks ask for
    /// (the disks of this sandbox are folders under `disks/`; the server
    /// keeps a Time Machine volume there too), a year of backups on the
    /// server, and five labelled disks put away in the safe.
    fn set_up() -> Office {
        let office = TempOffice::empty();
        office
            .rota()
            .args(["init", "rota.yaml", "--office", "Mile High Dental"])
            .args(["--timezone", "America/Denver", "--source", "backups"])
            .run()
            .success()
            .stdout_contains("line 13   timezone: America/Denver");
        let starter = fs::read_to_string(office.join("rota.yaml")).unwrap();
        let edit = |text: String, from: &str, to: &str| {
            assert!(text.contains(from), "the starter policy has {from:?}");
            text.replacen(from, to, 1)
        };
        let mut policy = edit(
            starter,
            "mount_search: [\"/Volumes/*\"]",
            // The sandbox's disk folders are on the server's drive.
            "mount_search: [\"disks/*\"]\n  allow_server_drive: true",
        );
        policy = edit(
            policy,
            "# schedule: { at: \"23:45\", wait: 2h }",
            "schedule: { at: \"23:45\", wait: 2h }",
        );
        fs::write(office.join("rota.yaml"), policy).unwrap();
        office
            .rota()
            .args(["check", "rota.yaml", "--at", "2026-03-01"])
            .run()
            .success()
            .stderr_lacks("fixed-offset-zone")
            .stderr_lacks("holidays-missing");
        fs::create_dir_all(office.join("backups")).unwrap();
        let office = Office { office };
        let mut day = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
        while day < NaiveDate::from_ymd_opt(2026, 3, 2).unwrap() {
            if day.weekday().num_days_from_monday() < 5 {
                office.software_runs(day);
            }
            day = day.succ_opt().unwrap();
        }
        office.office.folder("disks/Time Machine Backups");
        for label in LABELS {
            let mount = office.office.folder(&format!("disks/{label}"));
            office
                .rota(&["disk", "init", &format!("disks/{label}"), "--label", label])
                .args(["--policy", "rota.yaml"])
                .run()
                .success()
                .stdout_contains("Next: run `rota disk list rota.yaml`");
            fs::create_dir_all(office.office.join("safe")).unwrap();
            fs::rename(&mount, office.office.join(format!("safe/{label}"))).unwrap();
        }
        office
    }

    fn rota(&self, args: &[&str]) -> support::Rota {
        self.office.rota().args(args)
    }

    /// The practice software's backup of `night`, written at 23:30 Denver time.
    fn software_runs(&self, night: NaiveDate) {
        let name = format!("MacPractice_{night}_2330.mpbackup");
        let path = self.office.join("backups").join(&name);
        fs::write(&path, format!("backup of {night}\n")).unwrap();
        let written = chrono_tz::America::Denver
            .from_local_datetime(&night.and_hms_opt(23, 30, 0).unwrap())
            .unwrap();
        set_modified_tree(&path, SystemTime::from(written));
    }

    /// Staff eject last night's disk and connect tonight's.
    fn swap_to(&self, tonight: &str) {
        for label in LABELS {
            let plugged = self.office.join(format!("disks/{label}"));
            let safe = self.office.join(format!("safe/{label}"));
            if label == tonight && safe.exists() {
                fs::rename(&safe, &plugged).unwrap();
            } else if label != tonight && plugged.exists() {
                fs::rename(&plugged, &safe).unwrap();
            }
        }
    }

    /// `rota doctor` the next morning: exit 0, no FAIL; the checks (without
    /// the machine's own) as lines for a snapshot.
    fn doctor_calm(&self, morning: &str) -> String {
        let output = self
            .rota(&["doctor", "rota.yaml", "--format", "json", "--at", morning])
            .run()
            .success();
        let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
        assert_eq!(report["summary"]["fail"], 0, "{morning}: {}", output.stdout);
        let mut lines = Vec::new();
        for check in report["checks"].as_array().unwrap() {
            let id = check["id"].as_str().unwrap();
            if MACHINE_CHECKS.contains(&id) {
                continue;
            }
            let status = check["status"].as_str().unwrap().to_uppercase();
            assert_ne!(status, "FAIL", "{morning}: {check}");
            lines.push(format!("{status:<5} {}", check["title"].as_str().unwrap()));
            let evidence = check["evidence"].as_str().unwrap();
            // Disk ids are random.
            let evidence = match evidence.split_once("labelled, id ") {
                Some((before, id)) => format!("{before}labelled, id [ID]{}", &id[8..]),
                None => evidence.to_string(),
            };
            lines.push(format!("      {evidence}"));
            if let Some(action) = check["action"].as_str() {
                lines.push(format!("      → {action}"));
            }
        }
        lines.join("\n")
    }

    fn redact(&self, text: &str) -> String {
        redact_paths(text, &[self.office.path()])
    }
}

fn snapshot(name: &str, description: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
        description => description,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// The plan of the first night, abridged for reading: the header, the first
/// two lines of each kind, the warnings and the summary.
fn abridged(plan: &str) -> String {
    let mut shown = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for line in plan.lines() {
        let kind = line
            .trim_start()
            .split("  ")
            .next()
            .unwrap_or_default()
            .to_string();
        let is_action = ["+ copy", "- remove", "· pending"].contains(&kind.as_str());
        let kind = if line.contains("LAST COPY") {
            String::from("last copy")
        } else {
            kind
        };
        if is_action {
            if seen.iter().filter(|k| **k == kind).count() < 2 {
                shown.push(line.to_string());
            }
            seen.push(kind);
        } else if let Some((place, rest)) = line.split_once(", ")
            && rest.contains(" free of ")
        {
            // This machine's free space.
            let count = rest.rsplit("  ").next().unwrap_or_default();
            shown.push(format!("{place}, [SPACE]  {count}"));
        } else {
            shown.push(line.to_string());
        }
    }
    shown.join("\n")
}

#[test]
fn a_new_office_has_a_calm_correct_first_week() {
    let office = Office::set_up();
    let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();

    // Monday: the first night, by hand.
    office.software_runs(monday);
    office.swap_to("MON");
    let plan = office
        .rota(&["plan", "rota.yaml", "--at", "2026-03-02T23:50"])
        .run()
        .success()
        .stdout;
    // A volume that is not rota's is warned about, its path quoted ...
    assert!(
        plan.contains("`rota disk init \"")
            && plan.contains("/disks/Time Machine Backups\" --label"),
        "{plan}"
    );
    // ... and `disks.ignore` silences it.
    let policy = fs::read_to_string(office.office.join("rota.yaml"))
        .unwrap()
        .replacen(
            "  mount_search: [\"disks/*\"]\n",
            "  mount_search: [\"disks/*\"]\n  ignore: [\"Time Machine*\"]\n",
            1,
        );
    fs::write(office.office.join("rota.yaml"), policy).unwrap();
    let plan = office
        .rota(&["plan", "rota.yaml", "--at", "2026-03-02T23:50"])
        .run()
        .success()
        .stdout;
    assert!(!plan.contains("unlabelled-disk"), "{plan}");
    // The plan and the guard count the same deletions in the same words.
    let last_copies = plan.lines().filter(|l| l.contains("LAST COPY")).count();
    let removals = plan.lines().filter(|l| l.contains("- remove")).count();
    assert!(last_copies > 100 && removals > last_copies, "{plan}");
    assert!(
        plan.contains(&format!(
            "{removals} removals ({last_copies} of them the last copy of a backup)"
        )),
        "{plan}"
    );
    assert!(
        plan.contains(&format!(
            "the plan deletes the last copy of {last_copies} of the"
        )),
        "{plan}"
    );
    assert!(
        plan.contains(&format!(
            "the {} other removals there leave a copy elsewhere",
            removals - last_copies
        )),
        "{plan}"
    );
    snapshot(
        "first_week_monday_plan",
        "rota plan rota.yaml --at 2026-03-02T23:50 (the first night; abridged: two lines of each kind)",
        &office.redact(&abridged(&plan)),
    );
    // The guard refuses the nightly command, and says what to run.
    let refused = office
        .rota(&["apply", "rota.yaml", "--yes", "--at", "2026-03-02T23:50"])
        .run()
        .failure()
        .stderr_contains("refusing a mass deletion")
        .stderr_contains("run it once with --allow-mass-delete")
        .stdout_contains("run `rota apply --allow-mass-delete` once");
    snapshot(
        "first_week_monday_refused",
        "rota apply rota.yaml --yes --at 2026-03-02T23:50 (stderr)",
        &office.redact(&refused.stderr),
    );
    // Until a first night has been carried out, the schedule is not installed.
    let scheduler = tempfile::tempdir().unwrap();
    office
        .rota(&["schedule", "install", "rota.yaml", "--platform", "systemd"])
        .env("ROTA_SCHEDULE_ROOT", scheduler.path())
        .env("ROTA_SCHEDULE_RUNNER", "/bin/true")
        .run()
        .failure()
        .stderr_contains("`rota apply rota.yaml`");
    office
        .rota(&["apply", "rota.yaml", "--yes", "--allow-mass-delete"])
        .args(["--at", "2026-03-02T23:50"])
        .run()
        .success()
        .stdout_contains("Mass deletion allowed (--allow-mass-delete)")
        .stdout_contains("Tonight's run (for 2026-03-02): OK");
    office
        .rota(&[
            "schedule",
            "install",
            "rota.yaml",
            "--print",
            "--platform",
            "systemd",
        ])
        .run()
        .success()
        .stdout_lacks("has carried out its plan")
        .stdout_contains("OnCalendar=Mon,Tue,Wed,Thu,Fri *-*-* 23:45:00 America/Denver");
    // TUE, fresh from `disk init`, is empty (not "missing its manifest").
    office
        .rota(&["restore", "--disk", "safe/TUE", "--list"])
        .run()
        .success()
        .stdout_contains("It is empty");

    // Tuesday morning, then four more nights with the disks swapped as the
    // sheet says, and a calm morning after each.
    let first_morning = office.doctor_calm("2026-03-03T07:30");
    snapshot(
        "first_week_tuesday_doctor",
        "rota doctor rota.yaml --at 2026-03-03T07:30 (the morning after the first night; the machine's own checks left out)",
        &office.redact(&first_morning),
    );
    for (index, label) in LABELS.iter().enumerate().skip(1) {
        let night = monday + chrono::Days::new(index as u64);
        assert_eq!(night.weekday(), Weekday::try_from(index as u8).unwrap());
        office.software_runs(night);
        office.swap_to(label);
        office
            .rota(&[
                "apply",
                "rota.yaml",
                "--yes",
                "--at",
                &format!("{night}T23:50"),
            ])
            .run()
            .success()
            .stdout_contains(&format!("Tonight's run (for {night}): OK"));
        let morning = format!("{}T07:30", night.succ_opt().unwrap());
        office.doctor_calm(&morning);
        office
            .rota(&["status", "rota.yaml", "--at", &morning])
            .run()
            .success();
    }
    // A week on: every disk has had its night and holds its backups.
    let last = office.doctor_calm("2026-03-07T07:30");
    assert!(!last.contains("INFO  Disk"), "{last}");
    for label in LABELS {
        assert!(
            last.contains(&format!("PASS  Disk {label} holds at least 4 backups")),
            "{last}"
        );
    }
    // `disk list` shows them in rotation order.
    let list = office
        .rota(&["disk", "list", "rota.yaml"])
        .run()
        .success()
        .stdout;
    let positions: Vec<usize> = LABELS
        .iter()
        .map(|label| list.find(&format!("\n{label}  id ")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{list}");
}
