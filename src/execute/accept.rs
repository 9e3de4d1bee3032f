//! Recording that a person confirmed a tampered backup's change (`rota
//! accept-change`, safety invariant 12): one line in the audit log (who,
//! when, which backup, its old and new fingerprints), then one in
//! `state_dir/accepted-changes.jsonl`, which the planner reads. The audit
//! line comes first: an acceptance the planner acts on is always on record.
//!
//! Appends only; never rewrites either file.

use std::io;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::audit;
use crate::inventory::accepted::{self, AcceptedChange};
use crate::inventory::{Fingerprint, json_lines};

/// The audit log's line for one accepted change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptRecord {
    pub when: DateTime<Utc>,
    /// Always `accept-change` (deletions and restores share the log).
    pub op: String,
    pub user: String,
    pub backup: String,
    /// What its verified copies recorded: the bytes rota kept.
    pub from: Option<Fingerprint>,
    /// What the server's backup is now: the bytes accepted.
    pub to: Fingerprint,
    /// The instant the command ran for (`--at`, else the clock).
    pub at: String,
}

pub const OP: &str = "accept-change";

/// Records `change` in the audit log, then in the accepted changes.
pub fn record(state_dir: &Path, change: &AcceptedChange, at: &str) -> io::Result<()> {
    std::fs::create_dir_all(state_dir)?;
    let line = AcceptRecord {
        when: change.at,
        op: OP.to_string(),
        user: change.user.clone(),
        backup: change.backup.clone(),
        from: change.from,
        to: change.to,
        at: at.to_string(),
    };
    json_lines::append(&audit::path(state_dir), &line)?;
    accepted::append(state_dir, change)
}
