//! With a policy (`rota restore POLICY …`): which backup is meant, and every
//! copy of it that can be read now, best first: the server's own backup, then
//! connected disks (most recently verified first), then off-site staging
//! folders. What sits on a disk that is not connected is told apart, so the
//! person can be told which disk to fetch.
//!
//! A copy counts only when its manifest records it verified. The server's
//! backup is checked against the newest verified record of any copy, so a
//! server whose drive is failing cannot hand back a damaged backup as good.
//!
//! Pure: (policy, inventory, plan) in, plain data out.

use chrono::{DateTime, NaiveDate, Utc};

use super::source::{CopySource, Expected, Origin};
use crate::inventory::offsite_names::Stored;
use crate::inventory::{CopyRecord, Inventory, layout};
use crate::plan::{BackupStatus, Plan};
use crate::policy::Policy;

/// Which backup to restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    Name(String),
    /// The day's backup of this business day.
    Date(NaiveDate),
    Latest,
}

/// Why no backup answers to what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotFound {
    /// No backup of that name anywhere rota knows; `same_day` lists those of
    /// the date in its name.
    Name { name: String, same_day: Vec<String> },
    /// No backup of that business day; the nearest days before and after.
    Date {
        date: NaiveDate,
        before: Option<NaiveDate>,
        after: Option<NaiveDate>,
    },
    /// rota knows no backup at all.
    Nothing,
}

/// The backup `wanted` names among those the plan knows (source folder,
/// disks connected or catalogued, off-site folders).
pub fn pick<'a>(plan: &'a Plan, wanted: &Wanted) -> Result<&'a BackupStatus, NotFound> {
    match wanted {
        Wanted::Name(name) => plan
            .backups
            .iter()
            .find(|b| &b.name == name)
            .ok_or_else(|| NotFound::Name {
                name: name.clone(),
                same_day: same_day(plan, name),
            }),
        Wanted::Date(date) => {
            let of_day: Vec<&BackupStatus> = plan
                .backups
                .iter()
                .filter(|b| b.business_day == *date)
                .collect();
            of_day
                .iter()
                .rev()
                .find(|b| b.day_backup)
                .or(of_day.last())
                .copied()
                .ok_or_else(|| NotFound::Date {
                    date: *date,
                    before: plan
                        .backups
                        .iter()
                        .map(|b| b.business_day)
                        .filter(|d| d < date)
                        .max(),
                    after: plan
                        .backups
                        .iter()
                        .map(|b| b.business_day)
                        .filter(|d| d > date)
                        .min(),
                })
        }
        // The planner lists backups oldest first.
        Wanted::Latest => plan.backups.last().ok_or(NotFound::Nothing),
    }
}

/// Names of known backups written with the same date as `name`.
fn same_day(plan: &Plan, name: &str) -> Vec<String> {
    let Some(date) = super::name_date::date_in_name(name) else {
        return Vec::new();
    };
    plan.backups
        .iter()
        .filter(|b| super::name_date::date_in_name(&b.name) == Some(date))
        .map(|b| b.name.clone())
        .collect()
}

/// Every copy of `backup` that can be read now, best first.
pub fn sources(policy: &Policy, inventory: &Inventory, backup: &BackupStatus) -> Vec<CopySource> {
    let name = backup.name.as_str();
    let mut found = Vec::new();
    if inventory.source.backups.iter().any(|b| b.name == name) {
        found.push(CopySource {
            name: name.to_string(),
            kind: backup.kind,
            origin: Origin::Server,
            path: inventory.source.path.join(name),
            stored: Stored::Plain(backup.kind),
            expected: newest_record(inventory, name),
        });
    }
    let mut on_disks: Vec<CopySource> = inventory
        .connected_disks()
        .filter(|disk| disk.manifest_error.is_none())
        .filter_map(|disk| {
            let record = disk.verified_copy(name)?;
            let mount = disk.mount.as_ref()?;
            let stored = Stored::of_record(record);
            Some(CopySource {
                name: name.to_string(),
                kind: record.kind,
                origin: Origin::Disk {
                    label: disk.label.clone(),
                    id: disk.id.clone(),
                },
                path: layout::copies_dir(&mount.path).join(stored.name_for(name)),
                stored,
                expected: Some(Expected {
                    record: record.clone(),
                    recorded_by: format!("disk {}'s manifest", disk.label),
                }),
            })
        })
        .collect();
    on_disks.sort_by_key(|source| std::cmp::Reverse(source.verified_at()));
    found.extend(on_disks);
    for view in inventory
        .offsite
        .iter()
        .filter(|v| v.staged_error.is_none())
    {
        let (Some(record), Some(target)) =
            (view.staged.get(name), policy.offsite_target(&view.name))
        else {
            continue;
        };
        if !record.is_verified() {
            continue;
        }
        let stored = Stored::of_record(record);
        found.push(CopySource {
            name: name.to_string(),
            kind: record.kind,
            origin: Origin::Folder {
                name: view.name.clone(),
            },
            path: target.path.join(stored.name_for(name)),
            stored,
            expected: Some(Expected {
                record: record.clone(),
                recorded_by: format!("off-site folder {}'s manifest", view.name),
            }),
        });
    }
    found
}

/// The newest verified record of `name` anywhere: what the backup hashed to
/// when it was last copied and checked.
fn newest_record(inventory: &Inventory, name: &str) -> Option<Expected> {
    let disks = inventory.disks.iter().filter_map(|disk| {
        disk.verified_copy(name)
            .map(|record| (record, format!("disk {}'s manifest", disk.label)))
    });
    let staged = inventory.offsite.iter().filter_map(|view| {
        view.staged
            .get(name)
            .filter(|r| r.is_verified())
            .map(|record| (record, format!("off-site folder {}'s manifest", view.name)))
    });
    disks
        .chain(staged)
        .max_by_key(|(record, _)| record.verified_at)
        .map(|(record, recorded_by): (&CopyRecord, String)| Expected {
            record: record.clone(),
            recorded_by,
        })
}

/// A disk that holds a verified copy but is not connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsentHolder {
    pub label: String,
    pub verified_at: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
}

/// The disks not connected now that held a verified copy of `name` when last
/// seen, most recently verified first.
pub fn absent_holders(inventory: &Inventory, name: &str) -> Vec<AbsentHolder> {
    let mut holders: Vec<AbsentHolder> = inventory
        .disks
        .iter()
        .filter(|disk| !disk.is_connected())
        .filter_map(|disk| {
            let record = disk.verified_copy(name)?;
            Some(AbsentHolder {
                label: disk.label.clone(),
                verified_at: record.verified_at,
                last_seen: disk.last_seen,
            })
        })
        .collect();
    holders.sort_by_key(|h| std::cmp::Reverse(h.verified_at));
    holders
}

/// Connected disks whose manifest rota cannot read: their copies may still
/// be restored with `rota restore --disk`, which rebuilds the list.
pub fn untrusted_disks(inventory: &Inventory) -> Vec<(String, std::path::PathBuf)> {
    inventory
        .connected_disks()
        .filter(|disk| disk.manifest_error.is_some())
        .filter_map(|disk| Some((disk.label.clone(), disk.mount.as_ref()?.path.clone())))
        .collect()
}

/// Off-site targets whose remote holds a copy (to be downloaded first).
pub fn remote_holders(inventory: &Inventory, name: &str) -> Vec<String> {
    inventory
        .offsite
        .iter()
        .filter(|view| view.remote.as_ref().is_some_and(|r| r.contains_key(name)))
        .map(|view| view.name.clone())
        .collect()
}
