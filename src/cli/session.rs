//! What most commands start with: load the policy (printing its warnings),
//! settle the planning instant (`--at`, else the clock), and scan the
//! inventory. The one place that reads the clock for them.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::CliError;
use super::error_display::{Style, render_diagnostic};
use crate::calendar::parse_at;
use crate::execute::lock::{LockError, RunLock};
use crate::inventory::{self, Catalog, Inventory};
use crate::policy::{self, LoadedPolicy, Policy};

/// A loaded policy and the instant a command works at.
pub struct Session {
    pub loaded: LoadedPolicy,
    /// The planning instant, in the office time zone.
    pub at: DateTime<Tz>,
    /// The same instant in UTC, used for every timestamp rota records, so a
    /// run with `--at` is reproducible end to end.
    pub now: DateTime<Utc>,
}

impl Session {
    /// Loads the policy and settles the instant; policy warnings go to stderr.
    pub fn open(policy_path: &Path, at: Option<&str>, no_color: bool) -> Result<Session, CliError> {
        let loaded = policy::load(policy_path)?;
        let style = Style::for_stderr(no_color);
        for warning in &loaded.warnings {
            eprint!("{}", render_diagnostic(warning, style));
        }
        let calendar = &loaded.policy.office.calendar;
        let at = match at {
            Some(text) => parse_at(text, calendar).map_err(|error| {
                CliError::usage(
                    error.to_string(),
                    "`--at` sets the instant rota plans for, in the office's time zone unless an offset is given",
                )
            })?,
            None => Utc::now().with_timezone(&calendar.timezone),
        };
        Ok(Session {
            loaded,
            now: at.with_timezone(&Utc),
            at,
        })
    }

    pub fn policy(&self) -> &Policy {
        &self.loaded.policy
    }

    /// The business day of the instant (its own date on a calendar with no
    /// open day before it).
    pub fn business_day(&self) -> NaiveDate {
        let calendar = &self.policy().office.calendar;
        calendar
            .today(&self.at)
            .unwrap_or_else(|| calendar.local_time(&self.at).date())
    }

    /// The server's catalog of disks (an unreadable one is an error: absent
    /// disks would look empty and their backups unprotected).
    pub fn catalog(&self) -> Result<Catalog, CliError> {
        Ok(Catalog::load(&self.policy().state_dir)?)
    }

    /// Takes the run lock `apply` takes, for commands that write manifests or
    /// the catalog (`verify`, `restore-test`, `disk list`): two of them at once
    /// could each save an older view over the other's.
    pub fn lock(&self, command: &str) -> Result<RunLock, CliError> {
        take_lock(&self.policy().state_dir, self.now, command)
    }

    /// Scans the source folder, the disks and the off-site staging folders.
    /// The real time of the listing (not `--at`) is kept with it: whether a
    /// backup is still being written is judged by the real clock.
    pub fn scan(&self) -> Result<Inventory, CliError> {
        let observed_at = Utc::now();
        let mut inventory =
            inventory::scan_loading_catalog(self.policy(), self.now, || self.catalog())?;
        inventory.observed_at = Some(observed_at);
        Ok(inventory)
    }
}

/// The run lock on `state_dir`, or a clear error naming who holds it.
pub fn take_lock(state_dir: &Path, now: DateTime<Utc>, command: &str) -> Result<RunLock, CliError> {
    RunLock::acquire(state_dir, now, command).map_err(|error| match error {
        LockError::Held { .. } => CliError::failed_with_help(
            error.to_string(),
            format!(
                "wait for it to finish (the lock is released when it ends, even if it crashes), then run `rota {command}` again"
            ),
        ),
        LockError::Io { .. } => CliError::failed_with_help(
            error.to_string(),
            "rota keeps its lock in the policy's state_dir; check that folder's permissions",
        ),
    })
}
