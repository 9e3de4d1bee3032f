//! The planner's view of the world: every location as a [`Site`] with its copies,
//! and every known backup (on the server or only on disks) with its business day.
//!
//! Built from the policy and the scanned inventory by a pure function. A site is
//! *actionable* only when rota may change it now: connected, its label unique
//! among connected disks, its manifest readable, and its label in the policy.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{DateTime, Utc};

use crate::inventory::{DiskView, EntryKind, Inventory, Space};
use crate::policy::Policy;
use crate::retention::Dated;

/// A place a backup can be.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    Server,
    Disk(String),
    Offsite(String),
}

impl Location {
    pub fn name(&self) -> &str {
        match self {
            Location::Server => "server",
            Location::Disk(label) => label,
            Location::Offsite(name) => name,
        }
    }

    /// Parses a name as printed (`server`, a disk label, a target name).
    pub fn from_name(name: &str, policy: &Policy) -> Option<Location> {
        if name == "server" {
            Some(Location::Server)
        } else if policy.disks.labels().contains(&name) {
            Some(Location::Disk(name.to_string()))
        } else if policy.offsite_target(name).is_some() {
            Some(Location::Offsite(name.to_string()))
        } else {
            None
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

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
    pub verified: bool,
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
    /// Copies by backup name (only verified ones count for placement).
    pub copies: HashMap<String, SiteCopy>,
    pub space: Option<Space>,
    /// Bytes to keep free on this site.
    pub reserve: u64,
    /// The disk's unique id (disks only).
    pub disk_id: Option<String>,
    pub last_seen: Option<DateTime<Utc>>,
    pub network_fs: Option<String>,
}

impl Site {
    pub fn is_actionable(&self) -> bool {
        self.unavailable.is_none()
    }

    pub fn has_verified(&self, name: &str) -> bool {
        self.copies.get(name).is_some_and(|copy| copy.verified)
    }

    /// Bytes that may still be written before the reserve is reached (None:
    /// capacity unknown, e.g. the platform cannot tell).
    pub fn room(&self) -> Option<u64> {
        self.space
            .map(|space| space.free.saturating_sub(self.reserve))
    }
}

/// A backup known anywhere, with what placement needs about it.
#[derive(Debug, Clone)]
pub struct KnownBackup {
    pub dated: Dated,
    pub size: u64,
    pub kind: EntryKind,
}

/// Sites and backups, indexed for planning.
#[derive(Debug, Clone)]
pub struct World {
    pub sites: Vec<Site>,
    /// Sorted oldest first (by wall-clock time, then name).
    pub backups: Vec<KnownBackup>,
    pub index: HashMap<String, usize>,
}

impl World {
    pub fn site(&self, location: &Location) -> Option<usize> {
        self.sites
            .iter()
            .position(|site| &site.location == location)
    }

    pub fn server(&self) -> usize {
        0
    }

    pub fn backup(&self, name: &str) -> Option<&KnownBackup> {
        self.index.get(name).map(|index| &self.backups[*index])
    }
}

/// Builds the world from the policy and the inventory.
pub fn build(policy: &Policy, inventory: &Inventory) -> World {
    let mut sites = vec![server_site(inventory)];
    for label in policy.disks.labels() {
        let role = if policy.disks.is_archive(label) {
            Role::Archive
        } else {
            Role::Rotation
        };
        sites.push(disk_site(policy, inventory, label, role));
    }
    for target in &policy.offsite {
        sites.push(offsite_site(inventory, &target.name));
    }
    let backups = known_backups(policy, inventory, &sites);
    let index = backups
        .iter()
        .enumerate()
        .map(|(i, backup)| (backup.dated.name.clone(), i))
        .collect();
    World {
        sites,
        backups,
        index,
    }
}

fn server_site(inventory: &Inventory) -> Site {
    let source = &inventory.source;
    let copies = source
        .backups
        .iter()
        .map(|entry| {
            let copy = SiteCopy {
                size: entry.size,
                verified: true,
            };
            (entry.name.clone(), copy)
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
    }
}

fn disk_site(policy: &Policy, inventory: &Inventory, label: &str, role: Role) -> Site {
    let connected: Vec<&DiskView> = inventory.disk(label).filter(|d| d.is_connected()).collect();
    let chosen: Option<&DiskView> = connected.first().copied().or_else(|| {
        // Absent: the most recently seen disk with this label stands for it.
        inventory.disk(label).max_by_key(|disk| disk.last_seen)
    });
    let unavailable = match (&chosen, connected.len()) {
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
            .map(|disk| site_copies(&disk.copies))
            .unwrap_or_default(),
        space,
        reserve,
        disk_id: chosen.map(|disk| disk.id.clone()),
        last_seen: chosen.and_then(|disk| disk.last_seen),
        network_fs: chosen
            .and_then(|disk| disk.mount.as_ref())
            .and_then(|mount| mount.network_fs.clone()),
    }
}

fn site_copies(
    records: &BTreeMap<String, crate::inventory::CopyRecord>,
) -> HashMap<String, SiteCopy> {
    records
        .values()
        .map(|record| {
            let copy = SiteCopy {
                size: record.size,
                verified: record.is_verified(),
            };
            (record.name.clone(), copy)
        })
        .collect()
}

fn offsite_site(inventory: &Inventory, name: &str) -> Site {
    let view = inventory.offsite.iter().find(|target| target.name == name);
    Site {
        location: Location::Offsite(name.to_string()),
        role: Role::Offsite,
        unavailable: None,
        copies: view
            .map(|view| site_copies(&view.staged))
            .unwrap_or_default(),
        space: view.and_then(|view| view.space),
        reserve: 0,
        disk_id: None,
        last_seen: None,
        network_fs: view.and_then(|view| view.network_fs.clone()),
    }
}

/// Every backup name found at any site that matches the pattern, dated, with its
/// size (from the server when it has it) and kind.
fn known_backups(policy: &Policy, inventory: &Inventory, sites: &[Site]) -> Vec<KnownBackup> {
    let calendar = &policy.office.calendar;
    let pattern = &policy.source.pattern;
    let mut found: HashMap<&str, KnownBackup> = HashMap::new();
    for entry in &inventory.source.backups {
        if let Some(dated) = date(policy, &entry.name) {
            found.insert(
                &entry.name,
                KnownBackup {
                    dated,
                    size: entry.size,
                    kind: entry.kind,
                },
            );
        }
    }
    let kinds: HashMap<&str, EntryKind> = inventory
        .disks
        .iter()
        .flat_map(|disk| disk.copies.values())
        .map(|record| (record.name.as_str(), record.kind))
        .collect();
    for site in sites {
        for (name, copy) in &site.copies {
            if found.contains_key(name.as_str()) || !pattern.matches(name) {
                continue;
            }
            if let Some(dated) = date(policy, name) {
                let kind = kinds.get(name.as_str()).copied().unwrap_or(EntryKind::File);
                found.insert(
                    name,
                    KnownBackup {
                        dated,
                        size: copy.size,
                        kind,
                    },
                );
            }
        }
    }
    let _ = calendar;
    let mut backups: Vec<KnownBackup> = found.into_values().collect();
    backups.sort_by(|a, b| {
        (a.dated.timestamp, &a.dated.name).cmp(&(b.dated.timestamp, &b.dated.name))
    });
    backups
}

fn date(policy: &Policy, name: &str) -> Option<Dated> {
    let timestamp = policy.source.pattern.timestamp(name)?;
    let business_day = policy.office.calendar.business_day(timestamp)?;
    Some(Dated {
        name: name.to_string(),
        timestamp,
        business_day,
    })
}
