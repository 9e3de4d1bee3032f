//! Reading a bundle's files in hashing order with the next few already open,
//! so the disk has several files' reads in hand while one is hashed.
//!
//! A bundle of 20,000 small images read one file after the other waits on
//! the disk once per file; the kernel's read-ahead never crosses from one
//! file to the next. Opening the next files early and telling the kernel
//! they will be read (`page_cache::prefetch`, `POSIX_FADV_WILLNEED`) keeps
//! the disk's queue full. The caller decides how a file is opened and read
//! ([`FileReads`]: hints, the executor's fault seam, dropping cached pages);
//! this module only keeps the order and the window.
//!
//! A file's length is read once, from the open handle (`fstat`), when its
//! turn comes. This module reads and never writes.

use std::collections::VecDeque;
use std::fs::{File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use super::listing::{Listed, ListedKind};

/// How many files are open ahead of the one being read. Measured on the
/// 20,000-file bundle of `benches/bundle_copy.sh` (benches/README.md).
pub const WINDOW: usize = 16;

/// How the files of a bundle are opened and read.
pub trait FileReads {
    /// Opens a file of the bundle a few files before its turn (read-ahead
    /// hints belong here). The path is listed as a regular file.
    fn open(&mut self, path: &Path) -> io::Result<File>;

    /// Reads the next chunk of `file` (at `path`, `offset` bytes in) into
    /// `buffer`; 0 at its end.
    fn read(
        &mut self,
        file: &mut File,
        path: &Path,
        offset: u64,
        buffer: &mut [u8],
    ) -> io::Result<usize>;

    /// A bundle about to be read holds `files` regular files.
    fn listed(&mut self, _files: u64) {}

    /// A bundle's file was read to its end.
    fn finished(&mut self) {}
}

/// The regular files of a listing, handed out in order, each opened
/// [`WINDOW`] files before its turn.
pub struct OpenAhead<'l> {
    dir: &'l Path,
    files: Vec<&'l Listed>,
    opened: usize,
    queue: VecDeque<(PathBuf, io::Result<File>)>,
}

impl<'l> OpenAhead<'l> {
    pub fn new(dir: &'l Path, listing: &'l [Listed]) -> OpenAhead<'l> {
        OpenAhead {
            dir,
            files: listing
                .iter()
                .filter(|entry| entry.kind == ListedKind::File)
                .collect(),
            opened: 0,
            queue: VecDeque::with_capacity(WINDOW),
        }
    }

    /// How many regular files the listing holds.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The next file in listing order: its path, open handle and metadata
    /// (which must still be a regular file's). An error opening a file ahead
    /// is reported when its turn comes.
    pub fn next(&mut self, reads: &mut dyn FileReads) -> io::Result<(PathBuf, File, Metadata)> {
        while self.queue.len() < WINDOW && self.opened < self.files.len() {
            let path = self.dir.join(&self.files[self.opened].relative);
            let file = reads.open(&path);
            self.queue.push_back((path, file));
            self.opened += 1;
        }
        let (path, file) = self
            .queue
            .pop_front()
            .ok_or_else(|| io::Error::other("no file left in the bundle's listing"))?;
        let file = file?;
        let metadata = file.metadata()?;
        if !metadata.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is no longer a regular file", path.display()),
            ));
        }
        Ok((path, file, metadata))
    }
}

/// Opens a listed file for reading, never through a link, and never
/// blocking on a special file swapped in since the listing.
pub fn open_listed(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path)
}
