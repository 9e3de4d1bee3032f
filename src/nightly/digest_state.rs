//! `state_dir/digest.json`: the last period a scheduled digest was sent for,
//! so the nightly run sends each period's digest once. Rewritten whole
//! (temp + rename); a file that cannot be read counts as none (the worst
//! case is one digest sent twice, never one lost).

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::seconds;
use crate::inventory::atomic::write_atomically;
use crate::inventory::layout::DIGEST_STATE;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestSent {
    /// `daily` or `weekly`.
    pub every: String,
    pub from: NaiveDate,
    /// The last day the digest covered.
    pub to: NaiveDate,
    /// The wall clock when it was sent.
    #[serde(serialize_with = "seconds::serialize")]
    pub sent: DateTime<Utc>,
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(DIGEST_STATE)
}

/// The last digest sent, if any is recorded.
pub fn read(state_dir: &Path) -> Option<DigestSent> {
    let text = std::fs::read_to_string(path(state_dir)).ok()?;
    serde_json::from_str(&text).ok()
}

pub fn write(state_dir: &Path, sent: &DigestSent) -> io::Result<()> {
    std::fs::create_dir_all(state_dir)?;
    let mut text = serde_json::to_string_pretty(sent).map_err(io::Error::other)?;
    text.push('\n');
    write_atomically(&path(state_dir), text.as_bytes())
}
