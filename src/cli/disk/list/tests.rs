//! `disk list` rendering of a hand-built inventory: every kind of disk and
//! problem at once, at a fixed instant, so the snapshots are exact.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::TimeZone;

use super::*;
use crate::inventory::{CopyRecord, EntryKind, Mount, Space, StrayFile, UnlabelledVolume};

const POLICY: &str = r#"
version: 1
office: { name: Lakeside Family Dental, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri] }
source: { path: "/Users/Shared/MacPractice Backups", pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup" }
retain: { business_days: 10 }
disks:
  mount_search: ["/Volumes/*"]
  reserve: 10%
  rotation:
    - { label: MON, days: [mon] }
    - { label: TUE, days: [tue] }
    - { label: WED, days: [wed, thu, fri] }
state_dir: /Users/Shared/rota
"#;

fn policy() -> Policy {
    policy::load_str(POLICY, Path::new("/Users/Shared/rota/rota.yaml"))
        .expect("valid")
        .policy
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
}

fn now() -> DateTime<Utc> {
    at(31, 13)
}

fn copies(days: &[u32], verified: bool) -> BTreeMap<String, CopyRecord> {
    days.iter()
        .map(|day| {
            let name = format!("MacPractice_2026-03-{day:02}_2330.mpbackup");
            let record = CopyRecord {
                name: name.clone(),
                size: 6_000_000_000,
                kind: EntryKind::Bundle,
                hash: "ab".repeat(32),
                copied_at: at(*day, 4),
                verified_at: verified.then(|| at(*day, 5)),
                ciphertext_hash: None,
                fingerprint: None,
            };
            (name, record)
        })
        .collect()
}

fn connected(label: &str, id: &str, path: &str) -> DiskView {
    DiskView {
        label: label.to_string(),
        id: id.to_string(),
        mount: Some(Mount {
            path: PathBuf::from(path),
            space: Space {
                total: 2_000_000_000_000,
                free: 1_250_000_000_000,
            },
            network_fs: None,
        }),
        last_seen: Some(now()),
        last_verified: None,
        copies: BTreeMap::new(),
        strays: Vec::new(),
        unconfirmed: Default::default(),
        manifest_error: None,
        space_when_seen: None,
    }
}

fn absent(label: &str, id: &str, seen: DateTime<Utc>) -> DiskView {
    DiskView {
        mount: None,
        last_seen: Some(seen),
        space_when_seen: Some(Space {
            total: 1_000_000_000_000,
            free: 40_000_000_000,
        }),
        ..connected(label, id, "")
    }
}

fn office_inventory() -> Inventory {
    let mut mon = connected("MON", "0a1b2c3d00000000000000000000000a", "/Volumes/MON");
    mon.copies = copies(&[9, 16, 23, 30], true);
    mon.copies.extend(copies(&[2], false));
    mon.last_verified = Some(at(20, 2));
    mon.strays = vec![
        StrayFile {
            name: ".rota-partial-7-MacPractice_2026-03-31_2330.mpbackup".into(),
            size: 1_000_000,
            why: StrayReason::PartialCopy,
        },
        StrayFile {
            name: "Photos.zip".into(),
            size: 5_000,
            why: StrayReason::Unrecognized,
        },
    ];
    let mut clone = connected("MON", "99aa88bb00000000000000000000000b", "/Volumes/MON 1");
    clone.mount.as_mut().unwrap().network_fs = Some("smbfs".into());
    clone.manifest_error = Some(
        "the manifest /Volumes/MON 1/rota/.rota-manifest.json is damaged: EOF while parsing".into(),
    );
    let mut tue = absent("TUE", "5e5e5e5e00000000000000000000000c", at(24, 23));
    tue.copies = copies(&[3, 10, 17, 24], true);
    let old = absent("SPARE", "77777777000000000000000000000000", at(2, 12));
    Inventory {
        disks: vec![mon, clone, tue, old],
        unlabelled: vec![
            UnlabelledVolume {
                path: PathBuf::from("/Volumes/Untitled"),
                label_error: None,
            },
            UnlabelledVolume {
                path: PathBuf::from("/Volumes/Broken"),
                label_error: Some(
                    "the label file /Volumes/Broken/.rota-disk.json is damaged: expected value"
                        .into(),
                ),
            },
        ],
        ..Inventory::default()
    }
}

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[test]
fn the_text_report_shows_every_kind_of_disk_and_problem() {
    let text = render_text(&policy(), &office_inventory(), now(), true);
    snapshot_settings().bind(|| insta::assert_snapshot!("disk_list_office_text", text));
}

#[test]
fn the_json_report_has_stable_fields() {
    let value = render_json(&policy(), &office_inventory(), now());
    snapshot_settings().bind(|| insta::assert_json_snapshot!("disk_list_office_json", value));
}

#[test]
fn notices_carry_stable_codes() {
    let codes: Vec<&str> = notices(&policy(), &office_inventory())
        .iter()
        .map(|notice| notice.code.key())
        .collect();
    assert_eq!(
        codes,
        [
            "duplicate-label",
            "network-volume",
            "manifest-unreadable",
            "unknown-disk",
            "unlabelled-disk",
            "unlabelled-disk"
        ]
    );
}

#[test]
fn a_cloned_disk_is_reported_by_its_shared_id() {
    let id = "0a1b2c3d00000000000000000000000a";
    let inventory = Inventory {
        disks: vec![
            connected("MON", id, "/Volumes/MON"),
            connected("MON", id, "/Volumes/MON 1"),
        ],
        ..Inventory::default()
    };
    let codes: Vec<&str> = notices(&policy(), &inventory)
        .iter()
        .map(|n| n.code.key())
        .collect();
    assert_eq!(codes, ["duplicate-label", "duplicate-id"]);
}

#[test]
fn policy_disks_never_seen_are_named() {
    assert_eq!(never_seen(&policy(), &office_inventory()), ["WED"]);
    assert_eq!(
        never_seen(&policy(), &Inventory::default()),
        ["MON", "TUE", "WED"]
    );
}

#[test]
fn ages_count_calendar_days_in_the_office_time_zone() {
    let zone = chrono_tz::America::New_York;
    // now() is 09:00 in New York on March 31.
    assert_eq!(ago(at(31, 5), now(), zone), "today");
    // 02:00 UTC on March 31 is still March 30 in New York.
    assert_eq!(ago(at(31, 2), now(), zone), "yesterday");
    assert_eq!(ago(at(24, 23), now(), zone), "7 days ago");
    // A clock that went backwards is not "-1 days ago".
    assert_eq!(ago(at(31, 20), now(), zone), "today");
}

#[test]
fn without_every_copy_the_newest_and_oldest_are_named_by_their_time() {
    let text = render_text(&policy(), &office_inventory(), now(), false);
    assert!(
        text.contains("    newest      MacPractice_2026-03-30_2330.mpbackup\n    oldest      MacPractice_2026-03-02_2330.mpbackup\n"),
        "{text}"
    );
    assert!(!text.contains("NOT verified"));
}

#[test]
fn disks_are_listed_in_rotation_order_then_unknown_labels() {
    let mut inventory = office_inventory();
    // As the scan sorts them: alphabetically.
    inventory.disks = vec![
        absent("SPARE", "1", at(2, 12)),
        absent("TUE", "2", at(24, 23)),
        absent("WED", "3", at(25, 23)),
        absent("MON", "4", at(23, 23)),
        connected("MON", "5", "/Volumes/MON"),
        absent("ARCHIVE", "6", at(1, 12)),
    ];
    let order: Vec<(&str, &str)> = in_rotation_order(&policy(), &inventory)
        .into_iter()
        .map(|disk| (disk.label.as_str(), disk.id.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("MON", "5"),
            ("MON", "4"),
            ("TUE", "2"),
            ("WED", "3"),
            ("ARCHIVE", "6"),
            ("SPARE", "1")
        ]
    );
}
