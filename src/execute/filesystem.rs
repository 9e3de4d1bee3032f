//! The fault seam: every change the executor makes to a file system goes
//! through [`Fs`], which announces it as an [`Effect`] to an optional
//! [`Faults`] hook first. Production runs have no hook (or the test-only
//! kill hook below); tests inject a disk that fills up, a disk pulled out
//! mid-copy, a permission refused, or a source that changes under rota, and
//! these are real even when the tests run as root.
//!
//! Reads of backups go through here too (as [`Effect::Read`]), so a test can
//! make a source vanish half-way through a copy.
//!
//! `ROTA_TEST_KILL_AT=N` (test-only) makes the process kill itself with
//! SIGKILL just before its N-th effect: the crash-safety tests use it to stop
//! a real `rota apply` at every step and check that a rerun converges.
//!
//! This module decides nothing: it performs what it is asked, no more.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use crate::inventory::fsinfo::{self, DiskFormat};

/// A change (or a read of a backup) the executor is about to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect<'a> {
    CreateFile(&'a Path),
    CreateDir(&'a Path),
    Symlink(&'a Path),
    /// `len` bytes written at `offset` of the file at `path`.
    Write {
        path: &'a Path,
        offset: u64,
        len: usize,
    },
    /// A chunk of a backup (or of a copy being verified) about to be read.
    Read {
        path: &'a Path,
        offset: u64,
    },
    SyncFile(&'a Path),
    SyncDir(&'a Path),
    /// A whole copy (a bundle) at this path flushed at once.
    SyncTree(&'a Path),
    /// A copy, flushed, about to be read back from the disk.
    ReadBack(&'a Path),
    SetPermissions(&'a Path),
    SetModified(&'a Path),
    Rename {
        from: &'a Path,
        to: &'a Path,
    },
    RemoveFile(&'a Path),
    RemoveDir(&'a Path),
    /// A step of rota's own bookkeeping: journal, manifest, catalog, audit log.
    Record(&'static str),
}

impl Effect<'_> {
    /// The path the effect changes (the destination of a rename).
    pub fn path(&self) -> Option<&Path> {
        match *self {
            Effect::CreateFile(p)
            | Effect::CreateDir(p)
            | Effect::Symlink(p)
            | Effect::SyncFile(p)
            | Effect::SyncDir(p)
            | Effect::SyncTree(p)
            | Effect::ReadBack(p)
            | Effect::SetPermissions(p)
            | Effect::SetModified(p)
            | Effect::RemoveFile(p)
            | Effect::RemoveDir(p) => Some(p),
            Effect::Write { path, .. } | Effect::Read { path, .. } => Some(path),
            Effect::Rename { to, .. } => Some(to),
            Effect::Record(_) => None,
        }
    }
}

/// A hook that sees every effect before it happens and may make it fail,
/// and may stand in for what the OS says about a disk.
pub trait Faults: Send + Sync {
    fn before(&self, effect: &Effect<'_>) -> io::Result<()>;

    /// The format of the disk holding `path`, when the hook says otherwise
    /// than the OS (a test's FAT32 disk).
    fn disk_format(&self, _path: &Path) -> Option<DiskFormat> {
        None
    }
}

/// The executor's only way to change the file system.
#[derive(Default)]
pub struct Fs {
    faults: Option<Box<dyn Faults>>,
}

impl Fs {
    /// The real file system, with the test-only kill hook when
    /// `ROTA_TEST_KILL_AT` is set.
    pub fn real() -> Fs {
        let kill_at = std::env::var("ROTA_TEST_KILL_AT")
            .ok()
            .and_then(|text| text.parse::<u64>().ok());
        match kill_at {
            Some(n) => Fs::with_faults(KillAt::new(n)),
            None => Fs::default(),
        }
    }

    pub fn with_faults(faults: impl Faults + 'static) -> Fs {
        Fs {
            faults: Some(Box::new(faults)),
        }
    }

    /// Announces an effect; the hook may refuse it.
    pub fn announce(&self, effect: Effect<'_>) -> io::Result<()> {
        match &self.faults {
            Some(faults) => faults.before(&effect),
            None => Ok(()),
        }
    }

    pub fn create_new(&self, path: &Path) -> io::Result<File> {
        self.announce(Effect::CreateFile(path))?;
        OpenOptions::new().write(true).create_new(true).open(path)
    }

    /// Opens an existing file for overwriting in place (destroy).
    pub fn open_for_overwrite(&self, path: &Path) -> io::Result<File> {
        self.announce(Effect::Write {
            path,
            offset: 0,
            len: 0,
        })?;
        OpenOptions::new().write(true).open(path)
    }

    pub fn create_dir(&self, path: &Path) -> io::Result<()> {
        self.announce(Effect::CreateDir(path))?;
        std::fs::create_dir(path)
    }

    /// Recreates a symbolic link exactly as it was (its target is never read).
    pub fn symlink(&self, target: &Path, link: &Path) -> io::Result<()> {
        self.announce(Effect::Symlink(link))?;
        make_symlink(target, link)
    }

    pub fn write(&self, file: &mut File, path: &Path, offset: u64, bytes: &[u8]) -> io::Result<()> {
        self.announce(Effect::Write {
            path,
            offset,
            len: bytes.len(),
        })?;
        file.write_all(bytes)
    }

    /// Reads the next chunk of a backup; 0 at the end.
    pub fn read(
        &self,
        file: &mut File,
        path: &Path,
        offset: u64,
        buffer: &mut [u8],
    ) -> io::Result<usize> {
        self.announce(Effect::Read { path, offset })?;
        loop {
            match file.read(buffer) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    pub fn sync_file(&self, file: &File, path: &Path) -> io::Result<()> {
        self.announce(Effect::SyncFile(path))?;
        crate::flush::file(file)
    }

    pub fn sync_dir(&self, path: &Path) -> io::Result<()> {
        self.announce(Effect::SyncDir(path))?;
        crate::flush::folder(path)
    }

    /// Writes a file through to the drive, its cache left for one later
    /// flush of the whole copy (Apple platforms; see `copy_flush`).
    #[cfg(target_vendor = "apple")]
    pub fn sync_to_drive(&self, file: &File, path: &Path) -> io::Result<()> {
        self.announce(Effect::SyncFile(path))?;
        crate::flush::to_drive(file)
    }

    /// [`Fs::sync_to_drive`] for a folder's entries.
    #[cfg(target_vendor = "apple")]
    pub fn sync_folder_to_drive(&self, path: &Path) -> io::Result<()> {
        self.announce(Effect::SyncDir(path))?;
        crate::flush::folder_to_drive(path)
    }

    /// Flushes everything written under `root` at once: Linux `syncfs` of
    /// its file system through `handle` (opened before the writes); Apple
    /// platforms one full flush of the drive through `handle`.
    pub fn sync_tree(&self, handle: &File, root: &Path) -> io::Result<()> {
        self.announce(Effect::SyncTree(root))?;
        match crate::flush::file_system(handle) {
            Err(error) if error.kind() == io::ErrorKind::Unsupported => {
                crate::flush::tolerate_unsupported_folder_flush(crate::flush::file(handle))
            }
            other => other,
        }
    }

    pub fn set_permissions(
        &self,
        path: &Path,
        permissions: std::fs::Permissions,
    ) -> io::Result<()> {
        self.announce(Effect::SetPermissions(path))?;
        std::fs::set_permissions(path, permissions)
    }

    /// Sets the permissions of a file rota has open for writing.
    pub fn set_permissions_file(
        &self,
        file: &File,
        path: &Path,
        permissions: std::fs::Permissions,
    ) -> io::Result<()> {
        self.announce(Effect::SetPermissions(path))?;
        file.set_permissions(permissions)
    }

    /// Sets the modification time of a file rota has open for writing.
    pub fn set_modified_file(
        &self,
        file: &File,
        path: &Path,
        modified: SystemTime,
    ) -> io::Result<()> {
        self.announce(Effect::SetModified(path))?;
        file.set_modified(modified)
    }

    /// Sets a file's or folder's modification time (never through a link).
    pub fn set_modified(&self, path: &Path, modified: SystemTime) -> io::Result<()> {
        self.announce(Effect::SetModified(path))?;
        let file = File::open(path)?;
        file.set_modified(modified)
    }

    pub fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.announce(Effect::Rename { from, to })?;
        std::fs::rename(from, to)
    }

    pub fn remove_file(&self, path: &Path) -> io::Result<()> {
        self.announce(Effect::RemoveFile(path))?;
        std::fs::remove_file(path)
    }

    /// Removes an empty folder.
    pub fn remove_dir(&self, path: &Path) -> io::Result<()> {
        self.announce(Effect::RemoveDir(path))?;
        std::fs::remove_dir(path)
    }

    pub fn record(&self, what: &'static str) -> io::Result<()> {
        self.announce(Effect::Record(what))
    }

    /// The format of the disk holding `path` (a test hook may say it).
    pub fn disk_format(&self, path: &Path) -> DiskFormat {
        self.faults
            .as_ref()
            .and_then(|faults| faults.disk_format(path))
            .unwrap_or_else(|| fsinfo::disk_format(path))
    }
}

#[cfg(unix)]
fn make_symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn make_symlink(_target: &Path, _link: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "symbolic links inside a bundle cannot be recreated on this system",
    ))
}

/// Kills the process just before its N-th effect (1-based): a crash at a
/// chosen step, for the crash-safety tests.
struct KillAt {
    target: u64,
    seen: AtomicU64,
}

impl KillAt {
    fn new(target: u64) -> KillAt {
        KillAt {
            target,
            seen: AtomicU64::new(0),
        }
    }
}

impl Faults for KillAt {
    fn before(&self, _effect: &Effect<'_>) -> io::Result<()> {
        if self.seen.fetch_add(1, Ordering::SeqCst) + 1 == self.target {
            kill_self();
        }
        Ok(())
    }
}

/// Dies at once, the way a power cut or `kill -9` stops a run.
fn kill_self() -> ! {
    #[cfg(unix)]
    {
        // SAFETY: kill(2) on our own pid with SIGKILL has no memory effects.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
    std::process::abort()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Records effects and refuses creates.
    struct Refuse(Mutex<Vec<String>>);

    impl Faults for Refuse {
        fn before(&self, effect: &Effect<'_>) -> io::Result<()> {
            self.0.lock().unwrap().push(format!("{effect:?}"));
            match effect {
                Effect::CreateFile(_) => Err(io::Error::from(io::ErrorKind::PermissionDenied)),
                _ => Ok(()),
            }
        }
    }

    #[test]
    fn the_hook_sees_each_effect_and_can_refuse_it() {
        let dir = tempfile::tempdir().unwrap();
        let fs = Fs::with_faults(Refuse(Mutex::new(Vec::new())));
        let error = fs.create_new(&dir.path().join("x")).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::PermissionDenied);
        assert!(
            !dir.path().join("x").exists(),
            "a refused effect does nothing"
        );
        fs.create_dir(&dir.path().join("d")).unwrap();
        assert!(dir.path().join("d").is_dir());
    }

    #[test]
    fn without_a_hook_effects_happen() {
        let dir = tempfile::tempdir().unwrap();
        let fs = Fs::default();
        let path = dir.path().join("f");
        let mut file = fs.create_new(&path).unwrap();
        fs.write(&mut file, &path, 0, b"abc").unwrap();
        fs.sync_file(&file, &path).unwrap();
        fs.rename(&path, &dir.path().join("g")).unwrap();
        assert_eq!(std::fs::read(dir.path().join("g")).unwrap(), b"abc");
        assert_eq!(
            Effect::Rename {
                from: &path,
                to: Path::new("/to")
            }
            .path(),
            Some(Path::new("/to"))
        );
    }
}
