//! Every restore is an access to patient data, so it goes into the audit log
//! (`state_dir/audit.log`, beside the deletions; see
//! [`crate::execute::audit`]): who ran it, which backup, from where, to
//! where, and the checksum of what was restored. One JSON object a line:
//!
//! ```json
//! {"when":"2026-04-02T14:03:11Z","op":"restore","backup":"MacPractice_2026-03-31_2330.mpbackup",
//!  "kind":"file","size":6442450944,"hash":"9f1c…","algorithm":"blake3","location":"MON",
//!  "disk_id":"49c9…","path":"/Volumes/MON/rota/MacPractice_…","to":"/Users/Shared/Restored/MacPractice_…",
//!  "checked":true,"user":"frontdesk","host":"reception-mac","at":"2026-04-02T10:03:11-04:00"}
//! ```
//!
//! Deletion records read by [`crate::execute::audit::read`] skip these lines
//! (their `op` is none of the plan's). This module only appends.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::source::{CopySource, Origin};
use super::write::Restored;
use crate::inventory::{EntryKind, HashAlgorithm, json_lines, layout};

/// One restore, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreAccess {
    /// The wall clock when the restore finished.
    pub when: DateTime<Utc>,
    /// Always `restore`.
    pub op: String,
    pub backup: String,
    pub kind: EntryKind,
    pub size: u64,
    pub hash: String,
    pub algorithm: HashAlgorithm,
    /// Where it was read: `server`, a disk label, an off-site folder's name.
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_id: Option<String>,
    pub path: PathBuf,
    /// Where it was restored to.
    pub to: PathBuf,
    /// Whether its checksum was found equal to a recorded one.
    pub checked: bool,
    /// The account and machine that ran the restore.
    pub user: String,
    pub host: String,
    /// The command's `--at` instant (equal to `when` without `--at`).
    pub at: String,
}

impl RestoreAccess {
    pub fn new(
        source: &CopySource,
        restored: &Restored,
        who: (&str, &str),
        when: DateTime<Utc>,
        at: String,
    ) -> RestoreAccess {
        RestoreAccess {
            when,
            op: String::from("restore"),
            backup: source.name.clone(),
            kind: restored.kind,
            size: restored.bytes,
            hash: restored.hash.clone(),
            algorithm: HashAlgorithm::Blake3,
            location: source.origin.name().to_string(),
            disk_id: match &source.origin {
                Origin::Disk { id, .. } => Some(id.clone()),
                _ => None,
            },
            path: source.path.clone(),
            to: restored.path.clone(),
            checked: restored.checked,
            user: who.0.to_string(),
            host: who.1.to_string(),
            at,
        }
    }
}

/// Appends the record to `state_dir/audit.log` (creating `state_dir` if
/// needed) and flushes it to the disk.
pub fn append(state_dir: &Path, record: &RestoreAccess) -> std::io::Result<()> {
    std::fs::create_dir_all(state_dir)?;
    json_lines::append(&state_dir.join(layout::AUDIT_LOG), record)
}

/// Every restore the log records (other lines skipped).
pub fn read(state_dir: &Path) -> Vec<RestoreAccess> {
    json_lines::read::<RestoreAccess>(&state_dir.join(layout::AUDIT_LOG))
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.op == "restore")
        .collect()
}
