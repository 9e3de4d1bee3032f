//! Checks on the disks: each policy disk labelled and known, each rotation
//! disk seen within one rotation cycle and holding at least `min_backups` of
//! its backups, every copy on each disk read back recently (by `apply` as it
//! wrote it, or by `rota verify`), and no location on a network volume.
//!
//! A rotation disk whose night has not come since rota's first night is not
//! late and holds nothing yet: it is told as information ("not seen yet,
//! first night Tuesday 2026-03-03"), never a failure.

use chrono::{Datelike, NaiveDate};

use super::{Check, Patient, ago, day_words, list_some};
use crate::inventory::label::short_id;
use crate::inventory::{DiskView, StrayReason};
use crate::placement::Location;
use crate::plan::{WarningCode, restore_test_due_on};
use crate::policy::RotationDisk;

/// How far back a rotation disk's last night is looked for.
const CYCLE_SEARCH_DAYS: u64 = 28;

/// Every check about every disk the policy names, disk by disk.
pub fn disk_checks(patient: &Patient) -> Vec<Check> {
    let mut checks = Vec::new();
    for label in patient.policy.disks.labels() {
        let views: Vec<&DiskView> = patient.inventory.disk(label).collect();
        let rotation = patient
            .policy
            .disks
            .rotation
            .iter()
            .find(|d| d.label == label);
        let Some(chosen) = chosen_view(&views) else {
            checks.push(never_seen(patient, label, rotation));
            continue;
        };
        checks.push(labelled(label, &views, chosen));
        if let Some(rotation) = rotation {
            checks.push(recent(patient, rotation, chosen));
            checks.push(min_backups(patient, rotation));
        }
        checks.push(verified(patient, chosen));
    }
    checks
}

/// Whether the disk has had a night of its own since rota's first night
/// (its latest night before today is on or after it).
pub(super) fn has_had_a_night(patient: &Patient, rotation: &RotationDisk) -> bool {
    let due = last_night_before(patient, rotation, patient.today());
    match (due, patient.first_night()) {
        (Some(due), Some(first)) => due >= first,
        _ => false,
    }
}

/// "tonight (Monday 2026-03-02)" or "Tuesday 2026-03-03": the disk's next
/// night, today included.
fn next_night_words(patient: &Patient, rotation: &RotationDisk) -> String {
    let calendar = &patient.policy.office.calendar;
    let today = patient.today();
    let next = (0..=CYCLE_SEARCH_DAYS)
        .filter_map(|ahead| today.checked_add_days(chrono::Days::new(ahead)))
        .find(|day| calendar.is_open(*day) && rotation.days.contains(&day.weekday()));
    match next {
        Some(day) if day == today => format!("tonight ({})", day_words(day)),
        Some(day) => day_words(day),
        None => String::from("not within four weeks"),
    }
}

/// The view that stands for a label: a connected disk, else the most recently seen.
fn chosen_view<'a>(views: &[&'a DiskView]) -> Option<&'a DiskView> {
    views
        .iter()
        .find(|disk| disk.is_connected())
        .or_else(|| views.iter().max_by_key(|disk| disk.last_seen))
        .copied()
}

fn never_seen(patient: &Patient, label: &str, rotation: Option<&RotationDisk>) -> Check {
    let unlabelled: Vec<String> = patient
        .inventory
        .unlabelled
        .iter()
        .map(|volume| volume.path.display().to_string())
        .collect();
    let hint = if unlabelled.is_empty() {
        String::new()
    } else {
        format!(
            " ({} connected without a rota label: {})",
            if unlabelled.len() == 1 {
                "one volume is"
            } else {
                "volumes are"
            },
            list_some(&unlabelled, 3)
        )
    };
    let check = Check::titled("disk-labelled", format!("Disk {label} labelled")).about(label);
    if let Some(rotation) = rotation.filter(|r| !has_had_a_night(patient, r)) {
        return check.info(format!(
            "not seen yet; its first night is {}: label it (if that is not done) and connect it \
             then{hint}",
            next_night_words(patient, rotation)
        ));
    }
    check.fail(
        format!("rota has never seen a disk labelled {label}{hint}"),
        format!(
            "label the disk once with `rota disk init /Volumes/{label} --label {label}` (its \
                 mount folder), write {label} on its sticker, then connect it on its night"
        ),
    )
}

fn labelled(label: &str, views: &[&DiskView], chosen: &DiskView) -> Check {
    let check = Check::titled("disk-labelled", format!("Disk {label} labelled")).about(label);
    let connected = views.iter().filter(|disk| disk.is_connected()).count();
    if connected > 1 {
        return check.fail(
            format!("{connected} connected disks are labelled {label}; rota will not touch either"),
            "disconnect one, or relabel it with `rota disk init PATH --label NEW --force` (a \
             clone of another disk also needs `--new-id`)",
        );
    }
    let ids = if views.len() > 1 {
        format!(" ({} disks have carried this label)", views.len())
    } else {
        String::new()
    };
    check.pass(format!("labelled, id {}{ids}", short_id(&chosen.id)))
}

/// Seen on its last night (or since): one rotation cycle.
fn recent(patient: &Patient, rotation: &RotationDisk, disk: &DiskView) -> Check {
    let label = &rotation.label;
    let check = Check::titled(
        "disk-recent",
        format!("Disk {label} seen within one rotation cycle"),
    )
    .about(label.clone());
    if disk.is_connected() {
        return check.pass("connected now");
    }
    let today = patient.today();
    if !has_had_a_night(patient, rotation) {
        return check.info(format!(
            "no night of its own since rota's first night; its next night is {}",
            next_night_words(patient, rotation)
        ));
    }
    let seen = disk.last_seen.and_then(|at| patient.business_day(at));
    let due = last_night_before(patient, rotation, today);
    let seen_words = seen.map_or_else(
        || String::from("never seen connected"),
        |day| format!("last seen {day} ({})", ago(day, today)),
    );
    match (due, seen) {
        (None, _) => check.pass(format!(
            "{seen_words}; it has had no night in the last four weeks"
        )),
        (Some(due), Some(seen)) if seen >= due => check.pass(format!(
            "{seen_words}, on or after its last night ({})",
            day_words(due)
        )),
        (Some(due), _) => check.fail(
            format!(
                "{seen_words}, but it should have been connected on {}",
                day_words(due)
            ),
            format!(
                "connect {label} on its next night and run `rota apply`; if it is lost or broken, \
                 label a replacement with `rota disk init PATH --label {label}`"
            ),
        ),
    }
}

/// The latest open day before `today` whose backup goes to this disk.
fn last_night_before(
    patient: &Patient,
    rotation: &RotationDisk,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let calendar = &patient.policy.office.calendar;
    (1..=CYCLE_SEARCH_DAYS)
        .filter_map(|back| today.checked_sub_days(chrono::Days::new(back)))
        .find(|day| calendar.is_open(*day) && rotation.days.contains(&day.weekday()))
}

fn min_backups(patient: &Patient, rotation: &RotationDisk) -> Check {
    let label = &rotation.label;
    let wanted = patient.policy.disks.min_backups as usize;
    let check = Check::titled(
        "disk-min-backups",
        format!("Disk {label} holds at least {wanted} backups"),
    )
    .about(label.clone());
    let here = Location::Disk(label.clone());
    let held = patient
        .plan
        .backups
        .iter()
        .filter(|b| b.day_backup && rotation.days.contains(&b.business_day.weekday()))
        .filter(|b| b.locations.contains(&here))
        .count();
    if held >= wanted {
        return check.pass(format!(
            "holds {held} backups of its days (min_backups {wanted})"
        ));
    }
    // Nights this disk has had since rota's first night (and since the
    // oldest backup rota knows).
    let first = patient
        .plan
        .backups
        .iter()
        .map(|b| b.business_day)
        .min()
        .zip(patient.first_night())
        .map(|(backup, night)| backup.max(night));
    let nights = first.map_or(0, |first| {
        patient
            .policy
            .office
            .calendar
            .open_days_between(first, patient.today())
            .into_iter()
            .filter(|day| rotation.days.contains(&day.weekday()))
            .count()
    });
    if nights == 0 {
        return check.info(format!(
            "holds {held}; its first night is {}: it fills as its nights come",
            next_night_words(patient, rotation)
        ));
    }
    if nights < wanted {
        return check.warn(
            format!("holds {held}; it has had only {nights} nights so far (min_backups {wanted})"),
            "nothing to do if the office started using rota recently: the disk fills as its nights come",
        );
    }
    let connect = if patient
        .inventory
        .connected_disks()
        .any(|d| &d.label == label)
    {
        format!("{label} is connected: run")
    } else {
        format!("connect {label} on its night and run")
    };
    check.fail(
        format!(
            "holds only {held} backups of its days; the policy asks for {wanted} (min_backups)"
        ),
        format!(
            "{connect} `rota apply {}`: rota copies what is missing; if `rota plan` says the \
             disk is full, use a larger disk",
            patient.policy_arg
        ),
    )
}

/// Re-hashed (`rota verify`) at least as often as a restore test is due, and
/// no copy on it that failed verification.
fn verified(patient: &Patient, disk: &DiskView) -> Check {
    let label = &disk.label;
    let check = Check::titled("disk-verified", format!("Disk {label} verified recently"))
        .about(label.clone());
    let verify = format!(
        "run `rota verify {} --disk {label}` while {label} is connected",
        patient.policy_arg
    );
    let unverified = disk
        .copies
        .values()
        .filter(|copy| !copy.is_verified())
        .count()
        + disk
            .strays
            .iter()
            .filter(|stray| stray.why == StrayReason::SizeMismatch)
            .count();
    if unverified > 0 {
        return check.warn(
            format!(
                "{unverified} cop{} on it failed verification or changed size, and no longer count",
                if unverified == 1 { "y" } else { "ies" }
            ),
            format!(
                "`rota apply {}` copies them again from another copy while {label} is connected; \
                 if copies keep failing, replace the disk",
                patient.policy_arg
            ),
        );
    }
    let today = patient.today();
    // Each copy was read back and hashed when `apply` wrote it; `rota verify`
    // reads every copy again (and then sets `last_verified`). The later of
    // the oldest copy's check and the last whole verify is how stale it is.
    let oldest_copy = disk.copies.values().map(|copy| copy.verified_at).min();
    let oldest_check = match (oldest_copy.flatten(), disk.last_verified) {
        (Some(copy), Some(whole)) => Some(copy.max(whole)),
        (copy, whole) => copy.or(whole),
    };
    let Some(day) = oldest_check.and_then(|at| patient.business_day(at)) else {
        if disk.copies.is_empty() {
            return check.info("nothing on it to verify yet");
        }
        return check.warn("never re-hashed against its manifest", verify);
    };
    let how = match disk.copies.len() {
        0 => String::from("re-hashed"),
        1 => String::from("its copy read back"),
        n => format!("its {n} copies all read back"),
    };
    match restore_test_due_on(patient.policy, Some(day)) {
        Some(due) if due <= today => check.warn(
            format!(
                "{how} since {day} ({}); due again since {due}",
                ago(day, today)
            ),
            verify,
        ),
        _ => check.pass(format!("{how} since {day} ({})", ago(day, today))),
    }
}

/// The vendor guide advises against backing up over a network volume.
pub fn network_volumes(patient: &Patient) -> Check {
    // The doctor audits the vendor guide: a disk on a network volume fails
    // that recommendation outright, although a night with one only advises.
    let check = Check::titled(
        WarningCode::NetworkVolume.key(),
        "No disk or target on a network volume",
    );
    let inventory = patient.inventory;
    let mut found = Vec::new();
    if let Some(fs) = &inventory.source.network_fs {
        found.push(format!("the source folder ({fs})"));
    }
    let connected: Vec<&DiskView> = inventory.connected_disks().collect();
    for disk in &connected {
        if let Some(fs) = disk.mount.as_ref().and_then(|m| m.network_fs.as_ref()) {
            found.push(format!("disk {} ({fs})", disk.label));
        }
    }
    for target in &inventory.offsite {
        if let Some(fs) = &target.network_fs {
            found.push(format!("the staging folder of {} ({fs})", target.name));
        }
    }
    if !found.is_empty() {
        return check.fail(
            format!("on a network volume: {}", found.join(", ")),
            "the vendor guide advises against backing up over a network volume mounted as a \
             disk: use disks plugged into the server, and send off-site copies from a local \
             staging folder (an `offsite` target with `upload`)",
        );
    }
    check.pass(format!(
        "the source folder, {} connected disk{} and {} staging folder{} are on local drives \
         (absent disks are checked when connected)",
        connected.len(),
        if connected.len() == 1 { "" } else { "s" },
        inventory.offsite.len(),
        if inventory.offsite.len() == 1 {
            ""
        } else {
            "s"
        },
    ))
}
