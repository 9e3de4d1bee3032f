//! Copying a bundle (a folder backup: a practice database with its image
//! folders, tens of thousands of small files) as one unit, at the speed of
//! the disk:
//!
//! 1. The bundle is listed once from its folder listings, without reading
//!    any file's metadata (`content_hash::list_bundle`; Finder litter is not
//!    part of it).
//! 2. Entries are copied in hashing order: folders created, links
//!    recreated, files written and hashed. Source files are read ahead on a
//!    few threads (`content_hash::reader`: small ones whole, big ones
//!    streamed here), and each one's metadata is read once, from its open
//!    handle: its length, and the permissions and time its copy gets. A
//!    copied file is not flushed on its own.
//! 3. The source is listed again and each entry's metadata read once more:
//!    an entry added, removed, or of another kind, length or time than when
//!    it was copied fails the copy (safety invariant 11). No single look can
//!    tell that a file did not change after it was read, so this second
//!    look is the one the invariant costs. What it found is the fingerprint
//!    the copy records.
//! 4. The copied folders get their times and permissions, deepest first;
//!    then the whole copy is flushed at once ([`super::copy_flush`]).
//!
//! Like [`super::copy`], this writes only inside the temporary path it is
//! given and never deletes.

use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::copy_flush::Unflushed;
use super::copy_stream::{
    CopyFailure, Input, Progress, SeamReads, Written, source_error, stream_file, target_error,
    write_whole,
};
use super::filesystem::Fs;
use crate::content_hash::listing::os_bytes;
use crate::content_hash::{
    BUFFER_SIZE, BundleHasher, Content, Listed, ListedKind, ReadAhead, list_bundle, with_read_ahead,
};
use crate::inventory::{BundleTally, Fingerprint};

type Result<T> = std::result::Result<T, CopyFailure>;

/// What the copy saw of one source entry, to be seen again after the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    key: Vec<u8>,
    kind: ListedKind,
    len: u64,
    modified: Option<SystemTime>,
}

impl Seen {
    fn of(entry: &Listed, metadata: &Metadata) -> Seen {
        Seen {
            key: entry.key.clone(),
            kind: entry.kind,
            len: if entry.kind == ListedKind::File {
                metadata.len()
            } else {
                0
            },
            modified: metadata.modified().ok(),
        }
    }
}

/// Copies the bundle at `source` (whose folder's metadata is `root`) to
/// `temp`, which must not exist; flushed, not yet read back.
pub(super) fn copy_bundle(
    fs: &Fs,
    source: &Path,
    root: &Metadata,
    temp: &Path,
    progress: &mut dyn Progress,
) -> Result<Written> {
    let listing = list_bundle(source).map_err(source_error(source))?;
    fs.create_dir(temp).map_err(target_error(temp))?;
    let unflushed = Unflushed::new(temp).map_err(target_error(temp))?;
    let reads = SeamReads::source(fs);
    let copied = with_read_ahead(source, &listing, &reads, |ahead| {
        copy_entries(fs, source, temp, &listing, ahead, unflushed, progress)
    })?;
    let fingerprint = unchanged_since_read(source, root, &copied.seen)?;
    let mut folders = vec![(temp.to_path_buf(), root.clone())];
    folders.extend(copied.folders);
    for (folder, metadata) in folders.iter().rev() {
        finish_folder(fs, folder, metadata)?;
    }
    let folder_paths: Vec<&Path> = folders.iter().map(|(path, _)| path.as_path()).collect();
    copied
        .unflushed
        .flush(fs, temp, &folder_paths)
        .map_err(target_error(temp))?;
    Ok(Written {
        hash: copied.hash,
        bytes: copied.bytes,
        files: copied.files,
        source: Some(fingerprint),
    })
}

/// A bundle's entries copied, not yet finished or flushed.
struct Copied {
    hash: String,
    bytes: u64,
    files: u64,
    /// Each source entry as the copy saw it, in order.
    seen: Vec<Seen>,
    /// The copied folders under the copy's own, with their sources' metadata.
    folders: Vec<(PathBuf, Metadata)>,
    unflushed: Unflushed,
}

/// Copies the entries of `listing` in order: folders created, links
/// recreated, files written (as read ahead) and hashed.
fn copy_entries(
    fs: &Fs,
    source: &Path,
    temp: &Path,
    listing: &[Listed],
    ahead: &mut ReadAhead,
    mut unflushed: Unflushed,
    progress: &mut dyn Progress,
) -> Result<Copied> {
    let reads = SeamReads::source(fs);
    let total_files = ahead.len() as u64;
    let mut hasher = BundleHasher::new();
    let mut seen = Vec::with_capacity(listing.len());
    let mut folders = Vec::new();
    let mut buffer = vec![0u8; BUFFER_SIZE];
    let (mut bytes, mut files) = (0u64, 0u64);
    for entry in listing {
        let from = source.join(&entry.relative);
        let to = temp.join(&entry.relative);
        match entry.kind {
            ListedKind::Directory => {
                let metadata = std::fs::symlink_metadata(&from).map_err(source_error(&from))?;
                hasher.directory(&entry.key);
                fs.create_dir(&to).map_err(target_error(&to))?;
                seen.push(Seen::of(entry, &metadata));
                folders.push((to, metadata));
            }
            ListedKind::Symlink => {
                let metadata = std::fs::symlink_metadata(&from).map_err(source_error(&from))?;
                let link = std::fs::read_link(&from).map_err(source_error(&from))?;
                hasher.symlink(&entry.key, &os_bytes(link.as_os_str()));
                fs.symlink(&link, &to).map_err(target_error(&to))?;
                seen.push(Seen::of(entry, &metadata));
            }
            ListedKind::File => {
                let file = ahead.next_file().map_err(source_error(&from))?;
                let metadata = &file.metadata;
                hasher
                    .begin_file(&entry.key, metadata.len())
                    .map_err(source_error(&from))?;
                let streamed = match file.content {
                    Content::Whole(data) => {
                        hasher.file_data(&data);
                        write_whole(fs, &from, metadata, &data, &to, progress)?
                    }
                    Content::Open(handle) => {
                        let input = Input {
                            file: handle,
                            path: &from,
                            metadata,
                        };
                        stream_file(fs, &reads, input, &to, &mut buffer, progress, &mut |c| {
                            hasher.file_data(c)
                        })?
                    }
                };
                unflushed
                    .written(fs, &to, streamed.output)
                    .map_err(target_error(&to))?;
                bytes += streamed.bytes;
                files += 1;
                progress.file_copied(files, total_files);
                seen.push(Seen::of(entry, metadata));
            }
        }
    }
    let hash = hasher
        .finish()
        .map_err(|error| CopyFailure::SourceChanged {
            path: source.to_path_buf(),
            what: error.to_string(),
        })?;
    Ok(Copied {
        hash,
        bytes,
        files,
        seen,
        folders,
        unflushed,
    })
}

/// Looks at every source entry again: each must be as the copy saw it, and
/// no entry may have come or gone (the bundle folder's own time included).
/// Returns the bundle's fingerprint.
fn unchanged_since_read(source: &Path, root: &Metadata, seen: &[Seen]) -> Result<Fingerprint> {
    let changed = |what: String| CopyFailure::SourceChanged {
        path: source.to_path_buf(),
        what,
    };
    let root_now = std::fs::symlink_metadata(source).map_err(source_error(source))?;
    let listing = list_bundle(source).map_err(source_error(source))?;
    let mut tally = BundleTally::default();
    tally.add(false, 0, root_now.modified().ok());
    if listing.len() != seen.len()
        || listing
            .iter()
            .zip(seen)
            .any(|(now, then)| now.key != then.key || now.kind != then.kind)
    {
        return Err(changed(String::from(
            "files inside it were added, removed or renamed while it was read",
        )));
    }
    for (entry, then) in listing.iter().zip(seen) {
        let path = source.join(&entry.relative);
        let metadata = std::fs::symlink_metadata(&path).map_err(source_error(&path))?;
        let now = Seen::of(entry, &metadata);
        if now != *then {
            return Err(changed(format!(
                "{} inside it was modified while it was read",
                entry.relative.display()
            )));
        }
        tally.add(
            entry.kind == ListedKind::File,
            now.len,
            metadata.modified().ok(),
        );
    }
    if root_now.modified().ok() != root.modified().ok() {
        return Err(changed(String::from(
            "files inside it were added, removed or renamed while it was read",
        )));
    }
    Ok(tally.fingerprint())
}

/// A copied folder gets the source's time and permissions; its permissions
/// are set last so a read-only folder is complete first.
fn finish_folder(fs: &Fs, folder: &Path, metadata: &Metadata) -> Result<()> {
    if let Ok(modified) = metadata.modified() {
        fs.set_modified(folder, modified)
            .map_err(target_error(folder))?;
    }
    fs.set_permissions(folder, metadata.permissions())
        .map_err(target_error(folder))
}
