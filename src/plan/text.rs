//! The plan as a text diff a person can review: a header (office, today, time
//! zone, locations with free space), one line per action with its reasons,
//! pending work, warnings and a summary. Colour only when asked for.

use std::fmt::{self, Write as _};

use anstyle::{AnsiColor, Style};
use chrono::Datelike;
use rayon::prelude::*;

use super::{Action, Op, Plan};
use crate::calendar::full_weekday;
use crate::placement::Location;
use crate::policy::values::Size;
use crate::words::format::{bytes, plural};

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
struct Paint {
    on: bool,
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const WARN: Style = AnsiColor::Yellow.on_default();
/// Bold red: a deletion after which the backup is gone.
const LOUD: Style = AnsiColor::Red.on_default().bold();
/// The mark on a line that deletes a backup's last copy.
pub const LAST_COPY: &str = "LAST COPY, the backup is gone after this:";

fn op_colour(op: Op) -> Style {
    let colour = match op {
        Op::Copy | Op::Capture => AnsiColor::Green,
        Op::Remove => AnsiColor::Red,
        Op::Archive => AnsiColor::Yellow,
        Op::Destroy => AnsiColor::Magenta,
    };
    colour.on_default()
}

impl Paint {
    /// Writes `text`, in `style` when painting.
    fn write(self, out: &mut String, style: Style, text: impl fmt::Display) -> fmt::Result {
        if self.on {
            write!(out, "{style}{text}{style:#}")
        } else {
            write!(out, "{text}")
        }
    }

    fn wrap(self, style: Style, text: &str) -> String {
        let mut wrapped = String::with_capacity(text.len() + 8);
        let _ = self.write(&mut wrapped, style, text);
        wrapped
    }
    fn bold(self, text: &str) -> String {
        self.wrap(BOLD, text)
    }
    fn dim(self, text: &str) -> String {
        self.wrap(DIM, text)
    }
    fn warn(self, text: &str) -> String {
        self.wrap(WARN, text)
    }
}

/// The sign and word of each operation in the diff.
pub fn op_sign(op: Op) -> &'static str {
    match op {
        Op::Copy => "+ copy",
        Op::Remove => "- remove",
        Op::Archive => "~ archive",
        Op::Destroy => "x destroy",
        Op::Capture => "+ capture",
    }
}

pub fn render(plan: &Plan, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    header(plan, paint, &mut out);
    deletions_stopped(plan, paint, &mut out);
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
        let _ = writeln!(out, "{}", plan.idle_words());
        return;
    }
    let _ = writeln!(out, "{}", paint.bold("Actions, in order:"));
    let width = plan
        .actions
        .iter()
        .map(|a| a.backup.len())
        .max()
        .unwrap_or(0);
    ActionLines { paint, width }.write_all(&plan.actions, out);
    let _ = writeln!(out);
}

/// Actions from which their lines are written on several cores.
const PARALLEL_LINES: usize = 20_000;

/// How action lines are written: one per action, columns padded to `width`.
#[derive(Clone, Copy)]
struct ActionLines {
    paint: Paint,
    width: usize,
}

impl ActionLines {
    /// The lines of `actions`. A large office's first plan has 100,000s of
    /// actions: their lines are then written in chunks on every core and
    /// joined in order.
    fn write_all(self, actions: &[Action], out: &mut String) {
        if actions.len() < PARALLEL_LINES {
            return self.write(actions, out);
        }
        let chunk = actions.len().div_ceil(rayon::current_num_threads());
        let rendered: Vec<String> = actions
            .par_chunks(chunk)
            .map(|actions| {
                let mut text = String::new();
                self.write(actions, &mut text);
                text
            })
            .collect();
        rendered.iter().for_each(|text| out.push_str(text));
    }

    /// The lines of `actions`, written straight into `out` (no string per
    /// line or column: a large plan has 100,000s).
    fn write(self, actions: &[Action], out: &mut String) {
        let mut column = String::new();
        out.reserve(actions.len() * 120);
        for action in actions {
            let _ = self.write_one(action, &mut column, out);
        }
    }

    fn write_one(self, action: &Action, column: &mut String, out: &mut String) -> fmt::Result {
        fn name(location: &Option<Location>) -> &str {
            location.as_ref().map(Location::name).unwrap_or("?")
        }
        out.push_str("  ");
        let sign = format_args!("{:<9}", op_sign(action.op));
        self.paint.write(out, op_colour(action.op), sign)?;
        let width = self.width;
        write!(out, "  {:<width$}  ", action.backup)?;
        column.clear();
        match action.op {
            // An off-site copy read from the target's own staging folder is
            // its upload.
            Op::Copy if action.from.is_some() && action.from == action.to => {
                write!(column, "staged → {}", name(&action.to))?
            }
            Op::Copy | Op::Archive => {
                write!(column, "{} → {}", name(&action.from), name(&action.to))?
            }
            Op::Remove | Op::Destroy => write!(column, "on {}", name(&action.location))?,
            Op::Capture => write!(column, "export → {}", name(&action.to))?,
        }
        write!(out, "{column:<18} ")?;
        column.clear();
        write!(column, "{}", Size(action.bytes))?;
        write!(out, "{column:>8}  ")?;
        if action.last_copy {
            // Loud, and before the reason: after this the backup is nowhere.
            self.paint.write(out, LOUD, LAST_COPY)?;
            out.push(' ');
        }
        self.paint.write(out, DIM, &action.reason)?;
        out.push('\n');
        Ok(())
    }
}

fn pending(plan: &Plan, paint: Paint, out: &mut String) {
    if plan.pending.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint.bold("Pending (cannot be done now):"));
    for item in &plan.pending {
        let what = match item.op {
            Op::Copy | Op::Capture => format!(
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

/// The deletion gate, when closed: above the actions, since it explains
/// why none of them deletes anything.
fn deletions_stopped(plan: &Plan, paint: Paint, out: &mut String) {
    if plan.deletions_stopped.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}",
        paint.warn(
            "DELETIONS STOPPED: rota copies as usual but deletes nothing anywhere tonight, because:"
        )
    );
    for closure in &plan.deletions_stopped {
        let _ = writeln!(out, "  {} ({})", closure.reason, closure.code);
        let _ = writeln!(out, "    to clear it: {}", closure.to_clear);
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
        (Op::Capture, "capture", "captures"),
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
        let last = plan
            .actions
            .iter()
            .filter(|a| a.op == op && a.last_copy)
            .count();
        if last > 0 {
            // The guard's words and count: see plan::guard.
            part.push_str(&format!(
                " ({} the last copy of a backup)",
                if last == count {
                    String::from(if count == 1 { "it is" } else { "each is" })
                } else {
                    format!("{last} of them")
                }
            ));
        }
        if matches!(op, Op::Copy | Op::Archive | Op::Capture) {
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

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;
    use crate::inventory::EntryKind;

    fn action(id: usize, op: Op, backup: &str) -> Action {
        let disk = || Some(Location::Disk("MON".to_string()));
        let (from, to, location) = match op {
            Op::Copy | Op::Archive => (Some(Location::Server), disk(), None),
            Op::Remove | Op::Destroy => (None, None, disk()),
            Op::Capture => (None, Some(Location::Server), None),
        };
        Action {
            id,
            op,
            backup: backup.to_string(),
            kind: EntryKind::File,
            from,
            to,
            location,
            bytes: id as u64 * 1_000_003,
            reason: format!("reason {id}"),
            after: Vec::new(),
            last_copy: false,
        }
    }

    fn plan_of(actions: Vec<Action>) -> Plan {
        let today = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        Plan {
            office: "Test Office".to_string(),
            timezone: "UTC".to_string(),
            at: chrono::FixedOffset::east_opt(0)
                .unwrap()
                .with_ymd_and_hms(2026, 3, 31, 23, 0, 0)
                .unwrap(),
            today,
            sites: Vec::new(),
            backups: Vec::new(),
            actions,
            pending: Vec::new(),
            warnings: Vec::new(),
            deletions_stopped: Vec::new(),
            inventory_hash: String::new(),
        }
    }

    fn action_lines(plan: &Plan, color: bool) -> String {
        let mut out = String::new();
        actions(plan, Paint { on: color }, &mut out);
        out
    }

    #[test]
    fn action_lines_are_padded_and_coloured_column_by_column() {
        let plan = plan_of(vec![
            action(1, Op::Copy, "backup_2026-03-31.bak"),
            action(2, Op::Remove, "b.bak"),
        ]);
        let plain = action_lines(&plan, false);
        assert_eq!(
            plain,
            "Actions, in order:\n  \
             + copy     backup_2026-03-31.bak  server → MON         1.0 MB  reason 1\n  \
             - remove   b.bak                  on MON               2.0 MB  reason 2\n\n"
        );
        let coloured = action_lines(&plan, true);
        assert!(coloured.contains(
            "  \x1b[31m- remove \x1b[0m  b.bak                  on MON               2.0 MB  \x1b[2mreason 2\x1b[0m\n"
        ));
        assert!(coloured.starts_with("\x1b[1mActions, in order:\x1b[0m\n  \x1b[32m+ copy   "));
    }

    #[test]
    fn a_large_plan_written_on_several_cores_reads_as_written_on_one() {
        let ops = [Op::Copy, Op::Remove, Op::Archive, Op::Destroy, Op::Capture];
        let actions: Vec<Action> = (0..PARALLEL_LINES + 4_321)
            .map(|id| action(id, ops[id % ops.len()], &format!("backup_{id:06}.bak")))
            .collect();
        let plan = plan_of(actions);
        for color in [false, true] {
            let lines = ActionLines {
                paint: Paint { on: color },
                width: "backup_000000.bak".len(),
            };
            let mut serial = String::new();
            lines.write(&plan.actions, &mut serial);
            let heading = if color {
                "\x1b[1mActions, in order:\x1b[0m\n"
            } else {
                "Actions, in order:\n"
            };
            assert_eq!(
                action_lines(&plan, color),
                format!("{heading}{serial}\n"),
                "color: {color}"
            );
        }
    }
}
