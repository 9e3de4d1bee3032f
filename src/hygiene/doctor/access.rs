//! Checks on the folders `disks.mount_search` finds, as the scan saw them:
//! can rota read each one (`disks-readable`: on a Mac, a nightly job without
//! Full Disk Access cannot), and is each disk a drive of its own rather than
//! a folder on the source folder's drive (`disks-separate-drive`). The scan
//! ran with this command's permissions; `rota schedule status` probes as the
//! job's user, and the job's own runs record what it could read.

use super::{Check, Patient, list_some};
use crate::plan::volume_warnings::FULL_DISK_ACCESS;

pub fn access_checks(patient: &Patient) -> Vec<Check> {
    vec![readable(patient), separate_drive(patient)]
}

fn readable(patient: &Patient) -> Check {
    let check = Check::titled("disks-readable", "Every disk folder readable by rota");
    let inventory = patient.inventory;
    let survey = &inventory.volumes;
    if !survey.unreadable.is_empty() {
        let denied: Vec<String> = survey
            .unreadable
            .iter()
            .map(|folder| format!("{} ({})", folder.path.display(), folder.error))
            .collect();
        return check.fail(
            format!(
                "rota may not read {}: it cannot tell whether a disk is there",
                list_some(&denied, 3)
            ),
            FULL_DISK_ACCESS,
        );
    }
    let seen =
        inventory.connected_disks().count() + inventory.unlabelled.len() + survey.skipped.len();
    check.pass(format!(
        "read {seen} folder{} under {} (the nightly job reads them with its own permissions: \
         `rota schedule status` checks as its user)",
        if seen == 1 { "" } else { "s" },
        patient.policy.disks.mount_search.join(", ")
    ))
}

fn separate_drive(patient: &Patient) -> Check {
    let check = Check::titled(
        "disks-separate-drive",
        "Every disk a drive of its own, not the server's",
    );
    let policy = patient.policy;
    let folders: Vec<String> = patient
        .inventory
        .volumes
        .on_server_drive
        .iter()
        .map(|folder| folder.path.display().to_string())
        .collect();
    if folders.is_empty() {
        return check.pass(format!(
            "no folder under {} is on the source folder's drive",
            policy.disks.mount_search.join(", ")
        ));
    }
    if policy.disks.allow_server_drive {
        return check.pass(format!(
            "{} on the source folder's drive, as the policy allows (disks.allow_server_drive: \
             a test or demo)",
            list_some(&folders, 3)
        ));
    }
    check.warn(
        format!(
            "on the same drive as the source folder {}: {} (a copy there is lost with the \
             server's drive)",
            policy.source.path.display(),
            list_some(&folders, 3)
        ),
        "an empty folder named after a disk (e.g. /Volumes/MON) was left behind when that disk \
         was unplugged without Eject: eject the disk, delete the folder and connect the disk \
         again; otherwise point disks.mount_search at where external disks appear",
    )
}
