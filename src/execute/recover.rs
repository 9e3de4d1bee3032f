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
//! - a journal entry is acted on only when it names a backup and rota's own
//!   temporary name for it, inside the location it names (safety invariant
//!   15), and a recovered deletion is logged only when something shows the
//!   copy existed (its temporary name, the manifest, the catalog);
//! - rota's temporary names that dead runs left are removed and counted
//!   ([`super::leftovers`]). Nothing else is touched.
//!
//! A copy cut off after its rename is found by the new plan, which copies the
//! backup again: the copy step adopts the file if it matches the source.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::audit::{self, AuditRecord};
use super::delete::{overwrite_tree, remove_tree};
use super::journal::{self, Entry, Started};
use super::places::{Place, PlaceKind, entry_kind};
use super::run_state::RunState;
use crate::inventory::{Inventory, layout, offsite_names};
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
    let cleanup = super::leftovers::remove(run, inventory);
    recovery.removed.extend(cleanup.removed);
    recovery.problems.extend(cleanup.problems);
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
    let Some(stored) = own_entry(run, started) else {
        recovery.problems.push(format!(
            "ignored a journal entry for {} on {}: it does not name a backup and rota's own \
             temporary name for it (was the journal edited?); nothing was touched",
            started.backup, started.location
        ));
        return;
    };
    let Some(place) = place_now(run, inventory, started) else {
        forget_on_absent_disk(run, started, recovery);
        recovery
            .carried
            .push(Entry::ActionStarted(Box::new(started.clone())));
        return;
    };
    // Only inside rota's own location, under the names the entry implies.
    let path = place.folder.join(&stored.name);
    if entry_kind(&path).is_some() {
        // Cut off before the name was taken away: nothing happened. Its
        // audit line, if written (it comes first), is taken back.
        if audit_has(run, started) {
            let mut record = AuditRecord::of_deletion(started, (run.clock)(), true);
            record.not_done = Some(String::from(
                "the run was cut off before the copy lost its name: nothing was deleted",
            ));
            if let Err(error) = audit::append(&run.fs, &run.policy.state_dir, &record) {
                recovery
                    .problems
                    .push(format!("cannot write the audit log: {error}"));
            }
        }
        return;
    }
    let doomed = place.folder.join(&stored.temp);
    let mut evidence = false;
    if entry_kind(&doomed).is_some() {
        evidence = true;
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
        evidence = true;
        let saved = run.fs.record("manifest").and_then(|()| {
            manifest
                .save(&place.folder)
                .map_err(|error| std::io::Error::other(error.to_string()))
        });
        if let Err(error) = saved {
            recovery.problems.push(error.to_string());
        }
    }
    evidence |= catalog_has(run, &place, &started.backup);
    if let Err(error) = run.update_catalog(&place, &started.backup, None, (run.clock)()) {
        recovery.problems.push(error.to_string());
    }
    // A journal entry alone is no evidence that a backup existed: nothing
    // is written to the audit log for one nothing else knew of.
    if evidence || audit_has(run, started) {
        log_recovered(run, started, recovery);
    }
}

/// The names a deletion's journal entry may act on: the copy's stored name
/// (which must read back to the entry's backup, a name the policy's pattern
/// matches) and rota's own temporary name for it in that run. `None` for an
/// entry that names anything else (safety invariant 15: a forged or damaged
/// journal cannot make recovery delete a live backup or any other file).
fn own_entry(run: &RunState<'_>, started: &Started) -> Option<OwnNames> {
    let pattern = &run.policy.source.pattern;
    let backup = started.backup.as_str();
    if pattern.timestamp(backup).is_none() || layout::is_reserved(backup) || !is_plain(backup) {
        return None;
    }
    let name = started.path.file_name()?.to_str()?.to_string();
    let (parsed, _) = offsite_names::parse(&name, |candidate| pattern.matches(candidate))?;
    if parsed != backup || !is_plain(&name) {
        return None;
    }
    let temp = started.temp.file_name()?.to_str()?.to_string();
    let ours = [
        layout::deleting_name(&started.run, &name),
        // Runs before deletions had a name of their own.
        layout::partial_name(&started.run, &name),
    ];
    ours.contains(&temp).then_some(OwnNames { name, temp })
}

/// A copy's stored name and the temporary name its deletion used.
struct OwnNames {
    name: String,
    temp: String,
}

/// A single file name: no separators, not `.` or `..`.
fn is_plain(name: &str) -> bool {
    !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != ".."
}

fn catalog_has(run: &RunState<'_>, place: &Place, backup: &str) -> bool {
    place
        .disk_id()
        .and_then(|id| run.catalog.disks.get(id))
        .is_some_and(|disk| disk.copies.contains_key(backup))
}

fn audit_has(run: &RunState<'_>, started: &Started) -> bool {
    audit::has_entry(
        &run.policy.state_dir,
        &started.run,
        started.action,
        &started.backup,
        &started.path,
    )
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
