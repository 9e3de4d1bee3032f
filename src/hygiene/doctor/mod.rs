//! `rota doctor`: the vendor guide as a checklist. Each check has a stable id
//! (kebab-case, in JSON), an optional subject (a disk label, a tier, a
//! target), a status (PASS, WARN, FAIL), the evidence it is based on and, when
//! it is not a pass, what to do.
//!
//! Pure: a function of the policy, the scanned inventory, the plan made from
//! them, the restore-test log, the instant, and what the CLI found out about
//! the machine (rclone, when each remote was last checked). It never reads
//! the clock or the filesystem; the CLI gathers those.

mod access;
mod backups;
mod changes;
mod contingency;
mod disks;
mod holidays;
mod media;
mod safety;
mod server;
mod space;
pub mod text;
mod uploads;

pub use contingency::ContingencyFacts;
pub use media::VolumeFacts;
pub use server::ServerFacts;
pub use uploads::UploadFacts;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::inventory::Inventory;
use crate::inventory::restore_log::RestoreRecord;
use crate::plan::{Plan, Severity, WarningCode};
use crate::policy::Policy;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    /// The machine's tools could not tell (the action says how to check by hand).
    Unknown,
    /// Nothing to judge yet, said so a person knows what to expect (a disk
    /// whose first night has not come): never a failure.
    Info,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
            Status::Unknown => "UNKNOWN",
            Status::Info => "INFO",
        }
    }
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable, kebab-case: `daily-backups`, `disk-recent`, ...
    pub id: &'static str,
    /// What the check is about when it is one of several (a disk label, a
    /// tier key, an off-site target, `server`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub status: Status,
    /// The check in a few words ("Disk MON seen recently").
    pub title: String,
    /// What rota found.
    pub evidence: String,
    /// What to do about it (absent on a pass).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

impl From<Severity> for Status {
    /// A check that finds what a warning code says has the status the code's
    /// severity gives: the one scale the night's outcome, the notifications
    /// and `status` follow too.
    fn from(severity: Severity) -> Status {
        match severity {
            Severity::Failure => Status::Fail,
            Severity::Attention | Severity::Advisory => Status::Warn,
        }
    }
}

impl Check {
    fn titled(id: &'static str, title: impl Into<String>) -> CheckBuilder {
        CheckBuilder {
            id,
            subject: None,
            title: title.into(),
            code: None,
        }
    }

    /// A check of what warning `code` tells: its id is the code's key, and
    /// what it finds wrong ([`CheckBuilder::problem`]) is as bad as the code.
    fn of_code(code: WarningCode, title: impl Into<String>) -> CheckBuilder {
        CheckBuilder {
            code: Some(code),
            ..Check::titled(code.key(), title)
        }
    }
}

/// A check's identity, waiting for its verdict.
struct CheckBuilder {
    id: &'static str,
    subject: Option<String>,
    title: String,
    /// The warning code the check stands for, if any.
    code: Option<WarningCode>,
}

impl CheckBuilder {
    fn about(mut self, subject: impl Into<String>) -> CheckBuilder {
        self.subject = Some(subject.into());
        self
    }

    fn pass(self, evidence: impl Into<String>) -> Check {
        self.verdict(Status::Pass, evidence.into(), None)
    }

    fn warn(self, evidence: impl Into<String>, action: impl Into<String>) -> Check {
        self.verdict(Status::Warn, evidence.into(), Some(action.into()))
    }

    fn fail(self, evidence: impl Into<String>, action: impl Into<String>) -> Check {
        self.verdict(Status::Fail, evidence.into(), Some(action.into()))
    }

    /// What a check of a warning code found wrong, with the code's severity.
    fn problem(self, evidence: impl Into<String>, action: impl Into<String>) -> Check {
        let status = self
            .code
            .map_or(Status::Warn, |code| Status::from(code.severity()));
        self.verdict(status, evidence.into(), Some(action.into()))
    }

    fn info(self, evidence: impl Into<String>) -> Check {
        self.verdict(Status::Info, evidence.into(), None)
    }

    fn verdict(self, status: Status, evidence: String, action: Option<String>) -> Check {
        Check {
            id: self.id,
            subject: self.subject,
            status,
            title: self.title,
            evidence,
            action,
        }
    }
}

/// What the doctor looks at.
pub struct Patient<'a> {
    pub policy: &'a Policy,
    pub inventory: &'a Inventory,
    /// The plan for tonight, made from the same inventory.
    pub plan: &'a Plan,
    /// Every restore test recorded, oldest first.
    pub restore_tests: &'a [RestoreRecord],
    pub at: DateTime<Tz>,
    /// How to name the policy file in suggested commands.
    pub policy_arg: &'a str,
    /// This machine's facts about each off-site target that uploads.
    pub uploads: &'a [UploadFacts],
    /// What the system's tools said about each connected disk's volume.
    pub volumes: &'a [VolumeFacts],
    /// What the system's tools said about the server (FileVault, Time
    /// Machine); `None`: not asked (those checks are left out).
    pub server: Option<&'a ServerFacts>,
    /// The saved contingency plan against the policy; `None`: not asked
    /// (those checks are left out).
    pub contingency: Option<&'a ContingencyFacts>,
    /// The business day of the first `apply` that carried out its plan
    /// (`state_dir/runs.jsonl`); `None`: none is recorded.
    pub first_run: Option<NaiveDate>,
}

impl Patient<'_> {
    fn today(&self) -> NaiveDate {
        self.plan.today
    }

    /// The office business day of an instant.
    fn business_day(&self, instant: DateTime<Utc>) -> Option<NaiveDate> {
        self.policy.office.calendar.today(&instant)
    }

    /// rota's first night for this office: its first recorded `apply`, or
    /// the oldest copy rota wrote to a disk, whichever came first (`None`:
    /// rota has not run yet). Nights before it are not rota's: a disk whose
    /// night has not come since is not late, and it holds nothing yet.
    fn first_night(&self) -> Option<NaiveDate> {
        let oldest_copy = self
            .inventory
            .disks
            .iter()
            .flat_map(|disk| disk.copies.values())
            .filter(|copy| copy.is_verified())
            .map(|copy| copy.copied_at)
            .min()
            .and_then(|at| self.business_day(at));
        [self.first_run, oldest_copy].into_iter().flatten().min()
    }
}

/// The whole checklist.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: u32,
    pub office: String,
    pub at: String,
    pub timezone: String,
    pub today: NaiveDate,
    pub checks: Vec<Check>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub unknown: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub info: usize,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

impl Report {
    /// Whether any check failed (the command then exits 1).
    pub fn failed(&self) -> bool {
        self.summary.fail > 0
    }
}

/// Runs every check, in the order of the vendor guide.
pub fn examine(patient: &Patient) -> Report {
    let mut checks = vec![
        backups::daily_backups(patient),
        backups::newest_on_disk(patient),
        changes::backups_unchanged(patient),
        changes::deletions_allowed(patient),
    ];
    checks.extend(disks::disk_checks(patient));
    checks.extend(backups::retention_tiers(patient));
    checks.extend(safety::offsite_recent(patient));
    checks.extend(uploads::uploads_waiting(patient));
    checks.extend(uploads::upload_machinery(patient));
    checks.extend(space::free_space(patient));
    checks.push(safety::restore_test(patient));
    checks.extend(holidays::holidays(patient));
    checks.extend(contingency::contingency_checks(patient));
    checks.extend(safety::encryption(patient));
    checks.push(media::media_encryption(patient));
    checks.extend(media::volume_checks(patient));
    checks.extend(server::server_checks(patient));
    checks.push(disks::network_volumes(patient));
    checks.extend(access::access_checks(patient));
    let mut summary = Summary::default();
    for check in &checks {
        match check.status {
            Status::Pass => summary.pass += 1,
            Status::Warn => summary.warn += 1,
            Status::Fail => summary.fail += 1,
            Status::Unknown => summary.unknown += 1,
            Status::Info => summary.info += 1,
        }
    }
    Report {
        schema: 1,
        office: patient.policy.office.name.clone(),
        at: patient
            .at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        timezone: patient.policy.office.calendar.timezone.name().to_string(),
        today: patient.today(),
        checks,
        summary,
    }
}

/// "Monday 2026-03-30".
fn day_words(date: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{} {date}", crate::calendar::full_weekday(date.weekday()))
}

/// "3 days ago", "today", "yesterday".
fn ago(from: NaiveDate, today: NaiveDate) -> String {
    match (today - from).num_days() {
        0 => String::from("today"),
        1 => String::from("yesterday"),
        n if n < 0 => String::from("in the future"),
        n => format!("{n} days ago"),
    }
}

/// At most `limit` items joined, then "and N more".
fn list_some(items: &[String], limit: usize) -> String {
    if items.len() <= limit {
        return items.join(", ");
    }
    format!(
        "{} and {} more",
        items[..limit].join(", "),
        items.len() - limit
    )
}

#[cfg(test)]
mod tests;
