//! What a typical disk will hold under a policy, for `rota check`'s summary:
//! two years of nightly backups are run through `rota simulate`'s engine (the
//! real planner on a synthetic office, each night's disk connected, no disk
//! ever full), and each disk's holdings are counted at the end.
//!
//! Pure and deterministic: the window is fixed (2025–2026), so the summary of a
//! policy never changes with the clock. Holidays outside the window are simply
//! not exercised; the counts are an estimate, and the summary says so.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::policy::Policy;
use crate::simulate::assumptions::{Assumptions, Growth};
use crate::simulate::simulate_office;

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

/// Runs the window through `rota simulate`'s engine (no missed backups, no
/// wrong disks, room to spare) and reports every rotation and archive disk.
pub fn typical_holdings(policy: &Policy) -> Vec<Holding> {
    let assumptions = Assumptions {
        from: ymd(FIRST_NIGHT),
        to: ymd(LAST_NIGHT),
        backup_size: BACKUP_SIZE,
        growth: Growth::none(),
        missed_days: 0.0,
        wrong_disk: 0.0,
        disk_size: DISK_SIZE,
        server_size: None,
        seed: 1,
    };
    let (simulation, office) = simulate_office(policy, &assumptions);
    // Long-term: kept by something other than the recent tiers (period ends,
    // `last`, holds).
    let long_term: HashSet<&str> = simulation
        .kept
        .iter()
        .filter(|backup| {
            backup
                .tiers
                .iter()
                .any(|tier| tier != "business_days" && tier != "future")
        })
        .map(|backup| backup.name.as_str())
        .collect();
    office
        .disks
        .iter()
        .map(|disk| Holding {
            label: disk.label.clone(),
            copies: disk.copies.len(),
            long_term: disk
                .copies
                .keys()
                .filter(|name| long_term.contains(name.as_str()))
                .count(),
        })
        .collect()
}

fn ymd((year, month, day): (i32, u32, u32)) -> NaiveDate {
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
                    "about {copies} backups after two years, {long} of them kept long-term (period ends, holds)"
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
