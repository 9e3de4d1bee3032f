//! How a backup is stored at an off-site target, in its staging folder and on
//! its remote alike:
//!
//! | backup | target without `encrypt` | target with `encrypt` |
//! | --- | --- | --- |
//! | a file `NAME` | `NAME` (the same bytes) | `NAME.age` (age-encrypted bytes) |
//! | a bundle `NAME` | the folder `NAME`, as on a disk | `NAME.tar.age` (a tar stream of the bundle, age-encrypted; see [`super::bundle`]) |
//!
//! The suffixes tell a person what to do with a file found on the cloud with no
//! rota at hand: `age -d -i key.txt NAME.age > NAME`, or
//! `age -d -i key.txt NAME.tar.age | tar -x` for a bundle.
//!
//! The staging manifest records each copy under its backup name; whether it is
//! encrypted is recorded too (a `ciphertext_hash`), so a copy staged before
//! `encrypt` was added to the policy is still found under its own name. This
//! module is pure: names only.

use crate::inventory::{CopyRecord, EntryKind};

/// What an encrypted file copy's name ends with.
pub const AGE_SUFFIX: &str = ".age";
/// What an encrypted bundle copy's name ends with.
pub const TAR_AGE_SUFFIX: &str = ".tar.age";

/// The shape of a copy at an off-site target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The backup as it is: a file, or a bundle folder.
    Plain(EntryKind),
    /// A file's bytes, age-encrypted.
    EncryptedFile,
    /// A bundle as a tar stream, age-encrypted.
    EncryptedBundle,
}

impl Stored {
    /// How a backup of `kind` is stored at a target that does (or does not) encrypt.
    pub fn for_backup(kind: EntryKind, encrypted: bool) -> Stored {
        match (kind, encrypted) {
            (kind, false) => Stored::Plain(kind),
            (EntryKind::File, true) => Stored::EncryptedFile,
            (EntryKind::Bundle, true) => Stored::EncryptedBundle,
        }
    }

    /// How the copy a staging manifest records is stored.
    pub fn of_record(record: &CopyRecord) -> Stored {
        Stored::for_backup(record.kind, record.ciphertext_hash.is_some())
    }

    pub fn is_encrypted(self) -> bool {
        !matches!(self, Stored::Plain(_))
    }

    /// The kind of the backup this copy restores to.
    pub fn backup_kind(self) -> EntryKind {
        match self {
            Stored::Plain(kind) => kind,
            Stored::EncryptedFile => EntryKind::File,
            Stored::EncryptedBundle => EntryKind::Bundle,
        }
    }

    /// Whether the stored copy is one file (everything but a plain bundle).
    pub fn is_single_file(self) -> bool {
        self != Stored::Plain(EntryKind::Bundle)
    }

    /// The name the copy of backup `name` is stored under.
    pub fn name_for(self, name: &str) -> String {
        match self {
            Stored::Plain(_) => name.to_string(),
            Stored::EncryptedFile => format!("{name}{AGE_SUFFIX}"),
            Stored::EncryptedBundle => format!("{name}{TAR_AGE_SUFFIX}"),
        }
    }
}

/// Reads a stored name back: the backup name and how it is stored, given a test
/// for backup names (the policy's pattern). `None` when the name is no backup's.
/// An encrypted suffix is only taken off when what remains is a backup name, so
/// a plain backup whose own name ends in `.age` is not mistaken.
pub fn parse(stored: &str, is_backup_name: impl Fn(&str) -> bool) -> Option<(String, Stored)> {
    let candidates = [
        (TAR_AGE_SUFFIX, Stored::EncryptedBundle),
        (AGE_SUFFIX, Stored::EncryptedFile),
    ];
    for (suffix, shape) in candidates {
        if let Some(name) = stored.strip_suffix(suffix)
            && is_backup_name(name)
        {
            return Some((name.to_string(), shape));
        }
    }
    // A plain copy's kind is whatever is on disk; the caller knows it.
    is_backup_name(stored).then(|| (stored.to_string(), Stored::Plain(EntryKind::File)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_backup(name: &str) -> bool {
        name.starts_with("B_") && (name.ends_with(".bak") || name.ends_with(".age"))
    }

    #[test]
    fn names_follow_the_table() {
        let cases = [
            (EntryKind::File, false, "B_1.bak"),
            (EntryKind::Bundle, false, "B_1.bak"),
            (EntryKind::File, true, "B_1.bak.age"),
            (EntryKind::Bundle, true, "B_1.bak.tar.age"),
        ];
        for (kind, encrypted, expected) in cases {
            let stored = Stored::for_backup(kind, encrypted);
            assert_eq!(stored.name_for("B_1.bak"), expected);
            assert_eq!(stored.backup_kind(), kind);
            assert_eq!(stored.is_encrypted(), encrypted);
        }
    }

    #[test]
    fn stored_names_read_back() {
        assert_eq!(
            parse("B_1.bak.tar.age", is_backup),
            Some(("B_1.bak".into(), Stored::EncryptedBundle))
        );
        assert_eq!(
            parse("B_1.bak.age", is_backup),
            Some(("B_1.bak".into(), Stored::EncryptedFile))
        );
        assert_eq!(
            parse("B_1.bak", is_backup),
            Some(("B_1.bak".into(), Stored::Plain(EntryKind::File)))
        );
        assert_eq!(parse("notes.txt", is_backup), None);
        assert_eq!(parse("notes.txt.age", is_backup), None);
    }

    /// A backup whose own name ends in `.age` is not taken for an encrypted copy
    /// of a name the pattern does not match.
    #[test]
    fn a_backup_named_dot_age_stays_itself() {
        assert_eq!(
            parse("B_1.age", is_backup),
            Some(("B_1.age".into(), Stored::Plain(EntryKind::File)))
        );
    }

    #[test]
    fn a_manifest_record_says_how_its_copy_is_stored() {
        let mut record = CopyRecord {
            name: "B_1.bak".into(),
            size: 1,
            kind: EntryKind::Bundle,
            hash: "h".into(),
            copied_at: chrono::DateTime::UNIX_EPOCH,
            verified_at: None,
            ciphertext_hash: None,
            fingerprint: None,
        };
        assert_eq!(Stored::of_record(&record), Stored::Plain(EntryKind::Bundle));
        assert!(!Stored::of_record(&record).is_single_file());
        record.ciphertext_hash = Some("c".into());
        assert_eq!(Stored::of_record(&record), Stored::EncryptedBundle);
        assert!(Stored::of_record(&record).is_single_file());
    }
}
