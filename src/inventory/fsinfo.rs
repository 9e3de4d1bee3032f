//! What the operating system says about the file system a path lives on: its
//! free and total space, whether it is a network file system (NFS, SMB,
//! AFP, WebDAV...), which the vendor guide warns against for backup disks,
//! and whether it is FAT, which cannot hold a file of 4 GiB or more
//! ([`disk_format`]: Linux `statfs` `f_type`, macOS and the BSDs
//! `f_fstypename`).
//!
//! - macOS and the BSDs: `statfs(2)` gives both the space and the type name
//!   (`f_fstypename`: nfs, smbfs, afpfs, webdav...).
//! - Linux and other Unix systems: `statvfs(3)` gives the space; the type comes
//!   from `/proc/self/mountinfo`, taking the mount whose mount point is the
//!   longest prefix of the path.
//! - Elsewhere: unknown (`None`), and nothing is flagged.
//!
//! The classification and the mountinfo parsing are pure functions, tested on
//! fixture text. This module only reads; it never changes anything.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Capacity of a file system, from the OS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Space {
    pub total: u64,
    /// Bytes available to rota (not counting space reserved for root).
    pub free: u64,
}

/// Free and total space of the file system holding `path`, if the OS says.
pub fn space(path: &Path) -> Option<Space> {
    platform::space(path)
}

/// The file system type name of `path` when it is a network file system.
pub fn network_fs(path: &Path) -> Option<String> {
    fs_type(path).filter(|name| is_network_fs(name))
}

/// The file system type name of `path` (e.g. `apfs`, `ext4`, `smbfs`).
pub fn fs_type(path: &Path) -> Option<String> {
    platform::fs_type(path)
}

/// A disk's format, as far as copying onto it is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskFormat {
    /// FAT (FAT32, or the older FAT16 and FAT12): no file of 4 GiB or more,
    /// and no journal.
    Fat,
    /// Anything else (APFS, HFS+, exFAT, NTFS, ext4...), or not known.
    Other,
}

/// The largest file FAT can hold: 4 GiB less one byte.
pub const FAT_MAX_FILE: u64 = (4 << 30) - 1;

impl DiskFormat {
    /// Whether a file of `len` bytes can be stored on a disk of this format.
    pub fn holds_file(self, len: u64) -> bool {
        self != DiskFormat::Fat || len <= FAT_MAX_FILE
    }

    /// Linux `statfs` `f_type`: FAT is `MSDOS_SUPER_MAGIC` (vfat and msdos
    /// mounts alike; exFAT has its own).
    pub fn from_magic(f_type: i64) -> DiskFormat {
        const MSDOS_SUPER_MAGIC: i64 = 0x4d44;
        match f_type {
            MSDOS_SUPER_MAGIC => DiskFormat::Fat,
            _ => DiskFormat::Other,
        }
    }

    /// macOS and BSD `statfs` `f_fstypename`: `msdos` (macOS), `msdosfs`
    /// (FreeBSD); exFAT is `exfat`.
    pub fn from_type_name(name: &str) -> DiskFormat {
        match name.trim().to_ascii_lowercase().as_str() {
            "msdos" | "msdosfs" | "vfat" | "fat" => DiskFormat::Fat,
            _ => DiskFormat::Other,
        }
    }
}

/// The format of the file system holding `path` ([`DiskFormat::Other`]
/// when the OS does not say).
pub fn disk_format(path: &Path) -> DiskFormat {
    platform::disk_format(path)
}

/// Type names of file systems that live on another machine. Generic FUSE
/// (`fuse`, `fuseblk`) is left out: it is as often a local NTFS or exFAT disk.
const NETWORK_TYPES: &[&str] = &[
    "nfs",
    "nfs4",
    "smbfs",
    "smb",
    "smb2",
    "smb3",
    "cifs",
    "afpfs",
    "afp",
    "webdav",
    "davfs",
    "ftp",
    "sshfs",
    "9p",
    "ceph",
    "glusterfs",
    "lustre",
    "afs",
    "coda",
    "ncpfs",
    "gpfs",
    "beegfs",
];

/// FUSE file systems (`fuse.NAME`) that reach another machine.
const NETWORK_FUSE: &[&str] = &[
    "sshfs",
    "rclone",
    "davfs",
    "s3fs",
    "gcsfuse",
    "glusterfs",
    "curlftpfs",
    "cephfs",
    "smbnetfs",
];

/// Whether a file system type name denotes a network file system.
pub fn is_network_fs(type_name: &str) -> bool {
    let name = type_name.trim().to_ascii_lowercase();
    if let Some(fuse) = name.strip_prefix("fuse.") {
        return NETWORK_FUSE.contains(&fuse) || NETWORK_TYPES.contains(&fuse);
    }
    NETWORK_TYPES.contains(&name.as_str())
}

/// One line of `/proc/self/mountinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountEntry {
    pub mount_point: PathBuf,
    pub fs_type: String,
    pub source: String,
}

/// Parses mountinfo text (see proc(5)): field 5 is the mount point, and after
/// the lone `-` come the type and the source. Octal escapes (`\040` for a
/// space) are undone. Lines that do not fit are skipped.
pub fn parse_mountinfo(text: &str) -> Vec<MountEntry> {
    text.lines().filter_map(parse_mountinfo_line).collect()
}

fn parse_mountinfo_line(line: &str) -> Option<MountEntry> {
    let fields: Vec<&str> = line.split(' ').collect();
    let mount_point = fields.get(4)?;
    let separator = fields.iter().skip(6).position(|field| *field == "-")? + 6;
    let fs_type = fields.get(separator + 1)?;
    let source = fields.get(separator + 2).copied().unwrap_or("");
    Some(MountEntry {
        mount_point: PathBuf::from(unescape_octal(mount_point)),
        fs_type: unescape_octal(fs_type),
        source: unescape_octal(source),
    })
}

/// Undoes the kernel's `\NNN` octal escapes (space, tab, newline, backslash).
fn unescape_octal(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = bytes
            .get(i + 1..i + 4)
            .filter(|digits| bytes[i] == b'\\' && digits.iter().all(|d| (b'0'..=b'7').contains(d)));
        match escape {
            Some(digits) => {
                let value = digits
                    .iter()
                    .fold(0u32, |acc, d| acc * 8 + u32::from(d - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mount holding `path` (absolute, symlinks resolved): the one whose mount
/// point is the longest whole-component prefix; of equal ones the last listed
/// (it is mounted on top).
pub fn mount_for<'a>(mounts: &'a [MountEntry], path: &Path) -> Option<&'a MountEntry> {
    mounts
        .iter()
        .filter(|mount| path.starts_with(&mount.mount_point))
        .fold(None, |best: Option<&MountEntry>, mount| match best {
            Some(best)
                if best.mount_point.components().count()
                    > mount.mount_point.components().count() =>
            {
                Some(best)
            }
            _ => Some(mount),
        })
}

#[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
mod platform {
    //! statfs(2): space and type name in one call.
    use std::ffi::{CStr, CString};
    use std::path::Path;

    use super::Space;

    fn statfs(path: &Path) -> Option<libc::statfs> {
        use std::os::unix::ffi::OsStrExt;
        let c_path = CString::new(path.as_os_str().as_bytes()).ok()?;
        let mut info: libc::statfs = unsafe { std::mem::zeroed() };
        // SAFETY: `c_path` is a valid NUL-terminated string and `info` a
        // properly sized, writable statfs buffer.
        let status = unsafe { libc::statfs(c_path.as_ptr(), &mut info) };
        (status == 0).then_some(info)
    }

    #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
    pub fn space(path: &Path) -> Option<Space> {
        let info = statfs(path)?;
        let block = info.f_bsize as u64;
        let available = (info.f_bavail as i128).max(0) as u64;
        Some(Space {
            total: (info.f_blocks as u64).saturating_mul(block),
            free: available.saturating_mul(block),
        })
    }

    pub fn fs_type(path: &Path) -> Option<String> {
        let info = statfs(path)?;
        // SAFETY: the kernel NUL-terminates f_fstypename within its array.
        let name = unsafe { CStr::from_ptr(info.f_fstypename.as_ptr()) };
        Some(name.to_string_lossy().into_owned())
    }

    pub fn disk_format(path: &Path) -> super::DiskFormat {
        fs_type(path).map_or(super::DiskFormat::Other, |name| {
            super::DiskFormat::from_type_name(&name)
        })
    }
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))
))]
mod platform {
    //! statvfs(3) for space; /proc/self/mountinfo (Linux) for the type.
    use std::ffi::CString;
    use std::path::Path;

    use super::{Space, mount_for, parse_mountinfo};

    #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
    pub fn space(path: &Path) -> Option<Space> {
        use std::os::unix::ffi::OsStrExt;
        let c_path = CString::new(path.as_os_str().as_bytes()).ok()?;
        let mut info: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: `c_path` is a valid NUL-terminated string and `info` a
        // properly sized, writable statvfs buffer.
        let status = unsafe { libc::statvfs(c_path.as_ptr(), &mut info) };
        if status != 0 {
            return None;
        }
        let fragment = info.f_frsize as u64;
        Some(Space {
            total: (info.f_blocks as u64).saturating_mul(fragment),
            free: (info.f_bavail as u64).saturating_mul(fragment),
        })
    }

    pub fn fs_type(path: &Path) -> Option<String> {
        let text = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
        let resolved = std::fs::canonicalize(path).ok()?;
        let mounts = parse_mountinfo(&text);
        mount_for(&mounts, &resolved).map(|mount| mount.fs_type.clone())
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
    pub fn disk_format(path: &Path) -> super::DiskFormat {
        use std::os::unix::ffi::OsStrExt;
        let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else {
            return super::DiskFormat::Other;
        };
        let mut info: libc::statfs = unsafe { std::mem::zeroed() };
        // SAFETY: `c_path` is a valid NUL-terminated string and `info` a
        // properly sized, writable statfs buffer.
        match unsafe { libc::statfs(c_path.as_ptr(), &mut info) } {
            0 => super::DiskFormat::from_magic(info.f_type as i64),
            _ => super::DiskFormat::Other,
        }
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    pub fn disk_format(path: &Path) -> super::DiskFormat {
        fs_type(path).map_or(super::DiskFormat::Other, |name| {
            super::DiskFormat::from_type_name(&name)
        })
    }
}

#[cfg(not(unix))]
mod platform {
    //! No portable source of this information: report nothing.
    use std::path::Path;

    use super::Space;

    pub fn space(_path: &Path) -> Option<Space> {
        None
    }

    pub fn fs_type(_path: &Path) -> Option<String> {
        None
    }

    pub fn disk_format(_path: &Path) -> super::DiskFormat {
        super::DiskFormat::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESKTOP: &str = "\
22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw,errors=remount-ro
25 22 0:23 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
61 22 8:17 / /media/anna/MON rw,nosuid,nodev,relatime shared:34 - exfat /dev/sdb1 rw,uid=1000
62 22 0:51 / /mnt/office\\040share rw,relatime shared:35 - cifs //nas/backups rw,vers=3.1.1
63 22 0:52 / /mnt/nfs rw,relatime - nfs4 nas:/export rw,vers=4.2
64 22 0:53 / /home/anna/remote rw,nosuid,nodev,relatime shared:36 master:2 - fuse.sshfs anna@nas:/srv rw
";

    #[test]
    fn fat_is_told_by_its_statfs_magic_or_type_name_and_limits_files_to_4_gib() {
        assert_eq!(DiskFormat::from_magic(0x4d44), DiskFormat::Fat);
        // exFAT, ext4, APFS-on-Linux (none), NTFS (ntfs3).
        for magic in [0x2011_bab0, 0xef53, 0, 0x7366_746e] {
            assert_eq!(DiskFormat::from_magic(magic), DiskFormat::Other);
        }
        for name in ["msdos", "msdosfs", "MSDOS", "vfat"] {
            assert_eq!(DiskFormat::from_type_name(name), DiskFormat::Fat, "{name}");
        }
        for name in ["exfat", "apfs", "hfs", "ntfs", "smbfs", ""] {
            assert_eq!(
                DiskFormat::from_type_name(name),
                DiskFormat::Other,
                "{name}"
            );
        }
        assert!(DiskFormat::Fat.holds_file(FAT_MAX_FILE));
        assert!(!DiskFormat::Fat.holds_file(FAT_MAX_FILE + 1));
        assert!(!DiskFormat::Fat.holds_file(6_000_000_000));
        assert!(DiskFormat::Other.holds_file(6_000_000_000));
    }

    #[test]
    fn network_types_are_recognised() {
        for name in [
            "nfs",
            "NFS4",
            "smbfs",
            "cifs",
            "smb3",
            "afpfs",
            "webdav",
            "davfs",
            "fuse.sshfs",
            "fuse.rclone",
            "9p",
        ] {
            assert!(is_network_fs(name), "{name}");
        }
        for name in [
            "apfs", "hfs", "ext4", "exfat", "msdos", "ntfs", "fuseblk", "fuse", "tmpfs", "xfs",
            "btrfs", "overlay", "",
        ] {
            assert!(!is_network_fs(name), "{name}");
        }
    }

    #[test]
    fn mountinfo_lines_parse_with_optional_fields_and_escapes() {
        let mounts = parse_mountinfo(DESKTOP);
        assert_eq!(mounts.len(), 6);
        assert_eq!(mounts[2].mount_point, Path::new("/media/anna/MON"));
        assert_eq!(mounts[2].fs_type, "exfat");
        assert_eq!(mounts[3].mount_point, Path::new("/mnt/office share"));
        assert_eq!(mounts[3].fs_type, "cifs");
        assert_eq!(mounts[3].source, "//nas/backups");
        // Two optional fields before the separator.
        assert_eq!(mounts[5].fs_type, "fuse.sshfs");
    }

    #[test]
    fn the_longest_mount_point_prefix_wins() {
        let mounts = parse_mountinfo(DESKTOP);
        let type_of = |path: &str| mount_for(&mounts, Path::new(path)).map(|m| m.fs_type.as_str());
        assert_eq!(type_of("/media/anna/MON/rota"), Some("exfat"));
        assert_eq!(type_of("/mnt/office share/rota"), Some("cifs"));
        assert_eq!(type_of("/mnt/nfs"), Some("nfs4"));
        assert_eq!(type_of("/home/anna/remote/x"), Some("fuse.sshfs"));
        assert_eq!(type_of("/home/anna"), Some("ext4"));
        // Whole components only: /mnt/nfsother is not under /mnt/nfs.
        assert_eq!(type_of("/mnt/nfsother"), Some("ext4"));
    }

    #[test]
    fn a_mount_stacked_on_the_same_point_hides_the_one_below() {
        let text = "\
1 0 8:1 / / rw - ext4 /dev/sda1 rw
40 1 8:17 / /mnt/backup rw - ext4 /dev/sdb1 rw
41 40 0:60 / /mnt/backup rw - nfs nas:/b rw
";
        let mounts = parse_mountinfo(text);
        assert_eq!(
            mount_for(&mounts, Path::new("/mnt/backup/x")).map(|m| m.fs_type.as_str()),
            Some("nfs")
        );
    }

    #[test]
    fn escapes_cover_tab_newline_and_backslash_and_leave_others_alone() {
        assert_eq!(unescape_octal("a\\011b\\012c\\134d"), "a\tb\nc\\d");
        assert_eq!(unescape_octal("end\\04"), "end\\04");
        assert_eq!(unescape_octal("\\999"), "\\999");
    }

    #[test]
    fn malformed_lines_are_skipped() {
        let text =
            "garbage\n\n1 0 8:1 / / rw no-separator ext4\n2 0 8:1 / /ok rw - xfs /dev/x rw\n";
        let mounts = parse_mountinfo(text);
        assert_eq!(mounts.len(), 1);
        assert_eq!(mounts[0].fs_type, "xfs");
    }

    #[cfg(unix)]
    #[test]
    fn a_local_temp_folder_has_space_and_is_not_a_network_volume() {
        let dir = tempfile::tempdir().unwrap();
        let space = space(dir.path()).expect("statvfs works on a temp folder");
        assert!(space.total >= space.free);
        assert!(space.total > 0);
        assert_eq!(network_fs(dir.path()), None);
    }
}
