//! The folders `mount_search` finds that are not what they seem (issue 29):
//! a folder the nightly job's user may not read is `disk-unreadable`, never
//! an unlabelled disk (a real unreadable folder, read by an unprivileged
//! user); a "disk" on the source folder's own file system is
//! `disk-on-server-drive`, unless the policy allows it as the test
//! sandboxes do; a Time Machine disk is skipped without a word.

use std::path::Path;

use crate::support::{FIVE_DAY_POLICY, Rota, TempOffice};
use serde_json::Value;

const AT: &str = "2026-03-31T23:50";
const TONIGHT: &str = "MacPractice_2026-03-31_2330.mpbackup";

fn office(policy: &str) -> TempOffice {
    let office = TempOffice::new(policy);
    office.backup_file(TONIGHT, 1000);
    office
}

fn label(office: &TempOffice, folder: &str, label: &str) {
    office.folder(folder);
    office
        .rota()
        .args(["disk", "init", folder, "--label", label])
        .run()
        .success();
}

/// `(code, message)` of each warning of `rota plan --format json`.
fn warnings(rota: Rota, office: &TempOffice) -> Vec<(String, String)> {
    let output = rota
        .current_dir(office.path())
        .args(["plan", "policy.yaml", "--format", "json", "--at", AT])
        .run()
        .success();
    let plan: Value = serde_json::from_str(&output.stdout).expect("plan JSON");
    plan["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| {
            (
                w["code"].as_str().unwrap().to_string(),
                office.redact(w["message"].as_str().unwrap()),
            )
        })
        .collect()
}

fn codes(warnings: &[(String, String)]) -> Vec<&str> {
    warnings.iter().map(|(code, _)| code.as_str()).collect()
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_disk_folder_the_user_may_not_read_is_disk_unreadable_not_unlabelled() {
    let office = office(FIVE_DAY_POLICY);
    label(&office, "disks/TUE", "TUE");
    // The unprivileged user may read the office, but not the disk.
    chmod(office.path(), 0o755);
    chmod(&office.folder("state"), 0o755);
    chmod(&office.join("disks/TUE"), 0o000);
    let found = warnings(Rota::unprivileged(), &office);
    chmod(&office.join("disks/TUE"), 0o755);
    assert!(codes(&found).contains(&"disk-unreadable"), "{found:?}");
    assert!(!codes(&found).contains(&"unlabelled-disk"), "{found:?}");
    let (_, message) = found
        .iter()
        .find(|(code, _)| code == "disk-unreadable")
        .unwrap();
    assert!(message.contains("[TEMP]/disks/TUE"), "{message}");
    assert!(message.contains("Permission denied"), "{message}");
    assert!(message.contains("Full Disk Access"), "{message}");

    // A folder above the disks that cannot be listed hides every disk: the
    // same warning names it.
    chmod(&office.join("disks"), 0o700);
    chmod(&office.join("disks/TUE"), 0o755);
    let hidden = warnings(Rota::unprivileged(), &office);
    chmod(&office.join("disks"), 0o755);
    assert!(
        hidden
            .iter()
            .any(|(code, message)| code == "disk-unreadable"
                && message.starts_with("rota may not read [TEMP]/disks (")),
        "{hidden:?}"
    );
    // Whoever may read it sees tonight's disk.
    let readable = warnings(office.rota(), &office);
    assert!(
        !codes(&readable).contains(&"disk-unreadable"),
        "{readable:?}"
    );
}

#[test]
fn disks_on_the_source_folders_drive_are_warned_unless_allowed() {
    let strict = FIVE_DAY_POLICY.replace("  allow_server_drive: true\n", "");
    let office = office(&strict);
    label(&office, "disks/TUE", "TUE");
    // The folder macOS leaves behind after MON was unplugged without Eject.
    office.folder("disks/MON");
    let found = warnings(office.rota(), &office);
    let on_drive: Vec<&str> = found
        .iter()
        .filter(|(code, _)| code == "disk-on-server-drive")
        .map(|(_, message)| message.as_str())
        .collect();
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("disk_on_server_drive_warnings", on_drive.join("\n\n"));
    });
    assert_eq!(on_drive.len(), 2, "{found:?}");
    // The stale folder is not a disk to label.
    assert!(!codes(&found).contains(&"unlabelled-disk"), "{found:?}");

    // The test sandboxes' own policies allow it: then MON is merely unlabelled.
    office.write_policy(FIVE_DAY_POLICY);
    let allowed = warnings(office.rota(), &office);
    assert!(
        !codes(&allowed).contains(&"disk-on-server-drive"),
        "{allowed:?}"
    );
    assert!(codes(&allowed).contains(&"unlabelled-disk"), "{allowed:?}");
}

#[test]
fn a_time_machine_disk_is_skipped_and_disk_list_says_why() {
    let office = office(FIVE_DAY_POLICY);
    label(&office, "disks/TUE", "TUE");
    office.folder("disks/Time Machine/Backups.backupdb");
    office.file("disks/Time Machine/.com.apple.timemachine.donotpresent", 0);
    let found = warnings(office.rota(), &office);
    assert!(!codes(&found).contains(&"unlabelled-disk"), "{found:?}");
    office
        .rota()
        .args(["disk", "list", "policy.yaml"])
        .run()
        .success()
        .stdout_contains("Time Machine")
        .stdout_contains("a Time Machine backup disk");
}
