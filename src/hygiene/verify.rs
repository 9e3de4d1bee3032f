//! `rota verify`: re-hash every copy in a copies folder (a disk's `rota/`
//! folder, an off-site staging folder) against its manifest, and record what
//! was found in that manifest. Copies are read from the disk, their cached
//! pages dropped first (`content_hash::hash_path_from_disk`), so rot is
//! found even in a copy still in memory.
//!
//! - A copy whose content hashes as its manifest says is **ok**: its
//!   `verified_at` becomes the time of this check.
//! - A copy that is **missing** is forgotten by the manifest (the file is
//!   gone; a record of it would only mislead).
//! - A copy that **changed** (a flipped byte, a truncated or grown file, a
//!   file where a folder was) loses its `verified_at`. It then no longer
//!   counts as a copy: the planner copies the backup there again from another
//!   copy if one exists (the new copy replaces the damaged file), and never
//!   deletes it, because only verified copies are ever deleted.
//! - A copy that cannot be read (permissions, an I/O error) is reported and
//!   left as it was.
//!
//! The manifest's `last_verified` is set when every copy in it was read. Files
//! the manifest does not list are reported as unexpected and left alone. This
//! module reads copies and writes only the manifest (atomically); it never
//! changes, moves or deletes a copy.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::content_hash::hash_path_from_disk;
use crate::inventory::{CopyRecord, EntryKind, Manifest, StrayFile, StrayReason};

/// What became of one copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Finding {
    Ok,
    Missing,
    Changed { detail: String },
    Unreadable { error: String },
}

impl Finding {
    /// Whether this is rot: the copy is gone or no longer what was written.
    pub fn is_rot(&self) -> bool {
        matches!(self, Finding::Missing | Finding::Changed { .. })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CopyCheck {
    pub name: String,
    pub size: u64,
    #[serde(flatten)]
    pub finding: Finding,
}

/// One copies folder, verified.
#[derive(Debug, Clone, Serialize)]
pub struct FolderReport {
    /// The disk label or off-site target name.
    pub location: String,
    pub path: PathBuf,
    pub copies: Vec<CopyCheck>,
    /// Files the manifest does not list (never touched).
    pub unexpected: Vec<String>,
    /// Why the folder could not be verified at all (its manifest).
    pub error: Option<String>,
    pub bytes_read: u64,
}

impl FolderReport {
    pub fn count(&self, wanted: fn(&Finding) -> bool) -> usize {
        self.copies.iter().filter(|c| wanted(&c.finding)).count()
    }

    pub fn has_rot(&self) -> bool {
        self.copies.iter().any(|c| c.finding.is_rot())
    }
}

/// What a folder's verification is doing, for a progress display.
pub enum Event<'a> {
    /// A folder starts: its location, how many copies and bytes to read.
    Folder {
        location: &'a str,
        copies: usize,
        bytes: u64,
    },
    /// A copy starts.
    Copy { name: &'a str },
    /// Bytes read.
    Read(u64),
    /// A copy is done.
    Done { name: &'a str, finding: &'a Finding },
}

/// A folder to verify: where it is and how the scan saw it.
pub struct Folder<'a> {
    pub location: &'a str,
    pub path: PathBuf,
    /// The disk id the manifest must name (None for staging folders).
    pub disk_id: Option<&'a str>,
    /// Strays the scanner found there, reported as unexpected.
    pub strays: &'a [StrayFile],
}

/// Re-hashes every copy the folder's manifest lists and records the result.
pub fn verify_folder(
    folder: &Folder,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Event),
) -> FolderReport {
    let mut report = FolderReport {
        location: folder.location.to_string(),
        path: folder.path.clone(),
        copies: Vec::new(),
        unexpected: unexpected(folder.strays),
        error: None,
        bytes_read: 0,
    };
    let mut manifest = match load(folder) {
        Ok(manifest) => manifest,
        Err(error) => {
            report.error = Some(error);
            return report;
        }
    };
    let records: Vec<CopyRecord> = manifest.copies().values().cloned().collect();
    progress(Event::Folder {
        location: folder.location,
        copies: records.len(),
        bytes: records.iter().map(|r| r.size).sum(),
    });
    for record in records {
        progress(Event::Copy { name: &record.name });
        let stored =
            crate::inventory::offsite_names::Stored::of_record(&record).name_for(&record.name);
        let finding = check_copy(&folder.path.join(stored), &record, &mut |bytes| {
            report.bytes_read += bytes;
            progress(Event::Read(bytes));
        });
        progress(Event::Done {
            name: &record.name,
            finding: &finding,
        });
        apply_finding(&mut manifest, record.clone(), &finding, now);
        report.copies.push(CopyCheck {
            name: record.name,
            size: record.size,
            finding,
        });
    }
    if !report
        .copies
        .iter()
        .any(|c| matches!(c.finding, Finding::Unreadable { .. }))
    {
        manifest.last_verified = Some(now);
    }
    if let Err(error) = manifest.save(&folder.path) {
        report.error = Some(format!("the results could not be recorded: {error}"));
    }
    report
}

fn load(folder: &Folder) -> Result<Manifest, String> {
    let manifest = Manifest::load(&folder.path)
        .map_err(|error| error.to_string())?
        .ok_or_else(|| {
            String::from("it has no manifest yet: rota has not copied anything there")
        })?;
    match folder.disk_id {
        Some(id) if manifest.disk_id != id => Err(format!(
            "its manifest belongs to disk {}, not to this disk ({id}); rota trusts nothing on it",
            manifest.disk_id
        )),
        _ => Ok(manifest),
    }
}

fn unexpected(strays: &[StrayFile]) -> Vec<String> {
    strays
        .iter()
        .filter(|stray| stray.why != StrayReason::SizeMismatch)
        .map(|stray| stray.name.clone())
        .collect()
}

/// Re-hashes one copy against its record.
fn check_copy(path: &Path, record: &CopyRecord, observe: &mut dyn FnMut(u64)) -> Finding {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Finding::Missing,
        Err(error) => {
            return Finding::Unreadable {
                error: error.to_string(),
            };
        }
    };
    let kind = if metadata.is_file() {
        EntryKind::File
    } else if metadata.is_dir() {
        EntryKind::Bundle
    } else {
        return changed("it is now a link or a special file");
    };
    // An encrypted copy is one file whatever the backup was (a bundle is a
    // tar stream inside the ciphertext).
    let stored_kind = if record.ciphertext_hash.is_some() {
        EntryKind::File
    } else {
        record.kind
    };
    if kind != stored_kind {
        return changed(match kind {
            EntryKind::File => "it is now a file; a folder was copied",
            EntryKind::Bundle => "it is now a folder; a file was copied",
        });
    }
    // Encrypted copies are checked against the ciphertext's hash; their size
    // on disk is not the recorded (plaintext) size.
    let expected = record.ciphertext_hash.as_deref().unwrap_or(&record.hash);
    if kind == EntryKind::File && record.ciphertext_hash.is_none() && metadata.len() != record.size
    {
        let how = if metadata.len() < record.size {
            "truncated"
        } else {
            "grown"
        };
        return changed(&format!(
            "{how}: {} bytes on disk, {} copied",
            metadata.len(),
            record.size
        ));
    }
    match hash_path_from_disk(path, observe) {
        Ok(hash) if hash == expected => Finding::Ok,
        Ok(hash) => changed(&format!(
            "its content changed (hash {} instead of {})",
            &hash[..12],
            &expected[..expected.len().min(12)]
        )),
        Err(error) if error.kind() == std::io::ErrorKind::InvalidData => {
            changed(&error.to_string())
        }
        Err(error) => Finding::Unreadable {
            error: error.to_string(),
        },
    }
}

fn changed(detail: &str) -> Finding {
    Finding::Changed {
        detail: detail.to_string(),
    }
}

/// Records a finding in the manifest.
fn apply_finding(
    manifest: &mut Manifest,
    mut record: CopyRecord,
    finding: &Finding,
    now: DateTime<Utc>,
) {
    match finding {
        Finding::Ok => {
            manifest.mark_verified(&record.name, now);
        }
        Finding::Missing => {
            manifest.remove(&record.name);
        }
        Finding::Changed { .. } => {
            record.verified_at = None;
            manifest.record(record);
        }
        Finding::Unreadable { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content_hash::{hash_bundle, hash_file};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 31, 22, 0, 0).unwrap()
    }

    /// A copies folder with a file and a bundle copy recorded in its manifest.
    fn folder_with_copies() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("b_2026-03-30"), vec![7u8; 3000]).unwrap();
        std::fs::create_dir_all(root.join("b_2026-03-31/Contents")).unwrap();
        std::fs::write(root.join("b_2026-03-31/Contents/data"), b"bundle data").unwrap();
        let mut manifest = Manifest::new("disk-1", "MON");
        for (name, kind, hash, size) in [
            (
                "b_2026-03-30",
                EntryKind::File,
                hash_file(&root.join("b_2026-03-30")).unwrap(),
                3000,
            ),
            (
                "b_2026-03-31",
                EntryKind::Bundle,
                hash_bundle(&root.join("b_2026-03-31")).unwrap(),
                11,
            ),
        ] {
            manifest.record(CopyRecord {
                name: name.into(),
                size,
                kind,
                hash,
                copied_at: now() - chrono::Duration::days(1),
                verified_at: Some(now() - chrono::Duration::days(1)),
                ciphertext_hash: None,
                fingerprint: None,
            });
        }
        manifest.save(root).unwrap();
        dir
    }

    fn verify(dir: &Path) -> FolderReport {
        let folder = Folder {
            location: "MON",
            path: dir.to_path_buf(),
            disk_id: Some("disk-1"),
            strays: &[],
        };
        verify_folder(&folder, now(), &mut |_| {})
    }

    #[test]
    fn intact_copies_are_marked_verified_now() {
        let dir = folder_with_copies();
        let mut read = 0;
        let folder = Folder {
            location: "MON",
            path: dir.path().to_path_buf(),
            disk_id: Some("disk-1"),
            strays: &[],
        };
        let report = verify_folder(&folder, now(), &mut |event| {
            if let Event::Read(bytes) = event {
                read += bytes;
            }
        });
        assert_eq!(report.count(|f| *f == Finding::Ok), 2, "{report:?}");
        assert_eq!(read, 3011);
        assert_eq!(report.bytes_read, 3011);
        let manifest = Manifest::load(dir.path()).unwrap().unwrap();
        assert_eq!(manifest.last_verified, Some(now()));
        assert!(
            manifest
                .copies()
                .values()
                .all(|c| c.verified_at == Some(now()))
        );
    }

    #[test]
    fn a_flipped_byte_in_a_file_or_a_bundle_is_a_change_and_unverifies_the_copy() {
        let dir = folder_with_copies();
        let file = dir.path().join("b_2026-03-30");
        let mut bytes = std::fs::read(&file).unwrap();
        bytes[1500] ^= 0x01;
        std::fs::write(&file, bytes).unwrap();
        std::fs::write(
            dir.path().join("b_2026-03-31/Contents/data"),
            b"bundle dATa",
        )
        .unwrap();
        let report = verify(dir.path());
        assert_eq!(
            report.count(|f| matches!(f, Finding::Changed { .. })),
            2,
            "{report:?}"
        );
        assert!(report.has_rot());
        let manifest = Manifest::load(dir.path()).unwrap().unwrap();
        assert!(manifest.copies().values().all(|c| c.verified_at.is_none()));
        assert_eq!(manifest.copies().len(), 2, "damaged copies stay recorded");
        assert_eq!(manifest.last_verified, Some(now()));
    }

    #[test]
    fn a_truncated_file_and_a_missing_copy_are_rot() {
        let dir = folder_with_copies();
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(dir.path().join("b_2026-03-30"))
            .unwrap();
        file.set_len(1000).unwrap();
        std::fs::remove_dir_all(dir.path().join("b_2026-03-31")).unwrap();
        let report = verify(dir.path());
        let findings: Vec<&Finding> = report.copies.iter().map(|c| &c.finding).collect();
        assert_eq!(
            findings,
            [
                &Finding::Changed {
                    detail: String::from("truncated: 1000 bytes on disk, 3000 copied")
                },
                &Finding::Missing
            ]
        );
        let manifest = Manifest::load(dir.path()).unwrap().unwrap();
        assert_eq!(
            manifest.copies().keys().collect::<Vec<_>>(),
            ["b_2026-03-30"]
        );
    }

    #[test]
    fn a_manifest_of_another_disk_or_none_is_an_error_and_nothing_changes() {
        let dir = folder_with_copies();
        let before = std::fs::read(dir.path().join(".rota-manifest.json")).unwrap();
        let folder = Folder {
            location: "MON",
            path: dir.path().to_path_buf(),
            disk_id: Some("another"),
            strays: &[],
        };
        let report = verify_folder(&folder, now(), &mut |_| {});
        assert!(report.error.unwrap().contains("belongs to disk disk-1"));
        assert_eq!(
            std::fs::read(dir.path().join(".rota-manifest.json")).unwrap(),
            before
        );
        let empty = tempfile::tempdir().unwrap();
        let report = verify(empty.path());
        assert!(report.error.unwrap().contains("no manifest"));
    }
}
