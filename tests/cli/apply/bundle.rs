//! Bundles the shape of a practice's image folders (issue 30): thousands of
//! small files and a database, copied by a real `rota apply`, checked by
//! `rota verify` and restored by `rota restore --disk`, byte for byte, with
//! permissions and times. And what a Mac does to a copy on a disk (issue 29):
//! Finder litter (`.DS_Store`, `._*`, `Icon\r`) and names returned
//! decomposed (NFD) change nothing: the copy still counts, verifies and
//! restores, and restoring never writes the litter.

use std::fs;
use std::path::{Path, PathBuf};

use crate::apply_office::ApplyOffice;
use crate::restore_office::tree;
use crate::support;

const POLICY: &str = r#"version: 1
office: { name: Image Dental, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri] }
source: { path: source, pattern: "Images_{%Y-%m-%d}" }
retain: { business_days: 3 }
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  min_backups: 1
  reserve: 0%
  rotation:
    - { label: MON, days: [mon, tue, wed, thu, fri] }
state_dir: state
"#;

const BACKUP: &str = "Images_2026-03-31";
const AT: &str = "2026-03-31";

/// A patient's name as the practice software writes it (composed é).
const PATIENT: &str = "Jos\u{e9} Garc\u{ed}a";

/// An office whose tonight's backup is a bundle of `images` small files in
/// patient folders and a database file; copied to MON by `rota apply`.
fn office_with_bundle(images: usize) -> ApplyOffice {
    let office = ApplyOffice::new(POLICY);
    office.disk("MON", true);
    let bundle = office.office.source().join(BACKUP);
    for i in 0..images {
        let folder = match i % 50 {
            0 => bundle.join("Images").join(PATIENT),
            n => bundle.join("Images").join(format!("P{n:03}")),
        };
        fs::create_dir_all(&folder).unwrap();
        let bytes: Vec<u8> = (0..2048 + (i * 37) % 6000)
            .map(|b| (b * 7 + i) as u8)
            .collect();
        fs::write(folder.join(format!("IMG{i:05}.jpg")), bytes).unwrap();
    }
    let database: Vec<u8> = (0..1_500_000u32).map(|b| (b % 251) as u8).collect();
    fs::write(bundle.join("database.dat"), database).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(
            bundle.join("database.dat"),
            fs::Permissions::from_mode(0o640),
        )
        .unwrap();
    }
    support::finished_an_hour_ago(&bundle);
    office.apply(AT).success();
    office
}

fn copy_on(office: &ApplyOffice) -> PathBuf {
    office.mount("MON").join("rota").join(BACKUP)
}

fn verify(office: &ApplyOffice) -> support::Output {
    office
        .rota()
        .args(["verify", "policy.yaml", "--at", AT])
        .run()
}

fn restore_from_disk(office: &ApplyOffice, to: &str) -> support::Output {
    let disk = office.mount("MON").display().to_string();
    office
        .rota()
        .args(["restore", "--disk", &disk, BACKUP, "--to", to])
        .run()
}

fn modified(path: &Path) -> std::time::SystemTime {
    fs::symlink_metadata(path).unwrap().modified().unwrap()
}

#[test]
fn a_bundle_of_two_thousand_files_is_copied_verified_and_restored_whole() {
    let office = office_with_bundle(2000);
    let source = office.office.source().join(BACKUP);
    let copy = copy_on(&office);
    assert_eq!(tree(&copy), tree(&source), "the copy holds the same files");
    assert_eq!(
        rota::content_hash::hash_path(&copy).unwrap(),
        rota::content_hash::hash_path(&source).unwrap()
    );
    for relative in ["database.dat", "Images", &format!("Images/{PATIENT}")] {
        assert_eq!(
            modified(&copy.join(relative)),
            modified(&source.join(relative)),
            "{relative} keeps its time"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(copy.join("database.dat"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    assert!(
        office.plan_json(AT)["actions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    verify(&office).success().stdout_lacks("changed");
    restore_from_disk(&office, "restored").success();
    assert_eq!(
        tree(&office.office.join("restored").join(BACKUP)),
        tree(&source)
    );
}

#[test]
fn finder_litter_and_decomposed_names_on_a_disk_copy_change_nothing() {
    let office = office_with_bundle(60);
    let source = office.office.source().join(BACKUP);
    let copy = copy_on(&office);
    // What Finder leaves on an exFAT disk, and what HFS+ makes of the name.
    let images = copy.join("Images");
    for litter in [".DS_Store", "P001/._IMG00001.jpg", "P002/Icon\r"] {
        fs::write(images.join(litter), b"Finder").unwrap();
    }
    fs::write(copy.join(".DS_Store"), b"Finder").unwrap();
    let decomposed = "Jose\u{301} Garci\u{301}a";
    fs::rename(images.join(PATIENT), images.join(decomposed)).unwrap();

    assert!(
        office.plan_json(AT)["actions"]
            .as_array()
            .unwrap()
            .is_empty(),
        "the copy still counts: nothing to copy again"
    );
    verify(&office).success().stdout_lacks("changed");
    restore_from_disk(&office, "restored").success();
    let restored = office.office.join("restored").join(BACKUP);
    assert!(
        !restored.join(".DS_Store").exists(),
        "litter is never restored"
    );
    assert!(!restored.join("Images/P001/._IMG00001.jpg").exists());
    assert!(!restored.join("Images/P002/Icon\r").exists());
    assert_eq!(
        rota::content_hash::hash_path(&restored).unwrap(),
        rota::content_hash::hash_path(&source).unwrap(),
        "the restored bundle is the backup"
    );
}

#[test]
fn finder_litter_in_the_server_bundle_is_not_copied() {
    let office = ApplyOffice::new(POLICY);
    office.disk("MON", true);
    let bundle = office.office.source().join(BACKUP);
    fs::create_dir_all(bundle.join("Images")).unwrap();
    fs::write(bundle.join("Images/IMG1.jpg"), b"image").unwrap();
    fs::write(bundle.join("Images/.DS_Store"), b"Finder").unwrap();
    fs::write(bundle.join("._Images"), b"Finder").unwrap();
    support::finished_an_hour_ago(&bundle);
    office.apply(AT).success();
    let copy = copy_on(&office);
    assert!(copy.join("Images/IMG1.jpg").exists());
    assert!(!copy.join("Images/.DS_Store").exists());
    assert!(!copy.join("._Images").exists());
    assert!(
        office.plan_json(AT)["actions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
