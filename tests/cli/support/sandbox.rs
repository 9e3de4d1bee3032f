//! A sandbox office on disk for the hygiene commands' tests: real backup
//! files, disk folders labelled as `rota disk init` would, and a small
//! stand-in for `rota apply` that carries out each night's plan (copies
//! hashed and recorded as verified in the disk's manifest, removals deleted
//! and forgotten, the catalog updated). Disks are "swapped" by moving their
//! folders between `shelf/` and the mount folder `disks/`.
//!
//! The stand-in only copies plain files and never archives; it exists until
//! the real executor can be driven from tests the same way.

use std::fs;
use std::path::PathBuf;

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

use super::{Rota, TempOffice};

/// A five-day office that carries last night's disk off-site, says its
/// backups are encrypted, and keeps only 1 MB free (so the test machine's
/// own free space cannot fail it).
pub const POLICY: &str = r#"version: 1
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
  allow_server_drive: true
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

pub struct Sandbox {
    pub office: TempOffice,
    pub policy: Policy,
}

impl Sandbox {
    pub fn new() -> Sandbox {
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

    pub fn at(&self, day: NaiveDate, time: &str) -> DateTime<Tz> {
        let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
        self.policy.office.calendar.instant_of(day.and_time(time))
    }

    /// Moves `label`'s folder under `disks/` (connected) or back on the shelf.
    pub fn connect_only(&self, labels: &[&str]) {
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

    pub fn mount(&self, label: &str) -> PathBuf {
        self.office.join("disks").join(label)
    }

    /// Each night from `from` to `to`: tonight's backup (3 kB), tonight's
    /// disk connected, then the plan carried out.
    pub fn run_nights(&self, from: &str, to: &str) {
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
    pub fn apply(&self, at: DateTime<Tz>) {
        let now = at.with_timezone(&Utc);
        let state = &self.policy.state_dir;
        let mut catalog = Catalog::load(state).unwrap();
        let inventory = scan_with_catalog(&self.policy, &catalog, now);
        // As apply does first: the connected disks are known to the catalog.
        let connected: Vec<DiskView> = inventory.connected_disks().cloned().collect();
        catalog.merge_scan(&connected, now);
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
                    let record = CopyRecord {
                        name: action.backup.clone(),
                        size: action.bytes,
                        kind: EntryKind::File,
                        hash: hash_path(&copies.join(&action.backup)).unwrap(),
                        copied_at: now,
                        verified_at: Some(now),
                        ciphertext_hash: None,
                        fingerprint: None,
                    };
                    manifest.record(record.clone());
                    manifest.save(&copies).unwrap();
                    // As the executor does: the catalog keeps rota's own record.
                    catalog.record_copy(&id, record);
                }
                Op::Remove | Op::Destroy => {
                    let location = action.location.as_ref().unwrap();
                    fs::remove_file(self.path_of(location, &action.backup)).unwrap();
                    if let Location::Disk(label) = location {
                        let copies = layout::copies_dir(&self.mount(label));
                        let mut manifest = Manifest::load(&copies).unwrap().unwrap();
                        manifest.remove(&action.backup);
                        manifest.save(&copies).unwrap();
                        catalog.forget_copy(&manifest.disk_id, &action.backup);
                    }
                }
                Op::Archive => panic!("no archive disks here"),
                Op::Capture => panic!("no source.capture here"),
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

    pub fn rota(&self, command: &str, at: &str) -> Rota {
        self.office
            .rota()
            .args([command, "policy.yaml", "--at", at])
    }
}
