//! `rota status` for a person: the verdict first (HEALTHY, FAILED, OVERDUE,
//! NEVER RUN) and why, then the last run, the schedule, tonight's disk, the
//! disks, pending work, warnings, notifications that failed and the next
//! restore test. Times are RFC 3339 to the second, in office time.

use std::fmt::Write;

use chrono::{DateTime, FixedOffset};

use super::record::RunRecord;
use super::seconds;
use super::status::{Health, Status};

pub fn render(status: &Status) -> String {
    let mut out = String::new();
    let verdict = match status.health {
        Health::Healthy => "HEALTHY",
        Health::Failed => "FAILED",
        Health::Overdue => "OVERDUE",
        Health::Warning => "NEEDS ATTENTION",
        Health::NeverRun => "NEVER RUN",
    };
    let _ = writeln!(out, "{}: {verdict}", status.office);
    let _ = writeln!(out, "  as of {}", time(&status.at));
    for problem in &status.problems {
        let _ = writeln!(out, "  ! {problem}");
    }
    out.push('\n');
    last_run(&mut out, status);
    schedule(&mut out, status);
    disks(&mut out, status);
    work(&mut out, status);
    out
}

fn time(at: &DateTime<FixedOffset>) -> String {
    seconds::text(at)
}

fn last_run(out: &mut String, status: &Status) {
    let Some(run) = &status.last_run else {
        let _ = writeln!(out, "Last run: none recorded");
        return;
    };
    let _ = writeln!(
        out,
        "Last run: {} for {}: {}",
        time(&run.at),
        run.today.map(|d| d.to_string()).unwrap_or_default(),
        outcome(run)
    );
    let _ = writeln!(
        out,
        "  {} copied ({}), {} removed, {} pending; took {}s",
        run.copies,
        crate::policy::values::Size(run.bytes),
        run.removals,
        run.pending,
        (run.finished - run.started).num_seconds().max(0)
    );
    let disks: Vec<&str> = run.disks.iter().map(|d| d.label.as_str()).collect();
    let _ = writeln!(
        out,
        "  disks connected: {}",
        if disks.is_empty() {
            "none".to_string()
        } else {
            disks.join(", ")
        }
    );
    if let Some(success) = &status.last_success {
        let _ = writeln!(out, "  last run that did not fail: {}", time(success));
    }
    for failed in &status.notify_failures {
        let _ = writeln!(
            out,
            "  ! notification {} ({}) failed: {}",
            failed.channel,
            failed.event,
            failed.error.as_deref().unwrap_or("unknown error")
        );
    }
}

fn outcome(run: &RunRecord) -> String {
    match (&run.error, run.warnings.is_empty()) {
        (Some(error), _) => format!("{} ({}: {})", run.outcome.key(), error.kind, error.message),
        (None, false) => {
            let codes: Vec<&str> = run.warnings.iter().map(|c| c.key()).collect();
            format!("{} ({})", run.outcome.key(), codes.join(", "))
        }
        (None, true) => run.outcome.key().to_string(),
    }
}

fn schedule(out: &mut String, status: &Status) {
    match &status.schedule {
        Some(schedule) => {
            let wait = schedule
                .wait
                .as_ref()
                .map(|w| format!(", waiting up to {w} for the backup"))
                .unwrap_or_default();
            let _ = writeln!(out, "Schedule: every open day at {}{wait}", schedule.at);
        }
        None => {
            let _ = writeln!(
                out,
                "Schedule: none in the policy (expects one run each open day)"
            );
        }
    }
    if let Some(next) = &status.next_run {
        let _ = writeln!(out, "  next run: {}", time(next));
    }
    if let Some(night) = &status.expected_night {
        let verdict = match &night.run {
            None => String::from("MISSED: no run is recorded"),
            Some(run) if run.in_window => {
                format!("ran at {}: {}", time(&run.at), run.outcome.key())
            }
            Some(run) => format!(
                "no run in its window; a later run at {}: {}",
                time(&run.at),
                run.outcome.key()
            ),
        };
        let _ = writeln!(
            out,
            "  last expected run: for {} (between {} and {}): {verdict}",
            night.day,
            time(&night.opens),
            time(&night.deadline),
        );
    }
    if !status.tonight.is_empty() {
        let _ = writeln!(out, "Tonight's disk: {}", status.tonight.join(", "));
    }
}

fn disks(out: &mut String, status: &Status) {
    if status.disks.is_empty() {
        let _ = writeln!(out, "Disks: none seen yet");
        return;
    }
    let _ = writeln!(out, "Disks:");
    let width = status
        .disks
        .iter()
        .map(|d| d.label.chars().count())
        .max()
        .unwrap_or(0);
    for disk in &status.disks {
        let seen = if disk.connected {
            "connected now".to_string()
        } else {
            disk.last_seen
                .map(|t| format!("last seen {}", time(&t)))
                .unwrap_or_else(|| "never seen".to_string())
        };
        let verified = disk
            .last_verified
            .map(|t| format!(", verified {}", time(&t)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:width$}  {seen}, {} {}{verified}",
            disk.label,
            disk.holdings,
            if disk.holdings == 1 {
                "backup"
            } else {
                "backups"
            },
        );
    }
}

fn work(out: &mut String, status: &Status) {
    let _ = writeln!(
        out,
        "Pending: {} planned {}, {} waiting for a disk ({} copies)",
        status.planned_actions,
        if status.planned_actions == 1 {
            "action"
        } else {
            "actions"
        },
        status.pending,
        status.pending_copies
    );
    if status.warnings.is_empty() {
        let _ = writeln!(out, "Warnings: none");
    } else {
        let _ = writeln!(out, "Warnings:");
        for warning in &status.warnings {
            let _ = writeln!(
                out,
                "  {} ({}): {}",
                warning.code, warning.severity, warning.message
            );
        }
    }
    match status.restore_test_due {
        Some(due) => {
            let _ = writeln!(out, "Next restore test due: {due}");
        }
        None => {
            let _ = writeln!(out, "Next restore test due: now (none recorded)");
        }
    }
}
