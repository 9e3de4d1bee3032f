//! Writing one copy of a backup under a temporary name and proving it good:
//! the source is read once, hashed as it is written (plain files like `b3sum`,
//! bundles as `crate::content_hash` describes), each file and folder is
//! flushed to the disk, then the temporary copy is read back with its cached
//! pages dropped and must hash the same. Only then may the caller rename it to
//! the backup's name, so a backup's name never carries an unchecked copy.
//!
//! Copies keep the source's permissions and modification times. A bundle keeps
//! its structure: folders, files and symbolic links (recreated as links, never
//! followed). A source that changes while it is read fails the copy.
//!
//! This module writes only inside the temporary path it is given, and never
//! deletes: cleaning up a failed temporary copy is the caller's job.

use std::fs::{File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use super::cache;
use super::effects::Fs;
use crate::content_hash::{self, BUFFER_SIZE, BundleEntryKind, BundleHasher, bundle_entries};
use crate::inventory::EntryKind;

/// Receives the bytes copied and read back, for a progress display.
pub trait Progress {
    fn copied(&mut self, bytes: u64);
    fn verified(&mut self, bytes: u64);
}

/// A temporary copy that was read back and found equal to what was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub hash: String,
    pub bytes: u64,
}

/// Why a temporary copy could not be made, by side, so messages can say
/// whether the source or the target disk is to blame.
#[derive(Debug)]
pub enum CopyFailure {
    /// Reading the source failed (vanished, unreadable...).
    Source { path: PathBuf, error: io::Error },
    /// The source changed while it was read.
    SourceChanged { path: PathBuf, what: String },
    /// Writing or flushing the copy failed.
    Target { path: PathBuf, error: io::Error },
    /// The copy read back differs from what was written.
    Mismatch { written: String, read_back: String },
}

type Result<T> = std::result::Result<T, CopyFailure>;

/// How much written data is queued for the disk at a time (see
/// [`cache::start_writeback`]).
const WRITEBACK_BATCH: u64 = 8 << 20;

pub(super) fn source_error(path: &Path) -> impl FnOnce(io::Error) -> CopyFailure + '_ {
    move |error| CopyFailure::Source {
        path: path.to_path_buf(),
        error,
    }
}

pub(super) fn target_error(path: &Path) -> impl FnOnce(io::Error) -> CopyFailure + '_ {
    move |error| CopyFailure::Target {
        path: path.to_path_buf(),
        error,
    }
}

/// Copies `source` (a file or bundle of `kind`) to `temp`, which must not
/// exist, then reads `temp` back. On failure `temp` may hold part of a copy.
pub fn write_verified(
    fs: &Fs,
    source: &Path,
    kind: EntryKind,
    temp: &Path,
    progress: &mut dyn Progress,
) -> Result<Written> {
    let written = write_hashed(fs, source, kind, temp, progress)?;
    verify(fs, temp, &written, progress)?;
    Ok(written)
}

/// The first half of [`write_verified`]: the copy, hashed as it is written
/// and flushed, not yet read back.
pub fn write_hashed(
    fs: &Fs,
    source: &Path,
    kind: EntryKind,
    temp: &Path,
    progress: &mut dyn Progress,
) -> Result<Written> {
    let metadata = check_kind(source, kind)?;
    match kind {
        EntryKind::File => copy_file(fs, source, &metadata, temp, progress),
        EntryKind::Bundle => copy_bundle(fs, source, temp, progress),
    }
}

/// The source's metadata, when it is still of the planned kind.
pub(super) fn check_kind(source: &Path, kind: EntryKind) -> Result<Metadata> {
    let metadata = std::fs::symlink_metadata(source).map_err(source_error(source))?;
    let found = if metadata.is_file() {
        EntryKind::File
    } else if metadata.is_dir() {
        EntryKind::Bundle
    } else {
        return Err(CopyFailure::SourceChanged {
            path: source.to_path_buf(),
            what: String::from("it is no longer a file or a folder"),
        });
    };
    if found != kind {
        return Err(CopyFailure::SourceChanged {
            path: source.to_path_buf(),
            what: format!("it is now a {}", kind_word(found)),
        });
    }
    Ok(metadata)
}

pub(super) fn kind_word(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::File => "file",
        EntryKind::Bundle => "bundle (folder)",
    }
}

/// Copies one regular file, hashing what it reads; returns its hash.
fn copy_file(
    fs: &Fs,
    source: &Path,
    before: &Metadata,
    temp: &Path,
    progress: &mut dyn Progress,
) -> Result<Written> {
    let mut hasher = blake3::Hasher::new();
    let bytes = stream_file(fs, source, before, temp, progress, &mut |chunk| {
        hasher.update(chunk);
    })?;
    Ok(Written {
        hash: content_hash::to_hex(&hasher),
        bytes,
    })
}

/// Streams `source` into a new file at `temp`, feeding `hash` every chunk;
/// keeps permissions and modification time, flushes, and checks that the
/// source did not change meanwhile. Returns the bytes copied.
fn stream_file(
    fs: &Fs,
    source: &Path,
    before: &Metadata,
    temp: &Path,
    progress: &mut dyn Progress,
    hash: &mut dyn FnMut(&[u8]),
) -> Result<u64> {
    let input = File::open(source).map_err(source_error(source))?;
    cache::read_sequentially(&input);
    let mut output = fs.create_new(temp).map_err(target_error(temp))?;
    let mut offset = 0u64;
    let mut queued = 0u64;
    // Why the consumer stopped the reading, when it did.
    let mut stopped: Option<CopyFailure> = None;
    let limit = before.len();
    let streamed = read_chunks(fs, input, source, &mut |chunk| {
        if offset + chunk.len() as u64 > limit {
            // Still being written: stop rather than chase a growing file.
            stopped = Some(CopyFailure::SourceChanged {
                path: source.to_path_buf(),
                what: format!("its size changed from {limit} bytes while it was read (it grew)"),
            });
            return Err(io::Error::other("stopped"));
        }
        hash(chunk);
        if let Err(error) = fs.write(&mut output, temp, offset, chunk) {
            stopped = Some(target_error(temp)(error));
            return Err(io::Error::other("stopped"));
        }
        offset += chunk.len() as u64;
        // Start writing to the disk now rather than all at the final flush.
        if offset - queued >= WRITEBACK_BATCH {
            cache::start_writeback(&output, queued, (offset - queued) as usize);
            queued = offset;
        }
        progress.copied(chunk.len() as u64);
        Ok(())
    });
    if let Some(failure) = stopped {
        return Err(failure);
    }
    streamed.map_err(source_error(source))?;
    unchanged(source, before, offset)?;
    if let Ok(modified) = before.modified() {
        fs.set_modified_file(&output, temp, modified)
            .map_err(target_error(temp))?;
    }
    fs.sync_file(&output, temp).map_err(target_error(temp))?;
    drop(output);
    fs.set_permissions(temp, before.permissions())
        .map_err(target_error(temp))?;
    Ok(offset)
}

/// The source must still be the file that was listed: same length (equal to
/// what was read) and same modification time.
pub(super) fn unchanged(source: &Path, before: &Metadata, read: u64) -> Result<()> {
    let after = std::fs::symlink_metadata(source).map_err(source_error(source))?;
    let changed = |what: String| CopyFailure::SourceChanged {
        path: source.to_path_buf(),
        what,
    };
    if read != before.len() || after.len() != before.len() {
        return Err(changed(format!(
            "its size changed from {} to {} bytes while it was read",
            before.len(),
            after.len().max(read)
        )));
    }
    if after.modified().ok() != before.modified().ok() {
        return Err(changed(String::from("it was modified while it was read")));
    }
    Ok(())
}

/// Copies a bundle entry by entry in hashing order: folders, files (hashed as
/// they stream) and links; then folders get their permissions and times,
/// deepest first, and are flushed.
fn copy_bundle(
    fs: &Fs,
    source: &Path,
    temp: &Path,
    progress: &mut dyn Progress,
) -> Result<Written> {
    let root_metadata = std::fs::symlink_metadata(source).map_err(source_error(source))?;
    let entries = bundle_entries(source).map_err(source_error(source))?;
    fs.create_dir(temp).map_err(target_error(temp))?;
    let mut hasher = BundleHasher::new();
    let mut folders: Vec<(PathBuf, Metadata)> = vec![(temp.to_path_buf(), root_metadata)];
    let mut bytes = 0u64;
    for entry in &entries {
        let from = source.join(&entry.relative);
        let to = temp.join(&entry.relative);
        let metadata = std::fs::symlink_metadata(&from).map_err(source_error(&from))?;
        match &entry.kind {
            BundleEntryKind::Directory => {
                hasher.directory(&entry.key);
                fs.create_dir(&to).map_err(target_error(&to))?;
                folders.push((to, metadata));
            }
            BundleEntryKind::Symlink { target } => {
                let link = std::fs::read_link(&from).map_err(source_error(&from))?;
                hasher.symlink(&entry.key, target);
                fs.symlink(&link, &to).map_err(target_error(&to))?;
            }
            BundleEntryKind::File { len } => {
                hasher
                    .begin_file(&entry.key, *len)
                    .map_err(source_error(&from))?;
                bytes += stream_file(fs, &from, &metadata, &to, progress, &mut |chunk| {
                    hasher.file_data(chunk)
                })?;
            }
        }
    }
    let hash = hasher
        .finish()
        .map_err(|error| CopyFailure::SourceChanged {
            path: source.to_path_buf(),
            what: error.to_string(),
        })?;
    if bundle_entries(source).map_err(source_error(source))? != entries {
        return Err(CopyFailure::SourceChanged {
            path: source.to_path_buf(),
            what: String::from("files inside it were added, removed or resized while it was read"),
        });
    }
    for (folder, metadata) in folders.iter().rev() {
        finish_folder(fs, folder, metadata)?;
    }
    Ok(Written { hash, bytes })
}

/// A copied folder gets the source's times and permissions and is flushed.
/// Its permissions are set last so a read-only folder is complete first.
fn finish_folder(fs: &Fs, folder: &Path, metadata: &Metadata) -> Result<()> {
    if let Ok(modified) = metadata.modified() {
        fs.set_modified(folder, modified)
            .map_err(target_error(folder))?;
    }
    fs.sync_dir(folder).map_err(target_error(folder))?;
    fs.set_permissions(folder, metadata.permissions())
        .map_err(target_error(folder))
}

/// The second half of [`write_verified`]: reads the copy back from the disk
/// and compares its hash with what was written.
pub fn verify(fs: &Fs, temp: &Path, written: &Written, progress: &mut dyn Progress) -> Result<()> {
    let read_back = hash_from_disk(fs, temp, progress).map_err(target_error(temp))?;
    if read_back != written.hash {
        return Err(CopyFailure::Mismatch {
            written: written.hash.clone(),
            read_back,
        });
    }
    Ok(())
}

/// The hash of a copy as the disk returns it (cached pages dropped), read
/// through the fault seam.
pub fn hash_from_disk(fs: &Fs, path: &Path, progress: &mut dyn Progress) -> io::Result<String> {
    let mut feed = |file: &Path, consume: &mut dyn FnMut(&[u8])| -> io::Result<()> {
        let input = cache::open_uncached(file)?;
        cache::read_sequentially(&input);
        read_chunks(fs, input, file, &mut |chunk| {
            consume(chunk);
            progress.verified(chunk.len() as u64);
            Ok(())
        })
        .map(|_| ())
    };
    content_hash::hash_path_using(path, &mut feed)
}

/// Reads `file` (at `path`, for the fault seam) to its end in
/// [`BUFFER_SIZE`] chunks, passing each to `consume`; returns the bytes read.
/// The kernel's read-ahead keeps the disk busy while the chunk is hashed: on
/// the servers measured, a reader thread gained nothing (benches/README.md).
fn read_chunks(
    fs: &Fs,
    mut file: File,
    path: &Path,
    consume: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<u64> {
    let mut buffer = vec![0u8; BUFFER_SIZE];
    let mut offset = 0u64;
    loop {
        let read = fs.read(&mut file, path, offset, &mut buffer)?;
        if read == 0 {
            return Ok(offset);
        }
        consume(&buffer[..read])?;
        offset += read as u64;
    }
}

#[cfg(test)]
#[path = "copy_tests.rs"]
mod tests;
