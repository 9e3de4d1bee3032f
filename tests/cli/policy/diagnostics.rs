//! Every broken policy in tests/fixtures/broken/ is a mistake an office's IT
//! person could really make. Each one must fail to load, and its rendered
//! diagnostics (file, line and column, the offending text underlined, a help
//! line) are snapshotted in snapshots/. A few are also run through the real
//! binary to check the exit status and the `file:line:col` location on stderr.

use std::path::{Path, PathBuf};

use crate::support;
use crate::support::{Rota, redact_paths, repo_file};
use rota::cli::error_display::Style;
use rota::cli::{CliError, render_error};
use rota::policy::{PolicyCode, PolicyErrors};

const FIXTURES: &str = "tests/fixtures/broken";

/// The fixture's path as a user would type it (relative to the crate folder,
/// which is where cargo runs integration tests), so diagnostics name it so.
fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(format!("{name}.yaml"))
}

fn load_errors(name: &str) -> PolicyErrors {
    match rota::policy::load(&fixture(name)) {
        Ok(_) => panic!("{name}.yaml loaded, but it is a broken policy"),
        Err(errors) => errors,
    }
}

fn rendered(errors: PolicyErrors) -> String {
    redact_paths(
        &render_error(&CliError::Policy(errors), Style::plain()),
        &[],
    )
}

fn codes(errors: &PolicyErrors) -> Vec<&'static str> {
    errors.diagnostics.iter().map(|d| d.code.name()).collect()
}

/// Loads the fixture, checks its codes, and snapshots the rendered report.
fn check_fixture(name: &str, expected_codes: &[&str]) {
    let errors = load_errors(name);
    assert_eq!(codes(&errors), expected_codes, "codes of {name}.yaml");
    for diagnostic in &errors.diagnostics {
        if let Some(source) = &diagnostic.source {
            let span = diagnostic.span;
            let text = source.inner();
            assert!(
                span.offset + span.len <= text.len(),
                "{name}: span {span:?} lies outside the file"
            );
            assert!(
                diagnostic.line_column().is_some(),
                "{name}: no line and column for {}",
                diagnostic.code
            );
        }
        assert!(
            diagnostic.help.is_some(),
            "{name}: {} has no help",
            diagnostic.code
        );
    }
    let report = rendered(errors);
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
        description => format!("rota check {FIXTURES}/{name}.yaml"),
        omit_expression => true,
    }, {
        // Named as when this file was the test binary `policy_diagnostics` (insta's
        // module prefix then), so the snapshot file keeps its name.
        insta::assert_snapshot!(format!("policy_diagnostics__{name}"), report);
    });
}

/// One test per fixture: `name => [codes...]`, in the order they are reported.
macro_rules! broken_policies {
    ($($test:ident: $file:literal => [$($code:literal),* $(,)?];)*) => {
        $(
            #[test]
            fn $test() {
                check_fixture($file, &[$($code),*]);
            }
        )*

        /// Every fixture file has a test above, so none is silently skipped.
        const TESTED: &[&str] = &[$($file),*];
    };
}

broken_policies! {
    unknown_top_level_key: "unknown-top-level-key" => ["unknown-key"];
    unknown_nested_key: "unknown-nested-key" => ["unknown-key"];
    duplicate_disk_label: "duplicate-disk-label" => ["duplicate-label"];
    open_day_without_disk: "open-day-without-disk" => ["uncovered-open-day"];
    fiscal_year_end_06_31: "fiscal-year-end-06-31" => ["fiscal-year-end-not-month-end"];
    fiscal_year_end_06_15: "fiscal-year-end-06-15" => ["fiscal-year-end-not-month-end"];
    pattern_without_day: "pattern-without-day" => ["bad-pattern"];
    pattern_without_braces: "pattern-without-braces" => ["bad-pattern"];
    pattern_bad_specifier: "pattern-bad-specifier" => ["bad-pattern"];
    pattern_numbers_run_together: "pattern-numbers-run-together" => ["bad-pattern"];
    min_backups_zero: "min-backups-zero" => ["min-backups-zero"];
    archive_to_unknown_disk: "archive-to-unknown-disk" => ["archive-to-unknown"];
    closed_range_backwards: "closed-range-backwards" => ["closed-range-backwards"];
    unknown_weekday: "unknown-weekday" => ["unknown-weekday"];
    unknown_timezone: "unknown-timezone" => ["unknown-timezone"];
    ignore_every_volume: "ignore-every-volume" => ["bad-ignore"];
    version_2: "version-2" => ["unsupported-version"];
    list_instead_of_map: "list-instead-of-map" => ["wrong-type"];
    missing_required_key: "missing-required-key" => ["missing-key"];
    bad_reserve: "bad-reserve" => ["bad-reserve"];
    bad_time: "bad-time" => ["bad-time"];
    tab_indentation: "tab-indentation" => ["tab-indentation"];
    bad_indentation: "bad-indentation" => ["bad-indentation"];
    duplicate_yaml_key: "duplicate-yaml-key" => ["duplicate-key"];
    min_backups_in_words: "min-backups-in-words" => ["wrong-type"];
    unknown_archive_tier: "unknown-archive-tier" => ["unknown-tier"];
    closed_date_not_a_date: "closed-date-not-a-date" => ["bad-date"];
    unknown_destruction: "unknown-destruction" => ["unknown-destruction"];
    encrypted_not_yes_or_no: "encrypted-not-yes-or-no" => ["not-yes-or-no"];
    server_drive_not_yes_or_no: "server-drive-not-yes-or-no" => ["not-yes-or-no"];
    several_problems: "several-problems" => [
        "unknown-weekday",
        "fiscal-year-end-not-month-end",
        "min-backups-zero",
        "duplicate-label",
    ];
    empty: "empty" => ["empty-policy"];
    comments_only: "comments-only" => ["empty-policy"];
    binary_garbage: "binary-garbage" => ["not-text"];
    utf16: "utf16" => ["not-utf8"];
    latin_encoding: "latin-encoding" => ["not-utf8"];
    alias_bomb: "alias-bomb" => ["alias-expansion"];
    source_on_a_disk: "source-on-a-disk" => ["source-on-disk", "state-on-disk"];
    disks_inside_the_source: "disks-inside-the-source" => [
        "stale-after-zero",
        "disk-in-source",
        "offsite-on-disk",
    ];
    contingency_rto_in_words: "contingency-rto-in-words" => ["bad-duration"];
    contingency_secret_key: "contingency-secret-key" => ["secret-in-policy"];
    contingency_contacts: "contingency-contacts" => [
        "contact-without-name",
        "bad-phone",
        "bad-email-address",
        "unknown-priority",
    ];
}

#[test]
fn every_fixture_has_a_test() {
    let mut on_disk: Vec<String> = std::fs::read_dir(repo_file(FIXTURES))
        .expect("fixtures folder")
        .map(|entry| entry.expect("fixture entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut tested: Vec<String> = TESTED.iter().map(|name| name.to_string()).collect();
    tested.sort();
    assert_eq!(on_disk, tested);
    assert!(on_disk.len() >= 20, "at least 20 broken policies");
}

#[test]
fn several_problems_are_all_reported_at_once() {
    let errors = load_errors("several-problems");
    assert_eq!(errors.error_count(), 4);
    let lines: Vec<usize> = errors
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.line_column().expect("located").0)
        .collect();
    // fir (open_days), "09-31", min_backups 0, the second WED label.
    assert_eq!(lines, [7, 12, 23, 29]);
    let report = rendered(errors);
    assert!(report.contains("the policy has 4 problems; nothing was changed"));
}

/// The binary: exit status 1 and a `file:line:col` location on stderr.
#[test]
fn the_binary_reports_broken_policies_with_their_location() {
    for (name, location, text) in [
        (
            "unknown-top-level-key",
            "unknown-top-level-key.yaml:16:1",
            "did you mean `retain`?",
        ),
        (
            "duplicate-disk-label",
            "duplicate-disk-label.yaml:27:16",
            "used twice",
        ),
        (
            "fiscal-year-end-06-15",
            "fiscal-year-end-06-15.yaml:11:20",
            "did you mean \"06-30\"?",
        ),
        (
            "tab-indentation",
            "tab-indentation.yaml:15:1",
            "a tab is used for indentation",
        ),
        (
            "bad-indentation",
            "bad-indentation.yaml:14:4",
            "`pattern` is indented 3 spaces",
        ),
        (
            "several-problems",
            "several-problems.yaml:29:16",
            "4 problems",
        ),
    ] {
        Rota::new()
            .current_dir(support::manifest_dir())
            .arg("check")
            .arg(fixture(name))
            .run()
            .failure()
            .no_panic()
            .stderr_contains(location)
            .stderr_contains(text)
            .stdout_lacks("the policy is valid");
    }
}

#[test]
fn the_binary_survives_hostile_files() {
    for name in ["alias-bomb", "binary-garbage", "empty", "utf16"] {
        Rota::new()
            .current_dir(support::manifest_dir())
            .arg("check")
            .arg(fixture(name))
            .run()
            .failure()
            .no_panic()
            .stderr_contains(&format!("{name}.yaml"));
    }
}

#[test]
fn a_missing_policy_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    Rota::new()
        .current_dir(dir.path())
        .args(["check", "no-such-policy.yaml"])
        .run()
        .failure()
        .stderr_contains("cannot read the policy no-such-policy.yaml")
        .stderr_contains("rota init");
}

/// Every diagnostic code a policy check can report ([`PolicyCode::ALL`]).
fn codes_in_source() -> Vec<String> {
    let mut codes: Vec<String> = PolicyCode::ALL
        .iter()
        .map(|code| code.name().to_string())
        .collect();
    codes.sort();
    codes
}

/// The codes in the README's diagnostics table.
fn codes_in_readme() -> Vec<String> {
    let readme = std::fs::read_to_string(repo_file("README.md")).unwrap();
    let section = readme
        .split("\n## Diagnostics\n")
        .nth(1)
        .expect("README has a Diagnostics section");
    let section = section.split("\n## ").next().unwrap();
    let mut codes: Vec<String> = section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .map(|rest| rest[..rest.find('`').unwrap()].to_string())
        .collect();
    codes.sort();
    codes
}

#[test]
fn every_code_is_documented_in_the_readme() {
    let in_source = codes_in_source();
    assert!(in_source.len() > 40, "found only {in_source:?}");
    assert!(in_source.contains(&"uncovered-open-day".to_string()));
    assert_eq!(
        codes_in_readme(),
        in_source,
        "README table vs PolicyCode::ALL (src/policy/code.rs)"
    );
}

/// Advice on a valid policy, in the binary's words: a Denver office that
/// wrote `MST` (a fixed offset, an hour off all summer) and listed only this
/// year's holidays, checked in November. `rota check` exits 0 and warns
/// `fixed-offset-zone` (with the city zone) and `holidays-missing`.
#[test]
fn a_fixed_offset_zone_and_next_years_missing_holidays_are_warned() {
    let office = support::TempOffice::new(
        &support::FIVE_DAY_POLICY
            .replace("America/New_York", "MST")
            .replace(
                "    - { date: 2026-01-01, name: New Year's Day }\n",
                "    - { date: 2026-01-01, name: New Year's Day }\n    - { date: 2026-11-26, name: Thanksgiving }\n",
            ),
    );
    let output = office
        .rota()
        .args(["check", "policy.yaml", "--at", "2026-11-02"])
        .run()
        .success()
        .stdout_contains("the policy is valid");
    let stderr = office.redact(&output.stderr);
    assert!(stderr.contains("policy::fixed-offset-zone"), "{stderr}");
    assert!(stderr.contains("`America/Denver`"), "{stderr}");
    assert!(stderr.contains("policy::holidays-missing"), "{stderr}");
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
        description => "rota check policy.yaml --at 2026-11-02 (timezone: MST; holidays of 2026 only)",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("check_fixed_offset_zone_and_holidays_missing", stderr);
    });
    // Before October, and with next year's holidays listed, nothing is asked.
    office
        .rota()
        .args(["check", "policy.yaml", "--at", "2026-09-30"])
        .run()
        .success()
        .stderr_lacks("holidays-missing");
    let with_next_year = std::fs::read_to_string(office.policy())
        .unwrap()
        .replace(
            "name: Thanksgiving }\n",
            "name: Thanksgiving }\n    - { date: 2027-01-01, name: New Year's Day }\n",
        )
        .replace("timezone: MST", "timezone: America/Denver");
    office.write_policy(&with_next_year);
    office
        .rota()
        .args(["check", "policy.yaml", "--at", "2026-11-02"])
        .run()
        .success()
        .stderr_lacks("holidays-missing")
        .stderr_lacks("fixed-offset-zone");
}
