//! rota's append-only logs in `state_dir` (the journal, the audit log, the
//! restore-test record): one JSON object a line. Appending writes a whole
//! line and flushes it to the disk; reading skips lines that do not parse,
//! so a line torn by a power cut never hides the ones before it. Like the
//! state files ([`super::state_file`]), a log that is a symlink or a folder
//! is refused, never followed.
//!
//! This module reads and appends only the file it is given; it never
//! rewrites or deletes one.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::state_file::refuse_non_file;

/// Every readable record of the log at `path`; none when it does not exist.
pub fn read<T: DeserializeOwned>(path: &Path) -> io::Result<Vec<T>> {
    refuse_non_file(path)?;
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
/// and flushes it to the disk before returning. After a torn last line (a
/// power cut mid-append) the record starts on a line of its own, so it is
/// never glued to the torn one and lost with it (safety invariant 15).
pub fn append<T: Serialize>(path: &Path, record: &T) -> io::Result<()> {
    let mut line = serde_json::to_string(record).map_err(io::Error::other)?;
    line.push('\n');
    refuse_non_file(path)?;
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)?;
    if ends_torn(&mut file)? {
        line.insert(0, '\n');
    }
    file.write_all(line.as_bytes())?;
    crate::flush::data(&file)
}

/// Whether the file's last byte is not a newline (a torn last line).
fn ends_torn(file: &mut std::fs::File) -> io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
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

    #[test]
    fn invariant_15_a_record_after_a_torn_line_starts_a_line_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("audit.log");
        append(&log, &1u32).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .unwrap()
            .write_all(b"{\"torn\": tr")
            .unwrap();
        append(&log, &2u32).unwrap();
        append(&log, &3u32).unwrap();
        assert_eq!(read::<u32>(&log).unwrap(), [1, 2, 3]);
    }

    #[cfg(unix)]
    #[test]
    fn a_log_that_is_a_symlink_is_neither_read_nor_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere.jsonl");
        append(&elsewhere, &1u32).unwrap();
        let log = dir.path().join("runs.jsonl");
        std::os::unix::fs::symlink(&elsewhere, &log).unwrap();
        assert!(read::<u32>(&log).is_err());
        assert!(append(&log, &2u32).is_err());
        assert_eq!(read::<u32>(&elsewhere).unwrap(), [1]);
    }
}
