//! Building the [`Inventory`]: the source folder, every folder `mount_search`
//! finds (labelled disks, unlabelled volumes, and what `volumes` sorts out:
//! volumes that are not rota's, folders rota may not read, folders on the
//! source folder's drive), the disks the catalog knows but that are not
//! connected, and the off-site staging folders.
//!
//! This is the only place besides the executor that reads the disks, and it
//! only reads: it never follows a symlink out of a location, never writes, and
//! never deletes. Problems with one location (a missing source folder, a
//! damaged manifest) are recorded in the inventory for the planner to report;
//! only a damaged catalog stops [`scan`], since without it absent disks would
//! silently look empty.

mod capture;
mod copies;
mod entries;
mod source;

pub use capture::look_at as look_at_capture;
pub use entries::{bundle_size, fingerprint_of};

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};

use super::catalog::{Catalog, CatalogError};
use super::label::DiskLabel;
use super::mount_search::mount_candidates;
use super::volumes::{self, Folder, ServerDriveFolder, SkippedVolume, UnreadableVolume};
use super::{
    CopyRecord, DiskView, Inventory, Mount, SourceListing, TargetView, device, fsinfo, layout,
    provenance,
};
use crate::calendar::NamePattern;
use crate::policy::{OffsiteTarget, Policy};

/// Scans everything the policy names, with the catalog from `state_dir`.
pub fn scan(policy: &Policy, now: DateTime<Utc>) -> Result<Inventory, CatalogError> {
    scan_loading_catalog(policy, now, || Catalog::load(&policy.state_dir))
}

/// Scans everything the policy names; absent disks and remotes come from
/// `catalog`. Connected disks come first (by label, then mount), then absent
/// ones (by label, then id).
pub fn scan_with_catalog(policy: &Policy, catalog: &Catalog, now: DateTime<Utc>) -> Inventory {
    let loaded: Result<Inventory, std::convert::Infallible> =
        scan_loading_catalog(policy, now, || Ok(catalog));
    loaded.unwrap_or_else(|never| match never {})
}

/// [`scan_with_catalog`] with the catalog from `load_catalog`, which runs while
/// the source folder is listed; its error stops the scan.
pub fn scan_loading_catalog<C: Borrow<Catalog>, E>(
    policy: &Policy,
    now: DateTime<Utc>,
    load_catalog: impl FnOnce() -> Result<C, E>,
) -> Result<Inventory, E> {
    let pattern = &policy.source.pattern;
    // The source folder (the server's drive, most of the entries) is listed
    // while the catalog is read and the disks are scanned (on a large office
    // each takes a good share of the time, mostly waiting for the file system).
    std::thread::scope(|scope| {
        let source = scope.spawn(|| source::scan_source(&policy.source.path, pattern));
        let rest = load_catalog().map(|catalog| scan_all_but_source(policy, catalog.borrow(), now));
        let source = source
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        rest.map(|inventory| Inventory {
            source,
            capture: policy.source.capture.as_deref().map(capture::look_at),
            ..inventory
        })
    })
}

/// Everything [`scan_with_catalog`] scans except the source folder.
fn scan_all_but_source(policy: &Policy, catalog: &Catalog, now: DateTime<Utc>) -> Inventory {
    let pattern = &policy.source.pattern;
    let mut disks = Vec::new();
    let mut unlabelled = Vec::new();
    let candidates = mount_candidates(policy);
    let mut volumes = volumes::VolumeSurvey {
        unreadable: volumes::unlistable_parents(&policy.disks.mount_search),
        on_server_drive: device::folders_on_source_drive(&policy.source.path, &candidates)
            .iter()
            .map(|folder| ServerDriveFolder::look_at(folder))
            .collect(),
        ..Default::default()
    };
    for mount in candidates {
        match volumes::look_at(&mount) {
            // A retired disk is never read or written again.
            Folder::Disk(label) if label.retired_at.is_some() => {}
            Folder::Disk(label) => {
                let recorded = catalog.disks.get(&label.id).map(|disk| &disk.copies);
                disks.push(scan_disk(&mount, label, pattern, recorded, now));
            }
            Folder::Unlabelled(volume) => unlabelled.push(volume),
            Folder::Skipped(why) => volumes.skipped.push(SkippedVolume { path: mount, why }),
            Folder::Unreadable(error) => volumes
                .unreadable
                .push(UnreadableVolume { path: mount, error }),
        }
    }
    disks.sort_by(|a, b| (&a.label, mount_path(a)).cmp(&(&b.label, mount_path(b))));
    let connected_ids: BTreeSet<&str> = disks.iter().map(|disk| disk.id.as_str()).collect();
    let absent = catalog.absent_disks(&connected_ids);
    disks.extend(absent);
    Inventory {
        source: SourceListing::default(),
        disks,
        unlabelled,
        volumes,
        offsite: policy
            .offsite
            .iter()
            .map(|target| scan_target(target, catalog, pattern))
            .collect(),
        last_restore_test: super::restore_log::last_successful(&policy.state_dir),
        observed_at: None,
        capture: None,
        accepted_changes: super::accepted::latest(&policy.state_dir),
    }
}

fn mount_path(disk: &DiskView) -> Option<&Path> {
    disk.mount.as_ref().map(|mount| mount.path.as_path())
}

/// A connected, labelled disk: its space, file system, and copies, judged
/// against what the catalog recorded for it (`recorded`; `None`: a disk this
/// server has never seen).
fn scan_disk(
    mount: &Path,
    label: DiskLabel,
    pattern: &NamePattern,
    recorded: Option<&BTreeMap<String, CopyRecord>>,
    now: DateTime<Utc>,
) -> DiskView {
    let space = fsinfo::space(mount);
    let found = copies::read_copies(&layout::copies_dir(mount), &label.id, pattern);
    let vouched = provenance::vouch(found.copies, recorded);
    let mut strays = found.strays;
    strays.extend(vouched.disagreeing);
    strays.sort_by(|a, b| a.name.cmp(&b.name));
    DiskView {
        label: label.label,
        id: label.id,
        mount: Some(Mount {
            path: mount.to_path_buf(),
            // Unknown space reads as a full disk: nothing is planned onto it.
            space: space.unwrap_or_default(),
            network_fs: fsinfo::network_fs(mount),
        }),
        last_seen: Some(now),
        last_verified: found.last_verified,
        copies: vouched.copies,
        strays,
        unconfirmed: vouched.unconfirmed,
        manifest_error: found.error,
        space_when_seen: space,
    }
}

/// An off-site target: copies staged locally (its folder is laid out like a
/// copies folder) and the remote as the catalog last knew it.
fn scan_target(target: &OffsiteTarget, catalog: &Catalog, pattern: &NamePattern) -> TargetView {
    let staged = copies::read_staged(&target.path, pattern);
    let exists = target.path.is_dir();
    TargetView {
        name: target.name.clone(),
        staged: staged.copies,
        staged_error: staged.error,
        remote: catalog
            .targets
            .get(&target.name)
            .map(|known| known.remote.clone()),
        remote_error: None,
        space: exists.then(|| fsinfo::space(&target.path)).flatten(),
        network_fs: exists.then(|| fsinfo::network_fs(&target.path)).flatten(),
    }
}

#[cfg(test)]
mod tests;
