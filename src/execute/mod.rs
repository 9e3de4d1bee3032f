//! The executor: the only part of rota that changes backups. It carries out a
//! [`Plan`] made by the pure planner, in the plan's order, and decides nothing
//! itself: before each action it re-checks what the plan assumed (the backup
//! still there with the planned size, and hash where a manifest knows it; the
//! disk still the same labelled disk; a deletion still leaving a verified copy
//! of anything needed; nothing on hold, nothing that is not a backup), and an
//! action whose check fails is reported, not forced.
//!
//! How a run goes ([`ApplyRun`]):
//! 1. [`ApplyRun::begin`] takes the lock on `state_dir` (one run at a time) and
//!    reads the journal an interrupted run may have left;
//! 2. [`ApplyRun::recover`] finishes the bookkeeping of deletions that run cut
//!    off, removes its temporary files (only rota's own names, only in rota's
//!    places) and starts a new journal;
//! 3. the caller scans and plans afresh, and [`ApplyRun::execute`] walks the
//!    plan: copies are written under a temporary name, hashed while copied,
//!    flushed, read back and only then renamed (module [`copy`]); deletions
//!    take the name away in one rename, then remove (or overwrite and remove)
//!    and log to the audit log; manifests and the catalog follow each action;
//!    an action that fails stops only the actions that depend on it;
//! 4. [`ApplyRun::finish`] records what the disks hold now in the catalog.
//!
//! Off-site targets: before the scan that plans, [`ApplyRun::check_remotes`]
//! lists each uploading target's remote and forgets copies missing or
//! damaged there. A copy to a target is staged in its folder (encrypted to
//! its recipients as it is written, when it encrypts), then uploaded with
//! rclone and checked on the remote before the catalog counts it; staged
//! copies beyond `upload.keep_local` then leave the folder. A removal there
//! deletes the remote object and the staged copy. A remote that cannot be
//! reached leaves those actions pending for the next run.
//!
//! Every change goes through [`filesystem::Fs`], the seam where tests inject disk
//! failures. This module never reads the wall clock itself: the caller passes
//! the run's instant and a clock for the audit log.

pub mod accept;
pub mod audit;
pub mod copy;
mod copy_bundle;
mod copy_flush;
mod copy_stream;
mod delete;
mod encrypted;
pub mod failure;
pub mod filesystem;
pub mod journal;
mod leftovers;
pub mod lock;
pub mod places;
mod recover;
mod remotes;
mod run;
mod run_state;
mod step;

use crate::plan::{Action, Plan};

pub use copy::Progress;
pub use failure::{Done, Failure, Outcome, Refusal};
pub use recover::Recovery;
pub use remotes::RemoteNote;
pub use run::{ApplyRun, BeginError, Report};

/// Receives what the executor does, for a progress display or a log.
pub trait Observer: Progress {
    /// An action is about to run.
    fn started(&mut self, action: &Action);
    /// An action ended (or was skipped).
    fn finished(&mut self, action: &Action, outcome: &Outcome);
}

/// An observer that shows nothing.
pub struct Silent;

impl Progress for Silent {
    fn copied(&mut self, _bytes: u64) {}
    fn verified(&mut self, _bytes: u64) {}
}

impl Observer for Silent {
    fn started(&mut self, _action: &Action) {}
    fn finished(&mut self, _action: &Action, _outcome: &Outcome) {}
}

/// A short, stable id of a plan (the hash of its JSON form): the audit log
/// and journal say which plan each action came from.
pub fn plan_id(plan: &Plan) -> String {
    let json = serde_json::to_vec(&crate::plan::json::to_json(plan)).expect("plans serialize");
    blake3::hash(&json).to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests;
