//! A synthetic office held in memory: a source folder, labelled disks with
//! manifests and capacities, off-site targets (a staging folder and, when the
//! target uploads, a remote that may be offline), and a simulated executor
//! that applies a plan by editing that state. `rota simulate` runs policies through it night by night,
//! and the planner's tests and property tests build their inventories with it.
//!
//! Off-site targets are modelled as staging folders that always have room (what
//! leaves the building is not what an office sizes disks for).
//!
//! Nothing here touches the filesystem; it produces the same [`Inventory`] the
//! scanner would for an office in that state.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::inventory::{
    CopyRecord, DiskView, EntryKind, Inventory, Mount, SourceEntry, SourceListing, Space,
    TargetView,
};
use crate::plan::Plan;
use crate::policy::Policy;

/// A disk in the synthetic office.
#[derive(Debug, Clone)]
pub struct SyntheticDisk {
    pub label: String,
    pub id: String,
    pub connected: bool,
    pub total: u64,
    pub copies: BTreeMap<String, CopyRecord>,
    pub last_seen: Option<DateTime<Utc>>,
}

impl SyntheticDisk {
    pub fn used(&self) -> u64 {
        self.copies.values().map(|copy| copy.size).sum()
    }
}

/// An off-site target in the synthetic office.
#[derive(Debug, Clone, Default)]
pub struct SyntheticTarget {
    pub name: String,
    /// Whether the policy has it upload (then only remote copies count).
    pub uploads: bool,
    pub encrypts: bool,
    /// Staged copies kept after their upload is verified (`upload.keep_local`).
    pub keep_local: usize,
    pub staged: BTreeMap<String, CopyRecord>,
    /// What the remote holds, as the catalog would record it.
    pub remote: BTreeMap<String, CopyRecord>,
    /// Whether the remote cannot be reached (an upload then fails, pending).
    pub offline: bool,
}

impl SyntheticTarget {
    /// A target that only stages (no upload, no encryption).
    pub fn staging(name: &str) -> SyntheticTarget {
        SyntheticTarget {
            name: name.to_string(),
            ..SyntheticTarget::default()
        }
    }

    /// The target as the scanner would see it: its staging folder, and the
    /// remote as the catalog records it.
    fn view(&self) -> TargetView {
        TargetView {
            name: self.name.clone(),
            staged: self.staged.clone(),
            remote: self.uploads.then(|| self.remote.clone()),
            space: Some(Space {
                total: TARGET_SPACE,
                free: TARGET_SPACE,
            }),
            ..TargetView::default()
        }
    }
}

/// An office's backups, disks and off-site targets, in memory.
#[derive(Debug, Clone)]
pub struct SyntheticOffice {
    pub source: BTreeMap<String, u64>,
    /// Bytes on the server's drive not taken by backups, and its total size.
    pub server_total: u64,
    pub disks: Vec<SyntheticDisk>,
    /// Off-site targets, in policy order.
    pub targets: Vec<SyntheticTarget>,
    pub last_restore_test: Option<chrono::NaiveDate>,
}

/// The free space an off-site staging folder reports: plenty.
const TARGET_SPACE: u64 = u64::MAX / 4;

impl SyntheticOffice {
    /// An office with every disk of the policy, all disconnected and empty.
    pub fn new(policy: &Policy, disk_size: u64) -> SyntheticOffice {
        let disks = policy
            .disks
            .labels()
            .into_iter()
            .enumerate()
            .map(|(i, label)| SyntheticDisk {
                label: label.to_string(),
                id: format!("{:032x}", i + 1),
                connected: false,
                total: disk_size,
                copies: BTreeMap::new(),
                last_seen: None,
            })
            .collect();
        SyntheticOffice {
            source: BTreeMap::new(),
            server_total: u64::MAX / 4,
            disks,
            targets: policy
                .offsite
                .iter()
                .map(|target| SyntheticTarget {
                    uploads: target.upload.is_some(),
                    encrypts: target.encrypt.is_some(),
                    keep_local: target
                        .upload
                        .as_ref()
                        .map_or(0, |upload| upload.keep_local as usize),
                    ..SyntheticTarget::staging(&target.name)
                })
                .collect(),
            last_restore_test: None,
        }
    }

    /// Adds a backup to the source folder, named by the policy's pattern.
    pub fn add_backup(&mut self, policy: &Policy, at: NaiveDateTime, size: u64) -> String {
        let name = policy.source.pattern.name_for(at);
        self.source.insert(name.clone(), size);
        name
    }

    pub fn disk_mut(&mut self, label: &str) -> Option<&mut SyntheticDisk> {
        self.disks.iter_mut().find(|disk| disk.label == label)
    }

    /// Connects exactly the disks named (all others are disconnected).
    pub fn connect_only(&mut self, labels: &[&str], now: DateTime<Utc>) {
        for disk in &mut self.disks {
            disk.connected = labels.contains(&disk.label.as_str());
            if disk.connected {
                disk.last_seen = Some(now);
            }
        }
    }

    /// The inventory the scanner would report for this state.
    pub fn inventory(&self, policy: &Policy) -> Inventory {
        let used: u64 = self.source.values().sum();
        let source = SourceListing {
            path: policy.source.path.clone(),
            error: None,
            backups: self
                .source
                .iter()
                // As the scanner does: only names the pattern reads are backups.
                .filter_map(|(name, size)| {
                    Some(SourceEntry {
                        name: name.clone(),
                        timestamp: policy.source.pattern.timestamp(name)?,
                        size: *size,
                        kind: EntryKind::File,
                        modified: None,
                        files: 0,
                    })
                })
                .collect(),
            unrecognized: Vec::new(),
            space: Some(Space {
                total: self.server_total,
                free: self.server_total.saturating_sub(used),
            }),
            network_fs: None,
        };
        let disks = self.disks.iter().map(|disk| self.disk_view(disk)).collect();
        Inventory {
            source,
            disks,
            unlabelled: Vec::new(),
            volumes: Default::default(),
            offsite: self.targets.iter().map(SyntheticTarget::view).collect(),
            last_restore_test: self.last_restore_test,
            observed_at: None,
            capture: None,
            accepted_changes: Default::default(),
        }
    }

    fn disk_view(&self, disk: &SyntheticDisk) -> DiskView {
        let space = Space {
            total: disk.total,
            free: disk.total.saturating_sub(disk.used()),
        };
        DiskView {
            label: disk.label.clone(),
            id: disk.id.clone(),
            mount: disk.connected.then(|| Mount {
                path: PathBuf::from(format!("/Volumes/{}", disk.label)),
                space,
                network_fs: None,
            }),
            last_seen: disk.last_seen,
            last_verified: None,
            copies: disk.copies.clone(),
            strays: Vec::new(),
            unconfirmed: Default::default(),
            manifest_error: None,
            space_when_seen: Some(space),
        }
    }

    /// Carries out a plan the way the executor would, on the in-memory state.
    /// Returns an error naming the first action that could not be done (a
    /// missing source or a disconnected disk), which is a planner bug here.
    /// An upload to an offline remote fails the way the executor's does: the
    /// copy stays pending and every action that waits for it is skipped.
    pub fn apply(&mut self, plan: &Plan, now: DateTime<Utc>) -> Result<(), String> {
        let mut skipped: BTreeSet<usize> = BTreeSet::new();
        for action in &plan.actions {
            if action.after.iter().any(|id| skipped.contains(id)) {
                skipped.insert(action.id);
                continue;
            }
            let name = |location: &Option<crate::placement::Location>| {
                location
                    .as_ref()
                    .map(|l| l.name().to_string())
                    .unwrap_or_default()
            };
            if let Some(to) = action.writes_to() {
                let from = name(&action.from);
                let staged = self
                    .target(to.name())
                    .and_then(|t| t.staged.get(&action.backup));
                let size = self
                    .read(&from, &action.backup)
                    .or_else(|| staged.map(|copy| copy.size))
                    .ok_or_else(|| {
                        format!("action {}: {} has no {}", action.id, from, action.backup)
                    })?;
                if !self.write(to.name(), &action.backup, size, now)? {
                    skipped.insert(action.id);
                    continue;
                }
            }
            if let Some(at) = action.deleted_at() {
                self.delete(at.name(), &action.backup)?;
            }
        }
        Ok(())
    }

    /// Off-site copies are never read back (they may be encrypted).
    fn read(&self, location: &str, name: &str) -> Option<u64> {
        if location == "server" {
            return self.source.get(name).copied();
        }
        let disk = self
            .disks
            .iter()
            .find(|d| d.label == location && d.connected)?;
        disk.copies.get(name).map(|copy| copy.size)
    }

    /// Writes a copy; `Ok(false)` when it is an upload to an offline remote
    /// (the copy stays pending).
    fn write(
        &mut self,
        location: &str,
        name: &str,
        size: u64,
        now: DateTime<Utc>,
    ) -> Result<bool, String> {
        let record = synthetic_record(name, size, now);
        if let Some(target) = self.targets.iter_mut().find(|t| t.name == location) {
            return Ok(target.copy(record));
        }
        let disk = self
            .disks
            .iter_mut()
            .find(|d| d.label == location && d.connected)
            .ok_or_else(|| format!("copy of {name} to {location}, which is not connected"))?;
        if disk.used() + size > disk.total {
            return Err(format!("copy of {name} to {location}: disk full"));
        }
        disk.copies.insert(name.to_string(), record);
        Ok(true)
    }

    pub fn target(&self, name: &str) -> Option<&SyntheticTarget> {
        self.targets.iter().find(|target| target.name == name)
    }

    pub fn target_mut(&mut self, name: &str) -> Option<&mut SyntheticTarget> {
        self.targets.iter_mut().find(|target| target.name == name)
    }

    fn delete(&mut self, location: &str, name: &str) -> Result<(), String> {
        let removed = if location == "server" {
            self.source.remove(name).is_some()
        } else if let Some(target) = self.target_mut(location) {
            // Removing a backup from a target removes it staged and uploaded.
            let remote = target.remote.remove(name).is_some();
            target.staged.remove(name).is_some() || remote
        } else {
            self.disks
                .iter_mut()
                .find(|d| d.label == location && d.connected)
                .is_some_and(|disk| disk.copies.remove(name).is_some())
        };
        if removed {
            Ok(())
        } else {
            Err(format!(
                "delete of {name} at {location}, which has no such copy"
            ))
        }
    }

    /// Every location holding `name` (an off-site target: staged or uploaded).
    pub fn locations_of(&self, name: &str) -> Vec<String> {
        let mut found = Vec::new();
        if self.source.contains_key(name) {
            found.push(String::from("server"));
        }
        for disk in &self.disks {
            if disk.copies.contains_key(name) {
                found.push(disk.label.clone());
            }
        }
        for target in &self.targets {
            if target.staged.contains_key(name) || target.remote.contains_key(name) {
                found.push(target.name.clone());
            }
        }
        found
    }
}

impl SyntheticTarget {
    /// A copy to this target: staged (unless it already is), then uploaded
    /// when the target uploads; `false` when the remote is offline. Uploaded
    /// staged copies beyond `keep_local` expire, oldest first.
    fn copy(&mut self, mut record: CopyRecord) -> bool {
        let name = record.name.clone();
        if !self.staged.contains_key(&name) {
            if self.encrypts {
                record.ciphertext_hash = Some(format!("synthetic-age-{}", record.size));
            }
            self.staged.insert(name.clone(), record);
        }
        if !self.uploads {
            return true;
        }
        if self.offline {
            return false;
        }
        let uploaded = self.staged[&name].clone();
        self.remote.insert(name, uploaded);
        let done: Vec<String> = self
            .staged
            .keys()
            .filter(|staged| self.remote.contains_key(*staged))
            .cloned()
            .collect();
        let expired = done.len().saturating_sub(self.keep_local);
        for staged in done.into_iter().take(expired) {
            self.staged.remove(&staged);
        }
        true
    }
}

/// A verified copy record as the simulated executor writes it.
fn synthetic_record(name: &str, size: u64, now: DateTime<Utc>) -> CopyRecord {
    CopyRecord {
        name: name.to_string(),
        size,
        kind: EntryKind::File,
        hash: format!("synthetic-{size}"),
        copied_at: now,
        verified_at: Some(now),
        ciphertext_hash: None,
        fingerprint: None,
    }
}
