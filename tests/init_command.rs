//! `rota init`: writes a starter policy that itself passes `rota check`, and
//! never overwrites an existing file unless told to.

mod support;

use std::fs;

use support::TempOffice;

#[test]
fn init_writes_a_policy_that_passes_check() {
    let office = TempOffice::empty();
    office
        .rota()
        .arg("init")
        .env("TZ", "Europe/Berlin")
        .run()
        .success()
        .stdout_contains("Wrote rota.yaml")
        .stdout_contains("rota check rota.yaml");
    let written = fs::read_to_string(office.join("rota.yaml")).expect("rota.yaml written");
    assert!(written.contains("timezone: Europe/Berlin"), "TZ is used");
    assert!(written.contains("min_backups: 4"));
    office
        .rota()
        .args(["check", "rota.yaml"])
        .run()
        .success()
        .stdout_contains("Our Practice — the policy is valid")
        .stdout_contains("(Europe/Berlin)");
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let office = TempOffice::empty();
    office.rota().arg("init").run().success();
    let path = office.join("rota.yaml");
    let edited = fs::read_to_string(&path).unwrap() + "# edited by the IT person\n";
    fs::write(&path, &edited).unwrap();

    office
        .rota()
        .arg("init")
        .run()
        .failure()
        .stderr_contains("rota.yaml already exists")
        .stderr_contains("--force");
    assert_eq!(fs::read_to_string(&path).unwrap(), edited, "left untouched");

    office.rota().args(["init", "--force"]).run().success();
    let rewritten = fs::read_to_string(&path).unwrap();
    assert!(
        !rewritten.contains("edited by the IT person"),
        "overwritten"
    );
}

#[test]
fn init_fills_in_the_office() {
    let office = TempOffice::empty();
    office
        .rota()
        .args([
            "init",
            "lakeside.yaml",
            "--office",
            "Lakeside \"Family\" Dental",
            "--timezone",
            "America/Chicago",
            "--source",
            "backups",
        ])
        .run()
        .success()
        .stdout_contains("Wrote lakeside.yaml");
    let backups = office.join("backups");
    office
        .rota()
        .args(["check", "lakeside.yaml"])
        .run()
        .success()
        .stdout_contains("Lakeside \"Family\" Dental — the policy is valid")
        .stdout_contains("(America/Chicago)")
        // A relative source resolves against the policy's folder.
        .stdout_contains(&format!("in {}", backups.display()));
}

#[test]
fn init_rejects_an_unknown_time_zone_and_writes_nothing() {
    let office = TempOffice::empty();
    office
        .rota()
        .args(["init", "--timezone", "Eastern"])
        .run()
        .failure()
        .stderr_contains("unknown time zone `Eastern`");
    assert!(!office.join("rota.yaml").exists());
}
