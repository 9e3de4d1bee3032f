//! The media report as CSV: one row per event (a movement, a copy, a
//! deletion, a restore, a restore test, a run, a failed night: `missed`,
//! `failed` or `refused`), the same columns for
//! all, so it sorts and filters in a spreadsheet. Fields are quoted as RFC
//! 4180 says. Pure.

use super::MediaReport;

const HEADER: [&str; 9] = [
    "section", "date", "time", "disk", "event", "backup", "size", "hash", "detail",
];

pub fn render(report: &MediaReport) -> String {
    let mut rows: Vec<[String; 9]> = Vec::new();
    for m in &report.movements {
        rows.push(row(
            "movement",
            &m.date.to_string(),
            &m.time,
            &m.label,
            m.words,
            "",
            "",
            "",
            &m.detail,
        ));
    }
    for c in &report.copies {
        let detail = format!(
            "verified {}{}",
            c.verified,
            if c.encrypted { "; encrypted" } else { "" }
        );
        rows.push(row(
            "copy",
            &c.date.to_string(),
            "",
            &c.label,
            "written",
            &c.backup,
            &c.size,
            &c.hash,
            &detail,
        ));
    }
    for d in &report.deletions {
        rows.push(row(
            "deletion",
            &d.date.to_string(),
            &d.time,
            &d.location,
            d.op,
            &d.backup,
            &d.size,
            &d.hash,
            &d.reason,
        ));
    }
    for r in &report.restores {
        let detail = format!(
            "by {} on {}; from {} to {}; {}",
            r.user,
            r.host,
            r.from,
            r.to,
            if r.checked { "checked" } else { "not checked" }
        );
        rows.push(row(
            "restore",
            &r.date.to_string(),
            &r.time,
            &r.from,
            "restored",
            &r.backup,
            "",
            "",
            &detail,
        ));
    }
    for r in &report.restore_tests {
        let event = if r.ok {
            "restore test passed"
        } else {
            "restore test failed"
        };
        rows.push(row(
            "restore-test",
            &r.date.to_string(),
            "",
            &r.from,
            event,
            &r.backup,
            "",
            "",
            &r.detail,
        ));
    }
    for r in &report.runs {
        let mut detail = format!("{}; {} actions, {} failed", r.outcome, r.actions, r.failed);
        if !r.problems.is_empty() {
            detail.push_str(&format!(" ({})", r.problems));
        }
        rows.push(row(
            "run",
            &r.date.to_string(),
            &r.time,
            &r.disks,
            &r.command,
            "",
            "",
            "",
            &detail,
        ));
    }
    for n in &report.failed_nights {
        rows.push(row(
            "failed-night",
            &n.date.to_string(),
            "",
            "",
            n.event,
            "",
            "",
            "",
            &n.what,
        ));
    }
    let mut out = line(HEADER.iter().copied());
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str)));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn row(
    section: &str,
    date: &str,
    time: &str,
    disk: &str,
    event: &str,
    backup: &str,
    size: &str,
    hash: &str,
    detail: &str,
) -> [String; 9] {
    [section, date, time, disk, event, backup, size, hash, detail].map(str::to_string)
}

fn line<'a>(fields: impl Iterator<Item = &'a str>) -> String {
    let mut out = fields.map(quote).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

/// A field quoted when it holds a comma, a quote or a line break.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(super::quote("plain"), "plain");
        assert_eq!(super::quote("a, b"), "\"a, b\"");
        assert_eq!(super::quote("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
