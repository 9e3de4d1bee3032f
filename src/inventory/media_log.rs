//! The media log, `state_dir/media.jsonl`: which disks each run saw (label,
//! id, where mounted), one JSON object a line, so rota can tell each disk's
//! movements (at the server, gone to the safe or off-site, back) and print
//! them for an auditor (`rota report`). `apply` and `verify` also note how
//! their run went, and `apply` the copies it wrote (so the report still lists
//! a copy after it was pruned from its disk); `rota disk retire` notes a disk
//! taken out of the rotation.
//!
//! ```json
//! {"at":"2026-03-31T23:55:00Z","when":"2026-04-01T03:55:02Z","command":"apply",
//!  "seen":[{"label":"TUE","id":"49c9…","mount":"/Volumes/TUE"}],"actions":3,"failed":0}
//! ```
//!
//! `at` is the run's instant (`--at`, else the clock), `when` the wall clock.
//! Append-only, like the audit log; a line that does not parse is skipped.

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::json_lines;
use super::model::{CopyRecord, Inventory};

pub use super::layout::MEDIA_LOG;

/// One run's look at the disks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRecord {
    /// The run's instant (`--at`, else the clock).
    pub at: DateTime<Utc>,
    /// The wall clock when it was recorded.
    pub when: DateTime<Utc>,
    /// `plan`, `apply`, `verify`, `disk list`, `disk retire`.
    pub command: String,
    /// The disks connected during the run.
    #[serde(default)]
    pub seen: Vec<SeenDisk>,
    /// `apply`: actions attempted; `verify`: copies checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<usize>,
    /// `apply`: actions that failed; `verify`: copies missing or changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<usize>,
    /// `disk retire`: the disk taken out of the rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<RetiredDisk>,
    /// `apply`: the copies it wrote to disks, as their manifests recorded them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub written: Vec<WrittenCopy>,
}

/// A copy an `apply` run wrote to a disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenCopy {
    pub label: String,
    /// The disk's id (two disks may share a label).
    pub id: String,
    pub copy: CopyRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenDisk {
    pub label: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetiredDisk {
    pub label: String,
    pub id: String,
    /// Copies removed from it.
    pub removed: usize,
    /// Whether they were overwritten first (`--destroy`).
    pub destroyed: bool,
}

impl MediaRecord {
    /// A record of the disks `inventory` found connected.
    pub fn of_scan(
        command: &str,
        inventory: &Inventory,
        at: DateTime<Utc>,
        when: DateTime<Utc>,
    ) -> MediaRecord {
        MediaRecord {
            at,
            when,
            command: command.to_string(),
            seen: inventory
                .connected_disks()
                .map(|disk| SeenDisk {
                    label: disk.label.clone(),
                    id: disk.id.clone(),
                    mount: disk.mount.as_ref().map(|mount| mount.path.clone()),
                })
                .collect(),
            actions: None,
            failed: None,
            retired: None,
            written: Vec::new(),
        }
    }
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(MEDIA_LOG)
}

/// Appends one record (the log is created when missing; `state_dir` is not).
pub fn append(state_dir: &Path, record: &MediaRecord) -> io::Result<()> {
    json_lines::append(&path(state_dir), record)
}

/// Every readable record, ordered by the run's instant.
pub fn read(state_dir: &Path) -> io::Result<Vec<MediaRecord>> {
    let mut records: Vec<MediaRecord> = json_lines::read(&path(state_dir))?;
    records.sort_by_key(|record| record.at);
    Ok(records)
}
