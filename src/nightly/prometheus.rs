//! `rota status --format prometheus`: the node_exporter textfile format, so
//! an IT provider watching many offices collects rota's health with the
//! Prometheus (or compatible) setup they already run. Write it to the
//! collector's folder from the nightly job, e.g.
//! `rota status POLICY --format prometheus > /var/lib/node_exporter/rota.prom`.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::record::RunOutcome;
use super::status::{Health, Status};
use crate::plan::Severity;

pub fn render(status: &Status) -> String {
    let mut out = String::new();
    let last = status.last_run.as_ref();
    gauge(
        &mut out,
        "rota_info",
        "The office this rota status is for (always 1).",
        &[(format!("office=\"{}\"", escape(&status.office)), 1)],
    );
    plain(
        &mut out,
        "rota_status_timestamp_seconds",
        "The instant this status was judged (its --at, else the clock), Unix time.",
        status.at.timestamp(),
    );
    plain(
        &mut out,
        "rota_healthy",
        "1 when the last run was ok (standing advice allowed) and no night is overdue.",
        i64::from(status.health == Health::Healthy),
    );
    plain(
        &mut out,
        "rota_overdue",
        "1 when the expected night has no run.",
        i64::from(status.overdue),
    );
    plain(
        &mut out,
        "rota_last_run_timestamp_seconds",
        "The instant the last apply run planned for (its --at, else its start), Unix time; 0 if none.",
        last.map(|r| r.at.timestamp()).unwrap_or(0),
    );
    plain(
        &mut out,
        "rota_last_run_success",
        "1 when the last apply run did not fail (ok or warning).",
        i64::from(last.is_some_and(|r| r.outcome != RunOutcome::Failed)),
    );
    let outcomes: Vec<(String, i64)> = [RunOutcome::Ok, RunOutcome::Warning, RunOutcome::Failed]
        .into_iter()
        .map(|outcome| {
            (
                format!("outcome=\"{}\"", outcome.key()),
                i64::from(last.is_some_and(|r| r.outcome == outcome)),
            )
        })
        .collect();
    gauge(
        &mut out,
        "rota_last_run_outcome",
        "1 for the last apply run's outcome (ok, warning, failed), 0 for the others; all 0 if none.",
        &outcomes,
    );
    if let Some(run) = last {
        plain(
            &mut out,
            "rota_last_run_age_seconds",
            "How long before this status the last apply run planned for (its --at instant).",
            (status.at.timestamp() - run.at.timestamp()).max(0),
        );
    }
    let last_codes: Vec<(String, i64)> = last
        .iter()
        .flat_map(|run| &run.warnings)
        .map(|code| {
            (
                format!(
                    "code=\"{}\",severity=\"{}\"",
                    escape(code.key()),
                    code.severity()
                ),
                1,
            )
        })
        .collect();
    gauge(
        &mut out,
        "rota_last_run_warnings",
        "1 for each warning code the last apply run met (tampered-backup, no-disk, ...), with its severity.",
        &last_codes,
    );
    plain(
        &mut out,
        "rota_last_run_duration_seconds",
        "How long the last apply run took, by the real clock.",
        last.map(|r| (r.finished - r.started).num_seconds().max(0))
            .unwrap_or(0),
    );
    let seen: Vec<(String, i64)> = status
        .disks
        .iter()
        .filter_map(|d| {
            let at = d.last_seen?;
            Some((format!("label=\"{}\"", escape(&d.label)), at.timestamp()))
        })
        .collect();
    gauge(
        &mut out,
        "rota_disk_last_seen_timestamp_seconds",
        "When each labelled disk was last connected, Unix time.",
        &seen,
    );
    let ages: Vec<(String, i64)> = status
        .disks
        .iter()
        .filter_map(|d| {
            let age = if d.connected {
                0
            } else {
                (status.at.timestamp() - d.last_seen?.timestamp()).max(0)
            };
            Some((format!("label=\"{}\"", escape(&d.label)), age))
        })
        .collect();
    gauge(
        &mut out,
        "rota_disk_last_seen_age_seconds",
        "How long before this status each labelled disk was last connected (0: connected now).",
        &ages,
    );
    let holdings: Vec<(String, i64)> = status
        .disks
        .iter()
        .map(|d| (format!("label=\"{}\"", escape(&d.label)), d.holdings as i64))
        .collect();
    gauge(
        &mut out,
        "rota_disk_backups",
        "How many backups each disk held when last seen.",
        &holdings,
    );
    plain(
        &mut out,
        "rota_pending_copies",
        "Copies waiting for a disk that is not connected.",
        status.pending_copies as i64,
    );
    let mut codes: BTreeMap<(&str, Severity), i64> = BTreeMap::new();
    for warning in &status.warnings {
        *codes
            .entry((warning.code.as_str(), warning.severity))
            .or_default() += 1;
    }
    let codes: Vec<(String, i64)> = codes
        .into_iter()
        .map(|((code, severity), count)| {
            (
                format!("code=\"{}\",severity=\"{severity}\"", escape(code)),
                count,
            )
        })
        .collect();
    gauge(
        &mut out,
        "rota_warnings",
        "Warnings as of now (the plan's, and those only the last run saw), by code and severity.",
        &codes,
    );
    plain(
        &mut out,
        "rota_notify_failures",
        "Notifications of the last run that did not get through.",
        status.notify_failures.len() as i64,
    );
    out
}

fn plain(out: &mut String, name: &str, help: &str, value: i64) {
    gauge(out, name, help, &[(String::new(), value)]);
}

fn gauge(out: &mut String, name: &str, help: &str, samples: &[(String, i64)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    for (labels, value) in samples {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {value}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
}

/// Label values escape backslash, double quote and newline.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
