//! What a typical disk will hold under a policy, for `rota check`'s summary:
//! two years of nightly backups are run through the real planner on a
//! synthetic office (each night's disk connected, no disk ever full), and each
//! disk's holdings are counted at the end.
//!
//! Pure and deterministic: the window is fixed (2025–2026), so the summary of a
//! policy never changes with the clock. Holidays outside the window are simply
//! not exercised; the counts are an estimate, and the summary says so.

use chrono::{NaiveDate, NaiveTime, Utc};

use crate::placement::disks_for_day;
use crate::plan::make_plan;
use crate::policy::Policy;
use crate::retention::Reason;
use crate::synthetic::SyntheticOffice;

/// What one disk holds at the end of the simulated window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub label: String,
    /// Copies on the disk.
    pub copies: usize,
    /// Of those, how many are kept only as month-, quarter- or year-ends (or
    /// by `last`), i.e. beyond its newest and the recent business days.
    pub long_term: usize,
}

const FIRST_NIGHT: (i32, u32, u32) = (2025, 1, 1);
const LAST_NIGHT: (i32, u32, u32) = (2026, 12, 31);
/// Any size works: only counts are reported. Disks are made roomy enough that
/// capacity never shapes the answer.
const BACKUP_SIZE: u64 = 1_000;
const DISK_SIZE: u64 = u64::MAX / 8;

/// Runs the window and reports every rotation and archive disk.
pub fn typical_holdings(policy: &Policy) -> Vec<Holding> {
    let first = date(FIRST_NIGHT);
    let last = date(LAST_NIGHT);
    let mut office = SyntheticOffice::new(policy, DISK_SIZE);
    let calendar = &policy.office.calendar;
    let archive: Vec<&str> = policy
        .disks
        .archive
        .iter()
        .flat_map(|a| a.labels.iter().map(String::as_str))
        .collect();
    let backup_time = (calendar.day_starts_at + chrono::Duration::hours(18))
        .max(NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default());
    let mut final_plan = None;
    for day in first.iter_days().take_while(|d| *d <= last) {
        if !calendar.is_open(day) {
            continue;
        }
        office.add_backup(policy, day.and_time(backup_time), BACKUP_SIZE);
        let at = calendar
            .instant_of(day.and_time(NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default()));
        let mut tonight: Vec<&str> = disks_for_day(policy, day);
        tonight.extend(archive.iter().copied());
        office.connect_only(&tonight, at.with_timezone(&Utc));
        let plan = make_plan(policy, &office.inventory(policy), at);
        if office.apply(&plan, at.with_timezone(&Utc)).is_err() {
            break;
        }
        final_plan = Some(plan);
    }
    let Some(plan) = final_plan else {
        return Vec::new();
    };
    let recent = |reasons: &[Reason]| {
        reasons.iter().any(|r| {
            matches!(
                r,
                Reason::Tier {
                    tier: crate::policy::Tier::BusinessDays,
                    ..
                } | Reason::Future
            )
        })
    };
    office
        .disks
        .iter()
        .map(|disk| {
            let long_term = disk
                .copies
                .keys()
                .filter_map(|name| plan.backups.iter().find(|b| &b.name == name))
                .filter(|b| !b.reasons.is_empty() && !recent(&b.reasons))
                .count();
            Holding {
                label: disk.label.clone(),
                copies: disk.copies.len(),
                long_term,
            }
        })
        .collect()
}

fn date((year, month, day): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// The summary's words for each disk.
pub fn describe(holdings: &[Holding]) -> Vec<(String, String)> {
    holdings
        .iter()
        .map(|h| {
            let words = match (h.copies, h.long_term) {
                (0, _) => String::from("nothing (another disk of its set takes the copies)"),
                (copies, 0) => format!("about {copies} backups"),
                (copies, long) => format!(
                    "about {copies} backups after two years: {} recent and {long} kept long-term (period ends, holds)",
                    copies - long
                ),
            };
            (h.label.clone(), words)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::vendor_policy;

    #[test]
    fn the_vendor_disks_hold_their_newest_four_plus_long_term_backups() {
        let holdings = typical_holdings(&vendor_policy());
        assert_eq!(holdings.len(), 5);
        for holding in &holdings {
            // The newest 4 (which cover the 10 business days), plus some of the
            // 12 month-ends, 8 quarter-ends and 2 year-ends of the window.
            assert!(holding.copies > 4, "{holding:?}");
            assert!(holding.copies <= 4 + 12, "{holding:?}");
            assert_eq!(holding.copies - holding.long_term, 4, "{holding:?}");
        }
        let long_term: usize = holdings.iter().map(|h| h.long_term).sum();
        // At the end of 2026: the 12 month-ends Dec 2025 .. Nov 2026, plus the
        // quarter-ends of Mar, Jun and Sep 2025 (older than those months);
        // the year-end FY2025 is December 2025's month-end.
        assert_eq!(long_term, 15, "{holdings:?}");
    }
}
