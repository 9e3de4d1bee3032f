//! Listing one folder's top-level entries without following symlinks, and
//! measuring each: a file's size, a bundle's total (the sum of the regular
//! files inside it, walked without following links) and newest modification.
//!
//! Read-only; shared by the source and copies-folder scans.

use std::path::Path;
use std::time::SystemTime;

use chrono::{DateTime, Utc};

use crate::inventory::EntryKind;

/// What a top-level entry is, as seen without following it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    File,
    Folder,
    Symlink,
    /// A socket, device or anything else that is never a backup.
    Other,
}

impl EntryType {
    /// The backup kind this entry could be (`None`: never a backup).
    pub fn backup_kind(self) -> Option<EntryKind> {
        match self {
            EntryType::File => Some(EntryKind::File),
            EntryType::Folder => Some(EntryKind::Bundle),
            EntryType::Symlink | EntryType::Other => None,
        }
    }
}

/// One measured entry of a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The name, or `Err(lossy name)` when it is not valid UTF-8 (such a name
    /// never matches a pattern and is reported, never touched).
    pub name: Result<String, String>,
    pub entry_type: EntryType,
    pub size: u64,
    pub modified: Option<DateTime<Utc>>,
}

impl Listed {
    pub fn display_name(&self) -> &str {
        match &self.name {
            Ok(name) | Err(name) => name,
        }
    }
}

/// The folder's listing; `Err` with a reason when the folder itself cannot be
/// read. Entries that vanish or cannot be examined while listing are reported
/// as `Other` so they are never mistaken for backups.
pub fn list_folder(folder: &Path) -> Result<Vec<Listed>, String> {
    match std::fs::symlink_metadata(folder) {
        Ok(metadata) if metadata.is_dir() || metadata.file_type().is_symlink() => {}
        Ok(_) => return Err(format!("{} is not a folder", folder.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("{} does not exist", folder.display()));
        }
        Err(error) => return Err(format!("{} cannot be read: {error}", folder.display())),
    }
    // Each entry is examined through the open folder (`DirEntry::metadata`
    // does not follow links), not by its full path: on a folder of 100,000
    // backups the path lookups were a fifth of `rota plan`'s time.
    let entries = match open_folder(folder) {
        Ok(Some(entries)) => entries,
        Ok(None) => return Ok(Vec::new()),
        Err(error) => {
            return Err(format!(
                "{} cannot be read: IO error for operation on {}: {error}",
                folder.display(),
                folder.display()
            ));
        }
    };
    // An entry that cannot be read at all has no name to report: skipped.
    Ok(entries.flatten().map(|entry| measure(&entry)).collect())
}

/// The folder's entries; `None` when `folder` is a link to something that is
/// not a folder (it lists as empty).
fn open_folder(folder: &Path) -> std::io::Result<Option<std::fs::ReadDir>> {
    if !std::fs::metadata(folder)?.is_dir() {
        return Ok(None);
    }
    std::fs::read_dir(folder).map(Some)
}

fn unexaminable(name: Result<String, String>) -> Listed {
    Listed {
        name,
        entry_type: EntryType::Other,
        size: 0,
        modified: None,
    }
}

/// The entry's name, or `Err(lossy name)` when it is not valid UTF-8.
fn entry_name(entry: &std::fs::DirEntry) -> Result<String, String> {
    entry
        .file_name()
        .into_string()
        .map_err(|name| name.to_string_lossy().into_owned())
}

fn measure(entry: &std::fs::DirEntry) -> Listed {
    let name = entry_name(entry);
    let (Ok(file_type), Ok(metadata)) = (entry.file_type(), entry.metadata()) else {
        return unexaminable(name);
    };
    let entry_type = if file_type.is_symlink() {
        EntryType::Symlink
    } else if file_type.is_dir() {
        EntryType::Folder
    } else if file_type.is_file() {
        EntryType::File
    } else {
        EntryType::Other
    };
    let (size, modified) = match entry_type {
        EntryType::Folder => bundle_size(&entry.path()),
        _ => (metadata.len(), metadata.modified().ok().map(to_utc)),
    };
    Listed {
        name,
        entry_type,
        size,
        modified,
    }
}

/// The sum of the regular files under `bundle` and the newest modification
/// time of anything in it (the bundle folder included). Links are not
/// followed; unreadable parts are left out of the sum (copying them will fail
/// loudly later, which is where that belongs).
pub fn bundle_size(bundle: &Path) -> (u64, Option<DateTime<Utc>>) {
    let mut total = 0u64;
    let mut newest: Option<SystemTime> = None;
    for entry in walkdir::WalkDir::new(bundle)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
    {
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        if entry.file_type().is_file() {
            total = total.saturating_add(metadata.len());
        }
        if let Ok(modified) = metadata.modified() {
            newest = Some(newest.map_or(modified, |n| n.max(modified)));
        }
    }
    (total, newest.map(to_utc))
}

fn to_utc(time: SystemTime) -> DateTime<Utc> {
    DateTime::<Utc>::from(time)
}
