//! Warnings about the disks as media that leave the server: copies of
//! patient records on disks nobody encrypted (`unencrypted-media`), and a disk
//! that took its night's backup and is still at the server when the rotation
//! says it should be in the safe or off-site (`disk-not-swapped`).
//!
//! Pure: the policy, the inventory (each disk's manifest says when it took
//! which backup) and today.

use chrono::{Datelike, NaiveDate};

use super::warning::Warning;
use crate::calendar::full_weekday;
use crate::inventory::Inventory;
use crate::plan::code::WarningCode;
use crate::policy::{Carry, Policy};

/// Whether copies on the disks are protected by encryption somewhere: the
/// practice software's own (`source.encrypted: true`), rota's (`disks.encrypt`),
/// or the volumes' (`disks.require_encrypted_volume`, enforced by `apply`).
pub fn disks_protected(policy: &Policy) -> bool {
    let media = &policy.disks.media;
    policy.source.encrypted == Some(true)
        || media.encrypt.is_some()
        || media.require_encrypted_volume
}

/// The `unencrypted-media` warning, when disks hold (or are about to be
/// given) copies that nothing encrypts.
pub fn unencrypted_media(policy: &Policy, inventory: &Inventory) -> Option<Warning> {
    if disks_protected(policy) {
        return None;
    }
    let mut labels: Vec<&str> = inventory
        .disks
        .iter()
        .filter(|disk| disk.is_connected() || !disk.copies.is_empty())
        .map(|disk| disk.label.as_str())
        .collect();
    labels.sort_unstable();
    labels.dedup();
    if labels.is_empty() {
        return None;
    }
    Some(Warning::new(
        WarningCode::UnencryptedMedia,
        format!(
            "disk{} {} hold{} patient records that nothing encrypts (`source.encrypted` is not true \
             and `disks.encrypt` is not set): a lost or stolen disk is a reportable breach. Add \
             `encrypt: {{ age_recipients: [\"age1...\"] }}` under `disks:`, or encrypt the disks' \
             volumes and set `disks.require_encrypted_volume: true`",
            if labels.len() == 1 { "" } else { "s" },
            labels.join(", "),
            if labels.len() == 1 { "s" } else { "" }
        ),
    ))
}

pub(super) fn media_warnings(
    policy: &Policy,
    inventory: &Inventory,
    today: NaiveDate,
    warnings: &mut Vec<Warning>,
) {
    warnings.extend(unencrypted_media(policy, inventory));
    warnings.extend(not_swapped(policy, inventory, today));
}

/// Connected rotation disks that are not tonight's and took the previous open
/// day's backup as their own: they stayed at the server through the swap.
fn not_swapped(policy: &Policy, inventory: &Inventory, today: NaiveDate) -> Vec<Warning> {
    let calendar = &policy.office.calendar;
    let Some(previous) = today
        .pred_opt()
        .and_then(|day| calendar.open_day_on_or_before(day))
    else {
        return Vec::new();
    };
    let tonight: Vec<&str> = policy
        .disks
        .for_weekday(today.weekday())
        .map(|disk| disk.label.as_str())
        .collect();
    let mut warnings = Vec::new();
    for disk in inventory.connected_disks() {
        let label = disk.label.as_str();
        let owns_previous = policy
            .disks
            .for_weekday(previous.weekday())
            .any(|owner| owner.label == label);
        if tonight.contains(&label) || !owns_previous {
            continue;
        }
        let took_previous = disk
            .copies
            .values()
            .any(|copy| calendar.today(&copy.copied_at) == Some(previous));
        if !took_previous {
            continue;
        }
        warnings.push(Warning::new(
            WarningCode::DiskNotSwapped,
            format!(
                "disk {label} took {}'s backup and is still connected: it should have gone {} and \
                 been replaced by {}; swap it now so that one disk is always away from the server",
                full_weekday(previous.weekday()),
                destination(policy, label, previous),
                if tonight.is_empty() {
                    String::from("tonight's disk")
                } else {
                    tonight.join(" or ")
                }
            ),
        ));
    }
    warnings
}

/// Where a disk goes the morning after it took `night`'s backup, in words:
/// off-site (with whoever carries it) per `disks.offsite`, else to `storage`.
pub fn destination(policy: &Policy, label: &str, night: NaiveDate) -> String {
    let disks = &policy.disks;
    let carried = disks.is_rotation(label)
        && disks
            .offsite
            .as_ref()
            .is_some_and(|offsite| match &offsite.carry {
                Carry::Previous => true,
                Carry::Days(days) => days.contains(&night.weekday()),
            });
    if carried {
        return match disks
            .offsite
            .as_ref()
            .and_then(|offsite| offsite.by.as_deref())
        {
            Some(by) => format!("off-site with {by}"),
            None => String::from("off-site"),
        };
    }
    match &disks.storage {
        Some(storage) => format!("to the {storage}"),
        None => String::from("to storage, away from the server"),
    }
}
