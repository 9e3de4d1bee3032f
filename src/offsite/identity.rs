//! Loading the private key(s) that decrypt an off-site copy, from an identity
//! file the office keeps away from the server:
//!
//! - a plain identity file, as `age-keygen -o key.txt` writes it: lines
//!   `AGE-SECRET-KEY-1...`, blank lines and `#` comments;
//! - a passphrase-protected identity file, as `age -p -o key.txt.age key.txt`
//!   writes it (binary or `-a` armored). The passphrase is asked for through a
//!   callback (the CLI reads `ROTA_AGE_PASSPHRASE` or prompts on the terminal):
//!   this module never reads the environment or a terminal itself.
//!
//! Only reads the identity file; never writes anything.

use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;

/// What an identity file starts with when it is itself age-encrypted.
const ENCRYPTED_MARKERS: [&[u8]; 2] = [
    b"age-encryption.org/",
    b"-----BEGIN AGE ENCRYPTED FILE-----",
];

/// Identity files are small; anything larger is not one.
const MAX_IDENTITY_FILE: u64 = 16 << 20;

/// The private keys read from an identity file.
pub struct Identities {
    pub path: PathBuf,
    keys: Vec<Box<dyn age::Identity>>,
}

impl Identities {
    pub fn iter(&self) -> impl Iterator<Item = &dyn age::Identity> {
        self.keys.iter().map(|key| key.as_ref())
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Why an identity file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("cannot read the identity file {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: io::Error },
    #[error("{} is not an age identity file: {reason}", path.display())]
    NotIdentities { path: PathBuf, reason: String },
    #[error("the identity file {} holds no private key", path.display())]
    Empty { path: PathBuf },
    #[error("the identity file {} is protected by a passphrase, and none was given", path.display())]
    NoPassphrase { path: PathBuf },
    #[error("wrong passphrase for the identity file {}", path.display())]
    WrongPassphrase { path: PathBuf },
    #[error("{} is an encrypted file, not a passphrase-protected identity file", path.display())]
    NotPassphraseProtected { path: PathBuf },
    #[error("the passphrase-protected identity file {} is damaged: {reason}", path.display())]
    Damaged { path: PathBuf, reason: String },
}

impl IdentityError {
    pub fn help(&self) -> &'static str {
        match self {
            IdentityError::Unreadable { .. } => "give --identity the key file made with age-keygen",
            IdentityError::NotIdentities { .. } | IdentityError::Empty { .. } => {
                "the identity file is the private key from `age-keygen -o key.txt`: lines starting with AGE-SECRET-KEY-1; the age1... public key in the policy cannot decrypt"
            }
            IdentityError::NoPassphrase { .. } => {
                "run rota decrypt on a terminal to be asked, or set ROTA_AGE_PASSPHRASE"
            }
            IdentityError::WrongPassphrase { .. } => {
                "type the passphrase chosen when the key file was protected with `age -p`"
            }
            IdentityError::NotPassphraseProtected { .. } => {
                "give --identity the key file itself (or the key file protected with `age -p`)"
            }
            IdentityError::Damaged { .. } => {
                "use another copy of the key file; keep two copies in separate safe places"
            }
        }
    }
}

/// Loads the identities of `path`, asking `passphrase` only when the file is
/// passphrase-protected (`None`: no passphrase can be had).
pub fn load(
    path: &Path,
    passphrase: &mut dyn FnMut() -> Option<SecretString>,
) -> Result<Identities, IdentityError> {
    let bytes = read_small(path).map_err(|source| IdentityError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let start = bytes.trim_ascii_start();
    let plain = if ENCRYPTED_MARKERS.iter().any(|m| start.starts_with(m)) {
        decrypt_identity_file(path, &bytes, passphrase)?
    } else {
        bytes
    };
    let file =
        age::IdentityFile::from_buffer(BufReader::new(plain.as_slice())).map_err(|error| {
            IdentityError::NotIdentities {
                path: path.to_path_buf(),
                reason: error.to_string(),
            }
        })?;
    let keys = file
        .into_identities()
        .map_err(|error| IdentityError::NotIdentities {
            path: path.to_path_buf(),
            reason: error.to_string(),
        })?;
    if keys.is_empty() {
        return Err(IdentityError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(Identities {
        path: path.to_path_buf(),
        keys,
    })
}

fn read_small(path: &Path) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_IDENTITY_FILE)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The plaintext of a passphrase-protected identity file.
fn decrypt_identity_file(
    path: &Path,
    bytes: &[u8],
    passphrase: &mut dyn FnMut() -> Option<SecretString>,
) -> Result<Vec<u8>, IdentityError> {
    let damaged = |error: &dyn std::fmt::Display| IdentityError::Damaged {
        path: path.to_path_buf(),
        reason: error.to_string(),
    };
    let decryptor = age::Decryptor::new(age::armor::ArmoredReader::new(bytes))
        .map_err(|error| damaged(&error))?;
    if !decryptor.is_scrypt() {
        return Err(IdentityError::NotPassphraseProtected {
            path: path.to_path_buf(),
        });
    }
    let secret = passphrase().ok_or_else(|| IdentityError::NoPassphrase {
        path: path.to_path_buf(),
    })?;
    let mut identity = age::scrypt::Identity::new(secret);
    // age's own default is ~1 s of work on the machine that protected the key;
    // allow a slower machine (the office's old laptop) to open it too.
    identity.set_max_work_factor(24);
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|error| match error {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                IdentityError::WrongPassphrase {
                    path: path.to_path_buf(),
                }
            }
            other => damaged(&other),
        })?;
    let mut plain = Vec::new();
    reader
        .read_to_end(&mut plain)
        .map_err(|error| damaged(&error))?;
    Ok(plain)
}
