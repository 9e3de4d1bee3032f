//! Removing (or destroying) a backup at an off-site target: its copy on the
//! remote, when the catalog records one, is deleted with rclone
//! (`deletefile`, or `purge` for a plain bundle's folder), then its staged
//! copy, when the staging manifest vouches for one, as on a disk. Each gets
//! its audit line.
//!
//! The remote copy stops counting before rclone is run: the catalog forgets
//! it and is saved first, so a run cut off in between has its next run finish
//! the deletion (`recover`). rclone failing puts it back (nothing was
//! deleted, and each night's look at the remote corrects the catalog if it
//! was); a remote that cannot be reached fails the action cleanly, pending
//! for the next run. A remote object cannot be overwritten, so `destroy` is
//! logged as what it is there: a removal.

use std::path::PathBuf;

use super::Step;
use crate::execute::failure::{Done, Failure, Refusal, refused};
use crate::execute::journal::{Entry, Started};
use crate::execute::places::{Place, present};
use crate::inventory::offsite_names::Stored;
use crate::inventory::{Catalog, CopyRecord};
use crate::offsite::rclone::{self, Rclone};
use crate::offsite::remote::FOLDER_CHECK;
use crate::placement::Location;
use crate::plan::{Action, Op};
use crate::policy::Upload;

impl Step<'_, '_> {
    pub(in crate::execute) fn delete_offsite(
        &mut self,
        action: &Action,
        place: &Place,
    ) -> Result<Done, Failure> {
        let target = self.offsite_settings(&place.location)?;
        let name = &action.backup;
        let remote = target.upload.as_ref().and_then(|upload| {
            let known = self.run.catalog.targets.get(target.name.as_str())?;
            Some((upload, known.remote.get(name)?.clone()))
        });
        let staged = match place.manifest() {
            Some(Ok(manifest)) => manifest
                .get(name)
                .is_some_and(|record| present(&place.path_of(record), record)),
            _ => false,
        };
        if remote.is_none() && !staged {
            return Err(Failure::SourceVanished {
                backup: name.clone(),
                location: place.location.to_string(),
            });
        }
        let needed = self.needed.get(name).copied().unwrap_or(true);
        if needed
            && self
                .places
                .verified_holders(name, place, &self.run.catalog)
                .is_empty()
        {
            return Err(refused(action, &place.location, Refusal::LastCopy));
        }
        if let Some((upload, record)) = remote {
            self.delete_remote(action, place, upload, record)?;
        }
        if staged {
            self.delete_local(action, place, None)?;
        }
        Ok(Done::default())
    }

    /// Deletes the remote copy `record` of the target at `place`.
    fn delete_remote(
        &mut self,
        action: &Action,
        place: &Place,
        upload: &Upload,
        record: CopyRecord,
    ) -> Result<(), Failure> {
        let target = place.location.name().to_string();
        if let Some(failure) = self.run.remote_down.get(&target) {
            return Err(failure.clone());
        }
        let check = self
            .run
            .catalog
            .targets
            .get(&target)
            .and_then(|known| known.checks.get(&record.name))
            .cloned();
        let object = check.as_ref().map_or_else(
            || Stored::of_record(&record).name_for(&record.name),
            |check| check.object.clone(),
        );
        let remote_path = rclone::join(&upload.remote, &object);
        let mut reason = action.reason.clone();
        if action.op == Op::Destroy {
            reason.push_str(" (a remote object cannot be overwritten: deleted)");
        }
        let started = Started {
            path: PathBuf::from(&remote_path),
            temp: PathBuf::from(&remote_path),
            size: record.size,
            hash: Some(record.hash.clone()),
            reason,
            remote: Some(remote_path.clone()),
            ..self.started(action, place, Op::Remove)
        };
        self.journal_entry(&Entry::ActionStarted(Box::new(started.clone())))?;
        // It stops counting first: from here, a run cut off is finished by the next.
        let forgotten = self.run.catalog.forget_remote(&target, &record.name);
        if let Err(failure) = self.save_remote_catalog() {
            self.journal_end(action, Some(&failure));
            return Err(failure);
        }
        let rclone = Rclone::for_upload(upload);
        let is_folder = check
            .as_ref()
            .is_some_and(|check| check.hash_type == FOLDER_CHECK)
            || !Stored::of_record(&record).is_single_file();
        let deleted = if is_folder {
            rclone.purge(&remote_path)
        } else {
            rclone.deletefile(&remote_path)
        };
        if let Err(error) = deleted {
            // Nothing was deleted: it counts again.
            if let Some((copy, check)) = forgotten {
                let known = self.run.catalog.targets.entry(target.clone()).or_default();
                known.remote.insert(copy.name.clone(), copy.clone());
                if let Some(check) = check {
                    known.checks.insert(copy.name, check);
                }
                let _ = self.save_remote_catalog();
            }
            let failure = self.remote_failure(
                &place.location,
                &error,
                "the copy stays on the remote until a run can reach it",
            );
            self.journal_end(action, Some(&failure));
            return Err(failure);
        }
        self.audit(&started)?;
        self.journal_end(action, None);
        Ok(())
    }

    /// Saves the catalog after a change to a target's remote copies.
    pub(in crate::execute) fn save_remote_catalog(&self) -> Result<(), Failure> {
        self.run.save_catalog().map_err(|error| Failure::Io {
            doing: String::from("recording the remote's copies in"),
            path: Catalog::path(&self.run.policy.state_dir),
            error: error.to_string(),
        })
    }

    /// What an rclone error means for the action: pending (the remote cannot be
    /// reached; later uploads and deletions there in this run fail at once), or
    /// a failure with rclone's message.
    pub(in crate::execute) fn remote_failure(
        &mut self,
        location: &Location,
        error: &rclone::RcloneError,
        left: &'static str,
    ) -> Failure {
        if error.is_transient() {
            let failure = Failure::RemoteUnreachable {
                location: location.to_string(),
                detail: error.transient_detail(),
                left,
            };
            self.run
                .remote_down
                .insert(location.name().to_string(), failure.clone());
            return failure;
        }
        Failure::Remote {
            location: location.to_string(),
            what: error.to_string(),
            help: error.help(),
        }
    }
}
