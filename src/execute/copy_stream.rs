//! What every copy of a backup shares, whether a plain file
//! ([`super::copy`]) or a bundle's files ([`super::copy_bundle`]): the
//! progress it reports, what it proves ([`Written`]) or why it failed
//! ([`CopyFailure`]), the reads through the fault seam, and streaming one
//! source file into its temporary copy with the source's time and
//! permissions.
//!
//! It writes only the new file it is given and never flushes or deletes:
//! flushing (one file, or a whole bundle at once) is the caller's job.

use std::fs::{File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use super::filesystem::Fs;
use crate::content_hash::{self, FileReads};
use crate::inventory::Fingerprint;
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
