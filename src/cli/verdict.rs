//! The last words of `rota apply`: the night's verdict, on stdout, where cron
//! mail and launchd logs show it. It names every failure and attention code
//! the night met, each with its first message and what to do (from the one
//! table in [`crate::plan::code`]); standing advice is one line.
//!
//! It also turns a night whose outcome is `failed` into apply's exit status 1,
//! even when every action succeeded (a tampered backup, no disk connected...).

use std::fmt::Write;

use super::{CliError, Outcome};
use crate::nightly::{RunOutcome, RunRecord};
use crate::plan::Severity;

/// The verdict block, ending with a newline.
pub fn render(record: &RunRecord) -> String {
    let mut out = String::new();
    let day = record.day();
    let word = match record.outcome {
        RunOutcome::Ok => "OK",
        RunOutcome::Warning => "DONE, WITH WARNINGS",
        RunOutcome::Failed => "FAILED",
    };
    let _ = writeln!(out, "\nTonight's run (for {day}): {word}");
    if let Some(error) = &record.error {
        let _ = writeln!(out, "  failure   {}: {}", error.kind, error.message);
    }
    for code in record.problem_codes() {
        let messages: Vec<&str> = record
            .warning_details
            .iter()
            .filter(|d| &d.code == code)
            .map(|d| d.message.as_str())
            .collect();
        let first = messages.first().copied().unwrap_or("");
        let _ = writeln!(out, "  {:<9} {code}: {first}", code.severity().key());
        if messages.len() > 1 {
            let _ = writeln!(out, "            (and {} more like it)", messages.len() - 1);
        }
        if let Some(known) = code.known() {
            let _ = writeln!(out, "            what to do: {}", known.info().help);
        }
    }
    let advisories: Vec<&str> = record.advisory_codes().iter().map(|c| c.key()).collect();
    if !advisories.is_empty() {
        let _ = writeln!(
            out,
            "  advice: {} (standing advice; `rota doctor` says more)",
            advisories.join(", ")
        );
    }
    out
}

/// Apply's result given the night's record: a `failed` night is exit 1 even
/// when the command itself succeeded.
pub fn exit_status(
    record: &RunRecord,
    result: Result<Outcome, CliError>,
) -> Result<Outcome, CliError> {
    match result {
        Ok(_) if record.outcome == RunOutcome::Failed => {
            let failures: Vec<&str> = record
                .warnings
                .iter()
                .filter(|code| code.severity() == Severity::Failure)
                .map(|code| code.key())
                .collect();
            Err(CliError::failed_with_help(
                format!("tonight's run failed: {}", failures.join(", ")),
                "each failure is listed above with what to do; the next `rota apply` tries again",
            ))
        }
        other => other,
    }
}
