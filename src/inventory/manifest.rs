//! A disk's manifest, `rota/.rota-manifest.json` in its copies folder (an
//! off-site staging folder keeps one too, in the folder itself): which copies
//! rota wrote there, their sizes and content hashes, when each was copied and
//! verified, and when the whole disk was last re-hashed.
//!
//! ```json
//! {"rota_manifest": 1, "disk_id": "...", "label": "MON", "algorithm": "blake3",
//!  "copies": [{"name": "...", "size": 123, "kind": "file", "hash": "...",
//!              "copied_at": "...", "verified_at": "..."}],
//!  "last_verified": null}
//! ```
//!
//! The executor keeps it up to date with [`Manifest::load_for`], then
//! [`Manifest::record`] / [`Manifest::remove`], then [`Manifest::save`]
//! (atomic). A manifest that is damaged in any way is refused whole: nothing it
//! lists is trusted. This module never touches the copies themselves.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::layout;
use super::model::{CopyRecord, HashAlgorithm};
use super::state_file::{StateFile, StateFileError};

/// The manifest format this rota writes and understands.
pub const MANIFEST_FORMAT: u32 = 1;

/// The copies rota vouches for in one folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The id of the disk's label (for a staging folder: `offsite:NAME`).
    pub disk_id: String,
    pub label: String,
    pub algorithm: HashAlgorithm,
    copies: BTreeMap<String, CopyRecord>,
    /// When every copy was last re-hashed (`rota verify`).
    pub last_verified: Option<DateTime<Utc>>,
}

/// The manifest as stored: copies as a list sorted by name.
#[derive(Deserialize)]
struct ManifestFile {
    rota_manifest: u32,
    disk_id: String,
    label: String,
    #[serde(default)]
    algorithm: HashAlgorithm,
    copies: Vec<CopyRecord>,
    #[serde(default)]
    last_verified: Option<DateTime<Utc>>,
}

/// [`ManifestFile`] borrowed from a [`Manifest`], for writing without a copy.
#[derive(Serialize)]
struct ManifestFileRef<'a> {
    rota_manifest: u32,
    disk_id: &'a str,
    label: &'a str,
    algorithm: HashAlgorithm,
    copies: Vec<&'a CopyRecord>,
    last_verified: Option<DateTime<Utc>>,
}

/// Why a manifest could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Unreadable, damaged, newer, or not written ([`StateFileError`]).
    #[error(transparent)]
    File(#[from] StateFileError),
    #[error(
        "the manifest {} belongs to disk {found}, not to this disk ({expected}); \
         was it copied from another disk?",
        path.display()
    )]
    WrongDisk {
        path: PathBuf,
        found: String,
        expected: String,
    },
}

/// The manifest's rules: tens of megabytes for 100k copies; far more is damage.
const MANIFEST_FILE: StateFile = StateFile {
    what: "the manifest",
    format_key: "rota_manifest",
    format: MANIFEST_FORMAT,
    max_bytes: 1 << 30,
};

impl Manifest {
    /// An empty manifest for a disk (or staging folder) that has none yet.
    pub fn new(disk_id: &str, label: &str) -> Manifest {
        Manifest {
            disk_id: disk_id.to_string(),
            label: label.to_string(),
            algorithm: HashAlgorithm::Blake3,
            copies: BTreeMap::new(),
            last_verified: None,
        }
    }

    /// The manifest in `copies_dir`, `None` if there is none yet.
    pub fn load(copies_dir: &Path) -> Result<Option<Manifest>, ManifestError> {
        let path = layout::manifest_file(copies_dir);
        let Some(file) = MANIFEST_FILE.read(&path, |file: &ManifestFile| file.rota_manifest)?
        else {
            return Ok(None);
        };
        from_file(file, &path).map(Some)
    }

    /// The manifest of the disk `disk_id`: loaded, or new and empty if the
    /// folder has none. One that names another disk is refused.
    pub fn load_for(
        copies_dir: &Path,
        disk_id: &str,
        label: &str,
    ) -> Result<Manifest, ManifestError> {
        match Manifest::load(copies_dir)? {
            None => Ok(Manifest::new(disk_id, label)),
            Some(manifest) if manifest.disk_id == disk_id => Ok(manifest),
            Some(manifest) => Err(ManifestError::WrongDisk {
                path: layout::manifest_file(copies_dir),
                found: manifest.disk_id,
                expected: disk_id.to_string(),
            }),
        }
    }

    /// Writes the manifest into `copies_dir` atomically (the folder must exist).
    pub fn save(&self, copies_dir: &Path) -> Result<(), ManifestError> {
        let path = layout::manifest_file(copies_dir);
        let file = ManifestFileRef {
            rota_manifest: MANIFEST_FORMAT,
            disk_id: &self.disk_id,
            label: &self.label,
            algorithm: self.algorithm,
            copies: self.copies.values().collect(),
            last_verified: self.last_verified,
        };
        Ok(MANIFEST_FILE.write(&path, &file)?)
    }

    /// Records a copy (replacing any record of the same name); returns the old one.
    pub fn record(&mut self, copy: CopyRecord) -> Option<CopyRecord> {
        self.copies.insert(copy.name.clone(), copy)
    }

    /// Forgets a copy (after it was deleted); returns its record.
    pub fn remove(&mut self, name: &str) -> Option<CopyRecord> {
        self.copies.remove(name)
    }

    /// Marks a copy verified at `at`; false if the manifest has no such copy.
    pub fn mark_verified(&mut self, name: &str, at: DateTime<Utc>) -> bool {
        match self.copies.get_mut(name) {
            Some(copy) => {
                copy.verified_at = Some(at);
                true
            }
            None => false,
        }
    }

    pub fn get(&self, name: &str) -> Option<&CopyRecord> {
        self.copies.get(name)
    }

    /// Every recorded copy, by name.
    pub fn copies(&self) -> &BTreeMap<String, CopyRecord> {
        &self.copies
    }

    /// The recorded copies, by name, taken out of the manifest.
    pub fn into_copies(self) -> BTreeMap<String, CopyRecord> {
        self.copies
    }
}

/// The manifest a parsed file holds, once each record is one rota could
/// have written.
fn from_file(file: ManifestFile, path: &Path) -> Result<Manifest, ManifestError> {
    let corrupt = |reason: String| MANIFEST_FILE.corrupt(path, reason);
    let mut copies = BTreeMap::new();
    for copy in file.copies {
        check_record(&copy).map_err(&corrupt)?;
        let name = copy.name.clone();
        if copies.insert(name.clone(), copy).is_some() {
            return Err(corrupt(format!("it lists {name} twice")).into());
        }
    }
    Ok(Manifest {
        disk_id: file.disk_id,
        label: file.label,
        algorithm: file.algorithm,
        copies,
        last_verified: file.last_verified,
    })
}

/// A record must name a plain entry of the folder and carry a BLAKE3 hash: a
/// manifest that says otherwise was not written by rota and steers nothing.
fn check_record(copy: &CopyRecord) -> Result<(), String> {
    let name = copy.name.as_str();
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\', '\0'])
        || layout::is_reserved(name)
    {
        return Err(format!("it lists an impossible name {name:?}"));
    }
    if copy.hash.len() != 64 || !copy.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("the hash of {name} is not a BLAKE3 hash"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::EntryKind;
    use crate::inventory::atomic::tests::names_in;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 31, hour, 0, 0).unwrap()
    }

    fn copy(name: &str, size: u64) -> CopyRecord {
        CopyRecord {
            name: name.to_string(),
            size,
            kind: EntryKind::File,
            hash: "ab".repeat(32),
            copied_at: at(1),
            verified_at: None,
            ciphertext_hash: None,
            fingerprint: None,
        }
    }

    #[test]
    fn record_save_load_round_trips_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::load_for(dir.path(), "id1", "MON").unwrap();
        assert!(manifest.copies().is_empty());
        manifest.record(copy("b", 2));
        manifest.record(copy("a", 1));
        assert!(manifest.mark_verified("a", at(2)));
        assert!(!manifest.mark_verified("zzz", at(2)));
        manifest.save(dir.path()).unwrap();
        manifest.remove("b");
        manifest.save(dir.path()).unwrap();
        assert_eq!(names_in(dir.path()), [layout::MANIFEST_FILE]);
        let loaded = Manifest::load(dir.path()).unwrap().unwrap();
        assert_eq!(loaded, manifest);
        assert_eq!(loaded.get("a").unwrap().verified_at, Some(at(2)));
    }

    #[test]
    fn the_file_lists_copies_sorted_and_names_the_algorithm() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::new("id1", "MON");
        manifest.record(copy("b", 2));
        manifest.record(copy("a", 1));
        manifest.save(dir.path()).unwrap();
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(layout::manifest_file(dir.path())).unwrap())
                .unwrap();
        assert_eq!(value["rota_manifest"], 1);
        assert_eq!(value["algorithm"], "blake3");
        assert_eq!(value["copies"][0]["name"], "a");
        assert_eq!(value["copies"][1]["name"], "b");
    }

    #[test]
    fn a_manifest_of_another_disk_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        Manifest::new("other", "MON").save(dir.path()).unwrap();
        assert!(matches!(
            Manifest::load_for(dir.path(), "mine", "MON"),
            Err(ManifestError::WrongDisk { .. })
        ));
    }

    #[test]
    fn damaged_manifests_are_refused_whole() {
        let dir = tempfile::tempdir().unwrap();
        let good = serde_json::to_value(copy("a", 1)).unwrap();
        let mut bad_hash = good.clone();
        bad_hash["hash"] = "xyz".into();
        let mut escaping = good.clone();
        escaping["name"] = "../etc".into();
        for copies in [
            serde_json::json!([good, good]),
            serde_json::json!([bad_hash]),
            serde_json::json!([escaping]),
        ] {
            let text = serde_json::json!({
                "rota_manifest": 1, "disk_id": "d", "label": "MON", "copies": copies
            });
            std::fs::write(layout::manifest_file(dir.path()), text.to_string()).unwrap();
            assert!(
                matches!(
                    Manifest::load(dir.path()),
                    Err(ManifestError::File(StateFileError::Corrupt { .. }))
                ),
                "{text}"
            );
        }
        std::fs::write(layout::manifest_file(dir.path()), "{\"rota_manifest\": 1,").unwrap();
        assert!(matches!(
            Manifest::load(dir.path()),
            Err(ManifestError::File(StateFileError::Corrupt { .. }))
        ));
        std::fs::write(
            layout::manifest_file(dir.path()),
            r#"{"rota_manifest": 7, "copies": "who knows"}"#,
        )
        .unwrap();
        assert!(matches!(
            Manifest::load(dir.path()),
            Err(ManifestError::File(StateFileError::NewerFormat {
                version: 7,
                ..
            }))
        ));
    }

    #[test]
    fn a_missing_manifest_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), None);
    }
}
