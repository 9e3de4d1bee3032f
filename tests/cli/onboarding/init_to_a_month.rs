//! From `rota init` to a month of rotation, for the two kinds of practice
//! software that do not write `MacPractice_…_2330` names: one that names its
//! backups by date alone (`Backup_2026-03-31.zip`) and one that overwrites
//! one export folder every night (`DBCopyForBackup/`, captured by rota). The
//! starter policy is edited only where its comments say; every night the
//! software writes, tonight's disk is plugged in and `rota apply --yes` runs.
//! At the end the last ten open days and the month-ends are on the disks,
//! byte for byte, and the server keeps its newest three.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::support::{TempOffice, set_modified_tree};
use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use rota::content_hash::hash_path;
use rota::inventory::{Manifest, layout};

const LABELS: [&str; 5] = ["MON", "TUE", "WED", "THU", "FRI"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Software {
    /// Writes `Backup_YYYY-MM-DD.zip` into the source folder.
    DateOnly,
    /// Overwrites `export/DBCopyForBackup/` (rota captures it).
    FixedExport,
}

struct Office {
    office: TempOffice,
    software: Software,
}

impl Office {
    /// `rota init`, then the edits the starter policy's comments describe.
    fn from_init(software: Software) -> Office {
        let office = TempOffice::empty();
        office
            .rota()
            .args(["init", "rota.yaml", "--office", "Init Dental"])
            .args(["--timezone", "America/New_York", "--source", "backups"])
            .run()
            .success();
        let starter = fs::read_to_string(office.join("rota.yaml")).unwrap();
        let edit = |text: String, from: &str, to: &str| {
            assert!(text.contains(from), "the starter policy has {from:?}");
            text.replacen(from, to, 1)
        };
        let mut policy = edit(
            starter,
            "mount_search: [\"/Volumes/*\"]",
            "mount_search: [\"disks/*\"]\n  allow_server_drive: true",
        );
        policy = match software {
            Software::DateOnly => edit(
                policy,
                "pattern: \"MacPractice_{%Y-%m-%d_%H%M}.mpbackup\"",
                "pattern: \"Backup_{%Y-%m-%d}.zip\"",
            ),
            Software::FixedExport => edit(
                policy,
                "# capture: \"/Users/Shared/DBCopyForBackup\"",
                "capture: \"export/DBCopyForBackup\"",
            ),
        };
        fs::write(office.join("rota.yaml"), policy).unwrap();
        fs::create_dir_all(office.join("backups")).unwrap();
        fs::create_dir_all(office.join("export")).unwrap();
        for label in LABELS {
            let mount = office.folder(&format!("disks/{label}"));
            office
                .rota()
                .args(["disk", "init"])
                .arg(&mount)
                .args(["--label", label])
                .run()
                .success();
            fs::rename(&mount, office.join(format!("safe-{label}"))).unwrap();
        }
        office
            .rota()
            .args(["check", "rota.yaml"])
            .run()
            .success()
            .stderr_lacks("×");
        Office { office, software }
    }

    fn plug_only(&self, tonight: &str) {
        for label in LABELS {
            let plugged = self.office.join(format!("disks/{label}"));
            let safe = self.office.join(format!("safe-{label}"));
            if label == tonight && safe.exists() {
                fs::rename(&safe, &plugged).unwrap();
            } else if label != tonight && plugged.exists() {
                fs::rename(&plugged, &safe).unwrap();
            }
        }
    }

    /// The practice software's work on `night` (23:30 office time); returns
    /// the name the backup has (or will have once captured) and its hash.
    fn software_runs(&self, night: NaiveDate, seed: u8) -> (String, String) {
        let finished = chrono_tz::America::New_York
            .from_local_datetime(&night.and_hms_opt(23, 30, 0).unwrap())
            .unwrap();
        let bytes: Vec<u8> = (0..30_000u32).map(|i| (i as u8) ^ seed).collect();
        let (path, name) = match self.software {
            Software::DateOnly => {
                let name = format!("Backup_{night}.zip");
                let path = self.office.join("backups").join(&name);
                fs::write(&path, &bytes).unwrap();
                (path, name)
            }
            Software::FixedExport => {
                let export = self.office.join("export/DBCopyForBackup");
                let _ = fs::remove_dir_all(&export);
                fs::create_dir_all(export.join("Data")).unwrap();
                fs::write(export.join("Data/dentrix.db"), &bytes).unwrap();
                fs::write(export.join("export.log"), format!("export of {night}\n")).unwrap();
                (export, format!("MacPractice_{night}_2330.mpbackup"))
            }
        };
        set_modified_tree(&path, SystemTime::from(finished));
        let hash = hash_path(&path).unwrap();
        (name, hash)
    }

    fn apply(&self, night: NaiveDate) {
        self.office
            .rota()
            .args(["apply", "rota.yaml", "--yes", "--at"])
            .arg(format!("{night}T23:50"))
            .run()
            .success();
    }

    /// name → hash of every verified copy on any disk (plugged or in the safe).
    fn on_disks(&self) -> BTreeMap<String, String> {
        let mut found = BTreeMap::new();
        for label in LABELS {
            let plugged = self.office.join(format!("disks/{label}"));
            let mount = if plugged.exists() {
                plugged
            } else {
                self.office.join(format!("safe-{label}"))
            };
            let copies = layout::copies_dir(&mount);
            let Some(manifest) = Manifest::load(&copies).unwrap() else {
                continue;
            };
            for record in manifest.copies().values() {
                let hash = hash_path(&copies.join(&record.name)).unwrap();
                assert_eq!(
                    hash, record.hash,
                    "{label}/{} differs from its record",
                    record.name
                );
                assert!(record.is_verified());
                found.insert(record.name.clone(), hash);
            }
        }
        found
    }
}

fn server_backups(folder: &Path) -> Vec<PathBuf> {
    fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect()
}

fn a_month_from_init(software: Software) {
    let office = Office::from_init(software);
    let mut written = BTreeMap::new();
    let first = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let last = NaiveDate::from_ymd_opt(2026, 4, 10).unwrap();
    for (seed, night) in first.iter_days().take_while(|d| *d <= last).enumerate() {
        let weekday = night.weekday();
        let open = !matches!(weekday, Weekday::Sat | Weekday::Sun);
        office.plug_only(if open {
            LABELS[weekday.num_days_from_monday() as usize]
        } else {
            "FRI"
        });
        if open {
            let (name, hash) = office.software_runs(night, seed as u8);
            written.insert(night, (name, hash));
        }
        office.apply(night);
    }
    let on_disks = office.on_disks();
    // The last ten open days, byte for byte, under the names of their days.
    let recent: Vec<_> = written.iter().rev().take(10).collect();
    for (night, (name, hash)) in recent {
        assert_eq!(
            on_disks.get(name),
            Some(hash),
            "{night}: {name} not on a disk"
        );
    }
    // The month-ends of February (none written) and March are kept.
    let (march_end, hash) = &written[&NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()];
    assert_eq!(on_disks.get(march_end), Some(hash), "the March month-end");
    // The server keeps its newest three.
    assert_eq!(server_backups(&office.office.join("backups")).len(), 3);
    // And a second run that night has nothing left to do.
    office.plug_only("FRI");
    office
        .office
        .rota()
        .args([
            "plan",
            "rota.yaml",
            "--at",
            "2026-04-10T23:59",
            "--detailed-exitcode",
        ])
        .run()
        .success();
}

#[test]
fn a_date_only_office_runs_a_month_from_rota_init() {
    a_month_from_init(Software::DateOnly);
}

#[test]
fn a_fixed_export_office_runs_a_month_from_rota_init() {
    a_month_from_init(Software::FixedExport);
}
