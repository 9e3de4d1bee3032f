//! What `rota apply` leaves behind for the people who are not watching: it
//! follows one run from start to end, pings the healthchecks check when the
//! run begins, and at the end appends the run record to `state_dir/runs.jsonl`
//! and sends the notifications `notify:` asks for.
//!
//! A notification that fails, or a record that cannot be written, is a
//! warning on stderr: it never changes apply's exit status or stops the work.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::notify::report_notifications;
use super::session::Session;
use super::verdict;
use super::{CliError, Outcome};
use crate::execute::{Outcome as ActionOutcome, Report};
use crate::inventory::Inventory;
use crate::nightly::digest;
use crate::nightly::record::{self, WarningDetail};
use crate::nightly::{DiskSeen, RecordedCode, RunError, RunOutcome, RunRecord, swap};
use crate::notify;
use crate::plan::{Plan, Severity, WarningCode};
use crate::policy::Policy;

/// How far the run got, to say what kind of failure ended it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Opening,
    Planned,
    Executed,
}

/// One apply run as it goes.
pub struct Night {
    /// `--yes`: no one is asked, so the run will not stop at a prompt.
    unattended: bool,
    opened: Option<Opened>,
    stage: Stage,
    skipped: bool,
    record: RunRecord,
    /// What tonight's look at the office found, for the digest.
    facts: Option<digest::Facts>,
    /// `--allow-mass-delete`: a person has looked at the deletions and
    /// allowed them, so `mass-delete` is not a warning of this night.
    mass_delete_allowed: bool,
}

struct Opened {
    policy: Policy,
    at: DateTime<Tz>,
}

impl Night {
    pub fn begin(unattended: bool) -> Night {
        let started = Utc::now();
        Night {
            unattended,
            opened: None,
            stage: Stage::Opening,
            skipped: false,
            facts: None,
            mass_delete_allowed: false,
            record: RunRecord {
                schema: 1,
                started,
                finished: started,
                at: started.fixed_offset(),
                today: None,
                outcome: RunOutcome::Ok,
                error: None,
                errors: Vec::new(),
                actions: 0,
                copies: 0,
                removals: 0,
                captures: 0,
                bytes: 0,
                pending: 0,
                warnings: Vec::new(),
                warning_details: Vec::new(),
                disks: Vec::new(),
                notify: Vec::new(),
            },
        }
    }

    /// The policy is loaded: from here on the run is recorded. An unattended
    /// run tells the healthchecks check it started (an interactive one may
    /// yet be declined, which would leave the check waiting for its end).
    /// `serves` is the business day the run serves (a late scheduled run
    /// serves the night it missed).
    pub fn opened(&mut self, session: &Session, serves: NaiveDate) {
        let policy = session.policy();
        self.record.at = session.at.fixed_offset();
        self.record.today = Some(serves);
        if self.unattended {
            let started = notify::started(&policy.notify, &policy.office.name);
            self.record.notify.extend(started);
        }
        self.opened = Some(Opened {
            policy: policy.clone(),
            at: session.at,
        });
    }

    /// The person allowed a mass deletion (`--allow-mass-delete`).
    pub fn allow_mass_delete(&mut self) {
        self.mass_delete_allowed = true;
    }

    /// Tonight's plan is made.
    pub fn planned(&mut self, plan: &Plan, inventory: &Inventory) {
        self.stage = Stage::Planned;
        self.record.actions = plan.actions.len();
        self.record.pending = plan.pending.len();
        let allowed =
            |code: WarningCode| self.mass_delete_allowed && code == WarningCode::MassDelete;
        let warnings: Vec<_> = plan
            .warnings
            .iter()
            .filter(|warning| !allowed(warning.code))
            .collect();
        for warning in warnings {
            self.warn(warning.code.into(), &warning.message);
        }
        self.facts = self
            .opened
            .as_ref()
            .map(|opened| digest::facts(&opened.policy, inventory, plan));
        self.record.disks = inventory
            .disks
            .iter()
            .filter(|disk| disk.mount.is_some())
            .map(|disk| DiskSeen {
                label: disk.label.clone(),
                id: disk.id.clone(),
            })
            .collect();
    }

    /// The plan was carried out (in part or in full).
    pub fn executed(&mut self, report: &Report) {
        self.stage = Stage::Executed;
        self.record.bytes = report.bytes_copied();
        for (action, outcome) in &report.outcomes {
            if let ActionOutcome::Done(done) = outcome {
                for warning in &done.warnings {
                    self.warn(warning.code.into(), &warning.message);
                }
            }
            self.record.count(action, outcome);
        }
    }

    /// The person at the terminal said no: that is not a night's run.
    pub fn skip(&mut self) {
        self.skipped = true;
    }

    /// Records the run, notifies, prints the night's verdict, and hands back
    /// apply's result (a failed night is exit 1).
    pub fn end(self, result: Result<Outcome, CliError>) -> Result<Outcome, CliError> {
        match self.record(result.as_ref().err()) {
            Some(record) => {
                print!("{}", verdict::render(&record));
                verdict::exit_status(&record, result)
            }
            None => result,
        }
    }

    /// Records the run and notifies, without the verdict (`rota demo`
    /// tells its own story); the record, unless the run was never opened or
    /// was declined at the prompt.
    pub fn record(mut self, error: Option<&CliError>) -> Option<RunRecord> {
        let opened = self.opened.take()?;
        if self.skipped {
            return None;
        }
        self.record.finished = Utc::now();
        self.conclude(&opened, error);
        for detail in self
            .record
            .warning_details
            .iter()
            .filter(|d| d.code == WarningCode::DiskNotSwapped)
        {
            eprintln!("warning: {}", detail.message);
        }
        let policy = &opened.policy;
        let sent = notify::finished(&policy.notify, &policy.office.name, &self.record);
        self.record.notify.extend(sent);
        let digest = super::digest::scheduled(policy, &self.record, self.facts.as_ref());
        self.record.notify.extend(digest);
        report_notifications(&self.record.notify);
        if let Err(error) = record::append(&policy.state_dir, &self.record) {
            eprintln!(
                "warning: cannot add this run to {}: {error}",
                record::runs_file(&policy.state_dir).display()
            );
        }
        Some(self.record)
    }

    /// The outcome, the error and the warnings that compare nights.
    fn conclude(&mut self, opened: &Opened, error: Option<&CliError>) {
        // The plan's own `disk-not-swapped` (from the disks' manifests) says
        // more; the comparison of two nights' records covers what it cannot see.
        let plan_saw_it = self
            .record
            .warnings
            .iter()
            .any(|code| *code == WarningCode::DiskNotSwapped);
        if let Some(today) = self.record.today.filter(|_| !plan_saw_it) {
            let previous: Vec<RunRecord> = record::read(&opened.policy.state_dir)
                .unwrap_or_default()
                .into_iter()
                .filter(|run| run.at < opened.at)
                .collect();
            for detail in swap::not_swapped(&opened.policy, &previous, today, &self.record.disks) {
                self.warn(detail.code, &detail.message);
            }
        }
        self.record.outcome = RunOutcome::from_worst(self.worst());
        if let Some(error) = error {
            self.record.outcome = RunOutcome::Failed;
            let run_error = RunError {
                kind: self.error_kind(error),
                message: error.to_string(),
            };
            if self.record.errors.is_empty() {
                self.record.errors.push(run_error.message.clone());
            }
            self.record.error = Some(run_error);
        }
    }

    /// The worst severity of the night's warnings (a code this rota does not
    /// know reads as attention).
    fn worst(&self) -> Option<Severity> {
        self.record
            .warnings
            .iter()
            .map(RecordedCode::severity)
            .max()
    }

    fn error_kind(&self, error: &CliError) -> String {
        match (error, self.stage) {
            (CliError::PolicyProblem(diagnostic), _) => diagnostic.code.to_string(),
            (CliError::Policy(_), _) => "invalid-policy".to_string(),
            (CliError::Usage { .. }, _) => "usage".to_string(),
            (CliError::Failed { .. }, Stage::Opening) => "not-started".to_string(),
            (CliError::Failed { .. }, Stage::Planned) => "refused".to_string(),
            (CliError::Failed { .. }, Stage::Executed) => "actions-failed".to_string(),
        }
    }

    fn warn(&mut self, code: RecordedCode, message: &str) {
        if !self.record.warnings.contains(&code) {
            self.record.warnings.push(code.clone());
        }
        self.record.warning_details.push(WarningDetail {
            code,
            message: message.to_string(),
        });
    }
}
