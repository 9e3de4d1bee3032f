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
//!
//! This module writes only inside the temporary path it is given, and never
//! deletes: cleaning up a failed temporary copy is the caller's job.

use std::fs::{File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use super::copy_bundle;
use super::filesystem::{Effect, Fs};
use crate::content_hash::{self, BUFFER_SIZE, FileReads};
use crate::inventory::{EntryKind, Fingerprint};
use crate::page_cache;

/// Receives the bytes (and a bundle's files) copied and read back, for a
/// progress display.
pub trait Progress {
    fn copied(&mut self, bytes: u64);
    fn verified(&mut self, bytes: u64);
    /// A bundle's file was copied: `done` of its `total` files so far.
    fn file_copied(&mut self, _done: u64, _total: u64) {}
    /// A bundle's file was read back: `done` of its `total` files so far.
    fn file_verified(&mut self, _done: u64, _total: u64) {}
}

/// A temporary copy that was read back and found equal to what was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub hash: String,
    /// Bytes read from the source (a bundle: its files' bytes).
    pub bytes: u64,
    /// A bundle's regular files (a file: 1).
    pub files: u64,
    /// A bundle's fingerprint as the copy read it, checked unchanged after
    /// the copy; `None` for a file (its caller checks it).
    pub source: Option<Fingerprint>,
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
/// [`page_cache::start_writeback`]).
pub(super) const WRITEBACK_BATCH: u64 = 8 << 20;

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

/// A source file opened for copying, with its metadata (read once).
pub(super) struct Input<'a> {
    pub file: File,
    pub path: &'a Path,
    pub metadata: &'a Metadata,
}

/// A copied file, still open for writing: not yet flushed.
pub(super) struct Streamed {
    pub output: File,
    pub bytes: u64,
}

/// Streams `input` into a new file at `temp`, feeding `hash` every chunk,
/// and gives it the source's permissions and modification time. The source
/// must read exactly the length it was listed with (a growing file is
/// stopped rather than chased). Not flushed: the caller does that, for one
/// file or for a whole bundle at once.
#[allow(clippy::too_many_arguments)]
pub(super) fn stream_file(
    fs: &Fs,
    reads: &dyn FileReads,
    input: Input<'_>,
    temp: &Path,
    buffer: &mut [u8],
    progress: &mut dyn Progress,
    hash: &mut dyn FnMut(&[u8]),
) -> Result<Streamed> {
    let Input {
        file: mut input,
        path: source,
        metadata: before,
    } = input;
    let mut output = fs.create_new(temp).map_err(target_error(temp))?;
    page_cache::no_cache(&output);
    let limit = before.len();
    let mut offset = 0u64;
    let mut queued = 0u64;
    loop {
        let read = reads
            .read(&mut input, source, offset, buffer)
            .map_err(source_error(source))?;
        if read == 0 {
            break;
        }
        if offset + read as u64 > limit {
            // Still being written: stop rather than chase a growing file.
            return Err(CopyFailure::SourceChanged {
                path: source.to_path_buf(),
                what: format!("its size changed from {limit} bytes while it was read (it grew)"),
            });
        }
        let chunk = &buffer[..read];
        hash(chunk);
        fs.write(&mut output, temp, offset, chunk)
            .map_err(target_error(temp))?;
        offset += read as u64;
        // Start writing to the disk now rather than all at the final flush.
        if offset - queued >= WRITEBACK_BATCH {
            page_cache::start_writeback(&output, queued, (offset - queued) as usize);
            queued = offset;
        }
        progress.copied(read as u64);
    }
    finish_file(fs, source, before, offset, output, temp)
}

/// Writes a small source file read whole (`bytes`) into a new file at
/// `temp`, like [`stream_file`].
pub(super) fn write_whole(
    fs: &Fs,
    source: &Path,
    before: &Metadata,
    bytes: &[u8],
    temp: &Path,
    progress: &mut dyn Progress,
) -> Result<Streamed> {
    let len = bytes.len() as u64;
    if len > before.len() {
        return Err(CopyFailure::SourceChanged {
            path: source.to_path_buf(),
            what: format!(
                "its size changed from {} bytes while it was read (it grew)",
                before.len()
            ),
        });
    }
    let mut output = fs.create_new(temp).map_err(target_error(temp))?;
    page_cache::no_cache(&output);
    if !bytes.is_empty() {
        fs.write(&mut output, temp, 0, bytes)
            .map_err(target_error(temp))?;
        progress.copied(len);
    }
    finish_file(fs, source, before, len, output, temp)
}

/// A copied file must be as long as its source was listed; then it gets the
/// source's modification time and permissions (on its open descriptor).
fn finish_file(
    fs: &Fs,
    source: &Path,
    before: &Metadata,
    copied: u64,
    output: File,
    temp: &Path,
) -> Result<Streamed> {
    if copied != before.len() {
        return Err(CopyFailure::SourceChanged {
            path: source.to_path_buf(),
            what: format!(
                "its size changed from {} to {copied} bytes while it was read",
                before.len()
            ),
        });
    }
    if let Ok(modified) = before.modified() {
        fs.set_modified_file(&output, temp, modified)
            .map_err(target_error(temp))?;
    }
    fs.set_permissions_file(&output, temp, before.permissions())
        .map_err(target_error(temp))?;
    Ok(Streamed {
        output,
        bytes: copied,
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

/// Reads a bundle's files through the fault seam, each prepared as it is
/// opened: the source read ahead (`SeamReads::source`), a copy read back
/// from the disk with its cached pages dropped (and on macOS caching off).
pub(super) struct SeamReads<'a> {
    pub fs: &'a Fs,
    pub prepare: fn(&File),
}

impl<'a> SeamReads<'a> {
    /// The source of a copy, read ahead.
    pub fn source(fs: &'a Fs) -> SeamReads<'a> {
        SeamReads {
            fs,
            prepare: page_cache::prefetch,
        }
    }
}

impl FileReads for SeamReads<'_> {
    fn open(&self, path: &Path) -> io::Result<File> {
        let file = content_hash::open_listed(path)?;
        (self.prepare)(&file);
        Ok(file)
    }

    fn read(
        &self,
        file: &mut File,
        path: &Path,
        offset: u64,
        buffer: &mut [u8],
    ) -> io::Result<usize> {
        self.fs.read(file, path, offset, buffer)
    }
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
