//! `rota plan` and `rota explain` driven through the binary on real folders:
//! the JSON contract the README documents, the text diff, saved plans, exit codes, and
//! `--at` in other time zones.

use crate::support::{Rota, TempOffice};

/// A fortnight of nightly backups (one a bundle), a stray file, TUE labelled
/// and connected, and an unlabelled folder where disks appear.
fn office() -> TempOffice {
    let office = TempOffice::five_day();
    for day in 16..=31 {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        if chrono::Datelike::weekday(&date).number_from_monday() <= 5 {
            office.backup_file(
                &format!("MacPractice_2026-03-{day:02}_2330.mpbackup"),
                1000 + u64::from(day),
            );
        }
    }
    office.backup_bundle("MacPractice_2026-03-13_2330.mpbackup", 4000);
    office.file("source/notes.txt", 10);
    office.folder("disks/TUE");
    office.folder("disks/stick");
    Rota::new()
        .args(["disk", "init"])
        .arg(office.join("disks/TUE"))
        .args(["--label", "TUE"])
        .run()
        .success();
    office
}

fn plan_json(office: &TempOffice, at: &str) -> serde_json::Value {
    let output = office
        .rota()
        .arg("plan")
        .arg(office.policy())
        .args(["--at", at, "--format", "json"])
        .run()
        .success();
    serde_json::from_str(&output.stdout).expect("plan --format json prints JSON")
}

#[test]
fn plan_json_has_the_fields_of_the_spec() {
    let office = office();
    let plan = plan_json(&office, "2026-03-31");
    assert_eq!(plan["schema"], 1);
    assert_eq!(plan["at"], "2026-03-31T23:59:00-04:00");
    assert_eq!(plan["today"], "2026-03-31");
    let backups = plan["backups"].as_array().unwrap();
    assert_eq!(backups.len(), 13);
    let tuesday = backups
        .iter()
        .find(|b| b["name"] == "MacPractice_2026-03-31_2330.mpbackup")
        .unwrap();
    assert_eq!(tuesday["business_day"], "2026-03-31");
    assert_eq!(tuesday["size"], 1031);
    assert_eq!(tuesday["tiers"], serde_json::json!(["business_days"]));
    assert_eq!(tuesday["locations"], serde_json::json!(["server"]));
    assert_eq!(tuesday["required_at"], serde_json::json!(["server", "TUE"]));
    let bundle = backups
        .iter()
        .find(|b| b["name"] == "MacPractice_2026-03-13_2330.mpbackup")
        .unwrap();
    assert_eq!(bundle["kind"], "bundle");
    assert_eq!(bundle["size"], 4000);

    let actions = plan["actions"].as_array().unwrap();
    let copy = actions
        .iter()
        .find(|a| a["backup"] == "MacPractice_2026-03-31_2330.mpbackup")
        .unwrap();
    assert_eq!(copy["op"], "copy");
    assert_eq!(copy["from"], "server");
    assert_eq!(copy["to"], "TUE");
    assert_eq!(copy["bytes"], 1031);
    assert!(copy["after"].as_array().unwrap().is_empty());
    for action in actions {
        assert!(["copy", "remove", "archive", "destroy"].contains(&action["op"].as_str().unwrap()));
        for before in action["after"].as_array().unwrap() {
            assert!(before.as_u64().unwrap() < action["id"].as_u64().unwrap());
        }
    }
    let pending = plan["pending"].as_array().unwrap();
    assert!(
        pending.iter().any(|p| p["op"] == "copy"
            && p["to"] == "MON"
            && p["reason"] == "disk MON not connected")
    );
    let codes: Vec<&str> = plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"unrecognized-file"), "{codes:?}");
    assert!(codes.contains(&"unlabelled-disk"), "{codes:?}");
    assert!(codes.contains(&"restore-test-due"), "{codes:?}");
}

#[test]
fn the_text_diff_reads_as_a_plan() {
    let office = office();
    let output = office
        .rota()
        .arg("plan")
        .arg(office.policy())
        .args(["--at", "2026-03-31"])
        .run()
        .success();
    let text = redact_space(&office.redact(&output.stdout));
    assert!(
        text.contains("+ copy     MacPractice_2026-03-31_2330.mpbackup"),
        "{text}"
    );
    assert!(
        text.contains("· pending  copy MacPractice_2026-03-30_2330.mpbackup → MON"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour when piped");
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("plan_command_text", text);
    });
}

/// Free space depends on the machine: "connected at X, 65.8 GB free of …)"
/// becomes "connected at X, [SPACE])".
fn redact_space(text: &str) -> String {
    text.lines()
        .map(
            |line| match (line.find(" free of "), line.find("connected at ")) {
                (Some(free), Some(_)) => {
                    let start = line[..free].rfind(", ").unwrap_or(free);
                    let end = line[free..].find(')').map_or(line.len(), |i| free + i + 1);
                    format!("{}, [SPACE]{}", &line[..start], &line[end..])
                }
                _ => line.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn detailed_exitcode_and_saved_plans() {
    let office = office();
    office
        .rota()
        .arg("plan")
        .arg(office.policy())
        .args(["--at", "2026-03-31", "--detailed-exitcode"])
        .run()
        .code(2);
    let saved = office.join("tonight.json");
    office
        .rota()
        .arg("plan")
        .arg(office.policy())
        .args(["--at", "2026-03-31", "--out"])
        .arg(&saved)
        .run()
        .success();
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    assert_eq!(saved["rota_saved_plan"], 1);
    assert_eq!(saved["fingerprint"].as_str().unwrap().len(), 64);
    assert_eq!(saved["plan"]["fingerprint"], saved["fingerprint"]);
    // An office with nothing to do exits 0 even with --detailed-exitcode.
    let empty = TempOffice::five_day();
    empty
        .rota()
        .arg("plan")
        .arg(empty.policy())
        .args(["--at", "2026-03-31", "--detailed-exitcode"])
        .run()
        .code(0);
}

#[test]
fn at_in_utc_is_read_in_the_office_time_zone() {
    let office = office();
    // 02:30 UTC on April 1st is 22:30 on March 31st in New York.
    let plan = plan_json(&office, "2026-04-01T02:30:00Z");
    assert_eq!(plan["today"], "2026-03-31");
    assert_eq!(plan["at"], "2026-03-31T22:30:00-04:00");
    // And 10:00 UTC on April 1st is the morning of April 1st.
    let plan = plan_json(&office, "2026-04-01T10:00:00Z");
    assert_eq!(plan["today"], "2026-04-01");
}

#[test]
fn bad_at_and_unknown_backups_are_clear_errors() {
    let office = office();
    office
        .rota()
        .arg("plan")
        .arg(office.policy())
        .args(["--at", "yesterday"])
        .run()
        .code(1)
        .stderr_contains("is not a time rota understands")
        .no_panic();
    office
        .rota()
        .arg("explain")
        .arg(office.policy())
        .arg("MacPractice_2026-03-31_2331.mpbackup")
        .args(["--at", "2026-03-31"])
        .run()
        .code(1)
        .stderr_contains("MacPractice_2026-03-31_2330.mpbackup");
}

#[test]
fn explain_by_date() {
    let office = office();
    office
        .rota()
        .arg("explain")
        .arg(office.policy())
        .arg("2026-03-31")
        .args(["--at", "2026-03-31"])
        .run()
        .success()
        .stdout_contains("MacPractice_2026-03-31_2330.mpbackup")
        .stdout_contains("✓ business_days")
        .stdout_contains("+ copy server → TUE");
}
