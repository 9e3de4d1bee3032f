//! Issue 27's "done when", through the real binary: a sandbox week of
//! nights with a forgotten disk, a wrong disk and a refused run, against a
//! real healthchecks-style server, webhook, ntfy topic and SMTP server on
//! 127.0.0.1:
//! - each bad night sends exactly one alert per channel, whose title says
//!   what went wrong; good nights send none; the healthchecks check hears
//!   every night (`/fail` for failed ones);
//! - `rota status` exits 1 each morning after a bad night, 0 after a good one;
//! - the weekly digest arrives with Friday's run;
//! - the month's report lists every bad night and every restore, and states
//!   nothing inferred as observed; printed by real Chromium on Letter and
//!   A4, no word is broken across lines;
//! - the Prometheus alert rules (docs/monitoring/rota-alerts.yml) pass
//!   `promtool test rules` on the metrics rota wrote each morning.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;

use crate::apply_office::{ApplyOffice, name};
use crate::support::FIVE_DAY_POLICY;
use crate::support::listeners::{HttpRecorder, Mail, Request, SmtpSink};
use crate::support::{browser, repo_file, tools};

struct Servers {
    hc: HttpRecorder,
    hook: HttpRecorder,
    ntfy: HttpRecorder,
    smtp: SmtpSink,
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

/// The office: five rotation disks in the safe, two weeks of backups, a
/// schedule, the weekly digest and every channel.
fn office(servers: &Servers) -> ApplyOffice {
    let policy = format!(
        "{FIVE_DAY_POLICY}schedule: {{ at: \"23:45\" }}\nnotify:\n  digest: weekly\n  healthchecks: {}\n  webhook: {}\n  ntfy: {}\n  email: {{ to: [it@example.com], from: rota@office.example, smtp: \"{}\", starttls: false }}\n",
        servers.hc.url("/ping/office"),
        servers.hook.url("/hook"),
        servers.ntfy.url("/office-backups"),
        servers.smtp.address()
    );
    let office = ApplyOffice::new(&policy);
    for day in [
        "03-23", "03-24", "03-25", "03-26", "03-27", "03-30", "03-31", "04-01", "04-02", "04-03",
    ] {
        office
            .office
            .backup_file(&name(&format!("2026-{day}")), 3000);
    }
    for label in ["MON", "TUE", "WED", "THU", "FRI"] {
        office.disk(label, false);
    }
    office
}

/// What each channel has received so far.
fn counts(servers: &Servers) -> [usize; 4] {
    [
        servers.hc.requests().len(),
        servers.hook.requests().len(),
        servers.ntfy.requests().len(),
        servers.smtp.wait_for(0).len(),
    ]
}

/// The one message each alerting channel received since `before`.
fn one_alert_each(servers: &Servers, before: [usize; 4]) -> (Request, Request, Mail) {
    let hook = servers.hook.wait_for(before[1] + 1);
    let ntfy = servers.ntfy.wait_for(before[2] + 1);
    let mail = servers.smtp.wait_for(before[3] + 1);
    assert_eq!(hook.len(), before[1] + 1, "exactly one webhook: {hook:?}");
    assert_eq!(
        ntfy.len(),
        before[2] + 1,
        "exactly one ntfy message: {ntfy:?}"
    );
    assert_eq!(mail.len(), before[3] + 1, "exactly one mail: {mail:?}");
    (
        hook.last().unwrap().clone(),
        ntfy.last().unwrap().clone(),
        mail.last().unwrap().clone(),
    )
}

fn subject(mail: &Mail) -> String {
    let headers = mail.data.replace("\r\n ", " ");
    headers
        .lines()
        .find_map(|line| line.strip_prefix("Subject: "))
        .unwrap_or_default()
        .to_string()
}

/// A night: tonight's backup, the disks staff connected, the run.
fn night(office: &ApplyOffice, date: &str, disks: &[&str], exit: i32) -> serde_json::Value {
    office.office.backup_file(&name(date), 3000);
    office.connect_only(disks);
    office.apply(&format!("{date}T23:45")).code(exit);
    let text = std::fs::read_to_string(office.office.join("state/runs.jsonl")).unwrap();
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

/// The next morning's `rota status`: its exit code, and its Prometheus text.
fn morning(office: &ApplyOffice, at: &str, exit: i32) -> String {
    office
        .rota()
        .args(["status", "policy.yaml", "--at", at])
        .run()
        .code(exit);
    office
        .rota()
        .args([
            "status",
            "policy.yaml",
            "--format",
            "prometheus",
            "--at",
            at,
        ])
        .run()
        .code(exit)
        .stdout
}

#[test]
fn a_week_with_a_forgotten_disk_a_wrong_disk_and_a_refused_run() {
    let servers = Servers {
        hc: HttpRecorder::new(),
        hook: HttpRecorder::new(),
        ntfy: HttpRecorder::new(),
        smtp: SmtpSink::new(),
    };
    let office = office(&servers);
    let mut samples = Vec::new();

    // Monday: MON connected, all well. Nothing is sent but the check's pings.
    let before = counts(&servers);
    let monday = night(&office, "2026-04-06", &["MON"], 0);
    assert_eq!(monday["outcome"], "ok", "{monday}");
    let hc = servers.hc.wait_for(before[0] + 2);
    assert_eq!(hc[before[0] + 1].path, "/ping/office");
    assert!(
        hc[before[0] + 1]
            .body
            .starts_with("rota ok at Test Family Dental for 2026-04-06")
    );
    assert_eq!(
        counts(&servers)[1..],
        before[1..],
        "a good night sends no alert"
    );
    samples.push(morning(&office, "2026-04-07T09:00", 0));

    // Tuesday: the disk was forgotten.
    let before = counts(&servers);
    let tuesday = night(&office, "2026-04-07", &[], 1);
    assert_eq!(tuesday["outcome"], "failed");
    let (hook, ntfy, mail) = one_alert_each(&servers, before);
    let forgotten = "No disk was connected: tonight's backup is only on the server";
    assert!(
        ntfy.header("title").unwrap().starts_with(forgotten),
        "{ntfy:?}"
    );
    assert_eq!(ntfy.header("priority"), Some("urgent"));
    assert!(
        subject(&mail).starts_with(&format!("[rota FAILED] {forgotten}")),
        "{}",
        mail.data
    );
    let posted: serde_json::Value = serde_json::from_str(&hook.body).unwrap();
    assert_eq!(posted["event"], "failure");
    assert!(posted["title"].as_str().unwrap().starts_with(forgotten));
    assert_eq!(
        servers.hc.wait_for(before[0] + 2)[before[0] + 1].path,
        "/ping/office/fail"
    );
    samples.push(morning(&office, "2026-04-08T09:00", 1));

    // Wednesday morning: someone restores the latest backup, as root with no
    // $USER (a remote shell): the record names the account all the same.
    office
        .rota()
        .env_remove("USER")
        .args([
            "restore",
            "policy.yaml",
            "--latest",
            "--to",
            "restored",
            "--at",
            "2026-04-08T10:00",
        ])
        .run()
        .success();

    // Wednesday: yesterday's disk is still the one connected.
    let before = counts(&servers);
    let wednesday = night(&office, "2026-04-08", &["TUE"], 0);
    assert_eq!(wednesday["outcome"], "warning");
    let (hook, ntfy, mail) = one_alert_each(&servers, before);
    let wrong = "The wrong disk was connected: tonight's backup went on it instead";
    assert!(ntfy.header("title").unwrap().starts_with(wrong), "{ntfy:?}");
    assert_eq!(ntfy.header("priority"), Some("high"));
    assert!(
        subject(&mail).starts_with(&format!("[rota: needs attention] {wrong}")),
        "{}",
        mail.data
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&hook.body).unwrap()["event"],
        "warning"
    );
    assert_eq!(
        servers.hc.wait_for(before[0] + 2)[before[0] + 1].path,
        "/ping/office"
    );
    samples.push(morning(&office, "2026-04-09T09:00", 1));

    // Thursday: January's and February's backups were copied back into the source folder;
    // pruning them would delete most of the server's backups: refused.
    let start: chrono::NaiveDate = "2026-01-05".parse().unwrap();
    let january: Vec<String> = start
        .iter_days()
        .take_while(|day| day.to_string().as_str() < "2026-02-27")
        .filter(|day| chrono::Datelike::weekday(day).number_from_monday() <= 5)
        .map(|day| day.to_string())
        .collect();
    for date in &january {
        office.office.backup_file(&name(date), 3000);
    }
    let before = counts(&servers);
    let thursday = night(&office, "2026-04-09", &["THU"], 1);
    assert_eq!(thursday["error"]["kind"], "refused", "{thursday}");
    let (_, ntfy, mail) = one_alert_each(&servers, before);
    let refused = "rota refused a plan that would delete many backups: nothing was changed";
    assert!(
        ntfy.header("title").unwrap().starts_with(refused),
        "{ntfy:?}"
    );
    assert!(
        subject(&mail).starts_with(&format!("[rota FAILED] {refused}")),
        "{}",
        mail.data
    );
    assert_eq!(
        servers.hc.wait_for(before[0] + 2)[before[0] + 1].path,
        "/ping/office/fail"
    );
    samples.push(morning(&office, "2026-04-10T09:00", 1));
    for date in &january {
        std::fs::remove_file(office.office.source().join(name(date))).unwrap();
    }

    // Friday: all well again; the week's digest goes out with the run.
    let before = counts(&servers);
    let friday = night(&office, "2026-04-10", &["FRI"], 0);
    assert_eq!(friday["outcome"], "ok", "{friday}");
    let (hook, ntfy, mail) = one_alert_each(&servers, before);
    let digest: serde_json::Value = serde_json::from_str(&hook.body).unwrap();
    assert_eq!(digest["event"], "digest");
    let title = "Weekly backup digest: 2 of 5 nights failed or were missed, 1 needs attention (Test Family Dental, 2026-04-06 to 2026-04-12)";
    assert_eq!(ntfy.header("title"), Some(title));
    assert_eq!(ntfy.header("priority"), Some("low"));
    assert_eq!(subject(&mail), format!("[rota digest] {title}"));
    snapshot("digest_week", &ntfy.body);
    samples.push(morning(&office, "2026-04-11T09:00", 0));
    // Sent once: a second run on Friday night sends no second digest.
    let before = counts(&servers);
    office.apply("2026-04-10T23:50").success();
    assert_eq!(counts(&servers)[1..], before[1..]);

    the_month_is_on_the_record(&office);

    // Three weeks on with no run: overdue, and every disk unseen for long.
    samples.push(morning(&office, "2026-04-30T09:00", 1));
    // Tampering (raised by the deletion gate): a run record that met it.
    tampered_night(&office);
    samples.push(morning(&office, "2026-05-01T09:00", 1));
    the_alert_rules_fire_on_what_rota_wrote(&office, &samples);
}

/// April's report: every bad night, every restore, nothing inferred stated
/// as observed; then printed on Letter and on A4.
fn the_month_is_on_the_record(office: &ApplyOffice) {
    let report = |format: &str| {
        office
            .rota()
            .args([
                "report",
                "policy.yaml",
                "--from",
                "2026-04-01",
                "--to",
                "2026-04-30",
            ])
            .args(["--at", "2026-04-11T09:00", "--format", format])
            .run()
            .success()
            .stdout
    };
    let text = report("text");
    for row in [
        "2026-04-01  missed   no nightly run is recorded: the day is before rota's first recorded run (2026-04-06)",
        "2026-04-03  missed   no nightly run is recorded: the day is before rota's first recorded run (2026-04-06)",
        "2026-04-07  failed   No disk was connected: tonight's backup is only on the server",
        "2026-04-09  refused  rota refused a plan that would delete many backups",
    ] {
        assert!(text.contains(row), "{row:?} missing:\n{text}");
    }
    for good in ["2026-04-06  ", "2026-04-08  ", "2026-04-10  "] {
        assert!(
            !text
                .lines()
                .skip_while(|l| !l.starts_with("Failed or missed nights"))
                .any(|l| l.trim_start().starts_with(good.trim_end())),
            "{good} listed as failed:\n{text}"
        );
    }
    assert!(text.contains("apply       warning  disks: TUE"), "{text}");
    assert!(text.contains("(wrong-disk"), "{text}");
    assert!(
        text.contains("2026-04-09 23:45  apply       refused"),
        "{text}"
    );
    assert!(!text.contains("None:"), "{text}");
    assert!(
        !text.contains("gone "),
        "a movement stated as fact:\n{text}"
    );
    let restore = text
        .lines()
        .find(|l| l.starts_with("  2026-04-08 10:00  MacPractice_"))
        .unwrap_or_else(|| panic!("no restore row:\n{text}"));
    assert!(!restore.contains("by unknown"), "{restore}");
    let user = restore
        .split(" by ")
        .nth(1)
        .unwrap()
        .split(" on ")
        .next()
        .unwrap();
    let host = restore
        .split(" on ")
        .nth(1)
        .unwrap()
        .split("  from")
        .next()
        .unwrap();
    assert!(!user.is_empty() && user != "unknown", "{restore}");
    snapshot(
        "report_signals_week_text",
        &without_disk_ids(
            &office
                .office
                .redact(&text)
                .replace(&format!(" by {user} on {host} "), " by [USER] on [HOST] "),
        ),
    );

    let html = report("html");
    assert!(
        html.contains("data-event=\"missed\" data-before-first-run"),
        "{html}"
    );
    let scratch = office.office.folder("print");
    for (paper, size, page) in [("letter", "letter", "(letter)"), ("a4", "A4", "(A4)")] {
        let file = scratch.join(format!("april-{paper}.html"));
        std::fs::write(
            &file,
            html.replace("size: auto;", &format!("size: {size};")),
        )
        .unwrap();
        let pdf = browser::print_to_pdf(&file, &scratch);
        let (pages, printed_size) = browser::pages_and_size(&pdf);
        assert!(printed_size.ends_with(page), "{paper}: {printed_size}");
        assert!((1..=6).contains(&pages), "{paper}: {pages} pages");
        no_word_is_broken(&html, &browser::text(&pdf), paper);
    }
}

/// Disk ids are random (`rota disk init`): the Disks lines show `[ID]`.
fn without_disk_ids(text: &str) -> String {
    text.lines()
        .map(|line| {
            let id = line.split_whitespace().nth(1).unwrap_or("");
            let is_id = id.len() == 8 && id.chars().all(|c| c.is_ascii_hexdigit());
            if line.starts_with("  ") && is_id && line.contains(" rotation (") {
                line.replacen(id, "[ID]    ", 1)
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Every word of every table cell of `html` is whole in the printed text:
/// a word broken across lines ("remo ve") is not.
fn no_word_is_broken(html: &str, printed: &str, paper: &str) {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| c.is_whitespace() || c == '/')
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
            .filter(|w| w.chars().count() > 1)
            .collect()
    };
    let printed = printed.replace('\u{fb01}', "fi").replace('\u{fb02}', "fl");
    let printed: std::collections::BTreeSet<String> = words(&printed).into_iter().collect();
    let mut cells = String::new();
    for cell in html.split("<td").skip(1) {
        let cell = &cell[cell.find('>').unwrap() + 1..];
        let cell = &cell[..cell.find("</td>").unwrap_or(cell.len())];
        let mut plain = String::new();
        let mut in_tag = false;
        for c in cell.replace("<wbr>", "").chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    plain.push(' ');
                }
                c if !in_tag => plain.push(c),
                _ => {}
            }
        }
        let plain = plain
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'");
        cells.push_str(&plain);
        cells.push(' ');
    }
    let broken: Vec<String> = words(&cells)
        .into_iter()
        .filter(|word| !printed.contains(word))
        .collect();
    assert!(
        broken.is_empty(),
        "{paper}: words not whole in the printed report: {broken:?}"
    );
}

/// A run record as the deletion gate writes it when a backup was tampered
/// with (issue 26 raises the code; rota reads and renders it today).
fn tampered_night(office: &ApplyOffice) {
    let line = r#"{"schema":1,"started":"2026-05-01T03:45:00Z","finished":"2026-05-01T03:46:00Z","at":"2026-04-30T23:45:00-04:00","today":"2026-04-30","outcome":"failed","actions":0,"copies":0,"removals":0,"bytes":0,"pending":0,"warnings":["tampered-backup"],"warning_details":[{"code":"tampered-backup","message":"MacPractice_2026-04-06_2330.mpbackup changed after it was copied"}],"disks":[]}"#;
    let runs = office.office.join("state/runs.jsonl");
    let mut text = std::fs::read_to_string(&runs).unwrap();
    text.push_str(line);
    text.push('\n');
    std::fs::write(&runs, text).unwrap();
}

/// The samples as promtool input series, one a day: every series rota wrote
/// in any sample, `_` where a sample lacks it.
fn input_series(samples: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut series: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (index, sample) in samples.iter().enumerate() {
        for line in sample
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (name, value) = line.rsplit_once(' ').unwrap();
            let values = series
                .entry(name.to_string())
                .or_insert_with(|| vec![String::from("_"); samples.len()]);
            values[index] = value.to_string();
        }
    }
    series
}

fn the_alert_rules_fire_on_what_rota_wrote(office: &ApplyOffice, samples: &[String]) {
    let series = input_series(samples);
    let pending = &series["rota_pending_copies"];
    let mut test = String::new();
    let rules = repo_file("docs/monitoring/rota-alerts.yml");
    let _ = writeln!(
        test,
        "rule_files:\n  - {}\nevaluation_interval: 1m\ntests:\n  - interval: 1d\n    input_series:",
        rules.display()
    );
    for (name, values) in &series {
        let _ = writeln!(
            test,
            "      - series: '{name}'\n        values: '{}'",
            values.join(" ")
        );
    }
    let _ = writeln!(test, "    alert_rule_test:");
    let failed = "{ exp_labels: { severity: critical, outcome: failed }, exp_annotations: { summary: \"rota: last night's backup run failed\", description: \"Run `rota status` on the server: it names the failure and what to do.\" } }";
    let attention = "{ exp_labels: { severity: warning, outcome: warning }, exp_annotations: { summary: \"rota: last night's backup run needs attention\", description: \"Run `rota status` on the server for the warnings and what to do.\" } }";
    let overdue = "{ exp_labels: { severity: critical }, exp_annotations: { summary: \"rota: the nightly backup run is overdue\" } }";
    let unseen = |label: &str| {
        format!(
            "{{ exp_labels: {{ severity: warning, label: {label} }}, exp_annotations: {{ summary: \"rota: disk {label} has not been connected for over 14 days\" }} }}"
        )
    };
    let tampered = "{ exp_labels: { severity: critical, code: tampered-backup }, exp_annotations: { summary: \"rota: a backup was changed after it was copied (possible ransomware)\", description: \"Run `rota status` and `rota explain`; if the change was intended, `rota accept-change`.\" } }";
    // Samples: 0 Tue (after a good Monday), 1 Wed (forgotten disk), 2 Thu
    // (wrong disk), 3 Fri (refused), 4 Sat (good Friday), 5 three weeks on
    // with no run, 6 after a tampered night.
    // FRI is still connected; WED was never seen (no series to judge).
    let disks_unseen: Vec<String> = ["MON", "THU", "TUE"].iter().map(|l| unseen(l)).collect();
    let mut cases: Vec<(usize, &str, Vec<String>)> = vec![
        (0, "RotaLastRunFailed", vec![]),
        (1, "RotaLastRunFailed", vec![failed.to_string()]),
        (2, "RotaLastRunFailed", vec![]),
        (2, "RotaLastRunNeedsAttention", vec![attention.to_string()]),
        (3, "RotaLastRunFailed", vec![failed.to_string()]),
        (4, "RotaLastRunFailed", vec![]),
        (4, "RotaLastRunNeedsAttention", vec![]),
        (4, "RotaOverdue", vec![]),
        (4, "RotaDiskNotSeen", vec![]),
        (5, "RotaOverdue", vec![overdue.to_string()]),
        (5, "RotaDiskNotSeen", disks_unseen),
        (5, "RotaTampering", vec![]),
        (6, "RotaTampering", vec![tampered.to_string()]),
    ];
    // Pending copies growing: wherever the week's own numbers rose over two
    // days above five, and nowhere else.
    for day in 0..samples.len() {
        let value = |i: usize| pending[i].parse::<f64>().ok();
        let growing = day >= 1
            && value(day).is_some_and(|now| {
                now > 5.0 && value(day.saturating_sub(2)).is_some_and(|then| now > then)
            });
        let expected = if growing {
            vec![format!(
                "{{ exp_labels: {{ severity: warning }}, exp_annotations: {{ summary: \"rota: {} copies are waiting for disks that are not connected, and growing\" }} }}",
                pending[day]
            )]
        } else {
            vec![]
        };
        cases.push((day, "RotaPendingCopiesGrowing", expected));
    }
    assert!(
        cases
            .iter()
            .any(|(_, name, alerts)| *name == "RotaPendingCopiesGrowing" && !alerts.is_empty()),
        "the week never grew its pending copies: {pending:?}"
    );
    for (day, alert, expected) in cases {
        let _ = writeln!(
            test,
            "      - eval_time: {day}d\n        alertname: {alert}\n        exp_alerts: [{}]",
            expected.join(", ")
        );
    }
    let file = office.office.join("rota-alerts.test.yml");
    std::fs::write(&file, &test).unwrap();
    let output = Command::new(tools::promtool())
        .args(["test", "rules"])
        .arg(&file)
        .output()
        .expect("run promtool");
    assert!(
        output.status.success(),
        "promtool test rules failed:\n{}\n{}\n--- test file ---\n{test}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
