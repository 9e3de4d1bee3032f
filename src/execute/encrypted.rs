//! Writing one encrypted copy of a backup under a temporary name: the backup
//! is read once, through the fault seam, and encrypted to the target's
//! recipients as it is read (a file's bytes, or a bundle as the tar stream of
//! [`crate::offsite::bundle`]); the plaintext and the ciphertext are hashed in
//! the same pass; the file is flushed, then read back with its cached pages
//! dropped and must hash as the ciphertext did. Only then may the caller
//! rename it to its stored name (`NAME.age`, `NAME.tar.age`).
//!
//! Only ciphertext ever reaches the file: encryption happens in memory, before
//! the writer, so not even a temporary file holds a plaintext byte. A source
//! that changes while it is read fails the copy, as in [`super::copy`].
//!
//! This module writes only the temporary path it is given, and never deletes:
//! cleaning up a failed temporary copy is the caller's job.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::copy::{self, check_kind, unchanged};
use super::copy_stream::{CopyFailure, Progress, source_error, target_error};
use super::filesystem::Fs;
use crate::content_hash::{BUFFER_SIZE, bundle_entries};
use crate::inventory::EntryKind;
use crate::offsite::bundle;
use crate::offsite::encrypt::Recipients;

/// An encrypted temporary copy that was read back and found whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The backup's content hash (a file's BLAKE3, or the bundle hash).
    pub content_hash: String,
    /// BLAKE3 of the encrypted file.
    pub ciphertext_hash: String,
    pub ciphertext_len: u64,
    /// Bytes of the backup read (a bundle: its files' bytes).
    pub plaintext_len: u64,
}

type Result<T> = std::result::Result<T, CopyFailure>;

/// The first error each side hit, so a failure deep inside age or tar is
/// blamed on the right disk.
#[derive(Default)]
struct Blame {
    source: RefCell<Option<(PathBuf, io::Error)>>,
    target: RefCell<Option<io::Error>>,
}

impl Blame {
    fn source(&self, path: &Path, error: io::Error) -> io::Error {
        let copy = io::Error::new(error.kind(), error.to_string());
        self.source
            .borrow_mut()
            .get_or_insert((path.to_path_buf(), error));
        copy
    }

    fn target(&self, error: io::Error) -> io::Error {
        let copy = io::Error::new(error.kind(), error.to_string());
        self.target.borrow_mut().get_or_insert(error);
        copy
    }

    /// What an error that surfaced from the encryption means.
    fn failure(&self, source: &Path, temp: &Path, error: io::Error) -> CopyFailure {
        if let Some(error) = self.target.borrow_mut().take() {
            return CopyFailure::Target {
                path: temp.to_path_buf(),
                error,
            };
        }
        if let Some((path, error)) = self.source.borrow_mut().take() {
            return CopyFailure::Source { path, error };
        }
        // Neither side's I/O: the bundle holds something that cannot be
        // archived, or its files changed size while read.
        CopyFailure::SourceChanged {
            path: source.to_path_buf(),
            what: error.to_string(),
        }
    }
}

/// Encrypts the backup at `source` (of `kind`) into `temp`, which must not
/// exist, then reads `temp` back. On failure `temp` may hold part of a copy
/// (ciphertext only).
pub fn write_encrypted(
    fs: &Fs,
    source: &Path,
    kind: EntryKind,
    recipients: &Recipients,
    temp: &Path,
    progress: &mut dyn Progress,
) -> Result<Sealed> {
    let metadata = check_kind(source, kind)?;
    let entries_before = match kind {
        EntryKind::Bundle => Some(bundle_entries(source).map_err(source_error(source))?),
        EntryKind::File => None,
    };
    let blame = Blame::default();
    let file = fs.create_new(temp).map_err(target_error(temp))?;
    let writer = SeamWriter {
        fs,
        file,
        path: temp,
        offset: 0,
        blame: &blame,
        progress: &mut *progress,
    };
    let sealed = seal(fs, source, kind, &metadata, recipients, writer, &blame)
        .map_err(|error| blame.failure(source, temp, error))?;
    match entries_before {
        None => unchanged(source, &metadata, sealed.plaintext_len)?,
        Some(before) => {
            if bundle_entries(source).map_err(source_error(source))? != before {
                return Err(CopyFailure::SourceChanged {
                    path: source.to_path_buf(),
                    what: String::from(
                        "files inside it were added, removed or resized while it was read",
                    ),
                });
            }
        }
    }
    let read_back = copy::hash_from_disk(fs, temp, progress).map_err(target_error(temp))?;
    if read_back != sealed.ciphertext_hash {
        return Err(CopyFailure::Mismatch {
            written: sealed.ciphertext_hash,
            read_back,
        });
    }
    Ok(sealed)
}

/// The encryption proper: reads, encrypts, finishes and flushes the file.
fn seal(
    fs: &Fs,
    source: &Path,
    kind: EntryKind,
    metadata: &std::fs::Metadata,
    recipients: &Recipients,
    writer: SeamWriter<'_>,
    blame: &Blame,
) -> io::Result<Sealed> {
    // age writes its header in small pieces: gather them into whole chunks.
    let mut stream = recipients.encrypt(BufWriter::with_capacity(BUFFER_SIZE, writer))?;
    let bundle_hash = match kind {
        EntryKind::File => {
            let mut reader = SeamReader::open(fs, source, blame)?;
            copy_limited(&mut reader, &mut stream, metadata.len())?;
            None
        }
        EntryKind::Bundle => {
            let mut open = |path: &Path| -> io::Result<Box<dyn Read + '_>> {
                Ok(Box::new(SeamReader::open(fs, path, blame)?))
            };
            Some(bundle::pack_with(source, &mut stream, &mut open)?)
        }
    };
    let (buffered, sealed) = stream.finish()?;
    let writer = buffered
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?;
    fs.sync_file(&writer.file, writer.path)
        .map_err(|error| blame.target(error))?;
    Ok(Sealed {
        content_hash: bundle_hash.unwrap_or(sealed.plaintext_hash),
        ciphertext_hash: sealed.ciphertext_hash,
        ciphertext_len: sealed.ciphertext_len,
        plaintext_len: match kind {
            EntryKind::File => sealed.plaintext_len,
            EntryKind::Bundle => crate::inventory::bundle_size(source).0,
        },
    })
}

/// Copies a file's bytes into the encrypting stream, stopping rather than
/// chasing a file that grows past the size it was listed with.
fn copy_limited(reader: &mut impl Read, output: &mut impl Write, limit: u64) -> io::Result<u64> {
    let mut buffer = vec![0u8; BUFFER_SIZE];
    let mut total = 0u64;
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            return Ok(total);
        }
        total += read as u64;
        if total > limit {
            return Err(io::Error::other(format!(
                "its size changed from {limit} bytes while it was read (it grew)"
            )));
        }
        output.write_all(&buffer[..read])?;
    }
}

/// Reads a backup's file through the fault seam.
struct SeamReader<'a> {
    fs: &'a Fs,
    file: File,
    path: PathBuf,
    offset: u64,
    blame: &'a Blame,
}

impl<'a> SeamReader<'a> {
    fn open(fs: &'a Fs, path: &Path, blame: &'a Blame) -> io::Result<SeamReader<'a>> {
        let file = File::open(path).map_err(|error| blame.source(path, error))?;
        crate::page_cache::read_sequentially(&file);
        Ok(SeamReader {
            fs,
            file,
            path: path.to_path_buf(),
            offset: 0,
            blame,
        })
    }
}

impl Read for SeamReader<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self
            .fs
            .read(&mut self.file, &self.path, self.offset, buffer)
            .map_err(|error| self.blame.source(&self.path, error))?;
        self.offset += read as u64;
        Ok(read)
    }
}

/// Writes the encrypted file through the fault seam, counting progress.
struct SeamWriter<'a> {
    fs: &'a Fs,
    file: File,
    path: &'a Path,
    offset: u64,
    blame: &'a Blame,
    progress: &'a mut dyn Progress,
}

impl Write for SeamWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.fs
            .write(&mut self.file, self.path, self.offset, bytes)
            .map_err(|error| self.blame.target(error))?;
        self.offset += bytes.len() as u64;
        self.progress.copied(bytes.len() as u64);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}
