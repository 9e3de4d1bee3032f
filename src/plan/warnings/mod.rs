//! Plan warnings: typed codes (stable, kebab-case, as the README documents them) with a message
//! written for the office manager and their IT person. Warnings never stop a
//! plan; `apply` refuses only on the mass-delete guard.
//!
//! The warnings about particular facts live beside this file: the type
//! itself (`warning.rs`), backups still being written or changed since they
//! were copied (`changes.rs`), and disks as media (`media.rs`).

pub(super) mod changes;
pub(super) mod media;
mod warning;

use chrono::{Datelike, Months, NaiveDate};

use super::gate::Gate;
use crate::calendar::NamePattern;
use crate::calendar::full_weekday;
use crate::inventory::{Inventory, StrayReason};
use crate::placement::{Role, Unavailable, World};
use crate::policy::{Policy, RestoreEvery};
use crate::words::format::{plural, shell_quote};

pub use super::code::WarningCode;
pub use warning::Warning;

/// Open days without any backup are looked for this far back at least.
const MISSING_WINDOW_DAYS: usize = 10;
/// Unrecognised files are listed one by one up to this many.
const MAX_LISTED_FILES: usize = 10;

/// Warnings that come from the state of the world rather than from planning.
pub fn world_warnings(
    policy: &Policy,
    inventory: &Inventory,
    world: &World,
    gate: &Gate,
    today: NaiveDate,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    source_warnings(policy, inventory, &mut warnings);
    super::volume_warnings::volume_warnings(policy, inventory, &mut warnings);
    tampered_backups(world, &mut warnings);
    warnings.extend(changes::change_warnings(policy, world));
    missing_backups(policy, world, today, &mut warnings);
    future_backups(world, today, &mut warnings);
    stale_source(gate, &mut warnings);
    disk_warnings(policy, inventory, world, &mut warnings);
    restore_test_due(policy, inventory, today, &mut warnings);
    if let Some(message) = holidays_missing(policy, today) {
        warnings.push(Warning::new(WarningCode::HolidaysMissing, message));
    }
    media::media_warnings(policy, inventory, today, &mut warnings);
    warnings
}

fn source_warnings(policy: &Policy, inventory: &Inventory, warnings: &mut Vec<Warning>) {
    let source = &inventory.source;
    if let Some(error) = &source.error {
        warnings.push(Warning::new(
            WarningCode::SourceMissing,
            format!("the source folder {} cannot be read ({error}): nothing on the server can be copied", source.path.display()),
        ));
    }
    let matched = source.backups.len();
    if source.error.is_none()
        && let Some(message) =
            pattern_matches_nothing(matched, &source.unrecognized, &policy.source.pattern)
    {
        warnings.push(Warning::new(WarningCode::PatternMatchesNothing, message));
    }
    for name in source.unrecognized.iter().take(MAX_LISTED_FILES) {
        warnings.push(Warning::new(
            WarningCode::UnrecognizedFile,
            format!("{name:?} in the source folder does not match the backup pattern; rota leaves it alone"),
        ));
    }
    if source.unrecognized.len() > MAX_LISTED_FILES {
        warnings.push(Warning::new(
            WarningCode::UnrecognizedFile,
            format!(
                "and {} more files that do not match the backup pattern",
                source.unrecognized.len() - MAX_LISTED_FILES
            ),
        ));
    }
    if let Some(fs) = &source.network_fs {
        warnings.push(Warning::new(
            WarningCode::NetworkVolume,
            format!("the source folder is on a network volume ({fs}); the vendor guide advises backing up to the server's own drive first"),
        ));
    }
}

/// `pattern-matches-nothing`: the source folder holds files (hidden ones
/// such as `.DS_Store` aside) but not one matches the pattern, so rota sees
/// no backup at all. Names the pattern and up to three of the files.
/// `matched`: how many names matched; `unmatched`: the others.
pub fn pattern_matches_nothing(
    matched: usize,
    unmatched: &[String],
    pattern: &NamePattern,
) -> Option<String> {
    if matched > 0 {
        return None;
    }
    let visible: Vec<&String> = unmatched
        .iter()
        .filter(|name| !name.starts_with('.'))
        .collect();
    if visible.is_empty() {
        return None;
    }
    let shown: Vec<String> = visible
        .iter()
        .take(3)
        .map(|name| format!("{name:?}"))
        .collect();
    let more = match visible.len() {
        n if n > 3 => format!(" and {} more", n - 3),
        _ => String::new(),
    };
    Some(format!(
        "none of the {} in the source folder matches source.pattern `{}` (it holds {}{more}): rota sees no backup to copy",
        plural(visible.len(), "file", "files"),
        pattern.as_str(),
        shown.join(", ")
    ))
}

/// Open days in the recent window (not before the first backup) after the
/// newest backup: the days the practice software has written nothing since.
fn missing_backups(policy: &Policy, world: &World, today: NaiveDate, warnings: &mut Vec<Warning>) {
    let Some(first) = world.backups.first().map(|b| b.dated.business_day) else {
        warnings.push(Warning::new(
            WarningCode::MissingBackup,
            "there are no backups at all yet",
        ));
        return;
    };
    let calendar = &policy.office.calendar;
    let window = policy
        .retain
        .business_days
        .limit()
        .clamp(MISSING_WINDOW_DAYS, 60);
    // Only the open days since the newest backup (not dated after today):
    // a night whose own backup is there did its job, and an older gap was
    // that night's failure (doctor and the report keep it in view).
    let newest = world
        .backups
        .iter()
        .map(|b| b.dated.business_day)
        .filter(|day| *day <= today)
        .max();
    let mut missing: Vec<NaiveDate> = calendar
        .latest_open_days_since(today, window, first)
        .into_iter()
        .filter(|day| newest.is_none_or(|newest| *day > newest))
        .collect();
    missing.reverse();
    for day in missing {
        let when = format!("{} {day}", full_weekday(day.weekday()));
        let message = if day == today {
            format!(
                "no backup yet for today, {when}: check that the practice software's backup ran"
            )
        } else {
            format!(
                "no backup for {when}, an open day: check the practice software's backup log for that day"
            )
        };
        warnings.push(Warning::new(WarningCode::MissingBackup, message));
    }
}

fn future_backups(world: &World, today: NaiveDate, warnings: &mut Vec<Warning>) {
    let future: Vec<&str> = world
        .backups
        .iter()
        .filter(|b| b.dated.business_day > today)
        .map(|b| b.dated.name.as_str())
        .collect();
    if let Some(first) = future.first() {
        warnings.push(Warning::new(
            WarningCode::FutureBackup,
            format!(
                "{} backup(s) are dated after today, {today} ({first}{}): check the server's and the \
                 practice software's clocks, and move a mistyped file out of the source folder. rota \
                 keeps them, never counts them among the newest, and deletes nothing anywhere while \
                 one is in the source folder",
                future.len(),
                if future.len() > 1 { ", ..." } else { "" }
            ),
        ));
    }
}

/// Tampered backups listed one by one up to this many.
const MAX_LISTED_TAMPERED: usize = 10;

/// One `tampered-backup` warning per tampered backup (then one for the
/// rest): what changed, and which verified copies are kept.
fn tampered_backups(world: &World, warnings: &mut Vec<Warning>) {
    for tampered in world.tampered.iter().take(MAX_LISTED_TAMPERED) {
        let backup = &world.backups[tampered.backup];
        let kept: Vec<&str> = tampered
            .copies
            .iter()
            .filter(|copy| copy.verified)
            .map(|copy| world.sites[copy.site].location.name())
            .collect();
        let change = tampered.copies[0].recorded.changes_to(&tampered.now);
        warnings.push(Warning::new(
            WarningCode::TamperedBackup,
            format!(
                "{} changed on the server after rota had verified copies of it ({change}), on a later \
                 business day than its own: ransomware, corruption or tampering? The verified {} on {} \
                 {} kept and count as the backup; the server's new bytes are copied nowhere, and \
                 nothing is deleted anywhere. If the change was intended, run `rota accept-change \
                 POLICY {}`",
                backup.dated.name,
                if kept.len() == 1 { "copy" } else { "copies" },
                kept.join(", "),
                if kept.len() == 1 { "is" } else { "are" },
                backup.dated.name,
            ),
        ));
    }
    if world.tampered.len() > MAX_LISTED_TAMPERED {
        warnings.push(Warning::new(
            WarningCode::TamperedBackup,
            format!(
                "and {} more backups changed on the server after they were copied: every one of \
                 their verified copies is kept (`rota plan --format json` lists them)",
                world.tampered.len() - MAX_LISTED_TAMPERED
            ),
        ));
    }
}

/// `source-stale`, from the deletion gate.
fn stale_source(gate: &Gate, warnings: &mut Vec<Warning>) {
    for closure in &gate.closed_by {
        if closure.code == WarningCode::SourceStale {
            warnings.push(Warning::new(
                WarningCode::SourceStale,
                format!(
                    "{}: rota still copies, but deletes nothing anywhere until a new backup \
                     arrives. {}",
                    closure.reason,
                    capitalised(&closure.to_clear)
                ),
            ));
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn disk_warnings(
    policy: &Policy,
    inventory: &Inventory,
    world: &World,
    warnings: &mut Vec<Warning>,
) {
    for volume in inventory.unlabelled.iter().filter(|volume| {
        !super::volume_warnings::instead_of_unlabelled(policy, &inventory.volumes, &volume.path)
    }) {
        warnings.push(Warning::new(
            WarningCode::UnlabelledDisk,
            format!(
                "a disk at {} has no rota label, so rota will not use it; label it with `rota disk init {} --label LABEL`, or, if it is not one of rota's disks (a Time Machine disk, a camera card), add it to `disks.ignore`",
                volume.path.display(),
                shell_quote(&volume.path)
            ),
        ));
    }
    let known = policy.disks.labels();
    for disk in inventory.connected_disks() {
        if !known.contains(&disk.label.as_str()) {
            warnings.push(Warning::new(
                WarningCode::UnknownDisk,
                format!("disk {} is connected but the policy has no disk with that label; rota leaves it alone", disk.label),
            ));
        }
        for stray in &disk.strays {
            if stray.why == StrayReason::Disagrees {
                warnings.push(Warning::new(
                    WarningCode::UnverifiedCopy,
                    format!(
                        "{} on disk {}: the disk's manifest entry disagrees with this server's record of \
                         the copy rota wrote (was the manifest edited, or the disk's files replaced?); it \
                         does not count as a copy and nothing is deleted on its strength (while the \
                         server has the backup, a verified copy replaces it). Run `rota verify --disk {}`",
                        stray.name, disk.label, disk.label
                    ),
                ));
                continue;
            }
            if stray.why == StrayReason::Unrecorded || stray.why == StrayReason::SizeMismatch {
                warnings.push(Warning::new(
                    WarningCode::UnverifiedCopy,
                    format!("{} on disk {} is not in the disk's manifest (or its size changed); it does not count as a copy and rota will not delete it", stray.name, disk.label),
                ));
            }
        }
    }
    for site in &world.sites {
        match &site.unavailable {
            Some(Unavailable::DuplicateLabel) => warnings.push(Warning::new(
                WarningCode::DuplicateLabel,
                format!("two connected disks are both labelled {}; rota will not touch either until one is disconnected or relabelled", site.location),
            )),
            Some(Unavailable::ManifestUnreadable(error)) => warnings.push(Warning::new(
                WarningCode::ManifestUnreadable,
                format!("the manifest on disk {} cannot be read ({error}); rota trusts no copy on it and deletes nothing there", site.location),
            )),
            _ => {}
        }
        if let (Some(fs), true) = (&site.network_fs, site.role != Role::Server) {
            warnings.push(Warning::new(
                WarningCode::NetworkVolume,
                format!("{} is on a network volume ({fs}); the vendor guide advises against backing up over a network volume mounted as a disk", site.location),
            ));
        }
    }
}

/// When the next restore test is due, given the last one.
pub fn restore_test_due_on(policy: &Policy, last: Option<NaiveDate>) -> Option<NaiveDate> {
    let months = match policy.restore_test.every {
        RestoreEvery::Month => 1,
        RestoreEvery::Quarter => 3,
    };
    last.map(|last| last.checked_add_months(Months::new(months)).unwrap_or(last))
}

fn restore_test_due(
    policy: &Policy,
    inventory: &Inventory,
    today: NaiveDate,
    warnings: &mut Vec<Warning>,
) {
    let message = match restore_test_due_on(policy, inventory.last_restore_test) {
        None => String::from(
            "no restore test has been recorded: the vendor guide recommends testing a restore every quarter (`rota restore-test`)",
        ),
        Some(due) if due <= today => format!(
            "a restore test was due on {due} (last one {}): run `rota restore-test`",
            inventory
                .last_restore_test
                .map(|d| d.to_string())
                .unwrap_or_default()
        ),
        Some(_) => return,
    };
    warnings.push(Warning::new(WarningCode::RestoreTestDue, message));
}

/// `holidays-missing`, in words: from October on, this year has closed dates
/// and next year has none. Shared with `rota check` and `rota doctor`.
pub fn holidays_missing(policy: &Policy, today: NaiveDate) -> Option<String> {
    let missing = crate::calendar::holidays_missing(&policy.office.calendar, today)?;
    let (this, next) = (missing.this_year, missing.next_year);
    Some(format!(
        "the policy lists closed dates for {this} but none for {next}: add {next}'s holidays \
         under office.closed, or rota will expect a backup on each of them and {next}'s swap \
         sheets will show no closures"
    ))
}

/// What a `mass-delete` warning adds to the guard's finding.
pub const MASS_DELETE_CONSEQUENCE: &str =
    "; `rota apply` will refuse this plan unless --allow-mass-delete is given";

/// The mass-delete guard's findings as warnings.
pub fn mass_delete_warnings(findings: &[String]) -> Vec<Warning> {
    findings
        .iter()
        .map(|finding| {
            Warning::new(
                WarningCode::MassDelete,
                format!("{finding}{MASS_DELETE_CONSEQUENCE}"),
            )
        })
        .collect()
}
