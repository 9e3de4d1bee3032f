//! The policy keys for running unattended, `schedule:` and `notify:`: a
//! valid set-up is read into typed values, every mistake is reported at once
//! with its place and a help line (snapshotted), and the commented examples
//! in `rota init`'s starter policy are valid once uncommented.

use std::path::Path;
use std::time::Duration;

use crate::support;
use crate::support::redact_paths;
use rota::cli::error_display::Style;
use rota::cli::{CliError, render_error};
use rota::policy::NotifyEvent;

#[test]
fn a_valid_schedule_and_notify_section_is_read_into_typed_values() {
    let loaded = rota::policy::load(Path::new("tests/fixtures/unattended/valid.yaml"))
        .expect("valid policy");
    let policy = loaded.policy;
    let schedule = policy.schedule.expect("a schedule");
    assert_eq!(schedule.at.to_string(), "23:45:00");
    assert_eq!(schedule.wait, Some(Duration::from_secs(90 * 60)));
    assert_eq!(schedule.wait_text().as_deref(), Some("90m"));
    let notify = policy.notify;
    assert_eq!(notify.on, [NotifyEvent::Failure, NotifyEvent::Success]);
    assert_eq!(notify.digest, Some(rota::policy::DigestEvery::Weekly));
    assert_eq!(
        notify.healthchecks.as_deref(),
        Some("https://hc-ping.com/1234")
    );
    assert_eq!(
        notify.webhook.as_deref(),
        Some("http://it.example.com/hook")
    );
    let email = notify.email.expect("email");
    assert_eq!(email.to, ["it@example.com"]);
    assert_eq!(
        (email.host.as_str(), email.port, email.starttls),
        ("smtp.example.com", 587, true)
    );
    assert_eq!(email.password_env.as_deref(), Some("ROTA_SMTP_PASSWORD"));
}

#[test]
fn every_mistake_in_schedule_and_notify_is_reported_at_once() {
    let errors = rota::policy::load(Path::new("tests/fixtures/unattended/several-problems.yaml"))
        .expect_err("a broken policy");
    let codes: Vec<&str> = errors.diagnostics.iter().map(|d| d.code.name()).collect();
    assert_eq!(
        codes,
        [
            "unknown-key",
            "bad-time",
            "bad-duration",
            "unknown-notify-event",
            "unknown-digest",
            "bad-url",
            "bad-email-address",
            "bad-smtp-address",
            "smtp-password-missing",
        ]
    );
    assert!(
        errors
            .diagnostics
            .iter()
            .all(|d| d.help.is_some() && d.line_column().is_some())
    );
    let report = redact_paths(
        &render_error(&CliError::Policy(errors), Style::plain()),
        &[],
    );
    assert!(
        report.contains("starttls, username, password_env"),
        "{report}"
    );
    assert!(report.contains("did you mean `warning`?"), "{report}");
    assert!(report.contains("did you mean `weekly`?"), "{report}");
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("unattended_policy_several_problems", report);
    });
}

#[test]
fn the_starter_policys_schedule_and_notify_examples_are_valid_once_uncommented() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rota.yaml");
    support::Rota::new()
        .arg("init")
        .arg(&path)
        .args(["--timezone", "America/New_York"])
        .run()
        .success();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut uncommented = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("# schedule:") || line.starts_with("# notify:") {
            inside = true;
        }
        if inside && let Some(rest) = line.strip_prefix("# ") {
            uncommented.push_str(rest);
        } else {
            inside = false;
            uncommented.push_str(line);
        }
        uncommented.push('\n');
    }
    assert!(uncommented.contains("\nschedule: {"), "{uncommented}");
    assert!(
        uncommented.contains("\n  healthchecks: https://"),
        "{uncommented}"
    );
    let loaded = rota::policy::load_str(&uncommented, &path).expect("the examples are valid");
    assert!(loaded.policy.schedule.is_some());
    assert!(loaded.policy.notify.email.is_some());
}
