//! What `rota disk list` says about the folders under `mount_search` that are
//! not usable disks: those left alone without a warning (a Time Machine disk,
//! a read-only image, a network share, macOS's own mounts) with why, and the
//! plan's `disk-unreadable` and `disk-on-server-drive` warnings as notices.
//! Pure: a function of the policy and the inventory.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::Notice;
use crate::inventory::Inventory;
use crate::plan::volume_warnings;
use crate::policy::Policy;

/// The plan's warnings about the folders themselves, as notices.
pub fn notices(policy: &Policy, inventory: &Inventory) -> Vec<Notice> {
    let mut warnings = Vec::new();
    volume_warnings::volume_warnings(policy, inventory, &mut warnings);
    warnings
        .into_iter()
        .map(|warning| Notice {
            code: warning.code,
            message: warning.message,
        })
        .collect()
}

/// "Left alone: …" lines, one per skipped volume (none: nothing).
pub fn skipped_text(inventory: &Inventory, out: &mut String) {
    let skipped = &inventory.volumes.skipped;
    if skipped.is_empty() {
        return;
    }
    out.push_str("\nLeft alone (not rota's disks, no label needed)\n");
    for volume in skipped {
        let _ = writeln!(out, "  {}: {}", volume.path.display(), volume.why.words());
    }
}

/// The `skipped` and `unreadable` lists of the JSON.
pub fn json_fields(inventory: &Inventory) -> (Value, Value) {
    let survey = &inventory.volumes;
    let skipped = survey
        .skipped
        .iter()
        .map(|volume| {
            json!({
                "path": volume.path.display().to_string(),
                "why": volume.why.words(),
            })
        })
        .collect::<Vec<_>>();
    let unreadable = survey
        .unreadable
        .iter()
        .map(|volume| {
            json!({
                "path": volume.path.display().to_string(),
                "error": volume.error,
            })
        })
        .collect::<Vec<_>>();
    (Value::from(skipped), Value::from(unreadable))
}
