//! The world's sites: what each location (the server, each disk of the
//! policy, each off-site target) holds by backup index, whether rota may act
//! on it now and how much room it has; and the copies that were made from a
//! backup as it no longer is (stale copies).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::known::{KnownBackup, Lookup};
use super::location::Location;
use crate::inventory::{CopyRecord, DiskView, Fingerprint, Inventory, Space};
use crate::policy::{OffsiteTarget, Policy};

/// What a site is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Server,
    Rotation,
    Archive,
    Offsite,
}

/// A copy at a site, as far as planning cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteCopy {
    pub size: u64,
    /// Verified, and not stale: the copy counts.
    pub verified: bool,
    /// Made from the backup as it was before it changed on the server (its
    /// recorded fingerprint differs from the source's now): it does not count
    /// and is replaced by a new copy (safety invariant 10).
    pub stale: bool,
    /// This server's catalog recorded the copy as rota wrote and verified it
    /// (see [`crate::inventory::provenance`]). Only a confirmed copy lets
    /// another copy of its backup be deleted (safety invariant 14).
    pub confirmed: bool,
}

/// Why rota may not act on a site now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    NotConnected,
    DuplicateLabel,
    ManifestUnreadable(String),
}

#[derive(Debug, Clone)]
pub struct Site {
    pub location: Location,
    pub role: Role,
    /// `None` when rota may act on the site now.
    pub unavailable: Option<Unavailable>,
    /// Copies by backup index (`World::backups`); only verified ones count.
    pub copies: Vec<Option<SiteCopy>>,
    pub space: Option<Space>,
    /// Bytes to keep free on this site.
    pub reserve: u64,
    /// The disk's unique id (disks only).
    pub disk_id: Option<String>,
    pub last_seen: Option<DateTime<Utc>>,
    pub network_fs: Option<String>,
    /// Off-site targets that upload: by backup index, whether a verified copy
    /// waits in the staging folder for its upload (*pending upload*). It does
    /// not count as a copy at the target; the copy to the target uploads it.
    /// Empty for every other site.
    pub staged: Vec<bool>,
}

impl Site {
    pub fn is_actionable(&self) -> bool {
        self.unavailable.is_none()
    }

    /// Whether a verified copy of `backup` waits in the site's staging folder
    /// for its upload.
    pub fn is_staged(&self, backup: usize) -> bool {
        self.staged.get(backup).copied().unwrap_or(false)
    }

    /// Whether the site holds a verified copy of backup `backup`.
    pub fn has_verified(&self, backup: usize) -> bool {
        self.copies
            .get(backup)
            .copied()
            .flatten()
            .is_some_and(|copy| copy.verified)
    }

    /// Whether the site holds backup `backup` at all (the server's are originals).
    pub fn holds(&self, backup: usize) -> bool {
        self.copies.get(backup).copied().flatten().is_some()
    }

    /// Whether the site holds a verified copy of backup `backup` that this
    /// server's catalog confirms: one that may justify deleting another.
    pub fn has_confirmed(&self, backup: usize) -> bool {
        self.copies
            .get(backup)
            .copied()
            .flatten()
            .is_some_and(|copy| copy.verified && copy.confirmed)
    }

    /// How many verified copies the site holds.
    pub fn verified_count(&self) -> usize {
        self.copies
            .iter()
            .flatten()
            .filter(|copy| copy.verified)
            .count()
    }

    /// Bytes that may still be written before the reserve is reached (None:
    /// capacity unknown, e.g. the platform cannot tell).
    pub fn room(&self) -> Option<u64> {
        self.space
            .map(|space| space.free.saturating_sub(self.reserve))
    }
}

/// A stale copy: which backup, at which site, and the fingerprint the copy
/// recorded (the backup's now is in [`KnownBackup::fingerprint`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleCopy {
    pub backup: usize,
    pub site: usize,
    pub recorded: Fingerprint,
    /// The copy was verified when it was made (a verified copy of the
    /// backup as it was is what makes a later change *tampering*).
    pub verified: bool,
}

/// The stale copies of the world's sites, with what each recorded (disks:
/// their records; off-site: the staged and remote records).
pub(super) fn stale_copies(
    sites: &[Site],
    inventory: &Inventory,
    chosen: &[(&str, usize, Option<&DiskView>)],
    lookup: Lookup,
) -> Vec<StaleCopy> {
    let mut stale = Vec::new();
    for (site_index, site) in sites.iter().enumerate() {
        if !site.copies.iter().flatten().any(|copy| copy.stale) {
            continue;
        }
        let records: Vec<&CopyRecord> = match &site.location {
            Location::Server => continue,
            Location::Disk(label) => chosen
                .iter()
                .filter(|(l, _, _)| l == label)
                .filter_map(|(_, _, disk)| *disk)
                .flat_map(|disk| disk.copies.values())
                .collect(),
            Location::Offsite(name) => inventory
                .offsite
                .iter()
                .filter(|view| &view.name == name)
                .flat_map(|view| {
                    view.staged
                        .values()
                        .chain(view.remote.iter().flat_map(|r| r.values()))
                })
                .collect(),
        };
        for (record, backup) in lookup.find_all(records.into_iter(), |record| &record.name) {
            let is_stale = site.copies[backup].is_some_and(|copy| copy.stale);
            let known = |s: &StaleCopy| s.backup == backup && s.site == site_index;
            if let (true, Some(recorded)) = (is_stale, record.fingerprint)
                && !stale.iter().any(known)
            {
                stale.push(StaleCopy {
                    backup,
                    site: site_index,
                    recorded,
                    verified: record.is_verified(),
                });
            }
        }
    }
    stale.sort_by_key(|s| (s.backup, s.site));
    stale
}

/// The server: `on_server[i]` says whether backup `i` is in the source folder
/// (its size is then the source's).
pub(super) fn server_site(
    inventory: &Inventory,
    backups: &[KnownBackup],
    on_server: &[bool],
) -> Site {
    let source = &inventory.source;
    let copies = backups
        .iter()
        .zip(on_server)
        .map(|(backup, on_server)| {
            on_server.then_some(SiteCopy {
                size: backup.size,
                verified: true,
                stale: false,
                confirmed: true,
            })
        })
        .collect();
    Site {
        location: Location::Server,
        role: Role::Server,
        unavailable: None,
        copies,
        space: source.space,
        reserve: 0,
        disk_id: None,
        last_seen: None,
        network_fs: source.network_fs.clone(),
        staged: Vec::new(),
    }
}

pub(super) fn disk_site(
    policy: &Policy,
    label: &str,
    connected: usize,
    chosen: Option<&DiskView>,
    role: Role,
    lookup: Lookup,
) -> Site {
    let unavailable = match (chosen, connected) {
        (_, n) if n > 1 => Some(Unavailable::DuplicateLabel),
        (Some(disk), 1) => disk
            .manifest_error
            .clone()
            .map(Unavailable::ManifestUnreadable),
        _ => Some(Unavailable::NotConnected),
    };
    let space = chosen.and_then(|disk| {
        disk.mount
            .as_ref()
            .map(|mount| mount.space)
            .or(disk.space_when_seen)
    });
    let reserve = space.map_or(0, |space| policy.disks.reserve.bytes_of(space.total));
    Site {
        location: Location::Disk(label.to_string()),
        role,
        unavailable,
        copies: chosen
            .map(|disk| site_copies(&disk.copies, &disk.unconfirmed, lookup))
            .unwrap_or_else(|| vec![None; lookup.len()]),
        space,
        reserve,
        disk_id: chosen.map(|disk| disk.id.clone()),
        last_seen: chosen.and_then(|disk| disk.last_seen),
        network_fs: chosen
            .and_then(|disk| disk.mount.as_ref())
            .and_then(|mount| mount.network_fs.clone()),
        staged: Vec::new(),
    }
}

/// The copies `records` lists, by backup index. `unconfirmed` names copies
/// this server's catalog has no record of: they hold a backup the server no
/// longer has (nothing else can), but one the server still has is re-read
/// against it before it counts (the copy step adopts it), and neither ever
/// justifies deleting another copy (safety invariant 14).
pub(super) fn site_copies(
    records: &BTreeMap<String, CopyRecord>,
    unconfirmed: &BTreeSet<String>,
    lookup: Lookup,
) -> Vec<Option<SiteCopy>> {
    let mut copies = vec![None; lookup.len()];
    for (record, index) in lookup.find_all(records.values(), |record| &record.name) {
        let backup = &lookup.backups[index];
        let stale = is_stale(record, backup);
        let confirmed = !unconfirmed.contains(&record.name);
        let recheck = !confirmed && backup.fingerprint.is_some();
        copies[index] = Some(SiteCopy {
            size: record.size,
            verified: record.is_verified() && !stale && !recheck,
            stale,
            confirmed,
        });
    }
    copies
}

/// Whether a copy was made from the backup as it no longer is on the
/// server. A copy recorded before fingerprints were kept is judged by size.
/// A backup the server no longer has cannot be compared: its copies count.
pub(super) fn is_stale(record: &CopyRecord, backup: &KnownBackup) -> bool {
    backup
        .fingerprint
        .is_some_and(|now| !record.is_copy_of(&now))
}

/// An off-site target. Without `upload`, its copies are the verified copies
/// in its staging folder. With `upload`, only remote copies the catalog records
/// as checked count; a verified staged copy not yet on the remote is *pending
/// upload* ([`Site::staged`]). A staging folder whose manifest cannot be read
/// makes the target unavailable (nothing in it is trusted or deleted).
pub(super) fn offsite_site(target: &OffsiteTarget, inventory: &Inventory, lookup: Lookup) -> Site {
    let count = lookup.len();
    let view = inventory
        .offsite
        .iter()
        .find(|view| view.name == target.name);
    let staged = view
        .map(|view| site_copies(&view.staged, &BTreeSet::new(), lookup))
        .unwrap_or_else(|| vec![None; count]);
    let verified = |copy: &Option<SiteCopy>| copy.is_some_and(|copy| copy.verified);
    let (copies, waiting) = if target.upload.is_some() {
        let remote = view
            .and_then(|view| view.remote.as_ref())
            .map(|remote| site_copies(remote, &BTreeSet::new(), lookup))
            .unwrap_or_else(|| vec![None; count]);
        let waiting = staged
            .iter()
            .zip(&remote)
            .map(|(staged, remote)| verified(staged) && !verified(remote))
            .collect();
        (remote, waiting)
    } else {
        (staged, Vec::new())
    };
    Site {
        location: Location::Offsite(target.name.clone()),
        role: Role::Offsite,
        unavailable: view
            .and_then(|view| view.staged_error.clone())
            .map(Unavailable::ManifestUnreadable),
        copies,
        space: view.and_then(|view| view.space),
        reserve: 0,
        disk_id: None,
        last_seen: None,
        network_fs: view.and_then(|view| view.network_fs.clone()),
        staged: waiting,
    }
}
