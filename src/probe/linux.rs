//! Linux: `lsblk --json -o NAME,TYPE,FSTYPE,MOUNTPOINT` lists every block
//! device as a tree (disk → partition → LUKS mapping → LVM volume ...). The
//! volume holding a folder is the device with the longest mount point that
//! contains it; it is encrypted when it or a device it is built on is a
//! dm-crypt mapping (`"type": "crypt"`, on a `crypto_LUKS` partition).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Encryption, Runner};

const HOW: &str = "run `lsblk -o NAME,TYPE,FSTYPE,MOUNTPOINT` and check that the disk's mount \
                   point sits under a `crypt` device (a LUKS volume)";

/// File systems that never encrypt by themselves: on no `crypt` device,
/// such a volume is plainly not encrypted.
const PLAIN_FILESYSTEMS: &[&str] = &[
    "ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "exfat", "ntfs", "ntfs3", "hfsplus", "f2fs",
];

#[derive(Debug, Deserialize)]
struct Listing {
    blockdevices: Vec<Device>,
}

#[derive(Debug, Deserialize)]
struct Device {
    name: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    fstype: Option<String>,
    mountpoint: Option<String>,
    /// Newer lsblk lists every mount point of a device.
    #[serde(default)]
    mountpoints: Vec<Option<String>>,
    #[serde(default)]
    children: Vec<Device>,
}

impl Device {
    fn mount_points(&self) -> impl Iterator<Item = &str> {
        self.mountpoint
            .as_deref()
            .into_iter()
            .chain(self.mountpoints.iter().flatten().map(String::as_str))
    }
}

pub fn volume_encryption(runner: &dyn Runner, path: &Path) -> Encryption {
    let args = ["--json", "-o", "NAME,TYPE,FSTYPE,MOUNTPOINT"];
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match runner.run("lsblk", &args) {
        Ok(json) => read_lsblk(&json, &path),
        Err(why) => Encryption::Unknown {
            evidence: why,
            how: HOW.to_string(),
        },
    }
}

/// The verdict for the volume holding `path`, from `lsblk --json` output.
pub fn read_lsblk(json: &str, path: &Path) -> Encryption {
    let listing: Listing = match serde_json::from_str(json) {
        Ok(listing) => listing,
        Err(error) => {
            return Encryption::Unknown {
                evidence: format!("lsblk's output could not be read ({error})"),
                how: HOW.to_string(),
            };
        }
    };
    let mut best: Option<(PathBuf, Vec<&Device>)> = None;
    for device in &listing.blockdevices {
        find_mount(device, path, &mut Vec::new(), &mut best);
    }
    let Some((mount, chain)) = best else {
        return Encryption::Unknown {
            evidence: format!(
                "lsblk shows no device mounted at or above {}",
                path.display()
            ),
            how: HOW.to_string(),
        };
    };
    let device = chain.last().expect("a chain ends at the mounted device");
    let fstype = device.fstype.clone().unwrap_or_default();
    if let Some(crypt) = chain.iter().find(|d| d.kind.as_deref() == Some("crypt")) {
        return Encryption::Encrypted {
            evidence: format!(
                "lsblk: {} ({fstype}, mounted at {}) is on the dm-crypt device {}",
                device.name,
                mount.display(),
                crypt.name
            ),
        };
    }
    if PLAIN_FILESYSTEMS.contains(&fstype.as_str()) {
        return Encryption::NotEncrypted {
            evidence: format!(
                "lsblk: {} ({fstype}, mounted at {}) is on no encrypted (crypt) device",
                device.name,
                mount.display()
            ),
        };
    }
    Encryption::Unknown {
        evidence: format!(
            "lsblk: {} is formatted {}; rota cannot tell whether it encrypts by itself",
            device.name,
            if fstype.is_empty() {
                "with an unknown file system"
            } else {
                &fstype
            }
        ),
        how: HOW.to_string(),
    }
}

/// Depth-first: keeps the device (and its ancestors) whose mount point is
/// the longest one containing `path`.
fn find_mount<'a>(
    device: &'a Device,
    path: &Path,
    ancestors: &mut Vec<&'a Device>,
    best: &mut Option<(PathBuf, Vec<&'a Device>)>,
) {
    ancestors.push(device);
    for mount in device.mount_points() {
        let mount = Path::new(mount);
        let longer = best
            .as_ref()
            .is_none_or(|(found, _)| mount.components().count() > found.components().count());
        if path.starts_with(mount) && longer {
            *best = Some((mount.to_path_buf(), ancestors.clone()));
        }
    }
    for child in &device.children {
        find_mount(child, path, ancestors, best);
    }
    ancestors.pop();
}
