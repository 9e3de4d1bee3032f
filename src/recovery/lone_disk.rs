//! A disk read on its own, with no policy and no server (`rota restore
//! --disk PATH`): its label file says which disk it is, its manifest which
//! copies rota wrote there and what each hashed to. That is all a restore
//! needs, so a person holding one rotation disk and the rota binary can list
//! and restore what it holds after the server is gone.
//!
//! When the manifest is missing or damaged, the list is rebuilt from what is
//! in the copies folder: every file or folder there that is not rota's own,
//! with no recorded hash, so a restore of one of them says it could not be
//! verified. A folder of copies without a label (an off-site staging folder,
//! or one downloaded from the cloud) is read the same way.
//!
//! This module only reads: it never writes a label, a manifest or a copy,
//! and it never follows a symbolic link.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use super::choose::{NotFound, Wanted};
use super::name_date::date_in_name;
use super::source::{CopySource, Expected, Origin};
use crate::inventory::offsite_names::{self, Stored};
use crate::inventory::{
    CopyRecord, DiskLabel, EntryKind, Manifest, ManifestError, StateFileError, bundle_size, layout,
    read_label,
};

/// A disk (or folder of copies) as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoneDisk {
    /// The path given.
    pub path: PathBuf,
    /// Where the copies are (`PATH/rota` on a labelled disk).
    pub copies_dir: PathBuf,
    pub label: Option<DiskLabel>,
    /// Why the label file could not be used, when there is one.
    pub label_problem: Option<String>,
    pub manifest: ManifestState,
    /// The manifest's label ("MON", or an off-site target's name).
    pub manifest_label: Option<String>,
    /// When every copy was last re-hashed (`rota verify`).
    pub last_verified: Option<DateTime<Utc>>,
    /// What the folder holds, oldest first (by the date in the name, then name).
    pub entries: Vec<DiskEntry>,
    /// Copies the manifest records that are not in the folder.
    pub missing: Vec<CopyRecord>,
}

impl LoneDisk {
    /// Nothing in its copies folder and nothing recorded: a freshly labelled
    /// disk (with or without the empty manifest `rota disk init` writes).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
            && self.missing.is_empty()
            && !matches!(self.manifest, ManifestState::Damaged { .. })
    }
}

/// Whether the disk's own record of its copies could be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestState {
    Trusted,
    /// No manifest: the list was rebuilt from the folder.
    Missing,
    /// A manifest rota cannot trust: the list was rebuilt from the folder,
    /// with the `salvaged` records that were still whole (see
    /// [`super::salvage`]).
    Damaged {
        reason: String,
        salvaged: usize,
    },
}

impl ManifestState {
    pub fn rebuilt(&self) -> bool {
        !matches!(self, ManifestState::Trusted)
    }
}

/// One backup in the copies folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskEntry {
    /// The backup's name (an encrypted copy's without `.age` / `.tar.age`).
    pub name: String,
    pub kind: EntryKind,
    pub stored: Stored,
    pub path: PathBuf,
    /// Bytes on the disk (a bundle: its files'; an encrypted copy: the
    /// ciphertext's).
    pub size_on_disk: u64,
    /// The date in its name.
    pub date: Option<NaiveDate>,
    /// The manifest's record (a trusted manifest, or one still whole in a
    /// damaged one).
    pub record: Option<CopyRecord>,
}

impl DiskEntry {
    /// The backup's size: as recorded, else as found.
    pub fn size(&self) -> u64 {
        self.record.as_ref().map_or(self.size_on_disk, |r| r.size)
    }

    /// Whether the entry on disk is not the size its record says (a plain
    /// copy only: an encrypted one is bigger than its backup).
    pub fn size_differs(&self) -> bool {
        !self.stored.is_encrypted()
            && self
                .record
                .as_ref()
                .is_some_and(|r| r.size != self.size_on_disk)
    }

    pub fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.record.as_ref().and_then(|r| r.verified_at)
    }
}

/// Why a path could not be read as a disk.
#[derive(Debug, thiserror::Error)]
pub enum LoneDiskError {
    #[error("{} does not exist", path.display())]
    Missing { path: PathBuf },
    #[error("{} is not a rota disk: it has no label file ({}) and no `{}` folder of copies", path.display(), layout::LABEL_FILE, layout::COPIES_DIR)]
    NotADisk { path: PathBuf },
    #[error("cannot read {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: io::Error },
}

/// Reads the disk (or folder of copies) at `path`.
pub fn read_disk(path: &Path) -> Result<LoneDisk, LoneDiskError> {
    let metadata = std::fs::metadata(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => LoneDiskError::Missing {
            path: path.to_path_buf(),
        },
        _ => LoneDiskError::Unreadable {
            path: path.to_path_buf(),
            source,
        },
    })?;
    if !metadata.is_dir() {
        return Err(LoneDiskError::NotADisk {
            path: path.to_path_buf(),
        });
    }
    let (mount, copies_dir) = locate(path)?;
    let (label, label_problem) = match mount.as_deref().map(read_label) {
        None | Some(Ok(None)) => (None, None),
        Some(Ok(Some(label))) => (Some(label), None),
        Some(Err(error)) => (None, Some(error.to_string())),
    };
    let (manifest, state) = load_manifest(&copies_dir, label.as_ref());
    let mut disk = LoneDisk {
        path: path.to_path_buf(),
        copies_dir: copies_dir.clone(),
        label,
        label_problem,
        manifest: state,
        manifest_label: manifest.as_ref().map(|m| m.label.clone()),
        last_verified: manifest.as_ref().and_then(|m| m.last_verified),
        entries: Vec::new(),
        missing: Vec::new(),
    };
    disk.entries = list_entries(&copies_dir, manifest.as_ref())?;
    if let Some(manifest) = &manifest {
        let found: BTreeSet<&str> = disk.entries.iter().map(|e| e.name.as_str()).collect();
        disk.missing = manifest
            .copies()
            .values()
            .filter(|r| !found.contains(r.name.as_str()))
            .cloned()
            .collect();
    }
    Ok(disk)
}

/// The disk's root (where a label file would be) and its copies folder: the
/// path may be the disk, its `rota` folder, or a folder of copies with a
/// manifest (an off-site staging folder).
fn locate(path: &Path) -> Result<(Option<PathBuf>, PathBuf), LoneDiskError> {
    let is = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    if is(&layout::label_file(path)) || layout::copies_dir(path).is_dir() {
        return Ok((Some(path.to_path_buf()), layout::copies_dir(path)));
    }
    if is(&layout::manifest_file(path)) {
        let parent = path
            .parent()
            .filter(|p| path.ends_with(layout::COPIES_DIR) && is(&layout::label_file(p)));
        return Ok((parent.map(Path::to_path_buf), path.to_path_buf()));
    }
    Err(LoneDiskError::NotADisk {
        path: path.to_path_buf(),
    })
}

/// The manifest, when it can be trusted (or what is still whole in a damaged
/// one), and what became of it.
fn load_manifest(
    copies_dir: &Path,
    label: Option<&DiskLabel>,
) -> (Option<Manifest>, ManifestState) {
    let damaged = |error: ManifestError, salvaged: usize| ManifestState::Damaged {
        reason: error.to_string(),
        salvaged,
    };
    match Manifest::load(copies_dir) {
        Ok(None) => (None, ManifestState::Missing),
        Ok(Some(manifest)) => match label {
            Some(label) if label.id != manifest.disk_id => {
                let error = ManifestError::WrongDisk {
                    path: layout::manifest_file(copies_dir),
                    found: manifest.disk_id,
                    expected: label.id.clone(),
                };
                (None, damaged(error, 0))
            }
            _ => (Some(manifest), ManifestState::Trusted),
        },
        Err(error @ ManifestError::File(StateFileError::Corrupt { .. })) => {
            match salvaged(copies_dir, label) {
                Some(manifest) => {
                    let count = manifest.copies().len();
                    (Some(manifest), damaged(error, count))
                }
                None => (None, damaged(error, 0)),
            }
        }
        Err(error) => (None, damaged(error, 0)),
    }
}

/// The whole records of a damaged manifest, as a manifest, when there are
/// any and it is this disk's (its id, when still readable, is the label's).
fn salvaged(copies_dir: &Path, label: Option<&DiskLabel>) -> Option<Manifest> {
    let bytes = std::fs::read(layout::manifest_file(copies_dir)).ok()?;
    let found = super::salvage::salvage(&bytes);
    let id = match (label, found.disk_id) {
        (Some(label), Some(id)) if label.id != id => return None,
        (Some(label), _) => label.id.clone(),
        (None, id) => id.unwrap_or_default(),
    };
    if found.records.is_empty() {
        return None;
    }
    let mut manifest = Manifest::new(&id, label.map_or("", |l| l.label.as_str()));
    for record in found.records {
        manifest.record(record);
    }
    Some(manifest)
}

/// Every backup-like entry of the copies folder: not rota's own files, not a
/// symbolic link, a file or a folder.
fn list_entries(
    copies_dir: &Path,
    manifest: Option<&Manifest>,
) -> Result<Vec<DiskEntry>, LoneDiskError> {
    let unreadable = |source| LoneDiskError::Unreadable {
        path: copies_dir.to_path_buf(),
        source,
    };
    let listing = match std::fs::read_dir(copies_dir) {
        Ok(listing) => listing,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(unreadable(error)),
    };
    let mut entries = Vec::new();
    for item in listing {
        let item = item.map_err(unreadable)?;
        let Ok(on_disk) = item.file_name().into_string() else {
            continue;
        };
        if layout::is_reserved(&on_disk) {
            continue;
        }
        let path = item.path();
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let (kind_on_disk, size_on_disk) = if metadata.is_file() {
            (EntryKind::File, metadata.len())
        } else if metadata.is_dir() {
            (EntryKind::Bundle, bundle_size(&path).0)
        } else {
            continue;
        };
        entries.push(entry(on_disk, path, kind_on_disk, size_on_disk, manifest));
    }
    entries.sort_by(|a, b| (a.date, &a.name).cmp(&(b.date, &b.name)));
    Ok(entries)
}

/// What one name in the copies folder is: the manifest's record when it
/// vouches for exactly this name, else a backup known only by its name.
fn entry(
    on_disk: String,
    path: PathBuf,
    kind_on_disk: EntryKind,
    size_on_disk: u64,
    manifest: Option<&Manifest>,
) -> DiskEntry {
    let recorded = manifest.and_then(|manifest| {
        let (name, _) = offsite_names::parse(&on_disk, |name| manifest.get(name).is_some())?;
        let record = manifest.get(&name)?;
        let stored = Stored::of_record(record);
        let shape_on_disk = if stored.is_single_file() {
            EntryKind::File
        } else {
            EntryKind::Bundle
        };
        (stored.name_for(&name) == on_disk && shape_on_disk == kind_on_disk)
            .then(|| (name, stored, record.clone()))
    });
    let (name, stored, record) = match recorded {
        Some((name, stored, record)) => (name, stored, Some(record)),
        None => {
            let (name, stored) = match offsite_names::parse(&on_disk, |_| true) {
                Some((_, Stored::Plain(_))) | None => {
                    (on_disk.clone(), Stored::Plain(kind_on_disk))
                }
                Some((name, shape)) if kind_on_disk == EntryKind::File => (name, shape),
                Some(_) => (on_disk.clone(), Stored::Plain(kind_on_disk)),
            };
            (name, stored, None)
        }
    };
    DiskEntry {
        date: date_in_name(&name),
        kind: stored.backup_kind(),
        name,
        stored,
        path,
        size_on_disk,
        record,
    }
}

impl LoneDisk {
    /// Where the copies come from, for messages and the audit log.
    pub fn origin(&self) -> Origin {
        match &self.label {
            Some(label) => Origin::Disk {
                label: label.label.clone(),
                id: label.id.clone(),
            },
            None => Origin::Folder {
                name: self.manifest_label.clone().unwrap_or_else(|| {
                    self.path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| self.path.display().to_string())
                }),
            },
        }
    }

    /// "disk MON", "off-site folder cloud".
    pub fn words(&self) -> String {
        self.origin().words()
    }

    /// The entry `wanted` names.
    pub fn pick(&self, wanted: &Wanted) -> Result<&DiskEntry, NotFound> {
        match wanted {
            Wanted::Name(name) => self
                .entries
                .iter()
                .find(|e| &e.name == name)
                .ok_or_else(|| {
                    let date = date_in_name(name);
                    NotFound::Name {
                        name: name.clone(),
                        same_day: self
                            .entries
                            .iter()
                            .filter(|e| date.is_some() && e.date == date)
                            .map(|e| e.name.clone())
                            .collect(),
                    }
                }),
            Wanted::Date(date) => self
                .entries
                .iter()
                .rev()
                .find(|e| e.date == Some(*date))
                .ok_or_else(|| NotFound::Date {
                    date: *date,
                    before: self
                        .entries
                        .iter()
                        .filter_map(|e| e.date)
                        .filter(|d| d < date)
                        .max(),
                    after: self
                        .entries
                        .iter()
                        .filter_map(|e| e.date)
                        .filter(|d| d > date)
                        .min(),
                }),
            Wanted::Latest => self
                .entries
                .iter()
                .rfind(|e| e.date.is_some())
                .or(self.entries.last())
                .ok_or(NotFound::Nothing),
        }
    }

    /// The copy of `entry` a restore reads.
    pub fn source(&self, entry: &DiskEntry) -> CopySource {
        CopySource {
            name: entry.name.clone(),
            kind: entry.kind,
            origin: self.origin(),
            path: entry.path.clone(),
            stored: entry.stored,
            expected: entry.record.clone().map(|record| Expected {
                record,
                recorded_by: match self.manifest {
                    ManifestState::Trusted => format!("{}'s manifest", self.words()),
                    _ => format!("{}'s damaged manifest (a record still whole)", self.words()),
                },
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content_hash::hash_path;
    use crate::inventory::write_label;

    fn record(name: &str, path: &Path, kind: EntryKind) -> CopyRecord {
        CopyRecord {
            name: name.to_string(),
            size: match kind {
                EntryKind::File => std::fs::metadata(path).unwrap().len(),
                EntryKind::Bundle => bundle_size(path).0,
            },
            kind,
            hash: hash_path(path).unwrap(),
            copied_at: DateTime::UNIX_EPOCH,
            verified_at: Some(DateTime::UNIX_EPOCH),
            ciphertext_hash: None,
            fingerprint: None,
        }
    }

    /// A labelled disk holding a file and a bundle, with its manifest.
    fn disk() -> (tempfile::TempDir, DiskLabel) {
        let dir = tempfile::tempdir().unwrap();
        let label = write_label(dir.path(), "MON", DateTime::UNIX_EPOCH).unwrap();
        let copies = layout::copies_dir(dir.path());
        std::fs::create_dir_all(copies.join("B_2026-03-30.bak/Contents")).unwrap();
        std::fs::write(copies.join("B_2026-03-30.bak/Contents/data"), b"bundle").unwrap();
        std::fs::write(copies.join("B_2026-03-31.bak"), b"file").unwrap();
        let mut manifest = Manifest::new(&label.id, "MON");
        for (name, kind) in [
            ("B_2026-03-30.bak", EntryKind::Bundle),
            ("B_2026-03-31.bak", EntryKind::File),
        ] {
            manifest.record(record(name, &copies.join(name), kind));
        }
        manifest.save(&copies).unwrap();
        (dir, label)
    }

    #[test]
    fn a_labelled_disk_lists_its_copies_with_their_records() {
        let (dir, label) = disk();
        std::fs::write(
            layout::copies_dir(dir.path()).join(".rota-partial-x-B"),
            b"",
        )
        .unwrap();
        let found = read_disk(dir.path()).unwrap();
        assert_eq!(found.label, Some(label));
        assert_eq!(found.manifest, ManifestState::Trusted);
        let names: Vec<&str> = found.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["B_2026-03-30.bak", "B_2026-03-31.bak"]);
        assert!(
            found
                .entries
                .iter()
                .all(|e| e.record.is_some() && !e.size_differs())
        );
        assert_eq!(found.entries[0].kind, EntryKind::Bundle);
        assert_eq!(found.entries[0].size(), 6);
        // The copies folder itself reads the same.
        let inner = read_disk(&layout::copies_dir(dir.path())).unwrap();
        assert_eq!(inner.label, found.label);
        assert_eq!(inner.entries, found.entries);
    }

    #[test]
    fn without_a_manifest_the_list_is_rebuilt_from_the_folder() {
        let (dir, _) = disk();
        let copies = layout::copies_dir(dir.path());
        std::fs::remove_file(layout::manifest_file(&copies)).unwrap();
        std::fs::write(copies.join("B_2026-04-01.bak.tar.age"), b"age").unwrap();
        let found = read_disk(dir.path()).unwrap();
        assert_eq!(found.manifest, ManifestState::Missing);
        assert!(found.entries.iter().all(|e| e.record.is_none()));
        let encrypted = &found.entries[2];
        assert_eq!(encrypted.name, "B_2026-04-01.bak");
        assert_eq!(encrypted.stored, Stored::EncryptedBundle);
        assert_eq!(encrypted.kind, EntryKind::Bundle);
        std::fs::write(layout::manifest_file(&copies), b"{\"rota_manifest\": 1,").unwrap();
        assert!(matches!(
            read_disk(dir.path()).unwrap().manifest,
            ManifestState::Damaged { salvaged: 0, .. }
        ));
    }

    #[test]
    fn a_damaged_manifest_keeps_the_records_still_whole() {
        let (dir, _) = disk();
        let path = layout::manifest_file(&layout::copies_dir(dir.path()));
        let text = std::fs::read_to_string(&path).unwrap();
        // Cut inside the second record.
        let cut = text.find("\"B_2026-03-31.bak\"").unwrap();
        std::fs::write(&path, &text[..cut]).unwrap();
        let found = read_disk(dir.path()).unwrap();
        assert!(
            matches!(found.manifest, ManifestState::Damaged { salvaged: 1, .. }),
            "{:?}",
            found.manifest
        );
        let recorded: Vec<(&str, bool)> = found
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.record.is_some()))
            .collect();
        assert_eq!(
            recorded,
            [("B_2026-03-30.bak", true), ("B_2026-03-31.bak", false)]
        );
        let source = found.source(&found.entries[0]);
        assert!(
            source
                .expected
                .unwrap()
                .recorded_by
                .contains("damaged manifest")
        );
    }

    #[test]
    fn the_wanted_backup_is_picked_by_name_date_or_as_the_latest() {
        let (dir, _) = disk();
        let found = read_disk(dir.path()).unwrap();
        let pick = |wanted: Wanted| found.pick(&wanted).map(|e| e.name.clone());
        assert_eq!(pick(Wanted::Latest).unwrap(), "B_2026-03-31.bak");
        assert_eq!(
            pick(Wanted::Date("2026-03-30".parse().unwrap())).unwrap(),
            "B_2026-03-30.bak"
        );
        assert_eq!(
            pick(Wanted::Date("2026-03-29".parse().unwrap())),
            Err(NotFound::Date {
                date: "2026-03-29".parse().unwrap(),
                before: None,
                after: Some("2026-03-30".parse().unwrap()),
            })
        );
        assert!(matches!(
            pick(Wanted::Name("B_2026-03-31.bak.zip".into())),
            Err(NotFound::Name { same_day, .. }) if same_day == ["B_2026-03-31.bak"]
        ));
    }

    #[test]
    fn a_manifest_copied_from_another_disk_is_not_trusted() {
        let (dir, _) = disk();
        write_label(dir.path(), "MON", DateTime::UNIX_EPOCH).unwrap();
        let found = read_disk(dir.path()).unwrap();
        assert!(
            matches!(found.manifest, ManifestState::Damaged { .. }),
            "{:?}",
            found.manifest
        );
    }

    #[test]
    fn a_folder_that_is_no_disk_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_disk(dir.path()),
            Err(LoneDiskError::NotADisk { .. })
        ));
        assert!(matches!(
            read_disk(&dir.path().join("nowhere")),
            Err(LoneDiskError::Missing { .. })
        ));
    }
}
