//! One reader and writer for rota's versioned JSON state files: a disk's
//! label, a disk's manifest and the server's catalog. They share one set of
//! rules, so none is laxer than another:
//!
//! - the file must be a regular file: a symlink is refused, never followed
//!   (a planted link must not make rota read or trust another file);
//! - it has a size cap (a label is tiny; a manifest or catalog of 100k
//!   backups is a few tens of megabytes), so a huge file is damage, not
//!   something to read into memory;
//! - it carries its format number under its own key: a file written by a
//!   newer rota is told apart from a damaged one, and never read as damage;
//! - it is written atomically (a temporary file, flushed, renamed).
//!
//! The file names themselves live in [`super::layout`]; what a file holds and
//! what else makes it damaged (a record naming an impossible file) stays
//! with its own module.

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::atomic::write_atomically;

/// One kind of state file and its rules.
#[derive(Debug, Clone, Copy)]
pub struct StateFile {
    /// How messages name it: "the label file", "the manifest".
    pub what: &'static str,
    /// The key holding its format number (`rota_disk`).
    pub format_key: &'static str,
    /// The newest format this rota writes and reads.
    pub format: u32,
    /// Bigger than this is not a file rota wrote.
    pub max_bytes: u64,
}

/// Why a state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    #[error("cannot read {what} {}: {source}", path.display())]
    Unreadable {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("{what} {} is damaged: {reason}", path.display())]
    Corrupt {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("{what} {} was written by a newer rota (format {version})", path.display())]
    NewerFormat {
        what: &'static str,
        path: PathBuf,
        version: u64,
    },
    #[error("cannot write {what} {}: {source}", path.display())]
    Write {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

impl StateFileError {
    /// Which kind of file it is about ("the catalog").
    pub fn what(&self) -> &'static str {
        match self {
            StateFileError::Unreadable { what, .. }
            | StateFileError::Corrupt { what, .. }
            | StateFileError::NewerFormat { what, .. }
            | StateFileError::Write { what, .. } => what,
        }
    }
}

impl StateFile {
    /// The file at `path`, `None` when there is none. `format_of` reads the
    /// format number from what was parsed.
    pub fn read<T: DeserializeOwned>(
        &self,
        path: &Path,
        format_of: impl Fn(&T) -> u32,
    ) -> Result<Option<T>, StateFileError> {
        let metadata = match std::fs::symlink_metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(self.unreadable(path, source)),
        };
        if !metadata.is_file() {
            return Err(self.corrupt(path, NOT_A_FILE));
        }
        if metadata.len() > self.max_bytes {
            return Err(self.corrupt(path, format!("it is {} bytes long", metadata.len())));
        }
        let bytes = std::fs::read(path).map_err(|source| self.unreadable(path, source))?;
        let value: T = match serde_json::from_slice(&bytes) {
            Ok(value) => value,
            Err(error) => {
                return Err(match format_version(&bytes, self.format_key) {
                    Some(version) if version > u64::from(self.format) => self.newer(path, version),
                    _ => self.corrupt(path, error.to_string()),
                });
            }
        };
        let version = format_of(&value);
        if version > self.format {
            return Err(self.newer(path, u64::from(version)));
        }
        Ok(Some(value))
    }

    /// Writes `value` at `path` atomically, as pretty JSON ending in a newline.
    pub fn write<T: Serialize>(&self, path: &Path, value: &T) -> Result<(), StateFileError> {
        let mut bytes = serde_json::to_vec_pretty(value).expect("a state file serializes");
        bytes.push(b'\n');
        write_atomically(path, &bytes).map_err(|source| self.write_error(path, source))
    }

    /// The file is damaged, for `reason` (the caller's own checks say so too).
    pub fn corrupt(&self, path: &Path, reason: impl Into<String>) -> StateFileError {
        StateFileError::Corrupt {
            what: self.what,
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    /// The file could not be written.
    pub fn write_error(&self, path: &Path, source: io::Error) -> StateFileError {
        StateFileError::Write {
            what: self.what,
            path: path.to_path_buf(),
            source,
        }
    }

    fn unreadable(&self, path: &Path, source: io::Error) -> StateFileError {
        StateFileError::Unreadable {
            what: self.what,
            path: path.to_path_buf(),
            source,
        }
    }

    fn newer(&self, path: &Path, version: u64) -> StateFileError {
        StateFileError::NewerFormat {
            what: self.what,
            path: path.to_path_buf(),
            version,
        }
    }
}

const NOT_A_FILE: &str = "it is not a regular file";

/// Refuses a path that exists but is not a regular file (a symlink, a
/// folder): rota's append-only logs follow the state files' rule. A missing
/// path is fine (the log is created).
pub fn refuse_non_file(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if !metadata.is_file() => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {NOT_A_FILE}", path.display()),
        )),
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// The format number at `key` of a file that did not parse as this rota
/// expects (a newer format may have changed anything else).
fn format_version(bytes: &[u8], key: &str) -> Option<u64> {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()?
        .get(key)?
        .as_u64()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    const NOTE: StateFile = StateFile {
        what: "the note",
        format_key: "rota_note",
        format: 1,
        max_bytes: 64,
    };

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Note {
        rota_note: u32,
        text: String,
    }

    fn read(path: &Path) -> Result<Option<Note>, StateFileError> {
        NOTE.read(path, |note: &Note| note.rota_note)
    }

    #[test]
    fn a_written_file_reads_back_and_a_missing_one_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("note.json");
        assert!(read(&path).unwrap().is_none());
        let note = Note {
            rota_note: 1,
            text: "hi".into(),
        };
        NOTE.write(&path, &note).unwrap();
        assert_eq!(read(&path).unwrap(), Some(note));
    }

    #[test]
    fn a_newer_format_is_not_damage_even_when_its_fields_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("note.json");
        std::fs::write(&path, r#"{"rota_note": 2, "text": "hi"}"#).unwrap();
        assert!(matches!(
            read(&path),
            Err(StateFileError::NewerFormat { version: 2, .. })
        ));
        std::fs::write(&path, r#"{"rota_note": 3, "words": ["hi"]}"#).unwrap();
        let error = read(&path).unwrap_err();
        assert!(matches!(
            error,
            StateFileError::NewerFormat { version: 3, .. }
        ));
        assert!(error.to_string().starts_with("the note "), "{error}");
        std::fs::write(&path, r#"{"rota_note": 1, "words": ["hi"]}"#).unwrap();
        assert!(matches!(read(&path), Err(StateFileError::Corrupt { .. })));
    }

    #[test]
    fn an_oversized_file_is_damaged_and_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("note.json");
        let text = format!(r#"{{"rota_note": 1, "text": "{}"}}"#, "x".repeat(100));
        std::fs::write(&path, text).unwrap();
        let error = read(&path).unwrap_err();
        assert!(error.to_string().contains("bytes long"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_refused_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, r#"{"rota_note": 1, "text": "hi"}"#).unwrap();
        let link = dir.path().join("note.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let error = read(&link).unwrap_err();
        assert!(error.to_string().contains("not a regular file"), "{error}");
    }
}
