//! `source.capture`: practice software that overwrites one fixed file or
//! folder every night (Dentrix's DBCopyForBackup). Two weeks of nights in a
//! real office folder, as a file and as a folder: each open night the export
//! is rewritten with new content (one night it is not, one night it is
//! rewritten while `apply` copies it, once it is touched without new
//! content), tonight's disk is plugged in, and `rota apply --yes` runs. At
//! the end every open night's export is on a disk exactly once, byte for
//! byte, the month-end is kept, and the server holds only `keep_last`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, SystemTime};

use crate::apply_office::{ApplyOffice, names};
use crate::support;
use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use rota::content_hash::hash_path;
use rota::inventory::layout;

const POLICY: &str = r#"version: 1
office:
  name: Fixed Export Dental
  timezone: America/New_York
  open_days: [mon, tue, wed, thu, fri]
source:
  path: source
  pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup"
  capture: EXPORT
  keep_last: 3
retain: { business_days: 5, month_ends: 2 }
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  min_backups: 4
  reserve: 0%
  rotation:
    - { label: MON, days: [mon] }
    - { label: TUE, days: [tue] }
    - { label: WED, days: [wed] }
    - { label: THU, days: [thu] }
    - { label: FRI, days: [fri] }
state_dir: state
"#;

const LABELS: [&str; 5] = ["MON", "TUE", "WED", "THU", "FRI"];
/// The night the practice software does not run (the export stays as it was).
const SKIPPED: &str = "2026-03-26";
/// The night the export is touched but holds yesterday's content.
const TOUCHED: &str = "2026-04-01";
/// The night the export is rewritten while rota captures it (a month-end).
const REWRITTEN: &str = "2026-03-31";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    File,
    Folder,
}

struct ExportOffice {
    office: ApplyOffice,
    export: PathBuf,
    shape: Shape,
}

impl ExportOffice {
    fn new(shape: Shape) -> ExportOffice {
        let export = match shape {
            Shape::File => "export/nightly.bak",
            Shape::Folder => "export/DBCopyForBackup",
        };
        let office = ApplyOffice::new(&POLICY.replace("EXPORT", export));
        fs::create_dir_all(office.office.join("export")).unwrap();
        for label in LABELS {
            office.disk(label, false);
        }
        let export = office.office.join(export);
        ExportOffice {
            office,
            export,
            shape,
        }
    }

    /// The practice software's export of `night`, finished at `hour:minute`
    /// office time: `size` bytes of content `seed` (a folder: a few files).
    fn export(&self, seed: u8, size: usize, night: NaiveDate, hour: u32, minute: u32) -> String {
        match self.shape {
            Shape::File => fs::write(&self.export, content(seed, size)).unwrap(),
            Shape::Folder => {
                let _ = fs::remove_dir_all(&self.export);
                fs::create_dir_all(self.export.join("Data")).unwrap();
                fs::write(self.export.join("Dentrix.ini"), [b'v', seed]).unwrap();
                for part in 0..4 {
                    fs::write(
                        self.export.join(format!("Data/part{part}.dat")),
                        content(seed.wrapping_add(part), size / 4),
                    )
                    .unwrap();
                }
            }
        }
        self.finished_at(night, hour, minute);
        hash_path(&self.export).unwrap()
    }

    /// Gives the export the modification time `hour:minute` on `night`.
    fn finished_at(&self, night: NaiveDate, hour: u32, minute: u32) {
        let local = night.and_hms_opt(hour, minute, 0).unwrap();
        let instant = chrono_tz::America::New_York
            .from_local_datetime(&local)
            .unwrap();
        support::set_modified_tree(&self.export, SystemTime::from(instant));
    }

    /// Appends to the export (a folder: a new file) once rota has started
    /// writing its capture, so the capture sees it change while it reads.
    fn rewrite_during_capture(&self, stop: &AtomicBool, night: NaiveDate) {
        let source = self.office.office.source();
        while !stop.load(Ordering::Relaxed) {
            if names(&source).iter().any(|name| layout::is_partial(name)) {
                match self.shape {
                    // An append, not a rewrite of the whole file: the
                    // change must land while the capture still reads, and
                    // rewriting 24 MB could take longer than the capture.
                    Shape::File => fs::OpenOptions::new()
                        .append(true)
                        .open(&self.export)
                        .and_then(|mut file| file.write_all(&content(99, 4096)))
                        .unwrap(),
                    Shape::Folder => {
                        fs::write(self.export.join("Data/late.dat"), content(99, 4096)).unwrap()
                    }
                }
                self.finished_at(night, 23, 40);
                return;
            }
            thread::sleep(Duration::from_micros(200));
        }
    }

    fn plug_tonights_disk(&self, night: NaiveDate) {
        let tonight = match night.weekday() {
            Weekday::Sat | Weekday::Sun => "FRI",
            day => LABELS[day.num_days_from_monday() as usize],
        };
        self.office.connect_only(&[tonight]);
    }

    /// Every backup-named entry on every disk, as (label, name) → hash.
    fn on_disks(&self) -> BTreeMap<(String, String), String> {
        let state = self.office.state();
        let mut found = BTreeMap::new();
        for (place, entries) in &state.entries {
            if place == "server" {
                continue;
            }
            for (name, hash) in entries {
                let recorded = &state.manifests[place][name];
                assert!(
                    recorded.2 && &recorded.0 == hash,
                    "{place}/{name} unverified"
                );
                found.insert((place.clone(), name.clone()), hash.clone());
            }
        }
        found
    }
}

fn content(seed: u8, size: usize) -> Vec<u8> {
    (0..size)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn warning_codes(plan: &serde_json::Value) -> Vec<String> {
    plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_string())
        .collect()
}

fn at(night: NaiveDate, time: &str) -> String {
    format!("{night}T{time}")
}

/// Two weeks of nights; returns, per open night that was exported, the
/// content hash the export had when rota captured it.
fn two_weeks(office: &ExportOffice) -> BTreeMap<NaiveDate, String> {
    let first = NaiveDate::from_ymd_opt(2026, 3, 23).unwrap();
    let mut exported = BTreeMap::new();
    let mut previous = String::new();
    for (index, night) in first.iter_days().take(14).enumerate() {
        let open = !matches!(night.weekday(), Weekday::Sat | Weekday::Sun);
        office.plug_tonights_disk(night);
        let day = night.to_string();
        if open && day != SKIPPED && day != TOUCHED {
            // A large export on the rewritten night, so its copy lasts.
            let size = if day == REWRITTEN { 24 << 20 } else { 60_000 };
            previous = office.export(index as u8, size, night, 23, 30);
            exported.insert(night, previous.clone());
        }
        if day == TOUCHED {
            office.finished_at(night, 23, 30);
            // The export's content did not change: captured all the same,
            // and a person should look (attention, not a failed night).
            let output = office.office.apply(&at(night, "23:50")).success();
            assert!(
                output.stdout.contains("unchanged-capture"),
                "{}",
                output.stdout
            );
            exported.insert(night, previous.clone());
            continue;
        }
        if day == REWRITTEN {
            let stop = AtomicBool::new(false);
            let output = thread::scope(|scope| {
                scope.spawn(|| office.rewrite_during_capture(&stop, night));
                let output = office.office.apply(&at(night, "23:50"));
                stop.store(true, Ordering::Relaxed);
                output
            });
            assert_ne!(output.status.code(), Some(0), "{}", output.stdout);
            let failed = output
                .stdout
                .lines()
                .find(|line| line.starts_with("FAILED   + capture"))
                .unwrap_or_else(|| panic!("the capture must fail: {}", output.stdout));
            assert!(failed.contains("changed"), "{failed}");
            assert!(office.office.partials().is_empty());
            // Not captured: the next run takes the export as it now is.
            let plan = office.office.plan_json(&at(night, "23:55"));
            assert_eq!(plan["actions"][0]["op"], "capture", "{plan}");
            assert!(
                plan["actions"][0]["backup"]
                    .as_str()
                    .unwrap()
                    .ends_with("_2340.mpbackup")
            );
            office.office.apply(&at(night, "23:55")).success();
            previous = hash_path(&office.export).unwrap();
            exported.insert(night, previous.clone());
            continue;
        }
        if day == SKIPPED {
            let plan = office.office.plan_json(&at(night, "23:50"));
            assert!(
                warning_codes(&plan).contains(&"missing-backup".into()),
                "{plan}"
            );
            assert!(
                plan["actions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|a| a["op"] != "capture"),
                "an unchanged export is not captured again: {plan}"
            );
        }
        if day == SKIPPED {
            office.office.apply(&at(night, "23:50")).night_done();
        } else {
            office.office.apply(&at(night, "23:50")).success();
        }
        // A second run the same night has nothing left to capture.
        let again = office.office.plan_json(&at(night, "23:58"));
        assert!(
            again["actions"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["op"] != "capture"),
            "{again}"
        );
    }
    exported
}

fn a_fortnight_of_exports_ends_with_one_copy_of_each_night(shape: Shape) {
    let office = ExportOffice::new(shape);
    let exported = two_weeks(&office);
    let on_disks = office.on_disks();
    // Every night's export is on a disk, byte for byte, under a name of its
    // own night (the export's time, office time zone).
    for (night, hash) in &exported {
        let prefix = format!("MacPractice_{night}_");
        let copies: Vec<_> = on_disks
            .iter()
            .filter(|((_, name), found)| name.starts_with(&prefix) && *found == hash)
            .collect();
        assert!(
            !copies.is_empty(),
            "{night}: no copy of its export on any disk"
        );
    }
    // One capture per exported night: no second capture of an unchanged
    // export, none of the skipped night, none of the export cut short.
    let names: BTreeSet<&String> = on_disks.keys().map(|(_, name)| name).collect();
    let nights: BTreeSet<String> = names.iter().map(|name| name[12..22].to_string()).collect();
    assert_eq!(names.len(), nights.len(), "{names:?}");
    assert!(!nights.contains(SKIPPED));
    assert!(
        names
            .iter()
            .any(|name| name.contains(&format!("{REWRITTEN}_2340")))
    );
    // Distinct content but for the touched night, which repeats the night before.
    let distinct: BTreeSet<&String> = exported.values().collect();
    assert_eq!(distinct.len(), exported.len() - 1);
    // The month-end is kept on its disk; the server keeps its newest three.
    let server = names_on_server(&office.office.office.source());
    assert_eq!(server.len(), 3, "{server:?}");
    let month_end = office.office.plan_json("2026-04-05T23:50");
    let kept = month_end["backups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["business_day"] == REWRITTEN)
        .expect("the month-end is known");
    assert!(
        kept["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "month_ends"),
        "{kept}"
    );
    assert!(office.office.partials().is_empty());
}

fn names_on_server(source: &Path) -> Vec<String> {
    names(source)
        .into_iter()
        .filter(|name| name.starts_with("MacPractice_"))
        .collect()
}

#[test]
fn a_file_export_over_two_weeks_is_one_verified_copy_per_night() {
    a_fortnight_of_exports_ends_with_one_copy_of_each_night(Shape::File);
}

#[test]
fn a_folder_export_over_two_weeks_is_one_verified_copy_per_night() {
    a_fortnight_of_exports_ends_with_one_copy_of_each_night(Shape::Folder);
}

#[test]
fn check_warns_of_a_missing_export_and_apply_stops_on_it() {
    let office = ExportOffice::new(Shape::Folder);
    office
        .office
        .rota()
        .args(["check", "policy.yaml"])
        .run()
        .success()
        .stderr_contains("policy::capture-missing")
        .stderr_contains("it does not exist")
        .stdout_contains("captured from");
    let output = office.office.apply("2026-03-31T23:50");
    assert_eq!(output.status.code(), Some(1), "{}", output.stderr);
    assert!(
        output.stderr.contains("cannot be captured"),
        "{}",
        output.stderr
    );
    let plan = office.office.plan_json("2026-03-31T23:50");
    assert!(
        warning_codes(&plan).contains(&"capture-unreadable".into()),
        "{plan}"
    );
}

#[test]
fn an_export_that_holds_the_source_folder_is_refused() {
    let office = support::TempOffice::new(&POLICY.replace("EXPORT", "."));
    office
        .rota()
        .args(["check", "policy.yaml"])
        .run()
        .code(1)
        .stderr_contains("policy::capture-holds-source");
}
