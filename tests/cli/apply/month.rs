//! A month and a half of nights in a real office folder: every open day a new
//! backup (some of them bundles, some days an extra), tonight's disk plugged
//! in — or the wrong one, or none, or two — and `rota apply --yes`. After
//! every night, every safety invariant (docs/architecture.md) is checked on the folders
//! themselves, not on what rota says about them.

use std::collections::{BTreeMap, BTreeSet};

use crate::apply_office::{ApplyOffice, State};
use crate::support;
use chrono::{Datelike, NaiveDate, Weekday};

const POLICY: &str = r#"version: 1
office:
  name: Month Dental
  timezone: America/New_York
  open_days: [mon, tue, wed, thu, fri]
  closed:
    - { date: 2026-04-03, name: Good Friday }
  day_starts_at: "05:00"
source: { path: source, pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup", keep_last: 3 }
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
hold: [2026-03-10]
state_dir: state
"#;

const LABELS: [&str; 5] = ["MON", "TUE", "WED", "THU", "FRI"];
const HELD: &str = "MacPractice_2026-03-10_2330.mpbackup";

fn label_of(weekday: Weekday) -> Option<&'static str> {
    LABELS.get(weekday.num_days_from_monday() as usize).copied()
}

/// Which disks are plugged in on night `index` (a fixed, varied schedule).
fn disks_for(index: usize, date: NaiveDate) -> Vec<&'static str> {
    let tonight = label_of(date.weekday());
    let yesterday = label_of(date.pred_opt().unwrap().weekday()).unwrap_or("FRI");
    match (index % 9, tonight) {
        (4, _) => vec![],                           // nobody swapped the disk
        (2, Some(_)) => vec![yesterday],            // last night's disk left in
        (6, Some(tonight)) => vec![tonight, "MON"], // two disks plugged in
        (_, Some(tonight)) => vec![tonight],
        (_, None) => vec![yesterday], // weekend: Friday's stays in
    }
}

#[test]
fn a_month_of_nights_keeps_every_invariant_every_night() {
    let office = ApplyOffice::new(POLICY);
    for label in LABELS {
        office.disk(label, false);
    }
    std::fs::write(office.office.join("source/notes.txt"), b"not a backup").unwrap();
    std::fs::write(
        office.office.join("safe/MON/notes.txt"),
        b"the office's own file",
    )
    .unwrap();
    std::fs::write(
        office.office.join("safe/TUE/rota/README.txt"),
        b"left by someone",
    )
    .unwrap();
    let mut originals: BTreeMap<String, String> = BTreeMap::new();
    let mut before = office.state();
    let mut guard_trips = 0;
    let first = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    for (index, date) in first.iter_days().take(56).enumerate() {
        let at = format!("{date}T23:50");
        add_backups(&office, date, index, &mut originals);
        office.connect_only(&disks_for(index, date));
        let audit_before = office.audit().len();
        let guarded = mass_delete_guard_holds(&office, &at, &mut guard_trips);
        let mut args = vec!["apply", "policy.yaml", "--yes", "--at", &at];
        if guarded {
            args.push("--allow-mass-delete");
        }
        let output = office.rota().args(args).run().no_panic();
        assert!(
            output.status.code() == Some(0)
                || (output.status.code() == Some(1)
                    && support::is_failed_night_only(&output.stderr)),
            "{date}: {}\n{}",
            output.stdout,
            output.stderr
        );
        let after = office.state();
        check_night(&office, &at, &before, &after, &originals, audit_before);
        before = after;
    }
    assert_eq!(
        std::fs::read(office.office.join("source/notes.txt")).unwrap(),
        b"not a backup"
    );
    assert!(office.mount("MON").join("notes.txt").exists());
    assert!(office.mount("TUE").join("rota/README.txt").exists());
    assert!(!office.audit().is_empty(), "a month prunes something");
    // Catching up after two missed weeks deletes old copies but writes as many
    // new ones: not a wipe, so the guard must not stop an unattended night.
    assert_eq!(
        guard_trips, 0,
        "ordinary nights never trip the mass-delete guard"
    );
}

/// Invariant 7 on the nights it applies: when the plan would delete more than
/// half of a disk's copies, `apply` without `--allow-mass-delete` refuses and
/// changes nothing. Returns whether the guard tripped tonight.
fn mass_delete_guard_holds(office: &ApplyOffice, at: &str, trips: &mut usize) -> bool {
    let plan = office.plan_json(at);
    let tripped = plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "mass-delete");
    if tripped {
        *trips += 1;
        let before = office.state();
        office
            .rota()
            .args(["apply", "policy.yaml", "--yes", "--at", at])
            .run()
            .failure()
            .stderr_contains("refusing a mass deletion");
        assert_eq!(
            office.state(),
            before,
            "{at}: a refused plan changed something"
        );
    }
    tripped
}

fn add_backups(
    office: &ApplyOffice,
    date: NaiveDate,
    index: usize,
    originals: &mut BTreeMap<String, String>,
) {
    let open = date.weekday().num_days_from_monday() < 5 && date.to_string() != "2026-04-03";
    if !open {
        return;
    }
    let mut names = vec![format!("MacPractice_{date}_2330.mpbackup")];
    if index % 5 == 3 {
        names.push(format!("MacPractice_{date}_1215.mpbackup")); // an extra
    }
    for (i, name) in names.iter().enumerate() {
        let size = 2000 + (index * 37 + i) as u64;
        let path = if index % 4 == 1 {
            office.office.backup_bundle(name, size)
        } else {
            office.office.backup_file(name, size)
        };
        originals.insert(name.clone(), rota::content_hash::hash_path(&path).unwrap());
    }
}

fn check_night(
    office: &ApplyOffice,
    at: &str,
    before: &State,
    after: &State,
    originals: &BTreeMap<String, String>,
    audit_lines: usize,
) {
    let plan = office.plan_json(at);
    // Invariant 5: applying twice, the second plan has nothing to do.
    assert!(
        plan["actions"].as_array().unwrap().is_empty(),
        "{at}: {:#}",
        plan["actions"]
    );
    // Invariant 4: no temporary file left, no wrong bytes under a backup's name.
    assert!(
        office.partials().is_empty(),
        "{at}: {:?}",
        office.partials()
    );
    after
        .no_bad_bytes_under_final_names(originals)
        .unwrap_or_else(|problem| panic!("{at}: {problem}"));
    // Invariants 2 and 3: every retained or pending backup keeps a verified copy.
    for backup in plan["backups"].as_array().unwrap() {
        let name = backup["name"].as_str().unwrap();
        let needed = !backup["tiers"].as_array().unwrap().is_empty()
            || !backup["required_at"].as_array().unwrap().is_empty()
            || backup["hold"].as_bool().unwrap();
        if needed {
            let good = after.good_copies(name, &originals[name]);
            assert!(
                !good.is_empty(),
                "{at}: {name} is needed but has no good copy"
            );
        }
    }
    // Every disk entry named like a backup is one rota wrote and vouches for.
    for (place, entries) in &after.entries {
        if place == "server" {
            continue;
        }
        for (name, hash) in entries {
            let record = after.manifests[place].get(name);
            assert!(
                record.is_some_and(|(h, _, verified)| h == hash && *verified),
                "{at}: {place}/{name} is not vouched for"
            );
        }
    }
    // Invariant 8: the held backup is never deleted anywhere.
    assert!(after.entries["server"].contains_key(HELD) || !originals.contains_key(HELD));
    // The server keeps its newest three backups.
    let newest: Vec<&String> = originals.keys().rev().take(3).collect();
    for name in newest {
        assert!(
            after.entries["server"].contains_key(name),
            "{at}: the server lost {name}"
        );
    }
    // Invariant 9: whatever vanished tonight is in the audit log, and nothing else.
    let gone: BTreeSet<(String, String)> = before
        .copies()
        .difference(&after.copies())
        .cloned()
        .collect();
    let audit = office.audit();
    let logged: BTreeSet<(String, String)> = audit[audit_lines..]
        .iter()
        .map(|(_, backup, location, ..)| (location.clone(), backup.clone()))
        .collect();
    assert_eq!(gone, logged, "{at}: deletions and audit lines differ");
    assert_eq!(
        logged.len(),
        audit.len() - audit_lines,
        "{at}: a deletion logged twice"
    );
    assert!(
        audit.iter().all(|(_, backup, ..)| backup != HELD),
        "{at}: the held backup was deleted"
    );
}
