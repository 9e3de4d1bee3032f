//! One `apply` at a time (safety invariant 6, docs/architecture.md): an operating-system
//! lock on `state_dir/lock`, taken with std's `File::try_lock`. The OS drops
//! it when the process ends however it ends, so a crashed run never blocks
//! the next one and there is no stale lock to clear by hand.
//!
//! The holder writes its pid and start time into the file so that a second
//! run can say who holds it. The file itself is never deleted.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::inventory::layout;

/// The held lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another run holds it; what it wrote about itself, if readable.
    Held {
        holder: Option<String>,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Held {
                holder: Some(holder),
            } => {
                write!(f, "another rota run holds the lock ({holder})")
            }
            LockError::Held { holder: None } => f.write_str("another rota run holds the lock"),
            LockError::Io { path, error } => {
                write!(f, "cannot lock {}: {error}", path.display())
            }
        }
    }
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(layout::LOCK_FILE)
}

impl RunLock {
    /// Takes the lock without waiting, creating `state_dir` if needed.
    /// `command` (`apply`, `verify`, ...) is noted for whoever finds it held.
    pub fn acquire(
        state_dir: &Path,
        started_at: DateTime<Utc>,
        command: &str,
    ) -> Result<RunLock, LockError> {
        let lock_path = path(state_dir);
        let io_error = |error| LockError::Io {
            path: lock_path.clone(),
            error,
        };
        std::fs::create_dir_all(state_dir).map_err(io_error)?;
        // Not truncated on open: the holder's note must survive a failed try.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut note = String::new();
                let holder = file
                    .read_to_string(&mut note)
                    .ok()
                    .map(|_| note.trim().to_string())
                    .filter(|note| !note.is_empty());
                return Err(LockError::Held { holder });
            }
            Err(TryLockError::Error(error)) => return Err(io_error(error)),
        }
        let note = format!(
            "rota {command}, started at {}, pid {}\n",
            started_at.format("%Y-%m-%d %H:%M:%S UTC"),
            std::process::id()
        );
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(note.as_bytes()))
            .map_err(io_error)?;
        Ok(RunLock { _file: file })
    }
}

/// Whether a run holds the lock on `state_dir` now, without taking it for
/// longer than a look: `Some(note)` (the holder's note, if readable) when
/// one does. The file is opened read-only and never created, so a look from
/// another account (`sudo rota schedule install`) changes nothing.
pub fn holder(state_dir: &Path) -> Option<Option<String>> {
    let mut file = File::open(path(state_dir)).ok()?;
    match file.try_lock_shared() {
        Ok(()) => None,
        Err(TryLockError::WouldBlock) => {
            let mut note = String::new();
            Some(
                file.read_to_string(&mut note)
                    .ok()
                    .map(|_| note.trim().to_string())
                    .filter(|note| !note.is_empty()),
            )
        }
        Err(TryLockError::Error(_)) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_look_at_the_lock_says_who_holds_it_and_takes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        assert_eq!(holder(&state), None, "no lock file yet");
        assert!(!state.exists(), "a look creates nothing");
        let when = Utc.with_ymd_and_hms(2026, 3, 31, 23, 30, 0).unwrap();
        let held = RunLock::acquire(&state, when, "apply").unwrap();
        let note = holder(&state).expect("held").expect("a note");
        assert!(note.starts_with("rota apply, started at"), "{note}");
        drop(held);
        assert_eq!(holder(&state), None);
        RunLock::acquire(&state, when, "apply").expect("a look left it free");
    }

    #[test]
    fn a_second_lock_is_refused_with_the_holders_note_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let when = Utc.with_ymd_and_hms(2026, 3, 31, 23, 30, 0).unwrap();
        let held = RunLock::acquire(&state, when, "apply").unwrap();
        match RunLock::acquire(&state, when, "apply") {
            Err(error @ LockError::Held { .. }) => {
                let text = error.to_string();
                assert!(
                    text.starts_with("another rota run holds the lock (rota apply, started at"),
                    "{text}"
                );
                assert!(
                    text.contains("started at 2026-03-31 23:30:00 UTC"),
                    "{text}"
                );
                assert!(
                    text.contains(&format!("pid {}", std::process::id())),
                    "{text}"
                );
            }
            other => panic!("expected a held lock, got {other:?}"),
        }
        drop(held);
        RunLock::acquire(&state, when, "apply").expect("free again once dropped");
    }
}
