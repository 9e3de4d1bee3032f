//! Streaming age encryption of a backup to an off-site target's recipients.
//!
//! Only public keys are involved: the policy lists x25519 recipients (`age1...`,
//! from `age-keygen`) inline and/or in `age_recipients_file` (one a line, `#`
//! comments), so the private key never needs to be on the server. The writer
//! ([`EncryptingWriter`]) sits between whatever reads the backup and the staged
//! file, and hashes the plaintext it is given and the ciphertext it writes in the
//! same pass (BLAKE3, as in [`crate::content_hash`]): the manifest records both,
//! and the staged copy is verified by re-reading it against the ciphertext hash
//! (the server cannot decrypt, by design).
//!
//! A plain file's plaintext hash is its content hash. A bundle is encrypted as
//! the tar stream [`super::bundle::pack`] writes; its content hash is the bundle
//! hash the packer computes from the same bytes, not the hash of the stream.
//!
//! This module writes only into the writer it is handed.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::content_hash::{self, BUFFER_SIZE};
use crate::inventory::EntryKind;
use crate::policy::Encrypt;

/// The public keys a target's copies are encrypted to.
#[derive(Clone)]
pub struct Recipients {
    keys: Vec<age::x25519::Recipient>,
}

impl std::fmt::Debug for Recipients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(ToString::to_string))
            .finish()
    }
}

/// Why a target's recipients cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RecipientsError {
    #[error("cannot read the age recipients file {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: io::Error },
    #[error("line {line} of the age recipients file {} is not an age public key", path.display())]
    BadLine { path: PathBuf, line: usize },
    #[error("`{text}` is not an age public key")]
    BadKey { text: String },
    #[error("encryption is on but no age recipient is given")]
    Empty,
}

impl RecipientsError {
    pub fn help(&self) -> &'static str {
        match self {
            RecipientsError::Unreadable { .. } => {
                "check encrypt.age_recipients_file in the policy: the file must exist and be readable by rota"
            }
            RecipientsError::BadLine { .. } | RecipientsError::BadKey { .. } => {
                "each recipient is a public key printed by `age-keygen` (it starts with age1); never put the private key (AGE-SECRET-KEY-1...) on the server"
            }
            RecipientsError::Empty => {
                "add `age_recipients: [\"age1...\"]` or a non-empty age_recipients_file"
            }
        }
    }
}

impl Recipients {
    /// The recipients of a target's `encrypt` settings: inline keys, then the
    /// keys of the recipients file.
    pub fn from_policy(encrypt: &Encrypt) -> Result<Recipients, RecipientsError> {
        let mut keys = Vec::new();
        for text in &encrypt.age_recipients {
            keys.push(
                age::x25519::Recipient::from_str(text.trim())
                    .map_err(|_| RecipientsError::BadKey { text: text.clone() })?,
            );
        }
        if let Some(path) = &encrypt.age_recipients_file {
            keys.extend(read_recipients_file(path)?);
        }
        Recipients::new(keys)
    }

    pub fn new(keys: Vec<age::x25519::Recipient>) -> Result<Recipients, RecipientsError> {
        if keys.is_empty() {
            return Err(RecipientsError::Empty);
        }
        Ok(Recipients { keys })
    }

    /// Starts an encrypted stream into `output` (the age header is written now).
    pub fn encrypt<W: Write>(&self, output: W) -> io::Result<EncryptingWriter<W>> {
        let encryptor =
            age::Encryptor::with_recipients(self.keys.iter().map(|key| key as &dyn age::Recipient))
                .map_err(|error| {
                    io::Error::other(format!("cannot start age encryption: {error}"))
                })?;
        let stream = encryptor.wrap_output(HashingWriter::new(output))?;
        Ok(EncryptingWriter {
            stream,
            plaintext: blake3::Hasher::new(),
            plaintext_len: 0,
        })
    }
}

/// Reads an age recipients file: one `age1...` key a line; blank lines and
/// lines starting with `#` are ignored.
pub fn read_recipients_file(path: &Path) -> Result<Vec<age::x25519::Recipient>, RecipientsError> {
    let text = std::fs::read_to_string(path).map_err(|source| RecipientsError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let mut keys = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        keys.push(age::x25519::Recipient::from_str(line).map_err(|_| {
            RecipientsError::BadLine {
                path: path.to_path_buf(),
                line: i + 1,
            }
        })?);
    }
    Ok(keys)
}

/// A writer that hashes (BLAKE3) and counts what it passes on.
#[derive(Debug)]
pub struct HashingWriter<W> {
    inner: W,
    hasher: blake3::Hasher,
    len: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> HashingWriter<W> {
        HashingWriter {
            inner,
            hasher: blake3::Hasher::new(),
            len: 0,
        }
    }

    /// The writer back, with the hex hash and length of everything written.
    pub fn into_parts(self) -> (W, String, u64) {
        let hash = content_hash::to_hex(&self.hasher);
        (self.inner, hash, self.len)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.len += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Encrypts what is written to it into the wrapped writer; call
/// [`EncryptingWriter::finish`] at the end, or the output is a truncated age
/// file that will not decrypt.
pub struct EncryptingWriter<W: Write> {
    stream: age::stream::StreamWriter<HashingWriter<W>>,
    plaintext: blake3::Hasher,
    plaintext_len: u64,
}

/// What one encryption wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// BLAKE3 of the bytes written to the encrypting writer.
    pub plaintext_hash: String,
    pub plaintext_len: u64,
    /// BLAKE3 of the age file produced.
    pub ciphertext_hash: String,
    pub ciphertext_len: u64,
}

impl<W: Write> Write for EncryptingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.stream.write(buf)?;
        self.plaintext.update(&buf[..written]);
        self.plaintext_len += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

impl<W: Write> EncryptingWriter<W> {
    /// Writes the last chunk and returns the output writer (not yet synced to
    /// disk: that is the caller's job) and both hashes.
    pub fn finish(self) -> io::Result<(W, Sealed)> {
        let hashing = self.stream.finish()?;
        let (output, ciphertext_hash, ciphertext_len) = hashing.into_parts();
        Ok((
            output,
            Sealed {
                plaintext_hash: content_hash::to_hex(&self.plaintext),
                plaintext_len: self.plaintext_len,
                ciphertext_hash,
                ciphertext_len,
            },
        ))
    }
}

/// An encrypted copy of a backup as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedCopy {
    /// The backup's content hash (a file's BLAKE3, or the bundle hash).
    pub content_hash: String,
    pub ciphertext_hash: String,
    pub ciphertext_len: u64,
}

/// Encrypts the backup at `source` (a file, or a bundle folder: see
/// [`super::bundle`]) into `output`, reading it once.
pub fn encrypt_backup<W: Write>(
    source: &Path,
    kind: EntryKind,
    recipients: &Recipients,
    output: W,
) -> io::Result<(W, EncryptedCopy)> {
    let mut writer = recipients.encrypt(output)?;
    let bundle_hash = match kind {
        EntryKind::File => {
            copy_file_into(source, &mut writer)?;
            None
        }
        EntryKind::Bundle => Some(super::bundle::pack(source, &mut writer)?),
    };
    let (output, sealed) = writer.finish()?;
    let copy = EncryptedCopy {
        content_hash: bundle_hash.unwrap_or(sealed.plaintext_hash),
        ciphertext_hash: sealed.ciphertext_hash,
        ciphertext_len: sealed.ciphertext_len,
    };
    Ok((output, copy))
}

/// Streams a file's bytes into `writer` in large chunks.
fn copy_file_into(path: &Path, writer: &mut impl Write) -> io::Result<()> {
    let mut file = File::open(path)?;
    let mut buffer = vec![0u8; BUFFER_SIZE];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(read) => writer.write_all(&buffer[..read])?,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests;
