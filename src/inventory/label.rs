//! The label file `rota disk init` writes at a disk's root: which label the disk
//! carries (MON, ARCHIVE-A...), a random id that tells two disks with the same
//! label apart, and when it was labelled. A disk is identified by this file,
//! never by where it is mounted.
//!
//! ```json
//! {"rota_disk": 1, "label": "MON", "id": "<32 hex digits>", "labelled_at": "2026-03-31T18:02:00Z"}
//! ```
//!
//! This module reads and writes the label file only (atomically); it never
//! touches the copies on a disk.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::layout;
use super::state_file::{StateFile, StateFileError};

/// The label file format this rota writes and understands.
pub const LABEL_FORMAT: u32 = 1;

/// Longest label accepted: it must fit on a sticker and a swap-sheet column.
pub const MAX_LABEL_LEN: usize = 32;

/// A label file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskLabel {
    pub rota_disk: u32,
    pub label: String,
    pub id: String,
    pub labelled_at: DateTime<Utc>,
    /// When `rota disk retire` took the disk out of the rotation: rota never
    /// writes to it again (until it is labelled afresh with `rota disk init`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<DateTime<Utc>>,
}

impl DiskLabel {
    /// A new label with a fresh random id.
    pub fn new(label: &str, now: DateTime<Utc>, mount: &Path) -> DiskLabel {
        DiskLabel {
            rota_disk: LABEL_FORMAT,
            label: label.to_string(),
            id: new_disk_id(mount),
            labelled_at: now,
            retired_at: None,
        }
    }

    /// The first eight digits of the id: enough to tell disks apart on a sticker.
    pub fn short_id(&self) -> &str {
        short_id(&self.id)
    }

    /// Writes this label at `mount`'s root, replacing any label there.
    pub fn save(&self, mount: &Path) -> Result<(), LabelError> {
        LABEL_FILE.write(&layout::label_file(mount), self)
    }
}

/// The first eight characters of a disk id.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// Why a label file could not be used.
pub type LabelError = StateFileError;

/// The label file's rules (label files are tiny: anything bigger is not one).
const LABEL_FILE: StateFile = StateFile {
    what: "the label file",
    format_key: "rota_disk",
    format: LABEL_FORMAT,
    max_bytes: 64 * 1024,
};

/// The label at `mount`, `None` when the folder carries no label file.
pub fn read_label(mount: &Path) -> Result<Option<DiskLabel>, LabelError> {
    let path = layout::label_file(mount);
    let Some(label) = LABEL_FILE.read(&path, |label: &DiskLabel| label.rota_disk)? else {
        return Ok(None);
    };
    let corrupt = |reason: String| LABEL_FILE.corrupt(&path, reason);
    check_label(&label.label).map_err(|reason| corrupt(format!("its label: {reason}")))?;
    if !is_disk_id(&label.id) {
        return Err(corrupt(format!(
            "its id `{}` is not 32 hex digits",
            label.id
        )));
    }
    Ok(Some(label))
}

/// Labels the disk at `mount` as `label` with a fresh id; returns what was written.
/// The caller decides whether replacing an existing label is allowed.
pub fn write_label(mount: &Path, label: &str, now: DateTime<Utc>) -> Result<DiskLabel, LabelError> {
    let disk_label = DiskLabel::new(label, now, mount);
    disk_label.save(mount)?;
    Ok(disk_label)
}

/// Whether `label` can be written on a disk; the reason when not.
pub fn check_label(label: &str) -> Result<(), String> {
    if label.trim().is_empty() {
        return Err("a label cannot be empty".into());
    }
    if label.trim() != label {
        return Err("a label cannot start or end with a space".into());
    }
    if label.chars().count() > MAX_LABEL_LEN {
        return Err(format!("a label is at most {MAX_LABEL_LEN} characters"));
    }
    if let Some(bad) = label
        .chars()
        .find(|c| c.is_control() || matches!(c, '/' | '\\'))
    {
        return Err(format!("a label cannot contain {bad:?}"));
    }
    Ok(())
}

fn is_disk_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// 128 random bits as 32 lowercase hex digits. If the OS random source fails
/// (it practically never does), the time, process and path are hashed instead:
/// still unique in practice, which is all an id needs.
pub fn new_disk_id(mount: &Path) -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        let mut hasher = blake3::Hasher::new();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        hasher.update(&nanos.to_le_bytes());
        hasher.update(&std::process::id().to_le_bytes());
        hasher.update(mount.to_string_lossy().as_bytes());
        bytes.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 31, 18, 2, 0).unwrap()
    }

    #[test]
    fn a_written_label_reads_back_the_same() {
        let disk = tempfile::tempdir().unwrap();
        let written = write_label(disk.path(), "MON", now()).unwrap();
        assert_eq!(written.rota_disk, LABEL_FORMAT);
        assert!(is_disk_id(&written.id), "{}", written.id);
        assert_eq!(read_label(disk.path()).unwrap(), Some(written));
    }

    #[test]
    fn two_disks_get_different_ids() {
        let disk = tempfile::tempdir().unwrap();
        assert_ne!(new_disk_id(disk.path()), new_disk_id(disk.path()));
    }

    #[test]
    fn a_folder_without_a_label_file_has_no_label() {
        let disk = tempfile::tempdir().unwrap();
        assert_eq!(read_label(disk.path()).unwrap(), None);
    }

    #[test]
    fn a_damaged_label_file_is_an_error_naming_the_file() {
        let disk = tempfile::tempdir().unwrap();
        let path = layout::label_file(disk.path());
        for text in [
            "not json",
            r#"{"rota_disk": 1, "label": "", "id": "00112233445566778899aabbccddeeff", "labelled_at": "2026-03-31T18:02:00Z"}"#,
            r#"{"rota_disk": 1, "label": "MON", "id": "short", "labelled_at": "2026-03-31T18:02:00Z"}"#,
        ] {
            std::fs::write(&path, text).unwrap();
            let error = read_label(disk.path()).unwrap_err();
            assert!(
                matches!(error, LabelError::Corrupt { .. }),
                "{text}: {error}"
            );
            assert!(error.to_string().contains(".rota-disk.json"), "{error}");
        }
    }

    #[test]
    fn a_label_from_a_newer_rota_is_refused_not_misread() {
        let disk = tempfile::tempdir().unwrap();
        std::fs::write(
            layout::label_file(disk.path()),
            r#"{"rota_disk": 2, "something": "new"}"#,
        )
        .unwrap();
        assert!(matches!(
            read_label(disk.path()),
            Err(LabelError::NewerFormat { version: 2, .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_label_file_is_not_followed() {
        let disk = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        write_label(elsewhere.path(), "MON", now()).unwrap();
        std::os::unix::fs::symlink(
            layout::label_file(elsewhere.path()),
            layout::label_file(disk.path()),
        )
        .unwrap();
        assert!(matches!(
            read_label(disk.path()),
            Err(LabelError::Corrupt { .. })
        ));
    }

    #[test]
    fn labels_are_checked() {
        assert!(check_label("MON").is_ok());
        assert!(check_label("ARCHIVE-A").is_ok());
        for bad in ["", "  ", " MON", "A/B", "tab\there", &"X".repeat(33)] {
            assert!(check_label(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_short_id_is_eight_digits() {
        assert_eq!(short_id("00112233445566778899aabbccddeeff"), "00112233");
        assert_eq!(short_id("abc"), "abc");
    }
}
