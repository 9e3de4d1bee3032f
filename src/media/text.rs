//! The media report as plain text, for a terminal or a printout. Pure.

use std::fmt::Write as _;

use super::MediaReport;
use crate::words::format::plural;

pub fn render(report: &MediaReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — media record, {} to {}",
        report.office, report.from, report.to
    );
    let _ = writeln!(out, "Made {} ({})", report.made, report.timezone);
    let _ = writeln!(out, "Custodian of the disks: {}", report.custodian);
    let _ = writeln!(out, "Storage: {}", report.storage);
    let _ = writeln!(out, "Encryption: {}", report.encryption);
    section(&mut out, "Disks", report.disks.is_empty());
    for disk in &report.disks {
        let _ = writeln!(
            out,
            "  {:<10} {:<8} {:<22} {:<20} last seen {:<16}  {} now; {} written, {} verified in the period",
            disk.label,
            disk.id,
            disk.role,
            disk.state,
            if disk.last_seen.is_empty() {
                "never"
            } else {
                &disk.last_seen
            },
            plural(disk.copies, "copy", "copies"),
            disk.written,
            disk.verified
        );
    }
    section(&mut out, "Movements", report.movements.is_empty());
    for m in &report.movements {
        let _ = writeln!(
            out,
            "  {} {}  {:<10} {:<26} {}",
            m.date, m.time, m.label, m.words, m.detail
        );
    }
    section(&mut out, "Copies written", report.copies.is_empty());
    for c in &report.copies {
        let _ = writeln!(
            out,
            "  {}  {:<10} {}  {}  hash {}  verified {}{}",
            c.date,
            c.label,
            c.backup,
            c.size,
            c.hash,
            c.verified,
            if c.encrypted { "  encrypted" } else { "" }
        );
    }
    section(
        &mut out,
        "Deletions and destructions (audit log)",
        report.deletions.is_empty(),
    );
    for d in &report.deletions {
        let _ = writeln!(
            out,
            "  {} {}  {:<8} {}  on {}  {}  hash {}  ({})",
            d.date, d.time, d.op, d.backup, d.location, d.size, d.hash, d.reason
        );
    }
    section(
        &mut out,
        "Restores (accesses to patient data, audit log)",
        report.restores.is_empty(),
    );
    for r in &report.restores {
        let _ = writeln!(
            out,
            "  {} {}  {}  by {} on {}  from {}  to {}{}",
            r.date,
            r.time,
            r.backup,
            r.user,
            r.host,
            r.from,
            r.to,
            if r.checked {
                "  checked"
            } else {
                "  NOT checked"
            }
        );
    }
    section(&mut out, "Restore tests", report.restore_tests.is_empty());
    for r in &report.restore_tests {
        let _ = writeln!(
            out,
            "  {}  {}  from {}  {}{}",
            r.date,
            r.backup,
            r.from,
            if r.ok { "passed" } else { "FAILED" },
            if r.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", r.detail)
            }
        );
    }
    section(
        &mut out,
        "Runs (apply, verify, retire)",
        report.runs.is_empty(),
    );
    for r in &report.runs {
        let _ = writeln!(
            out,
            "  {} {}  {:<11} {:<8} disks: {:<16} {}, {} failed{}",
            r.date,
            r.time,
            r.command,
            r.outcome,
            if r.disks.is_empty() { "none" } else { &r.disks },
            if r.command == "verify" {
                plural(r.actions, "copy checked", "copies checked")
            } else {
                plural(r.actions, "action", "actions")
            },
            r.failed,
            if r.problems.is_empty() {
                String::new()
            } else {
                format!("  ({})", r.problems)
            }
        );
    }
    let _ = writeln!(out, "\nFailed or missed nights:");
    if report.failed_nights.is_empty() {
        let _ = writeln!(out, "  {}", report.no_failed_nights);
    }
    for n in &report.failed_nights {
        let _ = writeln!(out, "  {}  {:<8} {}", n.date, n.event, n.what);
    }
    out
}

fn section(out: &mut String, title: &str, empty: bool) {
    let _ = writeln!(out, "\n{title}:");
    if empty {
        let _ = writeln!(out, "  (none in this period)");
    }
}
