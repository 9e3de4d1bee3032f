//! Placement: where each backup must be, by the rules the README states, before anything
//! about connectivity or capacity is considered.
//!
//! - A backup belongs to the rotation disk(s) whose `days` include the weekday of
//!   its business day (its *home* disks). A home disk holds the newest
//!   `min_backups` day's backups that belong to it, and every retained backup
//!   that belongs to it.
//! - With an archive set, a backup held by an archive tier must be on at least
//!   one archive disk; once it is, its home disk keeps it only for tiers outside
//!   the archive's (the planner resolves this against what is verified or about
//!   to be copied, see [`Placement::needs_home`]).
//! - The server keeps its newest `keep_last` backups.
//! - An off-site target holds what its own `retain` tiers hold.
//! - Today's backup goes to every connected rotation disk that is not tonight's
//!   when none of tonight's is connected or has it (the wrong-disk fallback).
//!
//! Pure: a function of the policy, the world, retention results and today.

pub mod nightly;
pub mod tamper;
pub mod world;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::policy::{Policy, Tier};
use crate::retention::{Reason, Retention};
pub use tamper::Tampered;
pub use world::{KnownBackup, Location, Role, Site, SiteCopy, StaleCopy, Unavailable, World};

/// Placement facts about one backup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupPlacement {
    /// Rotation sites whose days include the backup's business weekday.
    pub home: Vec<usize>,
    /// Home sites on which it is among the newest `min_backups` day's backups.
    pub newest_on: Vec<usize>,
    /// Held by a tier (or hold) that keeps it on its home disk whatever the
    /// archive has.
    pub retained_home: bool,
    /// Held by one of the archive set's tiers.
    pub archive_held: bool,
    /// Among the server's newest `keep_last`.
    pub keep_last: bool,
    /// Off-site sites whose tiers hold it.
    pub offsite: Vec<usize>,
    /// Connected wrong disks that take it as tonight's fallback.
    pub fallback: Vec<usize>,
}

/// Placement for every backup of the world (same order).
#[derive(Debug, Clone, Default)]
pub struct Placement {
    pub backups: Vec<BackupPlacement>,
    /// The archive sites (empty without an archive set).
    pub archive_sites: Vec<usize>,
    /// Tonight's rotation sites (those whose days include today's weekday).
    pub tonight: Vec<usize>,
    /// Index of today's backup, if there is one.
    pub todays_backup: Option<usize>,
}

impl Placement {
    /// Whether a backup must be on its home disk, given whether its archive
    /// requirement is met (verified or being copied now).
    pub fn needs_home(&self, backup: usize, archive_met: bool) -> bool {
        let facts = &self.backups[backup];
        facts.retained_home || (facts.archive_held && !archive_met)
    }
}

/// Computes placement. `offsite` holds one retention result per off-site target,
/// in policy order.
pub fn place(
    policy: &Policy,
    world: &World,
    retention: &Retention,
    offsite: &[Retention],
    today: NaiveDate,
) -> Placement {
    let archive_tiers: Vec<Tier> = policy
        .disks
        .archive
        .as_ref()
        .map(|archive| archive.tiers.clone())
        .unwrap_or_default();
    // Home sites depend on the weekday alone: looked up once per weekday, not
    // once per backup (a large office has 100,000s).
    let homes_by_weekday: Vec<Vec<usize>> =
        std::iter::successors(Some(Weekday::Mon), |day| Some(day.succ()))
            .take(7)
            .map(|weekday| weekday_home_sites(policy, world, weekday))
            .collect();
    let mut backups: Vec<BackupPlacement> = world
        .backups
        .iter()
        .enumerate()
        .map(|(index, backup)| {
            let reasons = &retention.reasons[index];
            let weekday = backup.dated.business_day.weekday();
            BackupPlacement {
                home: homes_by_weekday[weekday.num_days_from_monday() as usize].clone(),
                retained_home: reasons.iter().any(|r| !held_by(r, &archive_tiers)),
                archive_held: reasons.iter().any(|r| held_by(r, &archive_tiers)),
                ..BackupPlacement::default()
            }
        })
        .collect();
    mark_newest(policy, world, retention, today, &mut backups);
    mark_keep_last(policy, world, today, &mut backups);
    mark_offsite(world, offsite, &mut backups);
    let tonight = home_sites(policy, world, today);
    let todays_backup = todays_backup(world, retention, today);
    if let Some(index) = todays_backup {
        backups[index].fallback = fallback_sites(world, &tonight, index);
    }
    Placement {
        backups,
        archive_sites: world
            .sites
            .iter()
            .enumerate()
            .filter(|(_, site)| site.role == Role::Archive)
            .map(|(i, _)| i)
            .collect(),
        tonight,
        todays_backup,
    }
}

/// Whether a reason is one of the archive's tiers.
fn held_by(reason: &Reason, archive_tiers: &[Tier]) -> bool {
    reason
        .tier()
        .is_some_and(|tier| archive_tiers.contains(&tier))
}

/// The labels of the rotation disks that take the backup of `business_day`:
/// those whose `days` include its weekday. The planner and the swap sheet both
/// ask this one function.
pub fn disks_for_day(policy: &Policy, business_day: NaiveDate) -> Vec<&str> {
    disks_for_weekday(policy, business_day.weekday())
}

fn disks_for_weekday(policy: &Policy, weekday: Weekday) -> Vec<&str> {
    policy
        .disks
        .for_weekday(weekday)
        .map(|disk| disk.label.as_str())
        .collect()
}

/// The rotation sites that take the backups of `business_day`'s weekday.
pub fn home_sites(policy: &Policy, world: &World, business_day: NaiveDate) -> Vec<usize> {
    weekday_home_sites(policy, world, business_day.weekday())
}

fn weekday_home_sites(policy: &Policy, world: &World, weekday: Weekday) -> Vec<usize> {
    disks_for_weekday(policy, weekday)
        .into_iter()
        .filter_map(|label| world.site(&Location::Disk(label.to_string())))
        .collect()
}

/// Marks, for each rotation site, its newest `min_backups` day's backups. A
/// backup dated after today never takes one of those places (invariant 13).
fn mark_newest(
    policy: &Policy,
    world: &World,
    retention: &Retention,
    today: NaiveDate,
    backups: &mut [BackupPlacement],
) {
    let wanted = policy.disks.min_backups as usize;
    let mut taken = vec![0usize; world.sites.len()];
    // Newest first: world.backups is sorted oldest first.
    for index in (0..world.backups.len()).rev() {
        if !retention.is_day_backup[index] || world.backups[index].dated.business_day > today {
            continue;
        }
        let facts = &mut backups[index];
        for &site in &facts.home {
            if taken[site] < wanted {
                taken[site] += 1;
                facts.newest_on.push(site);
            }
        }
    }
}

/// Marks the server's newest `keep_last` backups (never one dated after
/// today: invariant 13).
fn mark_keep_last(
    policy: &Policy,
    world: &World,
    today: NaiveDate,
    backups: &mut [BackupPlacement],
) {
    let server = &world.sites[world.server()];
    let on_server = (0..world.backups.len())
        .rev()
        .filter(|index| server.holds(*index))
        .filter(|index| world.backups[*index].dated.business_day <= today)
        .take(policy.source.keep_last as usize);
    for index in on_server.collect::<Vec<_>>() {
        backups[index].keep_last = true;
    }
}

fn mark_offsite(world: &World, offsite: &[Retention], backups: &mut [BackupPlacement]) {
    let offsite_sites = world
        .sites
        .iter()
        .enumerate()
        .filter(|(_, site)| site.role == Role::Offsite)
        .map(|(i, _)| i);
    for (site, retention) in offsite_sites.zip(offsite) {
        for (index, reasons) in retention.reasons.iter().enumerate() {
            if !reasons.is_empty() {
                backups[index].offsite.push(site);
            }
        }
    }
}

/// The day's backup of today, if it exists.
fn todays_backup(world: &World, retention: &Retention, today: NaiveDate) -> Option<usize> {
    (0..world.backups.len()).rev().find(|index| {
        retention.is_day_backup[*index] && world.backups[*index].dated.business_day == today
    })
}

/// Connected rotation disks that are not tonight's, when tonight's backup would
/// otherwise be left only on the server.
fn fallback_sites(world: &World, tonight: &[usize], backup: usize) -> Vec<usize> {
    let home_has_it = tonight
        .iter()
        .any(|site| world.sites[*site].has_verified(backup));
    let home_connected = tonight
        .iter()
        .any(|site| world.sites[*site].is_actionable());
    if home_has_it || home_connected {
        return Vec::new();
    }
    world
        .sites
        .iter()
        .enumerate()
        .filter(|(i, site)| {
            site.role == Role::Rotation && site.is_actionable() && !tonight.contains(i)
        })
        .map(|(i, _)| i)
        .collect()
}
