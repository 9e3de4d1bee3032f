//! Backups that are not what their copies say: still being written on the
//! server (younger than `source.settle`), or changed since they were copied
//! (their copies are *stale*). Both are facts of the world the planner acts
//! on; this module words them, for pending copies and for warnings.

use chrono::TimeDelta;

use super::warning::Warning;
use crate::inventory::freshness::still_being_written;
use crate::placement::World;
use crate::plan::code::WarningCode;
use crate::policy::Policy;

/// More backups than this still being written (a folder restored or copied
/// in just now) are one warning, not one each.
const UNSETTLED_ONE_BY_ONE: usize = 3;

/// One `unsettled-backup` warning per backup still being written, or one for
/// them all when there are many.
fn unsettled_warnings(policy: &Policy, world: &World) -> Vec<Warning> {
    let settle = policy.source.settle;
    let unsettled: Vec<(&str, TimeDelta)> = world
        .backups
        .iter()
        .filter_map(|backup| Some((backup.dated.name.as_str(), backup.settling?)))
        .collect();
    let until = format!("copied once unchanged for {settle} (source.settle)");
    if unsettled.len() > UNSETTLED_ONE_BY_ONE {
        let newest = unsettled
            .iter()
            .map(|(_, age)| *age)
            .min()
            .unwrap_or_default();
        let first: Vec<&str> = unsettled.iter().take(3).map(|(name, _)| *name).collect();
        return vec![Warning::new(
            WarningCode::UnsettledBackup,
            format!(
                "{} backups changed in the last {settle} ({}, …; the latest {} min ago): they are \
                 {until}; if a folder was just restored or copied in, that is expected",
                unsettled.len(),
                first.join(", "),
                newest.num_minutes(),
            ),
        )];
    }
    unsettled
        .into_iter()
        .map(|(name, age)| {
            Warning::new(
                WarningCode::UnsettledBackup,
                format!("{name} is {}: it is {until}", still_being_written(age)),
            )
        })
        .collect()
}

/// `unsettled-backup` warnings for backups still being written, and one
/// `changed-backup` warning per backup with stale copies.
pub fn change_warnings(policy: &Policy, world: &World) -> Vec<Warning> {
    let mut warnings = unsettled_warnings(policy, world);
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
