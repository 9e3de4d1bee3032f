//! A source backup's *fingerprint*: what a stat can tell about it without
//! reading its content — for a file its size and modification time, for a
//! bundle its number of files, their total size and the newest modification
//! time of anything inside. Every copy records the fingerprint of the backup
//! it was made from; a copy counts only while the source backup (when the
//! server still has it) has that fingerprint (safety invariant 10).
//!
//! A bundle's fingerprint is added up by [`BundleTally`], whoever reads the
//! bundle (the scan, or the copy as it goes), so both agree on what counts:
//! every entry's time, the bundle folder's included, and the regular files'
//! count and sizes; Finder litter (`content_hash::is_finder_litter`) does not
//! count at all.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::entry_kind::EntryKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub size: u64,
    /// Bundles only: how many regular files are inside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<u64>,
    /// The newest modification time (a file's own; anything inside a bundle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<DateTime<Utc>>,
}

impl Fingerprint {
    pub fn new(kind: EntryKind, size: u64, files: u64, modified: Option<DateTime<Utc>>) -> Self {
        Fingerprint {
            size,
            files: (kind == EntryKind::Bundle).then_some(files),
            modified,
        }
    }

    /// Whether a copy whose record says `recorded` (`None`: a copy made
    /// before fingerprints were kept, judged by its `size`) was made from
    /// the backup as this fingerprint finds it now.
    pub fn is_source_of(&self, size: u64, recorded: Option<&Fingerprint>) -> bool {
        match recorded {
            Some(recorded) => recorded == self,
            None => size == self.size,
        }
    }

    /// What differs from `now`, in words ("size 5.0 MB → 81.0 MB, modified
    /// 2026-03-31 23:40 → 23:52 UTC"); empty when nothing does.
    pub fn changes_to(&self, now: &Fingerprint) -> String {
        let mut changes = Vec::new();
        if self.size != now.size {
            changes.push(format!(
                "size {} → {}",
                crate::words::format::bytes(self.size),
                crate::words::format::bytes(now.size)
            ));
        }
        if self.files != now.files {
            let count = |files: Option<u64>| files.map_or(String::from("?"), |n| n.to_string());
            changes.push(format!(
                "files {} → {}",
                count(self.files),
                count(now.files)
            ));
        }
        if self.modified != now.modified {
            let time = |t: Option<DateTime<Utc>>| {
                t.map_or(String::from("unknown"), |t| {
                    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
                })
            };
            changes.push(format!(
                "modified {} → {}",
                time(self.modified),
                time(now.modified)
            ));
        }
        changes.join(", ")
    }
}

/// A bundle's fingerprint, added up one entry at a time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BundleTally {
    size: u64,
    files: u64,
    newest: Option<SystemTime>,
}

impl BundleTally {
    /// Counts one entry (the bundle folder itself too): its time, and for a
    /// regular file its length. Litter must not be added.
    pub fn add(&mut self, regular_file: bool, len: u64, modified: Option<SystemTime>) {
        if regular_file {
            self.size = self.size.saturating_add(len);
            self.files += 1;
        }
        if let Some(modified) = modified {
            self.newest = Some(self.newest.map_or(modified, |n| n.max(modified)));
        }
    }

    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::new(
            EntryKind::Bundle,
            self.size,
            self.files,
            self.newest.map(DateTime::<Utc>::from),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_changed() {
        let at = |s: &str| Some(s.parse::<DateTime<Utc>>().unwrap());
        let before = Fingerprint::new(EntryKind::Bundle, 5_000_000, 3, at("2026-03-31T23:40:00Z"));
        let after = Fingerprint::new(EntryKind::Bundle, 81_000_000, 7, at("2026-03-31T23:52:10Z"));
        assert_eq!(before.changes_to(&before), "");
        assert_eq!(
            before.changes_to(&after),
            "size 5.0 MB → 81.0 MB, files 3 → 7, modified 2026-03-31 23:40:00 UTC → 2026-03-31 23:52:10 UTC"
        );
        assert_eq!(Fingerprint::new(EntryKind::File, 1, 9, None).files, None);
    }

    #[test]
    fn a_tally_counts_files_and_the_newest_time_of_anything() {
        let at = |s: u64| Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(s));
        let mut tally = BundleTally::default();
        tally.add(false, 4096, at(300));
        tally.add(true, 10, at(100));
        tally.add(true, 5, None);
        let print = tally.fingerprint();
        assert_eq!((print.size, print.files), (15, Some(2)));
        assert_eq!(print.modified.unwrap().timestamp(), 300);
    }

    #[test]
    fn round_trips_through_json() {
        let print = Fingerprint::new(
            EntryKind::File,
            42,
            1,
            "2026-03-31T23:40:00.123456789Z".parse().ok(),
        );
        let json = serde_json::to_string(&print).unwrap();
        assert_eq!(
            json,
            r#"{"size":42,"modified":"2026-03-31T23:40:00.123456789Z"}"#
        );
        assert_eq!(serde_json::from_str::<Fingerprint>(&json).unwrap(), print);
    }
}
