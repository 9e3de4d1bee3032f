//! A directory bundle as one stream, so it can be encrypted and uploaded as one
//! file, and restored exactly.
//!
//! The stream is an ordinary tar archive (GNU format, as GNU tar and bsdtar
//! read it), so `age -d -i key.txt NAME.tar.age | tar -x` restores a bundle with
//! no rota at hand. rota writes it deterministically:
//!
//! - first the bundle folder itself, `NAME/`; then every entry under it, as
//!   `NAME/relative/path`, in the order of [`crate::content_hash::bundle_entries`]
//!   (relative path compared as bytes), so parents always come before children;
//! - folders, regular files (with their bytes) and symbolic links (the link's
//!   own target, never followed) only: a bundle holding anything else cannot be
//!   copied faithfully and is refused, as the content hash refuses it;
//! - permission bits (`rwx` for owner, group, others) and modification times as
//!   found; owner and group are not recorded (uid/gid 0).
//!
//! [`pack`] feeds a [`BundleHasher`] with the very bytes it writes, so the
//! recorded content hash is the bundle hash of what was encrypted. [`unpack`]
//! recomputes it while restoring, and refuses anything rota would not have
//! written (absolute paths, `..`, entries out of order, an entry under a link,
//! a second top-level folder): a stream someone crafted with the public key
//! cannot write outside the folder it is restored to.
//!
//! `pack` only reads the bundle; `unpack` only creates entries inside its
//! output folder, which must not exist yet.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::content_hash::listing::name_key_bytes;
use crate::content_hash::{BundleEntryKind, BundleHasher, bundle_entries};

/// Writes the tar stream of the bundle folder `dir` into `output` and returns
/// the bundle's content hash, computed from the bytes written.
pub fn pack(dir: &Path, output: &mut impl Write) -> io::Result<String> {
    pack_with(dir, output, &mut |path| Ok(Box::new(File::open(path)?)))
}

/// Opens a file of a bundle for reading (the executor reads through its
/// fault seam).
pub type Opener<'a> = dyn FnMut(&Path) -> io::Result<Box<dyn Read + 'a>> + 'a;

/// [`pack`], reading each file of the bundle through `open`.
pub fn pack_with<'a>(
    dir: &Path,
    output: &mut impl Write,
    open: &mut Opener<'a>,
) -> io::Result<String> {
    let top = dir
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a bundle needs a name"))?;
    let top = PathBuf::from(top);
    let mut hasher = BundleHasher::new();
    let mut builder = tar::Builder::new(output);
    builder.append_data(
        &mut header_for(dir, tar::EntryType::Directory, 0)?,
        &top,
        io::empty(),
    )?;
    for entry in bundle_entries(dir)? {
        let source = dir.join(&entry.relative);
        let name = top.join(&entry.relative);
        match &entry.kind {
            BundleEntryKind::Directory => {
                hasher.directory(&entry.key);
                let mut header = header_for(&source, tar::EntryType::Directory, 0)?;
                builder.append_data(&mut header, &name, io::empty())?;
            }
            BundleEntryKind::File { len } => {
                hasher.begin_file(&entry.key, *len)?;
                let mut header = header_for(&source, tar::EntryType::Regular, *len)?;
                let reader = FeedHasher {
                    inner: open(&source)?,
                    hasher: &mut hasher,
                };
                builder.append_data(&mut header, &name, reader)?;
            }
            BundleEntryKind::Symlink { target } => {
                hasher.symlink(&entry.key, target);
                let mut header = header_for(&source, tar::EntryType::Symlink, 0)?;
                builder.append_link(&mut header, &name, path_from_bytes(target)?)?;
            }
        }
    }
    builder.into_inner()?;
    hasher.finish()
}

/// A reader that feeds a bundle hasher with what it reads.
struct FeedHasher<'a, R> {
    inner: R,
    hasher: &'a mut BundleHasher,
}

impl<R: Read> Read for FeedHasher<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.hasher.file_data(&buf[..read]);
        Ok(read)
    }
}

/// A header with the entry's type, size, permission bits and modification
/// time (read without following a link).
fn header_for(path: &Path, kind: tar::EntryType, size: u64) -> io::Result<tar::Header> {
    let metadata = fs::symlink_metadata(path)?;
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(permission_bits(&metadata, kind));
    header.set_uid(0);
    header.set_gid(0);
    let mtime = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_secs());
    header.set_mtime(mtime);
    Ok(header)
}

#[cfg(unix)]
fn permission_bits(metadata: &fs::Metadata, _kind: tar::EntryType) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn permission_bits(metadata: &fs::Metadata, kind: tar::EntryType) -> u32 {
    match kind {
        tar::EntryType::Directory | tar::EntryType::Symlink => 0o755,
        _ if metadata.permissions().readonly() => 0o444,
        _ => 0o644,
    }
}

/// A bundle restored by [`unpack`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpacked {
    /// The top-level folder's name in the stream (the backup's name).
    pub name: String,
    /// The bundle hash of what was restored.
    pub content_hash: String,
    /// Bytes of file content restored.
    pub size: u64,
}

/// Why a stream could not be restored as a bundle. Errors of the reader itself
/// (decryption) come back as [`UnpackError::Read`], untouched.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("{0}")]
    Read(io::Error),
    #[error("the stream is not a bundle rota wrote: {0}")]
    NotABundle(String),
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// Restores the bundle stream `input` into the new folder `out` (its contents
/// become the bundle's entries, whatever the stream's top folder is called).
pub fn unpack(input: impl Read, out: &Path) -> Result<Unpacked, UnpackError> {
    let mut archive = tar::Archive::new(input);
    let mut state = Restoring::default();
    for entry in archive.entries().map_err(UnpackError::Read)? {
        let entry = entry.map_err(UnpackError::Read)?;
        state.restore(entry, out)?;
    }
    let Some(name) = state.top.take() else {
        return Err(UnpackError::NotABundle("it holds no entries".into()));
    };
    // Folder times and permissions last: writing inside a folder changes its
    // time, and a read-only folder could not be filled.
    for (path, mode, mtime) in state.folders.iter().rev() {
        set_mode(path, *mode).map_err(write_error(path))?;
        let _ = set_mtime(path, *mtime);
    }
    Ok(Unpacked {
        name,
        content_hash: state.hasher.finish().map_err(UnpackError::Read)?,
        size: state.size,
    })
}

fn write_error(path: &Path) -> impl FnOnce(io::Error) -> UnpackError + use<> {
    let path = path.to_path_buf();
    move |source| UnpackError::Write { path, source }
}

/// What [`unpack`] knows so far.
#[derive(Default)]
struct Restoring {
    top: Option<String>,
    previous_key: Option<Vec<u8>>,
    /// Keys of the folders restored (an entry's parent must be one of them).
    folder_keys: HashSet<Vec<u8>>,
    /// Restored folders with their mode and time, to set at the end.
    folders: Vec<(PathBuf, u32, u64)>,
    hasher: BundleHasher,
    size: u64,
}

impl Restoring {
    fn restore<R: Read>(
        &mut self,
        mut entry: tar::Entry<'_, R>,
        out: &Path,
    ) -> Result<(), UnpackError> {
        let header = entry.header().clone();
        let kind = header.entry_type();
        let mode = header.mode().unwrap_or(0o644) & 0o777;
        let mtime = header.mtime().unwrap_or(0);
        let path_bytes = entry.path_bytes().into_owned();
        let key = self.key_of(&path_bytes, kind)?;
        let Some(key) = key else {
            // The top folder itself.
            fs::create_dir(out).map_err(write_error(out))?;
            self.folders.push((out.to_path_buf(), mode | 0o700, mtime));
            return Ok(());
        };
        let target = out.join(path_from_bytes(&key).map_err(UnpackError::Read)?);
        match kind {
            tar::EntryType::Directory => {
                self.hasher.directory(&key);
                fs::create_dir(&target).map_err(write_error(&target))?;
                self.folders.push((target, mode | 0o700, mtime));
                self.folder_keys.insert(key);
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let len = entry.size();
                self.hasher
                    .begin_file(&key, len)
                    .map_err(UnpackError::Read)?;
                let mut file = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&target)
                    .map_err(write_error(&target))?;
                copy_hashing(&mut entry, &mut file, &mut self.hasher, &target)?;
                crate::flush::file(&file).map_err(write_error(&target))?;
                drop(file);
                set_mode(&target, mode).map_err(write_error(&target))?;
                let _ = set_mtime(&target, mtime);
                self.size += len;
            }
            tar::EntryType::Symlink => {
                let link = entry
                    .link_name_bytes()
                    .ok_or_else(|| UnpackError::NotABundle("a link without a target".into()))?
                    .into_owned();
                self.hasher.symlink(&key, &link);
                make_symlink(&link, &target).map_err(write_error(&target))?;
            }
            other => {
                return Err(UnpackError::NotABundle(format!(
                    "{} is a {other:?} entry, which rota never writes",
                    String::from_utf8_lossy(&path_bytes)
                )));
            }
        }
        Ok(())
    }

    /// The entry's key under the top folder (`None` for the top folder itself),
    /// after every check that keeps the restore inside the output folder.
    fn key_of(
        &mut self,
        path: &[u8],
        kind: tar::EntryType,
    ) -> Result<Option<Vec<u8>>, UnpackError> {
        let shown = String::from_utf8_lossy(path).into_owned();
        let refuse = |why: &str| UnpackError::NotABundle(format!("`{shown}` {why}"));
        let trimmed = path.strip_suffix(b"/").unwrap_or(path);
        let mut parts = trimmed.split(|byte| *byte == b'/');
        let top = parts.next().unwrap_or_default();
        let rest: Vec<&[u8]> = parts.collect();
        if path.starts_with(b"/") {
            return Err(refuse("is an absolute path"));
        }
        if std::iter::once(top)
            .chain(rest.iter().copied())
            .any(|part| !is_plain_component(part))
        {
            return Err(refuse("is not a plain relative path"));
        }
        match &self.top {
            None if rest.is_empty() && kind == tar::EntryType::Directory => {
                self.top = Some(String::from_utf8_lossy(top).into_owned());
                return Ok(None);
            }
            None => return Err(refuse("comes before the bundle's own folder")),
            Some(name) if name.as_bytes() != top => {
                return Err(refuse("is outside the bundle's folder"));
            }
            Some(_) if rest.is_empty() => return Err(refuse("repeats the bundle's folder")),
            Some(_) => {}
        }
        // Keys compare in NFC, as the packing side listed them
        // (`content_hash::listing`), whatever form the names were stored in.
        let rest: Vec<Vec<u8>> = rest.iter().map(|part| name_key_bytes(part)).collect();
        let key = rest.join(&b'/');
        if self
            .previous_key
            .as_ref()
            .is_some_and(|previous| *previous >= key)
        {
            return Err(refuse("is out of order or repeated"));
        }
        let parent = &rest[..rest.len() - 1];
        if !parent.is_empty() && !self.folder_keys.contains(&parent.join(&b'/')) {
            return Err(refuse("is not inside a folder restored before it"));
        }
        self.previous_key = Some(key.clone());
        Ok(Some(key))
    }
}

/// A path component rota can restore: not empty, `.` or `..`, and (off Unix)
/// free of characters the platform would read as separators or drives.
fn is_plain_component(part: &[u8]) -> bool {
    let special = if cfg!(unix) {
        &b"\0"[..]
    } else {
        &b"\0\\:"[..]
    };
    !part.is_empty() && part != b"." && part != b".." && !part.iter().any(|b| special.contains(b))
}

/// Copies an entry's bytes into `file`, feeding the hasher.
fn copy_hashing(
    entry: &mut impl Read,
    file: &mut File,
    hasher: &mut BundleHasher,
    target: &Path,
) -> Result<(), UnpackError> {
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = match entry.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(UnpackError::Read(error)),
        };
        hasher.file_data(&buffer[..read]);
        file.write_all(&buffer[..read])
            .map_err(write_error(target))?;
    }
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> io::Result<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Ok(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> io::Result<PathBuf> {
    std::str::from_utf8(bytes)
        .map(PathBuf::from)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "a name that is not UTF-8"))
}

#[cfg(unix)]
fn make_symlink(link: &[u8], at: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(path_from_bytes(link)?, at)
}

#[cfg(not(unix))]
fn make_symlink(_link: &[u8], _at: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "this bundle holds a symbolic link, which rota restores only on macOS and Linux",
    ))
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

fn set_mtime(path: &Path, mtime: u64) -> io::Result<()> {
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(mtime);
    File::open(path)?.set_modified(time)
}

#[cfg(test)]
mod tests;
