//! The planner's view of the world: every location as a [`Site`] with its copies,
//! and every known backup (on the server or only on disks) with its business day.
//!
//! Built from the policy and the scanned inventory by a pure function. A site is
//! *actionable* only when rota may change it now: connected, its label unique
//! among connected disks, its manifest readable, and its label in the policy.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};

use super::tamper::Tampered;
use crate::calendar::{Calendar, NamePattern};
use crate::inventory::{
    CopyRecord, DiskView, EntryKind, Fingerprint, Inventory, SourceEntry, Space,
};
use crate::policy::{OffsiteTarget, Policy};
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

/// A backup known anywhere, with what placement needs about it.
#[derive(Debug, Clone)]
pub struct KnownBackup {
    pub dated: Dated,
    pub size: u64,
    pub kind: EntryKind,
    /// The source backup's fingerprint now (`None` when not on the server).
    pub fingerprint: Option<Fingerprint>,
    /// On the server and changed less than `source.settle` ago (by the real
    /// clock): how long ago. Such a backup is still being written: not copied.
    pub settling: Option<TimeDelta>,
}

impl AsRef<Dated> for KnownBackup {
    fn as_ref(&self) -> &Dated {
        &self.dated
    }
}

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

/// Finding backups by name in a list sorted by (time in the name, name): the
/// pattern reads each name's time, then the names are sorted the same way and
/// both lists walked once (no table of 100,000 names to build, and no binary
/// search jumping about 100,000 backups for each name).
#[derive(Clone, Copy)]
struct Lookup<'a> {
    backups: &'a [KnownBackup],
    pattern: &'a NamePattern,
}

impl Lookup<'_> {
    /// Each item of `items` whose name is a known backup, with its index.
    fn find_all<'i, T>(
        &self,
        items: impl Iterator<Item = &'i T>,
        name: impl Fn(&T) -> &str,
    ) -> Vec<(&'i T, usize)> {
        let keys = sorted_keys(items, |item| self.pattern.timestamp(name(item)), &name);
        walk_sorted(keys, self.backups, backup_key)
            .into_iter()
            .filter_map(|(_, item, index)| Some((item, index?)))
            .collect()
    }

    fn len(&self) -> usize {
        self.backups.len()
    }
}

fn backup_key(backup: &KnownBackup) -> (NaiveDateTime, &str) {
    (backup.dated.timestamp, &backup.dated.name)
}

fn source_key(entry: &SourceEntry) -> (NaiveDateTime, &str) {
    (entry.timestamp, &entry.name)
}

/// `items` keyed by (time, name), sorted; items without a time are left out.
fn sorted_keys<'i, T>(
    items: impl Iterator<Item = &'i T>,
    time: impl Fn(&T) -> Option<NaiveDateTime>,
    name: impl Fn(&T) -> &str,
) -> Vec<((NaiveDateTime, &'i str), &'i T)> {
    let mut keys: Vec<((NaiveDateTime, &'i str), &'i T)> = items
        .filter_map(|item| Some(((time(item)?, name(item)), item)))
        .collect();
    // Stable: of equal keys the first item comes first.
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys
}

/// Walks `keys` (sorted) and `list` (sorted by `key`, each key once) together:
/// each keyed item, in order, with its index in the list if it is there.
fn walk_sorted<'i, T, L>(
    keys: Vec<((NaiveDateTime, &'i str), &'i T)>,
    list: &[L],
    key: impl for<'x> Fn(&'x L) -> (NaiveDateTime, &'x str),
) -> Vec<((NaiveDateTime, &'i str), &'i T, Option<usize>)> {
    let mut walked = Vec::with_capacity(keys.len());
    let mut at = 0;
    for (wanted, item) in keys {
        while at < list.len() && key(&list[at]) < wanted {
            at += 1;
        }
        let found = (at < list.len() && key(&list[at]) == wanted).then_some(at);
        walked.push((wanted, item, found));
    }
    walked
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
    let mut world = World {
        sites,
        backups,
        stale,
        tampered: Vec::new(),
    };
    super::tamper::judge(&mut world, &inventory.accepted_changes, today);
    world
}

/// The stale copies of the world's sites, with what each recorded (disks:
/// their records; off-site: the staged and remote records).
fn stale_copies(
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

/// The server: `on_server[i]` says whether backup `i` is in the source folder
/// (its size is then the source's).
fn server_site(inventory: &Inventory, backups: &[KnownBackup], on_server: &[bool]) -> Site {
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

fn disk_site(
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
fn site_copies(
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
fn is_stale(record: &CopyRecord, backup: &KnownBackup) -> bool {
    backup
        .fingerprint
        .is_some_and(|now| !record.is_copy_of(&now))
}

/// An off-site target. Without `upload`, its copies are the verified copies
/// in its staging folder. With `upload`, only remote copies the catalog records
/// as checked count; a verified staged copy not yet on the remote is *pending
/// upload* ([`Site::staged`]). A staging folder whose manifest cannot be read
/// makes the target unavailable (nothing in it is trusted or deleted).
fn offsite_site(target: &OffsiteTarget, inventory: &Inventory, lookup: Lookup) -> Site {
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

/// Every backup name found at any location the planner looks at (the source,
/// the policy's disks, the off-site staging folders and remotes) that matches
/// the pattern, dated, with its size (from the server when it has it) and
/// kind; sorted by the time in the name, then the name. With it, whether each
/// is in the source folder.
fn known_backups(
    policy: &Policy,
    inventory: &Inventory,
    chosen: &[(&str, usize, Option<&DiskView>)],
) -> (Vec<KnownBackup>, Vec<bool>) {
    let source = sorted_source(&inventory.source.backups);
    let disk_records = chosen
        .iter()
        .filter_map(|(_, _, disk)| *disk)
        .flat_map(|disk| disk.copies.values());
    let staged_records = inventory.offsite.iter().flat_map(|target| {
        let remote = target.remote.iter().flat_map(|remote| remote.values());
        target.staged.values().chain(remote)
    });
    // Backups known only elsewhere: the first record of each name counts.
    let mut records = sorted_keys(
        disk_records.chain(staged_records),
        |record| policy.source.pattern.timestamp(&record.name),
        |record| &record.name,
    );
    records.dedup_by(|later, first| later.0 == first.0);
    let elsewhere: Vec<((NaiveDateTime, &str), &CopyRecord)> =
        walk_sorted(records, &source, |entry| source_key(entry))
            .into_iter()
            .filter(|(_, _, on_server)| on_server.is_none())
            .map(|(key, record, _)| (key, record))
            .collect();
    let server = source.iter().map(|entry| {
        let fingerprint = entry.fingerprint();
        let settling = settling(policy, inventory, &fingerprint);
        let facts = (entry.size, entry.kind, Some(fingerprint), settling);
        ((entry.timestamp, entry.name.as_str()), facts)
    });
    let others = elsewhere
        .into_iter()
        .map(|(key, record)| (key, (record.size, record.kind, None, None)));
    let mut backups = Vec::with_capacity(source.len());
    let mut in_source = Vec::with_capacity(source.len());
    let mut dates = Dates::new(
        &policy.office.calendar,
        policy.source.pattern.is_date_only(),
    );
    for ((timestamp, name), (size, kind, fingerprint, settling)) in merge_sorted(server, others) {
        let modified = fingerprint.and_then(|print| print.modified);
        if let Some(dated) = dates.date(name, timestamp, modified) {
            backups.push(KnownBackup {
                dated,
                size,
                kind,
                fingerprint,
                settling,
            });
            in_source.push(fingerprint.is_some());
        }
    }
    (backups, in_source)
}

/// How long ago a source backup last changed, when that is less than
/// `source.settle` before the real time the source was listed. A backup
/// whose time is unknown, or that is dated in the future (a clock set
/// wrong), is settled only by its age: the future counts as just now.
fn settling(policy: &Policy, inventory: &Inventory, print: &Fingerprint) -> Option<TimeDelta> {
    let observed = inventory.observed_at?;
    let settle = TimeDelta::from_std(policy.source.settle.0).ok()?;
    let age = observed - print.modified?;
    (age < settle).then_some(age.max(TimeDelta::zero()))
}

/// The source's backups by (time in the name, name), each name once. The scan
/// lists them in this order already; other inventories may not.
fn sorted_source(backups: &[SourceEntry]) -> Vec<&SourceEntry> {
    let key = source_key;
    let mut sorted: Vec<&SourceEntry> = backups.iter().collect();
    if !sorted.is_sorted_by(|a, b| key(a) < key(b)) {
        sorted.sort_by(|a, b| key(a).cmp(&key(b)));
        sorted.dedup_by(|a, b| key(a) == key(b));
    }
    sorted
}

/// Merges two iterators sorted by their first field into one sorted sequence
/// (on a tie, `a`'s item comes first).
fn merge_sorted<K: Ord, T>(
    a: impl Iterator<Item = (K, T)>,
    b: impl Iterator<Item = (K, T)>,
) -> impl Iterator<Item = (K, T)> {
    let mut a = a.peekable();
    let mut b = b.peekable();
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if y.0 < x.0 => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

/// Dates backups: the business day of the time in each name. Backups come in
/// time order, many to a working date, so the last working date's business
/// day is remembered (looking it up walks the calendar's closed days).
struct Dates<'a> {
    calendar: &'a Calendar,
    /// Names state their date and no time: the date is the working date,
    /// whatever `day_starts_at` says (the time is only an order key).
    date_only: bool,
    last: Option<(NaiveDate, Option<NaiveDate>)>,
}

impl<'a> Dates<'a> {
    fn new(calendar: &'a Calendar, date_only: bool) -> Dates<'a> {
        Dates {
            calendar,
            date_only,
            last: None,
        }
    }

    /// `modified`: when the server's copy was last modified (date-only names
    /// are ordered by it within their date).
    fn date(
        &mut self,
        name: &str,
        timestamp: NaiveDateTime,
        modified: Option<DateTime<Utc>>,
    ) -> Option<Dated> {
        let working = if self.date_only {
            timestamp.date()
        } else {
            self.calendar.working_date(timestamp)
        };
        let business_day = match self.last {
            Some((date, business_day)) if date == working => business_day,
            _ => {
                let business_day = self.calendar.business_day_of_working_date(working);
                self.last = Some((working, business_day));
                business_day
            }
        }?;
        Some(Dated {
            name: name.to_string(),
            timestamp,
            business_day,
            written: modified
                .filter(|_| self.date_only)
                .map(|at| self.calendar.local_time(&at)),
        })
    }
}

#[cfg(test)]
mod tests;
