//! Copies to a disk under `disks.encrypt`: every copy is written as age
//! ciphertext (`NAME.age`, a bundle as `NAME.tar.age`), exactly as an
//! encrypting off-site target's staged copies are (`step/offsite.rs`), the
//! manifest keeping the plaintext hash and the ciphertext's.
//!
//! A copy read from another disk that holds it encrypted is copied as the
//! ciphertext it is (rota has no private key): read back, it must hash as the
//! source's recorded ciphertext. A plain copy made before `encrypt` was added
//! is read as it is and encrypted on the way.

use std::path::Path;

use super::{Step, Wrote};
use crate::execute::Observer;
use crate::execute::copy;
use crate::execute::failure::{Done, Failure, Refusal, refused};
use crate::execute::filesystem::Fs;
use crate::execute::places::{Place, entry_kind, present};
use crate::inventory::offsite_names::Stored;
use crate::placement::Location;
use crate::plan::Action;

impl Step<'_, '_> {
    /// A copy to a disk: encrypted under `disks.encrypt`, as it is otherwise;
    /// from a disk that holds it encrypted, the ciphertext itself.
    pub(in crate::execute) fn copy_to_disk(
        &mut self,
        action: &Action,
        from: &Location,
        to: &Location,
        observer: &mut dyn Observer,
    ) -> Result<Done, Failure> {
        let source = self.place(from)?;
        if let Some(record) = encrypted_record(&source, &action.backup) {
            return self.copy_ciphertext(action, &source, to, &record, observer);
        }
        match &self.run.policy.disks.media.encrypt {
            Some(encrypt) => self.stage_encrypted(action, from, to, encrypt, observer),
            None => self.copy_plain(action, from, to, observer),
        }
    }

    /// Copies an encrypted copy's file as it is to another disk.
    fn copy_ciphertext(
        &mut self,
        action: &Action,
        source: &Place,
        to: &Location,
        record: &crate::inventory::CopyRecord,
        observer: &mut dyn Observer,
    ) -> Result<Done, Failure> {
        let started = std::time::Instant::now();
        let target = self.place(to)?;
        let name = action.backup.as_str();
        let source_path = source.path_of(record);
        if !present(&source_path, record) {
            return Err(refused(action, &source.location, Refusal::NotRecorded));
        }
        let Some(ciphertext) = record.ciphertext_hash.clone() else {
            return Err(refused(action, &source.location, Refusal::NotRecorded));
        };
        let manifest = self.target_manifest(action, &target)?;
        let stored_name = Stored::of_record(record).name_for(name);
        let final_path = target.entry(&stored_name);
        let already = manifest.get(name).is_some_and(|held| {
            held.ciphertext_hash.as_deref() == Some(ciphertext.as_str())
                && target.path_of(held) == final_path
                && present(&final_path, held)
        });
        if already {
            return Ok(Done {
                already: true,
                ..Done::default()
            });
        }
        let plaintext = record.hash.clone();
        let write = |fs: &Fs, temp: &Path| {
            let written = copy::write_verified(
                fs,
                &source_path,
                crate::inventory::EntryKind::File,
                temp,
                observer,
            )?;
            if written.hash != ciphertext {
                return Err(copy::CopyFailure::Mismatch {
                    written: written.hash,
                    read_back: ciphertext.clone(),
                });
            }
            Ok(Wrote {
                bytes: action.bytes,
                hash: plaintext.clone(),
                ciphertext_hash: Some(ciphertext.clone()),
                source: None,
            })
        };
        let bytes = self.write_and_place(
            action,
            source,
            &target,
            Some(record.hash.clone()),
            &stored_name,
            false,
            write,
        )?;
        Ok(Done {
            bytes,
            elapsed: started.elapsed(),
            ..Done::default()
        })
    }
}

/// The verified encrypted copy of `name` a disk's manifest records, if so.
fn encrypted_record(source: &Place, name: &str) -> Option<crate::inventory::CopyRecord> {
    source.disk_id()?;
    let Some(Ok(manifest)) = source.manifest() else {
        return None;
    };
    let record = manifest.get(name)?.clone();
    let encrypted = record.ciphertext_hash.is_some()
        && entry_kind(&source.path_of(&record)) == Some(crate::inventory::EntryKind::File);
    encrypted.then_some(record)
}
