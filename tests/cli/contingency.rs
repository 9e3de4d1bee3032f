//! `rota contingency`: the written backup contingency plan of the demo office
//! (the vendor guide's policy with its `contingency:` keys), made by the real
//! binary after a real `apply` and `restore-test`. All six sections with the
//! office's facts; the restore test with its duration against the RTO; a new
//! saved version only when the content changed; `--history`; `rota doctor`
//! noticing a policy changed after the saved plan; and the printed plan in
//! real Chromium on at most 8 pages, Letter and A4, even for a crowded office.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::browser::{page_size, page_text, pages, print_to_pdf};
use crate::support::{Rota, TempOffice, redact_paths};

const AT: &str = "2026-03-31T23:59";

/// The demo office, built as of March 31st, 2026.
fn demo(temp: &Path) -> PathBuf {
    let dir = temp.join("rota-demo");
    Rota::new()
        .arg("demo")
        .arg(&dir)
        .args(["--at", "2026-03-31"])
        .run()
        .success();
    dir
}

fn contingency(dir: &Path) -> Rota {
    Rota::new()
        .arg("contingency")
        .arg(dir.join("rota.yaml"))
        .args(["--at", AT])
}

/// Disk ids are random and content hashes follow them: each is replaced
/// by a name for it, the temp folder by `[TEMP]`.
fn redact(text: &str, temp: &Path, dir: &Path) -> String {
    let mut out = redact_paths(text, &[temp]);
    for parent in ["disks", "safe"] {
        for entry in fs::read_dir(dir.join(parent)).unwrap() {
            let path = entry.unwrap().path();
            let label: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(path.join(".rota-disk.json")).unwrap())
                    .unwrap();
            let id = label["id"].as_str().unwrap();
            let name = format!("<id {}>", label["label"].as_str().unwrap());
            out = out.replace(&id[..8], &format!("{name:<8}"));
        }
    }
    let versions = dir.join(".rota/contingency/versions.jsonl");
    for (i, line) in fs::read_to_string(versions)
        .unwrap_or_default()
        .lines()
        .enumerate()
    {
        let version: serde_json::Value = serde_json::from_str(line).unwrap();
        let hash = &version["content_hash"].as_str().unwrap()[..12];
        out = out.replace(hash, &format!("<content #{}>", i + 1));
    }
    out
}

fn saved_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir.join(".rota/contingency"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".html"))
        .collect();
    names.sort();
    names
}

/// A temp folder whose path has the same length on every machine: the
/// plan's text wraps around the paths it prints, so the snapshot must not
/// depend on where the system keeps its temp files.
fn fixed_length_temp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("rota-plan-")
        .rand_bytes(8)
        .tempdir_in("/tmp")
        .expect("a folder in /tmp")
}

#[test]
fn the_demo_office_plan_has_its_six_sections_and_its_facts() {
    let temp = fixed_length_temp();
    let dir = demo(temp.path());
    let output = contingency(&dir)
        .args(["--format", "text"])
        .run()
        .success()
        .stderr_contains("Saved revision 1 of the plan in")
        .stderr_contains("Blank in the plan, to fill in by hand or in the policy: contingency.contacts[3].name, contingency.contacts[3].email.");
    let text = redact(&output.stdout, temp.path(), &dir);
    for fact in [
        "1. DATA BACKUP PLAN",
        "2. DISASTER RECOVERY PLAN",
        "3. EMERGENCY MODE OPERATION PLAN",
        "4. TESTING AND REVISION PROCEDURES",
        "5. APPLICATIONS AND DATA CRITICALITY ANALYSIS",
        "6. DEVICE AND MEDIA CONTROLS",
        "fireproof safe in the front office",
        "Dr. Maria Rivera",
        "rota restore --disk /Volumes/MON --list",
        "rota restore [TEMP]/rota-demo/rota.yaml --latest --to ~/Restored",
    ] {
        assert!(text.contains(fact), "no `{fact}` in\n{text}");
    }
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
        description => "rota contingency rota-demo/rota.yaml --format text (the demo office as of 2026-03-31)",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("contingency_demo_text", text);
    });
    let html = contingency(&dir).run().success().stdout;
    for section in [
        "backup-plan",
        "disaster-recovery",
        "emergency-mode",
        "testing",
        "criticality",
        "media-controls",
    ] {
        assert!(html.contains(&format!("<section data-section=\"{section}\">")));
    }
    let markdown = contingency(&dir)
        .args(["--format", "markdown"])
        .run()
        .success()
        .stdout;
    assert!(markdown.contains("## 2. Disaster recovery plan"));
    assert!(markdown.contains("   rota restore --disk /Volumes/MON --list"));
}

#[test]
fn a_restore_test_shows_with_its_duration_and_who_against_the_rto() {
    let temp = tempfile::tempdir().unwrap();
    let dir = demo(temp.path());
    Rota::new()
        .arg("restore-test")
        .arg(dir.join("rota.yaml"))
        .args(["--at", AT])
        .env("USER", "jordan")
        .run()
        .success()
        .stdout_contains("(by jordan, ");
    let text = contingency(&dir)
        .args(["--format", "text"])
        .run()
        .success()
        .stdout;
    let row = text
        .lines()
        .skip_while(|line| !line.starts_with("  Restore test  "))
        .nth(2)
        .unwrap_or_else(|| panic!("no restore test against the RTO in\n{text}"));
    assert!(row.starts_with("  2026-03-31    MacPractice_"), "{row}");
    assert!(row.contains(" s "), "a measured duration: {row}");
    assert!(row.trim_end().ends_with("within (under 1%)"), "{row}");
    assert!(text.contains("RTO  8 hours"));
    let log = text
        .lines()
        .skip_while(|line| !line.starts_with("  Date        Backup"))
        .nth(2)
        .unwrap();
    assert!(
        log.contains("passed") && log.trim_end().ends_with("jordan"),
        "{log}"
    );
    assert!(text.contains("Next test due         by 2026-06-30"));
}

#[test]
fn a_policy_change_saves_a_second_version_and_doctor_notices_it() {
    let temp = tempfile::tempdir().unwrap();
    let dir = demo(temp.path());
    let doctor = |id: &str| -> String {
        let output = Rota::new()
            .arg("doctor")
            .arg(dir.join("rota.yaml"))
            .args(["--at", AT, "--format", "json"])
            .run()
            .no_panic();
        let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
        let check = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no {id} check in {}", output.stdout))
            .clone();
        format!("{} {}", check["status"], check["evidence"])
    };
    assert!(doctor("contingency-outdated").contains("no contingency plan has been saved yet"));
    contingency(&dir).run().success();
    contingency(&dir)
        .run()
        .success()
        .stderr_contains("The plan is unchanged since revision 1");
    assert_eq!(saved_files(&dir).len(), 1, "no change, no new version");
    assert!(doctor("contingency-outdated").starts_with("\"pass\""));
    let incomplete = doctor("contingency-incomplete");
    assert!(
        incomplete.starts_with("\"warn\"")
            && incomplete.contains("contingency.contacts[3].name, contingency.contacts[3].email"),
        "{incomplete}"
    );

    // The office's RTO changes: the saved plan no longer says what the policy says.
    let policy = dir.join("rota.yaml");
    let text = fs::read_to_string(&policy).unwrap();
    fs::write(&policy, text.replace("rto: 8h", "rto: 4h")).unwrap();
    let outdated = doctor("contingency-outdated");
    assert!(
        outdated.starts_with("\"warn\"")
            && outdated.contains("the policy changed after the latest saved plan (revision 1"),
        "{outdated}"
    );
    contingency(&dir)
        .run()
        .success()
        .stderr_contains("Saved revision 2 of the plan in")
        .stdout_contains("4 hours: the practice must have its data back within 4 hours");
    let files = saved_files(&dir);
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().all(|f| f.starts_with("2026-03-31-")));
    let first = fs::read_to_string(dir.join(".rota/contingency").join(&files[0])).unwrap();
    let second = fs::read_to_string(dir.join(".rota/contingency").join(&files[1])).unwrap();
    assert!(first.contains("8 hours") != second.contains("8 hours"));
    assert!(doctor("contingency-outdated").starts_with("\"pass\""));

    let history = Rota::new()
        .arg("contingency")
        .arg(&policy)
        .arg("--history")
        .run()
        .success()
        .stdout;
    let history = redact(&history, temp.path(), &dir);
    assert!(history.contains("first version"), "{history}");
    assert!(
        history.contains("2. Disaster recovery plan (the policy changed)"),
        "{history}"
    );
    assert!(history.contains("Revision 2 matches the policy as it is now."));
}

/// An office with everything that makes the plan long: eight contacts, a
/// long emergency procedure, eight criticality entries, archive disks, an
/// encrypted off-site target, a year of restore tests, disposals and
/// revisions. Its plan still prints on at most 8 pages, Letter and A4.
#[test]
fn the_plan_prints_on_at_most_eight_pages_in_chromium() {
    let temp = tempfile::tempdir().unwrap();
    let dir = demo(temp.path());
    let scratch = temp.path();
    for (name, paper, size) in [
        ("demo-letter", "letter", "(letter)"),
        ("demo-a4", "a4", "(A4)"),
    ] {
        let html = scratch.join(format!("{name}.html"));
        contingency(&dir)
            .args(["--paper", paper, "--out"])
            .arg(&html)
            .run()
            .success();
        let pdf = print_to_pdf(&html, scratch);
        let count = pages(&pdf);
        assert!((1..=8).contains(&count), "{name}: {count} pages");
        assert!(
            page_size(&pdf).contains(size),
            "{name}: {}",
            page_size(&pdf)
        );
        let first = page_text(&pdf, 1);
        assert!(first.contains("Backup contingency plan"), "{first}");
        assert!(
            first.contains("This plan covers the backup parts"),
            "{first}"
        );
        let last = page_text(&pdf, count);
        assert!(last.contains("Approved by"), "{last}");
    }
    let office = crowded_office();
    for (paper, size) in [("letter", "(letter)"), ("a4", "(A4)")] {
        let html = office.join(format!("crowded-{paper}.html"));
        office
            .rota()
            .args([
                "contingency",
                "policy.yaml",
                "--at",
                AT,
                "--paper",
                paper,
                "--out",
            ])
            .arg(&html)
            .run()
            .success();
        let pdf = print_to_pdf(&html, office.path());
        let count = pages(&pdf);
        assert!(
            count <= 8,
            "the crowded office's plan ({paper}) took {count} pages"
        );
        assert!(page_size(&pdf).contains(size));
        let text: String = (1..=count).map(|page| page_text(&pdf, page)).collect();
        for needle in [
            "Data backup plan",
            "Disaster recovery plan",
            "Emergency mode operation plan",
            "Testing and revision procedures",
            "Applications and data criticality analysis",
            "Device and media controls",
            "and 11 earlier",
            "Approved by",
        ] {
            assert!(text.contains(needle), "{paper}: no `{needle}`");
        }
    }
}

const CROWDED_POLICY: &str = r#"version: 1
office:
  name: Northwestern Interdisciplinary Family Dentistry and Orthodontics of Greater Springfield
  timezone: America/Los_Angeles
  open_days: [mon, tue, wed, thu, fri, sat]
  closed:
    - { date: 2026-01-01, name: New Year's Day }
    - { date: 2026-01-19, name: Martin Luther King Jr. Day }
    - { date: 2026-02-16, name: Presidents' Day }
    - { date: 2026-05-25, name: Memorial Day }
    - { date: 2026-07-03, name: Independence Day (observed) }
    - { date: 2026-09-07, name: Labor Day }
    - { date: 2026-11-26, name: Thanksgiving }
    - { from: 2026-12-24, to: 2026-12-31, name: Winter break and annual equipment maintenance }
source: { path: "source", pattern: "Dentrix_{%Y-%m-%d_%H%M}.bak", keep_last: 5, encrypted: true }
retain: { business_days: 15, month_ends: 24, quarter_ends: 12, fiscal_year_ends: all, last: 3 }
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  rotation:
    - { label: MONDAY-A, days: [mon] }
    - { label: TUESDAY-A, days: [tue] }
    - { label: WEDNESDAY, days: [wed] }
    - { label: THURSDAY, days: [thu] }
    - { label: FRIDAY-A, days: [fri] }
    - { label: SATURDAY, days: [sat] }
  archive: { labels: [ARCHIVE-2026-A, ARCHIVE-2026-B], tiers: [month_ends, quarter_ends, fiscal_year_ends] }
  storage: "locked, fire-rated media safe in the records room behind reception (key with the practice administrator)"
  offsite: { carry: [fri, sat], by: "Dr. Bartholomew Featherstonehaugh-Worthington, DDS" }
  encrypt: { age_recipients: ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"] }
offsite:
  - name: cloud
    path: "outbox"
    upload: { rclone: "b2:northwestern-dental-backups/rota", config: "rclone.conf" }
    encrypt: { age_recipients: ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"] }
    retain: { business_days: 15, month_ends: 24, quarter_ends: 12, fiscal_year_ends: all }
destruction: { expired: destroy }
restore_test: { every: month, command: "dentrix-verify --database {} --full-consistency-check" }
hold:
  - { from: 2025-01-01, to: 2025-06-30, reason: litigation hold }
  - 2025-12-31
state_dir: state
contingency:
  rto: 4h
  key_custody: "age key on two USB keys: one in the bank safe-deposit box (First National, box 1142), one with Dr. Featherstonehaugh-Worthington; the passphrase in the practice administrator's password manager"
  contacts:
    - { role: Practice owner, name: "Dr. Bartholomew Featherstonehaugh-Worthington, DDS", phone: "+1 (503) 555-0100 ext. 12", email: bartholomew.featherstonehaugh-worthington@example.com }
    - { role: Practice administrator and privacy officer, name: Maria-Guadalupe Hernandez-Rodriguez, phone: "(503) 555-0101", email: privacy-officer@northwestern-dental.example.com }
    - { role: IT support (primary), name: Cascade Managed IT Services, phone: "(503) 555-0142", email: support@cascade-it.example.com }
    - { role: IT support (after hours), name: Cascade on-call engineer, phone: "(503) 555-0143", email: oncall@cascade-it.example.com }
    - { role: Dentrix support, phone: "(800) 555-0199" }
    - { role: Imaging vendor, name: Acme Dental Imaging, phone: "(800) 555-0177" }
    - { role: Cyber insurance hotline, phone: "(888) 555-0166", email: claims@insurer.example.com }
    - { role: Building manager, name: Pat Kim, phone: "(503) 555-0155" }
  emergency_mode: |
    While the server is down the front desk switches to the paper day sheets kept in the
    red binder: every appointment, arrival, treatment note, prescription and payment is
    written down by hand, with the patient's name, date of birth and the time. Card
    payments are taken on the standalone terminal; no card numbers are written down.

    The hygienists use the printed schedule of the day (printed every evening at 17:00 by
    the practice administrator) and the paper medical-history forms. Prescriptions are
    written on paper pads and logged in the binder. Imaging continues on the imaging PC,
    which does not depend on the server; images are attached once Dentrix runs again.

    Once the server runs again, the practice administrator enters everything from the
    binder within two business days, initials each page, and files the binder pages
    with the day's paper records, locked away like any chart.
  criticality:
    - { name: Digital radiographs and intraoral camera images (imaging PC), priority: critical, notes: "needed for every treatment; the imaging vendor's own nightly backup to its cloud" }
    - { name: Scanned consent forms and referral letters, priority: high, notes: shared folder on the office NAS }
    - { name: Insurance claims clearinghouse account, priority: high, notes: hosted by the clearinghouse }
    - { name: E-mail and calendar, priority: medium, notes: hosted by the provider }
    - { name: Telephone system and voicemail, priority: medium, notes: hosted VoIP }
    - { name: Accounting and payroll, priority: medium, notes: hosted by the accountant }
    - { name: Office website, priority: low, notes: hosted }
    - { name: Staff training records, priority: low }
"#;

/// The crowded office with a year of records: 20 restore tests, 20 days of
/// disposals, 20 saved revisions, a month of disk sightings.
fn crowded_office() -> TempOffice {
    let office = TempOffice::new(CROWDED_POLICY);
    office.folder("state/contingency");
    office.folder("disks");
    let mut tests = String::new();
    let mut audit = String::new();
    let mut versions = String::new();
    let mut media = String::new();
    for i in 1..=20u32 {
        let day = format!("2025-{:02}-{:02}", (i % 12) + 1, (i % 27) + 1);
        tests.push_str(&format!(
            r#"{{"at":"{day}T18:00:00Z","date":"{day}","backup":"Dentrix_{day}_2330.bak","from":"FRIDAY-A","ok":{},"detail":"content hash matches the manifest; check command failed: exit status 3: table PATIENTS: 12 pages unreadable","duration_ms":{},"user":"maria-guadalupe.hernandez-rodriguez"}}"#,
            i % 5 != 0,
            1_000 * u64::from(i) * 97
        ));
        tests.push('\n');
        audit.push_str(&format!(
            r#"{{"when":"{day}T06:30:00Z","op":"destroy","backup":"Dentrix_2024-{:02}-01_2330.bak","kind":"file","size":6000000000,"hash":"9f1c","algorithm":"blake3","location":"WEDNESDAY","disk_id":"5e{i:02}aaaaaaaaaaaa","path":"/x","reason":"expired","action":1,"plan":"p","run":"r","plan_at":""}}"#,
            (i % 12) + 1
        ));
        audit.push('\n');
        versions.push_str(&format!(
            r#"{{"revision":{i},"saved_at":"{day}T18:00:00Z","date":"{day}","file":"{day}-{i:012}.html","content_hash":"{i:064}","policy_digest":"old","sections":{{"backup-plan":"{i}"}},"rota_version":"0.1.0"}}"#
        ));
        versions.push('\n');
    }
    let labels = [
        "MONDAY-A",
        "TUESDAY-A",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY-A",
        "SATURDAY",
    ];
    for day in 1..=28u32 {
        let label = labels[(day as usize) % labels.len()];
        media.push_str(&format!(
            r#"{{"at":"2026-03-{day:02}T06:55:00Z","when":"2026-03-{day:02}T06:55:00Z","command":"apply","seen":[{{"label":"{label}","id":"{label}-id-0000000000000"}}],"actions":3,"failed":0}}"#
        ));
        media.push('\n');
    }
    media.push_str(r#"{"at":"2026-03-29T18:00:00Z","when":"2026-03-29T18:00:00Z","command":"disk retire","seen":[{"label":"WEDNESDAY","id":"WEDNESDAY-id-0000000000000"}],"retired":{"label":"WEDNESDAY","id":"WEDNESDAY-id-0000000000000","removed":0,"destroyed":true}}"#);
    media.push('\n');
    fs::write(office.join("state/restore-tests.jsonl"), tests).unwrap();
    fs::write(office.join("state/audit.log"), audit).unwrap();
    fs::write(office.join("state/contingency/versions.jsonl"), versions).unwrap();
    fs::write(office.join("state/media.jsonl"), media).unwrap();
    office
}
