//! The record of restore tests in `state_dir/restore-tests.jsonl`: one JSON
//! object a line, appended by `rota restore-test`, read by the planner, the
//! sheet and `doctor` to tell when the next test is due.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::json_lines;
use super::layout::RESTORE_LOG;

/// One restore test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreRecord {
    pub at: DateTime<Utc>,
    /// The office date of the test.
    pub date: NaiveDate,
    pub backup: String,
    /// Where the backup was restored from (a disk label).
    pub from: String,
    pub ok: bool,
    /// What went wrong, or what the check command said.
    #[serde(default)]
    pub detail: String,
    /// How long the restore took, with its checks, in milliseconds (absent
    /// from tests recorded before rota measured it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Who ran it (the login name; absent from older records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// Every record, oldest first; unreadable lines are skipped (a torn last line
/// after a power cut must not hide the earlier tests).
pub fn read(state_dir: &Path) -> Vec<RestoreRecord> {
    json_lines::read(&state_dir.join(RESTORE_LOG)).unwrap_or_default()
}

/// The office date of the last successful restore test.
pub fn last_successful(state_dir: &Path) -> Option<NaiveDate> {
    read(state_dir)
        .iter()
        .filter(|r| r.ok)
        .map(|r| r.date)
        .max()
}

/// Appends a record (creating `state_dir` if needed) and syncs it to disk.
pub fn append(state_dir: &Path, record: &RestoreRecord) -> std::io::Result<()> {
    std::fs::create_dir_all(state_dir)?;
    json_lines::append(&state_dir.join(RESTORE_LOG), record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_successful_test_wins_and_torn_lines_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let record = |date: &str, ok: bool| RestoreRecord {
            at: Utc::now(),
            date: date.parse().unwrap(),
            backup: "b".into(),
            from: "MON".into(),
            ok,
            detail: String::new(),
            duration_ms: Some(1500),
            user: Some(String::from("jordan")),
        };
        append(dir.path(), &record("2026-01-10", true)).unwrap();
        append(dir.path(), &record("2026-03-10", false)).unwrap();
        use std::io::Write as _;
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(RESTORE_LOG))
            .unwrap()
            .write_all(b"{\"at\": \"20")
            .unwrap();
        assert_eq!(read(dir.path()).len(), 2);
        assert_eq!(read(dir.path())[0].duration_ms, Some(1500));
        assert_eq!(
            last_successful(dir.path()),
            Some("2026-01-10".parse().unwrap())
        );
    }
}
