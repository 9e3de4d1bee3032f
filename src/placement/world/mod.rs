//! The planner's view of the world: every location as a [`Site`] with its copies,
//! and every known backup (on the server or only on disks) with its business day.
//!
//! Built from the policy and the scanned inventory by a pure function. A site is
//! *actionable* only when rota may change it now: connected, its label unique
//! among connected disks, its manifest readable, and its label in the policy.
//!
//! The parts: [`Location`] (`location.rs`), the sites and their copies
//! (`sites.rs`) and the known backups (`known.rs`); this file puts them
//! together ([`build`]).

mod known;
mod location;
mod sites;

use chrono::NaiveDate;

use super::tamper::{self, Tampered};
use crate::inventory::{DiskView, Inventory};
use crate::policy::Policy;

pub use known::KnownBackup;
pub use location::Location;
pub use sites::{Role, Site, SiteCopy, StaleCopy, Unavailable};

use known::{Lookup, known_backups};
use sites::{disk_site, offsite_site, server_site, stale_copies};

/// Sites and backups, indexed for planning.
#[derive(Debug, Clone)]
pub struct World {
    pub sites: Vec<Site>,
    /// Sorted oldest first (by wall-clock time, then name).
    pub backups: Vec<KnownBackup>,
    /// Copies made from a backup that has changed on the server since (on
    /// its own business day: the practice software re-ran its job).
    pub stale: Vec<StaleCopy>,
    /// Backups changed on the server after a verified copy existed, noticed
    /// on a later business day (safety invariant 12, see [`super::tamper`]).
    pub tampered: Vec<Tampered>,
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

    /// Whether backup `backup` stands tampered (`tampered` is in backup
    /// order: ransomware may make it as long as the backups).
    pub fn is_tampered(&self, backup: usize) -> bool {
        self.tampered
            .binary_search_by_key(&backup, |t| t.backup)
            .is_ok()
    }
}

/// Builds the world from the policy and the inventory, as of `today` (a
/// change noticed on a later business day than the backup's own is
/// tampering, not a re-run).
pub fn build(policy: &Policy, inventory: &Inventory, today: NaiveDate) -> World {
    let chosen = chosen_disks(policy, inventory);
    let (backups, on_server) = known_backups(policy, inventory, &chosen);
    let lookup = Lookup {
        backups: &backups,
        pattern: &policy.source.pattern,
    };
    let mut sites = vec![server_site(inventory, &backups, &on_server)];
    for (label, connected, disk) in &chosen {
        let role = if policy.disks.is_archive(label) {
            Role::Archive
        } else {
            Role::Rotation
        };
        sites.push(disk_site(policy, label, *connected, *disk, role, lookup));
    }
    for target in &policy.offsite {
        sites.push(offsite_site(target, inventory, lookup));
    }
    let stale = stale_copies(&sites, inventory, &chosen, lookup);
    let (stale, tampered) = tamper::judge(
        stale,
        &backups,
        &mut sites,
        &inventory.accepted_changes,
        today,
    );
    World {
        sites,
        backups,
        stale,
        tampered,
    }
}

/// For each disk label of the policy: how many disks with it are connected, and
/// the disk that stands for it (the connected one, else the most recently seen).
fn chosen_disks<'a>(
    policy: &'a Policy,
    inventory: &'a Inventory,
) -> Vec<(&'a str, usize, Option<&'a DiskView>)> {
    policy
        .disks
        .labels()
        .into_iter()
        .map(|label| {
            let connected: Vec<&DiskView> =
                inventory.disk(label).filter(|d| d.is_connected()).collect();
            let chosen = connected
                .first()
                .copied()
                .or_else(|| inventory.disk(label).max_by_key(|disk| disk.last_seen));
            (label, connected.len(), chosen)
        })
        .collect()
}

#[cfg(test)]
mod tests;
