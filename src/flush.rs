//! Making written data durable: the one place rota asks the operating system
//! to put a file, a folder or a whole file system on the disk. Every flush in
//! rota goes through here.
//!
//! - [`file`]: a file's data and metadata on stable storage. On Apple
//!   platforms that is `F_FULLFSYNC` (a plain `fsync` there stops at the
//!   drive's volatile cache), and on volumes that do not support it (SMB,
//!   read-write NTFS drivers, macFUSE answer `ENOTSUP`, `EINVAL` or
//!   `ENOTTY`) it falls back to `fsync`, the best those volumes offer,
//!   instead of failing every copy. Elsewhere `fsync`.
//! - [`data`]: an appended log line on the disk (`fdatasync` where it means
//!   that; `F_FULLFSYNC` on Apple platforms, with the same fallback).
//! - [`folder`]: a folder's entries (a rename, a new file) on the disk. File
//!   systems that cannot flush a folder say so with `ENOTSUP` (or `EINVAL`):
//!   that is no failure, their entries are written by the file flushes.
//! - [`file_system`]: everything written to a file system (Linux `syncfs`):
//!   one flush for a bundle of thousands of files instead of one each.
//!
//! The decisions (which error falls back, which is tolerated) are plain
//! functions of the error, tested on every platform with injected errnos.
//! This module writes nothing itself.

use std::fs::File;
use std::io;
use std::path::Path;

/// Flushes a file's data and metadata to stable storage.
pub fn file(file: &File) -> io::Result<()> {
    full_or_fallback(|| full_sync(file), || file.sync_all())
}

/// Flushes a file's data (and the metadata needed to read it back).
pub fn data(file: &File) -> io::Result<()> {
    full_or_fallback(|| full_sync(file), || file.sync_data())
}

/// Flushes a folder's entries; a file system that cannot is not an error.
pub fn folder(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let handle = File::open(path)?;
        tolerate_unsupported_folder_flush(file(&handle))
    }
    #[cfg(not(unix))]
    {
        // Folders cannot be opened for flushing here; renames are durable
        // once the files' own flushes return.
        let _ = path;
        Ok(())
    }
}

/// Flushes everything written to the file system holding `file` (its data
/// and metadata): Linux `syncfs`. `Unsupported` elsewhere, where the caller
/// flushes each file.
pub fn file_system(file: &File) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a valid descriptor; syncfs only writes back cached data.
        match unsafe { libc::syncfs(file.as_raw_fd()) } {
            0 => Ok(()),
            _ => Err(io::Error::last_os_error()),
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = file;
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

/// Writes a file's data through to the drive without emptying the drive's
/// cache: on Apple platforms a plain `fsync`, to be followed by one
/// [`file`] (`F_FULLFSYNC`) for a whole bundle; elsewhere the same as
/// [`file`].
pub fn to_drive(file: &File) -> io::Result<()> {
    #[cfg(target_vendor = "apple")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a valid descriptor.
        match unsafe { libc::fsync(file.as_raw_fd()) } {
            0 => Ok(()),
            _ => Err(io::Error::last_os_error()),
        }
    }
    #[cfg(not(target_vendor = "apple"))]
    self::file(file)
}

/// [`to_drive`] for a folder's entries, tolerating file systems that
/// cannot flush a folder.
pub fn folder_to_drive(path: &Path) -> io::Result<()> {
    let handle = File::open(path)?;
    tolerate_unsupported_folder_flush(to_drive(&handle))
}

/// Tries the full flush; on a volume that does not support it, the fallback.
pub fn full_or_fallback(
    full: impl FnOnce() -> io::Result<()>,
    fallback: impl FnOnce() -> io::Result<()>,
) -> io::Result<()> {
    match full() {
        Err(error) if full_flush_unsupported(&error) => fallback(),
        other => other,
    }
}

/// Whether a failed full flush means "this volume cannot do that" rather
/// than "the data may not be on the disk": `ENOTSUP` (and `EOPNOTSUPP`,
/// distinct on Apple platforms), `EINVAL`, `ENOTTY`.
pub fn full_flush_unsupported(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::Unsupported
        || error
            .raw_os_error()
            .is_some_and(|code| UNSUPPORTED.contains(&code) || code == EINVAL || code == ENOTTY)
}

/// A folder flush refused as unsupported (`ENOTSUP`, `EOPNOTSUPP`,
/// `EINVAL`: some network and FUSE file systems cannot flush a folder) is
/// no failure; any other error is.
pub fn tolerate_unsupported_folder_flush(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(error)
            if error.kind() == io::ErrorKind::Unsupported
                || error
                    .raw_os_error()
                    .is_some_and(|code| UNSUPPORTED.contains(&code) || code == EINVAL) =>
        {
            Ok(())
        }
        other => other,
    }
}

#[cfg(unix)]
const UNSUPPORTED: [i32; 2] = [libc::ENOTSUP, libc::EOPNOTSUPP];
#[cfg(unix)]
const EINVAL: i32 = libc::EINVAL;
#[cfg(unix)]
const ENOTTY: i32 = libc::ENOTTY;
#[cfg(not(unix))]
const UNSUPPORTED: [i32; 0] = [];
#[cfg(not(unix))]
const EINVAL: i32 = -1;
#[cfg(not(unix))]
const ENOTTY: i32 = -1;

/// The flush that reaches the platter: `F_FULLFSYNC` on Apple platforms.
#[cfg(target_vendor = "apple")]
fn full_sync(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    loop {
        // SAFETY: a valid descriptor; F_FULLFSYNC takes no argument.
        match unsafe { libc::fcntl(file.as_raw_fd(), libc::F_FULLFSYNC) } {
            -1 => {
                let error = io::Error::last_os_error();
                if error.kind() != io::ErrorKind::Interrupted {
                    return Err(error);
                }
            }
            _ => return Ok(()),
        }
    }
}

/// Elsewhere `fsync` already reaches stable storage.
#[cfg(not(target_vendor = "apple"))]
fn full_sync(file: &File) -> io::Result<()> {
    file.sync_all()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn errno(code: i32) -> io::Error {
        io::Error::from_raw_os_error(code)
    }

    /// What a full flush answering `code` comes to, and whether the
    /// fallback ran.
    fn full_flush_answering(code: i32) -> (io::Result<()>, bool) {
        let fell_back = Cell::new(false);
        let result = full_or_fallback(
            || Err(errno(code)),
            || {
                fell_back.set(true);
                Ok(())
            },
        );
        (result, fell_back.get())
    }

    #[test]
    fn a_volume_without_full_flush_falls_back_to_fsync() {
        for code in [libc::ENOTSUP, libc::EOPNOTSUPP, libc::EINVAL, libc::ENOTTY] {
            let (result, fell_back) = full_flush_answering(code);
            assert!(result.is_ok() && fell_back, "errno {code}");
        }
    }

    #[test]
    fn a_real_write_error_is_never_hidden_by_the_fallback() {
        for code in [libc::EIO, libc::ENOSPC, libc::EROFS, libc::EBADF] {
            let (result, fell_back) = full_flush_answering(code);
            assert_eq!(result.unwrap_err().raw_os_error(), Some(code));
            assert!(!fell_back, "errno {code}");
        }
    }

    #[test]
    fn the_fallbacks_own_error_is_reported() {
        let result = full_or_fallback(|| Err(errno(libc::ENOTSUP)), || Err(errno(libc::EIO)));
        assert_eq!(result.unwrap_err().raw_os_error(), Some(libc::EIO));
    }

    #[test]
    fn a_folder_flush_tolerates_unsupported_but_not_failure() {
        for code in [libc::ENOTSUP, libc::EOPNOTSUPP, libc::EINVAL] {
            assert!(tolerate_unsupported_folder_flush(Err(errno(code))).is_ok());
        }
        for code in [libc::EIO, libc::EACCES] {
            let error = tolerate_unsupported_folder_flush(Err(errno(code))).unwrap_err();
            assert_eq!(error.raw_os_error(), Some(code));
        }
        assert!(tolerate_unsupported_folder_flush(Ok(())).is_ok());
    }

    #[test]
    fn real_files_folders_and_file_systems_flush() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"data").unwrap();
        let handle = File::open(&path).unwrap();
        file(&handle).unwrap();
        data(&handle).unwrap();
        folder(dir.path()).unwrap();
        #[cfg(target_os = "linux")]
        file_system(&handle).unwrap();
        assert!(folder(&dir.path().join("absent")).is_err());
    }
}
