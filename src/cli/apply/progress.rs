//! How `apply` shows its work: on a terminal, a progress bar of the bytes
//! copied and read back (and, for a bundle, its files), with a line per
//! finished action above it; without
//! one (cron, launchd), a plain log line per action; and the summary at the
//! end. Wording only: the executor reports, this module words it.

use std::fmt::Write as _;

use indicatif::ProgressBar;

use crate::cli::progress_bar::bytes_bar;
use crate::execute::{Failure, Observer, Outcome, Progress, Report};
use crate::placement::Location;
use crate::plan::text::op_sign;
use crate::plan::{Action, Op, Plan};
use crate::words::format::{bytes, plural};

/// Shows a run as it happens.
pub struct Shown {
    bar: Option<ProgressBar>,
    total: usize,
    /// The running action, as the bar's message says it.
    action: String,
}

impl Shown {
    /// A progress bar over `plan`'s bytes (written once, read back once), or
    /// plain lines when `terminal` is false.
    pub fn new(plan: &Plan, terminal: bool) -> Shown {
        let bar = terminal.then(|| {
            bytes_bar(
                plan.bytes_copied().saturating_mul(2),
                "{msg}\n[{bar:40}] {decimal_bytes}/{decimal_total_bytes} copied and verified, \
                 {decimal_bytes_per_sec}, {eta} left",
            )
        });
        Shown {
            bar,
            total: plan.actions.len(),
            action: String::new(),
        }
    }

    fn say(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => println!("{line}"),
        }
    }

    /// Removes the bar once the run is over.
    pub fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Shown {
    fn copied(&mut self, count: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(count);
        }
    }

    fn verified(&mut self, count: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(count);
        }
    }

    fn file_copied(&mut self, done: u64, total: u64) {
        self.show_files(done, total, "copied");
    }

    fn file_verified(&mut self, done: u64, total: u64) {
        self.show_files(done, total, "verified");
    }
}

impl Shown {
    /// A bundle's files so far, after the action (every 100 files: the
    /// message is redrawn).
    fn show_files(&self, done: u64, total: u64, what: &str) {
        if let Some(bar) = &self.bar
            && (done.is_multiple_of(100) || done == total)
        {
            bar.set_message(format!("{}: {} {what}", self.action, files_of(done, total)));
        }
    }
}

/// "1,200 of 20,001 files".
pub fn files_of(done: u64, total: u64) -> String {
    format!("{} of {} files", thousands(done), thousands(total))
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

impl Observer for Shown {
    fn started(&mut self, action: &Action) {
        self.action = format!("[{}/{}] {}", action.id, self.total, describe(action));
        if let Some(bar) = &self.bar {
            bar.set_message(self.action.clone());
        }
    }

    fn finished(&mut self, action: &Action, outcome: &Outcome) {
        let line = outcome_line(action, outcome);
        self.say(&line);
    }
}

/// "+ copy MacPractice_… server → TUE (2.0 kB)".
pub fn describe(action: &Action) -> String {
    let name = |l: &Option<Location>| l.as_ref().map(Location::name).unwrap_or("?").to_string();
    let place = match action.op {
        // The upload of a copy already staged at the target.
        Op::Copy if action.from.is_some() && action.from == action.to => {
            format!("staged → {}", name(&action.to))
        }
        Op::Copy | Op::Archive => format!("{} → {}", name(&action.from), name(&action.to)),
        Op::Remove | Op::Destroy => format!("on {}", name(&action.location)),
        Op::Capture => format!("export → {}", name(&action.to)),
    };
    let size = if action.writes_to().is_some() {
        format!(" ({})", bytes(action.bytes))
    } else {
        String::new()
    };
    format!("{} {} {place}{size}", op_sign(action.op), action.backup)
}

/// One log line for a finished (or skipped) action.
pub fn outcome_line(action: &Action, outcome: &Outcome) -> String {
    let mut line = plain_outcome_line(action, outcome);
    if let Outcome::Done(done) = outcome {
        if !done.notes.is_empty() {
            line = format!("{line}; {}", done.notes.join("; "));
        }
        for warning in &done.warnings {
            line.push_str(&format!(
                "\n  warning {}: {}",
                warning.code, warning.message
            ));
        }
    }
    line
}

fn plain_outcome_line(action: &Action, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Done(done) if done.adopted => format!(
            "ok       {} (already there, checked and adopted)",
            describe(action)
        ),
        Outcome::Done(done) if done.already => {
            format!("ok       {} (already there and verified)", describe(action))
        }
        Outcome::Done(_) => {
            let checked = if action.writes_to().is_some() {
                ", verified"
            } else {
                ""
            };
            format!("ok       {}{checked}", describe(action))
        }
        Outcome::Failed(failure) => format!(
            "FAILED   {}: {}",
            describe(action),
            failure_words(action, failure)
        ),
        Outcome::Skipped { after } => format!(
            "skipped  {}: it waits for action {after}, which did not succeed",
            describe(action)
        ),
    }
}

/// The failure's message, with what became of a partial copy.
pub fn failure_words(action: &Action, failure: &Failure) -> String {
    let mut text = failure.to_string();
    let wrote = action.writes_to().is_some();
    match failure {
        Failure::DiskGone {
            absence: crate::execute::places::Absence::Removed { .. },
            ..
        } if wrote => text.push_str(
            ". Any partial copy is removed the next time rota sees the disk; nothing else was changed",
        ),
        Failure::Refused { .. } | Failure::DiskGone { .. } | Failure::Unsupported { .. } => {
            text.push_str("; nothing was changed");
        }
        // These say themselves what was left as it was.
        Failure::RemoteUnreachable { .. }
        | Failure::Remote { .. }
        | Failure::TargetUnusable { .. } => {}
        _ if wrote => text.push_str(". The partial copy was removed; nothing else was changed"),
        _ => text.push_str("; the backup was left where it was"),
    }
    text
}

/// The closing summary: counts, bytes and speed, failures listed again.
pub fn summary(plan: &Plan, report: &Report) -> String {
    let mut out = String::new();
    let copied = report.done(Op::Copy);
    let moved = report.bytes_copied();
    // Speed means something only for a copy that takes a while.
    let seconds = report.copy_time().as_secs_f64();
    let speed = if moved >= 10_000_000 && seconds > 0.0 {
        format!(", {}/s", bytes((moved as f64 / seconds) as u64))
    } else {
        String::new()
    };
    let failed = report
        .outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Failed(_)))
        .count();
    let skipped = report.failed() - failed;
    let captured = match report.done(Op::Capture) {
        0 => String::new(),
        count => format!("captured {count}, "),
    };
    let _ = write!(
        out,
        "Summary: {captured}copied {copied} ({}{speed}), removed {}, archived {}, destroyed {}, failed {failed}",
        bytes(moved),
        report.done(Op::Remove),
        report.done(Op::Archive),
        report.done(Op::Destroy),
    );
    if skipped > 0 {
        let _ = write!(out, ", not attempted {skipped}");
    }
    let _ = writeln!(out, ", pending {}.", plan.pending.len());
    if !plan.pending.is_empty() {
        let _ = writeln!(
            out,
            "{} wait for a disk that is not connected; `rota plan` lists them.",
            plural(plan.pending.len(), "pending action", "pending actions")
        );
    }
    let problems: Vec<String> = report
        .outcomes
        .iter()
        .filter(|(_, o)| !matches!(o, Outcome::Done(_)))
        .map(|(action, outcome)| outcome_line(action, outcome))
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(out, "\nNot done:");
        for line in problems {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::files_of;

    #[test]
    fn file_counts_read_with_thousands_separators() {
        assert_eq!(files_of(0, 7), "0 of 7 files");
        assert_eq!(files_of(1200, 20_001), "1,200 of 20,001 files");
        assert_eq!(files_of(999_999, 1_000_000), "999,999 of 1,000,000 files");
    }
}
