//! Warnings about the folders under `disks.mount_search` themselves, from the
//! scan's [`VolumeSurvey`]: `disk-unreadable` (rota may not look into a
//! folder, which may be tonight's disk: on a Mac, a launchd job without Full
//! Disk Access) and `disk-on-server-drive` (a "disk" on the source folder's
//! own file system, which protects nothing). Volumes the scan skipped (Time
//! Machine, read-only images, network shares, `com.apple.*`) are not warned.
//!
//! Pure: reads the policy and the inventory, decides nothing else.

use std::path::Path;

use super::warnings::{Warning, WarningCode};
use crate::inventory::Inventory;
use crate::inventory::volumes::{ServerDriveFolder, VolumeSurvey};
use crate::policy::Policy;
use crate::words::format::plural;

/// What a person must do when the job may not read a disk folder.
pub const FULL_DISK_ACCESS: &str = "on a Mac, the nightly job needs Full Disk Access: in System \
     Settings > Privacy & Security > Full Disk Access, click + and add the rota program the job \
     runs (`rota schedule status` names it), then switch it on; elsewhere, let the user the job \
     runs as read the folder";

/// Both warnings, in the order of the folders.
pub fn volume_warnings(policy: &Policy, inventory: &Inventory, warnings: &mut Vec<Warning>) {
    let survey = &inventory.volumes;
    for folder in &survey.unreadable {
        warnings.push(Warning::new(
            WarningCode::DiskUnreadable,
            format!(
                "rota may not read {} ({}), so it cannot tell whether tonight's disk is there: \
                 {FULL_DISK_ACCESS}",
                folder.path.display(),
                folder.error
            ),
        ));
    }
    if policy.disks.allow_server_drive {
        return;
    }
    for disk in inventory.connected_disks() {
        let Some(mount) = disk.mount.as_ref().map(|mount| mount.path.as_path()) else {
            continue;
        };
        if survey.is_on_server_drive(mount) {
            warnings.push(Warning::new(
                WarningCode::DiskOnServerDrive,
                format!(
                    "disk {} at {} is on the same drive as the source folder {}, not a separate \
                     disk: a copy there is lost with the server's drive. Was `rota disk init` run \
                     on a folder of the server's drive? Label a real external disk instead, and \
                     point `disks.mount_search` at where external disks appear",
                    disk.label,
                    mount.display(),
                    policy.source.path.display()
                ),
            ));
        }
    }
    for volume in &inventory.unlabelled {
        if let Some(folder) = survey.server_drive_folder(&volume.path) {
            warnings.push(Warning::new(
                WarningCode::DiskOnServerDrive,
                stale_folder_words(folder),
            ));
        }
    }
}

/// Whether an unlabelled folder is said `disk-on-server-drive` instead of
/// `unlabelled-disk`: it is no disk at all, so labelling it is wrong advice.
pub fn instead_of_unlabelled(policy: &Policy, survey: &VolumeSurvey, path: &Path) -> bool {
    !policy.disks.allow_server_drive && survey.is_on_server_drive(path)
}

/// The words for an unlabelled folder on the server's drive: most often the
/// empty folder macOS leaves in /Volumes when a disk is unplugged without
/// Eject (the disk itself then mounts as `/Volumes/MON 1`).
fn stale_folder_words(folder: &ServerDriveFolder) -> String {
    let path = folder.path.as_path();
    let what = match folder.entries {
        Some(0) => String::from("an empty folder"),
        Some(entries) => format!("a folder holding {}", plural(entries, "item", "items")),
        None => String::from("a folder"),
    };
    format!(
        "{} is {what} on the server's own drive, not a connected disk: rota will not use it. \
         If it is named after a disk, it was most likely left behind when that disk was unplugged \
         without Eject (macOS then mounts the disk itself as \"{} 1\"): eject the disk, delete \
         the empty folder (`sudo rmdir \"{}\"`), and connect the disk again. Otherwise point \
         `disks.mount_search` at where external disks appear",
        path.display(),
        path.display(),
        path.display()
    )
}

#[cfg(test)]
mod tests;
