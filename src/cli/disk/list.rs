//! `rota disk list POLICY`: every disk rota knows, connected or as last seen,
//! with its copies, space and anything wrong with it; the unlabelled volumes
//! found, the volumes left alone (Time Machine, disk images) and the folders
//! rota may not read; and the policy's disks never seen. It records the connected disks in
//! the catalog (that is how rota learns what an absent disk holds).
//!
//! The text and JSON are made by pure functions of (policy, inventory, now).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use super::shell_quote;
use crate::calendar::NamePattern;
use crate::cli::{CliError, Outcome};
use crate::inventory::label::short_id;
use crate::inventory::{Catalog, DiskView, Inventory, StrayReason, scan_with_catalog};
use crate::plan::{WarningCode, volume_warnings};
use crate::policy::values::Size;
use crate::policy::{self, Policy};

/// Show connected and known disks: copies, free space, last seen
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota disk list rota.yaml\n      each disk by label: connected (where, free space) or not (when last seen,\n      \"8 days ago\"), how many copies and how many verified, anything odd on it;\n      volumes without a rota label; policy disks never seen\n\n  rota disk list rota.yaml --copies\n      also every copy on every disk\n\n  rota disk list rota.yaml --format json\n      the same as JSON, for scripts\n\nConnected disks are recorded in the catalog (state_dir/catalog.json), which is\nhow rota knows what a disk in the safe holds."
)]
pub struct ListArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// List every copy on every disk (text format)
    #[arg(long)]
    pub copies: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: &ListArgs, now: DateTime<Utc>) -> Result<Outcome, CliError> {
    let policy = policy::load(&args.policy)?.policy;
    let _lock = crate::cli::session::take_lock(&policy.state_dir, now, "disk list")?;
    let mut catalog = Catalog::load(&policy.state_dir)?;
    let inventory = scan_with_catalog(&policy, &catalog, now);
    crate::cli::media_note::note_scan(&policy.state_dir, "disk list", &inventory, now);
    match args.format {
        Format::Text => print!("{}", render_text(&policy, &inventory, now, args.copies)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&render_json(&policy, &inventory, now))
                .expect("JSON values serialize")
        ),
    }
    let connected: Vec<DiskView> = inventory.connected_disks().cloned().collect();
    catalog.merge_scan(&connected, now);
    catalog.save(&policy.state_dir).map_err(|error| {
        CliError::failed_with_help(
            error.to_string(),
            "rota keeps its catalog in the policy's state_dir; check that folder's permissions",
        )
    })?;
    Ok(Outcome::Success)
}

/// Something to tell the reader about, with a stable code (as in `plan`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub code: WarningCode,
    pub message: String,
}

/// Everything worth a warning in what `disk list` saw.
pub fn notices(policy: &Policy, inventory: &Inventory) -> Vec<Notice> {
    let mut notices = Vec::new();
    let mut by_label: BTreeMap<&str, Vec<&DiskView>> = BTreeMap::new();
    let mut by_id: BTreeMap<&str, Vec<&DiskView>> = BTreeMap::new();
    for disk in inventory.connected_disks() {
        by_label.entry(&disk.label).or_default().push(disk);
        by_id.entry(&disk.id).or_default().push(disk);
    }
    for (label, disks) in &by_label {
        if disks.len() > 1 {
            let ids: Vec<&str> = disks.iter().map(|d| short_id(&d.id)).collect();
            notices.push(Notice {
                code: WarningCode::DuplicateLabel,
                message: format!(
                    "{} connected disks are labelled {label} (ids {}): relabel all but one with \
                     `rota disk init PATH --label NEW --force`",
                    disks.len(),
                    ids.join(", ")
                ),
            });
        }
    }
    for (id, disks) in &by_id {
        if disks.len() > 1 {
            notices.push(Notice {
                code: WarningCode::DuplicateId,
                message: format!(
                    "{} connected disks carry the same id {} (one was cloned from the other): \
                     give the clone an id of its own with `rota disk init PATH --label L --force \
                     --new-id`",
                    disks.len(),
                    short_id(id)
                ),
            });
        }
    }
    for disk in &inventory.disks {
        disk_notices(policy, disk, &mut notices);
    }
    for volume in inventory.unlabelled.iter().filter(|volume| {
        !volume_warnings::instead_of_unlabelled(policy, &inventory.volumes, &volume.path)
    }) {
        let path = shell_quote(&volume.path);
        let message = match &volume.label_error {
            None => format!(
                "{} has no rota label: if it is a backup disk, run `rota disk init {path} --label L`",
                volume.path.display()
            ),
            Some(error) => format!(
                "{error}; nothing on it is used. If it is a backup disk, relabel it with \
                 `rota disk init {path} --label L --force`"
            ),
        };
        notices.push(Notice {
            code: WarningCode::UnlabelledDisk,
            message,
        });
    }
    notices.extend(volumes::notices(policy, inventory));
    notices
}

fn disk_notices(policy: &Policy, disk: &DiskView, notices: &mut Vec<Notice>) {
    let name = format!("{} ({})", disk.label, short_id(&disk.id));
    if let Some(kind) = disk.mount.as_ref().and_then(|m| m.network_fs.as_deref()) {
        notices.push(Notice {
            code: WarningCode::NetworkVolume,
            message: format!(
                "disk {name} is on a network file system ({kind}); the backup guide advises a \
                 disk plugged into the server"
            ),
        });
    }
    if let Some(error) = &disk.manifest_error {
        notices.push(Notice {
            code: WarningCode::ManifestUnreadable,
            message: format!("disk {name}: {error}; nothing on it counts as a copy"),
        });
    }
    if !policy.disks.labels().contains(&disk.label.as_str()) {
        notices.push(Notice {
            code: WarningCode::UnknownDisk,
            message: format!(
                "disk {name} is neither a rotation nor an archive disk of this policy"
            ),
        });
    }
}

/// The disks as the policy lists them (the rotation in its order, then the
/// archive disks), then labels the policy does not know, alphabetically; of
/// several disks with one label, the connected one first.
pub fn in_rotation_order<'a>(policy: &Policy, inventory: &'a Inventory) -> Vec<&'a DiskView> {
    let labels = policy.disks.labels();
    let mut disks: Vec<&DiskView> = inventory.disks.iter().collect();
    // A stable sort: scan order (by label, then mount) breaks the last ties.
    disks.sort_by_key(|disk| {
        let place = labels.iter().position(|label| *label == disk.label);
        (
            place.unwrap_or(usize::MAX),
            disk.label.clone(),
            !disk.is_connected(),
        )
    });
    disks
}

/// Policy labels no disk (connected or catalogued) carries.
pub fn never_seen<'a>(policy: &'a Policy, inventory: &Inventory) -> Vec<&'a str> {
    policy
        .disks
        .labels()
        .into_iter()
        .filter(|label| inventory.disk(label).next().is_none())
        .collect()
}

/// The text report.
pub fn render_text(
    policy: &Policy,
    inventory: &Inventory,
    now: DateTime<Utc>,
    every_copy: bool,
) -> String {
    let zone = policy.office.calendar.timezone;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Disks of {}, {}",
        policy.office.name,
        now.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z")
    );
    let _ = writeln!(out, "(looking in {})", policy.disks.mount_search.join(", "));
    if inventory.disks.is_empty() {
        out.push_str("\nNo labelled disk is connected or known yet.\n");
    }
    for disk in in_rotation_order(policy, inventory) {
        out.push('\n');
        disk_block(&mut out, policy, disk, now, every_copy);
    }
    let missing = never_seen(policy, inventory);
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "\nNever seen: {} (label each disk once: `rota disk init PATH --label {}`)",
            missing.join(", "),
            missing[0]
        );
    }
    volumes::skipped_text(inventory, &mut out);
    let notices = notices(policy, inventory);
    if !notices.is_empty() {
        out.push_str("\nWarnings\n");
        for notice in notices {
            let _ = writeln!(out, "  ! {}: {}", notice.code.key(), notice.message);
        }
    }
    out
}

fn disk_block(
    out: &mut String,
    policy: &Policy,
    disk: &DiskView,
    now: DateTime<Utc>,
    every_copy: bool,
) {
    let zone = policy.office.calendar.timezone;
    let place = match &disk.mount {
        Some(mount) => format!("connected at {}", mount.path.display()),
        None => String::from("not connected"),
    };
    let _ = writeln!(out, "{}  id {}  {place}", disk.label, short_id(&disk.id));
    let row = |out: &mut String, name: &str, value: String| {
        let _ = writeln!(out, "    {name:<12}{value}");
    };
    let seen = match (&disk.mount, disk.last_seen) {
        (Some(_), _) => String::from("now"),
        (None, Some(seen)) => format!(
            "{} ({})",
            seen.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z"),
            ago(seen, now, zone)
        ),
        (None, None) => String::from("never"),
    };
    row(out, "last seen", seen);
    row(out, "copies", copies_summary(disk));
    if let Some((oldest, newest)) = copy_range(disk, &policy.source.pattern)
        && !every_copy
    {
        row(out, "newest", newest.to_string());
        if disk.copies.len() > 1 {
            row(out, "oldest", oldest.to_string());
        }
    }
    if let Some(space) = space_summary(policy, disk) {
        row(out, "space", space);
    }
    if let Some(verified) = disk.last_verified {
        row(
            out,
            "re-hashed",
            format!(
                "{} ({})",
                verified.with_timezone(&zone).format("%Y-%m-%d"),
                ago(verified, now, zone)
            ),
        );
    }
    if !disk.strays.is_empty() {
        row(out, "other files", strays_summary(disk));
    }
    if every_copy {
        for copy in disk.copies.values() {
            let mark = if copy.is_verified() {
                "verified"
            } else {
                "NOT verified"
            };
            let _ = writeln!(out, "      {}  {}  {mark}", copy.name, Size(copy.size));
        }
    }
}

fn copies_summary(disk: &DiskView) -> String {
    let total = disk.copies.len();
    let verified = disk.copies.values().filter(|c| c.is_verified()).count();
    let bytes: u64 = disk.copies.values().map(|c| c.size).sum();
    let when = if disk.is_connected() {
        ""
    } else {
        ", as last seen"
    };
    if total == 0 {
        return format!("none{when}");
    }
    format!("{total} ({verified} verified), {}{when}", Size(bytes))
}

/// The oldest and newest copy by the time in their names.
fn copy_range<'a>(disk: &'a DiskView, pattern: &NamePattern) -> Option<(&'a str, &'a str)> {
    let mut timed = disk
        .copies
        .keys()
        .map(|name| (pattern.timestamp(name), name.as_str()));
    let first = timed.next()?;
    let (oldest, newest) = timed.fold((first, first), |(oldest, newest), item| {
        (oldest.min(item), newest.max(item))
    });
    Some((oldest.1, newest.1))
}

fn space_summary(policy: &Policy, disk: &DiskView) -> Option<String> {
    let space = match &disk.mount {
        Some(mount) => mount.space,
        None => disk.space_when_seen?,
    };
    if space.total == 0 {
        return Some(String::from("unknown (the system did not say)"));
    }
    let reserve = policy.disks.reserve.bytes_of(space.total);
    let room = space.free.saturating_sub(reserve);
    let when = if disk.is_connected() {
        ""
    } else {
        " when last seen"
    };
    Some(format!(
        "{} free of {}{when}; keeps {} free (reserve {}), room for backups {}",
        Size(space.free),
        Size(space.total),
        Size(reserve),
        policy.disks.reserve,
        Size(room)
    ))
}

fn strays_summary(disk: &DiskView) -> String {
    const SHOWN: usize = 5;
    let mut parts: Vec<String> = disk
        .strays
        .iter()
        .take(SHOWN)
        .map(|stray| format!("{} ({})", stray.name, stray_words(stray.why)))
        .collect();
    if disk.strays.len() > SHOWN {
        parts.push(format!("and {} more", disk.strays.len() - SHOWN));
    }
    parts.join(", ")
}

fn stray_words(why: StrayReason) -> &'static str {
    match why {
        StrayReason::Unrecorded => "not in the manifest",
        StrayReason::SizeMismatch => "size differs from the manifest",
        StrayReason::PartialCopy => "left by an interrupted copy",
        StrayReason::Unrecognized => "not a backup",
        StrayReason::Disagrees => "its manifest entry disagrees with this server's record",
    }
}

fn stray_code(why: StrayReason) -> &'static str {
    match why {
        StrayReason::Unrecorded => "unrecorded",
        StrayReason::SizeMismatch => "size-mismatch",
        StrayReason::PartialCopy => "partial-copy",
        StrayReason::Unrecognized => "unrecognized",
        StrayReason::Disagrees => "disagrees-with-catalog",
    }
}

/// "today", "yesterday", "12 days ago": calendar days in the office's time zone.
fn ago(then: DateTime<Utc>, now: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    let days =
        (now.with_timezone(&zone).date_naive() - then.with_timezone(&zone).date_naive()).num_days();
    match days {
        days if days <= 0 => String::from("today"),
        1 => String::from("yesterday"),
        days => format!("{days} days ago"),
    }
}

/// The JSON report (`--format json`).
pub fn render_json(policy: &Policy, inventory: &Inventory, now: DateTime<Utc>) -> Value {
    let zone = policy.office.calendar.timezone;
    let local = |time: DateTime<Utc>| {
        time.with_timezone(&zone)
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    };
    let disks: Vec<Value> = in_rotation_order(policy, inventory)
        .into_iter()
        .map(|disk| {
            let space = disk
                .mount
                .as_ref()
                .map(|m| m.space)
                .or(disk.space_when_seen);
            json!({
                "label": disk.label,
                "id": disk.id,
                "connected": disk.is_connected(),
                "mount": disk.mount.as_ref().map(|m| m.path.display().to_string()),
                "last_seen": disk.last_seen.map(local),
                "last_verified": disk.last_verified.map(local),
                "in_policy": policy.disks.labels().contains(&disk.label.as_str()),
                "copies": disk.copies.values().map(|copy| json!({
                    "name": copy.name,
                    "size": copy.size,
                    "kind": copy.kind,
                    "verified": copy.is_verified(),
                })).collect::<Vec<_>>(),
                "bytes": disk.copies.values().map(|c| c.size).sum::<u64>(),
                "space": space.map(|s| json!({"total": s.total, "free": s.free})),
                "reserve": space.map(|s| policy.disks.reserve.bytes_of(s.total)),
                "network_fs": disk.mount.as_ref().and_then(|m| m.network_fs.clone()),
                "manifest_error": disk.manifest_error,
                "strays": disk.strays.iter().map(|stray| json!({
                    "name": stray.name,
                    "size": stray.size,
                    "why": stray_code(stray.why),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let (skipped, unreadable) = volumes::json_fields(inventory);
    json!({
        "schema": 1,
        "at": local(now),
        "disks": disks,
        "unlabelled": inventory.unlabelled.iter().map(|volume| json!({
            "path": volume.path.display().to_string(),
            "label_error": volume.label_error,
        })).collect::<Vec<_>>(),
        "skipped": skipped,
        "unreadable": unreadable,
        "never_seen": never_seen(policy, inventory),
        "warnings": notices(policy, inventory).into_iter().map(|notice| json!({
            "code": notice.code.key(),
            "message": notice.message,
        })).collect::<Vec<_>>(),
    })
}

mod volumes;

#[cfg(test)]
mod tests;
