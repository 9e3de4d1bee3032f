//! The capture step: copy the `source.capture` export (a file or folder the
//! practice software overwrites each night) into the source folder under
//! tonight's backup name. It is written and proven like every copy: under a
//! temporary name, flushed, read back and hashed, then renamed into place;
//! it keeps the export's modification times, so the capture has the export's
//! fingerprint and the next plan knows it is taken.
//!
//! The export's fingerprint is taken before and after: one that changed
//! while it was read (the practice software ran again) is discarded, and one
//! that no longer has the time the plan named it by is left for the next
//! plan (invariant 11). An existing backup is never replaced.

use std::path::{Path, PathBuf};

use super::Step;
use crate::calendar::NamePattern;
use crate::content_hash;
use crate::execute::Observer;
use crate::execute::copy::{self, CopyFailure};
use crate::execute::delete::remove_tree;
use crate::execute::failure::{Done, Failure};
use crate::execute::places::{Place, PlaceKind, entry_kind, entry_size};
use crate::inventory::{Fingerprint, fingerprint_of, layout};
use crate::placement::Location;
use crate::plan::capture::capture_name;
use crate::plan::{Action, Warning, WarningCode};

impl Step<'_, '_> {
    pub(in crate::execute) fn capture(
        &mut self,
        action: &Action,
        observer: &mut dyn Observer,
    ) -> Result<Done, Failure> {
        let started = std::time::Instant::now();
        let policy = self.run.policy;
        let export = policy.source.capture.clone().ok_or(Failure::Unsupported {
            what: String::from("the plan captures an export but the policy has no source.capture"),
        })?;
        let server = Place {
            location: Location::Server,
            folder: policy.source.path.clone(),
            kind: PlaceKind::Server,
        };
        let final_path = server.entry(&action.backup);
        let before = self.export_as_planned(action, &export, &final_path)?;
        self.check_room(action, &server)?;
        let temp = server
            .folder
            .join(layout::partial_name(&self.run.run_id, &action.backup));
        self.journal_start(action, &server, &final_path, &temp, None)?;
        let written = copy::write_verified(&self.run.fs, &export, action.kind, &temp, observer)
            .map_err(|failure| {
                self.drop_capture(action, &temp, capture_failure(action, &export, failure))
            })?;
        let after = fingerprint_of(&export);
        if after != Some(before) {
            let what = after.map_or_else(
                || String::from("it vanished while it was being captured"),
                |after| {
                    format!(
                        "it changed while it was being captured ({}); the capture was discarded \
                         and it is captured again once it has settled",
                        before.changes_to(&after)
                    )
                },
            );
            return Err(self.drop_capture(action, &temp, export_changed(action, &export, what)));
        }
        if let Err(failure) = self.take_name(&server, &temp, &final_path) {
            return Err(self.drop_capture(action, &temp, failure));
        }
        self.journal_end(action, None);
        let warnings = unchanged_capture(&server.folder, &policy.source.pattern, action, &written)
            .into_iter()
            .collect();
        Ok(Done {
            bytes: written.bytes,
            elapsed: started.elapsed(),
            warnings,
            ..Done::default()
        })
    }

    /// The export's fingerprint now, if it is still what the plan saw: the
    /// same kind, and last changed when the capture's name says.
    fn export_as_planned(
        &self,
        action: &Action,
        export: &Path,
        final_path: &Path,
    ) -> Result<Fingerprint, Failure> {
        if entry_kind(final_path).is_some() {
            return Err(export_changed(
                action,
                export,
                format!(
                    "{} is already in the source folder; rota never replaces a backup",
                    action.backup
                ),
            ));
        }
        let vanished = || Failure::SourceVanished {
            backup: action.backup.clone(),
            location: export.display().to_string(),
        };
        let kind = entry_kind(export).ok_or_else(vanished)?;
        let now = fingerprint_of(export).ok_or_else(vanished)?;
        let named = now
            .modified
            .map(|modified| capture_name(self.run.policy, modified));
        if kind != action.kind || named.as_deref() != Some(action.backup.as_str()) {
            return Err(export_changed(
                action,
                export,
                String::from(
                    "it was written again since the plan was made; the next run captures it",
                ),
            ));
        }
        Ok(now)
    }

    /// Renames the verified capture to its name, which must still be free
    /// (a rename would silently replace a file).
    fn take_name(&self, server: &Place, temp: &Path, final_path: &Path) -> Result<(), Failure> {
        let io = |doing: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |error: std::io::Error| Failure::from_target_io("server", path, doing, &error)
        };
        if entry_kind(final_path).is_some() {
            return Err(Failure::Io {
                doing: String::from("naming the capture"),
                path: final_path.to_path_buf(),
                error: String::from(
                    "a backup of that name appeared meanwhile; it is kept as it is",
                ),
            });
        }
        let fs = &self.run.fs;
        fs.rename(temp, final_path)
            .map_err(io("renaming the capture to", final_path))?;
        fs.sync_dir(&server.folder)
            .map_err(io("flushing", &server.folder))
    }

    /// A capture that did not make it: its temporary copy goes, and the
    /// journal says why.
    fn drop_capture(&mut self, action: &Action, temp: &Path, failure: Failure) -> Failure {
        let _ = remove_tree(&self.run.fs, temp);
        self.journal_end(action, Some(&failure));
        failure
    }
}

fn export_changed(action: &Action, export: &Path, what: String) -> Failure {
    Failure::SourceChanged {
        backup: action.backup.clone(),
        location: export.display().to_string(),
        what,
    }
}

/// A failed copy of the export, blaming the side that failed.
fn capture_failure(action: &Action, export: &Path, failure: CopyFailure) -> Failure {
    match failure {
        CopyFailure::Source { path, error } => {
            Failure::from_target_io(&export.display().to_string(), path, "reading", &error)
        }
        CopyFailure::SourceChanged { what, .. } => export_changed(action, export, what),
        CopyFailure::Target { path, error } => {
            Failure::from_target_io("server", path, "writing", &error)
        }
        CopyFailure::Mismatch { .. } => Failure::CopyMismatch {
            backup: action.backup.clone(),
            location: String::from("server"),
        },
    }
}

/// `unchanged-capture` when tonight's capture has the content of the one
/// before it (the practice software touched the export without writing a
/// new backup). The sizes are compared first: only equal ones are hashed.
fn unchanged_capture(
    folder: &Path,
    pattern: &NamePattern,
    action: &Action,
    written: &copy::Written,
) -> Option<Warning> {
    let previous = previous_capture(folder, pattern, &action.backup)?;
    let same_size = entry_size(&previous)? == written.bytes;
    if !same_size || content_hash::hash_path(&previous).ok()? != written.hash {
        return None;
    }
    let previous_name = previous.file_name()?.to_string_lossy().into_owned();
    Some(Warning::new(
        WarningCode::UnchangedCapture,
        format!(
            "{} has exactly the content of {previous_name}, though the export's time changed: \
             did the practice software's export really run? Check its log",
            action.backup
        ),
    ))
}

/// The newest backup in the source folder other than `tonight`, by the time
/// in its name, then its modification time.
fn previous_capture(folder: &Path, pattern: &NamePattern, tonight: &str) -> Option<PathBuf> {
    std::fs::read_dir(folder)
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let timestamp = pattern.timestamp(&name).filter(|_| name != tonight)?;
            let modified = entry.metadata().ok()?.modified().ok();
            Some(((timestamp, modified), entry.path()))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, path)| path)
}
