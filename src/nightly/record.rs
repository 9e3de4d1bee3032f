//! One JSON line per `apply` run in `state_dir/runs.jsonl`: when it really
//! started and finished, the instant it planned for (`--at`, else the clock),
//! how it ended, what it did, the warnings it met, the disks that were
//! connected and how each notification fared. Appended whole and flushed
//! (through [`crate::inventory::json_lines`]), never rewritten: a torn last
//! line is skipped when reading.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::seconds;
use crate::execute::Outcome as ActionOutcome;
use crate::inventory::json_lines;
use crate::plan::{Action, Op, Severity, WarningCode};
use crate::words::key::serde_keys;

/// The file name in `state_dir`.
pub use crate::inventory::layout::RUNS_LOG as RUNS_FILE;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunOutcome {
    /// Everything done, no warning.
    Ok,
    /// Done, but the plan warned about something (wrong disk, missing backup...).
    Warning,
    /// Refused, or an action failed.
    Failed,
}

serde_keys!(RunOutcome);

impl RunOutcome {
    /// The outcome of a night whose worst warning has severity `worst`: the
    /// one scale ([`Severity`]) every verdict follows. A failure fails the
    /// night, attention makes it a warning, standing advice leaves it ok.
    pub fn from_worst(worst: Option<Severity>) -> RunOutcome {
        match worst {
            Some(Severity::Failure) => RunOutcome::Failed,
            Some(Severity::Attention) => RunOutcome::Warning,
            Some(Severity::Advisory) | None => RunOutcome::Ok,
        }
    }

    /// How bad the night was, on the same scale (`None`: nothing to tell).
    pub fn severity(self) -> Option<Severity> {
        match self {
            RunOutcome::Failed => Some(Severity::Failure),
            RunOutcome::Warning => Some(Severity::Attention),
            RunOutcome::Ok => None,
        }
    }
}

/// Why a failed run failed: a stable kind and the message apply printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunError {
    /// `source-missing` (or another policy problem's code), `not-started`
    /// (lock, catalog), `refused` (mass delete, stale saved plan, no --yes),
    /// `actions-failed`.
    pub kind: String,
    pub message: String,
}

/// A warning code as a run record holds it: one of [`crate::plan::code`]'s,
/// or a code this rota does not know (written by another version), kept as
/// written so an old or newer record still reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RecordedCode {
    Known(WarningCode),
    Other(String),
}

impl RecordedCode {
    pub fn key(&self) -> &str {
        match self {
            RecordedCode::Known(code) => code.key(),
            RecordedCode::Other(key) => key,
        }
    }

    pub fn known(&self) -> Option<WarningCode> {
        match self {
            RecordedCode::Known(code) => Some(*code),
            RecordedCode::Other(_) => None,
        }
    }

    /// The table's severity; a code this rota does not know reads as
    /// attention (someone should look; it cannot be waved through as advice).
    pub fn severity(&self) -> Severity {
        self.known()
            .map_or(Severity::Attention, WarningCode::severity)
    }
}

impl From<WarningCode> for RecordedCode {
    fn from(code: WarningCode) -> Self {
        RecordedCode::Known(code)
    }
}

impl PartialEq<WarningCode> for RecordedCode {
    fn eq(&self, other: &WarningCode) -> bool {
        self.known() == Some(*other)
    }
}

impl fmt::Display for RecordedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A warning the run met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningDetail {
    pub code: RecordedCode,
    pub message: String,
}

/// A disk that was connected during the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskSeen {
    pub label: String,
    pub id: String,
}

/// How one notification channel fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyResult {
    /// `healthchecks`, `webhook`, `ntfy`, `email`.
    pub channel: String,
    /// `start`, `success`, `warning`, `failure` or `test`.
    pub event: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One `apply` run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub schema: u32,
    /// Real clock, whatever `--at` said (written to the second).
    #[serde(serialize_with = "seconds::serialize")]
    pub started: DateTime<Utc>,
    #[serde(serialize_with = "seconds::serialize")]
    pub finished: DateTime<Utc>,
    /// The instant the run planned for, in office time (`--at`, else the clock).
    #[serde(serialize_with = "seconds::serialize")]
    pub at: DateTime<FixedOffset>,
    pub today: Option<NaiveDate>,
    pub outcome: RunOutcome,
    /// The first thing that made the run fail.
    #[serde(default)]
    pub error: Option<RunError>,
    /// Every failure, in words (failed actions each have one).
    #[serde(default)]
    pub errors: Vec<String>,
    pub actions: usize,
    pub copies: usize,
    pub removals: usize,
    /// `source.capture` exports copied into the source folder.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub captures: usize,
    pub bytes: u64,
    pub pending: usize,
    /// Warning codes, once each, in the order first met.
    pub warnings: Vec<RecordedCode>,
    /// Every warning with its message.
    #[serde(default)]
    pub warning_details: Vec<WarningDetail>,
    pub disks: Vec<DiskSeen>,
    #[serde(default)]
    pub notify: Vec<NotifyResult>,
}

impl RunRecord {
    /// The business day the run was for (its planning date without one).
    pub fn day(&self) -> String {
        self.today
            .map(|d| d.to_string())
            .unwrap_or_else(|| self.at.format("%Y-%m-%d").to_string())
    }

    /// Counts what one action of the night's plan came to: a copy, a
    /// removal (an archive move is both), a capture, or an error.
    pub fn count(&mut self, action: &Action, outcome: &ActionOutcome) {
        match outcome {
            ActionOutcome::Done(_) => match action.op {
                Op::Copy => self.copies += 1,
                Op::Archive => {
                    self.copies += 1;
                    self.removals += 1;
                }
                Op::Remove | Op::Destroy => self.removals += 1,
                Op::Capture => self.captures += 1,
            },
            ActionOutcome::Failed(failure) => {
                let error = format!("{} {}: {failure}", action.op.key(), action.backup);
                self.errors.push(error);
            }
            ActionOutcome::Skipped { .. } => {}
        }
    }

    /// The codes that made the night less than `ok` (failure, then
    /// attention), once each, in the order first met.
    pub fn problem_codes(&self) -> Vec<&RecordedCode> {
        let mut codes: Vec<&RecordedCode> = self
            .warnings
            .iter()
            .filter(|code| code.severity() > Severity::Advisory)
            .collect();
        codes.sort_by_key(|code| std::cmp::Reverse(code.severity()));
        codes
    }

    /// The standing advice the night met (never a reason to alert).
    pub fn advisory_codes(&self) -> Vec<&RecordedCode> {
        self.warnings
            .iter()
            .filter(|code| code.severity() == Severity::Advisory)
            .collect()
    }

    /// The first message recorded for `code`.
    pub fn first_message(&self, code: &RecordedCode) -> Option<&str> {
        self.warning_details
            .iter()
            .find(|detail| &detail.code == code)
            .map(|detail| detail.message.as_str())
    }

    /// Why a night failed, in the run's own words: the error that stopped
    /// it, else the first message of its worst code.
    pub fn failure_reason(&self) -> Option<&str> {
        let first_problem = self
            .problem_codes()
            .first()
            .and_then(|code| self.first_message(code));
        self.error
            .as_ref()
            .map(|e| e.message.as_str())
            .or(first_problem)
    }

    /// The one-line summary used in notifications and `status`.
    pub fn summary(&self, office: &str) -> String {
        let day = self.day();
        match self.outcome {
            RunOutcome::Failed => {
                let why = self.failure_reason().unwrap_or("an action failed");
                format!("rota FAILED at {office} for {day}: {why}")
            }
            RunOutcome::Warning => {
                let codes: Vec<&str> = self.problem_codes().iter().map(|c| c.key()).collect();
                format!(
                    "rota needs attention at {office} for {day} ({}): {} copied, {} removed",
                    codes.join(", "),
                    self.copies,
                    self.removals
                )
            }
            RunOutcome::Ok => format!(
                "rota ok at {office} for {day}: {} copied, {} removed, {} pending",
                self.copies, self.removals, self.pending
            ),
        }
    }

    /// The summary and the details, for a notification's body: what went
    /// wrong and what to do first, then the standing advice, then the counts.
    pub fn body(&self, office: &str) -> String {
        let mut lines = vec![self.summary(office)];
        lines.push(format!(
            "planned for {} (started {}, finished {})",
            seconds::text(&self.at),
            seconds::text(&self.started),
            seconds::text(&self.finished)
        ));
        if let Some(error) = &self.error {
            lines.push(format!("error ({}): {}", error.kind, error.message));
        }
        for error in self.errors.iter().skip(usize::from(self.error.is_some())) {
            lines.push(format!("error: {error}"));
        }
        for code in self.problem_codes() {
            for detail in self.warning_details.iter().filter(|d| &d.code == code) {
                lines.push(format!("{} ({code}): {}", code.severity(), detail.message));
            }
            if let Some(known) = code.known() {
                lines.push(format!("  what to do: {}", known.info().help));
            }
        }
        let advice: Vec<&str> = self.advisory_codes().iter().map(|c| c.key()).collect();
        if !advice.is_empty() {
            lines.push(format!(
                "standing advice (not tonight's problem): {}",
                advice.join(", ")
            ));
        }
        let disks: Vec<&str> = self.disks.iter().map(|d| d.label.as_str()).collect();
        lines.push(if disks.is_empty() {
            "disks connected: none".to_string()
        } else {
            format!("disks connected: {}", disks.join(", "))
        });
        lines.push(format!(
            "{} actions: {} copies ({} bytes), {} removals; {} pending",
            self.actions, self.copies, self.bytes, self.removals, self.pending
        ));
        lines.join("\n") + "\n"
    }
}

pub fn runs_file(state_dir: &Path) -> PathBuf {
    state_dir.join(RUNS_FILE)
}

/// Every readable run record, oldest first (as appended).
pub fn read(state_dir: &Path) -> io::Result<Vec<RunRecord>> {
    json_lines::read(&runs_file(state_dir))
}

/// Appends `record` as one line, creating `state_dir` if needed.
pub fn append(state_dir: &Path, record: &RunRecord) -> io::Result<()> {
    std::fs::create_dir_all(state_dir)?;
    json_lines::append(&runs_file(state_dir), record)
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}
