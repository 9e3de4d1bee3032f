//! Retention: which backups the policy's tiers hold as of today, and why.
//!
//! Pure: (tiers, calendar, holds, backups, today) → per backup a list of typed
//! [`Reason`]s. Tiers count *calendar* periods, not buckets of existing backups:
//! "the last 10 business days" are the last 10 open days of the office calendar,
//! and a month with no backup still counts as one of the 12 months kept.
//!
//! Two rules keep a wrong clock or `--at` from condemning backups: a backup whose
//! business day is after today is always held ([`Reason::Future`]) and never
//! takes a place among the newest (`last`), and holds are absolute.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};

use crate::calendar::{Calendar, Period, PeriodKind};
use crate::policy::{Count, Hold, Retain, Tier};

/// A backup as retention sees it: its name and when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated {
    pub name: String,
    /// Wall-clock time from the name, in the office time zone.
    pub timestamp: NaiveDateTime,
    pub business_day: NaiveDate,
    /// For a date-only name (no time of day in it), when the server's copy
    /// was last modified, office wall clock: it orders the backups of one date
    /// (the newest is the day's backup). `None` for names with a time, and
    /// for date-only backups no longer on the server (they sort first).
    pub written: Option<NaiveDateTime>,
}

impl Dated {
    /// The order of backups: the time in the name, then (date-only names)
    /// when written, then the name, so the choice never depends on listing order.
    pub fn order(&self) -> (NaiveDateTime, Option<NaiveDateTime>, &str) {
        (self.timestamp, self.written, &self.name)
    }
}

impl AsRef<Dated> for Dated {
    fn as_ref(&self) -> &Dated {
        self
    }
}

/// Why a backup is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// A tier holds it as the backup of `period`.
    Tier { tier: Tier, period: Period },
    /// `last: N`: it is the `rank`-th newest backup (1 = newest).
    Newest { rank: usize },
    /// A legal or audit hold in the policy.
    Hold,
    /// Its business day is after today: the clock or `--at` is behind it.
    Future,
}

impl Reason {
    /// The `retain` key behind the reason, if it is a tier (for JSON `tiers`).
    pub fn tier(&self) -> Option<Tier> {
        match self {
            Reason::Tier { tier, .. } => Some(*tier),
            Reason::Newest { .. } => Some(Tier::Last),
            Reason::Hold | Reason::Future => None,
        }
    }
}

impl fmt::Display for Reason {
    /// "business day 2026-03-31", "month-end 2026-03", "quarter-end FY2026 Q1",
    /// "fiscal-year-end FY2026", "newest 2", "on hold", "dated after today".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Tier { tier, period } => {
                let name = match tier {
                    Tier::BusinessDays => "business day",
                    Tier::MonthEnds => "month-end",
                    Tier::QuarterEnds => "quarter-end",
                    Tier::FiscalYearEnds => "fiscal-year-end",
                    Tier::Last => "newest",
                };
                write!(f, "{name} {period}")
            }
            Reason::Newest { rank } => write!(f, "newest {rank}"),
            Reason::Hold => f.write_str("on hold"),
            Reason::Future => f.write_str("dated after today"),
        }
    }
}

/// The period kind a tier keeps one backup of (`last` has none).
pub fn tier_period_kind(tier: Tier) -> Option<PeriodKind> {
    match tier {
        Tier::BusinessDays => Some(PeriodKind::BusinessDay),
        Tier::MonthEnds => Some(PeriodKind::Month),
        Tier::QuarterEnds => Some(PeriodKind::FiscalQuarter),
        Tier::FiscalYearEnds => Some(PeriodKind::FiscalYear),
        Tier::Last => None,
    }
}

/// Retention's answer: reasons per backup (same order as the input).
#[derive(Debug, Clone, Default)]
pub struct Retention {
    pub reasons: Vec<Vec<Reason>>,
    /// Whether each backup is its business day's backup (the latest of that day).
    pub is_day_backup: Vec<bool>,
}

impl Retention {
    pub fn is_retained(&self, index: usize) -> bool {
        !self.reasons[index].is_empty()
    }
}

/// Computes retention for `backups` as of `today`.
pub fn retain(
    retain: &Retain,
    holds: &[Hold],
    calendar: &Calendar,
    backups: &[impl AsRef<Dated>],
    today: NaiveDate,
) -> Retention {
    let is_day_backup = day_backups(backups);
    let mut reasons: Vec<Vec<Reason>> = vec![Vec::new(); backups.len()];
    for tier in [
        Tier::BusinessDays,
        Tier::MonthEnds,
        Tier::QuarterEnds,
        Tier::FiscalYearEnds,
    ] {
        let count = retain.count(tier);
        if count.is_zero() {
            continue;
        }
        let kind = tier_period_kind(tier).expect("period tiers have a kind");
        for (index, period) in latest_per_period(calendar, kind, count, backups, today) {
            reasons[index].push(Reason::Tier { tier, period });
        }
    }
    for (rank, index) in newest(backups, retain.last, today).into_iter().enumerate() {
        reasons[index].push(Reason::Newest { rank: rank + 1 });
    }
    for (index, backup) in backups.iter().map(AsRef::as_ref).enumerate() {
        if holds
            .iter()
            .any(|hold| hold.holds(&backup.name, backup.business_day))
        {
            reasons[index].push(Reason::Hold);
        }
        if backup.business_day > today {
            reasons[index].push(Reason::Future);
        }
    }
    Retention {
        reasons,
        is_day_backup,
    }
}

/// Marks the latest backup of each business day (see [`Dated::order`]; ties:
/// the larger name wins, so the choice is stable whatever the listing order).
pub fn day_backups(backups: &[impl AsRef<Dated>]) -> Vec<bool> {
    let mut latest: HashMap<NaiveDate, usize> = HashMap::new();
    for (index, backup) in backups.iter().map(AsRef::as_ref).enumerate() {
        latest
            .entry(backup.business_day)
            .and_modify(|best| {
                if later(backup, backups[*best].as_ref()) {
                    *best = index;
                }
            })
            .or_insert(index);
    }
    let mut marks = vec![false; backups.len()];
    for index in latest.into_values() {
        marks[index] = true;
    }
    marks
}

fn later(a: &Dated, b: &Dated) -> bool {
    a.order() > b.order()
}

/// For each kept period of `kind`, the index of its latest backup.
///
/// Business days: the `count` latest open days on or before today. Months,
/// quarters and years: the `count` latest *completed* ones (their last calendar
/// day is before today). `all` keeps every such period.
fn latest_per_period(
    calendar: &Calendar,
    kind: PeriodKind,
    count: Count,
    backups: &[impl AsRef<Dated>],
    today: NaiveDate,
) -> Vec<(usize, Period)> {
    let fye = calendar.fiscal_year_end;
    let mut latest: HashMap<Period, usize> = HashMap::new();
    for (index, backup) in backups.iter().map(AsRef::as_ref).enumerate() {
        if backup.business_day > today {
            continue;
        }
        let period = calendar.period(kind, backup.business_day);
        let in_scope = match kind {
            PeriodKind::BusinessDay => true,
            _ => period.is_completed(today, fye),
        };
        if !in_scope {
            continue;
        }
        latest
            .entry(period)
            .and_modify(|best| {
                if later(backup, backups[*best].as_ref()) {
                    *best = index;
                }
            })
            .or_insert(index);
    }
    let kept: Option<HashSet<Period>> = match count {
        Count::All => None,
        Count::Number(n) => Some(
            calendar
                .latest_completed_periods_since(kind, today, n as usize, earliest(backups))
                .into_iter()
                .collect(),
        ),
    };
    let mut chosen: Vec<(usize, Period)> = latest
        .into_iter()
        .filter(|(period, _)| kept.as_ref().is_none_or(|kept| kept.contains(period)))
        .map(|(period, index)| (index, period))
        .collect();
    chosen.sort_by_key(|(_, period)| *period);
    chosen
}

/// The earliest business day of any backup (periods before it hold nothing).
fn earliest(backups: &[impl AsRef<Dated>]) -> NaiveDate {
    backups
        .iter()
        .map(|backup| backup.as_ref().business_day)
        .min()
        .unwrap_or(NaiveDate::MAX)
}

/// Indices of the `count` newest backups (by wall-clock time), newest first.
/// A backup dated after today never takes one of their places (safety
/// invariant 13: a wrong clock must not push real backups out).
fn newest(backups: &[impl AsRef<Dated>], count: Count, today: NaiveDate) -> Vec<usize> {
    let newer_first = |a: &usize, b: &usize| {
        let (a, b) = (backups[*a].as_ref(), backups[*b].as_ref());
        b.order().cmp(&a.order())
    };
    let mut order: Vec<usize> = (0..backups.len())
        .filter(|index| backups[*index].as_ref().business_day <= today)
        .collect();
    let count = count.limit();
    // Only the newest few are ever wanted: picked out before sorting.
    if count < order.len() {
        order.select_nth_unstable_by(count, newer_first);
        order.truncate(count);
    }
    order.sort_by(newer_first);
    order
}

#[cfg(test)]
mod tests;
