//! The world's backup list: merged from every location, sorted by the time in
//! the name, each name once, the server's size winning; and found by name.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::known::Lookup;
use super::*;
use crate::inventory::{CopyRecord, DiskView, EntryKind, Inventory, SourceEntry, SourceListing};
use crate::plan::tests::vendor_policy;

fn time(name: &str) -> NaiveDateTime {
    vendor_policy().source.pattern.timestamp(name).unwrap()
}

fn on_server(name: &str, size: u64) -> SourceEntry {
    SourceEntry {
        name: name.to_string(),
        timestamp: time(name),
        size,
        kind: EntryKind::File,
        modified: None,
        files: 0,
    }
}

fn record(name: &str, size: u64) -> CopyRecord {
    CopyRecord {
        name: name.to_string(),
        size,
        kind: EntryKind::File,
        hash: String::from("00"),
        copied_at: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
        verified_at: Some(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()),
        ciphertext_hash: None,
        fingerprint: None,
    }
}

fn absent_disk(label: &str, copies: &[CopyRecord]) -> DiskView {
    DiskView {
        label: label.to_string(),
        id: format!("id-{label}"),
        mount: None,
        last_seen: Some(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()),
        last_verified: None,
        copies: copies
            .iter()
            .map(|copy| (copy.name.clone(), copy.clone()))
            .collect::<BTreeMap<_, _>>(),
        strays: Vec::new(),
        unconfirmed: Default::default(),
        manifest_error: None,
        space_when_seen: None,
    }
}

const MARCH_2: &str = "MacPractice_2026-03-02_2330.mpbackup";
const MARCH_3: &str = "MacPractice_2026-03-03_2330.mpbackup";
const MARCH_4: &str = "MacPractice_2026-03-04_2330.mpbackup";
const MARCH_5: &str = "MacPractice_2026-03-05_2330.mpbackup";

#[test]
fn backups_from_every_location_are_merged_in_time_order_each_once() {
    let policy = vendor_policy();
    let inventory = Inventory {
        source: SourceListing {
            // Not in time order, and one name twice: inventories not made by
            // the scan may be either.
            backups: vec![
                on_server(MARCH_5, 50),
                on_server(MARCH_3, 30),
                on_server(MARCH_5, 50),
            ],
            ..SourceListing::default()
        },
        disks: vec![
            // MARCH_3 on a disk with another size: the server's size wins.
            absent_disk("MON", &[record(MARCH_2, 20), record(MARCH_3, 99)]),
            absent_disk("TUE", &[record(MARCH_4, 40), record(MARCH_2, 21)]),
            absent_disk("WED", &[record("notes.txt", 1)]),
        ],
        ..Inventory::default()
    };
    let world = build(&policy, &inventory, "2026-03-06".parse().unwrap());
    let listed: Vec<(&str, u64)> = world
        .backups
        .iter()
        .map(|backup| (backup.dated.name.as_str(), backup.size))
        .collect();
    // MARCH_2 is known from MON first (the policy's disk order): its size.
    assert_eq!(
        listed,
        [(MARCH_2, 20), (MARCH_3, 30), (MARCH_4, 40), (MARCH_5, 50)]
    );
    assert_eq!(
        world.backups[1].dated.business_day,
        NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
    );
    let server = &world.sites[world.server()];
    let held: Vec<bool> = (0..4).map(|backup| server.holds(backup)).collect();
    assert_eq!(held, [false, true, false, true]);
    let mon = world.site(&Location::Disk("MON".into())).unwrap();
    assert!(world.sites[mon].holds(0) && world.sites[mon].holds(1));
    assert!(!world.sites[mon].holds(2));
    let lookup = Lookup {
        backups: &world.backups,
        pattern: &policy.source.pattern,
    };
    // Any order, unknown names and names without a time among them.
    let names = [
        MARCH_5,
        "MacPractice_2026-03-06_2330.mpbackup",
        MARCH_2,
        "notes.txt",
        MARCH_4,
        MARCH_3,
    ];
    let found: Vec<(&str, usize)> = lookup
        .find_all(names.iter(), |name| name)
        .into_iter()
        .map(|(name, index)| (*name, index))
        .collect();
    assert_eq!(
        found,
        [(MARCH_2, 0), (MARCH_3, 1), (MARCH_4, 2), (MARCH_5, 3)]
    );
}
