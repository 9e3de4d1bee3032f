//! The nights on the media record, from the run records
//! (`state_dir/runs.jsonl`): every run of the period with its outcome
//! (refused runs included), and a `failed-night` row for every open day of
//! the period without a successful run: `missed` (no run is recorded; a day
//! before rota's first recorded run says so), `failed` or `refused`. A
//! night is successful when its run did its job (`ok`, or `warning`: the
//! run row names what needed a person). Pure.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::Evidence;
use crate::nightly::headline;
use crate::nightly::{RunOutcome, RunRecord};

/// One run on the record (apply from the run records; verify and retire
/// from the media log).
#[derive(Debug, Clone, Serialize)]
pub struct RunLine {
    pub date: NaiveDate,
    pub time: String,
    pub command: String,
    pub disks: String,
    pub actions: usize,
    pub failed: usize,
    /// `ok`, `warning`, `failed` or `refused`.
    pub outcome: &'static str,
    /// The failure and attention codes the run met.
    pub problems: String,
}

/// An open day without a successful run.
#[derive(Debug, Clone, Serialize)]
pub struct FailedNight {
    pub date: NaiveDate,
    /// `missed`, `failed` or `refused`.
    pub event: &'static str,
    /// The day is before the first run rota has a record of.
    pub before_first_run: bool,
    pub what: String,
}

/// Whether a run was refused (nothing done on purpose) rather than failed.
fn refused(run: &RunRecord) -> bool {
    run.error.as_ref().is_some_and(|e| e.kind == "refused")
}

fn outcome_word(run: &RunRecord) -> &'static str {
    match run.outcome {
        RunOutcome::Failed if refused(run) => "refused",
        outcome => outcome.key(),
    }
}

/// Apply runs (from the run records, else the media log's) and verify and
/// retire runs, oldest first.
pub fn run_lines(evidence: &Evidence) -> Vec<RunLine> {
    let mut lines: Vec<(DateTime<Utc>, RunLine)> = Vec::new();
    for run in evidence.runs {
        let at = run.at.with_timezone(&Utc);
        if !evidence.in_period(at) {
            continue;
        }
        let failed_actions = match &run.error {
            Some(error) if error.kind == "actions-failed" => run.errors.len(),
            _ => 0,
        };
        let problems: Vec<&str> = run.problem_codes().iter().map(|c| c.key()).collect();
        let mut problems = problems.join(" ");
        if let Some(error) = run.error.as_ref().filter(|_| problems.is_empty()) {
            problems = error.kind.clone();
        }
        lines.push((
            at,
            RunLine {
                date: evidence.date_of(at),
                time: evidence.time_of(at),
                command: String::from("apply"),
                disks: run
                    .disks
                    .iter()
                    .map(|d| d.label.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                actions: run.actions,
                failed: failed_actions,
                outcome: outcome_word(run),
                problems,
            },
        ));
    }
    let from_media_log = |command: &str| command != "apply" || evidence.runs.is_empty();
    for record in evidence.media {
        let command = record.command.as_str();
        if !matches!(command, "apply" | "verify" | "disk retire")
            || !from_media_log(command)
            || !evidence.in_period(record.at)
        {
            continue;
        }
        let failed = record.failed.unwrap_or(0);
        lines.push((
            record.at,
            RunLine {
                date: evidence.date_of(record.at),
                time: evidence.time_of(record.at),
                command: record.command.clone(),
                disks: record
                    .seen
                    .iter()
                    .map(|s| s.label.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                actions: record.actions.unwrap_or(0),
                failed,
                outcome: if failed > 0 { "failed" } else { "ok" },
                problems: String::new(),
            },
        ));
    }
    lines.sort_by_key(|(at, _)| *at);
    lines.into_iter().map(|(_, line)| line).collect()
}

/// The last open day whose night is over as of the report's instant: today's
/// night counts once a run for it is recorded, else from the next day on.
fn last_judged_day(evidence: &Evidence) -> Option<NaiveDate> {
    let calendar = &evidence.policy.office.calendar;
    let today = calendar.today(&evidence.at)?;
    let ran_today = evidence.runs.iter().any(|run| run.today == Some(today));
    let last = if ran_today {
        today
    } else {
        calendar.open_day_on_or_before(today.pred_opt()?)?
    };
    Some(last.min(evidence.to))
}

/// Every open day of the period, up to the last judged one, without a
/// successful run.
pub fn failed_nights(evidence: &Evidence) -> Vec<FailedNight> {
    let calendar = &evidence.policy.office.calendar;
    let Some(last) = last_judged_day(evidence) else {
        return Vec::new();
    };
    let first_run = evidence.runs.iter().filter_map(|run| run.today).min();
    let mut nights = Vec::new();
    for day in calendar.open_days_between(evidence.from, last) {
        let runs: Vec<&RunRecord> = evidence
            .runs
            .iter()
            .filter(|run| run.today == Some(day))
            .collect();
        if runs.iter().any(|run| run.outcome != RunOutcome::Failed) {
            continue;
        }
        let night = match runs.iter().max_by_key(|run| run.at) {
            Some(run) => FailedNight {
                date: day,
                event: if refused(run) { "refused" } else { "failed" },
                before_first_run: false,
                what: format!(
                    "{} (run at {}){}",
                    headline::headline(run),
                    evidence.time_of(run.at.with_timezone(&Utc)),
                    run.failure_reason()
                        .map(|why| format!(": {why}"))
                        .unwrap_or_default()
                ),
            },
            None => {
                let before_first_run = first_run.is_none_or(|first| day < first);
                let what = match first_run {
                    Some(first) if before_first_run => format!(
                        "no nightly run is recorded: the day is before rota's first recorded run ({first})"
                    ),
                    None => String::from(
                        "no nightly run is recorded: rota has no record of any run yet",
                    ),
                    Some(_) => String::from("no `rota apply` run was recorded for this open day"),
                };
                FailedNight {
                    date: day,
                    event: "missed",
                    before_first_run,
                    what,
                }
            }
        };
        nights.push(night);
    }
    nights
}

/// What the report says when no night failed, in words that claim no more
/// than the records show.
pub fn none_failed_words(evidence: &Evidence) -> String {
    match last_judged_day(evidence) {
        Some(last) if last >= evidence.from => {
            let mut words = format!(
                "None: every open day from {} to {last} had a successful run.",
                evidence.from
            );
            if last < evidence.to {
                words.push_str(&format!(
                    " The nights after {last} were not over when this record was made."
                ));
            }
            words
        }
        _ => String::from("No night of this period was over when this record was made."),
    }
}
