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
//!     MacPractice_2026-03-30_2330.mpbackup
//! ```

use std::path::{Path, PathBuf};

/// The label file at a disk's root.
pub const LABEL_FILE: &str = ".rota-disk.json";
/// The folder on a disk (and the layout of an off-site staging folder) holding copies.
pub const COPIES_DIR: &str = "rota";
/// The manifest inside the copies folder.
pub const MANIFEST_FILE: &str = ".rota-manifest.json";
/// Prefix of temporary names; only rota writes names starting with it.
pub const PARTIAL_PREFIX: &str = ".rota-partial-";

/// Prefix of the temporary file a small rota file (label, manifest, catalog) is
/// written to before it is renamed over the real one.
pub const TEMP_PREFIX: &str = ".rota-tmp-";

/// Files in `state_dir`.
pub const CATALOG_FILE: &str = "catalog.json";
pub const JOURNAL_FILE: &str = "journal.jsonl";
pub const LOCK_FILE: &str = "lock";
pub const AUDIT_LOG: &str = "audit.log";
pub const RESTORE_LOG: &str = "restore-tests.jsonl";
/// Which digest period the nightly run last sent (`notify.digest`).
pub const DIGEST_STATE: &str = "digest.json";

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
