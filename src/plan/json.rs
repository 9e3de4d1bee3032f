//! The plan as JSON (`plan --format json`), with the stable fields of SPEC.md:
//! `schema`, `at`, `today`, `backups[]` (name, business_day, size, tiers,
//! locations, required_at), `actions[]` (id, op, backup, from, to, location,
//! bytes, reason, after), `pending[]` and `warnings[]` (code, message). More
//! fields may be added; none of these change meaning.
//!
//! [`to_json`] gives the plan in that shape (saved plans, tests); `plan
//! --format json` writes the same bytes through [`super::json_output`], which
//! writes the large lists' items by hand ([`super::json_items`]).

use serde::{Deserialize, Serialize};

use super::{Action, BackupStatus, Op, Pending, Plan, SiteSummary, Warning};
use crate::inventory::EntryKind;
use crate::policy::Tier;
use crate::retention::Reason;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsonPlan {
    pub schema: u32,
    pub office: String,
    pub timezone: String,
    pub at: String,
    pub today: String,
    pub locations: Vec<JsonLocation>,
    pub backups: Vec<JsonBackup>,
    pub actions: Vec<JsonAction>,
    pub pending: Vec<JsonPending>,
    pub warnings: Vec<JsonWarning>,
    pub summary: JsonSummary,
    pub fingerprint: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsonLocation {
    pub name: String,
    pub role: String,
    pub connected: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free: Option<u64>,
    pub reserve: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    pub copies: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsonBackup {
    pub name: String,
    pub business_day: String,
    pub size: u64,
    pub kind: EntryKind,
    /// The `retain` keys that hold it.
    pub tiers: Vec<String>,
    /// Every reason in words ("month-end 2026-03", "on hold", ...).
    pub reasons: Vec<String>,
    pub hold: bool,
    pub day_backup: bool,
    pub locations: Vec<String>,
    pub required_at: Vec<String>,
    /// Why it is required at each of `required_at`, in words.
    #[serde(default)]
    pub required_because: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonAction {
    pub id: usize,
    pub op: super::Op,
    pub backup: String,
    pub kind: EntryKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub bytes: u64,
    pub reason: String,
    pub after: Vec<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsonPending {
    pub op: super::Op,
    pub backup: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub bytes: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsonWarning {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsonSummary {
    pub copies: usize,
    pub removals: usize,
    pub archives: usize,
    pub destroys: usize,
    pub bytes_copied: u64,
    pub pending: usize,
    pub warnings: usize,
}

impl JsonAction {
    pub fn from_action(action: &Action) -> JsonAction {
        let name = |location: &Option<crate::placement::Location>| {
            location.as_ref().map(|l| l.to_string())
        };
        JsonAction {
            id: action.id,
            op: action.op,
            backup: action.backup.clone(),
            kind: action.kind,
            from: name(&action.from),
            to: name(&action.to),
            location: name(&action.location),
            bytes: action.bytes,
            reason: action.reason.clone(),
            after: action.after.clone(),
        }
    }
}

impl JsonLocation {
    pub fn from_site(site: &SiteSummary) -> JsonLocation {
        JsonLocation {
            name: site.location.to_string(),
            role: site.role.to_string(),
            connected: site.connected,
            blocked: site.blocked.clone(),
            disk_id: site.disk_id.clone(),
            path: site.mount.clone(),
            total: site.total,
            free: site.free,
            reserve: site.reserve,
            last_seen: site.last_seen.map(|t| t.to_rfc3339()),
            copies: site.copies,
        }
    }
}

impl JsonBackup {
    pub fn from_status(backup: &BackupStatus) -> JsonBackup {
        JsonBackup {
            name: backup.name.clone(),
            business_day: backup.business_day.to_string(),
            size: backup.size,
            kind: backup.kind,
            tiers: tier_keys(&backup.reasons)
                .into_iter()
                .map(String::from)
                .collect(),
            reasons: backup.reasons.iter().map(|r| r.to_string()).collect(),
            hold: backup.reasons.contains(&Reason::Hold),
            day_backup: backup.day_backup,
            locations: backup.locations.iter().map(|l| l.to_string()).collect(),
            required_at: backup.required_at.iter().map(|l| l.to_string()).collect(),
            required_because: backup.required_because.clone(),
        }
    }
}

/// The `retain` keys behind `reasons`, each once, in the tiers' order.
pub(super) fn tier_keys(reasons: &[Reason]) -> Vec<&'static str> {
    let mut tiers: Vec<Tier> = reasons.iter().filter_map(Reason::tier).collect();
    tiers.sort();
    tiers.dedup();
    tiers.into_iter().map(Tier::key).collect()
}

impl JsonPending {
    pub fn from_pending(pending: &Pending) -> JsonPending {
        JsonPending {
            op: pending.op,
            backup: pending.backup.clone(),
            to: pending.to.as_ref().map(|l| l.to_string()),
            location: pending.location.as_ref().map(|l| l.to_string()),
            bytes: pending.bytes,
            reason: pending.reason.clone(),
        }
    }
}

impl JsonWarning {
    pub fn from_warning(warning: &Warning) -> JsonWarning {
        JsonWarning {
            code: warning.code.key().to_string(),
            message: warning.message.clone(),
        }
    }
}

impl JsonSummary {
    pub fn of(plan: &Plan) -> JsonSummary {
        JsonSummary {
            copies: plan.count(Op::Copy),
            removals: plan.count(Op::Remove),
            archives: plan.count(Op::Archive),
            destroys: plan.count(Op::Destroy),
            bytes_copied: plan.bytes_copied(),
            pending: plan.pending.len(),
            warnings: plan.warnings.len(),
        }
    }
}

/// The plan in its JSON shape.
pub fn to_json(plan: &Plan) -> JsonPlan {
    JsonPlan {
        schema: SCHEMA,
        office: plan.office.clone(),
        timezone: plan.timezone.clone(),
        at: plan.at.to_rfc3339(),
        today: plan.today.to_string(),
        locations: plan.sites.iter().map(JsonLocation::from_site).collect(),
        backups: plan.backups.iter().map(JsonBackup::from_status).collect(),
        actions: plan.actions.iter().map(JsonAction::from_action).collect(),
        pending: plan.pending.iter().map(JsonPending::from_pending).collect(),
        warnings: plan
            .warnings
            .iter()
            .map(JsonWarning::from_warning)
            .collect(),
        summary: JsonSummary::of(plan),
        fingerprint: plan.fingerprint.clone(),
    }
}

pub(super) const SCHEMA: u32 = 1;
