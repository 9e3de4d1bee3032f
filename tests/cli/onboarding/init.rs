//! `rota init`: writes a starter policy that itself passes `rota check`, and
//! never overwrites an existing file unless told to.

use std::fs;

use crate::support::TempOffice;

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

/// What `rota init` says: every line to edit (the time zone among them,
/// marked CHANGE like the others), then check, label, the first night by
/// hand, and only then the schedule.
#[test]
fn init_lists_the_lines_to_change_and_the_first_steps_in_order() {
    let office = TempOffice::empty();
    let output = office
        .rota()
        .args(["init", "--timezone", "America/Denver"])
        .run()
        .success();
    let written = fs::read_to_string(office.join("rota.yaml")).unwrap();
    let timezone_line = written
        .lines()
        .find(|line| line.trim_start().starts_with("timezone:"))
        .unwrap();
    assert!(timezone_line.contains("# CHANGE"), "{timezone_line}");
    // This year's holidays and next year's: no `holidays-missing` in autumn.
    let year = chrono::Datelike::year(&chrono::Local::now());
    for year in [year, year + 1] {
        assert!(written.contains(&format!("{{ date: {year}-12-25, name: Christmas Day }}")));
    }
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
        description => "rota init --timezone America/Denver",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("init_next_steps", output.stdout);
    });
}

/// `rota init` on a machine whose zone is UTC writes it, and `rota check`
/// then says it is a fixed offset and which zone to write instead.
#[test]
fn a_machine_zone_of_utc_is_written_and_then_questioned_by_check() {
    let office = TempOffice::empty();
    office
        .rota()
        .arg("init")
        .env("TZ", "Etc/UTC")
        .run()
        .success();
    office
        .rota()
        .args(["check", "rota.yaml"])
        .run()
        .success()
        .stderr_contains("policy::fixed-offset-zone")
        .stderr_contains("`Etc/UTC` is a fixed offset (UTC)");
}
