//! Scanning a small office built in a temp folder: source, disks under
//! `Volumes/`, a state folder and an off-site staging folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::TimeZone;

use super::*;
use crate::inventory::{
    CopyRecord, EntryKind, Manifest, StrayReason, catalog::CatalogDisk, write_label,
};
use crate::policy;

const A: &str = "MacPractice_2026-03-30_2330.mpbackup";
const B: &str = "MacPractice_2026-03-31_2330.mpbackup";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 12, 0, 0).unwrap()
}

struct Office {
    dir: tempfile::TempDir,
    policy: Policy,
}

impl Office {
    fn new() -> Office {
        let dir = tempfile::tempdir().unwrap();
        for folder in ["source", "Volumes", "outbox"] {
            std::fs::create_dir(dir.path().join(folder)).unwrap();
        }
        let text = r#"
version: 1
office: { name: Test Dental, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri] }
source: { path: source, pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup" }
retain: { business_days: 10 }
disks:
  mount_search: ["Volumes/*"]
  allow_server_drive: true
  rotation: [{ label: MON, days: [mon, tue, wed, thu, fri] }]
offsite:
  - { name: cloud, path: outbox, retain: { business_days: 10 } }
state_dir: state
"#;
        let file = dir.path().join("rota.yaml");
        let policy = policy::load_str(text, &file).expect("valid").policy;
        Office { dir, policy }
    }

    fn volume(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join("Volumes").join(name);
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    /// A labelled disk with a copies folder; returns (mount, id).
    fn disk(&self, volume: &str, label: &str) -> (PathBuf, String) {
        let mount = self.volume(volume);
        let written = write_label(&mount, label, now()).unwrap();
        std::fs::create_dir(layout::copies_dir(&mount)).unwrap();
        (mount, written.id)
    }

    fn scan(&self) -> Inventory {
        scan(&self.policy, now()).unwrap()
    }
}

fn record(name: &str, size: u64, kind: EntryKind) -> CopyRecord {
    CopyRecord {
        name: name.to_string(),
        size,
        kind,
        hash: "ef".repeat(32),
        copied_at: now(),
        verified_at: Some(now()),
        ciphertext_hash: None,
        fingerprint: None,
    }
}

fn write_manifest(copies: &Path, id: &str, records: &[CopyRecord]) {
    let mut manifest = Manifest::new(id, "MON");
    for copy in records {
        manifest.record(copy.clone());
    }
    manifest.save(copies).unwrap();
}

fn strays(disk: &DiskView) -> Vec<(&str, StrayReason)> {
    disk.strays
        .iter()
        .map(|s| (s.name.as_str(), s.why))
        .collect()
}

#[test]
fn recorded_copies_of_the_right_size_count_and_everything_else_is_a_stray() {
    let office = Office::new();
    let (mount, id) = office.disk("MON", "MON");
    let copies = layout::copies_dir(&mount);
    std::fs::write(copies.join(A), b"12345").unwrap();
    std::fs::write(copies.join(B), b"1234").unwrap();
    std::fs::write(copies.join("MacPractice_2026-03-27_2330.mpbackup"), b"1").unwrap();
    std::fs::write(copies.join(layout::partial_name("run1", B)), b"12").unwrap();
    std::fs::write(copies.join("holiday photos.zip"), b"1").unwrap();
    write_manifest(
        &copies,
        &id,
        &[
            record(A, 5, EntryKind::File),
            record(B, 5, EntryKind::File),
            // Recorded but gone: simply not a copy.
            record("MacPractice_2026-03-26_2330.mpbackup", 5, EntryKind::File),
        ],
    );

    let inventory = office.scan();
    let disk = &inventory.disks[0];
    assert_eq!(disk.label, "MON");
    assert_eq!(disk.id, id);
    assert!(disk.is_connected());
    assert_eq!(disk.last_seen, Some(now()));
    assert_eq!(disk.manifest_error, None);
    assert_eq!(disk.copies.keys().collect::<Vec<_>>(), [A]);
    assert_eq!(
        strays(disk),
        [
            (
                ".rota-partial-run1-MacPractice_2026-03-31_2330.mpbackup",
                StrayReason::PartialCopy
            ),
            (
                "MacPractice_2026-03-27_2330.mpbackup",
                StrayReason::Unrecorded
            ),
            (B, StrayReason::SizeMismatch),
            ("holiday photos.zip", StrayReason::Unrecognized),
        ]
    );
    assert!(disk.mount.as_ref().unwrap().space.total > 0);
}

#[test]
fn a_bundle_copy_is_sized_by_its_files() {
    let office = Office::new();
    let (mount, id) = office.disk("MON", "MON");
    let bundle = layout::copies_dir(&mount).join(A);
    std::fs::create_dir_all(bundle.join("Contents")).unwrap();
    std::fs::write(bundle.join("Contents/a"), b"123").unwrap();
    std::fs::write(bundle.join("b"), b"4567").unwrap();
    write_manifest(
        &layout::copies_dir(&mount),
        &id,
        &[record(A, 7, EntryKind::Bundle)],
    );
    let inventory = office.scan();
    assert_eq!(inventory.disks[0].copies[A].size, 7);
    assert!(inventory.disks[0].strays.is_empty());
}

#[test]
fn a_copy_recorded_as_a_file_but_present_as_a_folder_is_not_a_copy() {
    let office = Office::new();
    let (mount, id) = office.disk("MON", "MON");
    std::fs::create_dir(layout::copies_dir(&mount).join(A)).unwrap();
    write_manifest(
        &layout::copies_dir(&mount),
        &id,
        &[record(A, 0, EntryKind::File)],
    );
    let disk = &office.scan().disks[0];
    assert!(disk.copies.is_empty());
    assert_eq!(strays(disk), [(A, StrayReason::SizeMismatch)]);
}

#[test]
fn a_damaged_manifest_is_trusted_for_nothing() {
    let office = Office::new();
    let (mount, _) = office.disk("MON", "MON");
    let copies = layout::copies_dir(&mount);
    std::fs::write(copies.join(A), b"12345").unwrap();
    std::fs::write(
        layout::manifest_file(&copies),
        b"{ \"rota_manifest\": 1, \"copies\": [",
    )
    .unwrap();
    let disk = &office.scan().disks[0];
    assert!(disk.copies.is_empty());
    let error = disk.manifest_error.as_deref().expect("the error is kept");
    assert!(error.contains("damaged"), "{error}");
    assert_eq!(strays(disk), [(A, StrayReason::Unrecorded)]);
}

#[test]
fn a_manifest_copied_from_another_disk_is_trusted_for_nothing() {
    let office = Office::new();
    let (mount, _) = office.disk("MON", "MON");
    let copies = layout::copies_dir(&mount);
    std::fs::write(copies.join(A), b"12345").unwrap();
    write_manifest(&copies, "another-disk", &[record(A, 5, EntryKind::File)]);
    let disk = &office.scan().disks[0];
    assert!(disk.copies.is_empty());
    assert!(
        disk.manifest_error
            .as_deref()
            .is_some_and(|e| e.contains("another-disk"))
    );
}

#[test]
fn a_recorded_name_the_pattern_does_not_match_is_never_a_copy() {
    let office = Office::new();
    let (mount, id) = office.disk("MON", "MON");
    let copies = layout::copies_dir(&mount);
    std::fs::write(copies.join("old-name.bak"), b"12345").unwrap();
    write_manifest(&copies, &id, &[record("old-name.bak", 5, EntryKind::File)]);
    let disk = &office.scan().disks[0];
    assert!(disk.copies.is_empty());
    assert_eq!(strays(disk), [("old-name.bak", StrayReason::Unrecognized)]);
}

#[test]
fn a_disk_without_a_copies_folder_is_empty() {
    let office = Office::new();
    let mount = office.volume("MON");
    write_label(&mount, "MON", now()).unwrap();
    let disk = &office.scan().disks[0];
    assert!(disk.copies.is_empty() && disk.strays.is_empty());
    assert_eq!(disk.manifest_error, None);
}

#[cfg(unix)]
#[test]
fn symlinks_on_a_disk_are_never_followed() {
    let office = Office::new();
    let (mount, id) = office.disk("MON", "MON");
    let copies = layout::copies_dir(&mount);
    let outside = office.dir.path().join("source");
    std::fs::write(outside.join(A), b"12345").unwrap();
    std::os::unix::fs::symlink(outside.join(A), copies.join(A)).unwrap();
    write_manifest(&copies, &id, &[record(A, 5, EntryKind::File)]);
    let disk = &office.scan().disks[0];
    assert!(disk.copies.is_empty());
    assert_eq!(strays(disk), [(A, StrayReason::Unrecognized)]);

    // A copies folder that is itself a link is not read at all.
    let (other, _) = office.disk("MON2", "MON");
    std::fs::remove_dir(layout::copies_dir(&other)).unwrap();
    std::os::unix::fs::symlink(&copies, layout::copies_dir(&other)).unwrap();
    let inventory = office.scan();
    let linked = inventory
        .disks
        .iter()
        .find(|d| d.mount.as_ref().unwrap().path == other)
        .unwrap();
    assert!(linked.copies.is_empty() && linked.strays.is_empty());
    assert!(
        linked
            .manifest_error
            .as_deref()
            .unwrap()
            .contains("symbolic link")
    );
}

#[test]
fn two_connected_disks_with_the_same_label_are_both_reported() {
    let office = Office::new();
    let (first, id1) = office.disk("MON", "MON");
    let (second, id2) = office.disk("MON 1", "MON");
    let inventory = office.scan();
    let found: Vec<(&str, &Path)> = inventory
        .disk("MON")
        .map(|d| (d.id.as_str(), d.mount.as_ref().unwrap().path.as_path()))
        .collect();
    assert_eq!(
        found,
        [
            (id1.as_str(), first.as_path()),
            (id2.as_str(), second.as_path())
        ]
    );
}

#[test]
fn known_disks_that_are_not_connected_come_from_the_catalog() {
    let office = Office::new();
    let (_, connected_id) = office.disk("MON", "MON");
    let seen = Utc.with_ymd_and_hms(2026, 3, 24, 23, 0, 0).unwrap();
    let mut catalog = Catalog::default();
    for (id, label) in [("tue-id", "TUE"), (connected_id.as_str(), "MON")] {
        catalog.disks.insert(
            id.to_string(),
            CatalogDisk {
                label: label.to_string(),
                last_seen: seen,
                last_mount: None,
                space: None,
                network_fs: None,
                last_verified: None,
                copies: BTreeMap::from([(A.to_string(), record(A, 5, EntryKind::File))]),
                retired_at: None,
            },
        );
    }
    catalog.save(&office.policy.state_dir).unwrap();

    let inventory = office.scan();
    let summary: Vec<(&str, bool, usize)> = inventory
        .disks
        .iter()
        .map(|d| (d.label.as_str(), d.is_connected(), d.copies.len()))
        .collect();
    // The connected MON is read from the disk (empty), not from the catalog.
    assert_eq!(summary, [("MON", true, 0), ("TUE", false, 1)]);
    assert_eq!(inventory.disks[1].last_seen, Some(seen));
}

#[test]
fn a_damaged_catalog_stops_the_scan() {
    let office = Office::new();
    std::fs::create_dir(&office.policy.state_dir).unwrap();
    std::fs::write(Catalog::path(&office.policy.state_dir), b"[").unwrap();
    assert!(scan(&office.policy, now()).is_err());
}

#[test]
fn folders_without_a_usable_label_are_unlabelled_volumes() {
    let office = Office::new();
    let blank = office.volume("Untitled");
    let damaged = office.volume("Broken");
    std::fs::write(layout::label_file(&damaged), b"garbage").unwrap();
    let inventory = office.scan();
    assert!(inventory.disks.is_empty());
    let found: Vec<(&Path, bool)> = inventory
        .unlabelled
        .iter()
        .map(|v| (v.path.as_path(), v.label_error.is_some()))
        .collect();
    assert_eq!(found, [(damaged.as_path(), true), (blank.as_path(), false)]);
}

#[test]
fn volumes_in_disks_ignore_are_not_looked_at() {
    let dir = tempfile::tempdir().unwrap();
    for folder in [
        "source",
        "Volumes/Time Machine Backups",
        "Volumes/Camera",
        "Volumes/Untitled",
    ] {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
    }
    let text = r#"
version: 1
office: { name: Test Dental, timezone: America/New_York, open_days: [mon] }
source: { path: source, pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup" }
retain: { business_days: 10 }
disks:
  mount_search: ["Volumes/*"]
  ignore: ["Time Machine*", "Volumes/Cam?ra"]
  rotation: [{ label: MON, days: [mon] }]
state_dir: state
"#;
    let policy = policy::load_str(text, &dir.path().join("rota.yaml"))
        .expect("valid")
        .policy;
    // A name matches the folder's name; a path, the folder's whole path.
    assert_eq!(
        mount_candidates(&policy),
        [dir.path().join("Volumes/Untitled")]
    );
    let inventory = crate::inventory::scan(&policy, now()).unwrap();
    assert_eq!(inventory.unlabelled.len(), 1, "{:?}", inventory.unlabelled);
}

#[test]
fn the_source_folder_is_never_taken_for_a_disk() {
    let office = Office::new();
    // A mount_search that also names the source folder is a policy error
    // (safety invariant 14) ...
    let file = office.dir.path().join("rota.yaml");
    let overlapping = "version: 1\noffice: { name: T, timezone: UTC, open_days: [mon] }\nsource: { \
         path: source, pattern: \"B_{%Y-%m-%d_%H%M}.bak\" }\nretain: { business_days: 1 }\ndisks:\n  \
         mount_search: [\"Volumes/*\", \"source\"]\n  rotation: [{ label: MON, days: [mon] }]\n";
    let refused = crate::policy::load_str(overlapping, &file);
    assert!(
        refused.is_err(),
        "a mount_search naming the source folder is refused"
    );
    // ... and the scan never lists rota's own places as candidates anyway.
    let mut policy = office.policy.clone();
    policy
        .disks
        .mount_search
        .push(policy.source.path.to_string_lossy().into_owned());
    let candidates = mount_candidates(&policy);
    assert!(
        candidates.iter().all(|c| !c.ends_with("source")),
        "{candidates:?}"
    );
}

#[test]
fn the_source_listing_and_offsite_staging_are_scanned() {
    let office = Office::new();
    let source = office.dir.path().join("source");
    std::fs::write(source.join(A), b"12345").unwrap();
    std::fs::write(source.join("readme.txt"), b"x").unwrap();
    let outbox = office.dir.path().join("outbox");
    std::fs::write(outbox.join(A), b"12345").unwrap();
    write_manifest(&outbox, "offsite:cloud", &[record(A, 5, EntryKind::File)]);

    let inventory = office.scan();
    assert_eq!(inventory.source.backups.len(), 1);
    assert_eq!(inventory.source.unrecognized, ["readme.txt"]);
    let cloud = &inventory.offsite[0];
    assert_eq!(cloud.name, "cloud");
    assert_eq!(cloud.staged.keys().collect::<Vec<_>>(), [A]);
    assert_eq!(cloud.staged_error, None);
    assert_eq!(cloud.remote, None);
    assert!(cloud.space.is_some());
}

#[test]
fn encrypted_staged_copies_are_found_under_their_stored_names() {
    const C: &str = "MacPractice_2026-03-27_2330.mpbackup";
    const D: &str = "MacPractice_2026-03-26_2330.mpbackup";
    let office = Office::new();
    let outbox = office.dir.path().join("outbox");
    let encrypted = |name: &str, kind| CopyRecord {
        ciphertext_hash: Some("ab".repeat(32)),
        fingerprint: None,
        ..record(name, 5, kind)
    };
    // A file and a bundle, encrypted: one file each, sized as ciphertext.
    std::fs::write(outbox.join(format!("{A}.age")), b"ciphertext, longer").unwrap();
    std::fs::write(outbox.join(format!("{B}.tar.age")), b"ciphertext").unwrap();
    // Recorded as encrypted but present under the plain name: not that copy.
    std::fs::write(outbox.join(C), b"12345").unwrap();
    // An encrypted-looking file the manifest does not know.
    std::fs::write(outbox.join(format!("{D}.age")), b"x").unwrap();
    write_manifest(
        &outbox,
        "offsite:cloud",
        &[
            encrypted(A, EntryKind::File),
            encrypted(B, EntryKind::Bundle),
            encrypted(C, EntryKind::File),
        ],
    );
    let cloud = &office.scan().offsite[0];
    assert_eq!(cloud.staged.keys().collect::<Vec<_>>(), [A, B]);
    assert_eq!(cloud.staged[B].kind, EntryKind::Bundle);
}
