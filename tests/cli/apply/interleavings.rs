//! Safety invariants 10 and 11 over random nights: the practice software
//! writes backups late, re-runs tonight's job after rota copied it, and grows
//! tonight's while `apply` runs; staff swap the disks. Whatever the order, every backup the server
//! pruned must be on a disk byte for byte as it finally was, and no copy a
//! disk counts differs from the backup the server still has.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, SystemTime};

use crate::apply_office::{ApplyOffice, name};
use crate::support;
use crate::support::FIVE_DAY_POLICY;
use chrono::{Datelike, NaiveDate};
use rota::content_hash::hash_path;
use rota::inventory::{Manifest, fingerprint_of, layout};

const LABELS: [&str; 5] = ["MON", "TUE", "WED", "THU", "FRI"];

/// A small deterministic generator (xorshift64*), so a failing seed replays.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % sides
    }
}

/// What the practice software does to the source folder, night by night;
/// `written` keeps each backup's final content hash.
struct Software<'a> {
    office: &'a ApplyOffice,
    written: BTreeMap<String, String>,
    /// Distinct past modification times, so that every write is visible to a
    /// stat even when the size stays the same.
    clock: u64,
}

impl Software<'_> {
    fn write(&mut self, backup: &str, fill: u8, size: usize, settled: bool) {
        let path = self.office.office.source().join(backup);
        fs::write(&path, vec![fill; size]).unwrap();
        if settled {
            self.clock += 1;
            let past =
                SystemTime::now() - Duration::from_secs(7200) + Duration::from_secs(self.clock);
            support::set_modified_tree(&path, past);
        }
        self.remember(backup);
    }

    fn settle(&mut self, backup: &str) {
        let path = self.office.office.source().join(backup);
        self.clock += 1;
        let past = SystemTime::now() - Duration::from_secs(7200) + Duration::from_secs(self.clock);
        support::set_modified_tree(&path, past);
        self.remember(backup);
    }

    fn remember(&mut self, backup: &str) {
        let path = self.office.office.source().join(backup);
        self.written
            .insert(backup.to_string(), hash_path(&path).unwrap());
    }
}

/// `apply` while a thread appends to `backup` in bursts.
fn apply_while_growing(office: &ApplyOffice, backup: &Path, at: &str) {
    let stop = AtomicBool::new(false);
    thread::scope(|scope| {
        scope.spawn(|| {
            let mut file = OpenOptions::new().append(true).open(backup).unwrap();
            for burst in 0..20u8 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                file.write_all(&vec![burst; 256 * 1024]).unwrap();
                file.sync_data().unwrap();
                thread::sleep(Duration::from_millis(15));
            }
        });
        office.apply(at).no_panic();
        stop.store(true, Ordering::Relaxed);
    });
}

/// One random fortnight of an office; returns how many backups the server
/// pruned.
fn fortnight(seed: u64) -> usize {
    let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    // Half the offices copy at once (settle 0s), so that copies race the
    // writer; the others wait for the default 10 minutes.
    let policy = if seed.is_multiple_of(2) {
        FIVE_DAY_POLICY.replacen("source:\n", "source:\n  settle: 0s\n", 1)
    } else {
        FIVE_DAY_POLICY.to_string()
    };
    let office = ApplyOffice::new(&policy);
    for label in LABELS {
        office.disk(label, false);
    }
    let mut software = Software {
        office: &office,
        written: BTreeMap::new(),
        clock: 0,
    };
    let first = NaiveDate::from_ymd_opt(2026, 3, 16).unwrap();
    let nights = (0..12)
        .map(|d| first + chrono::Days::new(d))
        .filter(|d| d.weekday().num_days_from_monday() < 5);
    for night in nights {
        let at = night.to_string();
        let label = LABELS[night.weekday().num_days_from_monday() as usize];
        office.connect_only(&[label]);
        let tonight = name(&at);
        let size = 20_000 + dice.roll(40_000) as usize;
        let fill = dice.roll(250) as u8 + 1;
        match dice.roll(4) {
            // An ordinary night: the backup finished before rota runs.
            0 | 1 => {
                software.write(&tonight, fill, size, true);
                office.apply(&at).no_panic();
            }
            // Still being written when rota runs; finished by a later run.
            2 => {
                software.write(&tonight, fill, size, false);
                let path = office.office.source().join(&tonight);
                apply_while_growing(&office, &path, &at);
                software.settle(&tonight);
                office.apply(&at).no_panic();
            }
            // The software re-runs tonight's job after rota copied it (the
            // same night: a change rota copies again). A rewrite of an
            // older backup is tampering (invariant 12): see apply_distrust.
            _ => {
                software.write(&tonight, fill, size, true);
                office.apply(&format!("{at}T23:00")).no_panic();
                software.write(&tonight, fill ^ 0x55, size + 1, true);
                office.apply(&format!("{at}T23:30")).no_panic();
            }
        }
        if dice.roll(3) == 0 {
            office.apply(&at).no_panic();
        }
    }
    check_the_end(&office, &software.written)
}

/// The invariants at the end; returns how many backups the server pruned.
fn check_the_end(office: &ApplyOffice, written: &BTreeMap<String, String>) -> usize {
    office.connect_only(&LABELS);
    // What rota itself counts: each backup's verified locations in the plan.
    let plan = office.plan_json("2026-03-27");
    for backup in plan["backups"].as_array().unwrap() {
        let name = backup["name"].as_str().unwrap();
        for label in backup["locations"].as_array().unwrap() {
            let label = label.as_str().unwrap();
            if !LABELS.contains(&label) {
                continue;
            }
            let on_disk = layout::copies_dir(&office.mount(label)).join(name);
            assert_eq!(
                hash_path(&on_disk).ok().as_ref(),
                written.get(name),
                "rota counts the copy of {name} on {label}, which differs from the backup as it finally was"
            );
        }
    }
    let manifests: Vec<(String, Manifest)> = LABELS
        .iter()
        .filter_map(|label| {
            let copies = layout::copies_dir(&office.mount(label));
            Some((label.to_string(), Manifest::load(&copies).unwrap()?))
        })
        .collect();
    let mut pruned = 0;
    for (backup, last_written) in written {
        let source = office.office.source().join(backup);
        let now = fingerprint_of(&source);
        for (label, manifest) in &manifests {
            let Some(record) = manifest.get(backup) else {
                continue;
            };
            let counted =
                record.is_verified() && now.as_ref().is_none_or(|fp| record.is_copy_of(fp));
            if counted && now.is_some() {
                let on_disk = layout::copies_dir(&office.mount(label)).join(backup);
                assert_eq!(
                    hash_path(&on_disk).unwrap(),
                    hash_path(&source).unwrap(),
                    "{label} counts a copy of {backup} that differs from the server's"
                );
            }
        }
        if now.is_some() {
            continue;
        }
        pruned += 1;
        let identical = manifests.iter().any(|(label, manifest)| {
            let on_disk = layout::copies_dir(&office.mount(label)).join(backup);
            manifest.get(backup).is_some_and(|r| r.is_verified())
                && hash_path(&on_disk).ok().as_ref() == Some(last_written)
        });
        assert!(
            identical,
            "the server pruned {backup}, and no disk holds it as it finally was"
        );
    }
    pruned
}

#[test]
fn invariants_10_and_11_random_writes_and_applies_never_lose_a_pruned_backup() {
    let pruned: usize = (1..=16).map(fortnight).sum();
    // The check means something only if the servers did prune.
    assert!(pruned > 0, "no server pruned anything in these fortnights");
}
