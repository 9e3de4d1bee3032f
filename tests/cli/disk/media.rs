//! Media accountability end to end, through the real binary: a month of
//! nights in a sandbox office (`rota apply --at` each night, disks moved
//! between `disks/` and `shelf/` as staff would), then `rota report` for the
//! month (text, CSV, HTML), and `rota disk retire` refused while a disk holds
//! the last copy of a kept backup and carried out, with the audit trail, when
//! it does not.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support;
use crate::support::TempOffice;

const POLICY: &str = r#"version: 1
office:
  name: Harbor Dental
  timezone: America/New_York
  open_days: [mon, tue, wed, thu, fri]
  day_starts_at: "05:00"
source:
  path: source
  pattern: "Backup_{%Y-%m-%d_%H%M}.bak"
  keep_last: 3
  reserve: 1 MB
retain:
  business_days: 10
  month_ends: 12
  quarter_ends: 8
  fiscal_year_ends: all
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  min_backups: 4
  reserve: 1 MB
  rotation:
    - { label: MON, days: [mon] }
    - { label: TUE, days: [tue] }
    - { label: WED, days: [wed] }
    - { label: THU, days: [thu] }
    - { label: FRI, days: [fri] }
  archive: { labels: [ARCHIVE-A], tiers: [month_ends, quarter_ends, fiscal_year_ends] }
  storage: "fireproof safe in the front office"
  offsite: { carry: previous, by: "Office manager" }
  custodian: "Dr. Rivera"
restore_test: { every: quarter }
state_dir: state
"#;

const LABELS: [&str; 6] = ["MON", "TUE", "WED", "THU", "FRI", "ARCHIVE-A"];

struct Office {
    office: TempOffice,
}

impl Office {
    /// Six labelled disks on the shelf, with fixed ids so reports are stable.
    fn new() -> Office {
        let office = TempOffice::new(POLICY);
        for (i, label) in LABELS.iter().enumerate() {
            let mount = office.folder(&format!("shelf/{label}"));
            fs::create_dir_all(mount.join("rota")).unwrap();
            let label_file = format!(
                "{{\"rota_disk\":1,\"label\":\"{label}\",\"id\":\"{:x}{}\",\"labelled_at\":\"2026-01-05T12:00:00Z\"}}\n",
                0xd15c0 + i,
                "0".repeat(27)
            );
            fs::write(mount.join(".rota-disk.json"), label_file).unwrap();
        }
        office.folder("disks");
        Office { office }
    }

    fn mount(&self, label: &str) -> PathBuf {
        self.office.join(format!("disks/{label}"))
    }

    /// Moves exactly `labels` under `disks/`, the others to the shelf.
    fn connect_only(&self, labels: &[&str]) {
        for label in LABELS {
            let shelf = self.office.join(format!("shelf/{label}"));
            let mounted = self.mount(label);
            if labels.contains(&label) && shelf.exists() {
                fs::rename(&shelf, &mounted).unwrap();
            } else if !labels.contains(&label) && mounted.exists() {
                fs::rename(&mounted, &shelf).unwrap();
            }
        }
    }

    /// One night: the day's backup, `labels` connected, `rota apply --yes`.
    fn night(&self, date: &str, labels: &[&str]) {
        self.office
            .backup_file(&format!("Backup_{date}_2330.bak"), 2_000);
        self.connect_only(labels);
        self.office
            .rota()
            .args(["apply", "policy.yaml", "--yes", "--at"])
            .arg(format!("{date}T23:45"))
            .run()
            .success();
    }

    fn rota(&self) -> support::Rota {
        self.office.rota()
    }

    fn copies_on(&self, label: &str) -> Vec<String> {
        let folder = self.mount(label).join("rota");
        let mut names: Vec<String> = fs::read_dir(&folder)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|name| name.starts_with("Backup_"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn redact(&self, text: &str) -> String {
        self.office.redact(text)
    }
}

/// The open days of March 2026 (and the last week of February), each with
/// its own disk; ARCHIVE-A connected with MON on March 2 to take February's
/// month-end backup; the night of March 17 missed.
fn a_month(office: &Office) {
    let weekday = ["MON", "TUE", "WED", "THU", "FRI"];
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 2, 23).unwrap();
    let last = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    while day <= last {
        use chrono::Datelike;
        let index = day.weekday().num_days_from_monday() as usize;
        let date = day.to_string();
        if index < 5 && date != "2026-03-17" {
            if date == "2026-03-02" {
                office.night(&date, &["MON", "ARCHIVE-A"]);
            } else {
                office.night(&date, &[weekday[index]]);
            }
        }
        day = day.succ_opt().unwrap();
    }
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn retiring_refuses_a_disk_with_last_copies_and_empties_one_without() {
    let office = Office::new();
    // Four weeks: the last week of February, then March up to the 2nd, when
    // ARCHIVE-A takes February's month-end backup (still on FRI as well).
    for (date, labels) in [
        ("2026-02-23", &["MON"][..]),
        ("2026-02-24", &["TUE"]),
        ("2026-02-25", &["WED"]),
        ("2026-02-26", &["THU"]),
        ("2026-02-27", &["FRI"]),
        ("2026-03-02", &["MON", "ARCHIVE-A"]),
    ] {
        office.night(date, labels);
    }
    assert_eq!(
        office.copies_on("ARCHIVE-A"),
        ["Backup_2026-02-27_2330.bak"]
    );
    let before = office.copies_on("MON");
    // MON holds the only copies of Feb 23 (pruned from the server) and Mar 2.
    let refused = office
        .rota()
        .args([
            "disk",
            "retire",
            "policy.yaml",
            "MON",
            "--yes",
            "--at",
            "2026-03-02T23:55",
        ])
        .run()
        .failure();
    let stderr = office.redact(&refused.stderr);
    let unwrapped = stderr.replace("\n  │ ", "");
    assert!(
        unwrapped.contains("disk MON holds the last verified copy of"),
        "{stderr}"
    );
    assert!(unwrapped.contains("Backup_2026-02-23_2330.bak"), "{stderr}");
    assert!(unwrapped.contains("nothing was deleted"), "{stderr}");
    assert_eq!(
        office.copies_on("MON"),
        before,
        "a refused retirement deletes nothing"
    );
    snapshot("disk_retire_refused", &stderr);

    // Without --yes nothing happens either.
    office
        .rota()
        .args([
            "disk",
            "retire",
            "policy.yaml",
            "ARCHIVE-A",
            "--at",
            "2026-03-02T23:55",
        ])
        .run()
        .failure()
        .stderr_contains("run again with --yes");
    assert_eq!(office.copies_on("ARCHIVE-A").len(), 1);

    // ARCHIVE-A's one copy is also on FRI (verified, in the catalog): it may go.
    let done = office
        .rota()
        .args([
            "disk",
            "retire",
            "policy.yaml",
            "ARCHIVE-A",
            "--destroy",
            "--yes",
            "--at",
            "2026-03-02T23:58",
        ])
        .run()
        .success();
    snapshot("disk_retire_done", &office.redact(&done.stdout));
    assert!(office.copies_on("ARCHIVE-A").is_empty());
    let audit = fs::read_to_string(office.office.join("state/audit.log")).unwrap();
    let line = audit
        .lines()
        .find(|line| line.contains("\"location\":\"ARCHIVE-A\""))
        .expect("the destruction is in the audit log");
    assert!(line.contains("\"op\":\"destroy\""), "{line}");
    assert!(line.contains("Backup_2026-02-27_2330.bak"), "{line}");
    assert!(line.contains("retired"), "{line}");
    let label = fs::read_to_string(office.mount("ARCHIVE-A").join(".rota-disk.json")).unwrap();
    assert!(label.contains("\"retired_at\""), "{label}");
    let media = fs::read_to_string(office.office.join("state/media.jsonl")).unwrap();
    assert!(
        media.contains("\"retired\":{\"label\":\"ARCHIVE-A\""),
        "{media}"
    );

    // A retired disk is never written again: plan does not see it.
    let plan = office
        .rota()
        .args([
            "plan",
            "policy.yaml",
            "--format",
            "json",
            "--at",
            "2026-03-03T23:45",
        ])
        .run()
        .success();
    let json: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let writes_archive = json["actions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|action| action["to"] == "ARCHIVE-A");
    assert!(!writes_archive, "{}", plan.stdout);
    // The report shows the retirement and the destruction.
    let report = office
        .rota()
        .args([
            "report",
            "policy.yaml",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
        ])
        .args(["--at", "2026-03-03T09:00"])
        .run()
        .success();
    let text = office.redact(&report.stdout);
    assert!(
        text.contains("ARCHIVE-A  d15c5000 archive                retired              last seen 2026-03-02 23:58  0 copies now; 1 written, 1 verified"),
        "{text}"
    );
    // MON, connected while ARCHIVE-A was retired, did not leave; ARCHIVE-A,
    // retired, does not leave afterwards; the copy it held is still on the
    // record of copies written.
    assert!(
        !text.contains("left the server            last seen 2026-03-02 23:58"),
        "{text}"
    );
    assert!(!text.contains("MON        left the server"), "{text}");
    assert!(
        text.contains("2026-03-02  ARCHIVE-A  Backup_2026-02-27_2330.bak"),
        "{text}"
    );
    assert!(
        text.contains("disk retire ok       disks: ARCHIVE-A MON    1 action, 0 failed"),
        "{text}"
    );
    assert!(text.contains("ARCHIVE-A  retired                    1 rota copy overwritten and removed; never written again"), "{text}");
    assert!(
        text.contains("destroy  Backup_2026-02-27_2330.bak  on ARCHIVE-A"),
        "{text}"
    );
    // Retiring it again: it is no longer a connected rota disk.
    office
        .rota()
        .args(["disk", "retire", "policy.yaml", "ARCHIVE-A", "--yes"])
        .run()
        .failure()
        .stderr_contains("disk ARCHIVE-A is not connected");
}

#[test]
fn a_month_of_nights_is_on_the_record() {
    let office = Office::new();
    a_month(&office);
    office
        .rota()
        .args(["verify", "policy.yaml", "--at", "2026-03-31T23:50"])
        .run()
        .success();
    office
        .rota()
        .args([
            "restore-test",
            "policy.yaml",
            "--backup",
            "Backup_2026-03-31_2330.bak",
        ])
        .args(["--at", "2026-03-31T23:52"])
        .run()
        .success();
    let report = |format: &str| {
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
            .args(["--at", "2026-04-01T09:00", "--format", format])
            .run()
            .success()
            .stdout
    };
    let text = office.redact(&report("text"));
    // Every disk's movements, the custodian, every deletion.
    assert!(
        text.contains("Custodian of the disks: Dr. Rivera"),
        "{text}"
    );
    for label in ["MON", "TUE", "WED", "THU", "FRI"] {
        assert!(
            text.contains(&format!("{label:<10} left the server")),
            "{label} never left: {text}"
        );
    }
    assert!(
        text.contains("2026-03-17  missed   no `rota apply` run was recorded"),
        "{text}"
    );
    let audit = fs::read_to_string(office.office.join("state/audit.log")).unwrap();
    let march_deletions = audit
        .lines()
        .filter(|l| l.contains("\"plan_at\":\"2026-03"))
        .count();
    assert!(march_deletions > 10, "{audit}");
    assert_eq!(
        text.lines().filter(|l| l.contains("  remove  ")).count(),
        march_deletions,
        "{text}"
    );
    // A copy written in the period and expired from its disk since is still
    // on the record of copies written.
    assert!(
        text.contains("2026-03-02  MON        Backup_2026-03-02_2330.bak"),
        "{text}"
    );
    snapshot("report_month_text", &text);
    let csv = office.redact(&report("csv"));
    assert!(csv.starts_with("section,date,time,disk,event,backup,size,hash,detail\r\n"));
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("deletion,")).count(),
        march_deletions
    );
    snapshot("report_month_csv", &csv);
    let html = report("html");
    // Paths may wrap after a slash (and nowhere inside a word); the snapshot
    // shows them whole, so the temporary folder can be redacted.
    assert!(html.contains("/<wbr>disks/<wbr>MON"), "{html}");
    let html = office.redact(&html.replace("/<wbr>", "/"));
    assert!(
        html.contains("<dd data-custodian>Dr. Rivera</dd>"),
        "{html}"
    );
    assert!(html.contains("data-event=\"left\""), "{html}");
    assert_eq!(
        html.matches("<tr data-op=\"remove\"").count(),
        march_deletions
    );
    snapshot("report_month_html", &html);

    // The same report to a file.
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
        .args([
            "--at",
            "2026-04-01T09:00",
            "--format",
            "html",
            "--out",
            "march.html",
        ])
        .run()
        .success();
    assert_eq!(
        office.redact(
            &fs::read_to_string(office.office.join("march.html"))
                .unwrap()
                .replace("/<wbr>", "/")
        ),
        html
    );
}

#[test]
fn a_disk_still_connected_after_its_night_is_not_swapped() {
    let office = Office::new();
    office.night("2026-03-02", &["MON"]);
    // Tuesday: nobody swapped, MON is still plugged in.
    office
        .office
        .backup_file("Backup_2026-03-03_2330.bak", 2_000);
    let plan = office
        .rota()
        .args(["plan", "policy.yaml", "--at", "2026-03-03T23:40"])
        .run()
        .success();
    assert!(plan.stdout.contains("disk-not-swapped: disk MON took Monday's backup and is still connected: it should have gone off-site with Office manager"), "{}", plan.stdout);
    assert!(plan.stdout.contains("unencrypted-media"), "{}", plan.stdout);
}

#[test]
fn a_backwards_period_is_a_usage_error() {
    let office = Office::new();
    office
        .rota()
        .args([
            "report",
            "policy.yaml",
            "--from",
            "2026-03-31",
            "--to",
            "2026-03-01",
        ])
        .run()
        .code(1)
        .stderr_contains("the period starts (2026-03-31) after it ends (2026-03-01)");
}

#[allow(dead_code)]
fn exists(path: &Path) -> bool {
    path.exists()
}
