//! One `apply` run from lock to catalog: [`ApplyRun`] holds the lock, the
//! journal and the catalog for the run's whole life, and walks the plan's
//! actions in order, skipping exactly those that depend (through `after`,
//! transitively) on an action that did not succeed.
//!
//! This is the only module that drives the steps: it lends its [`RunState`]
//! to a [`Step`] per action and to recovery, which depend on that shared
//! layer and never on this module.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::failure::{Failure, Outcome};
use super::filesystem::Fs;
use super::journal::{self, Entry, Journal};
use super::lock::{LockError, RunLock};
use super::places::Places;
use super::recover::{self, Recovery};
use super::run_state::RunState;
use super::step::Step;
use super::{Observer, plan_id};
use crate::inventory::{Catalog, CatalogError, Inventory};
use crate::placement::Location;
use crate::plan::{Action, Op, Plan};
use crate::policy::Policy;

/// Why a run could not start.
#[derive(Debug)]
pub enum BeginError {
    Lock(LockError),
    Catalog(CatalogError),
    Journal {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl std::fmt::Display for BeginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BeginError::Lock(error) => write!(f, "{error}"),
            BeginError::Catalog(error) => write!(f, "{error}"),
            BeginError::Journal { path, error } => {
                write!(f, "cannot use the journal {}: {error}", path.display())
            }
        }
    }
}

/// What a run did, action by action.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub outcomes: Vec<(Action, Outcome)>,
    pub elapsed: Duration,
}

impl Report {
    pub fn failed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|(_, o)| !matches!(o, Outcome::Done(_)))
            .count()
    }

    /// Bytes written by copies and archive moves that succeeded.
    pub fn bytes_copied(&self) -> u64 {
        self.outcomes
            .iter()
            .filter_map(|(_, o)| match o {
                Outcome::Done(done) => Some(done.bytes),
                _ => None,
            })
            .sum()
    }

    /// Time spent copying and reading back.
    pub fn copy_time(&self) -> Duration {
        self.outcomes
            .iter()
            .filter_map(|(_, o)| match o {
                Outcome::Done(done) => Some(done.elapsed),
                _ => None,
            })
            .sum()
    }

    /// Actions of `op` that succeeded.
    pub fn done(&self, op: Op) -> usize {
        self.outcomes
            .iter()
            .filter(|(a, o)| a.op == op && matches!(o, Outcome::Done(_)))
            .count()
    }
}

/// A run in progress: the lock is held from [`ApplyRun::begin`] until the
/// value is dropped.
pub struct ApplyRun<'a> {
    /// What the steps and recovery work with (policy, catalog, journal...).
    pub(super) state: RunState<'a>,
    _lock: RunLock,
    previous: Vec<Entry>,
    /// Locations none of whose actions may run (see [`ApplyRun::refuse`]).
    refused: HashMap<Location, Failure>,
}

impl<'a> ApplyRun<'a> {
    /// Takes the lock and reads what an earlier run left in the journal.
    pub fn begin(
        policy: &'a Policy,
        fs: Fs,
        clock: &'a dyn Fn() -> DateTime<Utc>,
    ) -> Result<ApplyRun<'a>, BeginError> {
        let lock =
            RunLock::acquire(&policy.state_dir, clock(), "apply").map_err(BeginError::Lock)?;
        ApplyRun::with_lock(policy, fs, clock, lock)
    }

    /// [`ApplyRun::begin`] with the lock already taken.
    pub(super) fn with_lock(
        policy: &'a Policy,
        fs: Fs,
        clock: &'a dyn Fn() -> DateTime<Utc>,
        lock: RunLock,
    ) -> Result<ApplyRun<'a>, BeginError> {
        let started = clock();
        let catalog = Catalog::load(&policy.state_dir).map_err(BeginError::Catalog)?;
        let previous = journal::read(&policy.state_dir).map_err(|error| BeginError::Journal {
            path: journal::path(&policy.state_dir),
            error,
        })?;
        let state = RunState {
            policy,
            fs,
            clock,
            catalog,
            journal: None,
            run_id: format!(
                "{}-{}",
                started.format("%Y%m%dT%H%M%SZ"),
                std::process::id()
            ),
            remote_down: HashMap::new(),
        };
        Ok(ApplyRun {
            state,
            _lock: lock,
            previous,
            refused: HashMap::new(),
        })
    }

    /// This run's id, as the journal, the audit log and temporary names show it.
    pub fn run_id(&self) -> &str {
        &self.state.run_id
    }

    /// Finishes what an interrupted run left, removes its temporary files,
    /// and starts this run's journal. `inventory` is a scan made under the lock.
    pub fn recover(&mut self, inventory: &Inventory) -> Result<Recovery, BeginError> {
        let previous = std::mem::take(&mut self.previous);
        let recovery = recover::recover(&mut self.state, inventory, &previous);
        let state = &mut self.state;
        let first = Entry::RunStarted {
            run: state.run_id.clone(),
            pid: std::process::id(),
            started_at: (state.clock)(),
        };
        let journal = Journal::start(
            &state.fs,
            &state.policy.state_dir,
            &recovery.carried,
            &first,
        )
        .map_err(|error| BeginError::Journal {
            path: journal::path(&state.policy.state_dir),
            error,
        })?;
        state.journal = Some(journal);
        Ok(recovery)
    }

    /// Fails every action that copies to or deletes at `location` with
    /// `failure`, without attempting it (an off-site target this machine
    /// cannot use: no rclone, unusable recipients).
    pub fn refuse(&mut self, location: Location, failure: Failure) {
        self.refused.insert(location, failure);
    }

    /// Remembers the connected disks of a scan in the catalog (seen `now`).
    pub fn remember(
        &mut self,
        inventory: &Inventory,
        now: DateTime<Utc>,
    ) -> Result<(), CatalogError> {
        let connected: Vec<_> = inventory.connected_disks().cloned().collect();
        self.state.catalog.merge_scan(&connected, now);
        self.state.save_catalog()
    }

    /// Carries out `plan` (made from `inventory`), recording `now` in manifests.
    pub fn execute(
        &mut self,
        plan: &Plan,
        inventory: &Inventory,
        now: DateTime<Utc>,
        observer: &mut dyn Observer,
    ) -> Report {
        let started = Instant::now();
        let places = Places::new(self.state.policy, plan, inventory);
        let plan_id = plan_id(plan);
        let needed: HashMap<String, bool> = plan
            .backups
            .iter()
            .map(|b| {
                let needed = !b.reasons.is_empty() || !b.required_at.is_empty();
                (b.name.clone(), needed)
            })
            .collect();
        let mut blocked: HashMap<Location, Failure> = HashMap::new();
        let mut succeeded: HashSet<usize> = HashSet::new();
        let mut report = Report::default();
        for action in &plan.actions {
            let refused = [action.writes_to(), action.deleted_at()]
                .into_iter()
                .flatten()
                .find_map(|location| self.refused.get(location))
                .cloned();
            let outcome = match action.after.iter().find(|id| !succeeded.contains(id)) {
                Some(id) => Outcome::Skipped { after: *id },
                None if refused.is_some() => Outcome::Failed(refused.expect("checked")),
                None => match action.writes_to().and_then(|to| blocked.get(to)) {
                    Some(failure) => Outcome::Failed(failure.clone()),
                    None => {
                        observer.started(action);
                        let mut step = Step {
                            run: &mut self.state,
                            places: &places,
                            plan_id: &plan_id,
                            plan_at: plan.at.to_rfc3339(),
                            now,
                            needed: &needed,
                        };
                        match step.run_action(action, observer) {
                            Ok(done) => Outcome::Done(done),
                            Err(failure) => Outcome::Failed(failure),
                        }
                    }
                },
            };
            match &outcome {
                Outcome::Done(_) => {
                    succeeded.insert(action.id);
                }
                Outcome::Failed(failure) if failure.blocks_location() => {
                    if let Some(to) = action.writes_to() {
                        blocked.insert(to.clone(), failure.clone());
                    }
                }
                _ => {}
            }
            observer.finished(action, &outcome);
            report.outcomes.push((action.clone(), outcome));
        }
        report.elapsed = started.elapsed();
        report
    }

    /// Records the disks as they are now in the catalog and closes the journal.
    pub fn finish(
        &mut self,
        inventory: &Inventory,
        now: DateTime<Utc>,
        report: &Report,
    ) -> Result<(), CatalogError> {
        self.remember(inventory, now)?;
        self.close_journal(report.failed());
        Ok(())
    }

    /// Writes the journal's last line: the run ended (rather than was cut off).
    fn close_journal(&mut self, failed: usize) {
        let state = &mut self.state;
        let entry = Entry::RunFinished {
            run: state.run_id.clone(),
            finished_at: (state.clock)(),
            failed,
        };
        if let Some(mut journal) = state.journal.take() {
            // The run is over either way; a journal that cannot take its last
            // line only makes the next run look for leftovers it will not find.
            let _ = journal.append(&state.fs, &entry);
        }
    }
}

/// A run that ends without [`ApplyRun::finish`] (refused, declined, an
/// error) still ended: only a killed process leaves its journal open.
impl Drop for ApplyRun<'_> {
    fn drop(&mut self) {
        self.close_journal(0);
    }
}

impl Step<'_, '_> {
    fn run_action(
        &mut self,
        action: &Action,
        observer: &mut dyn Observer,
    ) -> Result<super::Done, Failure> {
        let missing = || Failure::Unsupported {
            what: format!("action {} names no location (a planner bug)", action.id),
        };
        match action.op {
            Op::Copy => {
                let (from, to) = (action.from.as_ref(), action.to.as_ref());
                self.copy(
                    action,
                    from.ok_or_else(missing)?,
                    to.ok_or_else(missing)?,
                    observer,
                )
            }
            Op::Archive => {
                let (from, to) = (action.from.as_ref(), action.to.as_ref());
                let (from, to) = (from.ok_or_else(missing)?, to.ok_or_else(missing)?);
                let done = self.copy(action, from, to, observer)?;
                self.delete(action, from, Some(to))?;
                Ok(done)
            }
            Op::Remove | Op::Destroy => {
                let location = action.location.as_ref().ok_or_else(missing)?;
                self.delete(action, location, None)
            }
            Op::Capture => self.capture(action, observer),
        }
    }
}
