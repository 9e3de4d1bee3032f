//! A folder of copies (a disk's `rota/` folder, or an off-site staging folder)
//! read against its manifest: what counts as a copy, and what does not.
//!
//! In a staging folder (and on a disk under `disks.encrypt`) a copy may be
//! stored under another name than its backup's (`NAME.age`, `NAME.tar.age`: see [`crate::inventory::offsite_names`]); the
//! manifest records it under the backup's name, and says whether it is
//! encrypted, so the name on disk must be exactly the one the record implies.
//!
//! A copy counts only when the manifest records it *and* the entry on disk is
//! there, of the same kind and size, under a name the pattern matches. Anything
//! else is a stray: reported, never trusted, never deleted by this module (it
//! only reads). A manifest that cannot be trusted makes every entry a stray.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::entries::{Listed, list_folder};
use crate::calendar::NamePattern;
use crate::inventory::layout;
use crate::inventory::offsite_names::{self, Stored};
use crate::inventory::{CopyRecord, EntryKind, Manifest, StrayFile, StrayReason};

/// What a copies folder holds, as far as rota can vouch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderCopies {
    pub copies: BTreeMap<String, CopyRecord>,
    pub strays: Vec<StrayFile>,
    /// Why nothing in the folder is trusted, if so.
    pub error: Option<String>,
    pub last_verified: Option<DateTime<Utc>>,
}

/// How copies are named in a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Naming {
    /// A disk: each copy under its backup's name.
    Disk,
    /// An off-site staging folder: encrypted copies under their stored names.
    Staging,
}

/// Reads a disk's copies folder and its manifest: a manifest naming another
/// disk than `disk_id` is not trusted. A folder that does not exist is empty.
pub fn read_copies(folder: &Path, disk_id: &str, pattern: &NamePattern) -> FolderCopies {
    read_folder(folder, Some(disk_id), pattern, Naming::Disk)
}

/// Reads an off-site staging folder and its manifest.
pub fn read_staged(folder: &Path, pattern: &NamePattern) -> FolderCopies {
    read_folder(folder, None, pattern, Naming::Staging)
}

fn read_folder(
    folder: &Path,
    disk_id: Option<&str>,
    pattern: &NamePattern,
    naming: Naming,
) -> FolderCopies {
    if let Err(reason) = check_folder(folder) {
        return FolderCopies {
            error: reason,
            ..FolderCopies::default()
        };
    }
    let listed = match list_folder(folder) {
        Ok(listed) => listed,
        Err(reason) => {
            return FolderCopies {
                error: Some(format!("the copies folder {reason}")),
                ..FolderCopies::default()
            };
        }
    };
    let (manifest, error) = match Manifest::load(folder) {
        Ok(Some(manifest)) => match disk_id {
            Some(id) if manifest.disk_id != id => (
                None,
                Some(format!(
                    "the manifest {} belongs to disk {}, not to this disk ({id}); \
                     was it copied from another disk?",
                    layout::manifest_file(folder).display(),
                    manifest.disk_id
                )),
            ),
            _ => (Some(manifest), None),
        },
        Ok(None) => (None, None),
        Err(error) => (None, Some(error.to_string())),
    };
    let last_verified = manifest.as_ref().and_then(|m| m.last_verified);
    let mut result = classify(listed, manifest.map(Manifest::into_copies), pattern, naming);
    result.error = error;
    result.last_verified = last_verified;
    result
}

/// `Ok` when the folder is a real folder or absent; a reason when it is a
/// symlink (never followed) or something else.
fn check_folder(folder: &Path) -> Result<(), Option<String>> {
    match std::fs::symlink_metadata(folder) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(None),
        Err(error) => Err(Some(format!(
            "{} cannot be read: {error}",
            folder.display()
        ))),
        Ok(metadata) if metadata.is_dir() => Ok(()),
        Ok(metadata) if metadata.file_type().is_symlink() => Err(Some(format!(
            "{} is a symbolic link; rota never follows links out of a disk",
            folder.display()
        ))),
        Ok(_) => Err(Some(format!("{} is not a folder", folder.display()))),
    }
}

/// Sorts each entry into a copy (its record moved out of `recorded`), a
/// stray, or rota's own file.
fn classify(
    listed: Vec<Listed>,
    recorded: Option<BTreeMap<String, CopyRecord>>,
    pattern: &NamePattern,
    naming: Naming,
) -> FolderCopies {
    let mut recorded = recorded.unwrap_or_default();
    let mut result = FolderCopies::default();
    for entry in listed {
        let verdict = match naming {
            // `disks.encrypt` stores copies as `NAME.age` on disks too.
            Naming::Disk => staged_verdict(&entry, &recorded, pattern),
            Naming::Staging => staged_verdict(&entry, &recorded, pattern),
        };
        match verdict {
            Verdict::Copy(name) => {
                if let Some(record) = recorded.remove(&name) {
                    result.copies.insert(name, record);
                }
            }
            Verdict::Stray(why) => result.strays.push(StrayFile {
                name: entry.display_name().to_string(),
                size: entry.size,
                why,
            }),
            Verdict::Ours => {}
        }
    }
    result.strays.sort_by(|a, b| a.name.cmp(&b.name));
    result
}

enum Verdict {
    /// A copy the manifest vouches for, by name.
    Copy(String),
    Stray(StrayReason),
    /// rota's own file (the manifest, a temporary file being written).
    Ours,
}

/// Whether an entry is a copy the manifest vouches for: the entry's name is
/// read back to its backup's, and must be the stored name the manifest
/// record implies (a plain copy: the backup's own name; an encrypted one, on
/// a staging folder or a disk under `disks.encrypt`: `NAME.age`, `NAME.tar.age`). An
/// encrypted copy's size is the ciphertext's, not the recorded plaintext size,
/// so only its presence and kind are checked here (its hash when uploaded and
/// by `rota verify`).
fn staged_verdict(
    entry: &Listed,
    recorded: &BTreeMap<String, CopyRecord>,
    pattern: &NamePattern,
) -> Verdict {
    let (on_disk, kind) = match candidate(entry) {
        Ok(found) => found,
        Err(verdict) => return verdict,
    };
    let Some((name, _)) = offsite_names::parse(on_disk, |name| pattern.matches(name)) else {
        return Verdict::Stray(StrayReason::Unrecognized);
    };
    let Some(record) = recorded.get(&name) else {
        return Verdict::Stray(StrayReason::Unrecorded);
    };
    let shape = Stored::of_record(record);
    if shape.name_for(&name) != *on_disk {
        return Verdict::Stray(StrayReason::Unrecorded);
    }
    let stored_kind = if shape.is_single_file() {
        EntryKind::File
    } else {
        EntryKind::Bundle
    };
    if kind == stored_kind && (shape.is_encrypted() || record.size == entry.size) {
        Verdict::Copy(name)
    } else {
        Verdict::Stray(StrayReason::SizeMismatch)
    }
}

/// An entry's name and kind when it could be a copy; otherwise its verdict
/// (rota's own file, a partial copy, something that is never a backup).
fn candidate(entry: &Listed) -> Result<(&String, EntryKind), Verdict> {
    let Ok(name) = &entry.name else {
        return Err(Verdict::Stray(StrayReason::Unrecognized));
    };
    if layout::is_partial(name) {
        return Err(Verdict::Stray(StrayReason::PartialCopy));
    }
    if layout::is_reserved(name) {
        return Err(Verdict::Ours);
    }
    match entry.entry_type.backup_kind() {
        Some(kind) => Ok((name, kind)),
        None => Err(Verdict::Stray(StrayReason::Unrecognized)),
    }
}
