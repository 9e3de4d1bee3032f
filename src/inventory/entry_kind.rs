//! What kind of thing a backup is: a plain file or a folder bundle. The one
//! word every part of the inventory (listings, fingerprints, copy records)
//! shares; plain data.

use serde::{Deserialize, Serialize};

use crate::words::key::serde_keys;

/// A backup is a plain file or a directory bundle (e.g. a macOS package).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    File,
    Bundle,
}

serde_keys!(EntryKind);
