//! Backups that are not what their copies say: still being written on the
//! server (younger than `source.settle`), or changed since they were copied
//! (their copies are *stale*). Both are facts of the world the planner acts
//! on; this module words them, for pending copies and for warnings.

use chrono::TimeDelta;

use super::warnings::{Warning, WarningCode};
use crate::placement::World;
use crate::policy::Policy;

/// The pending reason of a copy of a backup that is still being written.
pub fn unsettled_reason(age: TimeDelta) -> String {
    format!(
        "still being written (last changed {} min ago)",
        age.num_minutes()
    )
}

/// One `unsettled-backup` warning per backup still being written, and one
/// `changed-backup` warning per backup with stale copies.
pub fn change_warnings(policy: &Policy, world: &World) -> Vec<Warning> {
    let settle = policy.source.settle;
    let mut warnings: Vec<Warning> = world
        .backups
        .iter()
        .filter_map(|backup| Some((&backup.dated.name, backup.settling?)))
        .map(|(name, age)| {
            Warning::new(
                WarningCode::UnsettledBackup,
                format!(
                    "{name} is {}: it is copied once it has been unchanged for {settle} (source.settle)",
                    unsettled_reason(age)
                ),
            )
        })
        .collect();
    for group in world.stale.chunk_by(|a, b| a.backup == b.backup) {
        let backup = &world.backups[group[0].backup];
        let sites: Vec<&str> = group
            .iter()
            .map(|stale| world.sites[stale.site].location.name())
            .collect();
        let change = backup
            .fingerprint
            .map(|now| group[0].recorded.changes_to(&now))
            .unwrap_or_default();
        warnings.push(Warning::new(
            WarningCode::ChangedBackup,
            format!(
                "{} changed on the server after it was copied ({change}): the {} on {} no longer {} and it is copied again",
                backup.dated.name,
                if sites.len() == 1 { "copy" } else { "copies" },
                sites.join(", "),
                if sites.len() == 1 { "counts" } else { "count" },
            ),
        ));
    }
    warnings
}
