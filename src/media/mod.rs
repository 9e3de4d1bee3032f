//! The media record an office shows an auditor (`rota report`): for a period,
//! each disk's movements and who was responsible for it, the copies written
//! and verified on it, every deletion and destruction (from the audit log),
//! every restore (an access to patient data), the restore tests, the runs
//! and every open day without a successful run.
//!
//! It states only what rota's records show: where a disk went after it left
//! the server is what the policy expects, and is said so; a day rota has no
//! record of is a missed night, never a good one.
//!
//! Pure: a function of the policy, the scanned inventory (connected disks and
//! the catalog's absent ones), the media log, the run records, the audit log
//! (deletions and restores), the restore-test log and the period. Rendered as
//! text, CSV or HTML (`templates/report.html`).

pub mod access;
pub mod csv;
pub mod html;
pub mod movements;
pub mod nights;
pub mod text;

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::execute::audit::AuditRecord;
use crate::inventory::label::short_id;
use crate::inventory::media_log::MediaRecord;
use crate::inventory::restore_log::RestoreRecord;
use crate::inventory::{DiskView, Inventory};
use crate::nightly::RunRecord;
use crate::policy::Policy;
use crate::recovery::access_log::RestoreAccess;
use crate::words::format::bytes;
pub use access::RestoreRow;
use movements::{Move, local, movements};
pub use nights::{FailedNight, RunLine};

/// What the report is made from.
pub struct Evidence<'a> {
    pub policy: &'a Policy,
    pub inventory: &'a Inventory,
    pub media: &'a [MediaRecord],
    pub audit: &'a [AuditRecord],
    /// The restore tests (`state_dir/restore-tests.jsonl`).
    pub restores: &'a [RestoreRecord],
    /// Every `rota restore`, from the audit log.
    pub accesses: &'a [RestoreAccess],
    /// The apply runs (`state_dir/runs.jsonl`).
    pub runs: &'a [RunRecord],
    /// The period, office dates, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// When the report is made (`--at`, else the clock).
    pub at: DateTime<Utc>,
}

/// The report, ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct MediaReport {
    pub office: String,
    pub timezone: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub made: String,
    pub custodian: String,
    pub storage: String,
    pub encryption: String,
    /// Whether anything encrypts the copies on the disks.
    pub encrypted: bool,
    pub disks: Vec<DiskLine>,
    pub movements: Vec<MovementLine>,
    pub copies: Vec<CopyLine>,
    pub deletions: Vec<DeletionLine>,
    pub restores: Vec<RestoreRow>,
    pub restore_tests: Vec<RestoreLine>,
    pub runs: Vec<RunLine>,
    pub failed_nights: Vec<FailedNight>,
    /// What to say when no night failed (true to the period judged).
    pub no_failed_nights: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiskLine {
    pub label: String,
    pub id: String,
    pub role: String,
    pub state: String,
    pub last_seen: String,
    pub copies: usize,
    pub written: usize,
    pub verified: usize,
    pub custodian: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MovementLine {
    pub date: NaiveDate,
    pub time: String,
    pub label: String,
    pub id: String,
    pub event: Move,
    pub words: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CopyLine {
    pub date: NaiveDate,
    pub label: String,
    pub backup: String,
    pub size: String,
    pub hash: String,
    pub verified: String,
    pub encrypted: bool,
    /// The disk by id (a retired disk's label may be reused) and when the
    /// copy was last verified: for the disks' counts, not printed.
    #[serde(skip)]
    disk_id: String,
    #[serde(skip)]
    verified_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeletionLine {
    pub date: NaiveDate,
    pub time: String,
    pub op: &'static str,
    pub backup: String,
    pub location: String,
    pub size: String,
    pub hash: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RestoreLine {
    pub date: NaiveDate,
    pub backup: String,
    pub from: String,
    pub ok: bool,
    pub detail: String,
}

impl Evidence<'_> {
    fn date_of(&self, at: DateTime<Utc>) -> NaiveDate {
        local(self.policy, at).date_naive()
    }

    fn in_period(&self, at: DateTime<Utc>) -> bool {
        let date = self.date_of(at);
        self.from <= date && date <= self.to
    }

    fn time_of(&self, at: DateTime<Utc>) -> String {
        local(self.policy, at).format("%H:%M").to_string()
    }
}

/// Builds the report.
pub fn build(evidence: &Evidence) -> MediaReport {
    let policy = evidence.policy;
    let copies = copy_lines(evidence);
    let movements = movement_lines(evidence);
    MediaReport {
        office: policy.office.name.clone(),
        timezone: policy.office.calendar.timezone.name().to_string(),
        from: evidence.from,
        to: evidence.to,
        made: local(policy, evidence.at)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string(),
        custodian: policy
            .disks
            .custodian()
            .unwrap_or("not named (set disks.custodian)")
            .to_string(),
        storage: policy
            .disks
            .storage
            .clone()
            .unwrap_or_else(|| String::from("not named (set disks.storage)")),
        encryption: encryption_words(policy),
        encrypted: crate::plan::disks_protected(policy),
        disks: disk_lines(evidence, &copies),
        movements,
        copies,
        deletions: deletion_lines(evidence),
        restore_tests: evidence
            .restores
            .iter()
            .filter(|r| evidence.from <= r.date && r.date <= evidence.to)
            .map(|r| RestoreLine {
                date: r.date,
                backup: r.backup.clone(),
                from: r.from.clone(),
                ok: r.ok,
                detail: r.detail.clone(),
            })
            .collect(),
        restores: access::restore_rows(evidence),
        runs: nights::run_lines(evidence),
        failed_nights: nights::failed_nights(evidence),
        no_failed_nights: nights::none_failed_words(evidence),
    }
}

/// How the copies on the disks are protected, in a sentence.
pub fn encryption_words(policy: &Policy) -> String {
    let media = &policy.disks.media;
    if media.encrypt.is_some() {
        String::from("every disk copy is encrypted by rota with age (disks.encrypt)")
    } else if media.require_encrypted_volume {
        String::from("rota writes only to encrypted volumes (disks.require_encrypted_volume)")
    } else if policy.source.encrypted == Some(true) {
        String::from("the practice software encrypts its backups (source.encrypted)")
    } else {
        String::from("NOT ENCRYPTED: nothing encrypts the copies on the disks (unencrypted-media)")
    }
}

fn movement_lines(evidence: &Evidence) -> Vec<MovementLine> {
    movements(evidence.policy, evidence.media)
        .into_iter()
        .filter(|m| evidence.in_period(m.at))
        .map(|m| MovementLine {
            date: evidence.date_of(m.at),
            time: evidence.time_of(m.at),
            label: m.label,
            id: short_id(&m.id).to_string(),
            event: m.what,
            words: m.what.words(),
            detail: m.detail,
        })
        .collect()
}

/// Copies written in the period: those on record now (on connected disks,
/// or as the catalog last saw an absent one) and those `apply` noted in the
/// media log when it wrote them, though pruned or retired since. A copy on
/// record now is shown as recorded now (its latest verification).
fn copy_lines(evidence: &Evidence) -> Vec<CopyLine> {
    let on_record = evidence.inventory.disks.iter().flat_map(|disk| {
        disk.copies
            .values()
            .map(move |copy| (disk.label.as_str(), disk.id.as_str(), copy))
    });
    let noted = evidence
        .media
        .iter()
        .flat_map(|record| &record.written)
        .map(|written| (written.label.as_str(), written.id.as_str(), &written.copy));
    let mut seen = BTreeSet::new();
    let mut lines: Vec<CopyLine> = on_record
        .chain(noted)
        .filter(|(_, _, copy)| evidence.in_period(copy.copied_at))
        .filter(|(_, id, copy)| seen.insert((*id, copy.name.as_str(), copy.hash.as_str())))
        .map(|(label, id, copy)| CopyLine {
            date: evidence.date_of(copy.copied_at),
            label: label.to_string(),
            backup: copy.name.clone(),
            size: bytes(copy.size),
            hash: short_hash(&copy.hash),
            verified: copy
                .verified_at
                .map(|at| evidence.date_of(at).to_string())
                .unwrap_or_else(|| String::from("not verified")),
            encrypted: copy.ciphertext_hash.is_some(),
            disk_id: id.to_string(),
            verified_at: copy.verified_at,
        })
        .collect();
    lines.sort_by(|a, b| (a.date, &a.label, &a.backup).cmp(&(b.date, &b.label, &b.backup)));
    lines
}

/// Copies on `disk` verified in the period: those on it now, and those
/// written and verified in the period though pruned from it since (their
/// verification was at the write, inside the period).
fn verified_in_period(evidence: &Evidence, disk: &DiskView, copies: &[CopyLine]) -> usize {
    let on_it_now = disk
        .copies
        .values()
        .filter(|c| c.verified_at.is_some_and(|at| evidence.in_period(at)))
        .count();
    let gone_since = written_to(&disk.id, copies)
        .filter(|c| !disk.copies.contains_key(&c.backup) && c.verified_at.is_some())
        .count();
    on_it_now + gone_since
}

/// The copies written in the period to the disk with id `disk_id`.
fn written_to<'a>(disk_id: &'a str, copies: &'a [CopyLine]) -> impl Iterator<Item = &'a CopyLine> {
    copies.iter().filter(move |c| c.disk_id == disk_id)
}

fn disk_lines(evidence: &Evidence, copies: &[CopyLine]) -> Vec<DiskLine> {
    let policy = evidence.policy;
    let retired = retired_ids(evidence.media);
    let custodian = policy.disks.custodian().unwrap_or("").to_string();
    let mut lines = Vec::new();
    for label in policy.disks.labels() {
        let views: Vec<_> = evidence.inventory.disk(label).collect();
        // A retired disk is no longer scanned nor in the catalog's absent
        // disks: the media log remembers it.
        // It was last seen when it was retired.
        let retirements = evidence
            .media
            .iter()
            .filter_map(|record| Some((record.at, record.retired.as_ref()?)));
        for (at, retired) in retirements {
            if retired.label == label && views.iter().all(|v| v.id != retired.id) {
                lines.push(DiskLine {
                    label: label.to_string(),
                    id: short_id(&retired.id).to_string(),
                    role: role(policy, label),
                    state: String::from("retired"),
                    last_seen: local(policy, at).format("%Y-%m-%d %H:%M").to_string(),
                    copies: 0,
                    written: written_to(&retired.id, copies).count(),
                    verified: written_to(&retired.id, copies)
                        .filter(|c| c.verified_at.is_some())
                        .count(),
                    custodian: custodian.clone(),
                });
            }
        }
        if views.is_empty() && lines.last().is_none_or(|line| line.label != label) {
            lines.push(DiskLine {
                label: label.to_string(),
                id: String::new(),
                role: role(policy, label),
                state: String::from("never seen"),
                last_seen: String::new(),
                copies: 0,
                written: 0,
                verified: 0,
                custodian: custodian.clone(),
            });
        }
        for disk in views {
            let state = if retired.contains(&disk.id) {
                "retired"
            } else if disk.is_connected() {
                "at the server"
            } else {
                "away from the server"
            };
            lines.push(DiskLine {
                label: disk.label.clone(),
                id: short_id(&disk.id).to_string(),
                role: role(policy, label),
                state: state.to_string(),
                last_seen: disk
                    .last_seen
                    .map(|at| local(policy, at).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                copies: disk.copies.len(),
                written: written_to(&disk.id, copies).count(),
                verified: verified_in_period(evidence, disk, copies),
                custodian: custodian.clone(),
            });
        }
    }
    lines
}

fn role(policy: &Policy, label: &str) -> String {
    if policy.disks.is_archive(label) {
        String::from("archive")
    } else {
        let days: Vec<String> = policy
            .disks
            .rotation
            .iter()
            .filter(|d| d.label == label)
            .flat_map(|d| {
                d.days
                    .iter()
                    .map(|day| crate::calendar::full_weekday(*day).to_string())
            })
            .collect();
        format!("rotation ({})", days.join(", "))
    }
}

/// Ids of the disks `rota disk retire` took out of the rotation.
pub fn retired_ids(media: &[MediaRecord]) -> Vec<String> {
    media
        .iter()
        .filter_map(|record| record.retired.as_ref().map(|r| r.id.clone()))
        .collect()
}

fn deletion_lines(evidence: &Evidence) -> Vec<DeletionLine> {
    let mut lines: Vec<(DateTime<Utc>, DeletionLine)> = evidence
        .audit
        .iter()
        .map(|record| (audit_instant(record), record))
        .filter(|(at, _)| evidence.in_period(*at))
        .map(|(at, record)| {
            let location = match &record.archived_to {
                Some(to) => format!("{} → {to}", record.location),
                None => record.location.clone(),
            };
            (
                at,
                DeletionLine {
                    date: evidence.date_of(at),
                    time: evidence.time_of(at),
                    op: record.op.key(),
                    backup: record.backup.clone(),
                    location,
                    size: bytes(record.size),
                    hash: record.hash.as_deref().map(short_hash).unwrap_or_default(),
                    reason: record.reason.clone(),
                },
            )
        })
        .collect();
    lines.sort_by_key(|(at, _)| *at);
    lines.into_iter().map(|(_, line)| line).collect()
}

/// The instant a deletion belongs to: its plan's (`--at`), so a report over a
/// simulated or replayed month is reproducible; else when it was done.
fn audit_instant(record: &AuditRecord) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&record.plan_at)
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or(record.when)
}

fn short_hash(hash: &str) -> String {
    hash.get(..12).unwrap_or(hash).to_string()
}
