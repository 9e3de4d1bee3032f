//! Taking an entry away once the executor has decided it may: removing a file
//! or a whole bundle (links inside removed as links, never followed), and
//! overwriting a copy's contents before removal (`destruction: destroy`).
//!
//! These primitives are only ever called on a path the caller has already
//! renamed to one of rota's temporary names (so the backup's name is gone in
//! one atomic step) or on a temporary copy rota wrote itself.

use std::fs::Permissions;
use std::io;
use std::path::Path;

use super::filesystem::Fs;
use crate::content_hash::BUFFER_SIZE;

/// Removes a file, a link, or a folder and everything in it. Read-only
/// folders inside are made writable first (as their owner may).
pub fn remove_tree(fs: &Fs, path: &Path) -> io::Result<()> {
    let metadata = std::fs::symlink_metadata(path)?;
    if !metadata.is_dir() {
        return fs.remove_file(path);
    }
    if metadata.permissions().readonly() {
        fs.set_permissions(path, writable(metadata.permissions()))?;
    }
    for entry in std::fs::read_dir(path)? {
        remove_tree(fs, &entry?.path())?;
    }
    fs.remove_dir(path)
}

/// Overwrites every regular file under `path` (or `path` itself) with zeros,
/// flushing each to the disk. Links are left as they are, never followed.
pub fn overwrite_tree(fs: &Fs, path: &Path) -> io::Result<()> {
    let metadata = std::fs::symlink_metadata(path)?;
    if metadata.is_file() {
        return overwrite_file(fs, path, metadata.len(), metadata.permissions());
    }
    if !metadata.is_dir() {
        return Ok(());
    }
    if metadata.permissions().readonly() {
        fs.set_permissions(path, writable(metadata.permissions()))?;
    }
    for entry in std::fs::read_dir(path)? {
        overwrite_tree(fs, &entry?.path())?;
    }
    Ok(())
}

fn overwrite_file(fs: &Fs, path: &Path, len: u64, permissions: Permissions) -> io::Result<()> {
    if permissions.readonly() {
        fs.set_permissions(path, writable(permissions))?;
    }
    let mut file = fs.open_for_overwrite(path)?;
    let zeros = vec![0u8; BUFFER_SIZE];
    let mut offset = 0u64;
    while offset < len {
        let chunk = (len - offset).min(BUFFER_SIZE as u64) as usize;
        fs.write(&mut file, path, offset, &zeros[..chunk])?;
        offset += chunk as u64;
    }
    fs.sync_file(&file, path)
}

/// The same permissions with the owner allowed to write.
#[cfg(unix)]
fn writable(permissions: Permissions) -> Permissions {
    use std::os::unix::fs::PermissionsExt;
    Permissions::from_mode(permissions.mode() | 0o200)
}

#[cfg(not(unix))]
fn writable(mut permissions: Permissions) -> Permissions {
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    permissions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_with_read_only_parts_is_removed_whole() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("b");
        std::fs::create_dir_all(bundle.join("inner")).unwrap();
        std::fs::write(bundle.join("inner/data"), b"x").unwrap();
        let mut readonly = std::fs::metadata(bundle.join("inner"))
            .unwrap()
            .permissions();
        readonly.set_readonly(true);
        std::fs::set_permissions(bundle.join("inner"), readonly).unwrap();
        remove_tree(&Fs::default(), &bundle).unwrap();
        assert!(!bundle.exists());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_removed_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, b"keep me").unwrap();
        let bundle = dir.path().join("b");
        std::fs::create_dir(&bundle).unwrap();
        std::os::unix::fs::symlink(&outside, bundle.join("link")).unwrap();
        overwrite_tree(&Fs::default(), &bundle).unwrap();
        remove_tree(&Fs::default(), &bundle).unwrap();
        assert_eq!(std::fs::read(&outside).unwrap(), b"keep me");
    }

    #[test]
    fn overwriting_zeroes_every_byte_and_keeps_the_length() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        let bytes: Vec<u8> = (0..BUFFER_SIZE + 10).map(|i| (i % 200 + 1) as u8).collect();
        std::fs::write(&file, &bytes).unwrap();
        let mut readonly = std::fs::metadata(&file).unwrap().permissions();
        readonly.set_readonly(true);
        std::fs::set_permissions(&file, readonly).unwrap();
        overwrite_tree(&Fs::default(), &file).unwrap();
        let after = std::fs::read(&file).unwrap();
        assert_eq!(after.len(), bytes.len());
        assert!(after.iter().all(|b| *b == 0));
    }
}
