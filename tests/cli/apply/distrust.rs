//! Safety invariants 12–15: rota does not trust what can lie to it. Each test
//! is one of the trials that once ended with a good backup gone (issue 26):
//! ransomware rewriting the server's backups, names dated in the future, a
//! clock four years ahead, practice software that stopped writing, a source
//! folder inside a disk, a forged disk manifest, a forged journal, a deletion
//! cut short after its rename, temporary files of dead runs. Each must lose
//! nothing and end in a failure message that says what to do. Then random
//! nights mixing those faults with swaps: nothing verified before a fault is
//! ever lost, and no disk ever holds changed bytes under a backup's name.

use std::collections::BTreeMap;
use std::fs;

use crate::apply_office;
use crate::apply_office::{ApplyOffice, name};
use crate::support;
use crate::support::FIVE_DAY_POLICY;
use chrono::{Datelike, NaiveDate, Weekday};
use rota::content_hash::hash_path;
use rota::inventory::{Manifest, layout};

const LABELS: [&str; 5] = ["MON", "TUE", "WED", "THU", "FRI"];

/// An office that lived `nights` open days from Monday 2026-03-02: each
/// night's backup written, that night's disk connected, `apply` run.
/// Returns it with every backup's original content hash.
fn lived(nights: usize) -> (ApplyOffice, BTreeMap<String, String>) {
    let office = ApplyOffice::new(FIVE_DAY_POLICY);
    for label in LABELS {
        office.disk(label, false);
    }
    let mut originals = BTreeMap::new();
    for day in open_days(date("2026-03-02")).take(nights) {
        night(&office, day, &mut originals).night_done();
    }
    (office, originals)
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn open_days(from: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days()
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
}

fn label_of(day: NaiveDate) -> &'static str {
    LABELS[day.weekday().num_days_from_monday() as usize]
}

/// One night: the day's backup written (a little bigger each day), its
/// disk connected, `apply` at 23:50.
fn night(
    office: &ApplyOffice,
    day: NaiveDate,
    originals: &mut BTreeMap<String, String>,
) -> support::Output {
    let backup = name(&day.to_string());
    let path = office
        .office
        .backup_file(&backup, 3000 + u64::from(day.ordinal()));
    originals.insert(backup, hash_path(&path).unwrap());
    office.connect_only(&[label_of(day)]);
    office.apply(&format!("{day}T23:50"))
}

/// Every backup-named entry on every disk (plugged or in the safe) and the
/// server, with its hash.
fn everything(office: &ApplyOffice) -> Vec<(String, String, String)> {
    let mut all = Vec::new();
    let mut folders = vec![(String::from("server"), office.office.source())];
    for label in office.labels() {
        folders.push((label.clone(), layout::copies_dir(&office.mount(&label))));
    }
    for (place, folder) in folders {
        for name in apply_office::names(&folder) {
            if name.starts_with("MacPractice_") {
                let hash = hash_path(&folder.join(&name)).unwrap();
                all.push((place.clone(), name, hash));
            }
        }
    }
    all
}

/// No disk holds other bytes than the original under a backup's name.
#[track_caller]
fn disks_hold_only_originals(office: &ApplyOffice, originals: &BTreeMap<String, String>) {
    for (place, name, hash) in everything(office) {
        if place != "server" {
            assert_eq!(
                Some(&hash),
                originals.get(&name),
                "{place}/{name} holds changed bytes"
            );
        }
    }
}

/// Every backup in `names` still has its original bytes somewhere.
#[track_caller]
fn all_still_somewhere<'a>(
    office: &ApplyOffice,
    originals: &BTreeMap<String, String>,
    names: impl IntoIterator<Item = &'a String>,
) {
    let all = everything(office);
    for name in names {
        assert!(
            all.iter()
                .any(|(_, n, hash)| n == name && Some(hash) == originals.get(n)),
            "{name}: its original bytes are gone"
        );
    }
}

/// Backups with a copy anywhere now.
fn held(office: &ApplyOffice) -> Vec<String> {
    let mut names: Vec<String> = everything(office).into_iter().map(|(_, n, _)| n).collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn invariant_12_ransomware_rewriting_the_backups_never_reaches_the_disks() {
    let (office, mut originals) = lived(15);
    let before = held(&office);
    let audit = office.audit().len();
    // Every backup on the server rewritten with other bytes, a note beside.
    for name in apply_office::names(&office.office.source()) {
        let path = office.office.source().join(&name);
        fs::write(&path, vec![0xEE; 4321]).unwrap();
        support::finished_an_hour_ago(&path);
    }
    fs::write(office.office.join("source/HOW_TO_DECRYPT.txt"), b"pay").unwrap();
    // A week of nights with the swaps: each fails, loudly, and loses nothing.
    for day in open_days(date("2026-03-23")).take(5) {
        let output = night(&office, day, &mut originals).failure();
        assert!(
            output.stdout.contains("tampered-backup"),
            "{}",
            output.stdout
        );
        assert!(output.stdout.contains("accept-change"), "{}", output.stdout);
        assert!(
            output.stderr.contains("tonight's run failed"),
            "{}",
            output.stderr
        );
        disks_hold_only_originals(&office, &originals);
    }
    assert_eq!(office.audit().len(), audit, "nothing deleted anywhere");
    all_still_somewhere(&office, &originals, &before);
    let plan = office.plan_json("2026-03-27T23:55");
    let stopped: Vec<&str> = plan["deletions_stopped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(stopped, ["tampered-backup"]);
    let warning = plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "tampered-backup")
        .unwrap();
    assert_eq!(warning["severity"], "failure");

    office
        .rota()
        .args([
            "explain",
            "policy.yaml",
            &name("2026-03-20"),
            "--at",
            "2026-03-27T23:55",
        ])
        .run()
        .success()
        .stdout_contains("TAMPERED");

    // A person decides the change was intended: recorded, then copied.
    let accepted = office
        .rota()
        .args([
            "accept-change",
            "policy.yaml",
            "--all",
            "--at",
            "2026-03-27T23:55",
        ])
        .env("USER", "it-person")
        .run()
        .success();
    assert!(accepted.stdout.contains("accepted"), "{}", accepted.stdout);
    let log = fs::read_to_string(office.office.join("state/audit.log")).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("\"accept-change\""))
        .expect("an audit line for the acceptance");
    assert!(line.contains("it-person"), "{line}");
    assert!(
        line.contains("\"from\"") && line.contains("\"to\""),
        "{line}"
    );
    office.connect_only(&LABELS);
    office.apply("2026-03-27T23:58").night_done();
    for (place, name, hash) in everything(&office) {
        let server = hash_path(&office.office.source().join(&name)).ok();
        if place != "server" && server.is_some() {
            assert_eq!(Some(hash), server, "{place}/{name}: replaced once accepted");
        }
    }
}

#[test]
fn invariant_12_a_name_not_tampered_is_not_accepted() {
    let (office, _) = lived(3);
    office
        .rota()
        .args(["accept-change", "policy.yaml", &name("2026-03-02")])
        .args(["--at", "2026-03-04T23:55"])
        .run()
        .failure()
        .stderr_contains("is not a tampered backup");
}

#[test]
fn invariant_13_names_dated_in_the_future_take_no_place_and_stop_deletions() {
    let (office, mut originals) = lived(15);
    let before = held(&office);
    let audit = office.audit().len();
    for day in ["2027-03-22", "2027-03-23", "2027-03-24", "2027-03-25"] {
        office.office.backup_file(&name(day), 999);
    }
    let output = night(&office, date("2026-03-23"), &mut originals).failure();
    assert!(output.stdout.contains("future-backup"), "{}", output.stdout);
    assert_eq!(office.audit().len(), audit, "nothing deleted");
    all_still_somewhere(&office, &originals, &before);
    let plan = office.plan_json("2026-03-23T23:55");
    for backup in plan["backups"].as_array().unwrap() {
        let name = backup["name"].as_str().unwrap();
        let reasons: Vec<&str> = backup["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        if name.contains("2027") {
            assert_eq!(reasons, ["dated after today"], "{name}");
            assert!(
                !backup["required_because"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|why| why.as_str().unwrap().contains("newest")),
                "{name} takes a newest place: {backup}"
            );
        }
    }
    // The server's newest 3 are still real ones.
    let server_keeps: Vec<&str> = plan["backups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| {
            b["required_because"]
                .as_array()
                .unwrap()
                .iter()
                .any(|why| why.as_str().unwrap().contains("server's newest"))
        })
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert!(
        server_keeps.iter().all(|n| n.contains("2026")),
        "{server_keeps:?}"
    );
}

#[test]
fn invariant_13_a_clock_four_years_ahead_deletes_nothing() {
    let (office, originals) = lived(15);
    let before = held(&office);
    let audit = office.audit().len();
    office.connect_only(&LABELS);
    let output = office.apply("2030-06-12").failure();
    assert!(output.stdout.contains("source-stale"), "{}", output.stdout);
    assert_eq!(office.audit().len(), audit);
    all_still_somewhere(&office, &originals, &before);
}

#[test]
fn invariant_13_software_that_stopped_writing_rotates_no_history_away() {
    let (office, originals) = lived(15);
    let before = held(&office);
    // 45 open days of normal swaps, and no new backup.
    for day in open_days(date("2026-03-23")).take(45) {
        office.connect_only(&[label_of(day)]);
        let output = office.apply(&format!("{day}T23:50"));
        assert_eq!(output.status.code(), Some(1), "{}", output.stdout);
    }
    all_still_somewhere(&office, &originals, &before);
    let last = office.apply("2026-05-22T23:55");
    assert!(last.stdout.contains("source-stale"), "{}", last.stdout);
}

#[test]
fn invariant_14_a_source_folder_inside_a_disk_is_a_policy_error() {
    let (office, _) = lived(5);
    let policy = FIVE_DAY_POLICY.replace("path: source", "path: disks/WED/rota");
    office.office.write_policy(&policy);
    let state = office.state();
    office.connect_only(&["WED"]);
    office
        .rota()
        .args(["check", "policy.yaml"])
        .run()
        .failure()
        .stderr_contains("policy::source-on-disk");
    office
        .apply("2026-03-06T23:55")
        .failure()
        .stderr_contains("source-on-disk");
    office.connect_only(&[]);
    assert_eq!(office.state(), state, "nothing changed");
}

#[test]
fn invariant_14_a_forged_manifest_entry_lets_nothing_be_pruned() {
    let office = ApplyOffice::new(FIVE_DAY_POLICY);
    for label in LABELS {
        office.disk(label, false);
    }
    let mut originals = BTreeMap::new();
    // Monday's backup goes to MON; the server keeps its newest 3.
    for day in open_days(date("2026-03-02")).take(3) {
        night(&office, day, &mut originals).night_done();
    }
    // While MON is in the safe, its copy of Monday's backup is replaced by
    // zeros of the same size and time, and the manifest says so.
    let monday = name("2026-03-02");
    let copies = layout::copies_dir(&office.mount("MON"));
    let copy = copies.join(&monday);
    let when = fs::metadata(&copy).unwrap().modified().unwrap();
    let size = fs::metadata(&copy).unwrap().len();
    fs::write(&copy, vec![0u8; size as usize]).unwrap();
    support::set_modified_tree(&copy, when);
    let forged = hash_path(&copy).unwrap();
    let mut manifest = Manifest::load(&copies).unwrap().unwrap();
    let mut record = manifest.get(&monday).unwrap().clone();
    record.hash = forged.clone();
    manifest.record(record);
    manifest.save(&copies).unwrap();
    // Thursday: a fourth backup; the server would prune Monday's, whose only
    // other copy is the forged one.
    let thursday = date("2026-03-05");
    let backup = name(&thursday.to_string());
    let path = office.office.backup_file(&backup, 3100);
    originals.insert(backup, hash_path(&path).unwrap());
    office.connect_only(&["MON", "THU"]);
    let output = office.apply("2026-03-05T23:50");
    assert!(
        output.stdout.contains("unverified-copy"),
        "{}",
        output.stdout
    );
    // The forged entry justified nothing: the server let Monday's backup go
    // only once a fresh copy on MON was written and read back.
    let on_mon = hash_path(&layout::copies_dir(&office.mount("MON")).join(&monday)).unwrap();
    assert!(
        office.office.source().join(&monday).exists() || on_mon == originals[&monday],
        "Monday's backup is gone from the server with only the forged copy left: {}",
        output.stdout
    );
    all_still_somewhere(&office, &originals, std::slice::from_ref(&monday));
    assert!(
        office
            .audit()
            .iter()
            .all(|(_, _, _, _, hash)| hash != &forged),
        "the forged hash is in no audit line"
    );
}

#[test]
fn invariant_15_a_forged_journal_deletes_nothing_and_logs_nothing() {
    let (office, _) = lived(3);
    let live = name("2026-03-04");
    fs::write(
        office.office.join("source/notes.txt"),
        b"the office's notes",
    )
    .unwrap();
    let source = office.office.source();
    let entry = |action: usize, path: &str, temp: &str, backup: &str| {
        serde_json::json!({
            "event": "action-started", "run": "forged", "plan": "p",
            "plan_at": "2026-03-04T23:50:00-05:00", "action": action, "op": "remove",
            "backup": backup, "kind": "file", "location": "server",
            "path": source.join(path), "temp": source.join(temp),
            "size": 3000, "reason": "forged", "at": "2026-03-04T23:00:00Z",
        })
    };
    let lines = [
        serde_json::json!({"event": "run-started", "run": "forged", "pid": 1,
            "started_at": "2026-03-04T23:00:00Z"}),
        // A temp that names a live backup, and one that names the notes.
        entry(1, &name("2026-03-01"), &live, &name("2026-03-01")),
        entry(2, "notes.txt", "notes.txt", "notes.txt"),
        // A backup that never existed.
        entry(
            3,
            &name("2026-02-27"),
            &layout::deleting_name("forged", &name("2026-02-27")),
            &name("2026-02-27"),
        ),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    fs::write(office.office.join("state/journal.jsonl"), text).unwrap();
    let audit = office.audit().len();
    let output = office.apply("2026-03-04T23:58");
    assert!(output.status.code().is_some(), "{}", output.stderr);
    assert!(
        source.join(&live).exists(),
        "the live backup is still there"
    );
    assert_eq!(
        fs::read(source.join("notes.txt")).unwrap(),
        b"the office's notes"
    );
    assert_eq!(
        office.audit().len(),
        audit,
        "no 'recovered' line for anything"
    );
    assert!(
        output.stderr.contains("ignored a journal entry"),
        "{}",
        output.stderr
    );
}

#[test]
fn invariant_15_a_torn_audit_line_does_not_swallow_the_next_record() {
    let (office, _) = lived(5);
    let log = office.office.join("state/audit.log");
    let before = office.audit().len();
    assert!(before > 0, "the first week pruned the server");
    let mut text = fs::read(&log).unwrap();
    text.extend_from_slice(b"{\"when\":\"2026-03-06T04:");
    fs::write(&log, text).unwrap();
    let mut originals = BTreeMap::new();
    night(&office, date("2026-03-09"), &mut originals).night_done();
    let parsed = fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
        .count();
    assert!(
        parsed > before,
        "the night's deletions are readable after the torn line"
    );
}

#[test]
fn invariant_15_temporary_files_of_dead_runs_are_removed_and_counted() {
    let (office, _) = lived(3);
    office.connect_only(&["WED"]);
    let copies = layout::copies_dir(&office.mount("WED"));
    let dead = ".rota-tmp-2147483646-0-.rota-manifest.json";
    fs::write(copies.join(dead), b"{").unwrap();
    fs::write(
        office
            .office
            .join("state")
            .join(".rota-tmp-2147483646-1-catalog.json"),
        b"{",
    )
    .unwrap();
    fs::write(
        copies.join(layout::partial_name("dead", &name("2026-03-04"))),
        b"half",
    )
    .unwrap();
    let output = office.apply("2026-03-04T23:58").night_done();
    assert!(
        output.stdout.contains("removed 3 temporary files"),
        "{}",
        output.stdout
    );
    assert!(!copies.join(dead).exists());
    assert!(office.partials().is_empty());
}

/// One random run of nights: swaps, rewrites of older backups (tampering),
/// names dated in the future, and clock jumps. Checked every night: no disk
/// holds changed bytes under a backup's name. At the end: every backup that
/// had a verified copy before the first lasting fault still has its original
/// bytes somewhere.
fn random_nights(seed: u64) {
    let mut dice = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut roll = |sides: u64| {
        dice ^= dice >> 12;
        dice ^= dice << 25;
        dice ^= dice >> 27;
        dice.wrapping_mul(0x2545_F491_4F6C_DD1D) % sides
    };
    let office = ApplyOffice::new(FIVE_DAY_POLICY);
    for label in LABELS {
        office.disk(label, false);
    }
    let mut originals = BTreeMap::new();
    let mut protected: Option<Vec<String>> = None;
    for day in open_days(date("2026-03-02")).take(15) {
        match roll(6) {
            // A rewrite of an older backup (noticed later: tampering).
            0 => {
                let older: Vec<String> = apply_office::names(&office.office.source())
                    .into_iter()
                    .filter(|n| n.starts_with("MacPractice_"))
                    .collect();
                if let Some(victim) = older.get(roll(older.len().max(1) as u64) as usize) {
                    let copied = copied_anywhere(&office, victim);
                    let path = office.office.source().join(victim);
                    fs::write(&path, vec![roll(250) as u8 + 1; 2000]).unwrap();
                    support::finished_an_hour_ago(&path);
                    if copied {
                        protected.get_or_insert_with(|| held(&office));
                    } else {
                        // Never copied: the new bytes are simply the backup.
                        originals.insert(victim.clone(), hash_path(&path).unwrap());
                    }
                }
            }
            // A mistyped name a year ahead.
            1 => {
                let future = name(&format!("2027-{:02}-{:02}", 1 + roll(12), 1 + roll(28)));
                let path = office.office.backup_file(&future, 500);
                originals.insert(future, hash_path(&path).unwrap());
                protected.get_or_insert_with(|| held(&office));
            }
            // The clock jumps years ahead for one run.
            2 => {
                let audit = office.audit().len();
                office.connect_only(&[label_of(day)]);
                office.apply("2030-06-12").no_panic();
                assert_eq!(
                    office.audit().len(),
                    audit,
                    "seed {seed}: a clock jump deleted"
                );
            }
            _ => {}
        }
        night(&office, day, &mut originals).no_panic();
        if roll(4) == 0 {
            // Sometimes two disks are plugged in (a forgotten swap).
            office.connect_only(&[label_of(day), LABELS[roll(5) as usize]]);
            office.apply(&format!("{day}T23:58")).no_panic();
        }
        disks_hold_only_originals(&office, &originals);
    }
    if let Some(protected) = protected {
        all_still_somewhere(&office, &originals, &protected);
    }
}

/// Whether some disk's manifest records a copy of `backup`.
fn copied_anywhere(office: &ApplyOffice, backup: &str) -> bool {
    office.labels().iter().any(|label| {
        Manifest::load(&layout::copies_dir(&office.mount(label)))
            .ok()
            .flatten()
            .is_some_and(|m| m.get(backup).is_some())
    })
}

#[test]
fn invariants_12_to_15_random_nights_of_faults_never_lose_a_verified_backup() {
    for seed in 1..=4 {
        random_nights(seed);
    }
}

#[test]
fn a_damaged_journal_stops_apply_with_what_to_do() {
    let (office, _) = lived(2);
    fs::write(
        office.office.join("state/journal.jsonl"),
        [0xff, 0xfe, 0x00, 0x9c],
    )
    .unwrap();
    office
        .apply("2026-03-03T23:58")
        .failure()
        .stderr_contains("move it aside")
        .stderr_contains("journal.jsonl.damaged");
}

#[test]
fn a_cloned_disk_gets_an_id_of_its_own_with_new_id() {
    let (office, _) = lived(1);
    // THU is a byte-for-byte clone of MON: same label file, same id.
    let clone = office.office.join("disks/THU");
    apply_office::copy_tree(&office.mount("MON"), &clone);
    let id = |mount: &std::path::Path| {
        let label: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(mount.join(".rota-disk.json")).unwrap())
                .unwrap();
        label["id"].as_str().unwrap().to_string()
    };
    let original = id(&office.mount("MON"));
    assert_eq!(id(&clone), original);
    office
        .rota()
        .args(["disk", "init"])
        .arg(&clone)
        .args(["--label", "THU", "--force"])
        .run()
        .success();
    assert_eq!(id(&clone), original, "--force alone keeps the id");
    office
        .rota()
        .args(["disk", "init"])
        .arg(&clone)
        .args(["--label", "THU", "--force", "--new-id"])
        .run()
        .success();
    assert_ne!(id(&clone), original, "--new-id gives the clone its own");
}
