//! The checklist as text: one block per check (status, title, evidence, what
//! to do), then a summary line. Colour only when asked for. Pure.

use std::fmt::Write as _;

use anstyle::AnsiColor;

use super::{Report, Status};

pub fn render(report: &Report, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "rota doctor: {}, today {} ({})\n",
        report.office, report.today, report.timezone
    );
    for check in &report.checks {
        let _ = writeln!(out, "{}  {}", paint(check.status, color), check.title);
        let _ = writeln!(out, "      {}", check.evidence);
        if let Some(action) = &check.action {
            let _ = writeln!(out, "      → {action}");
        }
    }
    let summary = report.summary;
    let _ = writeln!(
        out,
        "\n{} checks: {} passed, {} warning{}, {} failed{}",
        report.checks.len(),
        summary.pass,
        summary.warn,
        if summary.warn == 1 { "" } else { "s" },
        summary.fail,
        [
            (summary.unknown, "unknown"),
            (summary.info, "for information")
        ]
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, what)| format!(", {count} {what}"))
        .collect::<String>()
    );
    // The runbook for the day the server dies, where the IT person looks.
    let _ = writeln!(
        out,
        "If the server dies: `rota restore --disk /Volumes/LABEL --list`, step by step in docs/restore.md"
    );
    out
}

fn paint(status: Status, color: bool) -> String {
    if !color {
        return status.word().to_string();
    }
    let style = match status {
        Status::Pass => AnsiColor::Green.on_default(),
        Status::Warn => AnsiColor::Yellow.on_default(),
        Status::Fail => AnsiColor::Red.on_default().bold(),
        Status::Unknown => AnsiColor::Magenta.on_default(),
        Status::Info => AnsiColor::Cyan.on_default(),
    };
    format!("{style}{}{style:#}", status.word())
}
