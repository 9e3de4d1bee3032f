//! `source.capture` in the plan: whether tonight's export (the fixed-name
//! file or folder the practice software overwrites) is to be captured into
//! the source folder, under which name, or why not yet.
//!
//! A capture due tonight is planned as if it were already in the source
//! folder: the planner sees the backup it will become, so its copies to the
//! disks and the server's pruning are planned with it, each after the
//! capture action (if the capture fails, they are not attempted). Pure: the
//! export's state comes from the inventory, the real time from
//! `Inventory::observed_at`.

use chrono::{DateTime, TimeDelta, Utc};

use super::warnings::changes::unsettled_reason;
use super::warnings::{Warning, WarningCode};
use super::{Action, Op, Pending, Plan};
use crate::inventory::{Captured, Inventory, SourceEntry};
use crate::placement::Location;
use crate::policy::Policy;

/// What to do with the export tonight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// No `source.capture`, or the export is already captured (the practice
    /// software has not written it since: the day's backup is missing).
    Nothing,
    /// Capture it as this backup.
    Capture(SourceEntry),
    /// Not now: the pending entry's reason and the warning that says why.
    Wait {
        backup: SourceEntry,
        reason: String,
        warning: Warning,
    },
    /// The export cannot be read.
    Unreadable(Warning),
}

/// The backup name a capture of an export last changed at `modified` gets:
/// the policy's pattern, with that time in the office's time zone.
pub fn capture_name(policy: &Policy, modified: DateTime<Utc>) -> String {
    let local = policy.office.calendar.local_time(&modified);
    policy.source.pattern.name_for(local)
}

/// What to do with `source.capture` given `inventory`.
pub fn decide(policy: &Policy, inventory: &Inventory) -> Decision {
    let Some(item) = &inventory.capture else {
        return Decision::Nothing;
    };
    let export = item.path.display();
    let captured = match &item.found {
        Ok(captured) => captured,
        Err(why) => {
            return Decision::Unreadable(Warning::new(
                WarningCode::CaptureUnreadable,
                format!(
                    "the export {export} (source.capture) cannot be captured: {why}; tonight's \
                     backup is not taken. Check that the practice software still exports there \
                     and that rota may read it"
                ),
            ));
        }
    };
    let backups = &inventory.source.backups;
    if backups
        .iter()
        .any(|backup| backup.fingerprint() == captured.fingerprint)
    {
        return Decision::Nothing;
    }
    let backup = entry_for(policy, captured);
    if let Some(age) = settling(policy, inventory, captured.modified) {
        let reason = unsettled_reason(age);
        let warning = Warning::new(
            WarningCode::UnsettledBackup,
            format!(
                "the export {export} is {reason}: it is captured once unchanged for {} \
                 (source.settle)",
                policy.source.settle
            ),
        );
        return Decision::Wait {
            backup,
            reason,
            warning,
        };
    }
    if backups.iter().any(|other| other.name == backup.name) {
        let reason = format!(
            "a backup named {} is already in the source folder: rota never replaces a backup",
            backup.name
        );
        let warning = Warning::new(
            WarningCode::CaptureNameTaken,
            format!(
                "the export {export} changed again, but its capture would be named {}, which an \
                 earlier capture already has; it is kept as it is and tonight's export is not \
                 captured. Put a time of day in source.pattern (e.g. {{%Y-%m-%d_%H%M}}) so each \
                 export gets its own name",
                backup.name
            ),
        );
        return Decision::Wait {
            backup,
            reason,
            warning,
        };
    }
    Decision::Capture(backup)
}

/// The backup a capture of the export becomes (its copy keeps the export's
/// modification times, so it has the export's fingerprint).
fn entry_for(policy: &Policy, captured: &Captured) -> SourceEntry {
    let name = capture_name(policy, captured.modified);
    let timestamp = policy
        .source
        .pattern
        .timestamp(&name)
        .unwrap_or_else(|| policy.office.calendar.local_time(&captured.modified));
    SourceEntry {
        name,
        timestamp,
        size: captured.fingerprint.size,
        kind: captured.kind,
        modified: Some(captured.modified),
        files: captured.fingerprint.files.unwrap_or(0),
    }
}

/// How long ago the export changed, when less than `source.settle` before
/// the real time it was looked at (as for backups: see `placement::world`).
fn settling(policy: &Policy, inventory: &Inventory, modified: DateTime<Utc>) -> Option<TimeDelta> {
    let observed = inventory.observed_at?;
    let settle = TimeDelta::from_std(policy.source.settle.0).ok()?;
    let age = observed - modified;
    (age < settle).then_some(age.max(TimeDelta::zero()))
}

/// The plan for `inventory` made by `plan`, with tonight's capture in it.
pub fn with_capture(
    policy: &Policy,
    inventory: &Inventory,
    plan: impl FnOnce(&Inventory) -> Plan,
) -> Plan {
    match decide(policy, inventory) {
        Decision::Nothing => plan(inventory),
        Decision::Unreadable(warning) => {
            let mut planned = plan(inventory);
            planned.warnings.push(warning);
            planned
        }
        Decision::Wait {
            backup,
            reason,
            warning,
        } => {
            let mut planned = plan(inventory);
            planned.pending.insert(
                0,
                Pending {
                    op: Op::Capture,
                    backup: backup.name,
                    to: Some(Location::Server),
                    location: None,
                    bytes: backup.size,
                    reason,
                },
            );
            planned.warnings.push(warning);
            planned
        }
        Decision::Capture(backup) => {
            let mut tonight = inventory.clone();
            tonight.source.backups.push(backup.clone());
            let mut planned = plan(&tonight);
            let export = inventory.capture.as_ref().map(|item| item.path.display());
            let reason = format!(
                "tonight's export from {}",
                export.map(|path| path.to_string()).unwrap_or_default()
            );
            put_first(&mut planned, capture_action(&backup, reason));
            planned
        }
    }
}

fn capture_action(backup: &SourceEntry, reason: String) -> Action {
    Action {
        id: 1,
        op: Op::Capture,
        backup: backup.name.clone(),
        kind: backup.kind,
        from: None,
        to: Some(Location::Server),
        location: None,
        bytes: backup.size,
        reason,
        after: Vec::new(),
        last_copy: false,
    }
}

/// Makes `capture` the plan's first action: the others are renumbered, and
/// those that read the captured backup or delete from the server wait for it.
fn put_first(plan: &mut Plan, capture: Action) {
    for action in &mut plan.actions {
        action.id += 1;
        action.after.iter_mut().for_each(|id| *id += 1);
        let reads_it = action.backup == capture.backup;
        let prunes_server = action.deleted_at() == Some(&Location::Server);
        if reads_it || prunes_server {
            action.after.insert(0, capture.id);
        }
    }
    plan.actions.insert(0, capture);
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use chrono::{DateTime, Utc};

    use super::*;
    use crate::inventory::{
        CaptureItem, CopyRecord, DiskView, EntryKind, Fingerprint, Mount, Space,
    };
    use crate::plan::tests::{check_plan_invariants, date, local, policy_from};
    use crate::plan::{WarningCode, make_plan};

    const POLICY: &str = "version: 1\noffice: { name: Export Dental, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri] }\n\
        source: { path: source, pattern: \"PATTERN\", capture: export/DBCopyForBackup, keep_last: 2 }\n\
        retain: { business_days: 10 }\ndisks: { reserve: 0%, rotation: [{ label: MON, days: [mon, tue, wed, thu, fri] }] }\n";

    fn policy(pattern: &str) -> Policy {
        policy_from(&POLICY.replace("PATTERN", pattern))
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// An office whose export last changed at `modified` (UTC), with these
    /// earlier captures (name, size, modified) in the source folder.
    fn office(modified: &str, size: u64, captures: &[(&str, u64, &str)]) -> Inventory {
        let mut inventory = Inventory::default();
        let print = Fingerprint::new(EntryKind::Bundle, size, 3, Some(utc(modified)));
        inventory.capture = Some(CaptureItem {
            path: PathBuf::from("/office/export/DBCopyForBackup"),
            found: Ok(Captured {
                kind: EntryKind::Bundle,
                fingerprint: print,
                modified: utc(modified),
            }),
        });
        let pattern = policy("Dentrix_{%Y-%m-%d_%H%M}").source.pattern;
        let date_only = policy("Dentrix_{%Y-%m-%d}").source.pattern;
        for (name, size, modified) in captures {
            let timestamp = pattern
                .timestamp(name)
                .or_else(|| date_only.timestamp(name));
            inventory.source.backups.push(SourceEntry {
                name: name.to_string(),
                timestamp: timestamp.unwrap(),
                size: *size,
                kind: EntryKind::Bundle,
                modified: Some(utc(modified)),
                files: 3,
            });
        }
        inventory
    }

    /// Disk MON, connected, with a verified copy of each of `backups`.
    fn connected_disk_holding(backups: &[SourceEntry]) -> DiskView {
        let space = Space {
            total: 1 << 40,
            free: 1 << 39,
        };
        let copies = backups
            .iter()
            .map(|backup| {
                let record = CopyRecord {
                    name: backup.name.clone(),
                    size: backup.size,
                    kind: backup.kind,
                    hash: String::from("0"),
                    copied_at: utc("2026-03-31T04:00:00Z"),
                    verified_at: Some(utc("2026-03-31T04:00:00Z")),
                    ciphertext_hash: None,
                    fingerprint: Some(backup.fingerprint()),
                };
                (backup.name.clone(), record)
            })
            .collect();
        DiskView {
            label: String::from("MON"),
            id: String::from("mon-1"),
            mount: Some(Mount {
                path: PathBuf::from("/Volumes/MON"),
                space,
                network_fs: None,
            }),
            last_seen: None,
            last_verified: None,
            copies,
            strays: Vec::new(),
            unconfirmed: Default::default(),
            manifest_error: None,
            space_when_seen: Some(space),
        }
    }

    #[test]
    fn a_changed_settled_export_is_captured_first_and_what_reads_it_waits() {
        let policy = policy("Dentrix_{%Y-%m-%d_%H%M}");
        // Tuesday 23:30 New York; two earlier captures (keep_last 2).
        let inventory = office(
            "2026-04-01T03:30:00Z",
            900,
            &[
                ("Dentrix_2026-03-27_2330", 800, "2026-03-28T03:30:00Z"),
                ("Dentrix_2026-03-30_2330", 850, "2026-03-31T03:30:00Z"),
            ],
        );
        let mut inventory = inventory;
        inventory
            .disks
            .push(connected_disk_holding(&inventory.source.backups));
        let plan = make_plan(
            &policy,
            &inventory,
            local(&policy, date("2026-03-31"), "23:50"),
        );
        check_plan_invariants(&policy, &plan);
        let first = &plan.actions[0];
        assert_eq!((first.id, first.op), (1, Op::Capture));
        assert_eq!(first.backup, "Dentrix_2026-03-31_2330");
        assert_eq!(first.to, Some(Location::Server));
        let copy = plan
            .actions
            .iter()
            .find(|a| a.op == Op::Copy && a.backup == first.backup)
            .expect("tonight's capture is copied to the disk");
        assert!(copy.after.contains(&1), "{copy:?}");
        let prune = plan
            .actions
            .iter()
            .find(|a| a.deleted_at() == Some(&Location::Server))
            .expect("the oldest capture leaves the server");
        assert_eq!(prune.backup, "Dentrix_2026-03-27_2330");
        assert!(prune.after.contains(&1), "{prune:?}");
        let ids: Vec<usize> = plan.actions.iter().map(|a| a.id).collect();
        assert_eq!(ids, (1..=plan.actions.len()).collect::<Vec<_>>());
    }

    #[test]
    fn an_export_already_captured_is_not_captured_again() {
        let policy = policy("Dentrix_{%Y-%m-%d_%H%M}");
        let inventory = office(
            "2026-04-01T03:30:00Z",
            900,
            &[("Dentrix_2026-03-31_2330", 900, "2026-04-01T03:30:00Z")],
        );
        assert_eq!(decide(&policy, &inventory), Decision::Nothing);
    }

    #[test]
    fn an_export_still_being_written_waits_with_a_reason() {
        let policy = policy("Dentrix_{%Y-%m-%d_%H%M}");
        let mut inventory = office("2026-04-01T03:30:00Z", 900, &[]);
        inventory.observed_at = Some(utc("2026-04-01T03:34:00Z"));
        let plan = make_plan(
            &policy,
            &inventory,
            local(&policy, date("2026-03-31"), "23:50"),
        );
        assert!(plan.actions.is_empty(), "{:?}", plan.actions);
        assert_eq!(plan.pending[0].op, Op::Capture);
        assert_eq!(
            plan.pending[0].reason,
            "still being written (last changed 4 min ago)"
        );
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.code == WarningCode::UnsettledBackup)
        );
    }

    #[test]
    fn a_second_export_on_a_date_only_day_never_replaces_the_first() {
        let policy = policy("Dentrix_{%Y-%m-%d}");
        let inventory = office(
            "2026-04-01T03:30:00Z",
            990,
            &[("Dentrix_2026-03-31", 900, "2026-03-31T17:00:00Z")],
        );
        let plan = make_plan(
            &policy,
            &inventory,
            local(&policy, date("2026-03-31"), "23:50"),
        );
        assert!(plan.actions.iter().all(|a| a.op != Op::Capture));
        assert_eq!(plan.pending[0].op, Op::Capture);
        assert!(plan.pending[0].reason.contains("never replaces"));
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.code == WarningCode::CaptureNameTaken)
        );
    }

    #[test]
    fn an_unreadable_export_is_a_warning() {
        let policy = policy("Dentrix_{%Y-%m-%d_%H%M}");
        let mut inventory = office("2026-04-01T03:30:00Z", 900, &[]);
        inventory.capture.as_mut().unwrap().found = Err(String::from("it does not exist"));
        let plan = make_plan(
            &policy,
            &inventory,
            local(&policy, date("2026-03-31"), "23:50"),
        );
        let warning = plan
            .warnings
            .iter()
            .find(|w| w.code == WarningCode::CaptureUnreadable)
            .expect("warned");
        assert!(
            warning.message.contains("it does not exist"),
            "{}",
            warning.message
        );
    }

    #[test]
    fn the_capture_is_named_by_the_exports_time_in_the_office_time_zone() {
        let policy = policy("Dentrix_{%Y-%m-%d_%H%M}");
        // 01:15 UTC on April 1st is 21:15 on March 31st in New York (EDT).
        assert_eq!(
            capture_name(&policy, utc("2026-04-01T01:15:00Z")),
            "Dentrix_2026-03-31_2115"
        );
        // And 22:15 in winter (EST), across the DST change.
        assert_eq!(
            capture_name(&policy, utc("2026-03-01T03:15:00Z")),
            "Dentrix_2026-02-28_2215"
        );
    }
}
