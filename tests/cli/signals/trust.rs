//! Signals people can trust (issue 27), through the real binary: `rota
//! explain` of a backup that was deleted and of a closed day, `rota check`
//! and `plan` when the pattern matches none of the files, and a week of
//! nights against real notification servers on 127.0.0.1.

use crate::apply_office::{ApplyOffice, name};
use crate::support::FIVE_DAY_POLICY;

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

/// The five-day office with backups from 2026-03-16 to 03-31 and TUE
/// plugged in; `extra` is appended to the policy.
fn office(extra: &str) -> ApplyOffice {
    let office = ApplyOffice::new(&format!("{FIVE_DAY_POLICY}{extra}"));
    for day in [16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 30, 31] {
        office
            .office
            .backup_file(&name(&format!("2026-03-{day}")), 2000 + day);
    }
    office.disk("TUE", true);
    office
}

#[test]
fn explain_says_when_where_by_which_run_and_why_a_deleted_backup_went() {
    let office = office("");
    // A Tuesday older than TUE's newest 4 and than the 10 business days:
    // no rule keeps it anywhere, so tonight removes it from the server.
    let gone = name("2026-03-03");
    office.office.backup_file(&gone, 2003);
    office.office.backup_file(&name("2026-03-10"), 2010);
    office.apply("2026-03-31T23:45").success();
    assert!(
        office.audit().iter().any(|(_, backup, ..)| *backup == gone),
        "the night deleted {gone}: {:?}",
        office.audit()
    );
    let by_name = office
        .rota()
        .args(["explain", "policy.yaml", &gone, "--at", "2026-04-01T09:00"])
        .run()
        .success();
    let by_date = office
        .rota()
        .args([
            "explain",
            "policy.yaml",
            "2026-03-03",
            "--at",
            "2026-04-01T09:00",
        ])
        .run()
        .success();
    assert_eq!(by_name.stdout, by_date.stdout);
    let run = by_name
        .stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix("by run "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("the run is named:\n{}", by_name.stdout))
        .to_string();
    let text = office.office.redact(&by_name.stdout).replace(&run, "[RUN]");
    snapshot("explain_deleted_backup", &steady_clock(&text));
    // Nothing recorded of it at all: still an error that says so.
    office
        .rota()
        .args([
            "explain",
            "policy.yaml",
            "MacPractice_2025-01-02_2330.mpbackup",
        ])
        .run()
        .failure()
        .stderr_contains("the audit log records no deletion of one");
}

/// The real clock's instant of a deletion ("2026-12-07T18:54:17-05:00  removed
/// from") varies: a placeholder.
fn steady_clock(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("  removed from") {
            Some(at) if line.starts_with("  ") => format!("  [WHEN]{}", &line[at..]),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn explain_of_a_closed_day_names_the_holiday() {
    let office = office("");
    let holiday = office
        .rota()
        .args(["explain", "policy.yaml", "2026-01-01"])
        .run()
        .success();
    let weekend = office
        .rota()
        .args(["explain", "policy.yaml", "2026-03-28"])
        .run()
        .success();
    snapshot(
        "explain_closed_days",
        &format!("{}\n{}", holiday.stdout, weekend.stdout),
    );
    assert!(
        holiday.stdout.contains("New Year's Day"),
        "{}",
        holiday.stdout
    );
}

#[test]
fn a_pattern_that_matches_none_of_the_files_is_never_nothing_to_do() {
    let office = ApplyOffice::new(FIVE_DAY_POLICY);
    for day in 2..=13 {
        office
            .office
            .backup_file(&format!("Dentrix_2026-11-{day:02}.zip"), 100);
    }
    office
        .rota()
        .args(["check", "policy.yaml"])
        .run()
        .success()
        .stderr_contains("pattern-matches-nothing")
        .stderr_contains("none of the 12 files in the source folder matches source.pattern")
        .stderr_contains("`MacPractice_{%Y-%m-%d_%H%M}.mpbackup`")
        .stderr_contains("\"Dentrix_2026-11-02.zip\"")
        .stderr_contains("and 9 more");
    let plan = office
        .rota()
        .args(["plan", "policy.yaml", "--at", "2026-11-13"])
        .run()
        .success()
        .stdout_contains("Nothing can be done: the source folder holds no backup");
    assert!(!plan.stdout.contains("Nothing to do"), "{}", plan.stdout);
    let apply = office.apply("2026-11-13").failure();
    assert!(!apply.stdout.contains("Nothing to do"), "{}", apply.stdout);
    assert!(
        apply.stdout.contains("pattern-matches-nothing"),
        "{}",
        apply.stdout
    );
}

#[test]
fn rota_digest_prints_the_weeks_nights_and_says_a_missed_one_was_missed() {
    let office = office("notify:\n  digest: weekly\n  ntfy: http://127.0.0.1:9/unused\n");
    // Tuesday night ran; Monday's and Wednesday's did not.
    office.apply("2026-03-31T23:45").success();
    let digest = office
        .rota()
        .args(["digest", "policy.yaml", "--at", "2026-04-02T09:00"])
        .run()
        .success();
    let text = digest.stdout;
    assert!(
        text.starts_with("Weekly backup digest: 2 of 3 nights failed or were missed (Test Family Dental, 2026-03-30 to 2026-04-05)"),
        "{text}"
    );
    assert!(text.contains("  Tue 2026-03-31  ok"), "{text}");
    assert!(
        text.contains("  Wed 2026-04-01  MISSED   no run is recorded for this night"),
        "{text}"
    );
    assert!(text.contains("  Thu 2026-04-02  to come"), "{text}");
    assert!(text.contains("WED  never seen"), "{text}");
    let month = office
        .rota()
        .args([
            "digest",
            "policy.yaml",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
        ])
        .args(["--at", "2026-04-02T09:00"])
        .run()
        .success();
    assert!(
        month.stdout.starts_with("Backup digest: ")
            && month
                .stdout
                .contains("(Test Family Dental, 2026-03-01 to 2026-03-31)"),
        "{}",
        month.stdout
    );
    office
        .rota()
        .args([
            "digest",
            "policy.yaml",
            "--from",
            "2026-03-31",
            "--to",
            "2026-03-01",
        ])
        .run()
        .failure()
        .stderr_contains("the period starts (2026-03-31) after it ends (2026-03-01)");
}
