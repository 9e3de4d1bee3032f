//! What rota knows about backups and where they are, as plain data: the source
//! folder's listing, every labelled disk (connected, or as last seen from the
//! catalog), their copies, and what could not be recognised. Built by the scanner
//! ([`super::scan`]) and read by the pure planner; nothing here does I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::entry_kind::EntryKind;
use super::fingerprint::Fingerprint;
use super::fsinfo::Space;
use super::volumes::{UnlabelledVolume, VolumeSurvey};

/// A backup in the source folder (name matches the policy's pattern).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceEntry {
    pub name: String,
    /// The wall-clock time in the name, as the policy's pattern reads it.
    pub timestamp: NaiveDateTime,
    /// Bytes; for a bundle, the sum of its files.
    pub size: u64,
    pub kind: EntryKind,
    /// Modification time (the newest inside a bundle), for the fingerprint.
    pub modified: Option<DateTime<Utc>>,
    /// Bundles: how many regular files are inside (0 for a file).
    pub files: u64,
}

impl SourceEntry {
    /// What a stat says about the backup now (see [`Fingerprint`]).
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::new(self.kind, self.size, self.files, self.modified)
    }
}

/// The source folder as scanned.
#[derive(Debug, Clone, Default)]
pub struct SourceListing {
    pub path: PathBuf,
    /// Why the folder could not be listed (missing, permission), if it could not.
    pub error: Option<String>,
    pub backups: Vec<SourceEntry>,
    /// Names in the source folder that do not match the pattern: never touched.
    pub unrecognized: Vec<String>,
    pub space: Option<Space>,
    /// The file system type when it is a network one (nfs, smbfs, afpfs, webdav...).
    pub network_fs: Option<String>,
}

/// Which algorithm a content hash was made with (recorded in every manifest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum HashAlgorithm {
    #[default]
    Blake3,
}

/// One copy recorded in a disk's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyRecord {
    pub name: String,
    pub size: u64,
    pub kind: EntryKind,
    /// Hex content hash of the backup (plaintext), see `crate::content_hash`.
    pub hash: String,
    pub copied_at: DateTime<Utc>,
    /// When the copy was read back and found equal to the source. A copy counts
    /// only once verified.
    #[serde(default)]
    pub verified_at: Option<DateTime<Utc>>,
    /// Hex hash of the encrypted file, for copies on encrypting off-site targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphertext_hash: Option<String>,
    /// The source backup's fingerprint when the copy was made (`None` for
    /// copies made before rota recorded it: those are judged by size alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
}

impl CopyRecord {
    pub fn is_verified(&self) -> bool {
        self.verified_at.is_some()
    }

    /// Whether two records describe the same copy: the same bytes (size,
    /// kind, hashes) of the same backup as it was (fingerprint). When they
    /// were copied or last verified does not matter.
    pub fn same_copy(&self, other: &CopyRecord) -> bool {
        self.name == other.name
            && self.size == other.size
            && self.kind == other.kind
            && self.hash == other.hash
            && self.ciphertext_hash == other.ciphertext_hash
            && self.fingerprint == other.fingerprint
            && self.is_verified() == other.is_verified()
    }

    /// Whether this copy was made from the backup as `now` fingerprints it
    /// (else it is stale: it does not count, safety invariant 10).
    pub fn is_copy_of(&self, now: &Fingerprint) -> bool {
        now.is_source_of(self.size, self.fingerprint.as_ref())
    }
}

/// Where a connected disk is mounted and what its file system says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub path: PathBuf,
    pub space: Space,
    /// Set when the disk sits on a network file system (the guide warns against it).
    pub network_fs: Option<String>,
}

/// A file on a connected disk that the manifest does not vouch for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrayFile {
    pub name: String,
    pub size: u64,
    pub why: StrayReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrayReason {
    /// Matches the pattern but is not in the manifest (a copy never verified,
    /// or put there by hand): not counted as a copy, never deleted.
    Unrecorded,
    /// In the manifest but its size on disk differs: treated as not a copy.
    SizeMismatch,
    /// A temporary file left by an interrupted copy (rota's own naming).
    PartialCopy,
    /// In the manifest, but the entry disagrees with what this server's
    /// catalog recorded when rota wrote and verified the copy (an edited or
    /// forged manifest, another disk's files): not a copy, never deleted.
    Disagrees,
    /// Neither a backup name nor rota's own: never touched.
    Unrecognized,
}

/// A labelled disk: connected now, or known from the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskView {
    pub label: String,
    /// The unique id written by `rota disk init` (tells two MON disks apart).
    pub id: String,
    /// `Some` when the disk is connected now.
    pub mount: Option<Mount>,
    /// When rota last saw the disk connected (from the catalog; now if connected).
    pub last_seen: Option<DateTime<Utc>>,
    /// When every copy on it was last re-hashed (`rota verify`).
    pub last_verified: Option<DateTime<Utc>>,
    /// Copies by name: from the disk's manifest when connected (only those whose
    /// file is present with the right size), else from the catalog.
    pub copies: BTreeMap<String, CopyRecord>,
    /// Connected only: files the manifest does not vouch for, and copies
    /// whose manifest entry disagrees with this server's catalog.
    pub strays: Vec<StrayFile>,
    /// Connected only: copies the manifest lists but this server's catalog
    /// has no record of (a rebuilt server, a disk labelled elsewhere). They
    /// hold their backup, but never justify deleting another copy until
    /// rota has re-read one and found the source's hash (safety invariant 14).
    pub unconfirmed: BTreeSet<String>,
    /// Connected only: the manifest could not be read; nothing on the disk is
    /// trusted as a copy and nothing on it is deleted.
    pub manifest_error: Option<String>,
    /// Total size when last seen (for absent disks' capacity).
    pub space_when_seen: Option<Space>,
}

impl DiskView {
    pub fn is_connected(&self) -> bool {
        self.mount.is_some()
    }

    pub fn verified_copy(&self, name: &str) -> Option<&CopyRecord> {
        self.copies.get(name).filter(|copy| copy.is_verified())
    }
}

/// An off-site target's state: its local staging folder and, when it uploads,
/// the remote listing (absent when the remote could not be reached).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetView {
    pub name: String,
    /// Copies in the staging folder (from its manifest).
    pub staged: BTreeMap<String, CopyRecord>,
    /// Why the staging folder's manifest could not be used (then nothing in the
    /// folder counts as staged).
    pub staged_error: Option<String>,
    /// Copies known to be on the remote and checked (from the catalog / listing).
    pub remote: Option<BTreeMap<String, CopyRecord>>,
    /// Why the remote could not be listed, if it could not.
    pub remote_error: Option<String>,
    pub space: Option<Space>,
    pub network_fs: Option<String>,
}

/// Everything the planner needs to know about the world.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub source: SourceListing,
    /// Every disk rota knows: connected ones first as scanned, then absent ones
    /// from the catalog. Two connected disks may share a label (reported).
    pub disks: Vec<DiskView>,
    pub unlabelled: Vec<UnlabelledVolume>,
    /// The other folders under `mount_search`: skipped, unreadable, and
    /// which of them share the source folder's drive.
    pub volumes: VolumeSurvey,
    pub offsite: Vec<TargetView>,
    /// Office date of the last successful restore test (from `state_dir`).
    pub last_restore_test: Option<NaiveDate>,
    /// The real time (never `--at`) the source was listed, set by the command
    /// that scanned: backups changed less than `source.settle` before it are
    /// still being written. `None` (tests, simulations): all are settled.
    pub observed_at: Option<DateTime<Utc>>,
    /// The fixed-name export `source.capture` names, as it is now.
    pub capture: Option<CaptureItem>,
    /// Backups whose change on the server a person confirmed with `rota
    /// accept-change`: the fingerprint they accepted, by name (the latest).
    pub accepted_changes: BTreeMap<String, Fingerprint>,
}

/// The file or folder the practice software overwrites each night
/// (`source.capture`), as a stat finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureItem {
    pub path: PathBuf,
    /// What it is now, or why it cannot be read (missing, permission).
    pub found: Result<Captured, String>,
}

/// A readable capture item: what it is and its fingerprint (its
/// modification time names the capture).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Captured {
    pub kind: EntryKind,
    pub fingerprint: Fingerprint,
    /// The newest modification time inside (a file's own).
    pub modified: DateTime<Utc>,
}

impl Inventory {
    pub fn disk(&self, label: &str) -> impl Iterator<Item = &DiskView> {
        self.disks.iter().filter(move |disk| disk.label == label)
    }

    pub fn connected_disks(&self) -> impl Iterator<Item = &DiskView> {
        self.disks.iter().filter(|disk| disk.is_connected())
    }
}
