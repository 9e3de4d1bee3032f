//! Which file system a folder lives on, by device id (`st_dev`): two folders
//! with the same id are on the same mounted file system. rota uses it to
//! tell a "disk" that is really a folder on the server's own drive: a
//! `mount_search` pointing into the server's drive, or the empty
//! `/Volumes/MON` folder macOS can leave on the startup drive after a disk
//! was unplugged without Eject (the real disk then mounts as `/Volumes/MON 1`).
//!
//! A device id says "same file system", not "same physical drive": two APFS
//! volumes of one container, or two partitions of one disk, have different
//! ids (docs/macos.md says what to check by hand). Only reads metadata; never
//! changes anything.

use std::path::{Path, PathBuf};

/// The device id of the file system holding `path` (symlinks followed: a
/// mount point's id is its mounted file system's). `None` when it cannot be
/// read, or on a system without device ids.
pub fn device_of(path: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|metadata| metadata.dev())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The folders among `folders` (each with its device id) that share the
/// source folder's file system. Unknown ids never match: rota does not
/// guess.
pub fn on_source_drive(source: Option<u64>, folders: &[(PathBuf, Option<u64>)]) -> Vec<PathBuf> {
    let Some(source) = source else {
        return Vec::new();
    };
    folders
        .iter()
        .filter(|(_, device)| *device == Some(source))
        .map(|(path, _)| path.clone())
        .collect()
}

/// [`on_source_drive`] for real folders: each is asked its device id.
pub fn folders_on_source_drive(source: &Path, folders: &[PathBuf]) -> Vec<PathBuf> {
    let facts: Vec<(PathBuf, Option<u64>)> = folders
        .iter()
        .map(|folder| (folder.clone(), device_of(folder)))
        .collect();
    on_source_drive(device_of(source), &facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_folders_with_the_source_device_id_are_on_its_drive() {
        // Recorded from a Mac: the startup drive's Data volume is 16777232;
        // a USB disk mounted at /Volumes/MON 1 is 16777240.
        let folders = [
            (PathBuf::from("/Volumes/MON"), Some(16_777_232)),
            (PathBuf::from("/Volumes/MON 1"), Some(16_777_240)),
            (PathBuf::from("/Volumes/Gone"), None),
        ];
        assert_eq!(
            on_source_drive(Some(16_777_232), &folders),
            [PathBuf::from("/Volumes/MON")]
        );
        // The source cannot be read: nothing is said about any folder.
        assert!(on_source_drive(None, &folders).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn folders_beside_the_source_are_on_its_drive_and_proc_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source");
        let disk = dir.path().join("disks/MON");
        std::fs::create_dir_all(&source).unwrap();
        std::fs::create_dir_all(&disk).unwrap();
        let missing = dir.path().join("disks/absent");
        let mut folders = vec![disk.clone(), missing];
        // /proc is its own file system wherever it exists (Linux).
        let proc = PathBuf::from("/proc");
        if proc.is_dir() {
            folders.push(proc);
        }
        assert_eq!(folders_on_source_drive(&source, &folders), [disk]);
    }
}
