//! The deletion gate (safety invariant 13): when the source looks wrong,
//! keep copying and stop deleting.
//!
//! The gate closes while any of these holds:
//! - a backup stands tampered (its server bytes changed after a verified
//!   copy existed: ransomware, corruption, tampering);
//! - a name in the source folder is dated after today (a wrong clock on the
//!   server or in the practice software, a mistyped export);
//! - no new backup has arrived for `source.stale_after` open days (the
//!   practice software stopped writing, or the server's clock jumped ahead).
//!
//! While it is closed the planner plans no deletion anywhere (server, disks,
//! off-site, and no archive move, which deletes its source): history is never
//! rotated away while nothing trustworthy comes in. Copies go on as usual.
//! This is the one place that decides it; the planner only asks.
//!
//! Pure: the policy, the world and today.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::code::WarningCode;
use crate::calendar::full_weekday;
use crate::placement::World;
use crate::policy::Policy;

/// One condition that holds the gate closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closure {
    /// The warning that names it: `tampered-backup`, `future-backup` or
    /// `source-stale`.
    pub code: WarningCode,
    /// What holds, in words.
    pub reason: String,
    /// What a person does to clear it.
    pub to_clear: String,
}

/// Whether deletions may go ahead tonight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gate {
    /// Empty: open.
    pub closed_by: Vec<Closure>,
}

impl Gate {
    pub fn is_closed(&self) -> bool {
        !self.closed_by.is_empty()
    }
}

/// How many names a closure lists before "and N more".
const NAMED: usize = 3;

/// Judges the gate for `today`.
pub fn judge(policy: &Policy, world: &World, today: NaiveDate) -> Gate {
    let mut closed_by = Vec::new();
    if !world.tampered.is_empty() {
        let names: Vec<&str> = world
            .tampered
            .iter()
            .map(|t| world.backups[t.backup].dated.name.as_str())
            .collect();
        closed_by.push(Closure {
            code: WarningCode::TamperedBackup,
            reason: format!(
                "{} changed on the server after rota had a verified copy",
                some_of(&names)
            ),
            to_clear: String::from(
                "find out why (ransomware? a restore?); if the change was intended, run \
                 `rota accept-change POLICY NAME` (or --all)",
            ),
        });
    }
    let future: Vec<&str> = world
        .backups
        .iter()
        .filter(|b| b.fingerprint.is_some() && b.dated.business_day > today)
        .map(|b| b.dated.name.as_str())
        .collect();
    if !future.is_empty() {
        closed_by.push(Closure {
            code: WarningCode::FutureBackup,
            reason: format!(
                "{} in the source folder {} dated after today ({today})",
                some_of(&future),
                if future.len() == 1 { "is" } else { "are" }
            ),
            to_clear: String::from(
                "check the server's and the practice software's clocks; move a mistyped file out \
                 of the source folder",
            ),
        });
    }
    if let Some(stale) = staleness(policy, world, today) {
        closed_by.push(stale);
    }
    Gate { closed_by }
}

/// `source-stale`: no backup dated in the last `stale_after` open days
/// (today included). None while there is no backup at all (nothing to
/// delete) or a recent one.
fn staleness(policy: &Policy, world: &World, today: NaiveDate) -> Option<Closure> {
    let newest = world
        .backups
        .iter()
        .map(|b| b.dated.business_day)
        .filter(|day| *day <= today)
        .max()?;
    let after = policy.source.stale_after as usize;
    let calendar = &policy.office.calendar;
    let since = newest.succ_opt()?;
    let without = calendar.latest_open_days_since(today, after, since).len();
    if without < after {
        return None;
    }
    Some(Closure {
        code: WarningCode::SourceStale,
        reason: format!(
            "no new backup for {after} or more open days: the newest is of {} {newest} \
             (source.stale_after: {after})",
            full_weekday(newest.weekday())
        ),
        to_clear: String::from(
            "check that the practice software still writes its backups to source.path, and the \
             server's clock; deletions resume once a new backup arrives",
        ),
    })
}

/// "a, b, c and 4 more".
fn some_of(names: &[&str]) -> String {
    let shown = names
        .iter()
        .take(NAMED)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().saturating_sub(NAMED) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_listed_three_at_most() {
        assert_eq!(some_of(&["a"]), "a");
        assert_eq!(some_of(&["a", "b", "c", "d", "e"]), "a, b, c and 2 more");
    }
}
