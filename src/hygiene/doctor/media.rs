//! Checks on the disks as media that leave the server: each connected disk's
//! volume encrypted or not, as the system's tools say (`disk-encrypted`,
//! PASS / WARN / FAIL / UNKNOWN), and whether anything encrypts the copies on
//! the disks at all (`unencrypted-media`).
//!
//! Pure: what the tools said is gathered by the CLI into [`VolumeFacts`]
//! (see `crate::probe`).

use std::path::PathBuf;

use super::{Check, Patient, Status};
use crate::plan::{WarningCode, disks_protected};
use crate::probe::Encryption;

/// What the system's tools said about one connected disk's volume.
#[derive(Debug, Clone)]
pub struct VolumeFacts {
    pub label: String,
    pub mount: PathBuf,
    pub encryption: Encryption,
    /// How to encrypt it on this platform, in words.
    pub how_to_encrypt: String,
}

/// One `disk-encrypted` check per connected disk.
pub fn volume_checks(patient: &Patient) -> Vec<Check> {
    patient
        .volumes
        .iter()
        .map(|facts| volume_check(patient, facts))
        .collect()
}

fn volume_check(patient: &Patient, facts: &VolumeFacts) -> Check {
    let media = &patient.policy.disks.media;
    let check = Check::titled(
        "disk-encrypted",
        format!("Disk {}'s volume is encrypted", facts.label),
    )
    .about(facts.label.clone());
    let evidence = format!(
        "{} ({})",
        facts.encryption.evidence(),
        facts.mount.display()
    );
    let encrypt_it = format!("encrypt the disk: {}", facts.how_to_encrypt);
    match &facts.encryption {
        Encryption::Encrypted { .. } => check.pass(evidence),
        _ if media.require_encrypted_volume => {
            let how = match &facts.encryption {
                Encryption::Unknown { how, .. } => format!(
                    "the policy requires encrypted volumes (disks.require_encrypted_volume) and \
                     `rota apply` will not write to a disk it cannot show to be encrypted: {how}; \
                     if it is not, {encrypt_it}"
                ),
                _ => format!(
                    "the policy requires encrypted volumes (disks.require_encrypted_volume), so \
                     `rota apply` will not write to this disk: {encrypt_it}"
                ),
            };
            check.fail(evidence, how)
        }
        // The copies are encrypted anyway: the volume does not matter.
        _ if media.encrypt.is_some() => check.pass(format!(
            "rota encrypts every copy it writes there (disks.encrypt); {evidence}"
        )),
        _ if disks_protected(patient.policy) => check.pass(format!(
            "the practice software encrypts the backups themselves (source.encrypted); {evidence}"
        )),
        Encryption::NotEncrypted { .. } => check.warn(
            evidence,
            format!(
                "{encrypt_it}; or add `encrypt: {{ age_recipients: [\"age1...\"] }}` under `disks:` \
                 so rota encrypts the copies"
            ),
        ),
        Encryption::Unknown { how, .. } => {
            let mut unknown = check.warn(evidence, how.clone());
            unknown.status = Status::Unknown;
            unknown
        }
    }
}

/// Whether anything encrypts the copies that travel on the disks.
pub fn media_encryption(patient: &Patient) -> Check {
    let check = Check::of_code(
        WarningCode::UnencryptedMedia,
        "Copies on the disks are encrypted",
    );
    let policy = patient.policy;
    let media = &policy.disks.media;
    if let Some(encrypt) = &media.encrypt {
        return check.pass(format!(
            "rota encrypts every disk copy with age for {} recipient{} (disks.encrypt)",
            encrypt.age_recipients.len(),
            if encrypt.age_recipients.len() == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    if media.require_encrypted_volume {
        return check.pass(
            "rota writes only to disks whose volume is encrypted (disks.require_encrypted_volume)",
        );
    }
    if disks_protected(policy) {
        return check.pass("the practice software encrypts its backups (source.encrypted: true)");
    }
    check.problem(
        "nothing encrypts the copies on the disks: a lost or stolen disk is a reportable breach of \
         patient records (HIPAA's safe harbor covers only encrypted media)",
        "add `encrypt: { age_recipients: [\"age1...\"] }` under `disks:` (make the key with \
         `age-keygen`, keep the private key in the safe apart from the disks), or encrypt each \
         disk's volume and set `require_encrypted_volume: true` under `disks:`",
    )
}
