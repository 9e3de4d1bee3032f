//! The mass-delete guard (safety invariant 7, docs/architecture.md): a plan that deletes more
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
//!
//! The deletions that do lose a backup are marked on the actions
//! (`last_copy`): `plan` shows each of them on a line of its own and counts
//! them in its summary, in the guard's words ("the last copy of ...").

use chrono::NaiveDate;

use super::{Action, Op};
use crate::placement::{Role, World};
use crate::policy::Policy;
use crate::retention::Retention;

/// Marks each action that deletes a backup's last copy (`last_copy`: after
/// it the backup is nowhere, no verified copy kept and none written by the
/// plan; archive moves keep the backup on the archive disk), and returns
/// what the plan would do that needs `--allow-mass-delete`, in words. The
/// plan's lines and summary show the same marks the guard counts.
/// `backup_of[i]` is the index in `world.backups` of `actions[i]`'s backup.
pub fn mark_and_guard(
    policy: &Policy,
    world: &World,
    retention: &Retention,
    actions: &mut [Action],
    backup_of: &[usize],
    today: NaiveDate,
) -> Vec<String> {
    let effects = Effects::of(world, actions, backup_of);
    for (action, backup) in actions.iter_mut().zip(backup_of) {
        action.last_copy = action.op != Op::Archive
            && action.deleted_at().is_some()
            && !effects.keeps(world, *backup);
    }
    let mut findings = half_of_a_location(world, actions);
    findings.extend(whole_recent_days(policy, world, retention, &effects, today));
    findings
}

fn half_of_a_location(world: &World, actions: &[Action]) -> Vec<String> {
    let mut lost = vec![0usize; world.sites.len()];
    let mut removals = vec![0usize; world.sites.len()];
    let mut written = vec![0usize; world.sites.len()];
    for action in actions {
        if let Some(site) = action.deleted_at().and_then(|l| world.site(l))
            && action.op != Op::Archive
        {
            removals[site] += 1;
            // A deletion of a backup that stays verified elsewhere loses nothing.
            if action.last_copy {
                lost[site] += 1;
            }
        }
        if let Some(site) = action.writes_to().and_then(|l| world.site(l)) {
            written[site] += 1;
        }
    }
    let mut findings: Vec<(String, String)> = world
        .sites
        .iter()
        .enumerate()
        .filter(|(index, _)| lost[*index] > 0)
        .filter_map(|(index, site)| {
            let count = lost[index];
            // Copies written tonight count (see the module doc); off-site,
            // copies waiting for their upload are there too.
            let waiting = match site.role {
                Role::Offsite => site.staged.iter().filter(|staged| **staged).count(),
                _ => 0,
            };
            let copies = site.verified_count() + waiting + written[index];
            let location = &site.location;
            let others = removals[index] - count;
            let rest = match others {
                0 => String::new(),
                1 => String::from(
                    "; the one other removal there leaves a copy elsewhere, so it loses nothing",
                ),
                n => format!(
                    "; the {n} other removals there leave a copy elsewhere, so they lose nothing"
                ),
            };
            (count * 2 > copies).then(|| {
                (
                    location.to_string(),
                    format!(
                        "the plan deletes the last copy of {count} of the {copies} backups on \
                         {location}{rest}"
                    ),
                )
            })
        })
        .collect();
    findings.sort();
    findings.into_iter().map(|(_, text)| text).collect()
}

/// What the plan does to each backup, by backup and site index: whether it
/// writes a copy anywhere, and where it deletes one (archive moves included).
struct Effects {
    sites: usize,
    /// Whether any action concerns the backup.
    touched: Vec<bool>,
    written: Vec<bool>,
    /// `deleted[backup * sites + site]`: a copy of the backup there is deleted.
    deleted: Vec<bool>,
}

impl Effects {
    fn of(world: &World, actions: &[Action], backup_of: &[usize]) -> Effects {
        let sites = world.sites.len();
        let backups = world.backups.len();
        let mut effects = Effects {
            sites,
            touched: vec![false; backups],
            written: vec![false; backups],
            deleted: vec![false; backups * sites],
        };
        for (action, &backup) in actions.iter().zip(backup_of) {
            effects.touched[backup] = true;
            effects.written[backup] |= action.writes_to().is_some();
            if let Some(site) = action.deleted_at().and_then(|l| world.site(l)) {
                effects.deleted[backup * sites + site] = true;
            }
        }
        effects
    }

    fn deletes(&self, backup: usize, site: usize) -> bool {
        self.deleted[backup * self.sites + site]
    }

    /// Whether the backup still has a verified copy after the plan: one it had
    /// and keeps, or one the plan writes.
    fn keeps(&self, world: &World, backup: usize) -> bool {
        self.written[backup]
            || (0..self.sites)
                .any(|site| world.sites[site].has_verified(backup) && !self.deletes(backup, site))
    }
}

fn whole_recent_days(
    policy: &Policy,
    world: &World,
    retention: &Retention,
    effects: &Effects,
    today: NaiveDate,
) -> Vec<String> {
    let days = policy.retain.business_days.limit().max(1);
    let recent = policy
        .office
        .calendar
        .latest_open_days(today, days.min(10_000));
    let mut findings = Vec::new();
    for (index, backup) in world.backups.iter().enumerate() {
        if !retention.is_day_backup[index]
            || !recent.contains(&backup.dated.business_day)
            || !effects.touched[index]
        {
            continue;
        }
        let mut copies = (0..world.sites.len())
            .filter(|site| world.sites[*site].has_verified(index))
            .peekable();
        let all_deleted =
            copies.peek().is_some() && copies.all(|site| effects.deletes(index, site));
        if all_deleted && !effects.written[index] {
            findings.push(format!(
                "the plan deletes every copy of {}, the backup of {}, one of the last {days} business days",
                backup.dated.name, backup.dated.business_day
            ));
        }
    }
    findings
}
