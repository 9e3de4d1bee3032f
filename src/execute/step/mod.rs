//! The shared layer of an action's steps: [`Step`], what every step of one
//! action works with, and the values one step hands to another ([`Wrote`],
//! [`Doomed`]). The steps, one file each here (`copy`, `capture`, `delete`, `offsite`,
//! `upload`, `remote_delete`, `encrypted_disk`, `journal`), are
//! `impl Step` blocks that depend on this layer and never on each other's
//! modules or on `run`; only `run` makes a `Step` and drives it.

mod capture;
pub(super) mod copy;
mod delete;
mod encrypted_disk;
mod journal;
mod offsite;
mod remote_delete;
mod upload;

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::places::Places;
use super::run_state::RunState;
use crate::inventory::{EntryKind, Fingerprint};
use crate::plan::Op;

/// What the steps of one action share.
pub(super) struct Step<'r, 'a> {
    pub run: &'r mut RunState<'a>,
    pub places: &'r Places,
    pub plan_id: &'r str,
    pub plan_at: String,
    pub now: DateTime<Utc>,
    /// Per backup of the plan: whether it is needed somewhere (retained or
    /// required). A backup the plan does not list counts as needed.
    pub needed: &'r HashMap<String, bool>,
}

/// What a copy's writer left, verified, under the temporary name.
pub(super) struct Wrote {
    /// Bytes read from the source.
    pub bytes: u64,
    /// The backup's content hash.
    pub hash: String,
    /// The encrypted file's hash, for an encrypted staged copy.
    pub ciphertext_hash: Option<String>,
    /// The source bundle's fingerprint as the writer read it, when the
    /// writer itself checked that the source did not change meanwhile.
    pub source: Option<Fingerprint>,
}

/// A copy about to be taken away, as checked.
pub(super) struct Doomed {
    pub backup: String,
    pub kind: EntryKind,
    pub size: u64,
    /// Where it is (a staged copy: under its stored name).
    pub path: PathBuf,
    pub hash: String,
    pub op: Op,
    pub reason: String,
    pub archived_to: Option<String>,
}
