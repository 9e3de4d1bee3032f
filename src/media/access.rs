//! The restores on the media record: each `rota restore` is an access to
//! patient data, logged in `state_dir/audit.log` (see
//! [`crate::recovery::access_log`]): who, when, which backup, from where,
//! to where, and whether the restored copy was checked. Pure.

use serde::Serialize;

use super::Evidence;
use chrono::NaiveDate;

#[derive(Debug, Clone, Serialize)]
pub struct RestoreRow {
    pub date: NaiveDate,
    pub time: String,
    /// The account and machine that ran it.
    pub user: String,
    pub host: String,
    pub backup: String,
    /// Where it was read: `server`, a disk label, an off-site folder.
    pub from: String,
    /// Where it was restored to.
    pub to: String,
    pub checked: bool,
}

/// The restores done in the period, oldest first. Their instant is the
/// command's `--at` (the wall clock without one), like the deletions'.
pub fn restore_rows(evidence: &Evidence) -> Vec<RestoreRow> {
    let mut rows: Vec<_> = evidence
        .accesses
        .iter()
        .map(|access| {
            let at = chrono::DateTime::parse_from_rfc3339(&access.at)
                .map(|at| at.to_utc())
                .unwrap_or(access.when);
            (at, access)
        })
        .filter(|(at, _)| evidence.in_period(*at))
        .map(|(at, access)| {
            (
                at,
                RestoreRow {
                    date: evidence.date_of(at),
                    time: evidence.time_of(at),
                    user: access.user.clone(),
                    host: access.host.clone(),
                    backup: access.backup.clone(),
                    from: access.location.clone(),
                    to: access.to.display().to_string(),
                    checked: access.checked,
                },
            )
        })
        .collect();
    rows.sort_by_key(|(at, _)| *at);
    rows.into_iter().map(|(_, row)| row).collect()
}
