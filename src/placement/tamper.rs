//! Tampered backups (safety invariant 12): a backup whose bytes changed on
//! the server after rota had a verified copy of it, noticed on a later
//! business day than the backup's own.
//!
//! The practice software re-runs its job the same night (issue 14's case):
//! such a change is a *stale* copy, copied again. Ransomware, corruption and
//! tampering come later, and then the server's bytes are the ones not to
//! trust: the verified copies keep counting as the backup, are never replaced
//! or removed because of the change, and the changed bytes are never copied
//! anywhere under the backup's name. The night fails until a person confirms
//! the change with `rota accept-change`; a fingerprint accepted there is a
//! change like any other (its copies are stale and replaced once verified).
//!
//! Pure: the world's stale copies, backups and sites (the world is being
//! built: `world::build` calls this), what was accepted, and today.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::world::{KnownBackup, Site, StaleCopy};
use crate::inventory::Fingerprint;

/// A backup that stands tampered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tampered {
    /// Index in `World::backups`.
    pub backup: usize,
    /// What the server's backup is now (the bytes not trusted).
    pub now: Fingerprint,
    /// The copies made before the change, with what each recorded: kept,
    /// and counted as the backup.
    pub copies: Vec<StaleCopy>,
}

/// Splits the world's `stale` copies into those still stale and the
/// tampered backups, and makes the tampered backups' copies in `sites` count
/// again.
pub fn judge(
    stale: Vec<StaleCopy>,
    backups: &[KnownBackup],
    sites: &mut [Site],
    accepted: &BTreeMap<String, Fingerprint>,
    today: NaiveDate,
) -> (Vec<StaleCopy>, Vec<Tampered>) {
    let mut still_stale = Vec::new();
    let mut tampered_backups = Vec::new();
    for group in stale.chunk_by(|a, b| a.backup == b.backup) {
        let backup = &backups[group[0].backup];
        let tampered = match backup.fingerprint {
            Some(now) => {
                backup.dated.business_day < today
                    && group.iter().any(|copy| copy.verified)
                    && accepted.get(&backup.dated.name) != Some(&now)
            }
            None => false,
        };
        if !tampered {
            still_stale.extend_from_slice(group);
            continue;
        }
        for copy in group {
            if let Some(Some(site_copy)) = sites[copy.site].copies.get_mut(copy.backup) {
                site_copy.stale = false;
                site_copy.verified = copy.verified;
            }
        }
        tampered_backups.push(Tampered {
            backup: group[0].backup,
            now: backup.fingerprint.expect("checked above"),
            copies: group.to_vec(),
        });
    }
    (still_stale, tampered_backups)
}
