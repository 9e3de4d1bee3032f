//! Whether a file system has run out of inodes (file slots) while it still
//! has free bytes: a disk holding many small files (bundles of images) can,
//! and the OS then answers "no space left" as for a full disk. rota says
//! which, since the remedy differs.
//!
//! statvfs(3) where there is one (Linux, macOS); elsewhere unknown.

use std::path::Path;

/// How many more files may be created on the file system holding `path`.
#[cfg(unix)]
#[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
pub fn free_inodes(path: &Path) -> Option<u64> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c_path = CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut info: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c_path` is a valid NUL-terminated string and `info` a properly
    // sized, writable statvfs buffer.
    let status = unsafe { libc::statvfs(c_path.as_ptr(), &mut info) };
    // Some file systems (exFAT, FAT, network ones) report no inode counts.
    (status == 0 && info.f_files > 0).then_some(info.f_favail as u64)
}

#[cfg(not(unix))]
pub fn free_inodes(_path: &Path) -> Option<u64> {
    None
}

/// Whether "no space left" at `path` means no inodes are left, not bytes.
pub fn out_of_inodes(path: &Path) -> bool {
    let folder = path
        .ancestors()
        .find(|folder| folder.exists())
        .unwrap_or(path);
    free_inodes(folder) == Some(0)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_temp_folder_has_inodes_to_spare() {
        let dir = tempfile::tempdir().unwrap();
        assert!(free_inodes(dir.path()).is_none_or(|free| free > 0));
        assert!(!out_of_inodes(&dir.path().join("not/yet/there")));
    }
}
