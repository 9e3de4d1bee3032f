//! The deletion step of an action (remove, destroy, or the second half of an
//! archive move), guarded by the safety rules re-checked just before it runs:
//! the name matches the policy's pattern and is not rota's own; no hold covers
//! the backup; on a disk, the manifest vouches for the copy; on the server,
//! the backup is the size the plan saw; and a backup still needed keeps a
//! verified copy somewhere else, by a fresh look at the manifests.
//!
//! Then, in an order that survives a crash at any point (see the journal):
//! the backup's name is taken away in one rename, the data is overwritten
//! (destroy) and removed, the audit log gets its line, and the manifest and
//! the catalog forget the copy.

use std::path::Path;

use super::audit::{self, AuditRecord};
use super::copy_step::refused;
use super::delete::{overwrite_tree, remove_tree};
use super::failure::{Done, Failure, Refusal};
use super::journal::{Entry, Started};
use super::places::{Place, entry_kind, entry_size, present};
use super::run::Step;
use crate::content_hash;
use crate::inventory::{HashAlgorithm, layout};
use crate::placement::Location;
use crate::plan::{Action, Op};

impl Step<'_, '_> {
    pub(super) fn delete(
        &mut self,
        action: &Action,
        location: &Location,
        archived_to: Option<&Location>,
    ) -> Result<Done, Failure> {
        let place = self.place(location)?;
        self.check_rules(action, &place)?;
        let path = place.entry(&action.backup);
        let recorded_hash = self.check_entry(action, &place, &path)?;
        let hash = match recorded_hash {
            Some(hash) => hash,
            None => self.hash_of_last_resort(action, &place, &path)?,
        };
        let doomed = place
            .folder
            .join(layout::partial_name(&self.run.run_id, &action.backup));
        let op = if archived_to.is_some() {
            Op::Archive
        } else {
            action.op
        };
        let started = Started {
            run: self.run.run_id.clone(),
            plan: self.plan_id.to_string(),
            plan_at: self.plan_at.clone(),
            action: action.id,
            op,
            backup: action.backup.clone(),
            kind: action.kind,
            location: location.to_string(),
            disk_id: place.disk_id().map(str::to_string),
            path: path.clone(),
            temp: doomed.clone(),
            size: action.bytes,
            hash: Some(hash),
            reason: action.reason.clone(),
            archived_to: archived_to.map(Location::to_string),
            at: (self.run.clock)(),
        };
        self.journal_entry(&Entry::ActionStarted(Box::new(started.clone())))?;
        let result = self.take_away(&place, &path, &doomed, op);
        if let Err(failure) = result {
            self.journal_end(action, Some(&failure));
            return Err(failure);
        }
        // From here the copy is gone: log it before anything else can fail.
        // Without the audit line the journal entry stays open, and the next
        // run writes it.
        self.audit(&started)?;
        let forgotten = self.forget(action, &place);
        self.journal_end(action, forgotten.as_ref().err());
        forgotten?;
        Ok(Done::default())
    }

    /// The name must be a backup's, and no hold may cover it.
    fn check_rules(&self, action: &Action, place: &Place) -> Result<(), Failure> {
        let policy = self.run.policy;
        let name = &action.backup;
        let refuse = |rule| refused(action, &place.location, rule);
        let Some(timestamp) = policy.source.pattern.timestamp(name) else {
            return Err(refuse(Refusal::NotABackupName));
        };
        if layout::is_reserved(name) || name.contains(['/', '\\']) || name == ".." {
            return Err(refuse(Refusal::NotABackupName));
        }
        let held = match policy.office.calendar.business_day(timestamp) {
            Some(day) => policy.is_held(name, day),
            // A name with no business day cannot be shown not to be held.
            None => !policy.hold.is_empty(),
        };
        if held {
            return Err(refuse(Refusal::OnHold));
        }
        Ok(())
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
            Some(Ok(manifest)) => match manifest.get(name) {
                Some(record) if present(path, record) => Some(record.hash.clone()),
                _ => return Err(refused(action, &place.location, Refusal::NotRecorded)),
            },
        };
        let needed = self.needed.get(name).copied().unwrap_or(true);
        let holders = self.places.verified_holders(name, place, &self.run.catalog);
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

    /// Renames the entry to a temporary name, overwrites it if destroying,
    /// and removes it.
    fn take_away(&self, place: &Place, path: &Path, doomed: &Path, op: Op) -> Result<(), Failure> {
        let fs = &self.run.fs;
        let location = place.location.to_string();
        let io = |doing: &'static str, at: &Path| {
            let location = location.clone();
            let at = at.to_path_buf();
            move |error: std::io::Error| Failure::from_target_io(&location, at, doing, &error)
        };
        fs.rename(path, doomed).map_err(io("removing", path))?;
        fs.sync_dir(&place.folder)
            .map_err(io("flushing", &place.folder))?;
        if op == Op::Destroy {
            overwrite_tree(fs, doomed).map_err(io("overwriting", doomed))?;
        }
        // No flush after this: if the removal is lost to a power cut, the
        // temporary name comes back and the next run removes it again.
        remove_tree(fs, doomed).map_err(io("removing", doomed))
    }

    fn audit(&self, started: &Started) -> Result<(), Failure> {
        let record = audit_record(started, (self.run.clock)(), false);
        audit::append(&self.run.fs, &self.run.policy.state_dir, &record).map_err(|error| {
            Failure::Io {
                doing: String::from("writing the audit log"),
                path: audit::path(&self.run.policy.state_dir),
                error: error.to_string(),
            }
        })
    }

    /// The manifest (read afresh) and the catalog forget the deleted copy.
    fn forget(&mut self, action: &Action, place: &Place) -> Result<(), Failure> {
        let Some(manifest) = place.manifest() else {
            return Ok(());
        };
        let failure = |error: String| refused(action, &place.location, Refusal::Manifest(error));
        let mut manifest = manifest.map_err(|error| failure(error.to_string()))?;
        manifest.remove(&action.backup);
        self.run
            .fs
            .record("manifest")
            .map_err(|error| failure(error.to_string()))?;
        manifest
            .save(&place.folder)
            .map_err(|error| failure(error.to_string()))?;
        self.run
            .update_catalog(place, self.now)
            .map_err(|error| failure(error.to_string()))
    }
}

/// The audit log's line for a deletion described by its journal entry.
pub(super) fn audit_record(
    started: &Started,
    when: chrono::DateTime<chrono::Utc>,
    recovered: bool,
) -> AuditRecord {
    AuditRecord {
        when,
        op: started.op,
        backup: started.backup.clone(),
        kind: started.kind,
        size: started.size,
        hash: started.hash.clone(),
        algorithm: HashAlgorithm::Blake3,
        location: started.location.clone(),
        disk_id: started.disk_id.clone(),
        path: started.path.clone(),
        reason: started.reason.clone(),
        action: started.action,
        plan: started.plan.clone(),
        run: started.run.clone(),
        plan_at: started.plan_at.clone(),
        archived_to: started.archived_to.clone(),
        recovered,
    }
}
