//! Saved plans (`plan --out FILE`, `apply --plan FILE`) and the inventory
//! fingerprint that ties a saved plan to the state it was made from: if anything
//! on the server or a disk changed since, `apply --plan` refuses the plan.

use std::io::Write as _;

use serde::{Deserialize, Serialize};

use super::json::{JsonAction, JsonPlan};
use crate::inventory::Inventory;

/// A stable hash of what the planner saw: the source listing (names, sizes,
/// modification times), every disk's id, connection and copies, the off-site
/// staging folders. Free space is left out: it moves with unrelated writes.
pub fn fingerprint(inventory: &Inventory) -> String {
    // The lines are hashed as they are written, never held (a large office's
    // are megabytes); names are unique, so the unstable sort is the order.
    let mut lines = blake3::Hasher::new();
    let mut source: Vec<_> = inventory.source.backups.iter().collect();
    source.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    for entry in source {
        let modified = entry
            .modified
            .map(|t| t.timestamp_nanos_opt().unwrap_or_default())
            .unwrap_or_default();
        let _ = writeln!(lines, "source\t{}\t{}\t{modified}", entry.name, entry.size);
    }
    let mut disks: Vec<_> = inventory.disks.iter().collect();
    disks.sort_by(|a, b| (&a.label, &a.id).cmp(&(&b.label, &b.id)));
    for disk in disks {
        let _ = writeln!(
            lines,
            "disk\t{}\t{}\t{}",
            disk.label,
            disk.id,
            disk.is_connected()
        );
        for copy in disk.copies.values() {
            let _ = writeln!(
                lines,
                "copy\t{}\t{}\t{}\t{}",
                copy.name,
                copy.size,
                copy.hash,
                copy.is_verified()
            );
        }
    }
    for target in &inventory.offsite {
        for copy in target.staged.values() {
            let _ = writeln!(
                lines,
                "staged\t{}\t{}\t{}\t{}",
                target.name, copy.name, copy.size, copy.hash
            );
        }
    }
    lines.finalize().to_hex().to_string()
}

/// What `plan --out` writes: the JSON plan plus what `apply --plan` checks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    pub rota_saved_plan: u32,
    /// The policy file the plan was made for.
    pub policy: String,
    pub fingerprint: String,
    pub plan: JsonPlan,
}

impl SavedPlan {
    pub const VERSION: u32 = 1;

    pub fn actions(&self) -> &[JsonAction] {
        &self.plan.actions
    }
}
