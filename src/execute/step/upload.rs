//! Sending a staged copy to its off-site target's remote and proving it
//! arrived (`crate::offsite::remote`): the staged copy is re-hashed against
//! its manifest record, uploaded with rclone, and the remote object's size and
//! hash are checked; only then is it recorded in the catalog
//! (`targets.NAME.remote`), where it counts as the target's copy. Then staged
//! copies whose upload is verified, beyond the newest `upload.keep_local`,
//! leave the staging folder, each logged in the audit log.
//!
//! A remote that cannot be reached fails the upload as pending: the staged copy
//! stays, the actions that wait for it (the server's prune, expiring off-site
//! copies) are skipped, and later uploads to that target in this run fail at
//! once instead of waiting for the network again. A staged copy that is not
//! encrypted is never sent to a target that encrypts.

use super::{Doomed, Step};
use crate::execute::failure::{Failure, Refusal, refused};
use crate::execute::journal::{Entry, Started};
use crate::execute::places::{Place, present};
use crate::inventory::CopyRecord;
use crate::inventory::offsite_names::Stored;
use crate::offsite::rclone::{self, Rclone};
use crate::offsite::remote::{self, UploadError};
use crate::placement::Location;
use crate::plan::{Action, Op};
use crate::policy::{Expired, OffsiteTarget, Upload};

/// What an upload did.
#[derive(Debug, Default)]
pub(in crate::execute) struct Uploaded {
    /// The remote already had this copy, checked.
    pub already: bool,
    /// Staged copies removed afterwards, or that could not be.
    pub notes: Vec<String>,
}

impl Step<'_, '_> {
    pub(in crate::execute) fn upload(
        &mut self,
        action: &Action,
        to: &Location,
        target: &OffsiteTarget,
        upload: &Upload,
    ) -> Result<Uploaded, Failure> {
        let place = self.place(to)?;
        let record = self.staged_record(action, &place)?;
        if target.encrypt.is_some() && record.ciphertext_hash.is_none() {
            return Err(refused(action, to, Refusal::NotEncrypted));
        }
        let on_remote = self
            .run
            .catalog
            .targets
            .get(to.name())
            .and_then(|known| known.remote.get(&record.name))
            .is_some_and(|copy| copy.is_verified() && copy.hash == record.hash);
        if on_remote {
            let notes = self.prune_staged(action, &place, upload);
            return Ok(Uploaded {
                already: true,
                notes,
            });
        }
        if let Some(failure) = self.run.remote_down.get(to.name()) {
            return Err(failure.clone());
        }
        let stored = Stored::of_record(&record);
        let object = stored.name_for(&record.name);
        let staged = place.path_of(&record);
        let remote_path = rclone::join(&upload.remote, &object);
        let started = Started {
            path: std::path::PathBuf::from(&remote_path),
            temp: staged.clone(),
            hash: Some(record.hash.clone()),
            remote: Some(remote_path),
            ..self.started(action, &place, Op::Copy)
        };
        self.journal_entry(&Entry::ActionStarted(Box::new(started)))?;
        let rclone = Rclone::for_upload(upload);
        let checked = if stored.is_single_file() {
            let staged_hash = record.ciphertext_hash.as_ref().unwrap_or(&record.hash);
            remote::upload_file(&rclone, &staged, staged_hash, &upload.remote, &object)
        } else {
            remote::upload_folder(&rclone, &staged, &upload.remote, &object)
        };
        let check = match checked {
            Ok(check) => check,
            Err(error) => {
                let failure = self.upload_failure(to, error);
                self.journal_end(action, Some(&failure));
                return Err(failure);
            }
        };
        let mut copy = record;
        copy.verified_at = Some(self.now);
        self.run
            .catalog
            .record_upload(to.name(), copy, check, self.now);
        let saved = self.save_remote_catalog();
        self.journal_end(action, saved.as_ref().err());
        saved?;
        Ok(Uploaded {
            already: false,
            notes: self.prune_staged(action, &place, upload),
        })
    }

    /// The staged copy of the action's backup, as its manifest vouches for it.
    fn staged_record(&self, action: &Action, place: &Place) -> Result<CopyRecord, Failure> {
        let manifest = match place.manifest() {
            Some(Ok(manifest)) => manifest,
            Some(Err(error)) => {
                return Err(refused(
                    action,
                    &place.location,
                    Refusal::Manifest(error.to_string()),
                ));
            }
            None => return Err(refused(action, &place.location, Refusal::NotRecorded)),
        };
        manifest
            .get(&action.backup)
            .filter(|record| present(&place.path_of(record), record))
            .cloned()
            .ok_or_else(|| Failure::SourceVanished {
                backup: action.backup.clone(),
                location: format!("{}'s staging folder", place.location),
            })
    }

    fn upload_failure(&mut self, to: &Location, error: UploadError) -> Failure {
        match &error {
            UploadError::Rclone(error) => {
                self.remote_failure(to, error, "the copy waits in the staging folder")
            }
            other => Failure::Remote {
                location: to.to_string(),
                what: other.to_string(),
                help: other.help(),
            },
        }
    }

    /// Removes the staged copies whose upload the catalog records as verified,
    /// beyond the newest `keep_local` (never one on hold). Returns notes for
    /// the action's line: what was removed, what could not be.
    fn prune_staged(&mut self, action: &Action, place: &Place, upload: &Upload) -> Vec<String> {
        let Some(Ok(manifest)) = place.manifest() else {
            return Vec::new();
        };
        let remote = self
            .run
            .catalog
            .targets
            .get(place.location.name())
            .map(|known| known.remote.clone())
            .unwrap_or_default();
        let pattern = &self.run.policy.source.pattern;
        let mut uploaded: Vec<&CopyRecord> = manifest
            .copies()
            .values()
            .filter(|record| {
                remote
                    .get(&record.name)
                    .is_some_and(|copy| copy.is_verified() && copy.hash == record.hash)
            })
            .filter(|record| present(&place.path_of(record), record))
            .collect();
        // Newest first: the newest `keep_local` stay.
        uploaded.sort_by_key(|record| {
            std::cmp::Reverse((pattern.timestamp(&record.name), record.name.clone()))
        });
        let keep = upload.keep_local as usize;
        let op = match self.run.policy.destruction.expired {
            Expired::Destroy => Op::Destroy,
            Expired::Remove | Expired::Archive => Op::Remove,
        };
        let mut removed = Vec::new();
        let mut notes = Vec::new();
        for record in uploaded.into_iter().skip(keep) {
            if self.rules_forbid(&record.name).is_some() {
                continue;
            }
            let doomed = Doomed {
                backup: record.name.clone(),
                kind: record.kind,
                size: record.size,
                path: place.path_of(record),
                hash: record.hash.clone(),
                op,
                reason: format!(
                    "uploaded to {}'s remote and verified there; upload.keep_local keeps {keep} \
                     staged",
                    place.location
                ),
                archived_to: None,
            };
            match self.take_out(action, place, doomed) {
                Ok(()) => removed.push(record.name.clone()),
                Err(failure) => notes.push(format!(
                    "the staged copy of {} could not be removed ({failure}); it is tried again \
                     after the next upload",
                    record.name
                )),
            }
        }
        if !removed.is_empty() {
            notes.insert(
                0,
                format!(
                    "removed from the staging folder, uploaded: {}",
                    removed.join(", ")
                ),
            );
        }
        notes
    }
}
