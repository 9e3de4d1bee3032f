//! Restoring a backup from an encrypted off-site copy (`NAME.age` or
//! `NAME.tar.age`, see [`crate::inventory::offsite_names`]) with an identity file, and checking it
//! against the plaintext hash the manifest recorded when one is at hand.
//!
//! The result is written under a temporary name beside the output and renamed
//! only once it decrypted completely (age authenticates every 64 KiB chunk and
//! the end of the stream) and matched the manifest: no half-restored backup
//! ever carries the final name.
//!
//! What can go wrong, each told apart for the person restoring:
//! - the file is not an age file at all, or its header is damaged;
//! - the identity file holds none of the keys the copy was encrypted to;
//! - the file is incomplete (an interrupted download or copy);
//! - the file was altered after it was written (tampering or media damage);
//! - it decrypts, but is not the backup the manifest describes.
//!
//! Writes only the output path (and its temporary sibling); never touches the
//! encrypted copy.

use std::cell::Cell;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::bundle::{self, UnpackError};
use super::identity::Identities;
use crate::content_hash::{self, BUFFER_SIZE};
use crate::inventory::offsite_names::{AGE_SUFFIX, TAR_AGE_SUFFIX};
use crate::inventory::{CopyRecord, EntryKind, Manifest, layout};

/// age's plaintext chunk, and what each chunk adds (its tag).
const CHUNK: u64 = 64 * 1024;
const TAG: u64 = 16;

/// Why an encrypted copy could not be restored.
#[derive(Debug, thiserror::Error)]
pub enum DecryptError {
    #[error("cannot read {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: io::Error },
    #[error("{} is not an age-encrypted file, or its header is damaged", path.display())]
    NotAgeFile { path: PathBuf },
    #[error("none of the keys in {} can decrypt {}", identity.display(), path.display())]
    WrongKey { path: PathBuf, identity: PathBuf },
    #[error("{} is incomplete: it ends before the encrypted data does", path.display())]
    Truncated { path: PathBuf },
    #[error("{} has been altered or damaged (it fails authentication near byte {offset})", path.display())]
    Tampered { path: PathBuf, offset: u64 },
    #[error("{} is incomplete or was altered near its end (it fails authentication in its last block)", path.display())]
    DamagedAtEnd { path: PathBuf },
    #[error("{} decrypted, but it is not a bundle rota wrote: {reason}", path.display())]
    NotABundle { path: PathBuf, reason: String },
    #[error("{} already exists; rota never overwrites a restore", path.display())]
    OutputExists { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error(
        "{} decrypted to a backup whose hash ({found}) differs from the manifest's ({expected})",
        path.display()
    )]
    HashMismatch {
        path: PathBuf,
        expected: String,
        found: String,
    },
}

impl DecryptError {
    pub fn help(&self) -> &'static str {
        match self {
            DecryptError::Unreadable { .. } => "check the path of the encrypted copy",
            DecryptError::NotAgeFile { .. } => {
                "give rota decrypt a NAME.age or NAME.tar.age file from an off-site target"
            }
            DecryptError::WrongKey { .. } => {
                "use the identity file whose public key (age1...) is listed under encrypt in the policy; `age-keygen -y key.txt` prints a key file's public key"
            }
            DecryptError::Truncated { .. } | DecryptError::DamagedAtEnd { .. } => {
                "download or copy the file again (`rclone copyto` checks sizes), then retry; or restore another copy"
            }
            DecryptError::Tampered { .. } => {
                "do not trust this copy: restore another one, and find out how this one was changed"
            }
            DecryptError::NotABundle { .. } => "restore another copy of this backup",
            DecryptError::OutputExists { .. } => {
                "choose another --out, or move the existing one away"
            }
            DecryptError::Write { .. } => {
                "check free space and permissions where the backup is restored"
            }
            DecryptError::HashMismatch { .. } => {
                "the manifest beside the file describes another copy with this name; restore another copy, or decrypt this one away from that manifest"
            }
        }
    }
}

/// A restored backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub path: PathBuf,
    pub kind: EntryKind,
    pub content_hash: String,
    pub size: u64,
    /// Whether the content hash was checked against a manifest record.
    pub checked_against_manifest: bool,
}

/// The backup name and kind an encrypted copy's file name stands for:
/// `NAME.tar.age` a bundle, `NAME.age` a file (anything else: a file under its
/// own name).
pub fn backup_of(encrypted: &Path) -> (String, EntryKind) {
    let file_name = encrypted
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(name) = file_name.strip_suffix(TAR_AGE_SUFFIX) {
        (name.to_string(), EntryKind::Bundle)
    } else if let Some(name) = file_name.strip_suffix(AGE_SUFFIX) {
        (name.to_string(), EntryKind::File)
    } else {
        (file_name, EntryKind::File)
    }
}

/// The manifest record of the backup `name` in the folder of `encrypted`
/// (a staging folder keeps its manifest there), if there is one that records an
/// encrypted copy. A damaged manifest counts as none: decryption does not need it.
pub fn manifest_record(encrypted: &Path, name: &str) -> Option<CopyRecord> {
    let folder = encrypted
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let manifest = Manifest::load(folder).ok().flatten()?;
    manifest
        .get(name)
        .filter(|record| record.ciphertext_hash.is_some())
        .cloned()
}

/// Decrypts `encrypted` with `identities` into `out` (which must not exist),
/// as a backup of `kind`, checked against `expected` when given.
pub fn restore(
    encrypted: &Path,
    identities: &Identities,
    out: &Path,
    kind: EntryKind,
    expected: Option<&CopyRecord>,
) -> Result<Restored, DecryptError> {
    if fs::symlink_metadata(out).is_ok() {
        return Err(DecryptError::OutputExists {
            path: out.to_path_buf(),
        });
    }
    let unreadable = |source| DecryptError::Unreadable {
        path: encrypted.to_path_buf(),
        source,
    };
    let file = File::open(encrypted).map_err(unreadable)?;
    let file_len = file.metadata().map_err(unreadable)?.len();
    let position = Rc::new(Cell::new(0u64));
    let counted = Counting {
        inner: BufReader::with_capacity(BUFFER_SIZE, file),
        position: Rc::clone(&position),
    };
    let decryptor = age::Decryptor::new(counted).map_err(|error| header_error(encrypted, error))?;
    let header_len = position.get();
    let plaintext = decryptor
        .decrypt(identities.iter())
        .map_err(|error| match error {
            age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed => {
                DecryptError::WrongKey {
                    path: encrypted.to_path_buf(),
                    identity: identities.path.clone(),
                }
            }
            age::DecryptError::InvalidMac => DecryptError::Tampered {
                path: encrypted.to_path_buf(),
                offset: 0,
            },
            other => header_error(encrypted, other),
        })?;
    let mut reader = Recording {
        inner: plaintext,
        failure: None,
    };
    let partial = partial_path(out);
    let written = write_plaintext(&mut reader, kind, &partial);
    let failure = reader.failure.take();
    let restored = match written {
        Ok(restored) => restored,
        Err(error) => {
            remove_partial(&partial, kind);
            return Err(match failure {
                Some(read_error) => stream_error(
                    encrypted,
                    &read_error,
                    StreamShape {
                        position: position.get(),
                        file_len,
                        header_len,
                        plaintext_len: expected
                            .filter(|_| kind == EntryKind::File)
                            .map(|record| record.size),
                    },
                ),
                None => error,
            });
        }
    };
    if let Some(record) = expected
        && record.hash != restored.0
    {
        remove_partial(&partial, kind);
        return Err(DecryptError::HashMismatch {
            path: encrypted.to_path_buf(),
            expected: record.hash.clone(),
            found: restored.0,
        });
    }
    fs::rename(&partial, out).map_err(|source| {
        remove_partial(&partial, kind);
        DecryptError::Write {
            path: out.to_path_buf(),
            source,
        }
    })?;
    Ok(Restored {
        path: out.to_path_buf(),
        kind,
        content_hash: restored.0,
        size: restored.1,
        checked_against_manifest: expected.is_some(),
    })
}

/// Writes the decrypted stream as a file or bundle at `partial`; returns its
/// content hash and size. Reads the stream to its end, so age checks the
/// final chunk even when the tar archive ends before it.
fn write_plaintext(
    reader: &mut impl Read,
    kind: EntryKind,
    partial: &Path,
) -> Result<(String, u64), DecryptError> {
    let write_error = |source| DecryptError::Write {
        path: partial.to_path_buf(),
        source,
    };
    let result = match kind {
        EntryKind::File => {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(partial)
                .map_err(write_error)?;
            let mut hasher = blake3::Hasher::new();
            let mut size = 0u64;
            let mut buffer = vec![0u8; BUFFER_SIZE];
            loop {
                let read = match reader.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(read) => read,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                    Err(error) => return Err(plain_read_error(partial, error)),
                };
                hasher.update(&buffer[..read]);
                file.write_all(&buffer[..read]).map_err(write_error)?;
                size += read as u64;
            }
            crate::flush::file(&file).map_err(write_error)?;
            (content_hash::to_hex(&hasher), size)
        }
        EntryKind::Bundle => {
            let unpacked = bundle::unpack(&mut *reader, partial).map_err(|error| match error {
                UnpackError::Read(error) => plain_read_error(partial, error),
                UnpackError::NotABundle(reason) => DecryptError::NotABundle {
                    path: partial.to_path_buf(),
                    reason,
                },
                UnpackError::Write { path, source } => DecryptError::Write { path, source },
            })?;
            (unpacked.content_hash, unpacked.size)
        }
    };
    io::copy(reader, &mut io::sink()).map_err(|error| plain_read_error(partial, error))?;
    Ok(result)
}

/// A read error that is not the decryption's (those are recorded and
/// reported by [`stream_error`] instead).
fn plain_read_error(path: &Path, error: io::Error) -> DecryptError {
    DecryptError::NotABundle {
        path: path.to_path_buf(),
        reason: error.to_string(),
    }
}

/// Where the ciphertext stream stood when decryption failed.
struct StreamShape {
    position: u64,
    file_len: u64,
    header_len: u64,
    /// The plaintext size the manifest recorded (files only).
    plaintext_len: Option<u64>,
}

/// Tells a truncated file from an altered one as far as the bytes allow.
fn stream_error(path: &Path, error: &io::Error, shape: StreamShape) -> DecryptError {
    let path = path.to_path_buf();
    if error.kind() == io::ErrorKind::UnexpectedEof {
        return DecryptError::Truncated { path };
    }
    if let Some(plaintext_len) = shape.plaintext_len {
        let chunks = plaintext_len.div_ceil(CHUNK).max(1);
        let expected_len = shape.header_len + plaintext_len + chunks * TAG;
        return if shape.file_len < expected_len {
            DecryptError::Truncated { path }
        } else {
            DecryptError::Tampered {
                path,
                offset: shape.position,
            }
        };
    }
    if shape.position < shape.file_len {
        DecryptError::Tampered {
            path,
            offset: shape.position,
        }
    } else {
        DecryptError::DamagedAtEnd { path }
    }
}

fn header_error(path: &Path, error: age::DecryptError) -> DecryptError {
    match error {
        age::DecryptError::Io(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
            DecryptError::Truncated {
                path: path.to_path_buf(),
            }
        }
        age::DecryptError::Io(source) if source.kind() != io::ErrorKind::InvalidData => {
            DecryptError::Unreadable {
                path: path.to_path_buf(),
                source,
            }
        }
        _ => DecryptError::NotAgeFile {
            path: path.to_path_buf(),
        },
    }
}

/// The temporary name the restore is written under, beside `out`.
fn partial_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "restore".into());
    let partial = layout::partial_name(&format!("decrypt{}", std::process::id()), &name);
    out.with_file_name(partial)
}

/// Removes what a failed restore left under its temporary name (ours alone).
fn remove_partial(partial: &Path, kind: EntryKind) {
    let _ = match kind {
        EntryKind::File => fs::remove_file(partial),
        EntryKind::Bundle => fs::remove_dir_all(partial),
    };
}

/// Counts the ciphertext bytes read so far.
struct Counting<R> {
    inner: R,
    position: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.position.set(self.position.get() + read as u64);
        Ok(read)
    }
}

/// Keeps the first error the decrypting reader returned, so a failure seen
/// through the tar reader is still known to be the decryption's.
struct Recording<R> {
    inner: R,
    failure: Option<io::Error>,
}

impl<R: Read> Read for Recording<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(read) => Ok(read),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => Err(error),
            Err(error) => {
                let copy = io::Error::new(error.kind(), error.to_string());
                self.failure.get_or_insert(copy);
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests;
