//! `rota status` as data: is the office healthy (the last run did not fail
//! and no night was missed), what the last run did, and the state a person
//! or a monitoring system wants next to it: tonight's disk, each disk's last
//! sighting, pending work, the plan's warnings, failed notifications and the
//! next restore test. Built from values only; the CLI scans and reads.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::overdue::{self, Covered, Night};
use super::record::{NotifyResult, RunOutcome, RunRecord};
use super::seconds;
use crate::inventory::Inventory;
use crate::plan::{Op, Plan, Severity, restore_test_due_on};
use crate::policy::Policy;
use crate::words::key::serde_keys;

/// The verdict, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Health {
    /// No run is recorded (as of the instant judged).
    NeverRun,
    /// The last run failed.
    Failed,
    /// The expected night has no run.
    Overdue,
    /// The last run did its job but met something a person should look at
    /// (a wrong disk, a disk not swapped...).
    Warning,
    Healthy,
}

serde_keys!(Health);

#[derive(Debug, Clone, Serialize)]
pub struct ExpectedNight {
    pub day: NaiveDate,
    #[serde(serialize_with = "seconds::serialize")]
    pub opens: DateTime<FixedOffset>,
    #[serde(serialize_with = "seconds::serialize")]
    pub deadline: DateTime<FixedOffset>,
    /// The recorded run that covered it (`null`: the records hold none).
    pub run: Option<NightRun>,
}

/// The run of the expected night, as its record tells it.
#[derive(Debug, Clone, Serialize)]
pub struct NightRun {
    #[serde(serialize_with = "seconds::serialize")]
    pub at: DateTime<FixedOffset>,
    pub outcome: RunOutcome,
    /// Whether it ran in the night's window (false: a later run caught up).
    pub in_window: bool,
}

impl ExpectedNight {
    fn of(night: &Night, covered: Option<&Covered>) -> Self {
        ExpectedNight {
            day: night.day,
            opens: night.opens.fixed_offset(),
            deadline: night.deadline.fixed_offset(),
            run: covered.map(|covered| NightRun {
                at: covered.run.at,
                outcome: covered.run.outcome,
                in_window: covered.in_window,
            }),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ScheduleView {
    pub at: String,
    pub wait: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiskStatus {
    pub label: String,
    pub id: String,
    pub connected: bool,
    #[serde(serialize_with = "seconds::serialize_option")]
    pub last_seen: Option<DateTime<FixedOffset>>,
    /// Copies the disk holds (as last seen).
    pub holdings: usize,
    #[serde(serialize_with = "seconds::serialize_option")]
    pub last_verified: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WarningView {
    pub code: String,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub schema: u32,
    pub office: String,
    #[serde(serialize_with = "seconds::serialize")]
    pub at: DateTime<FixedOffset>,
    pub today: Option<NaiveDate>,
    pub health: Health,
    pub healthy: bool,
    pub overdue: bool,
    /// Why it is not healthy, in words.
    pub problems: Vec<String>,
    pub last_run: Option<RunRecord>,
    /// The last run that ended well, if the last one did not.
    #[serde(serialize_with = "seconds::serialize_option")]
    pub last_success: Option<DateTime<FixedOffset>>,
    pub expected_night: Option<ExpectedNight>,
    pub schedule: Option<ScheduleView>,
    #[serde(serialize_with = "seconds::serialize_option")]
    pub next_run: Option<DateTime<FixedOffset>>,
    pub tonight: Vec<String>,
    pub disks: Vec<DiskStatus>,
    pub pending_copies: usize,
    pub pending: usize,
    pub planned_actions: usize,
    pub warnings: Vec<WarningView>,
    /// Notifications of the last run that did not get through.
    pub notify_failures: Vec<NotifyResult>,
    pub restore_test_due: Option<NaiveDate>,
}

/// What `status` needs, gathered by the CLI.
pub struct Inputs<'a> {
    pub policy: &'a Policy,
    pub inventory: &'a Inventory,
    pub plan: &'a Plan,
    pub runs: &'a [RunRecord],
    pub at: DateTime<Tz>,
}

pub fn status(inputs: &Inputs<'_>) -> Status {
    let policy = inputs.policy;
    let calendar = &policy.office.calendar;
    let schedule = policy.schedule.as_ref();
    let known: Vec<&RunRecord> = inputs.runs.iter().filter(|r| r.at <= inputs.at).collect();
    let last = known.iter().max_by_key(|r| r.at).copied();
    let judgement = overdue::judge(calendar, schedule, inputs.runs, inputs.at);
    let (health, problems) = verdict(last, &judgement, policy);
    let today = calendar.today(&inputs.at);
    Status {
        schema: 1,
        office: policy.office.name.clone(),
        at: inputs.at.fixed_offset(),
        today,
        healthy: health == Health::Healthy,
        health,
        overdue: judgement.overdue,
        problems,
        last_success: last
            .filter(|r| r.outcome == RunOutcome::Failed)
            .and_then(|_| {
                known
                    .iter()
                    .filter(|r| r.outcome != RunOutcome::Failed)
                    .max_by_key(|r| r.at)
            })
            .map(|r| r.at),
        last_run: last.cloned(),
        expected_night: judgement
            .expected
            .as_ref()
            .map(|night| ExpectedNight::of(night, judgement.covered_by.as_ref())),
        schedule: schedule.map(|s| ScheduleView {
            at: s.at.format("%H:%M").to_string(),
            wait: s.wait_text(),
        }),
        next_run: schedule
            .and_then(|s| overdue::next_run(calendar, s, inputs.at))
            .map(|t| t.fixed_offset()),
        tonight: today
            .map(|day| {
                policy
                    .disks
                    .for_weekday(day.weekday())
                    .map(|d| d.label.clone())
                    .collect()
            })
            .unwrap_or_default(),
        disks: disks(inputs.inventory, inputs.at.timezone()),
        pending_copies: inputs
            .plan
            .pending
            .iter()
            .filter(|p| matches!(p.op, Op::Copy | Op::Archive))
            .count(),
        pending: inputs.plan.pending.len(),
        planned_actions: inputs.plan.actions.len(),
        warnings: warnings(inputs.plan, last),
        notify_failures: last
            .map(|r| r.notify.iter().filter(|n| !n.ok).cloned().collect())
            .unwrap_or_default(),
        restore_test_due: restore_test_due_on(policy, inputs.inventory.last_restore_test),
    }
}

fn verdict(
    last: Option<&RunRecord>,
    judgement: &overdue::Judgement,
    policy: &Policy,
) -> (Health, Vec<String>) {
    let mut problems = Vec::new();
    let Some(last) = last else {
        problems.push("no run of `rota apply` is recorded yet".to_string());
        return (Health::NeverRun, problems);
    };
    let mut health = Health::Healthy;
    match last.outcome {
        RunOutcome::Failed => {
            health = Health::Failed;
            problems.push(last.summary(&policy.office.name));
        }
        RunOutcome::Warning => {
            health = Health::Warning;
            problems.push(last.summary(&policy.office.name));
        }
        RunOutcome::Ok => {}
    }
    if judgement.overdue {
        if matches!(health, Health::Healthy | Health::Warning) {
            health = Health::Overdue;
        }
        let missed = judgement
            .expected
            .as_ref()
            .map(|night| {
                format!(
                    "no run for {} (expected from {}, at the latest by {})",
                    night.day,
                    seconds::text(&night.opens),
                    seconds::text(&night.deadline)
                )
            })
            .unwrap_or_else(|| "no run is recorded".to_string());
        problems.push(format!("overdue: {missed}"));
    }
    (health, problems)
}

/// The plan's warnings as of now, then those of the last run that the plan
/// cannot see again (`disk-not-swapped` compares two nights).
fn warnings(plan: &Plan, last: Option<&RunRecord>) -> Vec<WarningView> {
    let mut views: Vec<WarningView> = plan
        .warnings
        .iter()
        .map(|w| WarningView {
            code: w.code.key().to_string(),
            severity: w.code.severity(),
            message: w.message.clone(),
        })
        .collect();
    for detail in last.iter().flat_map(|r| &r.warning_details) {
        if !views.iter().any(|v| v.code == detail.code.key()) {
            views.push(WarningView {
                code: detail.code.key().to_string(),
                severity: detail.code.severity(),
                message: detail.message.clone(),
            });
        }
    }
    views
}

fn disks(inventory: &Inventory, zone: Tz) -> Vec<DiskStatus> {
    let local = |t: DateTime<Utc>| t.with_timezone(&zone).fixed_offset();
    inventory
        .disks
        .iter()
        .map(|disk| DiskStatus {
            label: disk.label.clone(),
            id: disk.id.clone(),
            connected: disk.mount.is_some(),
            last_seen: disk.last_seen.map(local),
            holdings: disk.copies.len(),
            last_verified: disk.last_verified.map(local),
        })
        .collect()
}
