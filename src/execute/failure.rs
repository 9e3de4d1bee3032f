//! Why an action could not be carried out, as data, and every message about it
//! in one place. Each message says what happened and what it left behind: a
//! failed copy never leaves a partial file, a refused deletion deletes nothing.

use std::fmt;
use std::io;
use std::path::PathBuf;

use super::places::Absence;
use crate::placement::Location;
use crate::plan::Action;
use crate::words::format::bytes;

/// A failed action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The target disk ran out of space.
    DiskFull { location: String },
    /// The disk has free bytes but no inodes (file slots) left: nothing more
    /// can be created on it this run.
    OutOfInodes { location: String },
    /// The disk's file system is mounted read-only (or was remounted so
    /// after an error): nothing can be written to it this run.
    ReadOnly { location: String },
    /// The target disk is FAT32, and the backup holds a file of 4 GiB or
    /// more, which FAT cannot store.
    FileTooLargeForFat { location: String },
    /// A disk the action needs is not (or no longer) connected.
    DiskGone { location: String, absence: Absence },
    /// The operating system refused access.
    PermissionDenied { path: PathBuf, doing: &'static str },
    /// The backup to copy (or delete) is not there any more.
    SourceVanished { backup: String, location: String },
    /// The backup to copy is not what the plan saw, or changed while read.
    SourceChanged {
        backup: String,
        location: String,
        what: String,
    },
    /// The copy read back from the disk differs from what was written.
    CopyMismatch { backup: String, location: String },
    /// A safety rule forbids the action.
    Refused {
        backup: String,
        location: String,
        rule: Refusal,
    },
    /// Any other I/O error.
    Io {
        doing: String,
        path: PathBuf,
        error: String,
    },
    /// Something this rota cannot do (yet).
    Unsupported { what: String },
    /// An off-site target's remote could not be reached (network down, the
    /// service busy): nothing is lost, the action waits for the next run.
    RemoteUnreachable {
        location: String,
        detail: String,
        /// What stays as it was, in words ("the copy waits in the staging folder").
        left: &'static str,
    },
    /// rclone failed otherwise, or an upload did not verify.
    Remote {
        location: String,
        what: String,
        help: &'static str,
    },
    /// The target cannot be used on this machine (no rclone, unusable
    /// recipients): its actions are not attempted.
    TargetUnusable { location: String, what: String },
    /// `disks.require_encrypted_volume`: the disk's volume is not shown to be
    /// encrypted, so nothing is written to it.
    UnencryptedVolume {
        location: String,
        evidence: String,
        how: String,
    },
}

/// The safety rules a deletion or copy is checked against just before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The name does not match the policy's pattern.
    NotABackupName,
    /// A `hold:` entry covers the backup.
    OnHold,
    /// It would delete the last verified copy of a backup still needed.
    LastCopy,
    /// The disk's manifest does not vouch for the copy.
    NotRecorded,
    /// The manifest of the disk cannot be read or written.
    Manifest(String),
    /// rota never writes into the source folder.
    WritesToSource,
    /// A staged copy is not encrypted, and its target encrypts what leaves.
    NotEncrypted,
}

impl Failure {
    /// The failure an I/O error on the target side means.
    pub fn from_target_io(
        location: &str,
        path: PathBuf,
        doing: &'static str,
        error: &io::Error,
    ) -> Failure {
        match error.kind() {
            io::ErrorKind::StorageFull if crate::inventory::inodes::out_of_inodes(&path) => {
                Failure::OutOfInodes {
                    location: location.to_string(),
                }
            }
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Failure::DiskFull {
                location: location.to_string(),
            },
            io::ErrorKind::ReadOnlyFilesystem => Failure::ReadOnly {
                location: location.to_string(),
            },
            io::ErrorKind::PermissionDenied => Failure::PermissionDenied { path, doing },
            _ => Failure::Io {
                doing: doing.to_string(),
                path,
                error: error.to_string(),
            },
        }
    }

    /// Whether later copies to the same location are pointless after this.
    pub fn blocks_location(&self) -> bool {
        matches!(
            self,
            Failure::DiskFull { .. }
                | Failure::OutOfInodes { .. }
                | Failure::ReadOnly { .. }
                | Failure::DiskGone { .. }
        )
    }

    /// A short word for summaries: "disk full", "permission denied", ...
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::DiskFull { .. } => "disk full",
            Failure::OutOfInodes { .. } => "no room for more files",
            Failure::ReadOnly { .. } => "disk read-only",
            Failure::FileTooLargeForFat { .. } => "file too large for FAT32",
            Failure::DiskGone { .. } => "disk not connected",
            Failure::PermissionDenied { .. } => "permission denied",
            Failure::SourceVanished { .. } => "backup vanished",
            Failure::SourceChanged { .. } => "backup changed",
            Failure::CopyMismatch { .. } => "copy did not verify",
            Failure::Refused { .. } => "refused by a safety rule",
            Failure::Io { .. } => "input/output error",
            Failure::Unsupported { .. } => "not supported",
            Failure::RemoteUnreachable { .. } => "remote not reachable",
            Failure::Remote { .. } => "upload or remote deletion failed",
            Failure::TargetUnusable { .. } => "off-site target unusable",
            Failure::UnencryptedVolume { .. } => "disk volume not encrypted",
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::DiskFull { location } => write!(
                f,
                "disk {location} is full; free space on it or use a larger disk"
            ),
            Failure::OutOfInodes { location } => write!(
                f,
                "disk {location} has free space but no room for more files (its file system ran \
                 out of inodes, as with many small files); nothing more is written to it tonight: \
                 remove old files from it, or reformat it with more inodes"
            ),
            Failure::ReadOnly { location } => write!(
                f,
                "disk {location} is read-only (mounted read-only, or its file system needs repair: \
                 run Disk Utility's First Aid or fsck); nothing is written to it tonight"
            ),
            Failure::FileTooLargeForFat { location } => write!(
                f,
                "disk {location} is FAT32: files over 4 GB cannot be stored on it; \
                 reformat it as exFAT or APFS"
            ),
            Failure::DiskGone { location, absence } => match absence {
                Absence::NotConnected => write!(f, "disk {location} is not connected"),
                Absence::Removed { mount } => write!(
                    f,
                    "disk {location} was disconnected during the run (it was at {}); \
                     connect it again and rerun `rota apply`",
                    mount.display()
                ),
                Absence::Replaced { mount, found } => write!(
                    f,
                    "the disk at {} is now {found}, not the {location} disk the plan was made for",
                    mount.display()
                ),
            },
            Failure::PermissionDenied { path, doing } => write!(
                f,
                "permission denied {doing} {}; check the folder's owner and permissions \
                 (and, on macOS, Full Disk Access for the program running rota)",
                path.display()
            ),
            Failure::SourceVanished { backup, location } => write!(
                f,
                "{backup} is no longer on {location}; it was deleted or moved since the plan was made"
            ),
            Failure::SourceChanged {
                backup,
                location,
                what,
            } => write!(
                f,
                "{backup} on {location} changed ({what}); is the practice software still writing it? \
                 rota copies it on a later run"
            ),
            Failure::CopyMismatch { backup, location } => write!(
                f,
                "the copy of {backup} read back from {location} differs from what was written; \
                 the disk may be failing: run `rota verify` and consider replacing it"
            ),
            Failure::Refused {
                backup,
                location,
                rule,
            } => write!(f, "{backup} on {location} was left alone: {rule}"),
            Failure::Io { doing, path, error } => {
                write!(f, "error {doing} {}: {error}", path.display())
            }
            Failure::Unsupported { what } => f.write_str(what),
            Failure::RemoteUnreachable {
                location,
                detail,
                left,
            } => write!(
                f,
                "cannot reach {location}'s remote ({detail}); nothing is lost: {left}, \
                 and the next `rota apply` tries again"
            ),
            Failure::Remote {
                location,
                what,
                help,
            } => write!(f, "{location}'s remote: {what}; {help}"),
            Failure::TargetUnusable { location, what } => {
                write!(f, "{what}; nothing was done at {location}")
            }
            Failure::UnencryptedVolume {
                location,
                evidence,
                how,
            } => write!(
                f,
                "disk {location}'s volume is not shown to be encrypted ({evidence}) and the policy \
                 requires it (disks.require_encrypted_volume); nothing was done at {location}. To \
                 fix: {how}"
            ),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotABackupName => f.write_str("its name does not match the policy's pattern"),
            Refusal::OnHold => f.write_str("it is on hold (`hold:` in the policy)"),
            Refusal::LastCopy => f.write_str(
                "no other verified copy of it could be found now, and it is still needed",
            ),
            Refusal::NotRecorded => {
                f.write_str("the disk's manifest does not vouch for it as rota's verified copy")
            }
            Refusal::Manifest(why) => write!(f, "{why}"),
            Refusal::WritesToSource => f.write_str("rota never writes into the source folder"),
            Refusal::NotEncrypted => f.write_str(
                "the staged copy is not encrypted and this target encrypts what leaves the building, \
                 so it is not uploaded; delete it from the staging folder and rota stages an \
                 encrypted copy from the server",
            ),
        }
    }
}

/// What became of one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done(Done),
    Failed(Failure),
    /// Not attempted: an action it depends on did not succeed.
    Skipped {
        after: usize,
    },
}

/// A finished action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Done {
    /// Bytes written (copies, archive moves).
    pub bytes: u64,
    /// A copy already there under its name was checked and adopted instead.
    pub adopted: bool,
    /// The copy was already verified there: nothing to do.
    pub already: bool,
    /// Time spent writing and reading back the copy.
    pub elapsed: std::time::Duration,
    /// What else the action did or could not do without failing, in words
    /// (staged copies removed after an upload, ...).
    pub notes: Vec<String>,
    /// Warnings the action found (`unchanged-capture`), for the run record.
    pub warnings: Vec<crate::plan::Warning>,
}

/// Words for "the partial copy was removed" on failed copies.
pub fn cleanup_note(bytes_written: u64) -> String {
    if bytes_written == 0 {
        String::from("nothing was written")
    } else {
        format!(
            "the partial copy ({}) was removed; nothing else was changed",
            bytes(bytes_written)
        )
    }
}

/// `action` refused at `location` by the safety rule `rule`.
pub(super) fn refused(action: &Action, location: &Location, rule: Refusal) -> Failure {
    Failure::Refused {
        backup: action.backup.clone(),
        location: location.to_string(),
        rule,
    }
}
