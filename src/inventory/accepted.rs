//! The record of changes a person confirmed, `state_dir/accepted-changes.jsonl`:
//! one JSON line per backup each time `rota accept-change` is run. A backup
//! whose bytes changed on the server after a verified copy existed is
//! *tampered* (safety invariant 12) until its new fingerprint is accepted
//! here; then its new bytes are copied like any changed backup's.
//!
//! Appended whole and flushed (through [`super::json_lines`]), never
//! rewritten; the audit log holds the same acceptance for the PHI record.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::fingerprint::Fingerprint;
use super::json_lines;
use super::layout::ACCEPTED_CHANGES;

/// One backup's change, accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedChange {
    pub at: DateTime<Utc>,
    pub user: String,
    pub backup: String,
    /// What its verified copies recorded (the bytes rota kept).
    pub from: Option<Fingerprint>,
    /// What the server's backup is now: the bytes accepted.
    pub to: Fingerprint,
}

/// Every acceptance, oldest first (a torn line is skipped).
pub fn read(state_dir: &Path) -> Vec<AcceptedChange> {
    json_lines::read(&state_dir.join(ACCEPTED_CHANGES)).unwrap_or_default()
}

/// The fingerprint last accepted for each backup.
pub fn latest(state_dir: &Path) -> BTreeMap<String, Fingerprint> {
    read(state_dir)
        .into_iter()
        .map(|change| (change.backup, change.to))
        .collect()
}

/// Appends one acceptance (creating `state_dir` if needed), flushed.
pub fn append(state_dir: &Path, change: &AcceptedChange) -> std::io::Result<()> {
    std::fs::create_dir_all(state_dir)?;
    json_lines::append(&state_dir.join(ACCEPTED_CHANGES), change)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::EntryKind;

    #[test]
    fn the_latest_acceptance_of_each_backup_wins() {
        let dir = tempfile::tempdir().unwrap();
        let print = |size| Fingerprint::new(EntryKind::File, size, 0, None);
        let change = |backup: &str, size| AcceptedChange {
            at: Utc::now(),
            user: "it".into(),
            backup: backup.into(),
            from: Some(print(1)),
            to: print(size),
        };
        append(dir.path(), &change("a", 2)).unwrap();
        append(dir.path(), &change("b", 3)).unwrap();
        append(dir.path(), &change("a", 4)).unwrap();
        let latest = latest(dir.path());
        assert_eq!(latest["a"], print(4));
        assert_eq!(latest["b"], print(3));
        assert!(super::latest(&dir.path().join("none")).is_empty());
    }
}
