use std::cell::RefCell;
use std::path::Path;

use super::*;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/probe")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Answers every command with one recorded output, and remembers the calls.
struct Recorded {
    output: Result<String, String>,
    calls: RefCell<Vec<String>>,
}

impl Recorded {
    fn new(output: Result<String, String>) -> Recorded {
        Recorded {
            output,
            calls: RefCell::new(Vec::new()),
        }
    }
}

impl Runner for Recorded {
    fn run(&self, program: &str, args: &[&str]) -> Result<String, String> {
        self.calls
            .borrow_mut()
            .push(format!("{program} {}", args.join(" ")));
        self.output.clone()
    }
}

fn state(encryption: &Encryption) -> &'static str {
    match encryption {
        Encryption::Encrypted { .. } => "encrypted",
        Encryption::NotEncrypted { .. } => "not-encrypted",
        Encryption::Unknown { .. } => "unknown",
    }
}

#[test]
fn diskutil_outputs_give_each_verdict() {
    let cases = [
        (
            "diskutil-info-apfs-encrypted.plist",
            "encrypted",
            "MON (apfs) has FileVault",
        ),
        (
            "diskutil-info-apfs-plain.plist",
            "not-encrypted",
            "TUE (apfs) is not encrypted",
        ),
        (
            "diskutil-info-exfat.plist",
            "not-encrypted",
            "WED is formatted exfat",
        ),
    ];
    for (file, expected, evidence) in cases {
        let runner = Recorded::new(Ok(fixture(file)));
        let found = volume_encryption(&runner, Platform::MacOs, Path::new("/Volumes/X"));
        assert_eq!(state(&found), expected, "{file}: {found:?}");
        assert!(found.evidence().contains(evidence), "{file}: {found:?}");
        assert_eq!(*runner.calls.borrow(), ["diskutil info -plist /Volumes/X"]);
    }
}

#[test]
fn hardware_encryption_alone_is_not_taken_for_an_encrypted_disk() {
    let plist = "<plist><dict><key>Encryption</key><true/><key>FilesystemType</key>\
                 <string>apfs</string></dict></plist>";
    assert_eq!(state(&macos::read_info(plist)), "unknown");
}

#[test]
fn lsblk_outputs_give_each_verdict() {
    let cases = [
        (
            "lsblk-luks-root.json",
            "/media/office/MON",
            "encrypted",
            "dm-crypt device luks-MON",
        ),
        (
            "lsblk-luks-root.json",
            "/media/office/TUE/rota",
            "not-encrypted",
            "sdb1 (exfat",
        ),
        (
            "lsblk-luks-root.json",
            "/home/office/disks/MON",
            "encrypted",
            "mounted at /)",
        ),
        (
            "lsblk-plain-root.json",
            "/srv/disks/MON",
            "not-encrypted",
            "sda2 (ext4, mounted at /)",
        ),
        (
            "lsblk-plain-root.json",
            "/media/office/WED",
            "not-encrypted",
            "sdb1 (ntfs",
        ),
        (
            "lsblk-vm-no-fstype.json",
            "/tmp/disks/MON",
            "unknown",
            "vda is formatted with an unknown",
        ),
    ];
    for (file, path, expected, evidence) in cases {
        let found = linux::read_lsblk(&fixture(file), Path::new(path));
        assert_eq!(state(&found), expected, "{file} {path}: {found:?}");
        assert!(
            found.evidence().contains(evidence),
            "{file} {path}: {found:?}"
        );
    }
}

#[test]
fn a_tool_that_fails_or_talks_nonsense_means_unknown_with_how_to_check() {
    let failed = Recorded::new(Err(String::from("`lsblk` could not be run: not found")));
    let found = volume_encryption(&failed, Platform::Linux, Path::new("/nowhere"));
    let Encryption::Unknown { evidence, how } = &found else {
        panic!("{found:?}")
    };
    assert!(evidence.contains("could not be run"));
    assert!(how.contains("lsblk -o NAME,TYPE,FSTYPE,MOUNTPOINT"));
    let garbled = linux::read_lsblk("lsblk: unknown column", Path::new("/"));
    assert_eq!(state(&garbled), "unknown");
    let failed = Recorded::new(Err(String::from("diskutil: could not find disk")));
    let found = volume_encryption(&failed, Platform::MacOs, Path::new("/Volumes/MON"));
    assert_eq!(state(&found), "unknown");
    assert_eq!(
        state(&volume_encryption(&failed, Platform::Other, Path::new("/"))),
        "unknown"
    );
}

#[test]
fn fdesetup_outputs_give_each_verdict() {
    use super::server::read_fdesetup;
    assert_eq!(
        state(&read_fdesetup(&fixture("fdesetup-status-on.txt"))),
        "encrypted"
    );
    assert_eq!(
        state(&read_fdesetup(&fixture("fdesetup-status-off.txt"))),
        "not-encrypted"
    );
    assert_eq!(
        state(&read_fdesetup(&fixture("fdesetup-status-in-progress.txt"))),
        "unknown"
    );
}

#[test]
fn time_machine_outputs_are_read() {
    use super::server::{TimeMachine, read_destination, read_latest, time_machine};
    assert_eq!(
        read_destination(&fixture("tmutil-destinationinfo.txt")).as_deref(),
        Some("Server Time Machine")
    );
    assert_eq!(
        read_latest(&fixture("tmutil-latestbackup.txt")).map(|t| t.to_string()),
        Some(String::from("2026-03-30 22:15:30"))
    );
    assert_eq!(
        read_latest("/Volumes/TM/Backups.backupdb/server/2026-03-29-080001\n")
            .map(|t| t.to_string()),
        Some(String::from("2026-03-29 08:00:01"))
    );
    let none = Recorded::new(Err(format!(
        "`tmutil destinationinfo` failed (exit status: 1): {}",
        fixture("tmutil-destinationinfo-none.txt").trim()
    )));
    assert_eq!(
        time_machine(&none, Platform::MacOs),
        TimeMachine::NotConfigured
    );
    let linux = time_machine(&none, Platform::Linux);
    assert!(matches!(linux, TimeMachine::Unknown { .. }), "{linux:?}");
}
