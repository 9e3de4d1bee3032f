//! Running unattended, end to end through the real binary: each `apply`
//! leaves a record in `state_dir/runs.jsonl`, tells a real healthchecks-style
//! server, webhook, ntfy topic and SMTP server on 127.0.0.1 how the night
//! went, and `rota status` judges it (exit 1 when the last run failed or a
//! night is overdue, by the runs' `--at` instants).

use crate::apply_office::{ApplyOffice, name};
use crate::support::FIVE_DAY_POLICY;
use crate::support::listeners::{HttpRecorder, Silent, SmtpSink, closed_port};

/// The five-day office with two weeks of backups and TUE plugged in;
/// `extra` is appended to the policy (schedule, notify).
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

/// Wednesday night's backup, written before that night's run (a night
/// without one fails: `missing-backup`).
fn wednesdays_backup(office: &ApplyOffice) {
    office.office.backup_file(&name("2026-04-01"), 2001);
}

/// Wednesday's backup, and staff swapped TUE for WED as the sheet says.
fn a_good_wednesday(office: &ApplyOffice) {
    wednesdays_backup(office);
    if !office.labels().contains(&"WED".to_string()) {
        office.disk("WED", false);
    }
    office.connect_only(&["WED"]);
}

fn runs(office: &ApplyOffice) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(office.office.join("state/runs.jsonl")).unwrap_or_default();
    text.lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

fn status_json(office: &ApplyOffice, at: &str, code: i32) -> serde_json::Value {
    let output = office
        .rota()
        .args(["status", "policy.yaml", "--format", "json", "--at", at])
        .run()
        .code(code);
    serde_json::from_str(&output.stdout).expect("status JSON")
}

/// Real durations vary from run to run; snapshots show a placeholder.
fn steady(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        // Only a duration at the end of a line ("…; took 1.3s"), not a
        // warning that says a disk "took Tuesday's backup".
        let duration = line.rfind("took ").filter(|at| {
            let rest = &line[at + 5..];
            rest.strip_suffix('s')
                .is_some_and(|n| n.parse::<f64>().is_ok())
        });
        let line = match duration {
            Some(at) => format!("{}took [N]s", &line[..at]),
            None if line.starts_with("rota_last_run_duration_seconds ") => {
                "rota_last_run_duration_seconds [N]".to_string()
            }
            None => line.to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn a_night_with_the_source_missing_fails_pings_fail_and_status_says_so_until_a_good_night() {
    let hc = HttpRecorder::new();
    let hook = HttpRecorder::new();
    let office = office(&format!(
        "schedule: {{ at: \"23:45\", wait: 30m }}\nnotify:\n  healthchecks: {}\n  webhook: {}\n",
        hc.url("/ping/abc"),
        hook.url("/hook")
    ));
    let source = office.office.source();
    let aside = office.office.join("source-aside");
    std::fs::rename(&source, &aside).unwrap();
    office
        .apply("2026-03-31T23:50")
        .failure()
        .stderr_contains("does not exist");

    let record = &runs(&office)[0];
    assert_eq!(record["outcome"], "failed");
    assert_eq!(record["error"]["kind"], "source-missing");
    assert!(
        record["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
    assert_eq!(record["at"], "2026-03-31T23:50:00-04:00");
    assert!(
        record["started"].as_str().unwrap().ends_with('Z'),
        "real clock in UTC"
    );

    let pings = hc.wait_for(2);
    let paths: Vec<&str> = pings.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/ping/abc/start", "/ping/abc/fail"]);
    assert_eq!(pings[1].method, "POST");
    assert!(
        pings[1].body.contains("rota FAILED at Test Family Dental"),
        "{}",
        pings[1].body
    );
    assert!(
        pings[1].body.contains("source-missing"),
        "{}",
        pings[1].body
    );
    let posted = hook.wait_for(1);
    assert_eq!(posted[0].header("content-type"), Some("application/json"));
    let json: serde_json::Value = serde_json::from_str(&posted[0].body).unwrap();
    assert_eq!(json["event"], "failure");
    assert_eq!(json["outcome"], "failed");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );

    let status = status_json(&office, "2026-04-01T09:00", 1);
    assert_eq!(status["health"], "failed");
    assert_eq!(status["last_run"]["outcome"], "failed");
    assert_eq!(status["overdue"], false);
    let prometheus = office
        .rota()
        .args([
            "status",
            "policy.yaml",
            "--format",
            "prometheus",
            "--at",
            "2026-04-01T09:00",
        ])
        .run()
        .code(1);
    assert!(
        prometheus.stdout.contains("\nrota_last_run_success 0\n"),
        "{}",
        prometheus.stdout
    );
    assert!(
        prometheus
            .stdout
            .contains("\nrota_last_run_timestamp_seconds 1775015400\n")
    );

    std::fs::rename(&aside, &source).unwrap();
    office.apply("2026-03-31T23:55").success();
    let status = status_json(&office, "2026-04-01T09:00", 0);
    assert_eq!(status["health"], "healthy");
    assert_eq!(status["last_success"], serde_json::Value::Null);
    let pings = hc.wait_for(4);
    assert_eq!(
        pings[3].path, "/ping/abc",
        "a good night pings the check itself"
    );
    // The good night is a success; `on` defaults to failure and warning, so
    // the webhook heard only of the failure (and warnings, if any).
    let last = &runs(&office)[1];
    assert_ne!(last["outcome"], "failed");
}

#[test]
fn a_run_with_the_wrong_disk_sends_a_warning_by_webhook_ntfy_and_mail() {
    let hook = HttpRecorder::new();
    let ntfy = HttpRecorder::new();
    let smtp = SmtpSink::new();
    let office = office(&format!(
        "notify:\n  on: [warning]\n  webhook: {}\n  ntfy: {}\n  email: {{ to: [it@example.com], from: rota@office.example, smtp: \"{}\", starttls: false }}\n",
        hook.url("/hook"),
        ntfy.url("/office-backups"),
        smtp.address()
    ));
    // Wednesday night, but TUE is still plugged in.
    wednesdays_backup(&office);
    office.apply("2026-04-01").success();
    let record = &runs(&office)[0];
    assert_eq!(record["outcome"], "warning");
    assert!(
        record["warnings"]
            .as_array()
            .unwrap()
            .contains(&"wrong-disk".into())
    );
    let posted: serde_json::Value = serde_json::from_str(&hook.wait_for(1)[0].body).unwrap();
    assert_eq!(posted["event"], "warning");
    assert!(
        posted["warnings"]
            .as_array()
            .unwrap()
            .contains(&"wrong-disk".into())
    );
    let topic = &ntfy.wait_for(1)[0];
    assert_eq!(topic.path, "/office-backups");
    assert_eq!(
        topic.header("title"),
        Some(
            "The wrong disk was connected: tonight's backup went on it instead (Test Family Dental, 2026-04-01)"
        ),
        "{topic:?}"
    );
    assert_eq!(topic.header("priority"), Some("high"));
    assert!(topic.body.contains("wrong-disk"), "{}", topic.body);
    let mail = &smtp.wait_for(1)[0];
    assert_eq!(mail.from, "rota@office.example");
    assert_eq!(mail.to, ["it@example.com"]);
    let headers = mail.data.replace("\r\n ", " ");
    assert!(
        headers.contains(
            "Subject: [rota: needs attention] The wrong disk was connected: tonight's backup went on it instead (Test Family Dental, 2026-04-01)"
        ),
        "{}",
        mail.data
    );
    assert!(mail.data.contains("disk TUE is connected"), "{}", mail.data);
    let sent: Vec<&str> = record["notify"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["channel"].as_str().unwrap())
        .collect();
    assert_eq!(sent, ["webhook", "ntfy", "email"]);
    assert!(
        record["notify"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["ok"] == true)
    );
}

#[test]
fn an_unreachable_webhook_does_not_fail_the_run_and_status_shows_it() {
    let office = office(&format!(
        "notify:\n  on: [success, warning, failure]\n  webhook: http://127.0.0.1:{}/hook\n",
        closed_port()
    ));
    office
        .apply("2026-03-31")
        .success()
        .stderr_contains("the webhook notification (")
        .stderr_contains("the backup work is not affected");
    let record = &runs(&office)[0];
    assert_ne!(record["outcome"], "failed");
    assert_eq!(record["notify"][0]["ok"], false);
    let status = status_json(&office, "2026-04-01T09:00", 0);
    assert_eq!(status["notify_failures"][0]["channel"], "webhook");
}

#[test]
fn a_webhook_answering_500_is_recorded_as_failed() {
    let broken = HttpRecorder::answering(500);
    let office = office(&format!(
        "notify:\n  on: [success, warning]\n  webhook: {}\n",
        broken.url("/")
    ));
    office.apply("2026-03-31").success();
    let record = &runs(&office)[0];
    let error = record["notify"][0]["error"].as_str().unwrap();
    assert!(error.contains("HTTP 500"), "{error}");
    assert!(error.contains("broken on purpose"), "{error}");
}

#[test]
fn notify_test_tries_every_channel_and_says_which_worked() {
    let hc = HttpRecorder::new();
    let smtp = SmtpSink::new();
    let office = office(&format!(
        "notify:\n  healthchecks: {}\n  webhook: http://127.0.0.1:{}/\n  email: {{ to: it@example.com, from: rota@office.example, smtp: \"{}\", starttls: false }}\n",
        hc.url("/ping/abc"),
        closed_port(),
        smtp.address()
    ));
    let output = office
        .rota()
        .args(["notify", "test", "policy.yaml"])
        .run()
        .failure()
        .stdout_contains("ok      healthchecks")
        .stdout_contains("FAILED  webhook:")
        .stdout_contains("ok      email")
        .stderr_contains("1 of 3 notification channels failed");
    assert!(!output.stdout.contains("Every channel worked"));
    assert_eq!(hc.wait_for(1)[0].path, "/ping/abc");
    assert!(
        smtp.wait_for(1)[0]
            .data
            .contains("rota test notification from Test Family Dental")
    );
}

#[test]
fn status_judges_overdue_nights_by_the_runs_at_instants() {
    let office = office("schedule: { at: \"23:45\", wait: 2h }\n");
    office
        .rota()
        .args(["status", "policy.yaml", "--at", "2026-03-31T12:00"])
        .run()
        .code(1)
        .stdout_contains("NEVER RUN");
    office.apply("2026-03-31T23:45").success();
    // Tuesday's run is due by Wednesday 02:45 (23:45 + 2h wait + 1h grace).
    status_json(&office, "2026-04-01T02:44", 0);
    status_json(&office, "2026-04-01T23:00", 0);
    // No run on Wednesday night: overdue from Thursday 02:45.
    let overdue = status_json(&office, "2026-04-02T02:45", 1);
    assert_eq!(overdue["health"], "overdue");
    assert_eq!(overdue["expected_night"]["day"], "2026-04-01");
    // A run planned for a later instant had not happened as of an earlier one.
    a_good_wednesday(&office);
    office.apply("2026-04-01T23:46").success();
    status_json(&office, "2026-04-02T09:00", 0);
    status_json(&office, "2026-03-31T12:00", 1);
}

#[test]
fn status_text_and_prometheus_snapshots() {
    let office = office("schedule: { at: \"23:45\", wait: 2h }\n");
    office.apply("2026-03-31T23:45").success();
    a_good_wednesday(&office);
    office.apply("2026-04-01T23:45").success();
    let text = office
        .rota()
        .args(["status", "policy.yaml", "--at", "2026-04-02T09:00"])
        .run()
        .success();
    snapshot(
        "status_text_after_two_nights",
        &office.office.redact(&steady(&text.stdout)),
    );
    let prometheus = office
        .rota()
        .args([
            "status",
            "policy.yaml",
            "--format",
            "prometheus",
            "--at",
            "2026-04-02T09:00",
        ])
        .run()
        .success();
    snapshot(
        "status_prometheus_after_two_nights",
        &steady(&prometheus.stdout),
    );
}

#[test]
fn the_same_disk_on_two_consecutive_nights_is_disk_not_swapped() {
    let office = office("");
    office.apply("2026-03-31").success();
    wednesdays_backup(&office);
    office
        .apply("2026-04-01")
        .success()
        .stderr_contains("disk TUE took Tuesday's backup and is still connected");
    let record = &runs(&office)[1];
    assert!(
        record["warnings"]
            .as_array()
            .unwrap()
            .contains(&"disk-not-swapped".into())
    );
    // The night did its job but needs a person: status exits 1.
    let status = status_json(&office, "2026-04-02T00:30", 1);
    assert_eq!(status["health"], "warning");
    let codes: Vec<&str> = status["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"disk-not-swapped"), "{codes:?}");
}

#[test]
fn a_server_that_never_answers_times_out_and_the_run_still_succeeds() {
    let hung = Silent::new();
    let office = office(&format!(
        "notify:\n  healthchecks: {}\n",
        hung.url("/ping/abc")
    ));
    office
        .rota()
        .env("ROTA_NOTIFY_TIMEOUT_SECS", "1")
        .args(["apply", "policy.yaml", "--yes", "--at", "2026-03-31"])
        .run()
        .success()
        .stderr_contains("the healthchecks notification (start) did not get through");
    let record = &runs(&office)[0];
    assert_ne!(record["outcome"], "failed");
    let errors: Vec<&str> = record["notify"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["error"].as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 2, "the start and the end pings");
    assert!(
        errors
            .iter()
            .all(|e| e.contains("imeout") || e.contains("timed out")),
        "{errors:?}"
    );
}
