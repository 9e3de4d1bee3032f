//! The verdicts on facts recorded on Macs (what `ls -a` shows at each
//! volume's root, `mount`'s read-only flag and file system type), and
//! [`look_at`] on real folders.

use super::*;

fn facts(name: &str, root: &[&str]) -> Facts {
    Facts {
        name: name.to_string(),
        root: Ok(root.iter().map(|n| n.to_string()).collect()),
        read_only: false,
        network_fs: None,
    }
}

fn skipped(facts: &Facts) -> Option<SkipReason> {
    match judge_unlabelled(facts) {
        Some(Folder::Skipped(why)) => Some(why),
        _ => None,
    }
}

#[test]
fn time_machine_disks_are_skipped_hfs_and_apfs() {
    // HFS+ destination (macOS 10.15 and before).
    let hfs = facts(
        "Time Machine",
        &[
            ".com.apple.timemachine.donotpresent",
            ".fseventsd",
            ".Spotlight-V100",
            "Backups.backupdb",
        ],
    );
    assert_eq!(skipped(&hfs), Some(SkipReason::TimeMachine));
    // APFS destination (macOS 11 and later), seen through Finder's mount.
    let apfs = facts(
        "Backups of Front Desk Mac",
        &[
            "2026-03-29-231502.previous",
            "2026-03-30-231517.backup",
            "backup_manifest.plist",
        ],
    );
    assert_eq!(skipped(&apfs), Some(SkipReason::TimeMachine));
    // A dated folder alone is marker enough; an undated `.backup` is not.
    assert_eq!(
        skipped(&facts("TM", &["2026-03-30-231517.inprogress"])),
        Some(SkipReason::TimeMachine)
    );
    assert_eq!(skipped(&facts("Work", &["clients.backup"])), None);
}

#[test]
fn macos_own_mounts_are_skipped_by_name() {
    assert_eq!(
        skipped_by_name("com.apple.TimeMachine.localsnapshots"),
        Some(SkipReason::AppleSystem)
    );
    assert_eq!(skipped_by_name("MON"), None);
    assert_eq!(skipped_by_name("Macintosh HD"), None);
}

#[test]
fn read_only_images_and_network_shares_are_skipped() {
    let image = Facts {
        read_only: true,
        ..facts("Install macOS Sequoia", &["Install macOS Sequoia.app"])
    };
    assert_eq!(skipped(&image), Some(SkipReason::ReadOnly));
    let share = Facts {
        network_fs: Some("smbfs".into()),
        ..facts("Scans", &["2026"])
    };
    assert_eq!(
        skipped(&share),
        Some(SkipReason::NetworkShare("smbfs".into()))
    );
    assert!(
        SkipReason::NetworkShare("smbfs".into())
            .words()
            .contains("smbfs")
    );
}

#[test]
fn a_folder_rota_may_not_list_is_unreadable_whatever_else_it_is() {
    // A launchd job without Full Disk Access listing a USB disk.
    let denied = Facts {
        root: Err(Denied::Permission(
            "Operation not permitted (os error 1)".into(),
        )),
        read_only: true,
        ..facts("MON", &[])
    };
    match judge_unlabelled(&denied) {
        Some(Folder::Unreadable(error)) => assert!(error.contains("not permitted")),
        other => panic!("{other:?}"),
    }
    // Any other error is no reason to skip: the folder stays unlabelled.
    let broken = Facts {
        root: Err(Denied::Other("Input/output error (os error 5)".into())),
        ..facts("MON", &[])
    };
    assert!(judge_unlabelled(&broken).is_none());
}

#[test]
fn blank_disks_and_stale_folders_are_left_unlabelled() {
    // A new exFAT disk straight from the box, and the empty folder macOS
    // leaves behind after a disk was unplugged without Eject.
    assert!(judge_unlabelled(&facts("Untitled", &[".fseventsd", ".Spotlight-V100"])).is_none());
    assert!(judge_unlabelled(&facts("MON", &[])).is_none());
}

#[test]
fn permission_errors_are_eperm_and_eacces() {
    // EPERM is 1 and EACCES 13 on macOS and Linux alike.
    for code in [1, 13] {
        assert!(is_permission(&io::Error::from_raw_os_error(code)), "{code}");
    }
    assert!(!is_permission(&io::Error::from(io::ErrorKind::NotFound)));
}

#[test]
fn wildcard_parents_are_the_folders_a_glob_lists() {
    assert_eq!(wildcard_parents("/Volumes/*"), ["/Volumes"]);
    assert_eq!(wildcard_parents("/media/*/*"), ["/media", "/media/*"]);
    assert!(wildcard_parents("/mnt/backup").is_empty());
}

#[test]
fn real_folders_are_sorted_out() {
    let dir = tempfile::tempdir().unwrap();
    let labelled = dir.path().join("MON");
    std::fs::create_dir(&labelled).unwrap();
    DiskLabel::new("MON", chrono::Utc::now(), &labelled)
        .save(&labelled)
        .unwrap();
    assert!(matches!(look_at(&labelled), Folder::Disk(label) if label.label == "MON"));
    let time_machine = dir.path().join("Time Machine");
    std::fs::create_dir_all(time_machine.join("Backups.backupdb")).unwrap();
    assert!(matches!(
        look_at(&time_machine),
        Folder::Skipped(SkipReason::TimeMachine)
    ));
    let snapshots = dir.path().join("com.apple.TimeMachine.localsnapshots");
    std::fs::create_dir(&snapshots).unwrap();
    assert!(matches!(
        look_at(&snapshots),
        Folder::Skipped(SkipReason::AppleSystem)
    ));
    let blank = dir.path().join("Untitled");
    std::fs::create_dir(&blank).unwrap();
    assert!(matches!(
        look_at(&blank),
        Folder::Unlabelled(UnlabelledVolume {
            label_error: None,
            ..
        })
    ));
    // A damaged label is said as such, even on a Time Machine disk.
    std::fs::write(time_machine.join(".rota-disk.json"), "{").unwrap();
    assert!(matches!(
        look_at(&time_machine),
        Folder::Unlabelled(UnlabelledVolume {
            label_error: Some(_),
            ..
        })
    ));
}
