//! A copy a restore can read, and what it must hash to: the backup in the
//! server's source folder, a copy on a disk (plain, or age-encrypted), or a
//! copy in an off-site target's staging folder. Plain data, made by
//! [`super::choose`] (with a policy) or [`super::lone_disk`] (a disk alone),
//! read by [`super::write`].

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::inventory::offsite_names::Stored;
use crate::inventory::{CopyRecord, EntryKind};

/// Where a copy is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The backup itself, in the server's source folder.
    Server,
    /// A labelled disk (`id`: its label file's id).
    Disk { label: String, id: String },
    /// A folder of copies that is not a labelled disk: an off-site target's
    /// staging folder, or a folder copied or downloaded from one.
    Folder { name: String },
}

impl Origin {
    /// "the server", "disk MON", "off-site folder cloud".
    pub fn words(&self) -> String {
        match self {
            Origin::Server => String::from("the server's source folder"),
            Origin::Disk { label, .. } => format!("disk {label}"),
            Origin::Folder { name } => format!("off-site folder {name}"),
        }
    }

    /// The short name the audit log and summaries use ("server", "MON", "cloud").
    pub fn name(&self) -> &str {
        match self {
            Origin::Server => "server",
            Origin::Disk { label, .. } => label,
            Origin::Folder { name } => name,
        }
    }
}

/// The hash a copy must have, and who recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub record: CopyRecord,
    /// "disk MON's manifest", for messages.
    pub recorded_by: String,
}

/// One copy of a backup that a restore may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySource {
    /// The backup's name (what it is restored as).
    pub name: String,
    pub kind: EntryKind,
    pub origin: Origin,
    /// The stored copy: the file or bundle folder, or the encrypted file.
    pub path: PathBuf,
    pub stored: Stored,
    /// What the restored backup must hash to; `None` when nothing recorded
    /// one (a backup not yet copied anywhere, a disk whose manifest is lost).
    pub expected: Option<Expected>,
}

impl CopySource {
    /// When this copy (or the copy the expected hash comes from) was last
    /// found equal to the original.
    pub fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.expected.as_ref().and_then(|e| e.record.verified_at)
    }

    pub fn is_encrypted(&self) -> bool {
        self.stored.is_encrypted()
    }
}
