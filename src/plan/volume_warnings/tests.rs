//! The warnings from a recorded survey: a Mac whose launchd job has no Full
//! Disk Access, a stale `/Volumes/MON` after an unclean eject beside the
//! real disk at `/Volumes/MON 1`, and a disk labelled on the server's drive.

use std::path::{Path, PathBuf};

use super::*;
use crate::inventory::volumes::UnreadableVolume;
use crate::inventory::{DiskView, Mount, UnlabelledVolume};

fn policy(extra: &str) -> Policy {
    let text = format!(
        "version: 1\noffice: {{ name: Test, timezone: America/New_York, open_days: [mon] }}\n\
         source: {{ path: \"/Users/Shared/Backups\", pattern: \"B_{{%Y-%m-%d_%H%M}}.bak\" }}\n\
         retain: {{ business_days: 10 }}\n\
         disks: {{ mount_search: [\"/Volumes/*\"], rotation: [{{ label: MON, days: [mon] }}]{extra} }}\n"
    );
    crate::policy::load_str(&text, Path::new("/office/rota.yaml"))
        .unwrap()
        .policy
}

fn connected(label: &str, mount: &str) -> DiskView {
    DiskView {
        label: label.into(),
        id: format!("{label}-id"),
        mount: Some(Mount {
            path: PathBuf::from(mount),
            space: Default::default(),
            network_fs: None,
        }),
        last_seen: None,
        last_verified: None,
        copies: Default::default(),
        strays: Vec::new(),
        unconfirmed: Default::default(),
        manifest_error: None,
        space_when_seen: None,
    }
}

fn server_drive(path: &str, entries: usize) -> ServerDriveFolder {
    ServerDriveFolder {
        path: PathBuf::from(path),
        entries: Some(entries),
    }
}

fn warnings_for(policy: &Policy, inventory: &Inventory) -> Vec<Warning> {
    let mut warnings = Vec::new();
    volume_warnings(policy, inventory, &mut warnings);
    warnings
}

#[test]
fn a_folder_rota_may_not_read_is_disk_unreadable_naming_full_disk_access() {
    let mut inventory = Inventory::default();
    inventory.volumes.unreadable.push(UnreadableVolume {
        path: PathBuf::from("/Volumes/TUE"),
        error: String::from("Operation not permitted (os error 1)"),
    });
    let warnings = warnings_for(&policy(""), &inventory);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].code, WarningCode::DiskUnreadable);
    let message = &warnings[0].message;
    assert!(message.contains("/Volumes/TUE"), "{message}");
    assert!(message.contains("Operation not permitted"), "{message}");
    assert!(message.contains("Full Disk Access"), "{message}");
    // Said even where disks may share the server's drive.
    assert_eq!(
        warnings_for(&policy(", allow_server_drive: true"), &inventory).len(),
        1
    );
}

#[test]
fn a_stale_folder_and_a_disk_on_the_server_drive_are_said_unless_allowed() {
    let inventory = Inventory {
        disks: vec![
            connected("MON", "/Volumes/MON 1"),
            connected("TUE", "/Volumes/TUE"),
        ],
        unlabelled: vec![UnlabelledVolume {
            path: PathBuf::from("/Volumes/MON"),
            label_error: None,
        }],
        volumes: VolumeSurvey {
            on_server_drive: vec![
                server_drive("/Volumes/MON", 0),
                server_drive("/Volumes/TUE", 3),
            ],
            ..VolumeSurvey::default()
        },
        ..Inventory::default()
    };
    let policy = policy("");
    let warnings = warnings_for(&policy, &inventory);
    let codes: Vec<WarningCode> = warnings.iter().map(|w| w.code).collect();
    assert_eq!(codes, [WarningCode::DiskOnServerDrive; 2]);
    assert!(
        warnings[0]
            .message
            .starts_with("disk TUE at /Volumes/TUE is on the same drive")
    );
    let stale = &warnings[1].message;
    assert!(
        stale.starts_with("/Volumes/MON is an empty folder on the server's own drive"),
        "{stale}"
    );
    assert!(stale.contains("unplugged without Eject"), "{stale}");
    assert!(stale.contains("\"/Volumes/MON 1\""), "{stale}");
    // The stale folder is not also an unlabelled disk to be labelled.
    assert!(instead_of_unlabelled(
        &policy,
        &inventory.volumes,
        Path::new("/Volumes/MON")
    ));
    assert!(!instead_of_unlabelled(
        &policy,
        &inventory.volumes,
        Path::new("/Volumes/Untitled")
    ));
    // A sandbox or demo says its disks are folders on purpose.
    let allowed = self::policy(", allow_server_drive: true");
    assert!(warnings_for(&allowed, &inventory).is_empty());
    assert!(!instead_of_unlabelled(
        &allowed,
        &inventory.volumes,
        Path::new("/Volumes/MON")
    ));
}
