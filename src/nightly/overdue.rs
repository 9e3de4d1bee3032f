//! Is a night overdue? Each open day D has a **window**: with a `schedule:`
//! it opens at D's scheduled time (the next calendar morning when `at` is
//! before `day_starts_at`: a run after midnight belongs to the previous
//! business day) and closes `wait` plus [`GRACE`] later; without one it is
//! the whole business day D, closing [`GRACE`] after the next day starts.
//! The **expected night** as of T is the latest open day whose window closed
//! by T; it is overdue when no run's `at` instant falls between the window's
//! opening and T. Instants are `--at` instants, so a test or simulation that
//! passes `--at` gets the same answer on any day.

use chrono::{DateTime, Duration, NaiveDate, TimeDelta};
use chrono_tz::Tz;

use super::record::RunRecord;
use crate::calendar::Calendar;
use crate::policy::Schedule;

/// How long after its scheduled time (plus `wait`) a run may still be
/// running, or starting late, before the night counts as missed.
pub const GRACE: Duration = Duration::hours(1);

/// How far back to look for the latest open day (a year of closures at most).
const LOOKBACK_DAYS: u64 = 400;

/// One open day's expected run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Night {
    pub day: NaiveDate,
    /// The window opens: the scheduled start (or the start of the business day).
    pub opens: DateTime<Tz>,
    /// The window closes: a run should have started by now.
    pub deadline: DateTime<Tz>,
}

/// The expected night as of `at` and whether a run covered it.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub expected: Option<Night>,
    pub overdue: bool,
    /// The record of the run that covered the expected night: the last one
    /// inside its window, else the first one after it (a late run), as of
    /// `at`. `None` when no record says a run happened.
    pub covered_by: Option<Covered>,
}

/// Which recorded run covered the expected night, and whether it ran in
/// the night's window or only later.
#[derive(Debug, Clone, PartialEq)]
pub struct Covered {
    pub run: RunRecord,
    pub in_window: bool,
}

/// The window of open day `day`.
pub fn night(calendar: &Calendar, schedule: Option<&Schedule>, day: NaiveDate) -> Night {
    let next = Calendar::add_days(day, 1);
    match schedule {
        Some(schedule) => {
            let date = if schedule.at < calendar.day_starts_at {
                next
            } else {
                day
            };
            let opens = calendar.instant_of(date.and_time(schedule.at));
            let wait = schedule
                .wait
                .and_then(|wait| TimeDelta::from_std(wait).ok())
                .unwrap_or_default();
            Night {
                day,
                deadline: opens + wait + GRACE,
                opens,
            }
        }
        None => Night {
            day,
            opens: calendar.instant_of(day.and_time(calendar.day_starts_at)),
            deadline: calendar.instant_of(next.and_time(calendar.day_starts_at)) + GRACE,
        },
    }
}

/// The latest open day whose window has closed by `at`.
pub fn expected_night(
    calendar: &Calendar,
    schedule: Option<&Schedule>,
    at: DateTime<Tz>,
) -> Option<Night> {
    let today = calendar.local_time(&at).date();
    // Tomorrow first: a window of today's business day may close after midnight.
    let mut date = Calendar::add_days(today, 1);
    for _ in 0..LOOKBACK_DAYS {
        if calendar.is_open(date) {
            let night = night(calendar, schedule, date);
            if night.deadline <= at {
                return Some(night);
            }
        }
        date = date.pred_opt()?;
    }
    None
}

/// The night a scheduled run started at `at` serves: the open day whose
/// scheduled start is the latest at or before `at`. launchd delivers a start
/// missed while the Mac slept when it wakes, so a run at 07:30 is last
/// night's run, late, not a run of the new business day.
pub fn scheduled_night(
    calendar: &Calendar,
    schedule: &Schedule,
    at: DateTime<Tz>,
) -> Option<NaiveDate> {
    // Tomorrow first: a start after midnight belongs to the previous day.
    let mut date = Calendar::add_days(calendar.local_time(&at).date(), 1);
    for _ in 0..LOOKBACK_DAYS {
        if calendar.is_open(date) && night(calendar, Some(schedule), date).opens <= at {
            return Some(date);
        }
        date = date.pred_opt()?;
    }
    None
}

/// The next scheduled start after `at` (open days only), if there is a schedule.
pub fn next_run(
    calendar: &Calendar,
    schedule: &Schedule,
    at: DateTime<Tz>,
) -> Option<DateTime<Tz>> {
    let mut date = calendar.local_time(&at).date().pred_opt()?;
    for _ in 0..LOOKBACK_DAYS {
        if calendar.is_open(date) {
            let opens = night(calendar, Some(schedule), date).opens;
            if opens > at {
                return Some(opens);
            }
        }
        date = date.succ_opt()?;
    }
    None
}

/// Judges the runs recorded up to `at` (later ones had not happened yet).
pub fn judge(
    calendar: &Calendar,
    schedule: Option<&Schedule>,
    runs: &[RunRecord],
    at: DateTime<Tz>,
) -> Judgement {
    let expected = expected_night(calendar, schedule, at);
    let covered_by = expected
        .as_ref()
        .and_then(|night| covering_run(night, runs, at));
    let overdue = match &expected {
        None => runs.iter().all(|run| run.at > at),
        Some(_) => covered_by.is_none(),
    };
    Judgement {
        expected,
        overdue,
        covered_by,
    }
}

/// The run of `night` as the records tell it (never assumed): the last one
/// whose `at` falls in its window, else the first one between its deadline
/// and `at`.
fn covering_run(night: &Night, runs: &[RunRecord], at: DateTime<Tz>) -> Option<Covered> {
    let in_window = runs
        .iter()
        .filter(|run| run.at >= night.opens && run.at <= night.deadline && run.at <= at)
        .max_by_key(|run| run.at);
    if let Some(run) = in_window {
        return Some(Covered {
            run: run.clone(),
            in_window: true,
        });
    }
    runs.iter()
        .filter(|run| run.at > night.deadline && run.at <= at)
        .min_by_key(|run| run.at)
        .map(|run| Covered {
            run: run.clone(),
            in_window: false,
        })
}

#[cfg(test)]
mod tests {
    use std::time::Duration as StdDuration;

    use chrono::{NaiveTime, TimeZone, Weekday};

    use super::*;
    use crate::nightly::record::RunOutcome;

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

    fn schedule(at: &str, wait: u64) -> Schedule {
        Schedule {
            at: NaiveTime::parse_from_str(at, "%H:%M").unwrap(),
            wait: Some(StdDuration::from_secs(wait * 60)),
        }
    }

    fn local(text: &str) -> DateTime<Tz> {
        let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        chrono_tz::America::New_York
            .from_local_datetime(&naive)
            .unwrap()
    }

    fn run_at(text: &str) -> RunRecord {
        let at = local(text);
        RunRecord {
            schema: 1,
            started: at.with_timezone(&chrono::Utc),
            finished: at.with_timezone(&chrono::Utc),
            at: at.fixed_offset(),
            today: None,
            outcome: RunOutcome::Ok,
            error: None,
            errors: Vec::new(),
            actions: 0,
            copies: 0,
            removals: 0,
            captures: 0,
            bytes: 0,
            pending: 0,
            warnings: Vec::new(),
            warning_details: Vec::new(),
            disks: Vec::new(),
            notify: Vec::new(),
        }
    }

    #[test]
    fn the_expected_night_is_the_latest_open_day_whose_window_closed() {
        let cal = calendar();
        let s = schedule("23:45", 120);
        // Tuesday 2026-03-31 23:45 + 2h wait + 1h grace = Wednesday 02:45.
        let before = expected_night(&cal, Some(&s), local("2026-04-01 02:44")).unwrap();
        assert_eq!(before.day.to_string(), "2026-03-30");
        let after = expected_night(&cal, Some(&s), local("2026-04-01 02:45")).unwrap();
        assert_eq!(after.day.to_string(), "2026-03-31");
        assert_eq!(after.opens, local("2026-03-31 23:45"));
        // Over the weekend Friday stays the expected night.
        let monday = expected_night(&cal, Some(&s), local("2026-04-06 12:00")).unwrap();
        assert_eq!(monday.day.to_string(), "2026-04-03");
    }

    #[test]
    fn a_run_after_midnight_belongs_to_the_previous_business_day() {
        let cal = calendar();
        let s = schedule("01:30", 0);
        let night = night(&cal, Some(&s), "2026-03-31".parse().unwrap());
        assert_eq!(night.opens, local("2026-04-01 01:30"));
        assert_eq!(night.deadline, local("2026-04-01 02:30"));
    }

    #[test]
    fn overdue_when_no_run_fell_in_the_window() {
        let cal = calendar();
        let s = schedule("23:45", 0);
        let runs = [run_at("2026-03-30 23:50")];
        let tuesday_noon = local("2026-03-31 12:00");
        assert!(!judge(&cal, Some(&s), &runs, tuesday_noon).overdue);
        let wednesday = local("2026-04-01 09:00");
        assert!(judge(&cal, Some(&s), &runs, wednesday).overdue);
        // A run recorded after the instant judged had not happened yet.
        let later = [run_at("2026-03-31 23:50")];
        assert!(judge(&cal, Some(&s), &later, tuesday_noon).overdue);
        assert!(!judge(&cal, Some(&s), &later, wednesday).overdue);
        // No runs at all is overdue too: nothing has ever run.
        assert!(judge(&cal, Some(&s), &[], wednesday).overdue);
    }

    #[test]
    fn without_a_schedule_any_run_in_the_business_day_counts() {
        let cal = calendar();
        let runs = [run_at("2026-03-31 10:00")];
        // Tuesday's window closes Wednesday 06:00.
        assert!(!judge(&cal, None, &runs, local("2026-04-01 05:59")).overdue);
        assert!(!judge(&cal, None, &runs, local("2026-04-01 06:00")).overdue);
        assert!(judge(&cal, None, &runs, local("2026-04-02 06:00")).overdue);
    }

    #[test]
    fn a_run_delivered_on_wake_serves_the_night_whose_start_it_missed() {
        let cal = calendar();
        let s = schedule("23:45", 120);
        let night_of = |text| scheduled_night(&cal, &s, local(text)).map(|d| d.to_string());
        // On time: Tuesday's run serves Tuesday.
        assert_eq!(night_of("2026-03-31 23:45").as_deref(), Some("2026-03-31"));
        // Woken at 07:30 Wednesday (a business day by then): still Tuesday's.
        assert_eq!(night_of("2026-04-01 07:30").as_deref(), Some("2026-03-31"));
        // One minute before the start the previous night is the latest one.
        assert_eq!(night_of("2026-03-31 23:44").as_deref(), Some("2026-03-30"));
        // Off all weekend: Monday morning serves Friday.
        assert_eq!(night_of("2026-04-06 07:30").as_deref(), Some("2026-04-03"));
        // A start after midnight belongs to the business day before it.
        let early = schedule("01:30", 0);
        let served = scheduled_night(&cal, &early, local("2026-04-01 08:00"));
        assert_eq!(served.map(|d| d.to_string()).as_deref(), Some("2026-03-31"));
    }

    #[test]
    fn the_next_run_skips_closed_days() {
        let cal = calendar();
        let s = schedule("23:45", 0);
        let friday_night = local("2026-04-03 23:50");
        assert_eq!(
            next_run(&cal, &s, friday_night),
            Some(local("2026-04-06 23:45"))
        );
    }
}
