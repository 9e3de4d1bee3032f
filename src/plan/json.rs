//! The plan as JSON (`plan --format json`), with the stable fields the README documents:
//! `schema`, `at`, `today`, `backups[]` (name, business_day, size, tiers,
//! locations, required_at), `actions[]` (id, op, backup, from, to, location,
//! bytes, reason, after, and `last_copy: true` on a deletion after which the
//! backup is nowhere), `pending[]`, `warnings[]` (code, severity, message) and
//! `deletions_stopped[]` (code, reason, to_clear). More
//! fields may be added; none of these change meaning.
//!
//! [`to_json`] gives the plan in that shape (saved plans, tests); `plan
//! --format json` writes the same bytes with [`write_plan`], which renders the
//! two large lists (100,000s of backups and actions on a large office) in
//! chunks on every core, never holding them whole.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::io::{self, Write};

use rayon::prelude::*;
use serde::{Deserialize, Serialize, Serializer};

use super::{Action, BackupStatus, Op, Pending, Plan, SiteSummary, Warning};
use crate::inventory::EntryKind;
use crate::placement::Location;
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
    /// Why no deletion is planned tonight (the deletion gate, safety
    /// invariant 13): each closure's `code`, `reason` and `to_clear`.
    #[serde(default)]
    pub deletions_stopped: Vec<JsonClosure>,
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
    /// A deletion that leaves the backup with no copy anywhere.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub last_copy: bool,
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
    /// `failure`, `attention` or `advisory` (see [`crate::plan::code`]).
    #[serde(default)]
    pub severity: String,
    pub message: String,
}

/// One condition holding the deletion gate closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonClosure {
    pub code: String,
    pub reason: String,
    pub to_clear: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsonSummary {
    /// `source.capture` exports captured tonight (absent when none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub captures: usize,
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
            last_copy: action.last_copy,
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
            severity: warning.code.severity().key().to_string(),
            message: warning.message.clone(),
        }
    }
}

impl JsonSummary {
    pub fn of(plan: &Plan) -> JsonSummary {
        JsonSummary {
            captures: plan.count(Op::Capture),
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

fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// The plan in its JSON shape.
pub fn to_json(plan: &Plan) -> JsonPlan {
    JsonPlan {
        backups: plan.backups.iter().map(JsonBackup::from_status).collect(),
        actions: plan.actions.iter().map(JsonAction::from_action).collect(),
        ..frame(plan)
    }
}

/// The plan in its JSON shape but for the two large lists, left empty.
fn frame(plan: &Plan) -> JsonPlan {
    JsonPlan {
        schema: SCHEMA,
        office: plan.office.clone(),
        timezone: plan.timezone.clone(),
        at: plan.at.to_rfc3339(),
        today: plan.today.to_string(),
        locations: plan.sites.iter().map(JsonLocation::from_site).collect(),
        backups: Vec::new(),
        actions: Vec::new(),
        pending: plan.pending.iter().map(JsonPending::from_pending).collect(),
        warnings: plan
            .warnings
            .iter()
            .map(JsonWarning::from_warning)
            .collect(),
        deletions_stopped: plan
            .deletions_stopped
            .iter()
            .map(|closure| JsonClosure {
                code: closure.code.key().to_string(),
                reason: closure.reason.clone(),
                to_clear: closure.to_clear.clone(),
            })
            .collect(),
        summary: JsonSummary::of(plan),
        fingerprint: plan.inventory_hash.clone(),
    }
}

pub(super) const SCHEMA: u32 = 1;

/// Items of a large list rendered by one task.
const CHUNK: usize = 256;

/// Chunks rendered in parallel before they are written in order: bounds the
/// rendered JSON held at once to a few megabytes.
const BATCH: usize = 32;

/// Writes `plan` as pretty JSON followed by a newline: the bytes of
/// `serde_json::to_writer_pretty(to_json(plan))`, with the two large lists
/// rendered by serde_json in chunks on every core (rayon).
pub fn write_plan(plan: &Plan, out: &mut impl Write) -> io::Result<()> {
    write_plan_with(plan, out, CHUNK)
}

fn write_plan_with(plan: &Plan, out: &mut impl Write, chunk: usize) -> io::Result<()> {
    // serde_json writes the plan with both large lists empty; each is written
    // where its `[]` is.
    let frame = serde_json::to_string_pretty(&frame(plan))?;
    let (head, rest) = around_empty_list(&frame, "backups");
    let (middle, tail) = around_empty_list(rest, "actions");
    out.write_all(head.as_bytes())?;
    write_list(out, &plan.backups, BackupItem::of, chunk)?;
    out.write_all(middle.as_bytes())?;
    write_list(out, &plan.actions, ActionItem::of, chunk)?;
    out.write_all(tail.as_bytes())?;
    out.write_all(b"\n")
}

/// `frame` cut around the `[]` of the top-level field `key`. A top-level
/// field is the only line that starts with exactly two spaces and a quote
/// (deeper ones have more; a JSON string never holds a raw newline).
fn around_empty_list<'f>(frame: &'f str, key: &str) -> (&'f str, &'f str) {
    let field = format!("\n  \"{key}\": []");
    let at = frame
        .find(&field)
        .expect("serde_json writes every field of a JsonPlan");
    let list = at + field.len() - "[]".len();
    (&frame[..list], &frame[list + "[]".len()..])
}

/// A top-level field's list: its `items` seen through `json` and rendered in
/// chunks in parallel, written in order.
fn write_list<'a, T: Sync, J: Serialize>(
    out: &mut impl Write,
    items: &'a [T],
    json: fn(&'a T) -> J,
    chunk: usize,
) -> io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    let chunks: Vec<&[T]> = items.chunks(chunk.max(1)).collect();
    for (batch, chunks) in chunks.chunks(BATCH).enumerate() {
        let rendered: Vec<io::Result<Vec<u8>>> = chunks
            .par_iter()
            .map(|items| list_items(items, json))
            .collect();
        for (index, bytes) in rendered.into_iter().enumerate() {
            if batch > 0 || index > 0 {
                out.write_all(b",")?;
            }
            out.write_all(&bytes?)?;
        }
    }
    out.write_all(b"\n  ]")
}

/// `items` as serde_json writes them in a list that is a top-level field:
/// rendered as `{"list": [...]}` and cut out of it, so that each line has its
/// final indentation. Begins with the newline before the first item.
fn list_items<'a, T, J: Serialize>(items: &'a [T], json: fn(&'a T) -> J) -> io::Result<Vec<u8>> {
    const HEAD: &[u8] = b"{\n  \"list\": [";
    const TAIL: &[u8] = b"\n  ]\n}";
    let list: Vec<J> = items.iter().map(json).collect();
    let mut rendered = serde_json::to_vec_pretty(&BTreeMap::from([("list", list)]))?;
    debug_assert!(rendered.starts_with(HEAD) && rendered.ends_with(TAIL));
    rendered.truncate(rendered.len() - TAIL.len());
    rendered.drain(..HEAD.len());
    Ok(rendered)
}

/// [`JsonBackup`] borrowing from the plan (the same fields in the same order;
/// `assert_same_as_serde` holds them together): no string is copied, which
/// matters at 100,000s of items.
#[derive(Serialize)]
struct BackupItem<'a> {
    name: &'a str,
    #[serde(serialize_with = "displayed")]
    business_day: &'a chrono::NaiveDate,
    size: u64,
    kind: EntryKind,
    tiers: Vec<&'static str>,
    #[serde(serialize_with = "each_displayed")]
    reasons: &'a [Reason],
    hold: bool,
    day_backup: bool,
    #[serde(serialize_with = "each_displayed")]
    locations: &'a [Location],
    #[serde(serialize_with = "each_displayed")]
    required_at: &'a [Location],
    required_because: &'a [String],
}

impl<'a> BackupItem<'a> {
    fn of(backup: &'a BackupStatus) -> BackupItem<'a> {
        BackupItem {
            name: &backup.name,
            business_day: &backup.business_day,
            size: backup.size,
            kind: backup.kind,
            tiers: tier_keys(&backup.reasons),
            reasons: &backup.reasons,
            hold: backup.reasons.contains(&Reason::Hold),
            day_backup: backup.day_backup,
            locations: &backup.locations,
            required_at: &backup.required_at,
            required_because: &backup.required_because,
        }
    }
}

/// [`JsonAction`] borrowing from the plan.
#[derive(Serialize)]
struct ActionItem<'a> {
    id: usize,
    op: Op,
    backup: &'a str,
    kind: EntryKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    bytes: u64,
    reason: &'a str,
    after: &'a [usize],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    last_copy: bool,
}

impl<'a> ActionItem<'a> {
    fn of(action: &'a Action) -> ActionItem<'a> {
        let name = |location: &'a Option<Location>| location.as_ref().map(Location::name);
        ActionItem {
            id: action.id,
            op: action.op,
            backup: &action.backup,
            kind: action.kind,
            from: name(&action.from),
            to: name(&action.to),
            location: name(&action.location),
            bytes: action.bytes,
            reason: &action.reason,
            after: &action.after,
            last_copy: action.last_copy,
        }
    }
}

/// A value as the JSON string of its `Display` (what `to_string()` gives).
fn displayed<S: Serializer>(value: &impl Display, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// Values, each as the JSON string of its `Display`.
fn each_displayed<S: Serializer, T: Display>(
    items: &&[T],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    struct Shown<'a, T>(&'a T);
    impl<T: Display> Serialize for Shown<'_, T> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_str(self.0)
        }
    }
    serializer.collect_seq(items.iter().map(Shown))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Asserts that `write_plan` writes exactly what serde_json writes for the
    /// whole [`JsonPlan`], whatever the chunk size.
    pub(crate) fn assert_same_as_serde(plan: &Plan) {
        let expected = serde_json::to_string_pretty(&to_json(plan)).unwrap() + "\n";
        // Chunks of one item, boundaries in the middle, everything in one chunk.
        for chunk in [1, 2, 3, CHUNK] {
            let mut written = Vec::new();
            write_plan_with(plan, &mut written, chunk).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                expected,
                "chunks of {chunk}"
            );
        }
    }

    #[test]
    fn an_empty_plan_is_written_as_serde_writes_it() {
        let policy = crate::plan::tests::vendor_policy();
        let day = crate::test_support::date("2026-03-18");
        let at = crate::plan::tests::local(&policy, day, "23:55");
        let plan = crate::plan::make_plan(&policy, &crate::inventory::Inventory::default(), at);
        assert!(plan.backups.is_empty() && plan.actions.is_empty());
        assert_same_as_serde(&plan);
    }
}
