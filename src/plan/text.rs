//! The plan as a text diff a person can review: a header (office, today, time
//! zone, locations with free space), one line per action with its reasons,
//! pending work, warnings and a summary. Colour only when asked for.

use std::fmt::Write as _;

use chrono::Datelike;

use super::{Op, Plan};
use crate::placement::Location;
use crate::render::format::{bytes, plural};
use crate::render::policy_summary::full_weekday;

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }
    fn op(self, op: Op, text: &str) -> String {
        let code = match op {
            Op::Copy => "32",
            Op::Remove => "31",
            Op::Archive => "33",
            Op::Destroy => "35",
        };
        self.wrap(code, text)
    }
    fn warn(self, text: &str) -> String {
        self.wrap("33", text)
    }
}

/// The sign and word of each operation in the diff.
pub fn op_sign(op: Op) -> &'static str {
    match op {
        Op::Copy => "+ copy",
        Op::Remove => "- remove",
        Op::Archive => "~ archive",
        Op::Destroy => "x destroy",
    }
}

pub fn render(plan: &Plan, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    header(plan, paint, &mut out);
    actions(plan, paint, &mut out);
    pending(plan, paint, &mut out);
    warnings(plan, paint, &mut out);
    summary(plan, paint, &mut out);
    out
}

fn header(plan: &Plan, paint: Paint, out: &mut String) {
    let day = full_weekday(plan.today.weekday());
    let title = format!(
        "{} — plan for {day} {} ({})",
        plan.office, plan.today, plan.timezone
    );
    let _ = writeln!(out, "{}", paint.bold(&title));
    let _ = writeln!(
        out,
        "{}",
        paint.dim(&format!("as of {}", plan.at.format("%Y-%m-%d %H:%M %:z")))
    );
    let _ = writeln!(out);
    let width = plan
        .sites
        .iter()
        .map(|s| s.location.name().len())
        .max()
        .unwrap_or(6)
        .max(6);
    for site in &plan.sites {
        let name = format!("{:<width$}", site.location.name());
        let copies = plural(site.copies, "backup", "backups");
        let state = match (&site.location, site.connected, &site.blocked) {
            (Location::Server, _, _) => {
                format!("{}  {copies}", site.mount.as_deref().unwrap_or(""))
            }
            (_, true, Some(blocked)) => format!("connected but not used: {blocked}"),
            (location, true, None) => {
                let space = match (site.free, site.total) {
                    (Some(free), Some(total)) => format!(
                        ", {} free of {} (reserve {})",
                        bytes(free),
                        bytes(total),
                        bytes(site.reserve)
                    ),
                    _ => String::new(),
                };
                let place = site.mount.as_deref().unwrap_or("?");
                match location {
                    Location::Offsite(_) => {
                        format!("off-site, staged in {place}{space}  {copies}")
                    }
                    _ => format!("connected at {place}{space}  {copies}"),
                }
            }
            (_, false, _) => {
                let seen = site
                    .last_seen
                    .map(|t| format!("last seen {}", t.format("%Y-%m-%d")))
                    .unwrap_or_else(|| String::from("never seen"));
                paint.dim(&format!("not connected ({seen})  {copies}"))
            }
        };
        let _ = writeln!(out, "  {name}  {state}");
    }
    let _ = writeln!(out);
}

fn actions(plan: &Plan, paint: Paint, out: &mut String) {
    if plan.actions.is_empty() {
        let _ = writeln!(
            out,
            "Nothing to do: every backup is where the policy wants it."
        );
        return;
    }
    let _ = writeln!(out, "{}", paint.bold("Actions, in order:"));
    let width = plan
        .actions
        .iter()
        .map(|a| a.backup.len())
        .max()
        .unwrap_or(0);
    for action in &plan.actions {
        let place = match action.op {
            // An off-site copy read from the target's own staging folder is
            // its upload.
            Op::Copy if action.from.is_some() && action.from == action.to => format!(
                "staged → {}",
                action.to.as_ref().map(Location::name).unwrap_or("?")
            ),
            Op::Copy | Op::Archive => format!(
                "{} → {}",
                action.from.as_ref().map(Location::name).unwrap_or("?"),
                action.to.as_ref().map(Location::name).unwrap_or("?")
            ),
            Op::Remove | Op::Destroy => format!(
                "on {}",
                action.location.as_ref().map(Location::name).unwrap_or("?")
            ),
        };
        let sign = paint.op(action.op, &format!("{:<9}", op_sign(action.op)));
        let _ = writeln!(
            out,
            "  {sign}  {:<width$}  {:<18} {:>8}  {}",
            action.backup,
            place,
            bytes(action.bytes),
            paint.dim(&action.reason)
        );
    }
    let _ = writeln!(out);
}

fn pending(plan: &Plan, paint: Paint, out: &mut String) {
    if plan.pending.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint.bold("Pending (cannot be done now):"));
    for item in &plan.pending {
        let what = match item.op {
            Op::Copy => format!(
                "{} {} → {}",
                item.op.key(),
                item.backup,
                item.to.as_ref().map(Location::name).unwrap_or("?")
            ),
            Op::Archive if item.location.is_some() => format!(
                "archive {} {} → {}",
                item.backup,
                item.location.as_ref().map(Location::name).unwrap_or("?"),
                item.to.as_ref().map(Location::name).unwrap_or("?")
            ),
            Op::Archive | Op::Remove | Op::Destroy => format!(
                "{} {} on {}",
                item.op.key(),
                item.backup,
                item.location.as_ref().map(Location::name).unwrap_or("?")
            ),
        };
        let _ = writeln!(
            out,
            "  {}  {what}  {}",
            paint.dim("· pending"),
            paint.dim(&format!("({})", item.reason))
        );
    }
    let _ = writeln!(out);
}

fn warnings(plan: &Plan, paint: Paint, out: &mut String) {
    if plan.warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint.bold("Warnings:"));
    for warning in &plan.warnings {
        let _ = writeln!(
            out,
            "  {} {}",
            paint.warn(&format!("! {}:", warning.code)),
            warning.message
        );
    }
    let _ = writeln!(out);
}

fn summary(plan: &Plan, paint: Paint, out: &mut String) {
    let mut parts = Vec::new();
    for (op, one, many) in [
        (Op::Copy, "copy", "copies"),
        (Op::Archive, "archive move", "archive moves"),
        (Op::Remove, "removal", "removals"),
        (Op::Destroy, "destruction", "destructions"),
    ] {
        let count = plan.count(op);
        if count == 0 {
            continue;
        }
        let mut part = plural(count, one, many);
        if matches!(op, Op::Copy | Op::Archive) {
            let moved: u64 = plan
                .actions
                .iter()
                .filter(|a| a.op == op)
                .map(|a| a.bytes)
                .sum();
            part.push_str(&format!(" ({})", bytes(moved)));
        }
        parts.push(part);
    }
    if parts.is_empty() {
        parts.push(String::from("nothing to do"));
    }
    let line = format!(
        "Plan: {}; {} pending; {}.",
        parts.join(", "),
        plan.pending.len(),
        plural(plan.warnings.len(), "warning", "warnings")
    );
    let _ = writeln!(out, "{}", paint.bold(&line));
}
