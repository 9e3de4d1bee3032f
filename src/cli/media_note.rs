//! Noting in the media log (`state_dir/media.jsonl`, see
//! `crate::inventory::media_log`) which disks a command saw. A failure to
//! note is a warning, never a failed command: the backups matter more than
//! the record of where the disks were.
//!
//! An `apply` run also notes the copies it wrote, as the disks' manifests
//! recorded them, so `rota report` lists a copy after it was pruned.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::execute::{Outcome, Report};
use crate::inventory::Inventory;
use crate::inventory::media_log::{self, MediaRecord, WrittenCopy};
use crate::placement::Location;
use crate::plan::Op;

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

/// The copies `report`'s finished copy and archive actions wrote to disks,
/// as `after` (the scan once the run was over) finds them recorded.
pub fn written_copies(report: &Report, after: &Inventory) -> Vec<WrittenCopy> {
    report
        .outcomes
        .iter()
        .filter(|(action, outcome)| {
            matches!(action.op, Op::Copy | Op::Archive) && matches!(outcome, Outcome::Done(_))
        })
        .filter_map(|(action, _)| {
            let Some(Location::Disk(label)) = &action.to else {
                return None;
            };
            let disk = after.connected_disks().find(|disk| &disk.label == label)?;
            Some(WrittenCopy {
                label: label.clone(),
                id: disk.id.clone(),
                copy: disk.copies.get(&action.backup)?.clone(),
            })
        })
        .collect()
}
