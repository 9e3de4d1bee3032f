//! Looking at `source.capture`, the file or folder the practice software
//! overwrites each night: what it is, its fingerprint, and whether it can be
//! read at all. Only reads; capturing it is the executor's job.

use std::path::Path;

use super::entries::fingerprint_of;
use crate::inventory::{CaptureItem, Captured, EntryKind};

/// The capture item at `path` as it is now.
pub fn look_at(path: &Path) -> CaptureItem {
    CaptureItem {
        path: path.to_path_buf(),
        found: found(path),
    }
}

fn found(path: &Path) -> Result<Captured, String> {
    let metadata = std::fs::symlink_metadata(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => String::from("it does not exist"),
        _ => format!("it cannot be read: {error}"),
    })?;
    let kind = if metadata.is_dir() {
        // A folder rota cannot list would be captured with parts missing.
        std::fs::read_dir(path).map_err(|error| format!("it cannot be listed: {error}"))?;
        EntryKind::Bundle
    } else if metadata.is_file() {
        std::fs::File::open(path).map_err(|error| format!("it cannot be read: {error}"))?;
        EntryKind::File
    } else {
        return Err(String::from(
            "it is not a plain file or folder (a link is not followed: name what it points to)",
        ));
    };
    let fingerprint = fingerprint_of(path).ok_or("it vanished while rota looked at it")?;
    let modified = fingerprint
        .modified
        .ok_or("its modification time cannot be read")?;
    Ok(Captured {
        kind,
        fingerprint,
        modified,
    })
}
