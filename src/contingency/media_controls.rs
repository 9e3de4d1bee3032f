//! Section 6, device and media controls (45 CFR 164.310(d)): every disk
//! (label, id, role, first and last on record, where it is, custodian), a
//! summary of the movement record, the re-use and disposal procedures with
//! their commands, the disposal records from the audit and media logs, and
//! data backup before equipment moves. Pure: a function of the policy, the
//! inventory (connected disks and the catalog's absent ones), the media log
//! and the audit log.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::Evidence;
use super::document::{Block, Section, Step, Value};
use super::words::office_date;
use crate::execute::audit::AuditRecord;
use crate::inventory::DiskView;
use crate::inventory::label::short_id;
use crate::media::movements::{Move, Movement, movements};
use crate::media::retired_ids;
use crate::plan::Op;
use crate::policy::Policy;
use crate::render::policy_summary::day_list;
use crate::words::format::plural;

/// How many disposal records the plan lists (the rest are counted).
const DISPOSALS_SHOWN: usize = 10;

pub fn section(evidence: &Evidence) -> Section {
    let policy = evidence.policy;
    let moves = movements(policy, evidence.media);
    let blocks = vec![
        Block::heading("Accountability: every disk"),
        Block::facts([
            (
                "Custodian of the disks",
                Value::or_blank(
                    policy.disks.custodian().map(str::to_string),
                    "disks.custodian",
                ),
            ),
            (
                "Where they are kept",
                Value::or_blank(policy.disks.storage.clone(), "disks.storage"),
            ),
        ]),
        disk_table(evidence, &moves),
        Block::heading("Movements"),
        Block::paragraph(movement_words(evidence, &moves)),
        movement_table(evidence, &moves),
        Block::heading("Re-use and disposal"),
        Block::Steps {
            steps: procedures(policy, evidence.policy_arg),
        },
        Block::heading("Disposal records"),
        disposal_table(evidence),
        Block::paragraph(deletion_totals(evidence.audit)),
        Block::heading("Data backup and storage"),
        Block::paragraph(
            "Before the server or a disk is moved, repaired or replaced, an exact copy of the \
             practice's data exists on the rotation disks (section 1): check with rota status that \
             last night's run succeeded, and keep the newest disk apart from the equipment that \
             moves.",
        ),
    ];
    Section {
        id: "media-controls",
        number: 6,
        title: "Device and media controls",
        cites: "45 CFR 164.310(d)",
        blocks,
    }
}

/// What a disk is for: "archive", or the weekdays whose backups it takes.
fn role(policy: &Policy, label: &str) -> String {
    if policy.disks.is_archive(label) {
        return String::from("archive");
    }
    let days: Vec<chrono::Weekday> = policy
        .disks
        .rotation
        .iter()
        .filter(|disk| disk.label == label)
        .flat_map(|disk| disk.days.iter().copied())
        .collect();
    day_list(&days)
}

fn when(policy: &Policy, at: Option<DateTime<Utc>>) -> Value {
    Value::text(
        at.map(|at| office_date(policy, at).to_string())
            .unwrap_or_else(|| String::from("—")),
    )
}

/// The first time rota has any record of a disk: its first sighting in the
/// media log, the first copy it wrote there, or when it was last seen.
fn first_on_record(view: Option<&DiskView>, id: &str, moves: &[Movement]) -> Option<DateTime<Utc>> {
    let sighted = moves.iter().filter(|m| m.id == id).map(|m| m.at);
    let copied = view
        .into_iter()
        .flat_map(|view| view.copies.values().map(|copy| copy.copied_at));
    let seen = view.and_then(|view| view.last_seen);
    sighted.chain(copied).chain(seen).min()
}

fn disk_table(evidence: &Evidence, moves: &[Movement]) -> Block {
    let policy = evidence.policy;
    let retired = retired_ids(evidence.media);
    let mut rows = Vec::new();
    for label in policy.disks.labels() {
        let views: Vec<&DiskView> = evidence.inventory.disk(label).collect();
        let retirements = evidence
            .media
            .iter()
            .filter_map(|record| Some((record.at, record.retired.as_ref()?)))
            .filter(|(_, r)| r.label == label && views.iter().all(|v| v.id != r.id));
        for (at, gone) in retirements {
            rows.push(vec![
                Value::text(label),
                Value::text(short_id(&gone.id)),
                Value::text(role(policy, label)),
                when(policy, first_on_record(None, &gone.id, moves)),
                when(policy, Some(at)),
                Value::text("retired"),
            ]);
        }
        for view in &views {
            let state = if retired.contains(&view.id) {
                "retired"
            } else if view.is_connected() {
                "at the server"
            } else {
                "away from the server"
            };
            rows.push(vec![
                Value::text(label),
                Value::text(short_id(&view.id)),
                Value::text(role(policy, label)),
                when(policy, first_on_record(Some(view), &view.id, moves)),
                when(policy, view.last_seen),
                Value::text(state),
            ]);
        }
        if views.is_empty() && rows.last().is_none_or(|row| row[0] != Value::text(label)) {
            rows.push(vec![
                Value::text(label),
                Value::text(""),
                Value::text(role(policy, label)),
                Value::text("never"),
                Value::text("never"),
                Value::text("not labelled yet (rota disk init)"),
            ]);
        }
    }
    Block::table(
        &["Disk", "Id", "Takes", "First on record", "Last seen", "Now"],
        rows,
        "",
    )
}

fn movement_words(evidence: &Evidence, moves: &[Movement]) -> String {
    let policy = evidence.policy;
    let runs = evidence.media.len();
    let (Some(first), Some(last)) = (evidence.media.first(), evidence.media.last()) else {
        return String::from(
            "rota notes which disks each run sees in state_dir/media.jsonl; nothing is recorded \
             yet. From the first nightly run on, every disk's arrivals and departures are on \
             record, with the custodian.",
        );
    };
    let (from, to) = (office_date(policy, first.at), office_date(policy, last.at));
    let count = |what: Move| moves.iter().filter(|m| m.what == what).count();
    format!(
        "rota notes which disks each run sees (state_dir/media.jsonl): {} from {from} to {to}, \
         with {}, {}, {} and {}. The full record, with each movement's date, destination and \
         custodian: rota report {} --from {from} --to {to}.",
        plural(runs, "run", "runs"),
        plural(
            count(Move::Left),
            "departure from the server",
            "departures from the server"
        ),
        plural(count(Move::Back), "return", "returns"),
        plural(count(Move::FirstSeen), "first sighting", "first sightings"),
        plural(count(Move::Retired), "retirement", "retirements"),
        evidence.policy_arg
    )
}

/// How often a disk left the server, when it last left, when it was last there.
type DiskMoves = (usize, Option<NaiveDate>, Option<NaiveDate>);

/// Per disk (by id): how often it left the server, and its last departure and return.
fn movement_table(evidence: &Evidence, moves: &[Movement]) -> Block {
    let policy = evidence.policy;
    let mut by_disk: BTreeMap<(String, String), DiskMoves> = BTreeMap::new();
    for movement in moves {
        let entry = by_disk
            .entry((movement.label.clone(), short_id(&movement.id).to_string()))
            .or_default();
        let date = Some(office_date(policy, movement.at));
        match movement.what {
            Move::Left => {
                entry.0 += 1;
                entry.1 = date;
            }
            Move::Back | Move::FirstSeen => entry.2 = date,
            Move::Retired => {}
        }
    }
    let text = |date: Option<NaiveDate>| {
        Value::text(
            date.map(|d| d.to_string())
                .unwrap_or_else(|| String::from("—")),
        )
    };
    let rows = by_disk
        .into_iter()
        .map(|((label, id), (left, last_left, last_back))| {
            vec![
                Value::text(label),
                Value::text(id),
                Value::text(left.to_string()),
                text(last_left),
                text(last_back),
            ]
        })
        .collect();
    Block::table(
        &[
            "Disk",
            "Id",
            "Times it left the server",
            "Last left",
            "Last at the server",
        ],
        rows,
        "",
    )
}

fn procedures(policy: &Policy, policy_arg: &str) -> Vec<Step> {
    let label = policy
        .disks
        .rotation
        .first()
        .map(|disk| disk.label.as_str())
        .unwrap_or("MON");
    vec![
        Step::new(format!(
            "Re-use a disk elsewhere in the practice: connect it and empty it with rota. Every rota \
             copy on it is removed, each removal written in the audit log, and the disk is marked \
             retired; rota refuses, deleting nothing, while the disk holds the last verified copy of \
             a backup the policy keeps. To put it back in the rotation later, label it afresh ({label} \
             stands for the disk's label):"
        ))
        .command(format!("rota disk retire {policy_arg} {label} --yes"))
        .command(format!(
            "rota disk init /Volumes/{label} --label {label} --policy {policy_arg} --force"
        )),
        Step::new(
            "Dispose of a disk (broken, replaced, returned, sold): retire it with --destroy, which \
             overwrites each copy before removing it, then erase the whole disk (Disk Utility > \
             Erase) and have it destroyed physically or by a disposal service that gives a \
             certificate. rota overwrites only its own copies, and a flash drive may keep old \
             blocks: physical destruction is the safe end for a disk that held patient data.",
        )
        .command(format!("rota disk retire {policy_arg} {label} --destroy --yes")),
        Step::new(
            "A lost or stolen disk: tell the privacy officer the same day. Whether it is a \
             reportable breach depends on whether its copies were encrypted (section 1).",
        ),
    ]
}

/// Disposal records: the audit log's lines of copies overwritten for
/// disposal or removed by a retirement, one row per disk, day and kind;
/// and retirements of disks that held no copy (from the media log).
fn disposal_table(evidence: &Evidence) -> Block {
    let policy = evidence.policy;
    type Key = (NaiveDate, String, &'static str);
    let mut groups: BTreeMap<Key, (DateTime<Utc>, usize)> = BTreeMap::new();
    for record in evidence.audit {
        let retired = record.reason.contains("retired");
        let what = match (record.op, retired) {
            (Op::Destroy, true) => "disk retired for disposal: copies overwritten, then removed",
            (Op::Remove, true) => "disk retired: copies removed",
            (Op::Destroy, false) => "expired copies overwritten, then removed",
            _ => continue,
        };
        let disk = match &record.disk_id {
            Some(id) => format!("{} ({})", record.location, short_id(id)),
            None => record.location.clone(),
        };
        let entry = groups
            .entry((office_date(policy, record.when), disk, what))
            .or_insert((record.when, 0));
        entry.1 += 1;
    }
    let mut rows: Vec<(DateTime<Utc>, Vec<Value>)> = groups
        .into_iter()
        .map(|((day, disk, what), (at, count))| {
            (
                at,
                vec![
                    Value::text(day.to_string()),
                    Value::text(disk),
                    Value::text(format!("{what} ({count})")),
                ],
            )
        })
        .collect();
    for record in evidence.media {
        if let Some(retired) = record.retired.as_ref().filter(|r| r.removed == 0) {
            rows.push((
                record.at,
                vec![
                    Value::text(office_date(policy, record.at).to_string()),
                    Value::text(format!("{} ({})", retired.label, short_id(&retired.id))),
                    Value::text("disk retired; it held no rota copy"),
                ],
            ));
        }
    }
    rows.sort_by_key(|(at, _)| *at);
    let earlier = rows.len().saturating_sub(DISPOSALS_SHOWN);
    let mut shown: Vec<Vec<Value>> = rows.into_iter().skip(earlier).map(|(_, row)| row).collect();
    if earlier > 0 {
        shown.insert(
            0,
            vec![
                Value::text(format!("and {earlier} earlier")),
                Value::text(""),
                Value::text("in state_dir/audit.log"),
            ],
        );
    }
    Block::table(
        &["Date", "Disk", "What was done (copies)"],
        shown,
        "No disk has been retired or disposed of, and no copy overwritten for disposal.",
    )
}

fn deletion_totals(audit: &[AuditRecord]) -> String {
    let count = |op: Op| audit.iter().filter(|r| r.op == op).count();
    if audit.is_empty() {
        return String::from(
            "The audit log (state_dir/audit.log) records every copy rota deletes, with what, where, \
             when and why; it is empty so far.",
        );
    }
    format!(
        "In all, the audit log (state_dir/audit.log) records {}: {} removed, {} overwritten then \
         removed, {} moved to an archive disk; each with what, where, when and why.",
        plural(audit.len(), "deletion", "deletions"),
        plural(count(Op::Remove), "copy", "copies"),
        count(Op::Destroy),
        count(Op::Archive)
    )
}
