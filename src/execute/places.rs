//! Where each location of the plan is on this machine, and whether it is still
//! what the plan saw: the server's source folder, a labelled disk's copies
//! folder (the disk known by the id in its label file, never by its mount
//! path), an off-site target's staging folder.
//!
//! Also the executor's fresh look at who holds a verified copy of a backup,
//! read from the disks' manifests (and, for targets that upload, the catalog's
//! record of their remotes) right before a deletion rather than trusted from
//! the plan. Read-only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::inventory::offsite_names::Stored;
use crate::inventory::{
    Catalog, CopyRecord, EntryKind, Fingerprint, Inventory, Manifest, bundle_size, layout,
    read_label,
};
use crate::placement::Location;
use crate::plan::Plan;
use crate::policy::{OffsiteTarget, Policy};

/// One location, resolved to a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub location: Location,
    /// Where its backups or copies are.
    pub folder: PathBuf,
    pub kind: PlaceKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceKind {
    /// The source folder on the server: no manifest; rota only prunes here.
    Server,
    /// A connected, labelled disk.
    Disk { mount: PathBuf, id: String },
    /// An off-site target's local staging folder (copies stored as
    /// `crate::inventory::offsite_names` says); with `uploads`, only its remote
    /// copies (in the catalog) count.
    Offsite { encrypted: bool, uploads: bool },
}

/// Why a place is not what the plan saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Absence {
    /// Not connected when the plan was made.
    NotConnected,
    /// The disk's label file is gone: the disk was unplugged.
    Removed { mount: PathBuf },
    /// Another disk is mounted there now.
    Replaced { mount: PathBuf, found: String },
}

impl PlaceKind {
    /// The kind of an off-site target's staging folder.
    pub fn offsite(target: &OffsiteTarget) -> PlaceKind {
        PlaceKind::Offsite {
            encrypted: target.encrypt.is_some(),
            uploads: target.upload.is_some(),
        }
    }
}

impl Place {
    /// The (id, label) its manifest carries, for places that have one.
    pub fn manifest_owner(&self) -> Option<(String, String)> {
        match &self.kind {
            PlaceKind::Server => None,
            PlaceKind::Disk { id, .. } => Some((id.clone(), self.location.name().to_string())),
            PlaceKind::Offsite { .. } => Some((
                format!("offsite:{}", self.location.name()),
                self.location.name().to_string(),
            )),
        }
    }

    pub fn disk_id(&self) -> Option<&str> {
        match &self.kind {
            PlaceKind::Disk { id, .. } => Some(id),
            _ => None,
        }
    }

    /// The path of `name` at this place.
    pub fn entry(&self, name: &str) -> PathBuf {
        self.folder.join(name)
    }

    /// The path of the copy a manifest record describes: in a staging folder,
    /// under its stored name (`NAME.age`, `NAME.tar.age` when encrypted).
    pub fn path_of(&self, record: &CopyRecord) -> PathBuf {
        match self.kind {
            PlaceKind::Offsite { .. } | PlaceKind::Disk { .. } => self
                .folder
                .join(Stored::of_record(record).name_for(&record.name)),
            _ => self.entry(&record.name),
        }
    }

    /// The path of backup `name`'s copy here: where its manifest record
    /// says, else under its own name.
    pub fn copy_path(&self, name: &str) -> PathBuf {
        if let PlaceKind::Offsite { .. } | PlaceKind::Disk { .. } = self.kind
            && let Some(Ok(manifest)) = self.manifest()
            && let Some(record) = manifest.get(name)
        {
            return self.path_of(record);
        }
        self.entry(name)
    }

    /// Whether this place is an off-site target's staging folder.
    pub fn is_offsite(&self) -> bool {
        matches!(self.kind, PlaceKind::Offsite { .. })
    }

    /// Checks that a disk is still connected as the same disk.
    pub fn check_present(&self) -> Result<(), Absence> {
        let PlaceKind::Disk { mount, id } = &self.kind else {
            return Ok(());
        };
        match read_label(mount) {
            Ok(Some(label)) if &label.id == id => Ok(()),
            Ok(Some(label)) => Err(Absence::Replaced {
                mount: mount.clone(),
                found: format!("{} ({})", label.label, label.short_id()),
            }),
            Ok(None) | Err(_) => Err(Absence::Removed {
                mount: mount.clone(),
            }),
        }
    }

    /// The manifest, as it is on the disk now (`None` for the server).
    pub fn manifest(&self) -> Option<Result<Manifest, crate::inventory::ManifestError>> {
        let (id, label) = self.manifest_owner()?;
        Some(Manifest::load_for(&self.folder, &id, &label))
    }
}

/// Every location the plan may act on, resolved.
#[derive(Debug, Clone, Default)]
pub struct Places {
    places: BTreeMap<Location, Place>,
}

impl Places {
    /// Resolves the plan's connected locations against the scan it was made
    /// from: a disk by the id the plan recorded.
    pub fn new(policy: &Policy, plan: &Plan, inventory: &Inventory) -> Places {
        let mut places = BTreeMap::new();
        places.insert(
            Location::Server,
            Place {
                location: Location::Server,
                folder: policy.source.path.clone(),
                kind: PlaceKind::Server,
            },
        );
        for site in plan.sites.iter().filter(|s| s.connected) {
            let place = match &site.location {
                Location::Server => continue,
                Location::Disk(_) => {
                    let Some(id) = &site.disk_id else { continue };
                    let Some(mount) = inventory
                        .connected_disks()
                        .find(|disk| &disk.id == id)
                        .and_then(|disk| disk.mount.as_ref())
                    else {
                        continue;
                    };
                    Place {
                        location: site.location.clone(),
                        folder: layout::copies_dir(&mount.path),
                        kind: PlaceKind::Disk {
                            mount: mount.path.clone(),
                            id: id.clone(),
                        },
                    }
                }
                Location::Offsite(name) => {
                    let Some(target) = policy.offsite_target(name) else {
                        continue;
                    };
                    Place {
                        location: site.location.clone(),
                        folder: target.path.clone(),
                        kind: PlaceKind::offsite(target),
                    }
                }
            };
            places.insert(site.location.clone(), place);
        }
        Places { places }
    }

    pub fn get(&self, location: &Location) -> Option<&Place> {
        self.places.get(location)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Place> {
        self.places.values()
    }

    /// Who, other than `except`, holds a verified copy of `name` now: the
    /// source folder when the backup is in it; a connected disk or staging
    /// folder when its manifest (read now) vouches for it and the entry is
    /// there with the recorded kind and size; an off-site target that uploads
    /// when the catalog records its remote copy as checked; an absent disk
    /// when the catalog says so.
    pub fn verified_holders(&self, name: &str, except: &Place, catalog: &Catalog) -> Vec<Holder> {
        let mut holders = Vec::new();
        let mut connected_ids = Vec::new();
        for place in self.places.values() {
            if let Some(id) = place.disk_id() {
                connected_ids.push(id.to_string());
            }
            if place.location == except.location || place.check_present().is_err() {
                continue;
            }
            let location = place.location.to_string();
            let holder = match place.manifest() {
                _ if matches!(place.kind, PlaceKind::Offsite { uploads: true, .. }) => catalog
                    .targets
                    .get(place.location.name())
                    .and_then(|target| target.remote.get(name))
                    .filter(|record| record.is_verified())
                    .map(|record| Holder::of_record(location, record)),
                None => entry_kind(&place.entry(name)).map(|_| Holder {
                    location,
                    hash: None,
                    made_from: None,
                }),
                Some(Ok(manifest)) => manifest
                    .get(name)
                    .filter(|record| present(&place.path_of(record), record))
                    .filter(|record| confirmed_by(catalog, place, record))
                    .map(|record| Holder::of_record(location, record)),
                Some(Err(_)) => None,
            };
            holders.extend(holder);
        }
        for (id, disk) in &catalog.disks {
            if connected_ids.contains(id) || except.disk_id() == Some(id.as_str()) {
                continue;
            }
            if let Some(record) = disk.copies.get(name).filter(|r| r.is_verified()) {
                let location = format!("{} (not connected)", disk.label);
                holders.push(Holder::of_record(location, record));
            }
        }
        holders
    }
}

/// Whether this server's catalog recorded the copy a disk's manifest lists
/// as rota wrote it (safety invariant 14: a manifest can be edited). Off-site
/// staging folders have no catalog record of their own: their manifest counts.
pub(super) fn confirmed_by(catalog: &Catalog, place: &Place, record: &CopyRecord) -> bool {
    let Some(id) = place.disk_id() else {
        return true;
    };
    catalog
        .disks
        .get(id)
        .and_then(|disk| disk.copies.get(&record.name))
        .is_some_and(|ours| ours.same_copy(record))
}

/// A location holding a verified copy, and the copy's hash when recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub location: String,
    pub hash: Option<String>,
    /// A copy's record: the size and fingerprint of the backup it was made from.
    pub made_from: Option<(u64, Option<Fingerprint>)>,
}

impl Holder {
    fn of_record(location: String, record: &CopyRecord) -> Holder {
        Holder {
            location,
            hash: Some(record.hash.clone()),
            made_from: Some((record.size, record.fingerprint)),
        }
    }

    /// Whether this copy was made from the backup as `now` fingerprints it (a
    /// copy recorded before fingerprints were kept: by its size). A copy of a
    /// backup that has changed since is stale and vouches for nothing.
    pub fn is_copy_of(&self, now: &Fingerprint) -> bool {
        self.made_from
            .is_none_or(|(size, recorded)| now.is_source_of(size, recorded.as_ref()))
    }
}

/// The kind of entry at `path`, never following a link.
pub fn entry_kind(path: &Path) -> Option<EntryKind> {
    let metadata = std::fs::symlink_metadata(path).ok()?;
    if metadata.is_file() {
        Some(EntryKind::File)
    } else if metadata.is_dir() {
        Some(EntryKind::Bundle)
    } else {
        None
    }
}

/// Whether a verified record's entry is there with its kind and size (an
/// encrypted copy: a file, whose size is the ciphertext's, not recorded).
pub fn present(path: &Path, record: &CopyRecord) -> bool {
    if !record.is_verified() {
        return false;
    }
    if Stored::of_record(record).is_encrypted() {
        return entry_kind(path) == Some(EntryKind::File);
    }
    entry_kind(path) == Some(record.kind) && entry_size(path) == Some(record.size)
}

/// A file's length, or a bundle's total of regular files (links not followed).
pub fn entry_size(path: &Path) -> Option<u64> {
    let metadata = std::fs::symlink_metadata(path).ok()?;
    if metadata.is_file() {
        Some(metadata.len())
    } else {
        Some(bundle_size(path).0)
    }
}
