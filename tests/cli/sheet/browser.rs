//! The printed sheet, in a real browser: each week's HTML is printed to PDF by
//! headless Chromium on Letter and on A4, and must come out as exactly one
//! page (`pdfinfo`) whose text (`pdftotext`) names, for every day, the disk to
//! connect and the disk to take off, as `placement::nightly` says. Several
//! weeks print one page each; the year at a glance fits one page.
//!
//! Chromium and poppler-utils are required (`scripts/test` installs them): the
//! test fails, never skips, when they are missing (`support::tools`). Set
//! `ROTA_CHROMIUM` to use another Chromium or Chrome binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support;
use crate::support::browser::{page_size, page_text, pages, print_to_pdf, run};
use crate::support::tools::chromium;
use crate::support::{Rota, TempOffice, repo_file};
use rota::placement::nightly::{Night, iso_week};

/// Where `word` first appears in `text` as a whole label (not inside a
/// longer one).
fn label_position(text: &str, word: &str) -> Option<usize> {
    let is_label_char = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    text.match_indices(word).map(|(at, _)| at).find(|at| {
        let before = text[..*at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_label_char) && !after.is_some_and(is_label_char)
    })
}

fn has_label(text: &str, word: &str) -> bool {
    label_position(text, word).is_some()
}

/// Checks one printed week: each day's part of the page (from its weekday's
/// name to the next's) names its disks, or says the office is closed.
fn check_week_text(text: &str, nights: &[Night], what: &str) {
    let table = text
        .find("Initials")
        .unwrap_or_else(|| panic!("{what}: no table header in the PDF text:\n{text}"));
    let mut from = table;
    let mut starts = Vec::new();
    for night in nights {
        let name = night.date.format("%A").to_string();
        let at = text[from..]
            .find(&name)
            .map(|offset| from + offset)
            .unwrap_or_else(|| panic!("{what}: {name} is missing from the PDF text:\n{text}"));
        starts.push(at);
        from = at + name.len();
    }
    let end = text[from..]
        .find("Restore test")
        .map(|offset| from + offset)
        .unwrap_or(text.len());
    starts.push(end);
    for (i, night) in nights.iter().enumerate() {
        let part = &text[starts[i]..starts[i + 1]];
        let date = night.date;
        if night.open {
            // The row reads: day, the disk to take off (morning), then the
            // disk to connect (evening).
            let mut evening = part;
            for label in &night.store {
                let at = label_position(part, label)
                    .unwrap_or_else(|| panic!("{what} {date}: take off {label} not in {part:?}"));
                evening = &part[at + label.len()..];
            }
            for label in &night.connect {
                assert!(
                    has_label(evening, label),
                    "{what} {date}: connect {label} not after the morning's disk in {part:?}"
                );
            }
            if !night.long_term.is_empty() {
                assert!(
                    part.contains("LONG-TERM:")
                        && part.replace('\n', " ").contains("in the rotation"),
                    "{what} {date}: no long-term flag in {part:?}"
                );
            }
        } else {
            assert!(
                part.contains("Closed"),
                "{what} {date}: not shown closed in {part:?}"
            );
        }
    }
}

fn nights(policy: &str, week: &str) -> Vec<Night> {
    nights_of(&repo_file(policy), week)
}

fn nights_of(policy: &Path, week: &str) -> Vec<Night> {
    let loaded = rota::policy::load(policy).expect("the policy loads");
    let (year, number) = week.split_once("-W").unwrap();
    iso_week(
        &loaded.policy,
        year.parse().unwrap(),
        number.parse().unwrap(),
    )
    .unwrap()
}

/// Writes the sheet to `scratch` with `rota sheet ... --out`.
fn write_sheet(scratch: &Path, name: &str, policy: &str, args: &[&str]) -> PathBuf {
    let html = scratch.join(format!("{name}.html"));
    Rota::new()
        .args(["sheet", repo_file(policy).to_str().unwrap()])
        .args(args)
        .arg("--out")
        .arg(&html)
        .run()
        .success();
    html
}

/// (name, policy, week, --at): a normal week, a holiday week, a month-end, the
/// fiscal-year-ends of a December and a June fiscal year, a six-day office.
const WEEKS: [(&str, &str, &str, &str); 6] = [
    (
        "normal",
        "policies/vendor-guide.yaml",
        "2026-W11",
        "2026-03-09T08:30",
    ),
    (
        "thanksgiving",
        "policies/vendor-guide.yaml",
        "2026-W48",
        "2026-11-23T08:30",
    ),
    (
        "month-end",
        "policies/vendor-guide.yaml",
        "2026-W14",
        "2026-03-30T08:30",
    ),
    (
        "fiscal-year-end",
        "policies/vendor-guide.yaml",
        "2026-W53",
        "2026-12-28T08:30",
    ),
    (
        "june-fiscal-year-end",
        "policies/four-day-june-fiscal-year.yaml",
        "2026-W27",
        "2026-06-29T08:30",
    ),
    (
        "six-day-office",
        "policies/six-day-after-midnight.yaml",
        "2026-W14",
        "2026-03-30T08:30",
    ),
];

fn each_week_prints_on_one_page(paper: &str, size: &str) {
    let scratch = tempfile::tempdir().unwrap();
    for (name, policy, week, at) in WEEKS {
        let what = format!("{name} ({week}, {paper})");
        let html = write_sheet(
            scratch.path(),
            &format!("{name}-{paper}"),
            policy,
            &["--week", week, "--paper", paper, "--at", at],
        );
        let pdf = print_to_pdf(&html, scratch.path());
        assert_eq!(pages(&pdf), 1, "{what} must print on exactly one page");
        assert!(
            page_size(&pdf).contains(size),
            "{what}: {}",
            page_size(&pdf)
        );
        check_week_text(&page_text(&pdf, 1), &nights(policy, week), &what);
    }
}

#[test]
fn each_week_prints_on_one_letter_page_naming_each_nights_disks() {
    each_week_prints_on_one_page("letter", "(letter)");
}

#[test]
fn each_week_prints_on_one_a4_page_naming_each_nights_disks() {
    each_week_prints_on_one_page("a4", "(A4)");
}

#[test]
fn four_weeks_print_one_page_each() {
    let scratch = tempfile::tempdir().unwrap();
    let policy = "policies/vendor-guide.yaml";
    let html = write_sheet(
        scratch.path(),
        "april",
        policy,
        &["--from", "2026-W14", "--weeks", "4", "--at", "2026-03-30"],
    );
    let pdf = print_to_pdf(&html, scratch.path());
    assert_eq!(pages(&pdf), 4);
    for (page, week) in ["2026-W14", "2026-W15", "2026-W16", "2026-W17"]
        .iter()
        .enumerate()
    {
        let text = page_text(&pdf, page + 1);
        let number = week.split_once("-W").unwrap().1.trim_start_matches('0');
        assert!(
            text.contains(&format!("Week {number} of 2026")),
            "page {}: {text}",
            page + 1
        );
        check_week_text(&text, &nights(policy, week), week);
    }
}

#[test]
fn the_year_at_a_glance_prints_on_one_page() {
    let scratch = tempfile::tempdir().unwrap();
    for (policy, paper) in [
        ("policies/vendor-guide.yaml", "letter"),
        ("policies/vendor-guide.yaml", "a4"),
        ("policies/six-day-after-midnight.yaml", "letter"),
        ("policies/four-day-june-fiscal-year.yaml", "a4"),
    ] {
        let name = format!(
            "year-{}-{paper}",
            Path::new(policy).file_stem().unwrap().to_string_lossy()
        );
        let html = write_sheet(
            scratch.path(),
            &name,
            policy,
            &["--year", "2026", "--paper", paper],
        );
        let pdf = print_to_pdf(&html, scratch.path());
        assert_eq!(pages(&pdf), 1, "{name} must print on one page");
        let text = page_text(&pdf, 1);
        assert!(text.contains("2026 at a glance"), "{name}: {text}");
        assert!(text.contains("December 2026"), "{name}: {text}");
    }
}

/// Everything that makes a week long at once: a seven-day office with a long
/// name, two disks a night, nine-letter labels, a long holiday name, a long
/// storage place and carrier, an archive set, an overdue restore test and
/// every disk overdue. The sheet still fits one page (the fit-to-page script
/// shrinks it), on both papers, and still names every night's disks.
const CROWDED_POLICY: &str = r#"version: 1
office:
  name: Northwestern Interdisciplinary Family Dentistry and Orthodontics of Greater Springfield
  timezone: America/Los_Angeles
  open_days: [mon, tue, wed, thu, fri, sat, sun]
  closed:
    - { date: 2026-03-31, name: "Annual staff training, fire-safety drill and equipment maintenance day" }
source: { path: source, pattern: "b_{%Y-%m-%d_%H%M}.bak" }
retain: { business_days: 10, month_ends: 12, quarter_ends: 8, fiscal_year_ends: all }
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  rotation:
    - { label: MONDAY-A, days: [mon] }
    - { label: MONDAY-B, days: [mon] }
    - { label: TUESDAY, days: [tue] }
    - { label: WEDNESDAY, days: [wed] }
    - { label: THURSDAY, days: [thu] }
    - { label: FRIDAY, days: [fri] }
    - { label: WEEKEND-1, days: [sat, sun] }
  archive: { labels: [ARCHIVE-2026-A, ARCHIVE-2026-B], tiers: [month_ends, quarter_ends, fiscal_year_ends] }
  storage: "locked, fire-rated media safe in the records room behind reception (key with the practice administrator)"
  offsite: { carry: [fri, sat], by: "Dr. Bartholomew Featherstonehaugh-Worthington, DDS" }
restore_test: { every: month }
state_dir: state
"#;

fn crowded_office() -> TempOffice {
    let office = TempOffice::new(CROWDED_POLICY);
    let disks: Vec<String> = [
        ("MONDAY-A", "02"),
        ("MONDAY-B", "09"),
        ("TUESDAY", "10"),
        ("WEDNESDAY", "11"),
        ("THURSDAY", "12"),
        ("FRIDAY", "13"),
        ("WEEKEND-1", "14"),
    ]
    .iter()
    .map(|(label, day)| {
        format!(r#""id-{label}": {{ "label": "{label}", "last_seen": "2026-03-{day}T23:00:00Z" }}"#)
    })
    .collect();
    office.folder("state");
    std::fs::write(
        office.join("state/catalog.json"),
        format!(
            r#"{{ "rota_catalog": 1, "disks": {{ {} }} }}"#,
            disks.join(", ")
        ),
    )
    .unwrap();
    std::fs::write(
        office.join("state/restore-tests.jsonl"),
        "{\"at\":\"2025-12-02T15:00:00Z\",\"date\":\"2025-12-02\",\"backup\":\"b\",\"from\":\"MONDAY-A\",\"ok\":true,\"detail\":\"\"}\n",
    )
    .unwrap();
    office
}

#[test]
fn a_crowded_week_still_prints_on_one_page() {
    let office = crowded_office();
    let scratch = tempfile::tempdir().unwrap();
    for paper in ["letter", "a4"] {
        let html = scratch.path().join(format!("crowded-{paper}.html"));
        office
            .rota()
            .args([
                "sheet",
                "policy.yaml",
                "--week",
                "2026-W14",
                "--paper",
                paper,
            ])
            .args(["--at", "2026-03-30T08:00", "--out"])
            .arg(&html)
            .run()
            .success();
        let pdf = print_to_pdf(&html, scratch.path());
        assert_eq!(pages(&pdf), 1, "the crowded week on {paper}");
        let text = page_text(&pdf, 1);
        check_week_text(&text, &nights_of(&office.policy(), "2026-W14"), paper);
        assert!(text.contains("WEEKEND-1: last seen"), "{text}");
    }
}

#[test]
fn an_ordinary_week_is_not_shrunk() {
    // The fit-to-page script leaves a sheet that fits alone: the disk labels
    // keep their full size.
    let scratch = tempfile::tempdir().unwrap();
    let html = write_sheet(
        scratch.path(),
        "ordinary",
        "policies/vendor-guide.yaml",
        &["--week", "2026-W14", "--at", "2026-03-30T08:30"],
    );
    let mut command = Command::new(chromium());
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!(
            "--user-data-dir={}",
            scratch.path().join("profile-dom").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()));
    let dom = run(command, "chromium --dump-dom");
    assert!(dom.contains("data-fit-mm=\"254\""), "{dom}");
    assert!(
        !dom.contains("style=\"zoom"),
        "an ordinary week was shrunk:\n{dom}"
    );
}

/// `rota report --format html` for two weeks of real nights prints, on
/// Letter, on a page or two whose text carries the record's sections.
#[test]
fn the_media_report_prints_on_a_few_pages() {
    let office = TempOffice::new(
        &support::FIVE_DAY_POLICY
            .replace("reserve: 10%", "reserve: 1 MB\n  custodian: \"Dr. Rivera\""),
    );
    let labels = ["MON", "TUE", "WED", "THU", "FRI"];
    for label in labels {
        let mount = office.folder(&format!("shelf/{label}"));
        Rota::new()
            .current_dir(office.path())
            .args(["disk", "init"])
            .arg(&mount)
            .args(["--label", label])
            .run()
            .success();
    }
    office.folder("disks");
    for day in 2..=13u32 {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        use chrono::Datelike;
        let index = date.weekday().num_days_from_monday() as usize;
        if index >= 5 {
            continue;
        }
        office.backup_file(&format!("MacPractice_{date}_2330.mpbackup"), 1_000);
        for (i, label) in labels.iter().enumerate() {
            let shelf = office.join(format!("shelf/{label}"));
            let mounted = office.join(format!("disks/{label}"));
            if i == index && shelf.exists() {
                std::fs::rename(&shelf, &mounted).unwrap();
            } else if i != index && mounted.exists() {
                std::fs::rename(&mounted, &shelf).unwrap();
            }
        }
        office
            .rota()
            .args(["apply", "policy.yaml", "--yes", "--at"])
            .arg(format!("{date}T23:45"))
            .run()
            .success();
    }
    let html = office.join("report.html");
    office
        .rota()
        .args([
            "report",
            "policy.yaml",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
        ])
        .args(["--at", "2026-03-14T09:00", "--format", "html", "--out"])
        .arg(&html)
        .run()
        .success();
    let scratch = office.folder("scratch");
    let pdf = print_to_pdf(&html, &scratch);
    let count = pages(&pdf);
    assert!(
        (1..=3).contains(&count),
        "the report printed on {count} pages"
    );
    let text: String = (1..=count).map(|page| page_text(&pdf, page)).collect();
    for needle in [
        "Backup media record, 2026-03-01 to 2026-03-31",
        "Dr. Rivera",
        "Movements",
        "Deletions and destructions",
        "Reviewed by",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} is not on the printed report:\n{text}"
        );
    }
}
