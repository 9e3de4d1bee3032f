//! What a run does first, under the lock, about a run that was cut off (power
//! cut, `kill -9`, a disk pulled out):
//!
//! - a deletion the journal shows started and never finished, whose backup
//!   name is gone, did happen: its temporary leftovers are removed (overwritten
//!   first for `destroy`), the manifest and catalog forget the copy, and the
//!   audit log gets its line, marked `recovered`. On a disk that is not
//!   connected now, the catalog forgets the copy (so nothing counts on it) and
//!   the entry is carried into the new journal for a later run;
//! - a remote deletion (an expired off-site copy) that started and never
//!   finished, whose copy the catalog had stopped counting, is finished with
//!   rclone and logged; with the remote unreachable it waits for a later run;
//! - every temporary name rota made (`.rota-partial-…`) in rota's places (the
//!   source folder, the copies folders of the policy's connected disks, the
//!   off-site staging folders) is removed. Nothing else is touched.
//!
//! A copy cut off after its rename is found by the new plan, which copies the
//! backup again: the copy step adopts the file if it matches the source.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::audit::{self, AuditRecord};
use super::delete::{overwrite_tree, remove_tree};
use super::journal::{self, Entry, Started};
use super::places::{Place, PlaceKind, entry_kind};
use super::run_state::RunState;
use crate::inventory::{Inventory, layout};
use crate::offsite::rclone::Rclone;
use crate::placement::Location;
use crate::plan::Op;

/// What recovery found and did.
#[derive(Debug, Clone, Default)]
pub struct Recovery {
    /// The run that was cut off: (run id, pid, when it started).
    pub interrupted: Option<(String, u32, DateTime<Utc>)>,
    /// Deletions that run carried out, now logged ("remove X on MON").
    pub completed: Vec<String>,
    /// rota's temporary files and folders that were removed.
    pub removed: Vec<PathBuf>,
    /// Journal entries left for a later run (their disk is not connected).
    pub carried: Vec<Entry>,
    /// What could not be cleaned up (nothing is lost; retried next run).
    pub problems: Vec<String>,
}

pub(super) fn recover(
    run: &mut RunState<'_>,
    inventory: &Inventory,
    previous: &[Entry],
) -> Recovery {
    let mut recovery = Recovery {
        interrupted: journal::interrupted_run(previous),
        ..Recovery::default()
    };
    for started in journal::unfinished(previous) {
        if started.deletes() && started.remote.is_some() {
            finish_remote_deletion(run, &started, &mut recovery);
        } else if started.deletes() {
            finish_deletion(run, inventory, &started, &mut recovery);
        }
    }
    for folder in rota_places(run, inventory) {
        remove_partials(run, &folder, &mut recovery);
    }
    recovery
}

/// The folder (and place) a journal entry's location is at now, if reachable.
fn place_now(run: &RunState<'_>, inventory: &Inventory, started: &Started) -> Option<Place> {
    if let Some(id) = &started.disk_id {
        let disk = inventory.connected_disks().find(|disk| &disk.id == id)?;
        let mount = disk.mount.as_ref()?.path.clone();
        return Some(Place {
            location: Location::Disk(disk.label.clone()),
            folder: layout::copies_dir(&mount),
            kind: PlaceKind::Disk {
                mount,
                id: id.clone(),
            },
        });
    }
    if started.location == Location::Server.name() {
        return Some(Place {
            location: Location::Server,
            folder: run.policy.source.path.clone(),
            kind: PlaceKind::Server,
        });
    }
    let target = run.policy.offsite_target(&started.location)?;
    Some(Place {
        location: Location::Offsite(target.name.clone()),
        folder: target.path.clone(),
        kind: PlaceKind::offsite(target),
    })
}

fn finish_deletion(
    run: &mut RunState<'_>,
    inventory: &Inventory,
    started: &Started,
    recovery: &mut Recovery,
) {
    let Some(place) = place_now(run, inventory, started) else {
        forget_on_absent_disk(run, started, recovery);
        recovery
            .carried
            .push(Entry::ActionStarted(Box::new(started.clone())));
        return;
    };
    // The name the copy had there (a staged copy's may be `NAME.age`).
    let path = started.path.file_name().map_or_else(
        || place.entry(&started.backup),
        |name| place.folder.join(name),
    );
    if entry_kind(&path).is_some() {
        return; // cut off before the name was taken away: nothing happened
    }
    let doomed = started
        .temp
        .file_name()
        .map(|name| place.folder.join(name))
        .filter(|doomed| entry_kind(doomed).is_some());
    if let Some(doomed) = doomed {
        let cleaned = match started.op {
            Op::Destroy => {
                overwrite_tree(&run.fs, &doomed).and_then(|()| remove_tree(&run.fs, &doomed))
            }
            _ => remove_tree(&run.fs, &doomed),
        };
        if let Err(error) = cleaned {
            recovery
                .problems
                .push(format!("cannot remove {}: {error}", doomed.display()));
        }
    }
    if let Some(Ok(mut manifest)) = place.manifest()
        && manifest.remove(&started.backup).is_some()
    {
        let saved = run.fs.record("manifest").and_then(|()| {
            manifest
                .save(&place.folder)
                .map_err(|error| std::io::Error::other(error.to_string()))
        });
        if let Err(error) = saved {
            recovery.problems.push(error.to_string());
        }
    }
    if let Err(error) = run.update_catalog(&place, (run.clock)()) {
        recovery.problems.push(error.to_string());
    }
    log_recovered(run, started, recovery);
}

/// The audit line of a deletion an interrupted run carried out (unless that
/// run wrote it before it was cut off).
fn log_recovered(run: &RunState<'_>, started: &Started, recovery: &mut Recovery) {
    let state_dir = &run.policy.state_dir;
    let logged = audit::has_entry(
        state_dir,
        &started.run,
        started.action,
        &started.backup,
        &started.path,
    );
    let record = AuditRecord::of_deletion(started, (run.clock)(), true);
    let appended = if logged {
        Ok(())
    } else {
        audit::append(&run.fs, state_dir, &record)
    };
    match appended {
        Ok(()) => recovery.completed.push(format!(
            "{} {} on {}",
            started.op.key(),
            started.backup,
            started.location
        )),
        Err(error) => {
            recovery
                .problems
                .push(format!("cannot write the audit log: {error}"));
            recovery
                .carried
                .push(Entry::ActionStarted(Box::new(started.clone())));
        }
    }
}

/// A remote deletion cut off: the interrupted run had stopped counting the
/// remote copy (the catalog forgets it before rclone deletes it), so the
/// deletion was decided and checked; it is finished now. Still in the
/// catalog: cut off before anything happened, and the new plan decides
/// again. The remote unreachable: carried to the next run, the copy still
/// not counted.
fn finish_remote_deletion(run: &mut RunState<'_>, started: &Started, recovery: &mut Recovery) {
    let counted = run
        .catalog
        .targets
        .get(&started.location)
        .is_some_and(|target| target.remote.contains_key(&started.backup));
    if counted {
        return;
    }
    let Some(remote_path) = &started.remote else {
        return;
    };
    let upload = run
        .policy
        .offsite_target(&started.location)
        .and_then(|target| target.upload.as_ref());
    let Some(upload) = upload else {
        recovery.problems.push(format!(
            "an interrupted run was deleting {remote_path}, but off-site target {} no longer \
             uploads; delete it by hand if it is still there",
            started.location
        ));
        return;
    };
    let rclone = Rclone::for_upload(upload);
    let deleted = if remote_is_folder(started) {
        rclone.purge(remote_path)
    } else {
        rclone.deletefile(remote_path)
    };
    match deleted {
        Ok(()) => log_recovered(run, started, recovery),
        Err(error) => {
            recovery.problems.push(format!(
                "the deletion of {remote_path} that an interrupted run began could not be \
                 finished ({error}); it is tried again on the next run"
            ));
            recovery
                .carried
                .push(Entry::ActionStarted(Box::new(started.clone())));
        }
    }
}

/// Whether a remote deletion's object is a folder (a plain bundle's copy:
/// stored under the backup's own name).
fn remote_is_folder(started: &Started) -> bool {
    let object = started
        .remote
        .as_deref()
        .and_then(|path| path.rsplit(['/', ':']).next());
    started.kind == crate::inventory::EntryKind::Bundle && object == Some(started.backup.as_str())
}

/// A deletion cut off on a disk that is not here now: whether it happened is
/// unknown, so the catalog stops counting the copy (the safe side) until the
/// disk is seen again.
fn forget_on_absent_disk(run: &mut RunState<'_>, started: &Started, recovery: &mut Recovery) {
    let Some(id) = &started.disk_id else { return };
    let forgot = run
        .catalog
        .disks
        .get_mut(id)
        .and_then(|disk| disk.copies.remove(&started.backup))
        .is_some();
    if forgot && let Err(error) = run.save_catalog() {
        recovery.problems.push(error.to_string());
    }
}

/// The folders where rota may have left temporary names.
fn rota_places(run: &RunState<'_>, inventory: &Inventory) -> Vec<PathBuf> {
    let labels = run.policy.disks.labels();
    let mut folders = vec![run.policy.source.path.clone()];
    folders.extend(
        inventory
            .connected_disks()
            .filter(|disk| labels.contains(&disk.label.as_str()))
            .filter_map(|disk| disk.mount.as_ref())
            .map(|mount| layout::copies_dir(&mount.path)),
    );
    folders.extend(run.policy.offsite.iter().map(|target| target.path.clone()));
    folders
}

fn remove_partials(run: &RunState<'_>, folder: &Path, recovery: &mut Recovery) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(layout::is_partial) {
            continue;
        }
        let path = entry.path();
        match remove_tree(&run.fs, &path) {
            Ok(()) => recovery.removed.push(path),
            Err(error) => recovery
                .problems
                .push(format!("cannot remove {}: {error}", path.display())),
        }
    }
}
