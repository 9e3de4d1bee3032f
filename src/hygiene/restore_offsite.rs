//! Restore tests of encrypted off-site copies (`rota restore-test
//! --identity KEYFILE`): a copy staged in an off-site target's folder
//! (`NAME.age`, `NAME.tar.age`) is decrypted with the office's private key
//! into the scratch folder, and the restored backup's content hash compared
//! with the plaintext hash the staging manifest recorded. It proves what the
//! server alone cannot: that the key in the safe opens what leaves the
//! building.
//!
//! Like [`super::restore`], this module reads copies and writes only inside
//! the scratch folder (through `crate::offsite::decrypt`, which writes a
//! temporary name there and renames it once the backup is whole).

use std::io;

use super::restore::{Candidate, Restored, Scratch};
use crate::inventory::Inventory;
use crate::inventory::offsite_names::Stored;
use crate::offsite::decrypt::{self, DecryptError};
use crate::offsite::identity::Identities;
use crate::plan::Plan;
use crate::policy::Policy;

/// Every backup with a verified, encrypted copy in an off-site staging folder
/// rota trusts (else on a connected disk under `disks.encrypt`), oldest first; `retained_only` keeps those a tier or hold
/// keeps. The candidate's `label` is the target's name.
pub fn encrypted_candidates(
    policy: &Policy,
    plan: &Plan,
    inventory: &Inventory,
    retained_only: bool,
) -> Vec<Candidate> {
    plan.backups
        .iter()
        .filter(|backup| !retained_only || !backup.reasons.is_empty())
        .filter_map(|backup| {
            inventory
                .offsite
                .iter()
                .filter(|view| view.staged_error.is_none())
                .find_map(|view| {
                    let record = view.staged.get(&backup.name)?;
                    let target = policy.offsite_target(&view.name)?;
                    let stored = Stored::of_record(record);
                    (record.is_verified() && stored.is_encrypted()).then(|| Candidate {
                        name: backup.name.clone(),
                        business_day: backup.business_day,
                        reasons: backup.reasons.iter().map(ToString::to_string).collect(),
                        label: view.name.clone(),
                        copy_path: target.path.join(stored.name_for(&backup.name)),
                        record: record.clone(),
                    })
                })
                .or_else(|| {
                    // `disks.encrypt`: an encrypted copy on a connected disk.
                    inventory.connected_disks().find_map(|disk| {
                        let record = disk.verified_copy(&backup.name)?;
                        let stored = Stored::of_record(record);
                        let mount = &disk.mount.as_ref()?.path;
                        stored.is_encrypted().then(|| Candidate {
                            name: backup.name.clone(),
                            business_day: backup.business_day,
                            reasons: backup.reasons.iter().map(ToString::to_string).collect(),
                            label: disk.label.clone(),
                            copy_path: crate::inventory::layout::copies_dir(mount)
                                .join(stored.name_for(&backup.name)),
                            record: record.clone(),
                        })
                    })
                })
        })
        .collect()
}

/// Decrypts a candidate into the scratch folder. A backup that decrypts but
/// is not the one recorded comes back with its own hash (the test fails on
/// it); a copy that cannot be decrypted (wrong key, damaged, cut short) is an
/// error saying which.
pub fn restore_encrypted(
    candidate: &Candidate,
    scratch: &Scratch,
    identities: &Identities,
) -> io::Result<Restored> {
    let out = scratch.folder.join(&candidate.name);
    match decrypt::restore(
        &candidate.copy_path,
        identities,
        &out,
        candidate.record.kind,
        Some(&candidate.record),
    ) {
        Ok(restored) => Ok(Restored {
            path: restored.path,
            bytes: restored.size,
            hash: restored.content_hash,
        }),
        Err(DecryptError::HashMismatch { found, .. }) => Ok(Restored {
            path: out,
            bytes: 0,
            hash: found,
        }),
        Err(error) => Err(io::Error::other(format!("{error} ({})", error.help()))),
    }
}
