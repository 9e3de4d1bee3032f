//! The office's written backup contingency plan (`rota contingency`): the
//! data backup plan, the disaster recovery plan with this office's exact
//! restore commands, the emergency mode operation plan, testing and
//! revision, the criticality analysis, and the device and media controls
//! (HIPAA 45 CFR 164.308(a)(7) and 164.310(d)), made from the policy and
//! rota's own records: the restore-test log, the audit log and the media log,
//! and the disks as scanned or last seen.
//!
//! Pure: a function of the policy, the inventory, those records and the
//! instant; it reads no file and no clock. What the policy cannot say
//! (`contingency:`) prints as blanks to fill in. Saving each changed
//! version is [`versions`]' job; rendering is [`text`], [`markdown`] and
//! [`html`]'s.

mod backup_plan;
mod criticality;
pub mod document;
mod emergency;
pub mod html;
pub mod markdown;
mod media_controls;
mod recovery;
mod steps;
mod testing;
pub mod text;
pub mod versions;
mod words;

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};

pub use document::{Block, ContingencyPlan, Fact, Revision, Section, Step, Value};

use crate::execute::audit::AuditRecord;
use crate::inventory::Inventory;
use crate::inventory::media_log::MediaRecord;
use crate::inventory::restore_log::RestoreRecord;
use crate::policy::Policy;

/// What the plan is made from.
pub struct Evidence<'a> {
    pub policy: &'a Policy,
    /// The policy file as the plan's commands name it (absolute, quoted for
    /// a shell where needed).
    pub policy_arg: &'a str,
    pub inventory: &'a Inventory,
    pub restores: &'a [RestoreRecord],
    pub audit: &'a [AuditRecord],
    pub media: &'a [MediaRecord],
    /// When the plan is made (`--at`, else the clock).
    pub at: DateTime<Utc>,
}

impl Evidence<'_> {
    /// The office's working date of the instant the plan is made for.
    fn today(&self) -> NaiveDate {
        let calendar = &self.policy.office.calendar;
        calendar.working_date(calendar.local_time(&self.at))
    }
}

/// What the plan says it covers, and what it does not.
const SCOPE: [&str; 2] = [
    "This plan covers the backup parts of the practice's contingency plan (the data backup plan, \
     the disaster recovery plan and the emergency mode operation plan for the practice's data, \
     their testing and revision, and the criticality analysis) and the device and media controls \
     for the backup disks, as the HIPAA Security Rule asks (45 CFR 164.308(a)(7) and 164.310(d)). \
     rota wrote it from the backup policy it runs every night and from its own records.",
    "It does not cover the practice's risk analysis and risk management, its other administrative, \
     physical and technical safeguards, or the backup of systems other than the practice database \
     (listed in section 5 only to rank them). Keep it with those documents. HIPAA documentation is \
     kept for six years (45 CFR 164.316(b)(2)).",
];

/// Builds the plan (with no revision list: [`versions`] adds it).
pub fn build(evidence: &Evidence) -> ContingencyPlan {
    let policy = evidence.policy;
    let local = policy
        .office
        .calendar
        .timezone
        .from_utc_datetime(&evidence.at.naive_utc());
    ContingencyPlan {
        office: policy.office.name.clone(),
        made: local.format("%Y-%m-%d %H:%M %Z").to_string(),
        policy_file: evidence.policy_arg.to_string(),
        rota_version: env!("CARGO_PKG_VERSION").to_string(),
        scope: SCOPE.iter().map(|line| line.to_string()).collect(),
        sections: vec![
            backup_plan::section(evidence),
            recovery::section(evidence),
            emergency::section(evidence),
            testing::section(evidence),
            criticality::section(evidence),
            media_controls::section(evidence),
        ],
        revisions: Vec::new(),
        earlier_revisions: 0,
        signoff: [
            "Prepared by",
            "Approved by (practice owner or security officer)",
            "Date",
        ]
        .map(String::from)
        .to_vec(),
    }
}

/// The plan as the policy alone writes it: no disk seen, no record kept.
/// Whatever changes it changed the policy's part of the plan.
pub fn outline(policy: &Policy, policy_arg: &str) -> ContingencyPlan {
    build(&Evidence {
        policy,
        policy_arg,
        inventory: &Inventory::default(),
        restores: &[],
        audit: &[],
        media: &[],
        at: DateTime::<Utc>::UNIX_EPOCH,
    })
}

/// The hash of the policy's part of the plan: a saved plan whose digest
/// differs was written from a policy that said something else
/// (`rota doctor`: `contingency-outdated`).
pub fn policy_digest(policy: &Policy, policy_arg: &str) -> String {
    outline(policy, policy_arg).content_hash()
}

/// The policy keys the plan prints as blanks (`rota doctor`:
/// `contingency-incomplete`).
pub fn blank_keys(policy: &Policy, policy_arg: &str) -> Vec<String> {
    outline(policy, policy_arg).blank_keys()
}

#[cfg(test)]
mod tests;
