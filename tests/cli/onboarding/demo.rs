//! `rota demo [DIR]`: the README's first command. It builds a sandbox office,
//! runs the real plan and apply in it, and prints the week; the same `--at`
//! gives the same office and the same output.

use std::collections::BTreeMap;
use std::path::Path;

use crate::apply_office;
use crate::support;
use crate::support::{Rota, redact_paths};

fn demo(dir: &Path) -> support::Output {
    Rota::new()
        .args(["demo"])
        .arg(dir)
        .args(["--at", "2026-03-31"])
        .run()
        .no_panic()
}

/// Backup name → content hash, per folder of the demo (source and disks).
fn contents(dir: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut folders = BTreeMap::new();
    let mut places = vec![(String::from("server"), dir.join("MacPractice Backups"))];
    for parent in ["disks", "safe"] {
        for label in apply_office::names(&dir.join(parent)) {
            places.push((label.clone(), dir.join(parent).join(&label).join("rota")));
        }
    }
    for (place, folder) in places {
        let hashed = apply_office::names(&folder)
            .into_iter()
            .filter(|n| n.starts_with("MacPractice_"))
            .map(|n| {
                let hash = rota::content_hash::hash_path(&folder.join(&n)).unwrap();
                (n, hash)
            })
            .collect();
        folders.insert(place, hashed);
    }
    folders
}

#[test]
fn the_demo_builds_an_office_runs_the_cycle_and_reads_well() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("rota-demo");
    let output = demo(&dir).success();
    let text = redact_paths(&output.stdout, &[temp.path()]);
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("demo_2026_03_31", text);
    });
    // The office is left as a real one: nothing to do tonight, and the
    // pruning recorded line by line.
    Rota::new()
        .current_dir(&dir)
        .args([
            "plan",
            "rota.yaml",
            "--at",
            "2026-03-31",
            "--detailed-exitcode",
        ])
        .run()
        .success();
    let audit = std::fs::read_to_string(dir.join(".rota/audit.log")).unwrap();
    assert_eq!(audit.lines().count(), 233);
    let folders = contents(&dir);
    assert_eq!(folders["TUE"].len(), 5);
    assert!(folders["MON"].is_empty());
    assert_eq!(folders["server"].len(), 260 - 233);
    // Its apply is a recorded night: `status` and `report` read it.
    Rota::new()
        .current_dir(&dir)
        .args(["status", "rota.yaml", "--at", "2026-03-31T23:59"])
        .run()
        .success()
        .stdout_contains("HEALTHY")
        .stdout_lacks("NEVER RUN");
    Rota::new()
        .current_dir(&dir)
        .args([
            "report",
            "rota.yaml",
            "--from",
            "2026-03-31",
            "--to",
            "2026-03-31",
        ])
        .args(["--format", "csv"])
        .run()
        .success()
        .stdout_lacks("failed-night");
}

#[test]
fn the_same_at_gives_the_same_office_and_a_demo_folder_can_be_rebuilt() {
    let temp = tempfile::tempdir().unwrap();
    let (one, two) = (temp.path().join("one"), temp.path().join("two"));
    let first = demo(&one).success();
    demo(&two).success();
    assert_eq!(contents(&one), contents(&two));
    // Running it again in the same folder rebuilds the demo from scratch.
    let again = demo(&one).success();
    assert_eq!(again.stdout, first.stdout);
    assert_eq!(contents(&one), contents(&two));
}

#[test]
fn a_folder_that_is_not_a_demo_is_never_touched() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("patients.db"), b"precious").unwrap();
    demo(temp.path())
        .failure()
        .stderr_contains("is not empty and is not an earlier rota demo");
    assert_eq!(apply_office::names(temp.path()), ["patients.db"]);
}
