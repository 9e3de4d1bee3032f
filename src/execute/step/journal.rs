//! The journal lines an action writes around what it does: `action-started`
//! (flushed before the first change, with the paths it is about to touch) and
//! `action-finished`. Entries only; what recovery makes of them is in
//! `recover`.

use std::path::{Path, PathBuf};

use super::Step;
use crate::execute::failure::Failure;
use crate::execute::journal::{Entry, Started};
use crate::execute::places::Place;
use crate::plan::{Action, Op};

impl Step<'_, '_> {
    /// The journal entry of `action` doing `op` at `place`; the caller fills
    /// in the paths and the hash.
    pub(in crate::execute) fn started(&self, action: &Action, place: &Place, op: Op) -> Started {
        Started {
            run: self.run.run_id.clone(),
            plan: self.plan_id.to_string(),
            plan_at: self.plan_at.clone(),
            action: action.id,
            op,
            backup: action.backup.clone(),
            kind: action.kind,
            location: place.location.to_string(),
            disk_id: place.disk_id().map(str::to_string),
            path: PathBuf::new(),
            temp: PathBuf::new(),
            size: action.bytes,
            hash: None,
            reason: action.reason.clone(),
            archived_to: None,
            remote: None,
            at: (self.run.clock)(),
        }
    }

    /// Announces a copy about to be written to `temp`, then renamed to `path`.
    pub(in crate::execute) fn journal_start(
        &mut self,
        action: &Action,
        place: &Place,
        path: &Path,
        temp: &Path,
        hash: Option<String>,
    ) -> Result<(), Failure> {
        let started = Started {
            path: path.to_path_buf(),
            temp: temp.to_path_buf(),
            hash,
            ..self.started(action, place, Op::Copy)
        };
        self.journal_entry(&Entry::ActionStarted(Box::new(started)))
    }

    pub(in crate::execute) fn journal_entry(&mut self, entry: &Entry) -> Result<(), Failure> {
        self.run.journal(entry).map_err(|error| Failure::Io {
            doing: String::from("writing the journal"),
            path: crate::execute::journal::path(&self.run.policy.state_dir),
            error: error.to_string(),
        })
    }

    pub(in crate::execute) fn journal_end(&mut self, action: &Action, failure: Option<&Failure>) {
        let entry = Entry::ActionFinished {
            run: self.run.run_id.clone(),
            action: action.id,
            ok: failure.is_none(),
            message: failure.map(|f| f.to_string()),
        };
        // Best effort: an unfinished entry only makes the next run re-check.
        let _ = self.run.journal(&entry);
    }
}
