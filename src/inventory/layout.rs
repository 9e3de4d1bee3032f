//! Where rota keeps things, in one place: the label file and copies folder on a
//! disk, the manifest, temporary names, and the files in `state_dir`.
//!
//! A disk looks like this once `rota disk init` has labelled it:
//!
//! ```text
//! /Volumes/MON/
//!   .rota-disk.json            label file: label, unique id, when labelled
//!   rota/                      the copies, under their backup names
//!     .rota-manifest.json      name, size, hash, copied and verified times
//!     .rota-partial-<run>-<name>   a copy being written (renamed when done)
//!     .rota-deleting-<run>-<name>  a copy being deleted (its audit line written)
//!     MacPractice_2026-03-30_2330.mpbackup
//! ```
//!
//! Temporary names tell what they hold, so that cleaning up after a dead run
//! never deletes a backup unrecorded (safety invariant 15): a `.rota-partial-`
//! name is a copy or capture being written (the backup is still at its
//! source), a `.rota-deleting-` name is a backup whose deletion is already in
//! the audit log, and a `.rota-tmp-<pid>-` name is a state file being
//! rewritten by process `<pid>`.

use std::path::{Path, PathBuf};

/// The label file at a disk's root.
pub const LABEL_FILE: &str = ".rota-disk.json";
/// The folder on a disk (and the layout of an off-site staging folder) holding copies.
pub const COPIES_DIR: &str = "rota";
/// The manifest inside the copies folder.
pub const MANIFEST_FILE: &str = ".rota-manifest.json";
/// Prefix of temporary names; only rota writes names starting with it.
pub const PARTIAL_PREFIX: &str = ".rota-partial-";
/// Prefix of the name a copy takes while it is being deleted.
pub const DELETING_PREFIX: &str = ".rota-deleting-";

/// Prefix of the temporary file a small rota file (label, manifest, catalog) is
/// written to before it is renamed over the real one.
pub const TEMP_PREFIX: &str = ".rota-tmp-";

/// Files in `state_dir`.
pub const CATALOG_FILE: &str = "catalog.json";
pub const JOURNAL_FILE: &str = "journal.jsonl";
pub const LOCK_FILE: &str = "lock";
pub const AUDIT_LOG: &str = "audit.log";
pub const RESTORE_LOG: &str = "restore-tests.jsonl";
pub const ACCEPTED_CHANGES: &str = "accepted-changes.jsonl";
/// Which digest period the nightly run last sent (`notify.digest`).
pub const DIGEST_STATE: &str = "digest.json";
/// One JSON line per `rota apply` run.
pub const RUNS_LOG: &str = "runs.jsonl";
/// One JSON line per disk movement (the media accountability record).
pub const MEDIA_LOG: &str = "media.jsonl";
/// The folder of the nightly job's output (`apply.log`, `apply.err.log`).
pub const JOB_LOGS_DIR: &str = "logs";
pub const JOB_LOG: &str = "apply.log";
pub const JOB_ERROR_LOG: &str = "apply.err.log";
/// The folder of the written contingency plan's versions, and their index.
pub const CONTINGENCY_DIR: &str = "contingency";
pub const CONTINGENCY_INDEX: &str = "versions.jsonl";

pub fn label_file(mount: &Path) -> PathBuf {
    mount.join(LABEL_FILE)
}

pub fn copies_dir(mount: &Path) -> PathBuf {
    mount.join(COPIES_DIR)
}

pub fn manifest_file(copies_dir: &Path) -> PathBuf {
    copies_dir.join(MANIFEST_FILE)
}

/// The temporary name a copy of `name` is written under by run `run_id`.
pub fn partial_name(run_id: &str, name: &str) -> String {
    format!("{PARTIAL_PREFIX}{run_id}-{name}")
}

/// The name a copy stored as `name` takes while run `run_id` deletes it.
pub fn deleting_name(run_id: &str, name: &str) -> String {
    format!("{DELETING_PREFIX}{run_id}-{name}")
}

/// Whether a file name is a copy being deleted.
pub fn is_deleting(name: &str) -> bool {
    name.starts_with(DELETING_PREFIX)
}

/// Whether a file name is a small rota file being rewritten (`.rota-tmp-`).
pub fn is_temp(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX)
}

/// The process that wrote a `.rota-tmp-<pid>-…` name.
pub fn temp_writer(name: &str) -> Option<u32> {
    name.strip_prefix(TEMP_PREFIX)?
        .split('-')
        .next()?
        .parse()
        .ok()
}

/// Whether a file name is any of rota's temporary names.
pub fn is_temporary(name: &str) -> bool {
    is_partial(name) || is_deleting(name) || is_temp(name)
}

/// The temporary name `name` is written under before the rename.
pub fn temp_name(unique: &str, name: &str) -> String {
    format!("{TEMP_PREFIX}{unique}-{name}")
}

/// Whether a file name is one of rota's own temporary names.
pub fn is_partial(name: &str) -> bool {
    name.starts_with(PARTIAL_PREFIX)
}

/// Names rota keeps for itself inside a copies folder (never backups, never strays).
pub fn is_reserved(name: &str) -> bool {
    name == MANIFEST_FILE || name.starts_with(".rota-")
}
