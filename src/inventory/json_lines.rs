//! rota's append-only logs in `state_dir` (the journal, the audit log, the
//! restore-test record): one JSON object a line. Appending writes a whole
//! line and flushes it to the disk; reading skips lines that do not parse,
//! so a line torn by a power cut never hides the ones before it.
//!
//! This module reads and appends only the file it is given; it never
//! rewrites or deletes one.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Every readable record of the log at `path`; none when it does not exist.
pub fn read<T: DeserializeOwned>(path: &Path) -> io::Result<Vec<T>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    Ok(text
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect())
}

/// Appends `record` as one line to the log at `path` (created if missing)
/// and flushes it to the disk before returning.
pub fn append<T: Serialize>(path: &Path, record: &T) -> io::Result<()> {
    let mut line = serde_json::to_string(record).map_err(io::Error::other)?;
    line.push('\n');
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(line.as_bytes())?;
    crate::flush::data(&file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_skipped_and_a_missing_log_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log.jsonl");
        assert_eq!(read::<u32>(&log).unwrap(), Vec::<u32>::new());
        append(&log, &1u32).unwrap();
        append(&log, &2u32).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .unwrap()
            .write_all(b"[3")
            .unwrap();
        assert_eq!(read::<u32>(&log).unwrap(), [1, 2]);
    }
}
