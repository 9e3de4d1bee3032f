//! The source folder: which of its top-level entries are backups (a file or a
//! folder whose name matches the pattern) and which are not (anything else,
//! including every symlink, which is never followed). Read-only.

use std::path::Path;

use chrono::NaiveDateTime;

use super::entries::{Listed, list_folder_with};
use crate::calendar::NamePattern;
use crate::inventory::{SourceEntry, SourceListing, fsinfo};

/// Lists the source folder. A folder that cannot be listed is not an error
/// here: the listing says why in `error`, and commands decide what it means.
pub fn scan_source(folder: &Path, pattern: &NamePattern) -> SourceListing {
    let mut listing = SourceListing {
        path: folder.to_path_buf(),
        ..SourceListing::default()
    };
    // Each name is parsed once, by the thread that measured it: its time both
    // recognises and orders it.
    let read_time = |listed: Listed| {
        let time = listed
            .name
            .as_ref()
            .ok()
            .and_then(|name| pattern.timestamp(name));
        (listed, time)
    };
    // The source folder holds every backup the server keeps (100,000 on a
    // large office), each one a file-system lookup: measured on every core.
    match list_folder_with(folder, true, read_time) {
        Ok(entries) => {
            let (backups, unrecognized) = classify(entries);
            listing.backups = backups;
            listing.unrecognized = unrecognized;
            listing.space = fsinfo::space(folder);
            listing.network_fs = fsinfo::network_fs(folder);
        }
        Err(reason) => listing.error = Some(reason),
    }
    listing
}

/// Splits a listing, with the time each name gives, into backups (sorted by
/// that time, then by name) and the names of everything else (sorted).
fn classify(entries: Vec<(Listed, Option<NaiveDateTime>)>) -> (Vec<SourceEntry>, Vec<String>) {
    let mut backups = Vec::with_capacity(entries.len());
    let mut unrecognized = Vec::new();
    for (entry, time) in entries {
        let kind = entry.entry_type.backup_kind();
        match (entry.name, kind, time) {
            (Ok(name), Some(kind), Some(timestamp)) => backups.push(SourceEntry {
                name,
                timestamp,
                size: entry.size,
                kind,
                modified: entry.modified,
                files: entry.files,
            }),
            (Ok(name) | Err(name), _, _) => unrecognized.push(name),
        }
    }
    // Names in a folder are unique, so no two backups tie: the unstable sort
    // (no scratch copy of the list) gives the one order there is.
    backups.sort_unstable_by(|a, b| (a.timestamp, &a.name).cmp(&(b.timestamp, &b.name)));
    unrecognized.sort();
    (backups, unrecognized)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::EntryKind;

    fn pattern() -> NamePattern {
        NamePattern::parse("MacPractice_{%Y-%m-%d_%H%M}.mpbackup").unwrap()
    }

    #[test]
    fn files_and_bundles_matching_the_pattern_are_backups() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("MacPractice_2026-03-31_2330.mpbackup"), b"12345").unwrap();
        let bundle = root.join("MacPractice_2026-03-30_2330.mpbackup");
        std::fs::create_dir_all(bundle.join("Contents/Data")).unwrap();
        std::fs::write(bundle.join("Contents/Info.plist"), b"abc").unwrap();
        std::fs::write(bundle.join("Contents/Data/db"), vec![0u8; 1000]).unwrap();
        std::fs::write(root.join("notes.txt"), b"x").unwrap();
        std::fs::create_dir(root.join("Old backups")).unwrap();

        let listing = scan_source(root, &pattern());
        assert_eq!(listing.error, None);
        let found: Vec<(&str, u64, EntryKind)> = listing
            .backups
            .iter()
            .map(|b| (b.name.as_str(), b.size, b.kind))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "MacPractice_2026-03-30_2330.mpbackup",
                    1003,
                    EntryKind::Bundle
                ),
                ("MacPractice_2026-03-31_2330.mpbackup", 5, EntryKind::File),
            ]
        );
        assert!(listing.backups.iter().all(|b| b.modified.is_some()));
        assert_eq!(listing.unrecognized, ["Old backups", "notes.txt"]);
        assert!(listing.space.is_some());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_never_followed_nor_taken_for_backups() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("big"), vec![0u8; 4096]).unwrap();
        let root = dir.path();
        // A link named like a backup, pointing at a folder outside the source.
        std::os::unix::fs::symlink(
            outside.path(),
            root.join("MacPractice_2026-03-31_2330.mpbackup"),
        )
        .unwrap();
        // A bundle with a link inside: the link's target is not counted.
        let bundle = root.join("MacPractice_2026-03-30_2330.mpbackup");
        std::fs::create_dir(&bundle).unwrap();
        std::fs::write(bundle.join("data"), b"12").unwrap();
        std::os::unix::fs::symlink(outside.path().join("big"), bundle.join("link")).unwrap();

        let listing = scan_source(root, &pattern());
        assert_eq!(listing.backups.len(), 1);
        assert_eq!(
            listing.backups[0].name,
            "MacPractice_2026-03-30_2330.mpbackup"
        );
        assert_eq!(listing.backups[0].size, 2);
        assert_eq!(
            listing.unrecognized,
            ["MacPractice_2026-03-31_2330.mpbackup"]
        );
    }

    #[test]
    fn a_missing_source_folder_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let listing = scan_source(&dir.path().join("absent"), &pattern());
        let error = listing.error.expect("the listing says why");
        assert!(error.contains("does not exist"), "{error}");
        assert!(listing.backups.is_empty());
    }

    #[test]
    fn backups_sort_by_the_time_in_their_names() {
        let dir = tempfile::tempdir().unwrap();
        let pattern = NamePattern::parse("{%d-%m-%Y %H%M}.bak").unwrap();
        for name in [
            "01-04-2026 0100.bak",
            "31-03-2026 2330.bak",
            "02-01-2025 0900.bak",
        ] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let names: Vec<String> = scan_source(dir.path(), &pattern)
            .backups
            .into_iter()
            .map(|b| b.name)
            .collect();
        assert_eq!(
            names,
            [
                "02-01-2025 0900.bak",
                "31-03-2026 2330.bak",
                "01-04-2026 0100.bak"
            ]
        );
    }
}
