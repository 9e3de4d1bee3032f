//! The check that the copies rota counts are copies of the backups as they
//! are now: no backup on the server still being written (younger than
//! `source.settle`) and none changed since it was copied (stale copies); and
//! the deletion gate: whether tonight's run may delete at all (safety
//! invariant 13), with the condition that stops it and how to clear it.

use super::{Check, Patient, list_some};
use crate::inventory::freshness::still_being_written;

pub fn backups_unchanged(patient: &Patient) -> Check {
    let check = Check::titled(
        "backups-unchanged",
        "Every counted copy matches its backup as it is now",
    );
    let settle = patient.policy.source.settle;
    let backups = &patient.plan.backups;
    let stale: Vec<String> = backups
        .iter()
        .filter(|backup| !backup.stale_at.is_empty())
        .map(|backup| {
            let places: Vec<String> = backup.stale_at.iter().map(|l| l.to_string()).collect();
            format!("{} (copies on {})", backup.name, places.join(", "))
        })
        .collect();
    if !stale.is_empty() {
        return check.warn(
            format!(
                "changed on the server after they were copied, so their copies no longer count: {}",
                list_some(&stale, 5)
            ),
            "`rota apply` copies them again and replaces the old copies once the new ones are \
             verified; if the practice software rewrote old backups, find out why (a re-run of its \
             job, a restore into the backup folder)",
        );
    }
    let settling: Vec<String> = backups
        .iter()
        .filter_map(|backup| {
            Some(format!(
                "{} is {}",
                backup.name,
                still_being_written(backup.settling?)
            ))
        })
        .collect();
    if !settling.is_empty() {
        return check.warn(
            format!(
                "{}: rota copies a backup once it has been unchanged for {settle} (source.settle)",
                list_some(&settling, 3)
            ),
            "let the practice software's backup finish; if one stays like this for hours, its \
             backup job may be stuck or writing into the wrong place",
        );
    }
    check.pass(format!(
        "every backup on the server has been unchanged for at least {settle} (source.settle), \
         and no counted copy was made before its backup changed"
    ))
}

/// FAIL while the deletion gate is closed: what holds it closed, and how to
/// clear each condition.
pub fn deletions_allowed(patient: &Patient) -> Check {
    let check = Check::titled(
        "deletions-allowed",
        "The backups look healthy enough for rota to delete expired copies",
    );
    let stopped = &patient.plan.deletions_stopped;
    if stopped.is_empty() {
        return check.pass(
            "no backup changed after it was verified, none is dated in the future, and new backups \
             keep arriving: expired copies are deleted as the policy says",
        );
    }
    let why: Vec<String> = stopped
        .iter()
        .map(|closure| format!("{} ({})", closure.reason, closure.code))
        .collect();
    let clear: Vec<String> = stopped
        .iter()
        .map(|closure| closure.to_clear.clone())
        .collect();
    check.fail(
        format!(
            "rota copies but deletes nothing anywhere (safety invariant 13): {}",
            why.join("; ")
        ),
        clear.join("; "),
    )
}
