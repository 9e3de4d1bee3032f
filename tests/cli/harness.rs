//! The test harness itself (tests/cli/support): fixtures must be what they claim
//! to be, or every test built on them proves nothing.

use std::fs;
use std::path::Path;

use crate::support::{Rota, TempOffice, redact_paths};

fn total_size(path: &Path) -> u64 {
    if path.is_dir() {
        fs::read_dir(path)
            .unwrap()
            .map(|entry| total_size(&entry.unwrap().path()))
            .sum()
    } else {
        fs::metadata(path).unwrap().len()
    }
}

#[test]
fn backups_have_the_requested_names_and_sizes() {
    let office = TempOffice::five_day();
    let file = office.backup_file("MacPractice_2026-03-30_2330.mpbackup", 200_000);
    let bundle = office.backup_bundle("MacPractice_2026-03-31_2330.mpbackup", 70_000);
    let tiny = office.backup_bundle("MacPractice_2026-04-01_2330.mpbackup", 3);
    assert_eq!(
        file,
        office.source().join("MacPractice_2026-03-30_2330.mpbackup")
    );
    assert!(file.is_file() && bundle.is_dir());
    assert_eq!(total_size(&file), 200_000);
    assert_eq!(total_size(&bundle), 70_000);
    assert_eq!(total_size(&tiny), 3);
    assert!(bundle.join("Contents/Resources/data.bin").is_file());
}

#[test]
fn backups_of_the_same_size_differ_in_content() {
    let office = TempOffice::five_day();
    let a = office.backup_file("MacPractice_2026-03-30_2330.mpbackup", 4096);
    let b = office.backup_file("MacPractice_2026-03-31_2330.mpbackup", 4096);
    assert_ne!(fs::read(a).unwrap(), fs::read(b).unwrap());
}

#[test]
fn the_five_day_office_is_valid() {
    let office = TempOffice::five_day();
    office
        .rota()
        .args(["check", "policy.yaml"])
        .run()
        .success()
        .stdout_contains("Test Family Dental — the policy is valid")
        .stderr_lacks("source-missing");
}

#[test]
fn output_helpers_see_both_streams_and_the_exit_code() {
    let office = TempOffice::empty();
    let output = Rota::new()
        .current_dir(office.path())
        .args(["check", "missing.yaml"])
        .env("NO_COLOR", "1")
        .run()
        .code(1)
        .failure()
        .stderr_contains("missing.yaml")
        .stdout_lacks("valid");
    assert!(output.stdout.is_empty());
    let version = Rota::new().arg("--version").run().success();
    assert!(version.stdout.starts_with("rota "));
}

#[test]
fn temp_paths_are_redacted() {
    let office = TempOffice::empty();
    let text = format!("{}/policy.yaml", office.path().display());
    assert_eq!(office.redact(&text), "[TEMP]/policy.yaml");
    let root = format!("{}/policies", env!("CARGO_MANIFEST_DIR"));
    assert_eq!(redact_paths(&root, &[]), "[ROOT]/policies");
}
