//! `rota decrypt FILE --identity KEYFILE [--out PATH]`: restore a backup from an
//! encrypted off-site copy (`NAME.age` or `NAME.tar.age`), checked against the
//! plaintext hash in the staging manifest beside it when there is one.

use std::path::PathBuf;

use clap::Args;

use super::passphrase::passphrase_for;
use super::{CliError, Outcome};
use crate::inventory::EntryKind;
use crate::offsite::decrypt::{backup_of, manifest_record, restore};
use crate::offsite::identity;

/// Restore a backup from an encrypted off-site copy
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota decrypt MacPractice_2026-03-31_2330.mpbackup.tar.age --identity key.txt\n      restores the bundle MacPractice_2026-03-31_2330.mpbackup in the current folder\n\n  rota decrypt outbox/B.bak.age -i /Volumes/KEY/key.txt.age --out /tmp/restore/B.bak\n      a passphrase-protected key: asked on the terminal, or from ROTA_AGE_PASSPHRASE\n\nWithout rota: age -d -i key.txt NAME.age > NAME, or age -d -i key.txt NAME.tar.age | tar -x"
)]
pub struct DecryptArgs {
    /// The encrypted copy (NAME.age for a file, NAME.tar.age for a bundle)
    pub file: PathBuf,
    /// The age identity file: the private key from `age-keygen` (optionally
    /// protected with `age -p`)
    #[arg(long, short = 'i', value_name = "KEYFILE")]
    pub identity: PathBuf,
    /// Where to restore it (default: the backup's name, in the current folder);
    /// must not exist
    #[arg(long, short = 'o', value_name = "PATH")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &DecryptArgs) -> Result<Outcome, CliError> {
    let (name, named_kind) = backup_of(&args.file);
    let record = manifest_record(&args.file, &name);
    let kind = record.as_ref().map_or(named_kind, |record| record.kind);
    let shown = args.identity.display().to_string();
    let identities = identity::load(&args.identity, &mut || passphrase_for(&shown))
        .map_err(|error| CliError::failed_with_help(error.to_string(), error.help()))?;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(&name));
    let restored = restore(&args.file, &identities, &out, kind, record.as_ref())
        .map_err(|error| CliError::failed_with_help(error.to_string(), error.help()))?;
    let what = match restored.kind {
        EntryKind::File => "file",
        EntryKind::Bundle => "bundle",
    };
    println!(
        "restored {name} ({what}, {} bytes) to {}",
        restored.size,
        restored.path.display()
    );
    if restored.checked_against_manifest {
        println!(
            "content hash {} matches the manifest beside the encrypted copy",
            restored.content_hash
        );
    } else {
        println!(
            "content hash {} (no manifest beside the encrypted copy to check it against; \
             age verified the file was not altered)",
            restored.content_hash
        );
    }
    Ok(Outcome::Success)
}
