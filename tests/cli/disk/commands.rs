//! `rota disk init` and `rota disk list`, run as the real binary in a temporary
//! office: a source folder, disks as folders under `Volumes/`, and a state folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const POLICY: &str = r#"version: 1
office: { name: Test Dental, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri] }
source: { path: source, pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup" }
retain: { business_days: 10 }
disks:
  mount_search: ["Volumes/*"]
  allow_server_drive: true
  rotation:
    - { label: MON, days: [mon] }
    - { label: TUE, days: [tue] }
    - { label: WED, days: [wed, thu, fri] }
state_dir: state
"#;

/// A temporary office with a policy at `rota.yaml`.
struct Office {
    dir: tempfile::TempDir,
}

/// What one run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Office {
    fn new() -> Office {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("source")).unwrap();
        std::fs::create_dir_all(dir.path().join("Volumes")).unwrap();
        std::fs::write(dir.path().join("rota.yaml"), POLICY).unwrap();
        Office { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn volume(&self, name: &str) -> PathBuf {
        let path = self.path("Volumes").join(name);
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    fn rota(&self, args: &[&str]) -> Run {
        let output: Output = Command::new(env!("CARGO_BIN_EXE_rota"))
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env("TZ", "America/New_York")
            .output()
            .expect("the rota binary runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Labels a volume and returns its id as written in the label file.
    fn init(&self, volume: &str, label: &str) -> String {
        let path = self.volume(volume);
        let run = self.rota(&["disk", "init", path.to_str().unwrap(), "--label", label]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        label_id(&path)
    }
}

fn label_id(mount: &Path) -> String {
    let text = std::fs::read_to_string(mount.join(".rota-disk.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["id"].as_str().unwrap().to_string()
}

/// Replaces what changes from run to run (temp folder, ids, clock, free space).
fn normalize(text: &str, office: &Office, ids: &[(&str, &str)]) -> String {
    let mut text = text.replace(&office.dir.path().display().to_string(), "[OFFICE]");
    for (id, name) in ids {
        text = text.replace(&id[..8], name);
    }
    text.lines()
        .map(|line| {
            if let Some((head, _)) = line
                .split_once(", ")
                .filter(|_| line.starts_with("Disks of "))
            {
                format!("{head}, [NOW]")
            } else if line.starts_with("    space ") {
                "    space       [SPACE]".to_string()
            } else if line.starts_with("    last seen   ") && line != "    last seen   now" {
                "    last seen   [TIME] ([AGO])".to_string()
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn disk_init_labels_once_and_refuses_a_second_time() {
    let office = Office::new();
    let mon = office.volume("MON");
    let mon_arg = mon.to_str().unwrap();

    let first = office.rota(&["disk", "init", mon_arg, "--label", "MON"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let id = label_id(&mon);
    assert!(
        first
            .stdout
            .contains(&format!("    MON    id {}    labelled ", &id[..8]))
    );
    assert!(mon.join("rota").is_dir(), "the copies folder is created");

    let second = office.rota(&["disk", "init", mon_arg, "--label", "TUE"]);
    assert_eq!(second.code, 1);
    assert!(
        second.stderr.contains("already labelled MON") && second.stderr.contains(&id[..8]),
        "{}",
        second.stderr
    );
    assert!(second.stderr.contains("--force"), "{}", second.stderr);
    assert_eq!(label_id(&mon), id, "the label is untouched");

    let forced = office.rota(&["disk", "init", mon_arg, "--label", "TUE", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(label_id(&mon), id, "a relabelled disk keeps its id");
    let label: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(mon.join(".rota-disk.json")).unwrap())
            .unwrap();
    assert_eq!(label["label"], "TUE");
}

#[test]
fn disk_init_refuses_the_source_folder_and_bad_labels() {
    let office = Office::new();
    let inside = office.path("source/sub");
    std::fs::create_dir_all(&inside).unwrap();
    let run = office.rota(&[
        "disk",
        "init",
        inside.to_str().unwrap(),
        "--label",
        "MON",
        "--policy",
        "rota.yaml",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("inside the backup folder"),
        "{}",
        run.stderr
    );
    assert!(!inside.join(".rota-disk.json").exists());

    let mon = office.volume("MON");
    let run = office.rota(&["disk", "init", mon.to_str().unwrap(), "--label", "A/B"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("cannot be a disk label"),
        "{}",
        run.stderr
    );
}

#[test]
fn disk_list_shows_connected_and_known_absent_disks() {
    let office = Office::new();
    let mon_id = office.init("MON", "MON");
    let tue_id = office.init("TUE", "TUE");
    office.volume("Untitled");
    std::fs::write(
        office.path("Volumes/MON/rota/MacPractice_2026-03-30_2330.mpbackup"),
        b"not recorded",
    )
    .unwrap();

    // First look: both connected, so the catalog learns about TUE.
    let first = office.rota(&["disk", "list", "rota.yaml"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(office.path("state/catalog.json").is_file());

    // TUE goes to the safe.
    std::fs::rename(office.path("Volumes/TUE"), office.path("TUE in the safe")).unwrap();
    let second = office.rota(&["disk", "list", "rota.yaml"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let text = normalize(
        &second.stdout,
        &office,
        &[(&mon_id, "[MON-ID]"), (&tue_id, "[TUE-ID]")],
    );
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("disk_list_connected_and_absent", text);
    });

    let json = office.rota(&["disk", "list", "rota.yaml", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let disks: Vec<(&str, bool)> = value["disks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["label"].as_str().unwrap(),
                d["connected"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(disks, [("MON", true), ("TUE", false)]);
    assert_eq!(value["disks"][0]["strays"][0]["why"], "unrecorded");
    assert_eq!(value["never_seen"], serde_json::json!(["WED"]));
}

#[test]
fn a_damaged_catalog_is_an_error_that_says_what_to_do() {
    let office = Office::new();
    std::fs::create_dir_all(office.path("state")).unwrap();
    std::fs::write(office.path("state/catalog.json"), "{ not json").unwrap();
    let run = office.rota(&["disk", "list", "rota.yaml"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("catalog"), "{}", run.stderr);
    assert!(run.stderr.contains("move the file aside"), "{}", run.stderr);
}

#[test]
fn disk_help_teaches_with_examples() {
    let office = Office::new();
    for args in [
        &["disk", "init", "--help"][..],
        &["disk", "list", "--help"][..],
    ] {
        let run = office.rota(args);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("Examples:"), "{}", run.stdout);
        assert!(run.stdout.contains("rota disk"), "{}", run.stdout);
    }
}
