//! Restoring one copy into the folder the person chose: read it once, hashing
//! what is read, into a temporary name in that folder (`.rota-partial-…`),
//! compare the hash with the one recorded when the backup was copied, read
//! what was written back from the drive, flush, and only then rename it to the
//! backup's name. A copy whose hash differs is removed again under its
//! temporary name and never carries the backup's name.
//!
//! Plain copies go through the executor's own copy ([`crate::execute::copy`]:
//! permissions and modification times kept, a bundle's folders, files and
//! links recreated, the source checked unchanged while read). Encrypted
//! copies are decrypted by [`crate::offsite::decrypt`], which writes a
//! temporary name and renames it the same way.
//!
//! Nothing that already exists is ever replaced: the name is checked before
//! the copy starts and again just before the rename. This module writes only
//! inside the destination folder, only its own temporary name and the
//! backup's name, and never touches the copy it reads.

use std::io;
use std::path::{Path, PathBuf};

use super::source::CopySource;
use crate::execute::copy::{self, CopyFailure, Progress};
use crate::execute::filesystem::Fs;
use crate::inventory::{EntryKind, layout};
use crate::offsite::decrypt::{self, DecryptError};
use crate::offsite::identity::Identities;

/// A backup restored under its own name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub path: PathBuf,
    pub kind: EntryKind,
    /// Bytes restored (a bundle: its files' bytes).
    pub bytes: u64,
    /// The restored backup's content hash.
    pub hash: String,
    /// Whether `hash` was found equal to a recorded one.
    pub checked: bool,
}

/// Why a copy was not restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The copy reads, but is not the backup that was recorded.
    Mismatch { expected: String, found: String },
    /// The copy could not be read whole (unreadable, cut short, altered).
    Damaged { detail: String },
    /// An encrypted copy, and no key (`--identity`) was given.
    NeedsKey,
    /// The key given does not open this copy.
    WrongKey { detail: String },
    /// Something already has the backup's name in the destination folder.
    Exists { path: PathBuf },
    /// The destination folder cannot take the restore: no other copy would
    /// fare better.
    Destination { detail: String },
}

impl Failure {
    /// Whether another copy of the backup may still be restored.
    pub fn try_another(&self) -> bool {
        !matches!(self, Failure::Exists { .. } | Failure::Destination { .. })
    }

    /// Whether the copy itself is bad (not the key, not the destination).
    pub fn is_damage(&self) -> bool {
        matches!(self, Failure::Mismatch { .. } | Failure::Damaged { .. })
    }

    /// What went wrong, in words.
    pub fn words(&self) -> String {
        match self {
            Failure::Mismatch { expected, found } => format!(
                "its checksum {} differs from the recorded {}: the copy is damaged",
                short(found),
                short(expected)
            ),
            Failure::Damaged { detail } => detail.clone(),
            Failure::NeedsKey => {
                String::from("it is encrypted, and no key was given (--identity KEYFILE)")
            }
            Failure::WrongKey { detail } => detail.clone(),
            Failure::Exists { path } => format!(
                "{} already exists; rota never overwrites anything when restoring",
                path.display()
            ),
            Failure::Destination { detail } => detail.clone(),
        }
    }
}

/// The first 16 digits of a hash, enough to tell two apart in a message.
pub fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}

/// Where `name` is restored inside `dir`, refused if something is there.
pub fn target(dir: &Path, name: &str) -> Result<PathBuf, Failure> {
    let path = dir.join(name);
    match std::fs::symlink_metadata(&path) {
        Ok(_) => Err(Failure::Exists { path }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(path),
        Err(error) => Err(Failure::Destination {
            detail: format!("cannot look at {}: {error}", path.display()),
        }),
    }
}

/// Restores `source` into `dir` under its backup name.
pub fn restore_copy(
    source: &CopySource,
    dir: &Path,
    identities: Option<&Identities>,
    progress: &mut dyn Progress,
) -> Result<Restored, Failure> {
    let out = target(dir, &source.name)?;
    if source.is_encrypted() {
        let identities = identities.ok_or(Failure::NeedsKey)?;
        return restore_encrypted(source, &out, identities);
    }
    restore_plain(source, dir, &out, progress)
}

fn restore_plain(
    source: &CopySource,
    dir: &Path,
    out: &Path,
    progress: &mut dyn Progress,
) -> Result<Restored, Failure> {
    let fs = Fs::real();
    let run = format!("restore{}", std::process::id());
    let temp = dir.join(layout::partial_name(&run, &source.name));
    let mut attempt = || -> Result<copy::Written, Failure> {
        let written = copy::write_hashed(&fs, &source.path, source.kind, &temp, progress)
            .map_err(|failure| copy_failure(failure, &temp))?;
        if let Some(expected) = &source.expected
            && expected.record.hash != written.hash
        {
            return Err(Failure::Mismatch {
                expected: expected.record.hash.clone(),
                found: written.hash,
            });
        }
        copy::verify(&fs, &temp, &written, progress)
            .map_err(|failure| copy_failure(failure, &temp))?;
        // Checked again: the copy may have taken an hour.
        target(dir, &source.name)?;
        fs.rename(&temp, out)
            .map_err(|error| Failure::Destination {
                detail: format!(
                    "cannot rename the restored copy to {}: {error}",
                    out.display()
                ),
            })?;
        // The new name must survive a power cut like the data did.
        let _ = fs.sync_dir(dir);
        Ok(written)
    };
    let written = attempt().inspect_err(|_| remove_temporary(&temp, source.kind))?;
    Ok(Restored {
        path: out.to_path_buf(),
        kind: source.kind,
        bytes: written.bytes,
        hash: written.hash,
        checked: source.expected.is_some(),
    })
}

/// What an executor copy failure means for a restore.
fn copy_failure(failure: CopyFailure, temp: &Path) -> Failure {
    match failure {
        CopyFailure::Source { path, error } => Failure::Damaged {
            detail: format!("cannot read {}: {error}", path.display()),
        },
        CopyFailure::SourceChanged { path, what } => Failure::Damaged {
            detail: format!("{} changed while it was read: {what}", path.display()),
        },
        CopyFailure::Target { path, error } => Failure::Destination {
            detail: format!("cannot write {}: {error}", path.display()),
        },
        CopyFailure::Mismatch { .. } => Failure::Destination {
            detail: format!(
                "what was written to {} reads back differently: the drive restored to may be failing",
                temp.display()
            ),
        },
    }
}

fn restore_encrypted(
    source: &CopySource,
    out: &Path,
    identities: &Identities,
) -> Result<Restored, Failure> {
    let expected = source.expected.as_ref().map(|e| &e.record);
    match decrypt::restore(&source.path, identities, out, source.kind, expected) {
        Ok(restored) => Ok(Restored {
            path: restored.path,
            kind: restored.kind,
            bytes: restored.size,
            hash: restored.content_hash,
            checked: restored.checked_against_manifest,
        }),
        Err(DecryptError::HashMismatch {
            expected, found, ..
        }) => Err(Failure::Mismatch { expected, found }),
        Err(DecryptError::OutputExists { path }) => Err(Failure::Exists { path }),
        Err(error @ DecryptError::Write { .. }) => Err(Failure::Destination {
            detail: error.to_string(),
        }),
        Err(error @ DecryptError::WrongKey { .. }) => Err(Failure::WrongKey {
            detail: format!("{error} ({})", error.help()),
        }),
        Err(error) => Err(Failure::Damaged {
            detail: error.to_string(),
        }),
    }
}

/// Removes what a failed restore left under its temporary name (rota's own
/// name in the destination folder, nothing else).
fn remove_temporary(temp: &Path, kind: EntryKind) {
    let _ = match kind {
        EntryKind::File => std::fs::remove_file(temp),
        EntryKind::Bundle => std::fs::remove_dir_all(temp),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content_hash::hash_path;
    use crate::execute::Silent;
    use crate::inventory::CopyRecord;
    use crate::inventory::offsite_names::Stored;
    use crate::recovery::source::{Expected, Origin};
    use chrono::DateTime;

    fn source(path: &Path, kind: EntryKind, hash: String) -> CopySource {
        CopySource {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            kind,
            origin: Origin::Disk {
                label: "MON".into(),
                id: "0".repeat(32),
            },
            path: path.to_path_buf(),
            stored: Stored::Plain(kind),
            expected: Some(Expected {
                record: CopyRecord {
                    name: String::from("b"),
                    size: 0,
                    kind,
                    hash,
                    copied_at: DateTime::UNIX_EPOCH,
                    verified_at: Some(DateTime::UNIX_EPOCH),
                    ciphertext_hash: None,
                    fingerprint: None,
                },
                recorded_by: String::from("disk MON's manifest"),
            }),
        }
    }

    #[test]
    fn a_bundle_restores_whole_with_its_link_and_nothing_else_is_left() {
        let disk = tempfile::tempdir().unwrap();
        let bundle = disk.path().join("B.bundle");
        std::fs::create_dir_all(bundle.join("Contents/Data")).unwrap();
        std::fs::write(bundle.join("Contents/Data/db"), b"patients").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("Data/db", bundle.join("Contents/current")).unwrap();
        let copy = source(&bundle, EntryKind::Bundle, hash_path(&bundle).unwrap());
        let to = tempfile::tempdir().unwrap();
        let restored = restore_copy(&copy, to.path(), None, &mut Silent).unwrap();
        assert!(restored.checked);
        assert_eq!(
            hash_path(&to.path().join("B.bundle")).unwrap(),
            restored.hash
        );
        assert_eq!(
            crate::inventory::atomic::tests::names_in(to.path()),
            ["B.bundle"]
        );
    }

    #[test]
    fn a_copy_with_another_hash_leaves_nothing_behind_and_another_may_be_tried() {
        let disk = tempfile::tempdir().unwrap();
        let file = disk.path().join("B.bak");
        std::fs::write(&file, b"original").unwrap();
        let copy = source(&file, EntryKind::File, hash_path(&file).unwrap());
        std::fs::write(&file, b"origiNal").unwrap();
        let to = tempfile::tempdir().unwrap();
        let failure = restore_copy(&copy, to.path(), None, &mut Silent).unwrap_err();
        assert!(matches!(failure, Failure::Mismatch { .. }), "{failure:?}");
        assert!(failure.try_another() && failure.is_damage());
        assert_eq!(std::fs::read_dir(to.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_existing_name_is_never_replaced_and_an_encrypted_copy_needs_a_key() {
        let disk = tempfile::tempdir().unwrap();
        let file = disk.path().join("B.bak");
        std::fs::write(&file, b"original").unwrap();
        let mut copy = source(&file, EntryKind::File, hash_path(&file).unwrap());
        let to = tempfile::tempdir().unwrap();
        std::fs::write(to.path().join("B.bak"), b"mine").unwrap();
        let failure = restore_copy(&copy, to.path(), None, &mut Silent).unwrap_err();
        assert!(matches!(failure, Failure::Exists { .. }) && !failure.try_another());
        assert_eq!(std::fs::read(to.path().join("B.bak")).unwrap(), b"mine");
        std::fs::remove_file(to.path().join("B.bak")).unwrap();
        copy.stored = Stored::EncryptedFile;
        assert_eq!(
            restore_copy(&copy, to.path(), None, &mut Silent).unwrap_err(),
            Failure::NeedsKey
        );
    }
}
