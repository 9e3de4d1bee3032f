//! The plan: what `apply` would do, as data. Built by [`build::make_plan`] from
//! the policy, the inventory and the planning instant; ordered as a DAG whose
//! edges say "a deletion that depends on a copy comes after it" and "free space
//! before a copy that needs it"; rendered as a text diff or JSON; saved with a
//! fingerprint of the inventory it was made from.
//!
//! Pure: nothing here reads the clock or touches the filesystem.

pub mod build;
pub mod capture;
pub mod code;
pub mod gate;
mod graph;
mod guard;
pub mod invariants;
pub mod json;
pub mod saved;
pub mod text;
pub mod volume_warnings;
mod warnings;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::inventory::EntryKind;
use crate::placement::Location;
use crate::retention::Reason;
use crate::words::key::serde_keys;

pub use build::{make_plan, make_plan_for_night};
pub use code::{Severity, WarningCode};
pub use warnings::media::{destination as media_destination, disks_protected, unencrypted_media};
pub use warnings::{
    MASS_DELETE_CONSEQUENCE, Warning, holidays_missing, pattern_matches_nothing,
    restore_test_due_on,
};

/// What an action does. Names as the README documents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Write a verified copy at `to`, reading from `from`.
    Copy,
    /// Unlink the copy at `location`.
    Remove,
    /// Copy to the archive disk `to`, verify, then remove the copy at `from`.
    Archive,
    /// Overwrite the copy at `location`, then unlink it.
    Destroy,
    /// Copy the `source.capture` export into the source folder (`to` is the
    /// server) under the backup's name: tonight's backup, made by rota.
    Capture,
}

serde_keys!(Op);

impl Op {
    /// Whether the action deletes a copy (at `location`, or at `from` for archive).
    pub fn deletes(self) -> bool {
        !matches!(self, Op::Copy | Op::Capture)
    }
}

/// One action of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// 1-based, in execution order.
    pub id: usize,
    pub op: Op,
    pub backup: String,
    pub kind: EntryKind,
    /// Where the data is read from (copy, archive).
    pub from: Option<Location>,
    /// Where a copy is written (copy, archive).
    pub to: Option<Location>,
    /// Where a copy is deleted (remove, destroy; for archive: `from`).
    pub location: Option<Location>,
    pub bytes: u64,
    /// Why, in words (reasons for copies, what makes a deletion safe).
    pub reason: String,
    /// Ids of actions that must finish first.
    pub after: Vec<usize>,
    /// A deletion after which the backup has no copy anywhere: no copy it
    /// keeps, none the plan writes (the mass-delete guard counts these).
    pub last_copy: bool,
}

impl Action {
    /// The location whose copy this action deletes, if it deletes one.
    pub fn deleted_at(&self) -> Option<&Location> {
        match self.op {
            Op::Copy | Op::Capture => None,
            Op::Archive => self.from.as_ref(),
            Op::Remove | Op::Destroy => self.location.as_ref(),
        }
    }

    /// The location this action writes a copy to, if any.
    pub fn writes_to(&self) -> Option<&Location> {
        match self.op {
            Op::Copy | Op::Archive | Op::Capture => self.to.as_ref(),
            Op::Remove | Op::Destroy => None,
        }
    }
}

/// Something placement wants that cannot be done now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub op: Op,
    pub backup: String,
    /// For copies and archives: where it must go.
    pub to: Option<Location>,
    /// For deletions: where the expired copy sits.
    pub location: Option<Location>,
    pub bytes: u64,
    pub reason: String,
}

/// A backup as the plan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupStatus {
    pub name: String,
    pub business_day: NaiveDate,
    pub size: u64,
    pub kind: EntryKind,
    pub reasons: Vec<Reason>,
    /// Whether it is its business day's backup (not an extra).
    pub day_backup: bool,
    /// Locations holding a verified copy now (absent disks as last seen).
    pub locations: Vec<Location>,
    /// Locations placement requires it at.
    pub required_at: Vec<Location>,
    /// Why, for each of `required_at` (same order), in words.
    pub required_because: Vec<String>,
    /// How long ago it last changed on the server, while that is less than
    /// `source.settle` (it is still being written and not copied yet).
    pub settling: Option<TimeDelta>,
    /// Copies made before it changed on the server: they no longer count.
    pub stale_at: Vec<Location>,
    /// Its server bytes changed after a verified copy existed, on a later
    /// business day (safety invariant 12): its copies count, the server's
    /// bytes are copied nowhere.
    pub tampered: bool,
}

/// A location in the plan's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSummary {
    pub location: Location,
    pub role: &'static str,
    pub connected: bool,
    /// Why rota will not act on it although it is connected, if so.
    pub blocked: Option<String>,
    pub disk_id: Option<String>,
    pub mount: Option<String>,
    pub total: Option<u64>,
    pub free: Option<u64>,
    pub reserve: u64,
    /// In office time.
    pub last_seen: Option<DateTime<FixedOffset>>,
    pub copies: usize,
}

/// The whole plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub office: String,
    pub timezone: String,
    pub at: DateTime<FixedOffset>,
    pub today: NaiveDate,
    pub sites: Vec<SiteSummary>,
    pub backups: Vec<BackupStatus>,
    /// In execution order (a topological order of the DAG).
    pub actions: Vec<Action>,
    pub pending: Vec<Pending>,
    pub warnings: Vec<Warning>,
    /// Why no deletion is planned tonight, if the deletion gate is closed
    /// (safety invariant 13); empty when deletions may go ahead.
    pub deletions_stopped: Vec<gate::Closure>,
    /// A hash of the inventory the plan was made from (JSON `fingerprint`):
    /// `apply --plan` refuses a saved plan when it no longer matches.
    pub inventory_hash: String,
}

impl Plan {
    /// Whether `apply` has anything to do.
    pub fn has_actions(&self) -> bool {
        !self.actions.is_empty()
    }

    /// What `plan` and `apply` say when there is no action: that every
    /// backup is in place, unless the server holds no backup rota can see
    /// (a wrong pattern, an empty folder): then nothing *can* be done, and
    /// "nothing to do" would be a false comfort.
    pub fn idle_words(&self) -> &'static str {
        let on_server = self
            .backups
            .iter()
            .any(|b| b.locations.contains(&crate::placement::Location::Server));
        if on_server {
            "Nothing to do: every backup is where the policy wants it."
        } else {
            "Nothing can be done: the source folder holds no backup that matches source.pattern (see the warnings)."
        }
    }

    pub fn count(&self, op: Op) -> usize {
        self.actions.iter().filter(|a| a.op == op).count()
    }

    pub fn bytes_copied(&self) -> u64 {
        self.actions
            .iter()
            .filter(|a| a.writes_to().is_some())
            .map(|a| a.bytes)
            .sum()
    }
}

#[cfg(test)]
mod offsite_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
pub(crate) mod tests;
