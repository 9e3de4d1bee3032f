//! The deletion step of an action (remove, destroy, or the second half of an
//! archive move), guarded by the safety rules re-checked just before it runs:
//! the name matches the policy's pattern and is not rota's own; no hold covers
//! the backup; on a disk, the manifest vouches for the copy; on the server,
//! the backup is the size the plan saw; and a backup still needed keeps a
//! verified copy somewhere else, by a fresh look at the manifests.
//!
//! Then, in an order that survives a crash at any point (see the journal):
//! the audit log gets its line, the backup's name is taken away in one
//! rename, the data is overwritten (destroy) and removed, and the manifest
//! and the catalog forget the copy.
//!
//! At an off-site target the copy may be on its remote too: `remote_delete`
//! deletes it there first.

use std::path::Path;

use super::{Doomed, Step};
use crate::content_hash;
use crate::execute::audit::{self, AuditRecord};
use crate::execute::delete::{overwrite_tree, remove_tree};
use crate::execute::failure::{Done, Failure, Refusal, refused};
use crate::execute::journal::{Entry, Started};
use crate::execute::places::{Place, confirmed_by, entry_kind, entry_size, present};
use crate::inventory::{fingerprint_of, layout};
use crate::placement::Location;
use crate::plan::{Action, Op};

impl Step<'_, '_> {
    pub(in crate::execute) fn delete(
        &mut self,
        action: &Action,
        location: &Location,
        archived_to: Option<&Location>,
    ) -> Result<Done, Failure> {
        let place = self.place(location)?;
        self.check_rules(action, &place)?;
        if place.is_offsite() && archived_to.is_none() {
            return self.delete_offsite(action, &place);
        }
        self.delete_local(action, &place, archived_to)?;
        Ok(Done::default())
    }

    /// Deletes the copy in a folder on this machine (the server, a disk, a
    /// staging folder), once [`Self::check_entry`] allows it.
    pub(in crate::execute) fn delete_local(
        &mut self,
        action: &Action,
        place: &Place,
        archived_to: Option<&Location>,
    ) -> Result<(), Failure> {
        let path = place.copy_path(&action.backup);
        let recorded_hash = self.check_entry(action, place, &path)?;
        let hash = match recorded_hash {
            Some(hash) => hash,
            None => self.hash_of_last_resort(action, place, &path)?,
        };
        let op = if archived_to.is_some() {
            Op::Archive
        } else {
            action.op
        };
        let doomed = Doomed {
            backup: action.backup.clone(),
            kind: action.kind,
            size: action.bytes,
            path,
            hash,
            op,
            reason: action.reason.clone(),
            archived_to: archived_to.map(Location::to_string),
        };
        self.take_out(action, place, doomed)
    }

    /// Takes one checked copy away, in an order that survives a crash at any
    /// point and leaves no deletion unrecorded (safety invariant 15): the
    /// journal entry, the audit line, the name taken away in one rename (to a
    /// `.rota-deleting-` name), the data overwritten (destroy) and removed,
    /// then the manifest and the catalog forget it. A rename that fails (the
    /// copy is still there) adds a line saying the deletion did not happen; a
    /// removal that fails after the rename leaves the renamed data for the
    /// next run to finish (its deletion is on record).
    pub(in crate::execute) fn take_out(
        &mut self,
        action: &Action,
        place: &Place,
        doomed: Doomed,
    ) -> Result<(), Failure> {
        let stored_name = doomed.path.file_name().map_or_else(
            || doomed.backup.clone(),
            |n| n.to_string_lossy().into_owned(),
        );
        let temp = place
            .folder
            .join(layout::deleting_name(&self.run.run_id, &stored_name));
        let started = Started {
            backup: doomed.backup.clone(),
            kind: doomed.kind,
            path: doomed.path.clone(),
            temp: temp.clone(),
            size: doomed.size,
            hash: Some(doomed.hash),
            reason: doomed.reason,
            archived_to: doomed.archived_to,
            ..self.started(action, place, doomed.op)
        };
        self.journal_entry(&Entry::ActionStarted(Box::new(started.clone())))?;
        if let Err(failure) = self.audit(&started) {
            self.journal_end(action, Some(&failure));
            return Err(failure);
        }
        if let Err(failure) = self.rename_away(place, &doomed.path, &temp) {
            self.audit_not_done(&started, &failure);
            self.journal_end(action, Some(&failure));
            return Err(failure);
        }
        // The backup's name is gone: whatever happens to its data now, the
        // manifest and the catalog must stop counting the copy.
        let removed = self.destroy_and_remove(place, &temp, doomed.op);
        let forgotten = self.forget(place, &doomed.backup);
        let result = removed.and(forgotten);
        self.journal_end(action, result.as_ref().err());
        result
    }

    /// The name must be a backup's, and no hold may cover it.
    fn check_rules(&self, action: &Action, place: &Place) -> Result<(), Failure> {
        match self.rules_forbid(&action.backup) {
            Some(rule) => Err(refused(action, &place.location, rule)),
            None => Ok(()),
        }
    }

    /// Which rule forbids deleting a copy of backup `name`, if one does.
    pub(in crate::execute) fn rules_forbid(&self, name: &str) -> Option<Refusal> {
        let policy = self.run.policy;
        let Some(timestamp) = policy.source.pattern.timestamp(name) else {
            return Some(Refusal::NotABackupName);
        };
        if layout::is_reserved(name) || name.contains(['/', '\\']) || name == ".." {
            return Some(Refusal::NotABackupName);
        }
        let held = match policy.office.calendar.business_day(timestamp) {
            Some(day) => policy.is_held(name, day),
            // A name with no business day cannot be shown not to be held.
            None => !policy.hold.is_empty(),
        };
        held.then_some(Refusal::OnHold)
    }

    /// The copy must be there as rota knows it, and not the last one of a
    /// backup still needed. Returns its recorded hash, if any.
    fn check_entry(
        &self,
        action: &Action,
        place: &Place,
        path: &Path,
    ) -> Result<Option<String>, Failure> {
        let name = &action.backup;
        if entry_kind(path).is_none() {
            return Err(Failure::SourceVanished {
                backup: name.clone(),
                location: place.location.to_string(),
            });
        }
        let recorded = match place.manifest() {
            None => {
                let size = entry_size(path).unwrap_or(0);
                if entry_kind(path) != Some(action.kind) || size != action.bytes {
                    return Err(Failure::SourceChanged {
                        backup: name.clone(),
                        location: place.location.to_string(),
                        what: format!("the plan saw {} bytes, it is now {size}", action.bytes),
                    });
                }
                None
            }
            Some(Err(error)) => {
                return Err(refused(
                    action,
                    &place.location,
                    Refusal::Manifest(error.to_string()),
                ));
            }
            // The hash the audit log records is one rota verified: a copy
            // the catalog does not confirm is hashed before it goes.
            Some(Ok(manifest)) => match manifest.get(name) {
                Some(record) if present(path, record) => {
                    confirmed_by(&self.run.catalog, place, record).then(|| record.hash.clone())
                }
                _ => return Err(refused(action, &place.location, Refusal::NotRecorded)),
            },
        };
        let needed = self.needed.get(name).copied().unwrap_or(true);
        let mut holders = self.places.verified_holders(name, place, &self.run.catalog);
        if place.manifest().is_none() {
            // Pruning from the server: only copies of the backup as it is at
            // this moment count, never stale ones (invariant 11).
            let now = fingerprint_of(path);
            holders.retain(|holder| now.is_some_and(|now| holder.is_copy_of(&now)));
        }
        if needed && holders.is_empty() {
            return Err(refused(action, &place.location, Refusal::LastCopy));
        }
        Ok(recorded.or_else(|| holders.into_iter().find_map(|h| h.hash)))
    }

    /// A server backup no disk has a record of: hashed now, so the audit log
    /// can say exactly what was destroyed.
    fn hash_of_last_resort(
        &self,
        action: &Action,
        place: &Place,
        path: &Path,
    ) -> Result<String, Failure> {
        content_hash::hash_path(path).map_err(|error| Failure::Io {
            doing: format!(
                "reading {} on {} to record its hash before deleting it",
                action.backup, place.location
            ),
            path: path.to_path_buf(),
            error: error.to_string(),
        })
    }

    /// Takes the backup's name away: one rename to `doomed`, made durable.
    pub(in crate::execute) fn rename_away(
        &self,
        place: &Place,
        path: &Path,
        doomed: &Path,
    ) -> Result<(), Failure> {
        let fs = &self.run.fs;
        let location = place.location.to_string();
        fs.rename(path, doomed).map_err(|error| {
            Failure::from_target_io(&location, path.to_path_buf(), "removing", &error)
        })?;
        fs.sync_dir(&place.folder).map_err(|error| {
            Failure::from_target_io(&location, place.folder.clone(), "flushing", &error)
        })
    }

    /// Overwrites the renamed data if destroying, and removes it.
    pub(in crate::execute) fn destroy_and_remove(
        &self,
        place: &Place,
        doomed: &Path,
        op: Op,
    ) -> Result<(), Failure> {
        let fs = &self.run.fs;
        let location = place.location.to_string();
        let io = |doing: &'static str| {
            let location = location.clone();
            move |error: std::io::Error| {
                Failure::from_target_io(&location, doomed.to_path_buf(), doing, &error)
            }
        };
        if op == Op::Destroy {
            overwrite_tree(fs, doomed).map_err(io("overwriting"))?;
        }
        // No flush after this: if the removal is lost to a power cut, the
        // temporary name comes back and the next run removes it again.
        remove_tree(fs, doomed).map_err(io("removing"))
    }

    /// The audit line saying the deletion logged just before did not happen
    /// (the copy kept its name). Best effort: the failure is reported anyway.
    fn audit_not_done(&self, started: &Started, failure: &Failure) {
        let mut record = AuditRecord::of_deletion(started, (self.run.clock)(), false);
        record.not_done = Some(failure.to_string());
        let _ = audit::append(&self.run.fs, &self.run.policy.state_dir, &record);
    }

    pub(in crate::execute) fn audit(&self, started: &Started) -> Result<(), Failure> {
        let record = AuditRecord::of_deletion(started, (self.run.clock)(), false);
        audit::append(&self.run.fs, &self.run.policy.state_dir, &record).map_err(|error| {
            Failure::Io {
                doing: String::from("writing the audit log"),
                path: audit::path(&self.run.policy.state_dir),
                error: error.to_string(),
            }
        })
    }

    /// The manifest (read afresh) and the catalog forget the deleted copy.
    fn forget(&mut self, place: &Place, backup: &str) -> Result<(), Failure> {
        let Some(manifest) = place.manifest() else {
            return Ok(());
        };
        let failure = |error: String| Failure::Refused {
            backup: backup.to_string(),
            location: place.location.to_string(),
            rule: Refusal::Manifest(error),
        };
        let mut manifest = manifest.map_err(|error| failure(error.to_string()))?;
        manifest.remove(backup);
        self.run
            .fs
            .record("manifest")
            .map_err(|error| failure(error.to_string()))?;
        manifest
            .save(&place.folder)
            .map_err(|error| failure(error.to_string()))?;
        self.run
            .update_catalog(place, backup, None, self.now)
            .map_err(|error| failure(error.to_string()))
    }
}
