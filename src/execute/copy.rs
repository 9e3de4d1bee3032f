//! Writing one copy of a backup under a temporary name and proving it good:
//! the source is read once, hashed as it is written (plain files like `b3sum`,
//! bundles as `crate::content_hash` describes), the copy is flushed to the
//! disk, its pages are dropped from memory, then it is read back from the
//! disk and must hash the same. Only then may the caller rename it to the
//! backup's name, so a backup's name never carries an unchecked copy.
//!
//! Copies keep the source's permissions and modification times. A bundle keeps
//! its structure: folders, files and symbolic links (recreated as links, never
//! followed), and is copied as one unit (`copy_bundle`: written whole, then
//! flushed once). A source that changes while it is read fails the copy.
//! What both kinds share (streaming a file, the failure and progress types)
//! is in `copy_stream`.
//!
//! This module writes only inside the temporary path it is given, and never
//! deletes: cleaning up a failed temporary copy is the caller's job.

use std::fs::{File, Metadata};
use std::io;
use std::path::Path;

use super::copy_bundle;
pub use super::copy_stream::{CopyFailure, Progress, Written};
use super::copy_stream::{Input, SeamReads, source_error, stream_file, target_error};
use super::filesystem::{Effect, Fs};
use crate::content_hash::{self, BUFFER_SIZE};
use crate::inventory::EntryKind;
use crate::page_cache;

type Result<T> = std::result::Result<T, CopyFailure>;

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
        EntryKind::Bundle => copy_bundle::copy_bundle(fs, source, &metadata, temp, progress),
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
    let input = File::open(source).map_err(source_error(source))?;
    page_cache::read_sequentially(&input);
    let reads = SeamReads::source(fs);
    let mut buffer = vec![0u8; BUFFER_SIZE];
    let streamed = stream_file(
        fs,
        &reads,
        Input {
            file: input,
            path: source,
            metadata: before,
        },
        temp,
        &mut buffer,
        progress,
        &mut |chunk| {
            hasher.update(chunk);
        },
    )?;
    unchanged(source, before, streamed.bytes)?;
    fs.sync_file(&streamed.output, temp)
        .map_err(target_error(temp))?;
    // Flushed pages are clean: they go, and the read-back reads the disk.
    page_cache::evict(&streamed.output);
    Ok(Written {
        hash: content_hash::to_hex(&hasher),
        bytes: streamed.bytes,
        files: 1,
        source: None,
    })
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

/// The second half of [`write_verified`]: reads the copy back from the disk
/// and compares its hash with what was written.
pub fn verify(fs: &Fs, temp: &Path, written: &Written, progress: &mut dyn Progress) -> Result<()> {
    fs.announce(Effect::ReadBack(temp))
        .map_err(target_error(temp))?;
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
/// through the fault seam, a bundle's files in order and read ahead.
pub fn hash_from_disk(fs: &Fs, path: &Path, progress: &mut dyn Progress) -> io::Result<String> {
    let reads = SeamReads {
        fs,
        prepare: page_cache::prepare_read_back,
    };
    content_hash::hash_path_with(path, &reads, &mut Verified(progress))
}

/// A read-back's progress: bytes and files verified.
struct Verified<'a>(&'a mut dyn Progress);

impl content_hash::Observe for Verified<'_> {
    fn bytes(&mut self, bytes: u64) {
        self.0.verified(bytes);
    }

    fn file_done(&mut self, done: u64, total: u64) {
        self.0.file_verified(done, total);
    }
}

#[cfg(test)]
#[path = "tests/copy.rs"]
mod tests;
