//! Reading a bundle's files in hashing order, the next ones read ahead on a
//! few threads, so the disk has several files' reads in hand while one is
//! hashed (and written, when copying).
//!
//! A bundle of 20,000 small images read one file after the other waits on
//! the disk once per file: the kernel's read-ahead never crosses from one
//! file to the next. [`READERS`] threads each take the next file not yet
//! taken, open it (the caller's [`FileReads::open`]: hints, the executor's
//! fault seam), read its metadata once from the open handle (`fstat`) and,
//! when it is small, read it whole; the caller gets the files in order. A
//! big file is handed over open and streamed by the caller. At most
//! [`AHEAD`] files are read ahead of the caller. Measured against one
//! thread with `POSIX_FADV_WILLNEED` hints and against one file after the
//! other in `benches/bundle_read.sh` (benches/README.md); on macOS, which
//! has no such hint for a file not yet read, the threads are the only way
//! to keep the disk busy.
//!
//! The hash itself is one BLAKE3 stream over all files in order, so it is
//! computed by the caller's thread alone. This module reads and never
//! writes.

use std::collections::BTreeMap;
use std::fs::{File, Metadata};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Condvar, Mutex, PoisonError};

use super::BUFFER_SIZE;
use super::listing::{Listed, ListedKind};

/// How many threads read ahead (measured best of 2, 4 and 8 on a 2-core
/// server: reading waits on the disk, not the CPU).
pub const READERS: usize = 4;

/// How many files may be read ahead of the one being used.
pub const AHEAD: usize = 32;

/// Files up to this size are read whole by a reader thread; bigger ones are
/// handed over open, to be streamed. Bounds the memory read ahead to
/// `AHEAD` times this.
pub const WHOLE: u64 = 1 << 20;

/// How the files of a bundle are opened and read; called from the reader
/// threads.
pub trait FileReads: Sync {
    /// Opens a file of the bundle (read-ahead hints belong here). The path
    /// is listed as a regular file.
    fn open(&self, path: &Path) -> io::Result<File>;

    /// Reads the next chunk of `file` (at `path`, `offset` bytes in) into
    /// `buffer`; 0 at its end.
    fn read(
        &self,
        file: &mut File,
        path: &Path,
        offset: u64,
        buffer: &mut [u8],
    ) -> io::Result<usize>;
}

/// A regular file of the bundle, read ahead.
pub struct Ahead {
    pub path: PathBuf,
    /// Read once, from the open handle, before its content.
    pub metadata: Metadata,
    pub content: Content,
}

pub enum Content {
    /// All of a small file, as read to its end (its length may differ from
    /// the metadata's if it changed meanwhile: the caller checks).
    Whole(Vec<u8>),
    /// A big file, open at its start, for the caller to stream.
    Open(File),
}

/// Runs `body` with the regular files of `listing` (under `dir`) being read
/// ahead; `body` takes them in order with [`ReadAhead::next_file`].
pub fn with_read_ahead<R>(
    dir: &Path,
    listing: &[Listed],
    reads: &dyn FileReads,
    body: impl FnOnce(&mut ReadAhead) -> R,
) -> R {
    let paths: Vec<PathBuf> = listing
        .iter()
        .filter(|entry| entry.kind == ListedKind::File)
        .map(|entry| dir.join(&entry.relative))
        .collect();
    let shared = Shared {
        next: AtomicUsize::new(0),
        taken: Mutex::new(0),
        moved: Condvar::new(),
        stop: AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        let (send, receive) = channel();
        for _ in 0..READERS.min(paths.len()) {
            let send = send.clone();
            let (paths, shared) = (&paths, &shared);
            scope.spawn(move || read_files(paths, shared, reads, &send));
        }
        drop(send);
        // However `body` ends (a panic too), the readers stop, or the
        // scope would wait for them for ever.
        let _stop = StopOnDrop(&shared);
        let mut ahead = ReadAhead {
            total: paths.len(),
            turn: 0,
            waiting: BTreeMap::new(),
            receive,
            shared: &shared,
        };
        body(&mut ahead)
    })
}

struct StopOnDrop<'s>(&'s Shared);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        // Under the lock, so no reader checks the flag and then sleeps
        // through this notification.
        let _taken = self.0.taken.lock().unwrap_or_else(PoisonError::into_inner);
        self.0.stop.store(true, Ordering::SeqCst);
        self.0.moved.notify_all();
    }
}

struct Shared {
    /// The next file a reader thread takes.
    next: AtomicUsize,
    /// How many files the caller has taken.
    taken: Mutex<usize>,
    moved: Condvar,
    /// The caller is done (or gave up): readers stop.
    stop: AtomicBool,
}

/// The caller's end: the files in order.
pub struct ReadAhead<'s> {
    total: usize,
    turn: usize,
    waiting: BTreeMap<usize, io::Result<Ahead>>,
    receive: Receiver<(usize, io::Result<Ahead>)>,
    shared: &'s Shared,
}

impl ReadAhead<'_> {
    /// How many regular files the listing holds.
    pub fn len(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The next file in listing order. An error reading it ahead is
    /// reported now, at its turn.
    pub fn next_file(&mut self) -> io::Result<Ahead> {
        if self.turn >= self.total {
            return Err(io::Error::other("no file left in the bundle's listing"));
        }
        let file = loop {
            if let Some(file) = self.waiting.remove(&self.turn) {
                break file;
            }
            match self.receive.recv() {
                Ok((index, file)) => {
                    self.waiting.insert(index, file);
                }
                Err(_) => return Err(io::Error::other("the bundle's readers stopped")),
            }
        };
        self.turn += 1;
        *self
            .shared
            .taken
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = self.turn;
        self.shared.moved.notify_all();
        file
    }
}

/// A reader thread: takes the next file, waits until it is at most
/// [`AHEAD`] files in front of the caller, reads it, hands it over.
fn read_files(
    paths: &[PathBuf],
    shared: &Shared,
    reads: &dyn FileReads,
    send: &Sender<(usize, io::Result<Ahead>)>,
) {
    let mut buffer = vec![0u8; BUFFER_SIZE];
    loop {
        let index = shared.next.fetch_add(1, Ordering::SeqCst);
        if index >= paths.len() {
            return;
        }
        {
            let mut taken = shared.taken.lock().unwrap_or_else(PoisonError::into_inner);
            while index >= *taken + AHEAD && !shared.stop.load(Ordering::SeqCst) {
                taken = shared
                    .moved
                    .wait(taken)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let file = read_one(reads, &paths[index], &mut buffer);
        if send.send((index, file)).is_err() {
            return;
        }
    }
}

/// Opens a file, reads its metadata, and reads it whole when it is small.
fn read_one(reads: &dyn FileReads, path: &Path, buffer: &mut [u8]) -> io::Result<Ahead> {
    let mut file = reads.open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is no longer a regular file", path.display()),
        ));
    }
    if metadata.len() > WHOLE {
        return Ok(Ahead {
            path: path.to_path_buf(),
            metadata,
            content: Content::Open(file),
        });
    }
    let mut whole = Vec::with_capacity(metadata.len() as usize);
    loop {
        let read = reads.read(&mut file, path, whole.len() as u64, buffer)?;
        if read == 0 {
            break;
        }
        whole.extend_from_slice(&buffer[..read]);
        // Grown past what may be read ahead: the caller sees the length.
        if whole.len() as u64 > WHOLE {
            break;
        }
    }
    Ok(Ahead {
        path: path.to_path_buf(),
        metadata,
        content: Content::Whole(whole),
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content_hash::list_bundle;
    use std::io::Read;

    struct Plain;
    impl FileReads for Plain {
        fn open(&self, path: &Path) -> io::Result<File> {
            open_listed(path)
        }
        fn read(&self, file: &mut File, _: &Path, _: u64, buffer: &mut [u8]) -> io::Result<usize> {
            file.read(buffer)
        }
    }

    #[test]
    fn files_come_in_listing_order_small_ones_whole_big_ones_open() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..200 {
            let folder = dir.path().join(format!("f{}", i % 9));
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join(format!("{i:03}")), vec![i as u8; i * 10]).unwrap();
        }
        std::fs::write(dir.path().join("big"), vec![1u8; WHOLE as usize + 1]).unwrap();
        let listing = list_bundle(dir.path()).unwrap();
        let expected: Vec<PathBuf> = listing
            .iter()
            .filter(|e| e.kind == ListedKind::File)
            .map(|e| dir.path().join(&e.relative))
            .collect();
        let got = with_read_ahead(dir.path(), &listing, &Plain, |ahead| {
            assert_eq!(ahead.len(), 201);
            let mut got = Vec::new();
            for _ in 0..ahead.len() {
                let file = ahead.next_file().unwrap();
                match file.content {
                    Content::Whole(bytes) => assert_eq!(bytes, std::fs::read(&file.path).unwrap()),
                    Content::Open(_) => assert!(file.path.ends_with("big")),
                }
                got.push(file.path);
            }
            assert!(ahead.next_file().is_err());
            got
        });
        assert_eq!(got, expected);
    }

    #[test]
    fn an_error_ahead_is_reported_at_its_turn_and_an_early_stop_ends_the_readers() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..100 {
            std::fs::write(dir.path().join(format!("{i:03}")), b"x").unwrap();
        }
        let listing = list_bundle(dir.path()).unwrap();
        std::fs::remove_file(dir.path().join("005")).unwrap();
        with_read_ahead(dir.path(), &listing, &Plain, |ahead| {
            for _ in 0..5 {
                ahead.next_file().unwrap();
            }
            let error = ahead.next_file().err().unwrap();
            assert_eq!(error.kind(), io::ErrorKind::NotFound);
            // Giving up here must not leave a reader waiting for ever.
        });
    }
}
