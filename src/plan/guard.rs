//! The mass-delete guard (SPEC.md safety invariant 7): a plan that deletes more
//! than half of the copies at a location, or every copy of a backup of one of
//! the last `business_days` open days, is refused by `apply` unless
//! `--allow-mass-delete` is given. A wrong pattern or a wrong clock must not
//! wipe a disk.
//!
//! "The copies at a location" are those it holds plus those the same plan
//! writes there: a disk that was away for two weeks, gets three new backups
//! and lets three old ones go is catching up, not being wiped, and refusing
//! that plan would also skip tonight's copy. And only deletions that lose a
//! backup count: removing the server's copy of a backup that stays verified
//! on a disk (the server's pruning once everything is copied), or a fallback
//! copy once its own disk has it, loses nothing.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Action, Op};
use crate::placement::{Location, Role, World};
use crate::policy::Policy;
use crate::retention::Retention;

/// What the plan would do that needs `--allow-mass-delete`, in words.
pub fn mass_delete_findings(
    policy: &Policy,
    world: &World,
    retention: &Retention,
    actions: &[Action],
    today: NaiveDate,
) -> Vec<String> {
    let mut findings = half_of_a_location(world, actions);
    findings.extend(whole_recent_days(policy, world, retention, actions, today));
    findings
}

fn half_of_a_location(world: &World, actions: &[Action]) -> Vec<String> {
    let kept = kept_after(world, actions);
    let mut deleted: HashMap<&Location, usize> = HashMap::new();
    let mut written: HashMap<&Location, usize> = HashMap::new();
    // Archive moves keep the backup (on the archive disk): not deletions here.
    for action in actions.iter().filter(|a| a.op != Op::Archive) {
        if let Some(location) = action.deleted_at()
            && !kept.get(action.backup.as_str()).copied().unwrap_or(false)
        {
            *deleted.entry(location).or_default() += 1;
        }
        if let Some(location) = action.writes_to() {
            *written.entry(location).or_default() += 1;
        }
    }
    let mut findings: Vec<(String, String)> = deleted
        .into_iter()
        .filter_map(|(location, count)| {
            let site = world.site(location)?;
            let site = &world.sites[site];
            // Copies written tonight count (see the module doc); off-site,
            // copies waiting for their upload are there too.
            let waiting = match site.role {
                Role::Offsite => site.staged.iter().filter(|staged| **staged).count(),
                _ => 0,
            };
            let copies =
                site.verified_count() + waiting + written.get(location).copied().unwrap_or(0);
            (count * 2 > copies).then(|| {
                (
                    location.to_string(),
                    format!("the plan deletes {count} of the {copies} backups on {location}"),
                )
            })
        })
        .collect();
    findings.sort();
    findings.into_iter().map(|(_, text)| text).collect()
}

/// For each backup the plan deletes somewhere: whether it still has a
/// verified copy after the plan (one it had and keeps, or one the plan writes).
fn kept_after<'a>(world: &World, actions: &'a [Action]) -> HashMap<&'a str, bool> {
    let mut deleted_at: HashMap<&str, Vec<&Location>> = HashMap::new();
    let mut written: HashMap<&str, bool> = HashMap::new();
    for action in actions {
        if let Some(location) = action.deleted_at() {
            deleted_at
                .entry(action.backup.as_str())
                .or_default()
                .push(location);
        }
        if action.writes_to().is_some() {
            written.insert(action.backup.as_str(), true);
        }
    }
    deleted_at
        .into_iter()
        .map(|(name, gone)| {
            let keeps = written.contains_key(name)
                || world.index.get(name).is_some_and(|index| {
                    world
                        .sites
                        .iter()
                        .any(|site| site.has_verified(*index) && !gone.contains(&&site.location))
                });
            (name, keeps)
        })
        .collect()
}

fn whole_recent_days(
    policy: &Policy,
    world: &World,
    retention: &Retention,
    actions: &[Action],
    today: NaiveDate,
) -> Vec<String> {
    let days = policy.retain.business_days.limit().max(1);
    let recent = policy
        .office
        .calendar
        .latest_open_days(today, days.min(10_000));
    // What the plan does to each backup: whether it writes a copy, and where it deletes.
    let mut effects: HashMap<&str, (bool, Vec<&Location>)> = HashMap::new();
    for action in actions {
        let effect = effects.entry(action.backup.as_str()).or_default();
        effect.0 |= action.writes_to().is_some();
        if action.op != Op::Copy
            && let Some(location) = action.deleted_at()
        {
            effect.1.push(location);
        }
    }
    let mut findings = Vec::new();
    for (index, backup) in world.backups.iter().enumerate() {
        if !retention.is_day_backup[index] || !recent.contains(&backup.dated.business_day) {
            continue;
        }
        let name = &backup.dated.name;
        let Some((written, deleted)) = effects.get(name.as_str()) else {
            continue;
        };
        let copies: Vec<&Location> = world
            .sites
            .iter()
            .filter(|site| site.has_verified(index))
            .map(|site| &site.location)
            .collect();
        let all_deleted =
            !copies.is_empty() && copies.iter().all(|location| deleted.contains(location));
        if all_deleted && !written {
            findings.push(format!(
                "the plan deletes every copy of {name}, the backup of {}, one of the last {days} business days",
                backup.dated.business_day
            ));
        }
    }
    findings
}
