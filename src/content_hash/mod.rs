//! The content hash rota records in manifests and checks after every copy and in
//! `rota verify`: BLAKE3, written as 64 lowercase hex digits.
//!
//! - A plain file's hash is BLAKE3 of its bytes, so anyone can check it by hand
//!   with `b3sum FILE`.
//! - A directory bundle's hash is BLAKE3 over a canonical description of every
//!   entry under the bundle (not the bundle folder itself), taken in order of
//!   key compared as bytes. An entry's key is its relative path with `/`
//!   between components, each name in Unicode NFC (names that are not UTF-8:
//!   their bytes as stored):
//!   - a directory: `b"D"`, u64le(key length), key;
//!   - a regular file: `b"F"`, u64le(key length), key, u64le(file length),
//!     the file's bytes;
//!   - a symbolic link: `b"L"`, u64le(key length), key, u64le(target
//!     length), the target as stored in the link (never followed).
//!
//!   Finder litter (`.DS_Store`, `._*`, `Icon\r` files) is not part of a
//!   bundle ([`listing`]). Any other kind of entry (a socket, a device)
//!   cannot be copied faithfully, so hashing a bundle that holds one is an
//!   error.
//!
//! The executor hashes while it copies, reading each file once: it lists a
//! bundle with [`list_bundle`], walks the list in order, and feeds a
//! [`BundleHasher`] as it writes (a plain file: a [`blake3::Hasher`] and
//! [`to_hex`]). A file whose length changes while it is read makes the hash fail
//! rather than describe something that never existed. A bundle's files are
//! read in hashing order, the next ones read ahead on a few threads
//! ([`reader`]).
//!
//! This module reads files and never writes, moves or deletes anything.

pub mod listing;
pub mod reader;

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

pub use listing::{Listed, ListedKind, is_finder_litter, list_bundle};
pub use reader::{Ahead, Content, FileReads, ReadAhead, open_listed, with_read_ahead};

/// Read buffer size. The kernel's read-ahead keeps disks streaming; the
/// buffer itself should stay in the CPU's cache: on the x86 servers measured
/// (benches/README.md), reading and hashing in 128 KiB chunks ran twice as
/// fast as in 1 MiB chunks.
pub const BUFFER_SIZE: usize = 128 << 10;

/// What hashing reports as it reads, for a progress display.
pub trait Observe {
    /// `bytes` more were read.
    fn bytes(&mut self, _bytes: u64) {}
    /// A bundle's file was read: `done` of its `total` so far.
    fn file_done(&mut self, _done: u64, _total: u64) {}
}

/// Reports nothing.
pub struct Unobserved;

impl Observe for Unobserved {}

/// The hash of a plain file (equal to `b3sum`'s output).
pub fn hash_file(path: &Path) -> io::Result<String> {
    hash_one_file(path, &Plain, &mut Unobserved)
}

/// The hash of a directory bundle, as described in the module documentation.
pub fn hash_bundle(dir: &Path) -> io::Result<String> {
    hash_bundle_with(dir, &Plain, &mut Unobserved)
}

/// A bundle's hash, its files opened and read by `reads` (on reader
/// threads, in order: [`reader`]).
fn hash_bundle_with(
    dir: &Path,
    reads: &dyn FileReads,
    observe: &mut dyn Observe,
) -> io::Result<String> {
    let listing = list_bundle(dir)?;
    with_read_ahead(dir, &listing, reads, |ahead| {
        let total = ahead.len() as u64;
        let mut done = 0u64;
        let mut hasher = BundleHasher::new();
        let mut buffer = vec![0u8; BUFFER_SIZE];
        for entry in &listing {
            match entry.kind {
                ListedKind::Directory => hasher.directory(&entry.key),
                ListedKind::Symlink => {
                    let target = std::fs::read_link(dir.join(&entry.relative))?;
                    hasher.symlink(&entry.key, &listing::os_bytes(target.as_os_str()));
                }
                ListedKind::File => {
                    let file = ahead.next_file()?;
                    hasher.begin_file(&entry.key, file.metadata.len())?;
                    match file.content {
                        Content::Whole(bytes) => {
                            hasher.file_data(&bytes);
                            observe.bytes(bytes.len() as u64);
                        }
                        Content::Open(mut handle) => {
                            read_open_file(
                                reads,
                                &mut handle,
                                &file.path,
                                &mut buffer,
                                &mut |c| {
                                    hasher.file_data(c);
                                    observe.bytes(c.len() as u64);
                                },
                            )?;
                        }
                    }
                    done += 1;
                    observe.file_done(done, total);
                }
            }
        }
        hasher.finish()
    })
}

/// The hash of a backup, a plain file or a bundle (decided without following a
/// symlink: a symlink is neither, and is an error).
pub fn hash_path(path: &Path) -> io::Result<String> {
    hash_path_with(path, &Plain, &mut Unobserved)
}

/// As [`hash_path`], reading the disk rather than memory (each file's cached
/// pages dropped first: [`FromDisk`]) and telling `observe` how many bytes
/// each read brought (for a progress bar).
pub fn hash_path_from_disk(path: &Path, observe: &mut dyn FnMut(u64)) -> io::Result<String> {
    struct Bytes<'a>(&'a mut dyn FnMut(u64));
    impl Observe for Bytes<'_> {
        fn bytes(&mut self, bytes: u64) {
            (self.0)(bytes);
        }
    }
    hash_path_with(path, &FromDisk, &mut Bytes(observe))
}

/// [`hash_path`], opening and reading each regular file with `reads`.
pub fn hash_path_with(
    path: &Path,
    reads: &dyn FileReads,
    observe: &mut dyn Observe,
) -> io::Result<String> {
    let file_type = std::fs::symlink_metadata(path)?.file_type();
    if file_type.is_file() {
        hash_one_file(path, reads, observe)
    } else if file_type.is_dir() {
        hash_bundle_with(path, reads, observe)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is neither a file nor a folder", path.display()),
        ))
    }
}

fn hash_one_file(
    path: &Path,
    reads: &dyn FileReads,
    observe: &mut dyn Observe,
) -> io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    let mut file = reads.open(path)?;
    let mut buffer = vec![0u8; BUFFER_SIZE];
    read_open_file(reads, &mut file, path, &mut buffer, &mut |chunk| {
        hasher.update(chunk);
        observe.bytes(chunk.len() as u64);
    })?;
    Ok(to_hex(&hasher))
}

/// Reads files from the disk: each one's cached pages are dropped (and on
/// macOS caching is off) before it is read
/// ([`crate::page_cache::prepare_read_back`]).
pub struct FromDisk;

impl FileReads for FromDisk {
    fn open(&self, path: &Path) -> io::Result<File> {
        let file = open_listed(path)?;
        crate::page_cache::prepare_read_back(&file);
        Ok(file)
    }

    fn read(
        &self,
        file: &mut File,
        path: &Path,
        offset: u64,
        buffer: &mut [u8],
    ) -> io::Result<usize> {
        Plain.read(file, path, offset, buffer)
    }
}

/// Reads files straight through the page cache, with read-ahead hints.
pub struct Plain;

impl FileReads for Plain {
    fn open(&self, path: &Path) -> io::Result<File> {
        let file = open_listed(path)?;
        crate::page_cache::prefetch(&file);
        Ok(file)
    }

    fn read(
        &self,
        file: &mut File,
        _path: &Path,
        _offset: u64,
        buffer: &mut [u8],
    ) -> io::Result<usize> {
        use std::io::Read;
        loop {
            match file.read(buffer) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }
}

/// Reads an open file to its end in `buffer`-sized chunks; returns its length.
fn read_open_file(
    reads: &dyn FileReads,
    file: &mut File,
    path: &Path,
    buffer: &mut [u8],
    consume: &mut dyn FnMut(&[u8]),
) -> io::Result<u64> {
    let mut offset = 0u64;
    loop {
        let read = reads.read(file, path, offset, buffer)?;
        if read == 0 {
            return Ok(offset);
        }
        consume(&buffer[..read]);
        offset += read as u64;
    }
}

/// A finished hasher's digest as lowercase hex.
pub fn to_hex(hasher: &blake3::Hasher) -> String {
    hasher.finalize().to_hex().to_string()
}

/// One entry under a bundle, in hashing (and copying) order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleEntry {
    /// Path relative to the bundle folder, as the OS spells it.
    pub relative: PathBuf,
    /// The relative path as hashed: bytes, components joined with `/`.
    pub key: Vec<u8>,
    pub kind: BundleEntryKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleEntryKind {
    Directory,
    /// A regular file and its length when listed.
    File {
        len: u64,
    },
    /// A symbolic link and its target's bytes (never followed).
    Symlink {
        target: Vec<u8>,
    },
}

/// Every entry under `dir` in hashing order ([`list_bundle`]), with each
/// file's length (one `lstat` each) and each link's target.
pub fn bundle_entries(dir: &Path) -> io::Result<Vec<BundleEntry>> {
    list_bundle(dir)?
        .into_iter()
        .map(|listed| {
            let path = dir.join(&listed.relative);
            let kind = match listed.kind {
                ListedKind::Directory => BundleEntryKind::Directory,
                ListedKind::File => BundleEntryKind::File {
                    len: std::fs::symlink_metadata(&path)?.len(),
                },
                ListedKind::Symlink => BundleEntryKind::Symlink {
                    target: listing::os_bytes(std::fs::read_link(&path)?.as_os_str()),
                },
            };
            Ok(BundleEntry {
                relative: listed.relative,
                key: listed.key,
                kind,
            })
        })
        .collect()
}

/// Builds a bundle's hash one entry at a time, so the executor can hash what it
/// reads while copying. Entries must come in [`bundle_entries`] order; a file's
/// bytes go through [`BundleHasher::file_data`] after [`BundleHasher::begin_file`].
#[derive(Debug, Clone, Default)]
pub struct BundleHasher {
    hasher: blake3::Hasher,
    /// The file being fed: its key (for messages), announced and received lengths.
    open_file: Option<(Vec<u8>, u64, u64)>,
}

impl BundleHasher {
    pub fn new() -> BundleHasher {
        BundleHasher::default()
    }

    pub fn directory(&mut self, key: &[u8]) {
        self.hasher.update(b"D");
        self.put_bytes(key);
    }

    pub fn symlink(&mut self, key: &[u8], target: &[u8]) {
        self.hasher.update(b"L");
        self.put_bytes(key);
        self.put_bytes(target);
    }

    /// Starts a regular file of `len` bytes; its contents follow via `file_data`.
    /// Fails if the previous file did not receive exactly its announced length.
    pub fn begin_file(&mut self, key: &[u8], len: u64) -> io::Result<()> {
        self.close_file()?;
        self.hasher.update(b"F");
        self.put_bytes(key);
        self.hasher.update(&len.to_le_bytes());
        self.open_file = Some((key.to_vec(), len, 0));
        Ok(())
    }

    pub fn file_data(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        if let Some((_, _, received)) = &mut self.open_file {
            *received += bytes.len() as u64;
        }
    }

    /// The bundle's hash; fails if the last file's length changed while read.
    pub fn finish(mut self) -> io::Result<String> {
        self.close_file()?;
        Ok(to_hex(&self.hasher))
    }

    fn put_bytes(&mut self, bytes: &[u8]) {
        self.hasher.update(&(bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
    }

    fn close_file(&mut self) -> io::Result<()> {
        match self.open_file.take() {
            Some((key, announced, received)) if announced != received => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} changed while it was read ({announced} bytes listed, {received} read)",
                    String::from_utf8_lossy(&key)
                ),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, bytes: &[u8]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn a_plain_file_hashes_like_b3sum() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backup.bin");
        write(&path, b"abc");
        assert_eq!(
            hash_file(&path).unwrap(),
            blake3::hash(b"abc").to_hex().to_string()
        );
        assert_eq!(hash_path(&path).unwrap(), hash_file(&path).unwrap());
    }

    #[test]
    fn a_file_larger_than_the_buffer_hashes_in_full() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        let bytes: Vec<u8> = (0..BUFFER_SIZE * 2 + 17).map(|i| (i % 251) as u8).collect();
        write(&path, &bytes);
        assert_eq!(
            hash_file(&path).unwrap(),
            blake3::hash(&bytes).to_hex().to_string()
        );
    }

    /// The bundle digest spelled out by hand, so the documented format is pinned.
    #[test]
    fn a_bundle_hash_follows_the_documented_format() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("b.mpbackup");
        write(&bundle.join("data/x.db"), b"xyz");
        write(&bundle.join("a-file"), b"");
        let mut expected = blake3::Hasher::new();
        let put = |h: &mut blake3::Hasher, bytes: &[u8]| {
            h.update(&(bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        // Byte order: "a-file" < "data" < "data/x.db".
        expected.update(b"F");
        put(&mut expected, b"a-file");
        expected.update(&0u64.to_le_bytes());
        expected.update(b"D");
        put(&mut expected, b"data");
        expected.update(b"F");
        put(&mut expected, b"data/x.db");
        expected.update(&3u64.to_le_bytes());
        expected.update(b"xyz");
        assert_eq!(hash_bundle(&bundle).unwrap(), to_hex(&expected));
        assert_eq!(hash_path(&bundle).unwrap(), to_hex(&expected));
    }

    #[test]
    fn entries_sort_by_whole_path_bytes_not_by_folder() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("a/b"), b"1");
        write(&dir.path().join("a-c"), b"2");
        let keys: Vec<String> = bundle_entries(dir.path())
            .unwrap()
            .into_iter()
            .map(|entry| String::from_utf8(entry.key).unwrap())
            .collect();
        assert_eq!(keys, ["a", "a-c", "a/b"]);
    }

    #[test]
    fn a_change_of_name_or_content_changes_the_bundle_hash() {
        let dir = tempfile::tempdir().unwrap();
        let one = dir.path().join("one");
        let two = dir.path().join("two");
        write(&one.join("f"), b"same");
        write(&two.join("g"), b"same");
        assert_ne!(hash_bundle(&one).unwrap(), hash_bundle(&two).unwrap());
        let before = hash_bundle(&one).unwrap();
        write(&one.join("f"), b"diff");
        assert_ne!(hash_bundle(&one).unwrap(), before);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_in_a_bundle_is_hashed_as_a_link_and_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("b");
        write(&dir.path().join("outside"), b"secret");
        std::fs::create_dir_all(&bundle).unwrap();
        std::os::unix::fs::symlink("../outside", bundle.join("link")).unwrap();
        let mut expected = BundleHasher::new();
        expected.symlink(b"link", b"../outside");
        assert_eq!(hash_bundle(&bundle).unwrap(), expected.finish().unwrap());
        // Changing what the link points at does not change the bundle.
        let before = hash_bundle(&bundle).unwrap();
        write(&dir.path().join("outside"), b"changed");
        assert_eq!(hash_bundle(&bundle).unwrap(), before);
    }

    #[test]
    fn streaming_equals_hashing_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("x/y"), b"hello world");
        let mut streamed = BundleHasher::new();
        for entry in bundle_entries(dir.path()).unwrap() {
            match entry.kind {
                BundleEntryKind::Directory => streamed.directory(&entry.key),
                BundleEntryKind::File { len } => {
                    streamed.begin_file(&entry.key, len).unwrap();
                    streamed.file_data(b"hello ");
                    streamed.file_data(b"world");
                }
                BundleEntryKind::Symlink { target } => streamed.symlink(&entry.key, &target),
            }
        }
        assert_eq!(streamed.finish().unwrap(), hash_bundle(dir.path()).unwrap());
    }

    #[test]
    fn a_file_that_changes_length_while_read_fails_the_hash() {
        let mut hasher = BundleHasher::new();
        hasher.begin_file(b"f", 10).unwrap();
        hasher.file_data(b"short");
        let error = hasher.finish().unwrap_err();
        assert!(error.to_string().contains("changed while it was read"));
    }

    #[test]
    fn a_missing_path_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        assert!(hash_path(&dir.path().join("nope")).is_err());
    }
}
