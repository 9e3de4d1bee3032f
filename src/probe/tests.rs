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
