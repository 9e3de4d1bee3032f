//! Backup hygiene, the checks the vendor guide asks an office to keep up:
//! `doctor` (the guide as a checklist), `verify` (re-hash copies against
//! their manifests), `restore` (a restore test into a scratch folder; of an
//! encrypted off-site copy, with the office's key: `restore_offsite`).
//!
//! `doctor` is pure (policy, inventory, plan, restore log, instant). `verify`
//! and `restore` read copies and write only what they own: `verify` updates
//! the verified marks of a manifest it re-hashed, `restore` writes into a
//! scratch folder it created and removes that folder again. None of them ever
//! deletes or changes a backup or a copy.

pub mod doctor;
pub mod restore;
pub mod restore_offsite;
pub mod verify;
