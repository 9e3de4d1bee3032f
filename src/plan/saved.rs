//! Saved plans (`plan --out FILE`, `apply --plan FILE`) and the inventory
//! fingerprint that ties a saved plan to the state it was made from: if anything
//! on the server or a disk changed since, `apply --plan` refuses the plan.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::json::{JsonAction, JsonPlan};
use crate::inventory::Inventory;

/// A stable hash of what the planner saw: the source listing (names, sizes,
/// modification times), every disk's id, connection and copies, the off-site
/// staging folders. Free space is left out: it moves with unrelated writes.
pub fn inventory_hash(inventory: &Inventory) -> String {
    // Names are unique, so the unstable sort gives the one order there is.
    let mut lines = HashedLines::default();
    let mut source: Vec<_> = inventory.source.backups.iter().collect();
    source.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    for entry in source {
        let modified = entry
            .modified
            .map(|t| t.timestamp_nanos_opt().unwrap_or_default())
            .unwrap_or_default();
        lines.add(format_args!(
            "source\t{}\t{}\t{modified}",
            entry.name, entry.size
        ));
    }
    let mut disks: Vec<_> = inventory.disks.iter().collect();
    disks.sort_by(|a, b| (&a.label, &a.id).cmp(&(&b.label, &b.id)));
    for disk in disks {
        lines.add(format_args!(
            "disk\t{}\t{}\t{}",
            disk.label,
            disk.id,
            disk.is_connected()
        ));
        for copy in disk.copies.values() {
            lines.add(format_args!(
                "copy\t{}\t{}\t{}\t{}",
                copy.name,
                copy.size,
                copy.hash,
                copy.is_verified()
            ));
        }
    }
    for target in &inventory.offsite {
        for copy in target.staged.values() {
            lines.add(format_args!(
                "staged\t{}\t{}\t{}\t{}",
                target.name, copy.name, copy.size, copy.hash
            ));
        }
    }
    lines.finish()
}

/// Lines hashed as they are written, a buffer at a time (hashing 100,000s of
/// short lines one by one cost more than the hash itself); never held
/// together, a large office's are megabytes.
#[derive(Default)]
struct HashedLines {
    hasher: blake3::Hasher,
    buffer: String,
}

impl HashedLines {
    const BUFFER: usize = 64 * 1024;

    /// Adds `line` followed by a newline.
    fn add(&mut self, line: std::fmt::Arguments) {
        let _ = self.buffer.write_fmt(line);
        self.buffer.push('\n');
        if self.buffer.len() >= Self::BUFFER {
            self.hasher.update(self.buffer.as_bytes());
            self.buffer.clear();
        }
    }

    /// The hash of every line added, in hex.
    fn finish(mut self) -> String {
        self.hasher.update(self.buffer.as_bytes());
        self.hasher.finalize().to_hex().to_string()
    }
}

/// What `plan --out` writes: the JSON plan plus what `apply --plan` checks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    pub rota_saved_plan: u32,
    /// The policy file the plan was made for.
    pub policy: String,
    /// The plan's [`inventory_hash`], under the name the file has always used.
    #[serde(rename = "fingerprint")]
    pub inventory_hash: String,
    pub plan: JsonPlan,
}

impl SavedPlan {
    pub const VERSION: u32 = 1;

    pub fn actions(&self) -> &[JsonAction] {
        &self.plan.actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_hash_as_their_whole_text_whatever_the_buffering() {
        for count in [0, 1, 3_000, 20_000] {
            let mut lines = HashedLines::default();
            let mut text = String::new();
            for index in 0..count {
                lines.add(format_args!("source\tbackup_{index}.bak\t{}", index * 7));
                text.push_str(&format!("source\tbackup_{index}.bak\t{}\n", index * 7));
            }
            assert_eq!(
                lines.finish(),
                blake3::hash(text.as_bytes()).to_hex().to_string(),
                "{count} lines"
            );
        }
    }
}
