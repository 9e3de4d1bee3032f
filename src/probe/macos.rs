//! macOS: `diskutil info -plist MOUNT` describes the volume a folder is on.
//! An APFS volume that is encrypted (FileVault on the startup disk, "APFS
//! (Encrypted)" on an external one) says `<key>FileVault</key><true/>`. The
//! `Encryption` key is not trusted alone: on Apple silicon and T2 Macs it is
//! true for every internal volume, hardware encryption that does nothing for
//! a disk that leaves the building. exFAT, FAT and NTFS volumes cannot be
//! encrypted at all.

use std::path::Path;

use super::{Encryption, Runner};

const HOW: &str = "run `diskutil info` on the disk's mount point and look for \"FileVault: Yes\", \
                   or Control-click the disk in Finder: an encrypted disk offers \"Decrypt\"";

pub fn volume_encryption(runner: &dyn Runner, path: &Path) -> Encryption {
    let target = path.to_string_lossy();
    match runner.run("diskutil", &["info", "-plist", &target]) {
        Ok(plist) => read_info(&plist),
        Err(why) => Encryption::Unknown {
            evidence: why,
            how: HOW.to_string(),
        },
    }
}

/// The verdict from `diskutil info -plist` output.
pub fn read_info(plist: &str) -> Encryption {
    let volume = plist_string(plist, "VolumeName").unwrap_or_else(|| String::from("the volume"));
    let filesystem = plist_string(plist, "FilesystemType").unwrap_or_default();
    match plist_bool(plist, "FileVault") {
        Some(true) => Encryption::Encrypted {
            evidence: format!("diskutil: {volume} ({filesystem}) has FileVault encryption on"),
        },
        Some(false) => Encryption::NotEncrypted {
            evidence: format!("diskutil: {volume} ({filesystem}) is not encrypted (FileVault: No)"),
        },
        None if ["exfat", "msdos", "ntfs", "ufsd_NTFS"].contains(&filesystem.as_str()) => {
            Encryption::NotEncrypted {
                evidence: format!(
                    "diskutil: {volume} is formatted {filesystem}, which cannot be encrypted"
                ),
            }
        }
        None => Encryption::Unknown {
            evidence: format!("diskutil does not say whether {volume} is encrypted"),
            how: HOW.to_string(),
        },
    }
}

/// The value after `<key>KEY</key>` when it is `<true/>` or `<false/>`.
fn plist_bool(plist: &str, key: &str) -> Option<bool> {
    let rest = after_key(plist, key)?;
    if rest.starts_with("<true/>") {
        Some(true)
    } else if rest.starts_with("<false/>") {
        Some(false)
    } else {
        None
    }
}

/// The value after `<key>KEY</key>` when it is a `<string>`.
fn plist_string(plist: &str, key: &str) -> Option<String> {
    let rest = after_key(plist, key)?.strip_prefix("<string>")?;
    let end = rest.find("</string>")?;
    Some(unescape(&rest[..end]))
}

/// What follows a top-level-looking `<key>KEY</key>`, leading space trimmed.
fn after_key<'a>(plist: &'a str, key: &str) -> Option<&'a str> {
    let marker = format!("<key>{key}</key>");
    let at = plist.find(&marker)?;
    Some(plist[at + marker.len()..].trim_start())
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}
