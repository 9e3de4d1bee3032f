//! `rota explain` for what is no longer there: a backup every copy of which
//! was deleted (when, where, by which run and why, from the audit log, and
//! who restored it before), and a date that holds no backup (the office was
//! closed that day, and why; or the day's backup was deleted).
//!
//! Pure: a function of the policy, the audit log's deletions and the
//! restore accesses, passed in. It states only what those records say.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::calendar::full_weekday;
use crate::execute::audit::AuditRecord;
use crate::nightly::seconds;
use crate::plan::Op;
use crate::policy::Policy;
use crate::recovery::access_log::RestoreAccess;
use crate::words::format::bytes;

/// Why no backup belongs to `date`, if the calendar says so: the office was
/// closed (a holiday or break, by name) or does not open on that weekday.
pub fn closed_day(policy: &Policy, date: NaiveDate) -> Option<String> {
    let calendar = &policy.office.calendar;
    if calendar.is_open(date) {
        return None;
    }
    let day = format!("{} {date}", full_weekday(date.weekday()));
    let why = match calendar.closure(date) {
        Some(span) => {
            let name = span
                .name
                .as_deref()
                .unwrap_or("a closed day in office.closed");
            if span.from == span.to {
                format!("the office was closed on {day}: {name}")
            } else {
                format!(
                    "the office was closed on {day}: {name} ({} to {})",
                    span.from, span.to
                )
            }
        }
        None => format!(
            "{day} is not an open day: the office opens on {}",
            open_days(policy)
        ),
    };
    let mut out = String::new();
    let _ = writeln!(out, "{date}");
    let _ = writeln!(out, "  {why}");
    let _ = writeln!(
        out,
        "  No backup belongs to it: no nightly run was due, and nothing is missing."
    );
    if let Some(before) = calendar.open_day_on_or_before(date) {
        let _ = writeln!(
            out,
            "  A backup made that day counts for the open day before it, {} {before}.",
            full_weekday(before.weekday())
        );
    }
    Some(out)
}

fn open_days(policy: &Policy) -> String {
    policy
        .office
        .calendar
        .open_weekdays()
        .iter()
        .map(|day| full_weekday(*day).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The backups the audit log records as deleted whose business day is
/// `date`, the day's backup (the latest) first.
pub fn deleted_of_day(policy: &Policy, audit: &[AuditRecord], date: NaiveDate) -> Vec<String> {
    let calendar = &policy.office.calendar;
    let mut names: Vec<(chrono::NaiveDateTime, String)> = audit
        .iter()
        .filter_map(|record| {
            let made = policy.source.pattern.timestamp(&record.backup)?;
            (calendar.business_day(made) == Some(date)).then(|| (made, record.backup.clone()))
        })
        .collect();
    names.sort();
    names.dedup();
    names.reverse();
    names.into_iter().map(|(_, name)| name).collect()
}

/// What became of `name`, every copy of which is gone: each deletion the
/// audit log records, and each restore before it. `None` when the audit log
/// records no deletion of it.
pub fn deleted(
    policy: &Policy,
    audit: &[AuditRecord],
    restores: &[RestoreAccess],
    name: &str,
) -> Option<String> {
    let mut deletions: Vec<&AuditRecord> = audit.iter().filter(|r| r.backup == name).collect();
    if deletions.is_empty() {
        return None;
    }
    deletions.sort_by_key(|r| r.when);
    let mut out = String::new();
    let _ = writeln!(out, "{name}");
    if let Some(made) = policy.source.pattern.timestamp(name) {
        let day = policy.office.calendar.business_day(made);
        let _ = writeln!(
            out,
            "  made      {} ({}){}",
            made.format("%Y-%m-%d %H:%M"),
            full_weekday(made.weekday()),
            day.map(|d| format!(", for business day {d}"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        out,
        "  state     deleted: no copy is on the server or on any disk rota knows; the audit log records {}",
        if deletions.len() == 1 {
            String::from("its deletion")
        } else {
            format!("{} deletions", deletions.len())
        }
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Deleted (state_dir/audit.log)");
    for record in &deletions {
        deletion(policy, record, &mut out);
    }
    let restored: Vec<&RestoreAccess> = restores.iter().filter(|r| r.backup == name).collect();
    if !restored.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Restored before (state_dir/audit.log)");
        for access in restored {
            let _ = writeln!(
                out,
                "  {}  by {} on {}, from {} to {}",
                local(policy, access.when),
                access.user,
                access.host,
                access.location,
                access.to.display()
            );
        }
    }
    Some(out)
}

fn deletion(policy: &Policy, record: &AuditRecord, out: &mut String) {
    let what = match (record.op, &record.archived_to) {
        (Op::Archive, Some(to)) => {
            format!("moved from {} to the archive disk {to}", record.location)
        }
        (Op::Destroy, _) => format!("overwritten and removed from {}", record.location),
        _ => format!("removed from {}", record.location),
    };
    let planned = DateTime::parse_from_rfc3339(&record.plan_at)
        .map(|at| seconds::text(&at))
        .unwrap_or_else(|_| record.plan_at.clone());
    let _ = writeln!(out, "  {}  {what}", local(policy, record.when));
    let _ = writeln!(
        out,
        "    by run {} (its plan for {planned}, action {}){}",
        record.run,
        record.action,
        if record.recovered {
            "; finished by the next run after an interruption"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "    why: {}", record.reason);
    let hash = record
        .hash
        .as_deref()
        .map(|h| format!(", blake3 {}", h.get(..16).unwrap_or(h)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "    {}{hash}, at {}",
        bytes(record.size),
        record.path.display()
    );
}

/// An instant in office time, RFC 3339 to the second.
fn local(policy: &Policy, at: DateTime<Utc>) -> String {
    seconds::text(&at.with_timezone(&policy.office.calendar.timezone))
}
