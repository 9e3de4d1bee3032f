//! `rota sheet` as the real binary: snapshots of the text and Markdown sheets
//! for the weeks an office cares about (a normal week, a holiday, a month-end,
//! fiscal-year-ends, a six-day office), the year at a glance, several weeks at
//! once, disks not seen lately, restore tests, template overrides and the
//! errors for bad arguments.

use crate::support::{Rota, TempOffice, repo_file};

/// The sheet of `week` for a shipped policy, as `format`, made on the Monday
/// morning of that week.
fn sheet(policy: &str, week: &str, at: &str, format: &str) -> String {
    Rota::new()
        .args(["sheet", repo_file(policy).to_str().unwrap()])
        .args(["--week", week, "--format", format, "--at", at])
        .run()
        .success()
        .stdout
}

fn snapshot(name: &str, description: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
        description => description,
        omit_expression => true,
    }, {
        // Named as when this file was the test binary `sheet_command` (insta's
        // module prefix then), so the snapshot file keeps its name.
        insta::assert_snapshot!(format!("sheet_command__{name}"), text);
    });
}

/// (snapshot name, policy, week, --at): the weeks of the issue.
const WEEKS: [(&str, &str, &str, &str); 7] = [
    (
        "normal-week",
        "policies/vendor-guide.yaml",
        "2026-W11",
        "2026-03-09T08:30",
    ),
    (
        "holiday-week-thanksgiving",
        "policies/vendor-guide.yaml",
        "2026-W48",
        "2026-11-23T08:30",
    ),
    (
        "month-end-week",
        "policies/vendor-guide.yaml",
        "2026-W14",
        "2026-03-30T08:30",
    ),
    (
        "fiscal-year-end-week",
        "policies/vendor-guide.yaml",
        "2026-W53",
        "2026-12-28T08:30",
    ),
    (
        "new-fiscal-year-week",
        "policies/vendor-guide.yaml",
        "2027-W01",
        "2027-01-04T08:30",
    ),
    (
        "june-fiscal-year-end-week",
        "policies/four-day-june-fiscal-year.yaml",
        "2026-W27",
        "2026-06-29T08:30",
    ),
    (
        "six-day-office-week",
        "policies/six-day-after-midnight.yaml",
        "2026-W10",
        "2026-03-02T08:30",
    ),
];

#[test]
fn text_sheets_of_the_weeks_that_matter() {
    for (name, policy, week, at) in WEEKS {
        let text = sheet(policy, week, at, "text");
        let description = format!("rota sheet {policy} --week {week} --format text --at {at}");
        snapshot(&format!("{name}-text"), &description, &text);
    }
}

#[test]
fn markdown_sheets_of_the_weeks_that_matter() {
    for (name, policy, week, at) in WEEKS {
        let text = sheet(policy, week, at, "markdown");
        let description = format!("rota sheet {policy} --week {week} --format markdown --at {at}");
        snapshot(&format!("{name}-markdown"), &description, &text);
    }
}

#[test]
fn the_year_at_a_glance_as_text() {
    let text = Rota::new()
        .args([
            "sheet",
            repo_file("policies/vendor-guide.yaml").to_str().unwrap(),
        ])
        .args(["--year", "2026", "--format", "text", "--at", "2026-01-05"])
        .run()
        .success()
        .stdout;
    snapshot(
        "year-2026-text",
        "rota sheet policies/vendor-guide.yaml --year 2026 --format text",
        &text,
    );
}

#[test]
fn the_default_week_is_the_week_of_at_in_office_time() {
    // 2026-04-06 01:00 UTC is still Sunday 5 April in New York: week 14.
    let html = Rota::new()
        .args([
            "sheet",
            repo_file("policies/vendor-guide.yaml").to_str().unwrap(),
        ])
        .args(["--at", "2026-04-06T01:00:00Z"])
        .run()
        .success()
        .stdout;
    assert!(html.contains(r#"data-date="2026-03-30""#), "{html}");
    assert!(html.contains(r#"data-date="2026-04-05""#));
    assert!(!html.contains(r#"data-date="2026-04-06""#));
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(
        html.contains("size: letter portrait"),
        "New York prints on letter"
    );
}

#[test]
fn several_weeks_make_one_page_each() {
    let html = Rota::new()
        .args([
            "sheet",
            repo_file("policies/six-day-after-midnight.yaml")
                .to_str()
                .unwrap(),
        ])
        .args(["--from", "2026-W52", "--weeks", "3", "--at", "2026-12-21"])
        .run()
        .success()
        .stdout;
    assert_eq!(html.matches(r#"<article class="page week""#).count(), 3);
    for id in ["2026-W52", "2026-W53", "2027-W01"] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    assert!(html.contains("size: A4 portrait"), "Sydney prints on A4");
    assert!(html.contains("break-after: page"));
    let days = html.matches("data-date=").count();
    assert_eq!(days, 21);
}

#[test]
fn a_sheet_written_to_a_file() {
    let office = TempOffice::five_day();
    let out = office.join("april.html");
    office
        .rota()
        .args([
            "sheet",
            "policy.yaml",
            "--week",
            "2026-W14",
            "--paper",
            "a4",
            "--out",
        ])
        .arg(&out)
        .run()
        .success()
        .stderr_contains("Wrote the swap sheet for 2026-W14")
        .stderr_contains("print it");
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("size: A4 portrait"));
    assert!(html.contains(
        r#"data-date="2026-03-31" data-connect="TUE" data-store="MON" data-flags="month-end quarter-end""#
    ));
}

/// The five-day test office with a catalog: MON last seen on its night two
/// weeks ago, the others on their latest nights; a restore test in January.
fn office_with_history() -> TempOffice {
    let office = TempOffice::five_day();
    let disk = |label: &str, seen: &str| {
        format!(r#""id-{label}": {{ "label": "{label}", "last_seen": "{seen}" }}"#)
    };
    let catalog = format!(
        r#"{{ "rota_catalog": 1, "disks": {{ {}, {}, {}, {}, {} }} }}"#,
        disk("MON", "2026-03-17T03:00:00Z"),
        disk("TUE", "2026-03-25T03:00:00Z"),
        disk("WED", "2026-03-26T03:00:00Z"),
        disk("THU", "2026-03-27T03:00:00Z"),
        disk("FRI", "2026-03-28T03:00:00Z"),
    );
    office.file("state/catalog.json", 0);
    std::fs::write(office.join("state/catalog.json"), catalog).unwrap();
    std::fs::write(
        office.join("state/restore-tests.jsonl"),
        r#"{"at":"2026-01-02T15:00:00Z","date":"2026-01-02","backup":"b","from":"MON","ok":true,"detail":""}"#
            .to_string()
            + "\n",
    )
    .unwrap();
    office
}

#[test]
fn disks_not_seen_for_a_rotation_cycle_and_the_restore_test_are_on_the_sheet() {
    let office = office_with_history();
    let text = office
        .rota()
        .args([
            "sheet",
            "policy.yaml",
            "--week",
            "2026-W14",
            "--format",
            "text",
        ])
        .args(["--at", "2026-03-28T10:00"])
        .run()
        .success()
        .stdout;
    // Saturday 28 March: MON's latest night was Monday 23 March; it was last
    // seen on 16 March (23:00 New York).
    assert!(
        text.contains("MON: last seen Monday 16 March (12 days ago); missed its night, Monday 23"),
        "{text}"
    );
    let not_seen = text
        .split("Disks not seen lately")
        .nth(1)
        .and_then(|rest| rest.split("Where disks are kept").next())
        .unwrap();
    for seen in ["TUE:", "WED:", "THU:", "FRI:", "Never seen"] {
        assert!(
            !not_seen.contains(seen),
            "{seen} should not be listed:\n{text}"
        );
    }
    assert!(
        text.contains("A restore test is due this week, on Thursday 2 April."),
        "{text}"
    );
}

#[test]
fn an_unreadable_catalog_does_not_stop_the_sheet() {
    let office = TempOffice::five_day();
    office.file("state/catalog.json", 0);
    std::fs::write(office.join("state/catalog.json"), "{ not json").unwrap();
    office
        .rota()
        .args([
            "sheet",
            "policy.yaml",
            "--week",
            "2026-W14",
            "--format",
            "text",
        ])
        .run()
        .success()
        .stdout_contains("Could not check when disks were last seen")
        .stdout_contains("connect TUE");
}

#[test]
fn bad_weeks_get_a_clear_error_with_an_example() {
    let office = TempOffice::five_day();
    office
        .rota()
        .args(["sheet", "policy.yaml", "--week", "2026-14"])
        .run()
        .failure()
        .no_panic()
        .stderr_contains("--week: `2026-14` is not a week")
        .stderr_contains("2026-W14");
    office
        .rota()
        .args(["sheet", "policy.yaml", "--from", "2027-W53", "--weeks", "2"])
        .run()
        .failure()
        .stderr_contains("2027 has no week 53")
        .stderr_contains("2027-W01 to 2027-W52");
    office
        .rota()
        .args([
            "sheet",
            "policy.yaml",
            "--week",
            "2026-W14",
            "--year",
            "2026",
        ])
        .run()
        .failure()
        .no_panic()
        .stderr_contains("cannot be used with");
    office
        .rota()
        .args(["sheet", "policy.yaml", "--weeks", "0"])
        .run()
        .failure()
        .no_panic();
}

#[test]
fn an_office_can_use_its_own_templates() {
    let office = TempOffice::five_day();
    office.folder("brand");
    std::fs::write(
        office.join("brand/week.txt"),
        "{% for week in weeks %}{{ office }} {{ week.id }}:{% for day in week.days %} {{ day.connect_text | default(value='-') }}{% endfor %}\n{% endfor %}",
    )
    .unwrap();
    std::fs::write(office.join("brand/notes.txt"), "not a template").unwrap();
    office
        .rota()
        .args([
            "sheet",
            "policy.yaml",
            "--week",
            "2026-W14",
            "--format",
            "text",
        ])
        .args(["--templates", "brand"])
        .run()
        .success()
        .stdout_contains("Test Family Dental 2026-W14: MON TUE WED THU FRI  ")
        .stderr_contains("notes.txt is not one of rota's template names");
    // The other templates are still rota's own.
    office
        .rota()
        .args([
            "sheet",
            "policy.yaml",
            "--week",
            "2026-W14",
            "--format",
            "markdown",
        ])
        .args(["--templates", "brand"])
        .run()
        .success()
        .stdout_contains("| Day | Morning");
}

#[test]
fn a_template_with_a_mistake_fails_and_names_it() {
    let office = TempOffice::five_day();
    office.folder("brand");
    std::fs::write(office.join("brand/week.txt"), "{{ weeks[0].dayz }}").unwrap();
    office
        .rota()
        .args([
            "sheet",
            "policy.yaml",
            "--format",
            "text",
            "--templates",
            "brand",
        ])
        .run()
        .failure()
        .no_panic()
        .stderr_contains("the template week.txt could not be rendered")
        .stderr_contains("docs/sheets.md");
    std::fs::write(office.join("brand/week.txt"), "{% for day in %}").unwrap();
    office
        .rota()
        .args([
            "sheet",
            "policy.yaml",
            "--format",
            "text",
            "--templates",
            "brand",
        ])
        .run()
        .failure()
        .stderr_contains("the template week.txt has an error");
    office
        .rota()
        .args(["sheet", "policy.yaml", "--templates", "no-such-folder"])
        .run()
        .failure()
        .stderr_contains("cannot read the templates folder");
    office.folder("empty");
    office
        .rota()
        .args(["sheet", "policy.yaml", "--templates", "empty"])
        .run()
        .failure()
        .stderr_contains("holds none of rota's templates");
}
