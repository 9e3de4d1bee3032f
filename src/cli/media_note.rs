//! Noting in the media log (`state_dir/media.jsonl`, see
//! `crate::inventory::media_log`) which disks a command saw. A failure to
//! note is a warning, never a failed command: the backups matter more than
//! the record of where the disks were.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::inventory::Inventory;
use crate::inventory::media_log::{self, MediaRecord};

/// Notes the disks `inventory` found connected, at the run's instant `at`.
pub fn note_scan(state_dir: &Path, command: &str, inventory: &Inventory, at: DateTime<Utc>) {
    note(
        state_dir,
        &MediaRecord::of_scan(command, inventory, at, Utc::now()),
    );
}

/// Appends `record`, unless `state_dir` does not exist yet (a first `plan`
/// creates nothing).
pub fn note(state_dir: &Path, record: &MediaRecord) {
    if !state_dir.is_dir() {
        return;
    }
    if let Err(error) = media_log::append(state_dir, record) {
        eprintln!(
            "warning: cannot note the disks seen in {}: {error}",
            media_log::path(state_dir).display()
        );
    }
}
