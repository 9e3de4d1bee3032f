//! What one `apply` run carries that its steps and its recovery both work
//! with: the policy, the file-system seam, the clock, the catalog, the journal,
//! the run's id and the remotes found unreachable. [`RunState`] is owned by
//! `ApplyRun` (which adds the lock and the run's bookkeeping) and lent to each
//! step and to recovery, so neither depends on the run that drives them.
//!
//! It keeps the catalog and the journal written as the run changes things; it
//! decides nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::failure::Failure;
use super::filesystem::Fs;
use super::journal::{Entry, Journal};
use super::places::Place;
use crate::inventory::catalog::CATALOG_FILE;
use crate::inventory::{Catalog, CatalogError, CopyRecord};
use crate::policy::Policy;

/// The state of a run that steps and recovery read and update.
pub(super) struct RunState<'a> {
    pub policy: &'a Policy,
    pub fs: Fs,
    pub clock: &'a dyn Fn() -> DateTime<Utc>,
    pub catalog: Catalog,
    /// Started after recovery (`ApplyRun::recover`); `None` until then.
    pub journal: Option<Journal>,
    pub run_id: String,
    /// Off-site targets whose remote could not be reached in this run, by
    /// name: their uploads and remote deletions fail at once, pending.
    pub remote_down: HashMap<String, Failure>,
}

impl RunState<'_> {
    pub fn save_catalog(&self) -> Result<(), CatalogError> {
        self.fs.record("catalog").map_err(|source| {
            CATALOG_FILE.write_error(&Catalog::path(&self.policy.state_dir), source)
        })?;
        self.catalog.save(&self.policy.state_dir)
    }

    /// Records in the catalog what this run just did to a disk's copy of
    /// `name`: `Some(record)` it wrote and verified it, `None` it deleted it.
    /// Only rota's own record goes in, never what the manifest says (a
    /// manifest can be edited; the catalog is what copies are checked
    /// against, safety invariant 14). A disk that is unplugged after this
    /// action is remembered as it now is.
    pub fn update_catalog(
        &mut self,
        place: &Place,
        name: &str,
        record: Option<CopyRecord>,
        now: DateTime<Utc>,
    ) -> Result<(), CatalogError> {
        let Some(id) = place.disk_id() else {
            return Ok(());
        };
        match record {
            Some(record) => self.catalog.record_copy(id, record),
            None => self.catalog.forget_copy(id, name),
        }
        if let Some(disk) = self.catalog.disks.get_mut(id) {
            disk.last_seen = now;
        }
        self.save_catalog()
    }

    pub fn journal(&mut self, entry: &Entry) -> std::io::Result<()> {
        match &mut self.journal {
            Some(journal) => journal.append(&self.fs, entry),
            None => Err(std::io::Error::other("the run's journal was not started")),
        }
    }
}
