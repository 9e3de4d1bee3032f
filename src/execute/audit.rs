//! The audit log, `state_dir/audit.log`: the practice's record of every backup
//! copy rota deleted (safety invariant 9, docs/architecture.md). Append-only, one JSON object
//! a line, flushed to the disk before the action is reported done:
//!
//! ```json
//! {"when":"2026-04-01T03:30:12Z","op":"remove","backup":"MacPractice_2026-03-02_2330.mpbackup",
//!  "kind":"file","location":"MON","disk_id":"49c9…","path":"/Volumes/MON/rota/MacPractice_…",
//!  "size":6442450944,"hash":"9f1c…","algorithm":"blake3","reason":"expired: …",
//!  "action":12,"plan":"3b1f…","run":"20260401T033000Z-4242","plan_at":"2026-03-31T23:59:00-04:00"}
//! ```
//!
//! `op` is `remove`, `destroy` (overwritten, then removed) or `archive` (moved
//! to the disk named in `archived_to`). `recovered: true` marks a deletion that
//! an interrupted run carried out and the next run found and logged.
//!
//! Restores are logged in the same file as accesses to patient data (`op`
//! `restore`, written by `crate::recovery::access_log`); [`read`] skips them.
//!
//! This module only ever appends to the log; it never rewrites or truncates it.

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::filesystem::Fs;
use super::journal::Started;
use crate::inventory::{EntryKind, HashAlgorithm, json_lines, layout};
use crate::plan::Op;

/// One deletion, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When the deletion was done (the wall clock, not `--at`).
    pub when: DateTime<Utc>,
    pub op: Op,
    /// What: the backup's name, kind, size and content hash.
    pub backup: String,
    pub kind: EntryKind,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    pub algorithm: HashAlgorithm,
    /// Where: the location's name, the disk's id, the full path.
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_id: Option<String>,
    pub path: PathBuf,
    /// Why, in the plan's words.
    pub reason: String,
    /// Which action of which plan, in which run.
    pub action: usize,
    pub plan: String,
    pub run: String,
    /// The instant the plan was made for.
    pub plan_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_to: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recovered: bool,
    /// Set on a second line for the same deletion when it did not happen
    /// after all (the rename failed: the copy kept its name): why. The audit
    /// line is written before the copy loses its name (invariant 15), so a
    /// failure after it is recorded this way; [`read`] drops both lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_done: Option<String>,
}

impl AuditRecord {
    /// The line for a deletion described by its journal entry, done `when`
    /// (`recovered`: carried out by a run that was cut off, logged by this one).
    pub(super) fn of_deletion(
        started: &Started,
        when: DateTime<Utc>,
        recovered: bool,
    ) -> AuditRecord {
        AuditRecord {
            when,
            op: started.op,
            backup: started.backup.clone(),
            kind: started.kind,
            size: started.size,
            hash: started.hash.clone(),
            algorithm: HashAlgorithm::Blake3,
            location: started.location.clone(),
            disk_id: started.disk_id.clone(),
            path: started.path.clone(),
            reason: started.reason.clone(),
            action: started.action,
            plan: started.plan.clone(),
            run: started.run.clone(),
            plan_at: started.plan_at.clone(),
            archived_to: started.archived_to.clone(),
            recovered,
            not_done: None,
        }
    }
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(layout::AUDIT_LOG)
}

/// Appends one record and flushes it to the disk.
pub fn append(fs: &Fs, state_dir: &Path, record: &AuditRecord) -> io::Result<()> {
    fs.record("audit")?;
    json_lines::append(&path(state_dir), record)
}

/// Every deletion of the log (lines that do not parse are skipped, and a
/// deletion a later line says did not happen is left out with that line).
pub fn read(state_dir: &Path) -> io::Result<Vec<AuditRecord>> {
    let records: Vec<AuditRecord> = json_lines::read(&path(state_dir))?;
    let undone: Vec<(String, usize, String, PathBuf)> = records
        .iter()
        .filter(|r| r.not_done.is_some())
        .map(|r| (r.run.clone(), r.action, r.backup.clone(), r.path.clone()))
        .collect();
    Ok(records
        .into_iter()
        .filter(|r| {
            !undone.iter().any(|(run, action, backup, path)| {
                &r.run == run && r.action == *action && &r.backup == backup && &r.path == path
            })
        })
        .collect())
}

/// Whether the log already has the line of this run's deletion of `backup`
/// at `path` (a run cut off just after writing it must not log the deletion
/// twice; one action may delete a remote object and a staged copy).
pub fn has_entry(state_dir: &Path, run: &str, action: usize, backup: &str, path: &Path) -> bool {
    read(state_dir).is_ok_and(|records| {
        records
            .iter()
            .any(|r| r.run == run && r.action == action && r.backup == backup && r.path == path)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn record(action: usize) -> AuditRecord {
        AuditRecord {
            when: Utc.with_ymd_and_hms(2026, 4, 1, 3, 30, 0).unwrap(),
            op: Op::Destroy,
            backup: String::from("MacPractice_2026-03-02_2330.mpbackup"),
            kind: EntryKind::File,
            size: 10,
            hash: Some("ab".repeat(32)),
            algorithm: HashAlgorithm::Blake3,
            location: String::from("MON"),
            disk_id: Some("0".repeat(32)),
            path: PathBuf::from("/Volumes/MON/rota/MacPractice_2026-03-02_2330.mpbackup"),
            reason: String::from("expired"),
            action,
            plan: String::from("plan"),
            run: String::from("run"),
            plan_at: String::from("2026-03-31T23:59:00-04:00"),
            archived_to: None,
            recovered: false,
            not_done: None,
        }
    }

    #[test]
    fn a_deletion_a_later_line_says_did_not_happen_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let fs = Fs::default();
        append(&fs, dir.path(), &record(1)).unwrap();
        append(&fs, dir.path(), &record(2)).unwrap();
        let mut undone = record(2);
        undone.not_done = Some(String::from("permission denied"));
        append(&fs, dir.path(), &undone).unwrap();
        let read = read(dir.path()).unwrap();
        assert_eq!(read, vec![record(1)]);
    }

    #[test]
    fn records_are_appended_one_json_object_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let fs = Fs::default();
        append(&fs, dir.path(), &record(1)).unwrap();
        append(&fs, dir.path(), &record(2)).unwrap();
        assert_eq!(read(dir.path()).unwrap(), [record(1), record(2)]);
        let text = std::fs::read_to_string(path(dir.path())).unwrap();
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        for field in [
            "when", "op", "backup", "size", "hash", "location", "path", "reason", "action", "plan",
            "run",
        ] {
            assert!(first.get(field).is_some(), "{field} in {first}");
        }
        assert_eq!(first["op"], "destroy");
        assert!(first.get("recovered").is_none());
    }
}
