//! The digest (`notify.digest`, `rota digest`): a summary of a period's
//! nights (each open day's outcome from the run records, a day without a
//! record as missed), the disks and when each was last seen, the copies
//! waiting for a disk, the standing advice and the next restore test. It is
//! sent even when all is well, so that its silence means something is wrong.
//!
//! Pure: built from the run records and the facts of one look at the office
//! ([`Facts`]); when it is due is [`due`], also pure.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate};
use serde::Serialize;

use super::headline;
use super::record::{RunOutcome, RunRecord};
use super::seconds;
use crate::calendar::Calendar;
use crate::calendar::full_weekday;
use crate::policy::DigestEvery;

/// What one look at the office says (a run's scan and plan, or `rota
/// digest`'s own).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    pub disks: Vec<DiskFact>,
    pub pending_copies: usize,
    /// Standing advice (advisory warnings): code and message.
    pub advisories: Vec<(String, String)>,
    pub restore_test_due: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiskFact {
    pub label: String,
    pub connected: bool,
    #[serde(serialize_with = "seconds::serialize_option")]
    pub last_seen: Option<DateTime<FixedOffset>>,
}

/// One open day of the period.
#[derive(Debug, Clone, Serialize)]
pub struct NightLine {
    pub day: NaiveDate,
    /// `ok`, `warning`, `failed`, `refused`, `missed` or `to come`.
    pub outcome: &'static str,
    /// The night's first problem in words (empty when it was ok).
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub office: String,
    /// `daily`, `weekly`, or `period` for one asked for by dates.
    pub every: &'static str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(serialize_with = "seconds::serialize")]
    pub at: DateTime<FixedOffset>,
    pub nights: Vec<NightLine>,
    #[serde(flatten)]
    pub facts: Facts,
}

/// The period of `every` that holds `day`: the day itself, or its ISO week
/// (Monday to Sunday).
pub fn period(every: DigestEvery, day: NaiveDate) -> (NaiveDate, NaiveDate) {
    match every {
        DigestEvery::Daily => (day, day),
        DigestEvery::Weekly => {
            let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
            (monday, monday + Duration::days(6))
        }
    }
}

/// The period whose digest tonight's run (for business day `today`) sends,
/// if one is due: the period holding `today` once `today` is its last open
/// day, else (a run was missed) the period before it, when no digest has
/// covered it yet. `last_sent`: the last day the digests sent so far
/// covered (`None`: never sent: only the current period can be due, not a
/// period from before rota sent digests).
pub fn due(
    every: DigestEvery,
    calendar: &Calendar,
    today: NaiveDate,
    last_sent: Option<NaiveDate>,
) -> Option<(NaiveDate, NaiveDate)> {
    let current = period(every, today);
    let unsent = |(_, to): (NaiveDate, NaiveDate)| last_sent.is_none_or(|sent| sent < to);
    let last_open = calendar
        .next_open_day(today)
        .is_none_or(|next| next > current.1);
    if last_open && unsent(current) {
        return Some(current);
    }
    let previous = period(every, current.0.pred_opt()?);
    (last_sent.is_some() && unsent(previous)).then_some(previous)
}

/// The digest of `from..=to` as of `at` (`today`: its business day).
#[allow(clippy::too_many_arguments)]
pub fn build(
    office: &str,
    every: &'static str,
    calendar: &Calendar,
    runs: &[RunRecord],
    facts: Facts,
    (from, to): (NaiveDate, NaiveDate),
    at: DateTime<FixedOffset>,
    today: Option<NaiveDate>,
) -> Digest {
    let nights = calendar
        .open_days_between(from, to)
        .into_iter()
        .map(|day| night(runs, day, at, today))
        .collect();
    Digest {
        office: office.to_string(),
        every,
        from,
        to,
        at,
        nights,
        facts,
    }
}

fn night(
    runs: &[RunRecord],
    day: NaiveDate,
    at: DateTime<FixedOffset>,
    today: Option<NaiveDate>,
) -> NightLine {
    let last = runs
        .iter()
        .filter(|run| run.today == Some(day) && run.at <= at)
        .max_by_key(|run| run.at);
    let Some(run) = last else {
        let to_come = today.is_none_or(|today| day >= today);
        return NightLine {
            day,
            outcome: if to_come { "to come" } else { "missed" },
            what: if to_come {
                String::new()
            } else {
                String::from("no run is recorded for this night")
            },
        };
    };
    let refused = run.error.as_ref().is_some_and(|e| e.kind == "refused");
    NightLine {
        day,
        outcome: match run.outcome {
            RunOutcome::Failed if refused => "refused",
            outcome => outcome.key(),
        },
        what: match run.outcome {
            RunOutcome::Ok => String::new(),
            _ => headline::headline(run),
        },
    }
}

/// "night needs attention" / "nights need attention".
fn needs(count: usize) -> &'static str {
    if count == 1 {
        "night needs attention"
    } else {
        "nights need attention"
    }
}

impl Digest {
    fn count(&self, outcome: &str) -> usize {
        self.nights.iter().filter(|n| n.outcome == outcome).count()
    }

    /// The title: how the period went in a few words.
    pub fn title(&self) -> String {
        let judged = self
            .nights
            .iter()
            .filter(|n| n.outcome != "to come")
            .count();
        let bad = judged - self.count("ok") - self.count("warning");
        let warned = self.count("warning");
        let how = match (bad, warned) {
            (0, 0) => format!("all {judged} nights ok"),
            (0, w) => format!("{w} of {judged} {}", needs(w)),
            (b, 0) => format!("{b} of {judged} nights failed or were missed"),
            (b, 1) => format!("{b} of {judged} nights failed or were missed, 1 needs attention"),
            (b, w) => format!("{b} of {judged} nights failed or were missed, {w} need attention"),
        };
        let kind = match self.every {
            "daily" => "Daily backup digest",
            "weekly" => "Weekly backup digest",
            _ => "Backup digest",
        };
        let period = if self.from == self.to {
            self.from.to_string()
        } else {
            format!("{} to {}", self.from, self.to)
        };
        format!("{kind}: {how} ({}, {period})", self.office)
    }

    /// The digest as text (a mail's body, `rota digest`'s output).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.title());
        let _ = writeln!(out, "as of {}", seconds::text(&self.at));
        let _ = writeln!(out, "\nNights:");
        if self.nights.is_empty() {
            let _ = writeln!(out, "  no open day in this period");
        }
        for night in &self.nights {
            let outcome = match night.outcome {
                "ok" | "to come" => night.outcome.to_string(),
                other => other.to_uppercase(),
            };
            let _ = writeln!(
                out,
                "  {} {}  {outcome:<8} {}",
                &full_weekday(night.day.weekday())[..3],
                night.day,
                night.what
            );
        }
        let facts = &self.facts;
        let _ = writeln!(out, "\nDisks:");
        if facts.disks.is_empty() {
            let _ = writeln!(out, "  none seen yet");
        }
        let width = facts.disks.iter().map(|d| d.label.len()).max().unwrap_or(0);
        for disk in &facts.disks {
            let seen = match (disk.connected, &disk.last_seen) {
                (true, _) => String::from("connected at the server"),
                (false, Some(at)) => format!("last seen {}", seconds::text(at)),
                (false, None) => String::from("never seen"),
            };
            let _ = writeln!(out, "  {:width$}  {seen}", disk.label);
        }
        let _ = writeln!(
            out,
            "\nPending copies: {} (waiting for a disk that is not connected)",
            facts.pending_copies
        );
        let _ = writeln!(out, "\nStanding advice:");
        if facts.advisories.is_empty() {
            let _ = writeln!(out, "  none");
        }
        for (code, message) in &facts.advisories {
            let _ = writeln!(out, "  {code}: {message}");
        }
        let _ = writeln!(
            out,
            "\nNext restore test: {}",
            match facts.restore_test_due {
                Some(due) => format!("due {due}"),
                None => String::from("due now (none recorded)"),
            }
        );
        let _ = writeln!(
            out,
            "\nThis digest is sent even when all is well: if it stops arriving, the nightly job is not running."
        );
        out.lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    }
}

/// The facts of one look at the office: its disks as scanned (absent ones
/// as the catalog last saw them), the copies waiting for a disk, the plan's
/// standing advice and the next restore test.
pub fn facts(
    policy: &crate::policy::Policy,
    inventory: &crate::inventory::Inventory,
    plan: &crate::plan::Plan,
) -> Facts {
    use crate::plan::{Op, Severity};
    let zone = policy.office.calendar.timezone;
    let mut disks: Vec<DiskFact> = inventory
        .disks
        .iter()
        .map(|disk| DiskFact {
            label: disk.label.clone(),
            connected: disk.mount.is_some(),
            last_seen: disk
                .last_seen
                .map(|at| at.with_timezone(&zone).fixed_offset()),
        })
        .collect();
    for label in policy.disks.labels() {
        if !disks.iter().any(|d| d.label == label) {
            disks.push(DiskFact {
                label: label.to_string(),
                connected: false,
                last_seen: None,
            });
        }
    }
    Facts {
        disks,
        pending_copies: plan
            .pending
            .iter()
            .filter(|p| matches!(p.op, Op::Copy | Op::Archive))
            .count(),
        advisories: plan
            .warnings
            .iter()
            .filter(|w| w.code.severity() == Severity::Advisory)
            .map(|w| (w.code.key().to_string(), w.message.clone()))
            .collect(),
        restore_test_due: crate::plan::restore_test_due_on(policy, inventory.last_restore_test),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, Weekday};

    use super::*;

    fn calendar() -> Calendar {
        Calendar::new(
            chrono_tz::America::New_York,
            &[
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            Vec::new(),
            NaiveTime::from_hms_opt(5, 0, 0).unwrap(),
            crate::calendar::FiscalYearEnd::DECEMBER,
        )
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_weekly_digest_is_due_on_the_weeks_last_open_day_once() {
        let cal = calendar();
        let week = (day("2026-03-30"), day("2026-04-05"));
        assert_eq!(period(DigestEvery::Weekly, day("2026-04-01")), week);
        assert_eq!(
            due(DigestEvery::Weekly, &cal, day("2026-04-02"), None),
            None
        );
        assert_eq!(
            due(DigestEvery::Weekly, &cal, day("2026-04-03"), None),
            Some(week)
        );
        assert_eq!(
            due(
                DigestEvery::Weekly,
                &cal,
                day("2026-04-03"),
                Some(day("2026-04-05"))
            ),
            None,
            "sent once"
        );
        // Friday's run was missed: Monday's run sends the week before.
        assert_eq!(
            due(
                DigestEvery::Weekly,
                &cal,
                day("2026-04-06"),
                Some(day("2026-03-29"))
            ),
            Some(week)
        );
        // Never sent before: no digest of a week from before rota sent any.
        assert_eq!(
            due(DigestEvery::Weekly, &cal, day("2026-04-06"), None),
            None
        );
    }

    #[test]
    fn a_daily_digest_is_due_every_open_night() {
        let cal = calendar();
        let tuesday = day("2026-03-31");
        assert_eq!(
            due(DigestEvery::Daily, &cal, tuesday, Some(day("2026-03-30"))),
            Some((tuesday, tuesday))
        );
        assert_eq!(due(DigestEvery::Daily, &cal, tuesday, Some(tuesday)), None);
    }
}
