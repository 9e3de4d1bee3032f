//! The copy step of an action (a copy, or the first half of an archive move):
//! check the source and the target disk against the plan, then write the copy
//! under a temporary name, read it back, rename it into place, and record it
//! in the disk's manifest and the catalog.
//!
//! A copy already under the backup's name that the manifest does not vouch for
//! (left by a run cut off between the rename and the manifest) is read back and
//! adopted when it matches the source, and replaced when it does not.
//!
//! Copies to an off-site target go on in `offsite` (staging, encryption,
//! upload).

use std::path::Path;

use super::{Step, Wrote};
use crate::content_hash;
use crate::execute::Observer;
use crate::execute::copy::{self, CopyFailure, kind_word};
use crate::execute::delete::remove_tree;
use crate::execute::failure::{Done, Failure, Refusal, refused};
use crate::execute::filesystem::Fs;
use crate::execute::places::{
    Absence, Place, PlaceKind, confirmed_by, entry_kind, entry_size, present,
};
use crate::inventory::fsinfo::{self, DiskFormat};
use crate::inventory::{CopyRecord, EntryKind, Fingerprint, Manifest, fingerprint_of, layout};
use crate::placement::Location;
use crate::plan::Action;

impl Step<'_, '_> {
    pub(in crate::execute) fn copy(
        &mut self,
        action: &Action,
        from: &Location,
        to: &Location,
        observer: &mut dyn Observer,
    ) -> Result<Done, Failure> {
        let target = self.place(to)?;
        match &target.kind {
            PlaceKind::Server => Err(refused(action, to, Refusal::WritesToSource)),
            PlaceKind::Offsite { .. } => self.copy_offsite(action, from, to, observer),
            PlaceKind::Disk { .. } => self.copy_to_disk(action, from, to, observer),
        }
    }

    /// A copy as it is (a disk, or a staging folder that does not encrypt).
    pub(in crate::execute) fn copy_plain(
        &mut self,
        action: &Action,
        from: &Location,
        to: &Location,
        observer: &mut dyn Observer,
    ) -> Result<Done, Failure> {
        let started = std::time::Instant::now();
        let source = self.place(from)?;
        let target = self.place(to)?;
        let name = action.backup.as_str();
        let expected = self.check_source(action, &source)?;
        let manifest = self.target_manifest(action, &target)?;
        let final_path = target.entry(name);
        // A recorded copy of the backup as it was before it changed on the
        // server is stale: it is replaced, not counted (invariant 10). The
        // backup's fingerprint is looked at only when there is such a record.
        let vouched = |r: &CopyRecord| {
            target.path_of(r) == final_path
                && present(&final_path, r)
                && self
                    .source_fingerprint(&source, name)
                    .is_none_or(|now| r.is_copy_of(&now))
        };
        // Already there only as rota recorded it: a manifest entry the
        // catalog does not confirm is re-read and adopted (invariant 14).
        let confirmed = |r: &CopyRecord| confirmed_by(&self.run.catalog, &target, r);
        if manifest
            .get(name)
            .is_some_and(|r| vouched(r) && confirmed(r))
        {
            return Ok(Done {
                already: true,
                ..Done::default()
            });
        }
        let source_path = source.entry(name);
        if entry_kind(&final_path).is_some()
            && let Some(done) = self.adopt(action, &source, &target, expected.as_deref())?
        {
            return Ok(done);
        }
        // A bundle's copy reads the source's metadata itself, and checks it
        // did not change (see `copy_bundle`).
        let observes = action.kind == EntryKind::Bundle;
        let bytes = self.write_and_place(
            action,
            &source,
            &target,
            expected,
            name,
            observes,
            |fs, temp| {
                let written = copy::write_verified(fs, &source_path, action.kind, temp, observer)?;
                Ok(Wrote {
                    bytes: written.bytes,
                    hash: written.hash,
                    ciphertext_hash: None,
                    source: written.source,
                })
            },
        )?;
        Ok(Done {
            bytes,
            elapsed: started.elapsed(),
            ..Done::default()
        })
    }

    /// The rest of a copy once it is known to be needed: room on the target,
    /// the journal, `write` under a temporary name in the target's folder,
    /// then [`Self::place_copy`] as `stored_name`. Returns the bytes read.
    /// A writer that `observes` the source returns its fingerprint, checked
    /// unchanged while it read; otherwise it is taken here before and after.
    #[allow(clippy::too_many_arguments)]
    pub(in crate::execute) fn write_and_place(
        &mut self,
        action: &Action,
        source: &Place,
        target: &Place,
        expected: Option<String>,
        stored_name: &str,
        observes: bool,
        write: impl FnOnce(&Fs, &Path) -> Result<Wrote, CopyFailure>,
    ) -> Result<u64, Failure> {
        self.check_room(action, target)?;
        let final_path = target.entry(stored_name);
        let temp = target
            .folder
            .join(layout::partial_name(&self.run.run_id, stored_name));
        self.journal_start(action, target, &final_path, &temp, expected.clone())?;
        // The fingerprint is taken before and after: a backup that changed
        // while it was read is never recorded as copied (invariant 11).
        let server = matches!(source.kind, PlaceKind::Server);
        let before = match observes && server {
            true => None,
            false => self.source_fingerprint(source, &action.backup),
        };
        let wrote = write(&self.run.fs, &temp)
            .map_err(|failure| self.abandon(action, source, target, &temp, failure))?;
        let fingerprint = match wrote.source {
            Some(seen) if observes && server => Some(seen),
            _ => {
                let path = source.entry(&action.backup);
                if let Some(changed) = changed_while_read(source, before, &path) {
                    return Err(self.abandon(action, source, target, &temp, changed));
                }
                before
            }
        };
        if let Some(changed) = resized_since_planned(action, source, fingerprint) {
            return Err(self.abandon(action, source, target, &temp, changed));
        }
        let copied = Copied {
            wrote: &wrote,
            fingerprint,
        };
        self.place_copy(
            action,
            source,
            target,
            expected.as_deref(),
            &temp,
            &final_path,
            &copied,
        )?;
        Ok(wrote.bytes)
    }

    /// The target's manifest as it is now (a folder created if missing); an
    /// unreadable one refuses the copy.
    pub(in crate::execute) fn target_manifest(
        &self,
        action: &Action,
        target: &Place,
    ) -> Result<Manifest, Failure> {
        let (id, label) = target
            .manifest_owner()
            .expect("disks and targets have manifests");
        ensure_folder(self, target)?;
        Manifest::load_for(&target.folder, &id, &label).map_err(|error| {
            refused(
                action,
                &target.location,
                Refusal::Manifest(error.to_string()),
            )
        })
    }

    /// A copy that could not be written: its temporary copy goes, and the
    /// journal says why.
    pub(in crate::execute) fn abandon(
        &mut self,
        action: &Action,
        source: &Place,
        target: &Place,
        temp: &Path,
        failure: CopyFailure,
    ) -> Failure {
        let _ = remove_tree(&self.run.fs, temp);
        let failure = self.copy_failure(action, source, target, failure);
        self.journal_end(action, Some(&failure));
        failure
    }

    /// The end of a copy written and read back under its temporary name: it
    /// must be the content expected (the source's recorded hash), then it
    /// takes its name and is recorded in the manifest.
    #[allow(clippy::too_many_arguments)]
    fn place_copy(
        &mut self,
        action: &Action,
        source: &Place,
        target: &Place,
        expected: Option<&str>,
        temp: &Path,
        final_path: &Path,
        copied: &Copied,
    ) -> Result<(), Failure> {
        let wrote = copied.wrote;
        if expected.is_some_and(|expected| expected != wrote.hash) {
            let _ = remove_tree(&self.run.fs, temp);
            let failure = Failure::SourceChanged {
                backup: action.backup.clone(),
                location: source.location.to_string(),
                what: String::from(
                    "its content no longer matches the hash recorded when it was copied there",
                ),
            };
            self.journal_end(action, Some(&failure));
            return Err(failure);
        }
        let placed = self.put_in_place(target, temp, final_path);
        if let Err(failure) = placed {
            let _ = remove_tree(&self.run.fs, temp);
            self.journal_end(action, Some(&failure));
            return Err(failure);
        }
        let recorded = self.record_copy(
            action,
            target,
            &wrote.hash,
            wrote.ciphertext_hash.clone(),
            copied.fingerprint,
        );
        self.journal_end(action, recorded.as_ref().err());
        recorded
    }

    /// The resolved place of a location, still connected as the same disk.
    pub(in crate::execute) fn place(&self, location: &Location) -> Result<Place, Failure> {
        let gone = |absence| Failure::DiskGone {
            location: location.to_string(),
            absence,
        };
        let place = self
            .places
            .get(location)
            .ok_or_else(|| gone(Absence::NotConnected))?;
        place.check_present().map_err(gone)?;
        Ok(place.clone())
    }

    /// The source must be there as planned; returns its hash when a manifest
    /// knows it (copies read from a disk).
    pub(in crate::execute) fn check_source(
        &self,
        action: &Action,
        source: &Place,
    ) -> Result<Option<String>, Failure> {
        let name = &action.backup;
        let path = source.entry(name);
        let vanished = || Failure::SourceVanished {
            backup: name.clone(),
            location: source.location.to_string(),
        };
        let kind = entry_kind(&path).ok_or_else(vanished)?;
        // A server bundle's size takes a look at each of its files: its copy
        // adds it up as it reads, and it is compared after the copy
        // (`resized_since_planned`).
        let size = match (kind, &source.kind) {
            (EntryKind::Bundle, PlaceKind::Server) => action.bytes,
            _ => entry_size(&path).ok_or_else(vanished)?,
        };
        if kind != action.kind || size != action.bytes {
            return Err(Failure::SourceChanged {
                backup: name.clone(),
                location: source.location.to_string(),
                what: format!(
                    "the plan expected a {} of {} bytes, it is now a {} of {size}",
                    kind_word(action.kind),
                    action.bytes,
                    kind_word(kind)
                ),
            });
        }
        match source.manifest() {
            None => Ok(None),
            Some(Err(error)) => Err(refused(
                action,
                &source.location,
                Refusal::Manifest(error.to_string()),
            )),
            Some(Ok(manifest)) => match manifest.get(name) {
                Some(record) if present(&path, record) => Ok(Some(record.hash.clone())),
                _ => Err(refused(action, &source.location, Refusal::NotRecorded)),
            },
        }
    }

    /// A same-named entry rota does not vouch for: adopted if it is a good
    /// copy; otherwise `None` and the copy goes ahead and replaces it.
    fn adopt(
        &mut self,
        action: &Action,
        source: &Place,
        target: &Place,
        expected: Option<&str>,
    ) -> Result<Option<Done>, Failure> {
        let source_path = &source.entry(&action.backup);
        // Taken before hashing the source: recorded only if still so after.
        let fingerprint = self.source_fingerprint(source, &action.backup);
        let final_path = target.entry(&action.backup);
        if entry_kind(&final_path) != Some(action.kind) {
            return Ok(None);
        }
        let source_hash = match expected {
            Some(hash) => hash.to_string(),
            None => content_hash::hash_path(source_path).map_err(|error| Failure::Io {
                doing: String::from("reading"),
                path: source_path.to_path_buf(),
                error: error.to_string(),
            })?,
        };
        let Ok(found) =
            copy::hash_from_disk(&self.run.fs, &final_path, &mut crate::execute::Silent)
        else {
            return Ok(None);
        };
        if found != source_hash {
            return Ok(None);
        }
        if changed_while_read(source, fingerprint, source_path).is_some() {
            return Ok(None);
        }
        self.record_copy(action, target, &found, None, fingerprint)?;
        Ok(Some(Done {
            adopted: true,
            ..Done::default()
        }))
    }

    /// The fingerprint a copy read from `source` records: the server's
    /// backup as a stat sees it now, or what the source disk's manifest
    /// recorded when its own copy was made.
    pub(in crate::execute) fn source_fingerprint(
        &self,
        source: &Place,
        name: &str,
    ) -> Option<Fingerprint> {
        match source.kind {
            PlaceKind::Server => fingerprint_of(&source.entry(name)),
            _ => match source.manifest() {
                Some(Ok(manifest)) => manifest.get(name).and_then(|record| record.fingerprint),
                _ => None,
            },
        }
    }

    /// Refuses a copy that cannot fit before writing a byte: too big for
    /// the free space, or a file too big for a FAT32 disk.
    pub(in crate::execute) fn check_room(
        &self,
        action: &Action,
        target: &Place,
    ) -> Result<(), Failure> {
        let format = self.run.fs.disk_format(&target.folder);
        if action.kind == EntryKind::File && !format.holds_file(action.bytes) {
            return Err(Failure::FileTooLargeForFat {
                location: target.location.to_string(),
            });
        }
        match fsinfo::space(&target.folder) {
            Some(space) if space.free < action.bytes => Err(Failure::DiskFull {
                location: target.location.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// Renames the verified temporary copy to the backup's name. A file
    /// replaces a stale same-named file in one rename; a stale folder is
    /// moved aside first and removed after.
    pub(in crate::execute) fn put_in_place(
        &self,
        target: &Place,
        temp: &Path,
        final_path: &Path,
    ) -> Result<(), Failure> {
        let fs = &self.run.fs;
        let io = |doing: &'static str, path: &Path| {
            let location = target.location.to_string();
            let path = path.to_path_buf();
            move |error: std::io::Error| Failure::from_target_io(&location, path, doing, &error)
        };
        let stale = (entry_kind(final_path) == Some(EntryKind::Bundle)).then(|| {
            let name = final_path.file_name().unwrap_or_default().to_string_lossy();
            target.folder.join(layout::partial_name(
                &format!("{}-stale", self.run.run_id),
                &name,
            ))
        });
        if let Some(stale) = &stale {
            fs.rename(final_path, stale)
                .map_err(io("moving aside", final_path))?;
        }
        fs.rename(temp, final_path)
            .map_err(io("renaming the copy to", final_path))?;
        fs.sync_dir(&target.folder)
            .map_err(io("flushing", &target.folder))?;
        if let Some(stale) = &stale {
            let _ = remove_tree(fs, stale);
        }
        Ok(())
    }

    /// Records a verified copy in the disk's manifest (read afresh) and the
    /// catalog: the backup's content hash, and the encrypted file's hash for
    /// an encrypted staged copy.
    pub(in crate::execute) fn record_copy(
        &mut self,
        action: &Action,
        target: &Place,
        hash: &str,
        ciphertext_hash: Option<String>,
        fingerprint: Option<Fingerprint>,
    ) -> Result<(), Failure> {
        let manifest_failure =
            |error: String| refused(action, &target.location, Refusal::Manifest(error));
        let (id, label) = target
            .manifest_owner()
            .expect("disks and targets have manifests");
        let mut manifest = Manifest::load_for(&target.folder, &id, &label)
            .map_err(|error| manifest_failure(error.to_string()))?;
        let record = CopyRecord {
            name: action.backup.clone(),
            size: action.bytes,
            kind: action.kind,
            hash: hash.to_string(),
            copied_at: self.now,
            verified_at: Some(self.now),
            ciphertext_hash,
            fingerprint,
        };
        manifest.record(record.clone());
        self.run
            .fs
            .record("manifest")
            .map_err(|error| manifest_failure(error.to_string()))?;
        manifest
            .save(&target.folder)
            .map_err(|error| manifest_failure(error.to_string()))?;
        // The catalog records the copy rota wrote and verified, from rota's
        // own hands: what later lets the server prune (invariant 14).
        self.run
            .update_catalog(target, &action.backup, Some(record), self.now)
            .map_err(|error| manifest_failure(error.to_string()))
    }

    pub(in crate::execute) fn copy_failure(
        &self,
        action: &Action,
        source: &Place,
        target: &Place,
        failure: CopyFailure,
    ) -> Failure {
        let name = action.backup.clone();
        match failure {
            CopyFailure::Source { error, .. } if error.kind() == std::io::ErrorKind::NotFound => {
                Failure::SourceVanished {
                    backup: name,
                    location: source.location.to_string(),
                }
            }
            CopyFailure::Source { path, error } => {
                if let Err(absence) = source.check_present() {
                    return Failure::DiskGone {
                        location: source.location.to_string(),
                        absence,
                    };
                }
                Failure::from_target_io(&source.location.to_string(), path, "reading", &error)
            }
            CopyFailure::SourceChanged { what, .. } => Failure::SourceChanged {
                backup: name,
                location: source.location.to_string(),
                what,
            },
            CopyFailure::Target { path, error } => {
                // A full or read-only disk is still there: say what it is,
                // not "disconnected" (its label may not even be readable).
                let unplugged = !matches!(
                    error.kind(),
                    std::io::ErrorKind::StorageFull
                        | std::io::ErrorKind::QuotaExceeded
                        | std::io::ErrorKind::ReadOnlyFilesystem
                );
                if unplugged && let Err(absence) = target.check_present() {
                    return Failure::DiskGone {
                        location: target.location.to_string(),
                        absence,
                    };
                }
                if too_large_for_fat(self.run.fs.disk_format(&target.folder), &error) {
                    return Failure::FileTooLargeForFat {
                        location: target.location.to_string(),
                    };
                }
                Failure::from_target_io(&target.location.to_string(), path, "writing", &error)
            }
            CopyFailure::Mismatch { .. } => Failure::CopyMismatch {
                backup: name,
                location: target.location.to_string(),
            },
        }
    }
}

/// Whether a write refused as too large (`EFBIG`: a file inside a bundle
/// reached 4 GiB) is FAT's file size limit.
pub(in crate::execute) fn too_large_for_fat(format: DiskFormat, error: &std::io::Error) -> bool {
    format == DiskFormat::Fat && error.kind() == std::io::ErrorKind::FileTooLarge
}

/// Creates a missing copies folder (disk) or staging folder (target).
fn ensure_folder(step: &Step<'_, '_>, place: &Place) -> Result<(), Failure> {
    if place.folder.is_dir() {
        return Ok(());
    }
    step.run.fs.create_dir(&place.folder).map_err(|error| {
        Failure::from_target_io(
            &place.location.to_string(),
            place.folder.clone(),
            "creating",
            &error,
        )
    })
}

/// The source backup on the server changed between the fingerprint taken
/// before a copy and the one taken after it: the copy is not of one backup.
fn changed_while_read(
    source: &Place,
    before: Option<Fingerprint>,
    path: &Path,
) -> Option<CopyFailure> {
    if !matches!(source.kind, PlaceKind::Server) {
        return None;
    }
    let after = fingerprint_of(path);
    if after == before {
        return None;
    }
    let what = match (before, after) {
        (Some(before), Some(after)) => format!(
            "it changed while it was being copied ({}); the copy was discarded and it will be copied again once it has settled",
            before.changes_to(&after)
        ),
        _ => String::from(
            "it appeared or vanished while it was being copied; the copy was discarded",
        ),
    };
    Some(CopyFailure::SourceChanged {
        path: path.to_path_buf(),
        what,
    })
}

/// A server bundle whose copy found another size than the plan's: it
/// changed between the plan and the copy, and is copied on a later run.
fn resized_since_planned(
    action: &Action,
    source: &Place,
    fingerprint: Option<Fingerprint>,
) -> Option<CopyFailure> {
    let server = matches!(source.kind, PlaceKind::Server);
    let found = fingerprint?.size;
    (server && action.kind == EntryKind::Bundle && found != action.bytes).then(|| {
        CopyFailure::SourceChanged {
            path: source.entry(&action.backup),
            what: format!(
                "the plan expected a {} of {} bytes, it is now a {} of {found}",
                kind_word(action.kind),
                action.bytes,
                kind_word(action.kind)
            ),
        }
    })
}

/// A verified copy under its temporary name, and the fingerprint of the
/// source backup it was read from (unchanged while it was read).
pub(in crate::execute) struct Copied<'w> {
    pub wrote: &'w Wrote,
    pub fingerprint: Option<Fingerprint>,
}
