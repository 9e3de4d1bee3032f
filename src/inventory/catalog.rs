//! The server's catalog, `state_dir/catalog.json`: every disk rota has ever seen,
//! by id, as it was when last connected (label, when, where, space, copies,
//! last full verification), and what each off-site target's remote was last
//! known to hold. It lets the planner reason about a disk that sits in a safe.
//!
//! Who writes it: the commands that look at disks and act on them (`apply`,
//! `disk list`, `verify`) merge what they saw with [`Catalog::merge_scan`] and
//! [`Catalog::save`]. `plan` only reads it, so a dry run changes nothing.
//!
//! A disk that is never connected again stays in the catalog: forgetting it
//! would make its copies look lost. This module never touches the disks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::fsinfo::Space;
use super::layout;
use super::model::{CopyRecord, DiskView};
use super::state_file::{StateFile, StateFileError};

/// The catalog format this rota writes and understands.
pub const CATALOG_FORMAT: u32 = 1;

/// What the server remembers about disks and remotes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Catalog {
    /// Disks by id.
    pub disks: BTreeMap<String, CatalogDisk>,
    /// Off-site targets by name.
    pub targets: BTreeMap<String, CatalogTarget>,
}

/// A disk as last seen connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogDisk {
    pub label: String,
    pub last_seen: DateTime<Utc>,
    /// Where it was mounted then (for messages only: disks are known by id).
    #[serde(default)]
    pub last_mount: Option<PathBuf>,
    #[serde(default)]
    pub space: Option<Space>,
    #[serde(default)]
    pub network_fs: Option<String>,
    #[serde(default)]
    pub last_verified: Option<DateTime<Utc>>,
    /// The copies the disk's manifest vouched for (and that were present).
    #[serde(default, with = "copy_list")]
    pub copies: BTreeMap<String, CopyRecord>,
    /// When `rota disk retire` took it out of the rotation: it is no longer
    /// one of the absent disks the planner reasons about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<DateTime<Utc>>,
}

/// An off-site target's remote as last listed and checked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CatalogTarget {
    #[serde(default)]
    pub checked_at: Option<DateTime<Utc>>,
    /// Copies on the remote, by backup name: the backup's own record (plaintext
    /// size and hash, `ciphertext_hash` when encrypted); `verified_at` is when
    /// the remote object was last found equal to the staged one.
    #[serde(default, with = "copy_list")]
    pub remote: BTreeMap<String, CopyRecord>,
    /// How each remote copy was checked, by backup name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, RemoteCheck>,
}

/// How a remote copy was found equal to the staged one: the object's name and
/// size on the remote and the hash both sides computed (see
/// `crate::offsite::remote`), so it can be checked again the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteCheck {
    /// The object's name in the remote folder (`NAME.age`, ...).
    pub object: String,
    /// Bytes on the remote (the ciphertext's, for an encrypted copy).
    pub size: u64,
    /// `md5`, `sha1`, ... as rclone names it, `blake3-read-back`, or
    /// `rclone-check` for a folder.
    pub hash_type: String,
    /// The hash both sides agreed on (empty for a folder).
    pub hash: String,
}

#[derive(Deserialize)]
struct CatalogFile {
    rota_catalog: u32,
    #[serde(default)]
    disks: BTreeMap<String, CatalogDisk>,
    #[serde(default)]
    targets: BTreeMap<String, CatalogTarget>,
}

/// [`CatalogFile`] borrowed from a [`Catalog`], for writing without a copy.
#[derive(Serialize)]
struct CatalogFileRef<'a> {
    rota_catalog: u32,
    disks: &'a BTreeMap<String, CatalogDisk>,
    targets: &'a BTreeMap<String, CatalogTarget>,
}

/// Why the catalog could not be used.
pub type CatalogError = StateFileError;

/// The catalog's rules: tens of megabytes for 100k copies; far more is damage.
pub const CATALOG_FILE: StateFile = StateFile {
    what: "the catalog",
    format_key: "rota_catalog",
    format: CATALOG_FORMAT,
    max_bytes: 1 << 30,
};

impl Catalog {
    pub fn path(state_dir: &Path) -> PathBuf {
        state_dir.join(layout::CATALOG_FILE)
    }

    /// The catalog in `state_dir`; empty if there is none yet.
    pub fn load(state_dir: &Path) -> Result<Catalog, CatalogError> {
        let path = Catalog::path(state_dir);
        let Some(file) = CATALOG_FILE.read(&path, |file: &CatalogFile| file.rota_catalog)? else {
            return Ok(Catalog::default());
        };
        Ok(Catalog {
            disks: file.disks,
            targets: file.targets,
        })
    }

    /// Writes the catalog atomically, creating `state_dir` if needed.
    pub fn save(&self, state_dir: &Path) -> Result<(), CatalogError> {
        let path = Catalog::path(state_dir);
        std::fs::create_dir_all(state_dir)
            .map_err(|source| CATALOG_FILE.write_error(&path, source))?;
        let file = CatalogFileRef {
            rota_catalog: CATALOG_FORMAT,
            disks: &self.disks,
            targets: &self.targets,
        };
        CATALOG_FILE.write(&path, &file)
    }

    /// Records what a scan saw: every connected disk becomes (or updates) its
    /// entry, seen `now`. Disks not connected keep their entries untouched.
    ///
    /// A disk's copies are what the catalog already recorded and the disk
    /// still holds (the scan judged its manifest against this catalog, see
    /// [`super::provenance`]): a copy the catalog never recorded is not
    /// taken from the manifest, and a copy gone from the disk is forgotten.
    /// Only [`Catalog::record_copy`] (the executor, after it wrote and
    /// verified a copy) adds one.
    pub fn merge_scan(&mut self, connected: &[DiskView], now: DateTime<Utc>) {
        for disk in connected {
            let Some(mount) = &disk.mount else { continue };
            let copies = disk
                .copies
                .iter()
                .filter(|(name, _)| !disk.unconfirmed.contains(*name))
                .map(|(name, record)| (name.clone(), record.clone()))
                .collect();
            self.disks.insert(
                disk.id.clone(),
                CatalogDisk {
                    label: disk.label.clone(),
                    last_seen: now,
                    last_mount: Some(mount.path.clone()),
                    space: Some(mount.space),
                    network_fs: mount.network_fs.clone(),
                    last_verified: disk.last_verified,
                    copies,
                    retired_at: None,
                },
            );
        }
    }

    /// Records a copy rota wrote and verified (or re-read and found equal to
    /// its source) on disk `id`. Does nothing for a disk the catalog does not
    /// know (every connected disk is merged when a run starts).
    pub fn record_copy(&mut self, id: &str, record: CopyRecord) {
        if let Some(disk) = self.disks.get_mut(id) {
            disk.copies.insert(record.name.clone(), record);
        }
    }

    /// Forgets a copy rota deleted from disk `id`.
    pub fn forget_copy(&mut self, id: &str, name: &str) {
        if let Some(disk) = self.disks.get_mut(id) {
            disk.copies.remove(name);
        }
    }

    /// Marks the disk `id` retired (`rota disk retire`) at `at`.
    pub fn retire(&mut self, id: &str, at: DateTime<Utc>) {
        if let Some(disk) = self.disks.get_mut(id) {
            disk.retired_at = Some(at);
        }
    }

    /// Records a target's remote listing, checked at `at`.
    pub fn record_remote(
        &mut self,
        target: &str,
        remote: BTreeMap<String, CopyRecord>,
        at: DateTime<Utc>,
    ) {
        let entry = self.targets.entry(target.to_string()).or_default();
        entry.checks.retain(|name, _| remote.contains_key(name));
        entry.checked_at = Some(at);
        entry.remote = remote;
    }

    /// Records one copy uploaded to a target's remote and checked at `at`.
    pub fn record_upload(
        &mut self,
        target: &str,
        copy: CopyRecord,
        check: RemoteCheck,
        at: DateTime<Utc>,
    ) {
        let entry = self.targets.entry(target.to_string()).or_default();
        entry.checks.insert(copy.name.clone(), check);
        entry.remote.insert(copy.name.clone(), copy);
        entry.checked_at = Some(at);
    }

    /// Forgets a remote copy (deleted, or found missing or damaged): it no
    /// longer counts anywhere. Returns what was recorded.
    pub fn forget_remote(
        &mut self,
        target: &str,
        name: &str,
    ) -> Option<(CopyRecord, Option<RemoteCheck>)> {
        let entry = self.targets.get_mut(target)?;
        let check = entry.checks.remove(name);
        entry.remote.remove(name).map(|copy| (copy, check))
    }

    /// Every catalogued disk whose id is not in `connected_ids`, as an absent
    /// [`DiskView`], sorted by label then id.
    pub fn absent_disks(&self, connected_ids: &BTreeSet<&str>) -> Vec<DiskView> {
        let mut absent: Vec<DiskView> = self
            .disks
            .iter()
            .filter(|(id, disk)| !connected_ids.contains(id.as_str()) && disk.retired_at.is_none())
            .map(|(id, disk)| disk.absent_view(id))
            .collect();
        absent.sort_by(|a, b| (&a.label, &a.id).cmp(&(&b.label, &b.id)));
        absent
    }
}

impl CatalogDisk {
    /// This disk as the planner sees it while it is not connected.
    pub fn absent_view(&self, id: &str) -> DiskView {
        DiskView {
            label: self.label.clone(),
            id: id.to_string(),
            mount: None,
            last_seen: Some(self.last_seen),
            last_verified: self.last_verified,
            copies: self.copies.clone(),
            strays: Vec::new(),
            unconfirmed: Default::default(),
            manifest_error: None,
            space_when_seen: self.space,
        }
    }
}

/// Copies stored as a list sorted by name (as in manifests), held as a map.
mod copy_list {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::inventory::CopyRecord;

    pub fn serialize<S: Serializer>(
        copies: &BTreeMap<String, CopyRecord>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let list: Vec<&CopyRecord> = copies.values().collect();
        list.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, CopyRecord>, D::Error> {
        let list = Vec::<CopyRecord>::deserialize(deserializer)?;
        Ok(list
            .into_iter()
            .map(|copy| (copy.name.clone(), copy))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{EntryKind, Mount};
    use chrono::TimeZone;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 22, 0, 0).unwrap()
    }

    fn copy(name: &str) -> CopyRecord {
        CopyRecord {
            name: name.to_string(),
            size: 10,
            kind: EntryKind::File,
            hash: "cd".repeat(32),
            copied_at: day(1),
            verified_at: Some(day(1)),
            ciphertext_hash: None,
            fingerprint: None,
        }
    }

    fn connected(label: &str, id: &str, copies: &[&str]) -> DiskView {
        DiskView {
            label: label.to_string(),
            id: id.to_string(),
            mount: Some(Mount {
                path: PathBuf::from(format!("/Volumes/{label}")),
                space: Space {
                    total: 1000,
                    free: 400,
                },
                network_fs: None,
            }),
            last_seen: Some(day(30)),
            last_verified: None,
            copies: copies.iter().map(|n| (n.to_string(), copy(n))).collect(),
            strays: Vec::new(),
            unconfirmed: Default::default(),
            manifest_error: None,
            space_when_seen: None,
        }
    }

    #[test]
    fn merging_updates_seen_disks_and_keeps_absent_ones() {
        let mut catalog = Catalog::default();
        catalog.merge_scan(
            &[
                connected("MON", "m1", &["a"]),
                connected("TUE", "t1", &["b"]),
            ],
            day(2),
        );
        catalog.merge_scan(&[connected("MON", "m1", &["a", "c"])], day(9));
        let mon = &catalog.disks["m1"];
        assert_eq!(mon.last_seen, day(9));
        assert_eq!(mon.copies.keys().collect::<Vec<_>>(), ["a", "c"]);
        let tue = &catalog.disks["t1"];
        assert_eq!(tue.last_seen, day(2));
        assert_eq!(tue.copies.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(tue.space.map(|s| s.free), Some(400));
    }

    #[test]
    fn absent_disks_come_from_the_catalog_as_last_seen() {
        let mut catalog = Catalog::default();
        catalog.merge_scan(
            &[connected("TUE", "t1", &["b"]), connected("MON", "m1", &[])],
            day(2),
        );
        let absent = catalog.absent_disks(&BTreeSet::from(["m1"]));
        assert_eq!(absent.len(), 1);
        let tue = &absent[0];
        assert_eq!((tue.label.as_str(), tue.id.as_str()), ("TUE", "t1"));
        assert!(!tue.is_connected());
        assert_eq!(tue.last_seen, Some(day(2)));
        assert!(tue.verified_copy("b").is_some());
        assert_eq!(tue.space_when_seen.map(|s| s.total), Some(1000));
    }

    #[test]
    fn two_disks_with_one_label_stay_two_entries() {
        let mut catalog = Catalog::default();
        catalog.merge_scan(
            &[connected("MON", "m1", &["a"]), connected("MON", "m2", &[])],
            day(2),
        );
        let absent = catalog.absent_disks(&BTreeSet::new());
        let ids: Vec<&str> = absent.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["m1", "m2"]);
    }

    #[test]
    fn save_and_load_round_trip_and_a_missing_catalog_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        assert_eq!(Catalog::load(&state).unwrap(), Catalog::default());
        let mut catalog = Catalog::default();
        catalog.merge_scan(&[connected("MON", "m1", &["a", "b"])], day(2));
        catalog.record_remote("cloud", BTreeMap::from([("a".into(), copy("a"))]), day(3));
        catalog.save(&state).unwrap();
        assert_eq!(Catalog::load(&state).unwrap(), catalog);
        let names: Vec<_> = std::fs::read_dir(&state).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn uploads_are_recorded_with_their_checks_and_forgotten_together() {
        let check = |object: &str| RemoteCheck {
            object: object.to_string(),
            size: 42,
            hash_type: "md5".into(),
            hash: "00".repeat(16),
        };
        let mut catalog = Catalog::default();
        catalog.record_upload("cloud", copy("a"), check("a.age"), day(3));
        catalog.record_upload("cloud", copy("b"), check("b.age"), day(4));
        let cloud = &catalog.targets["cloud"];
        assert_eq!(cloud.checked_at, Some(day(4)));
        assert_eq!(cloud.checks["a"].object, "a.age");
        let dir = tempfile::tempdir().unwrap();
        catalog.save(dir.path()).unwrap();
        assert_eq!(Catalog::load(dir.path()).unwrap(), catalog);

        let (forgotten, check) = catalog.forget_remote("cloud", "a").unwrap();
        assert_eq!(forgotten.name, "a");
        assert_eq!(check.map(|c| c.object), Some("a.age".into()));
        assert!(catalog.forget_remote("cloud", "a").is_none());
        assert!(catalog.forget_remote("elsewhere", "b").is_none());
        // A fresh listing keeps the checks of the copies still there.
        catalog.record_remote("cloud", BTreeMap::from([("b".into(), copy("b"))]), day(5));
        assert_eq!(catalog.targets["cloud"].checks.len(), 1);
        catalog.record_remote("cloud", BTreeMap::new(), day(6));
        assert!(catalog.targets["cloud"].checks.is_empty());
    }

    #[test]
    fn a_damaged_catalog_is_an_error_not_an_empty_catalog() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            Catalog::path(dir.path()),
            "{\"rota_catalog\": 1, \"disks\": [",
        )
        .unwrap();
        assert!(matches!(
            Catalog::load(dir.path()),
            Err(CatalogError::Corrupt { .. })
        ));
        std::fs::write(Catalog::path(dir.path()), "{\"rota_catalog\": 3}").unwrap();
        assert!(matches!(
            Catalog::load(dir.path()),
            Err(CatalogError::NewerFormat { version: 3, .. })
        ));
    }
}
