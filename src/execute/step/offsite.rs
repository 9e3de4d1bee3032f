//! Copies to an off-site target: first staged in its folder (encrypted to its
//! recipients when it has `encrypt`, as on a disk otherwise), then, when it
//! has `upload`, sent to its remote and checked there (`upload`). A copy
//! the plan reads from the target itself (`staged → cloud`) is staged already:
//! only its upload is left.
//!
//! An encrypted copy is written under a temporary name, the plaintext and the
//! ciphertext hashed in one pass, flushed, read back against the ciphertext
//! hash, and only then renamed to its stored name (`NAME.age`, `NAME.tar.age`)
//! and recorded in the staging manifest with both hashes. Nothing but
//! ciphertext is ever written to an encrypting target's folder.
//!
//! A same-named file the manifest does not vouch for (a run cut off between
//! the rename and the manifest) cannot be checked without the private key, so
//! it is replaced.

use std::path::Path;

use super::{Step, Wrote};
use crate::execute::Observer;
use crate::execute::encrypted;
use crate::execute::failure::{Done, Failure};
use crate::execute::filesystem::Fs;
use crate::execute::places::present;
use crate::inventory::offsite_names::Stored;
use crate::offsite::encrypt::Recipients;
use crate::placement::Location;
use crate::plan::Action;
use crate::policy::{Encrypt, OffsiteTarget};

impl<'a> Step<'_, 'a> {
    pub(in crate::execute) fn copy_offsite(
        &mut self,
        action: &Action,
        from: &Location,
        to: &Location,
        observer: &mut dyn Observer,
    ) -> Result<Done, Failure> {
        let target = self.offsite_settings(to)?;
        let mut done = if from != to {
            match &target.encrypt {
                Some(encrypt) => self.stage_encrypted(action, from, to, encrypt, observer)?,
                None => self.copy_plain(action, from, to, observer)?,
            }
        } else if target.upload.is_some() {
            Done::default()
        } else {
            return Err(Failure::Unsupported {
                what: format!(
                    "action {} copies {} from {to} to itself, but {to} does not upload (a planner bug)",
                    action.id, action.backup
                ),
            });
        };
        if let Some(upload) = &target.upload {
            let uploaded = self.upload(action, to, target, upload)?;
            if !uploaded.already {
                done.already = false;
                done.adopted = false;
            }
            done.notes.extend(uploaded.notes);
        }
        Ok(done)
    }

    /// The policy's settings of the off-site target at `location`.
    pub(in crate::execute) fn offsite_settings(
        &self,
        location: &Location,
    ) -> Result<&'a OffsiteTarget, Failure> {
        let policy = self.run.policy;
        policy
            .offsite_target(location.name())
            .ok_or_else(|| Failure::Unsupported {
                what: format!("{location} is not an off-site target of the policy (a planner bug)"),
            })
    }

    /// Writes an encrypted copy into the target's staging folder (or, with
    /// `disks.encrypt`, a disk's copies folder).
    pub(in crate::execute) fn stage_encrypted(
        &mut self,
        action: &Action,
        from: &Location,
        to: &Location,
        encrypt: &Encrypt,
        observer: &mut dyn Observer,
    ) -> Result<Done, Failure> {
        let started = std::time::Instant::now();
        let source = self.place(from)?;
        let target = self.place(to)?;
        let recipients =
            Recipients::from_policy(encrypt).map_err(|error| Failure::TargetUnusable {
                location: to.to_string(),
                what: format!("{error} ({})", error.help()),
            })?;
        let name = action.backup.as_str();
        let expected = self.check_source(action, &source)?;
        let manifest = self.target_manifest(action, &target)?;
        let stored_name = Stored::for_backup(action.kind, true).name_for(name);
        let final_path = target.entry(&stored_name);
        // A copy of the backup as it was before it changed is stale (invariant 10).
        let current = self.source_fingerprint(&source, name);
        let staged = manifest.get(name).filter(|record| {
            record.ciphertext_hash.is_some()
                && current.is_none_or(|now| record.is_copy_of(&now))
                && target.path_of(record) == final_path
                && present(&final_path, record)
                && expected.as_ref().is_none_or(|hash| hash == &record.hash)
        });
        if staged.is_some() {
            return Ok(Done {
                already: true,
                ..Done::default()
            });
        }
        let source_path = source.entry(name);
        let write = |fs: &Fs, temp: &Path| {
            let sealed = encrypted::write_encrypted(
                fs,
                &source_path,
                action.kind,
                &recipients,
                temp,
                observer,
            )?;
            Ok(Wrote {
                bytes: sealed.plaintext_len,
                hash: sealed.content_hash,
                ciphertext_hash: Some(sealed.ciphertext_hash),
                source: None,
            })
        };
        let bytes = self.write_and_place(
            action,
            &source,
            &target,
            expected,
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
