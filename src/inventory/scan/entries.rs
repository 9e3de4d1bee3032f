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
    let mut listed = Vec::new();
    let walker = walkdir::WalkDir::new(folder)
        .min_depth(1)
        .max_depth(1)
        .follow_links(false);
    for item in walker {
        match item {
            Ok(entry) => listed.push(measure(entry.path(), entry.file_type())),
            Err(error) if error.depth() == 0 => {
                return Err(format!("{} cannot be read: {error}", folder.display()));
            }
            Err(error) => {
                if let Some(path) = error.path() {
                    listed.push(unexaminable(path));
                }
            }
        }
    }
    Ok(listed)
}

fn unexaminable(path: &Path) -> Listed {
    Listed {
        name: entry_name(path),
        entry_type: EntryType::Other,
        size: 0,
        modified: None,
    }
}

fn entry_name(path: &Path) -> Result<String, String> {
    let name = path.file_name().unwrap_or(path.as_os_str());
    name.to_str()
        .map(str::to_string)
        .ok_or_else(|| name.to_string_lossy().into_owned())
}

fn measure(path: &Path, file_type: std::fs::FileType) -> Listed {
    let entry_type = if file_type.is_symlink() {
        EntryType::Symlink
    } else if file_type.is_dir() {
        EntryType::Folder
    } else if file_type.is_file() {
        EntryType::File
    } else {
        EntryType::Other
    };
    let Ok(metadata) = std::fs::symlink_metadata(path) else {
        return unexaminable(path);
    };
    let (size, modified) = match entry_type {
        EntryType::Folder => bundle_size(path),
        _ => (metadata.len(), metadata.modified().ok().map(to_utc)),
    };
    Listed {
        name: entry_name(path),
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
