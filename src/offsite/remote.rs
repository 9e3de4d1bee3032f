//! Sending one staged copy to a target's remote and proving it arrived whole:
//! the procedure behind "an off-site copy counts only once verified".
//!
//! 1. The staged copy is re-hashed (BLAKE3) and must still match what the
//!    staging manifest recorded: rota never uploads a copy that rotted while it
//!    waited.
//! 2. rclone is asked which hash types the remote can give (`backend features`).
//!    BLAKE3 is rarely among them (S3 has MD5, B2 SHA-1, Drive MD5/SHA-1/SHA-256,
//!    SFTP MD5/SHA-1), so rota picks one both sides can compute, strongest first
//!    (SHA-256, SHA-1, MD5, then whatever the remote offers), and has rclone
//!    compute it for the staged file: one mechanism for every cloud.
//! 3. `rclone copyto` uploads; then the remote object is listed with that hash
//!    (`lsjson --hash`) and its size and hash must equal the staged file's.
//! 4. A remote with no hash in common (or one that cannot give it for this
//!    object, e.g. some multipart uploads) is checked by reading the object
//!    back (`rclone cat`) and comparing its BLAKE3: slower, never weaker.
//!
//! What was checked is returned as a [`RemoteCheck`] for the catalog, so a
//! later `doctor` or `verify` can re-check the remote the same way. A plain
//! (unencrypted) bundle is a folder: it is uploaded with `rclone copy` and
//! compared file by file with `rclone check`.
//!
//! Errors say whether the copy is simply pending (network down: nothing is
//! lost, the next run retries) or wrong.

use std::ffi::OsString;
use std::path::Path;

use super::rclone::{Rclone, RcloneError, join};
use crate::content_hash;
pub use crate::inventory::catalog::RemoteCheck;

/// Hash types rota prefers, strongest first.
const PREFERRED: [&str; 3] = ["sha256", "sha1", "md5"];

/// The hash type used for a read-back check.
pub const READ_BACK: &str = "blake3-read-back";

/// Why an upload did not end with a verified remote copy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Rclone(#[from] RcloneError),
    #[error("the staged copy {} changed since it was written (hash {found}, recorded {expected}); it was not uploaded", path.display())]
    StagedChanged {
        path: std::path::PathBuf,
        expected: String,
        found: String,
    },
    #[error("cannot read the staged copy {}: {detail}", path.display())]
    StagedUnreadable {
        path: std::path::PathBuf,
        detail: String,
    },
    #[error("{object} is not on the remote after the upload")]
    MissingAfterUpload { object: String },
    #[error("{object} on the remote has {found} bytes, the staged copy {expected}")]
    SizeMismatch {
        object: String,
        expected: u64,
        found: u64,
    },
    #[error("{object} on the remote has {hash_type} {found}, the staged copy {expected}")]
    HashMismatch {
        object: String,
        hash_type: String,
        expected: String,
        found: String,
    },
    #[error("the folder {object} on the remote differs from the staged one: {detail}")]
    FolderMismatch { object: String, detail: String },
}

impl UploadError {
    /// Whether the copy is merely pending (try again next run).
    pub fn is_transient(&self) -> bool {
        matches!(self, UploadError::Rclone(error) if error.is_transient())
    }

    pub fn help(&self) -> &'static str {
        match self {
            UploadError::Rclone(error) => error.help(),
            UploadError::StagedChanged { .. } | UploadError::StagedUnreadable { .. } => {
                "the staging disk may be failing; rota makes a new staged copy from the server's backup"
            }
            UploadError::MissingAfterUpload { .. }
            | UploadError::SizeMismatch { .. }
            | UploadError::HashMismatch { .. }
            | UploadError::FolderMismatch { .. } => {
                "the remote copy does not count; rota uploads it again on the next run (an interrupted upload or a damaged object)"
            }
        }
    }
}

/// Picks the hash type to compare on among those the remote offers.
pub fn choose_hash(remote_types: &[String]) -> Option<String> {
    PREFERRED
        .iter()
        .find(|kind| remote_types.iter().any(|t| t == *kind))
        .map(|kind| kind.to_string())
        .or_else(|| remote_types.first().cloned())
}

/// Uploads the staged single-file copy `staged` (whose BLAKE3 must be
/// `staged_hash`) as `object` in the remote folder `remote`, and verifies it.
pub fn upload_file(
    rclone: &Rclone,
    staged: &Path,
    staged_hash: &str,
    remote: &str,
    object: &str,
) -> Result<RemoteCheck, UploadError> {
    let size = recheck_staged(staged, staged_hash)?;
    let hash_type = choose_hash(&rclone.hash_types(remote)?);
    let local_hash = match &hash_type {
        Some(kind) => local_hash(rclone, staged, kind)?,
        None => None,
    };
    let remote_path = join(remote, object);
    rclone.copyto(staged, &remote_path)?;
    let expected = match (hash_type, local_hash) {
        (Some(kind), Some(value)) => Some((kind, value)),
        _ => None,
    };
    verify_file(rclone, remote, object, size, staged_hash, expected)
}

/// Checks that `object` in `remote` has `size` bytes and the expected hash
/// (`expected`: type and value), or, without one, reads it back and compares
/// its BLAKE3 with `blake3`.
pub fn verify_file(
    rclone: &Rclone,
    remote: &str,
    object: &str,
    size: u64,
    blake3: &str,
    expected: Option<(String, String)>,
) -> Result<RemoteCheck, UploadError> {
    let remote_path = join(remote, object);
    let kind = expected.as_ref().map(|(kind, _)| kind.as_str());
    let listed = rclone
        .stat(&OsString::from(&remote_path), kind)?
        .ok_or_else(|| UploadError::MissingAfterUpload {
            object: object.to_string(),
        })?;
    let found_size = u64::try_from(listed.size).unwrap_or(u64::MAX);
    if found_size != size {
        return Err(UploadError::SizeMismatch {
            object: object.to_string(),
            expected: size,
            found: found_size,
        });
    }
    if let Some((kind, value)) = &expected
        && let Some(found) = listed.hash(kind)
    {
        if !found.eq_ignore_ascii_case(value) {
            return Err(UploadError::HashMismatch {
                object: object.to_string(),
                hash_type: kind.clone(),
                expected: value.clone(),
                found: found.to_string(),
            });
        }
        return Ok(RemoteCheck {
            object: object.to_string(),
            size,
            hash_type: kind.clone(),
            hash: value.to_ascii_lowercase(),
        });
    }
    let (found, _) = rclone.read_back_hash(&remote_path)?;
    if found != blake3 {
        return Err(UploadError::HashMismatch {
            object: object.to_string(),
            hash_type: READ_BACK.into(),
            expected: blake3.to_string(),
            found,
        });
    }
    Ok(RemoteCheck {
        object: object.to_string(),
        size,
        hash_type: READ_BACK.into(),
        hash: found,
    })
}

/// Re-checks a remote copy recorded earlier, the way it was first checked.
pub fn recheck(
    rclone: &Rclone,
    remote: &str,
    recorded: &RemoteCheck,
    blake3: &str,
) -> Result<RemoteCheck, UploadError> {
    if recorded.hash_type == FOLDER_CHECK {
        return Err(UploadError::FolderMismatch {
            object: recorded.object.clone(),
            detail: "a folder is re-checked against its staged copy with `rclone check`".into(),
        });
    }
    let expected = (recorded.hash_type != READ_BACK)
        .then(|| (recorded.hash_type.clone(), recorded.hash.clone()));
    verify_file(
        rclone,
        remote,
        &recorded.object,
        recorded.size,
        blake3,
        expected,
    )
}

/// The hash type recorded for a folder checked with `rclone check`.
pub const FOLDER_CHECK: &str = "rclone-check";

/// Uploads a plain bundle folder as the remote folder `object` and compares
/// it file by file (by reading back when no hash type is shared).
pub fn upload_folder(
    rclone: &Rclone,
    staged: &Path,
    remote: &str,
    object: &str,
) -> Result<RemoteCheck, UploadError> {
    let shared = choose_hash(&rclone.hash_types(remote)?).is_some();
    let remote_path = join(remote, object);
    rclone.copy_folder(staged, &remote_path)?;
    if let Some(detail) = rclone.check_folder(staged, &remote_path, !shared)? {
        return Err(UploadError::FolderMismatch {
            object: object.to_string(),
            detail,
        });
    }
    let size = content_hash::bundle_entries(staged)
        .map_err(|error| UploadError::StagedUnreadable {
            path: staged.to_path_buf(),
            detail: error.to_string(),
        })?
        .iter()
        .map(|entry| match entry.kind {
            content_hash::BundleEntryKind::File { len } => len,
            _ => 0,
        })
        .sum();
    Ok(RemoteCheck {
        object: object.to_string(),
        size,
        hash_type: FOLDER_CHECK.into(),
        hash: String::new(),
    })
}

/// Re-hashes the staged file; returns its size when it still matches.
fn recheck_staged(staged: &Path, expected: &str) -> Result<u64, UploadError> {
    let unreadable = |error: std::io::Error| UploadError::StagedUnreadable {
        path: staged.to_path_buf(),
        detail: error.to_string(),
    };
    let size = std::fs::metadata(staged).map_err(unreadable)?.len();
    let found = content_hash::hash_file(staged).map_err(unreadable)?;
    if found != expected {
        return Err(UploadError::StagedChanged {
            path: staged.to_path_buf(),
            expected: expected.to_string(),
            found,
        });
    }
    Ok(size)
}

/// The staged file's hash of type `kind`, computed by rclone (`None` when
/// rclone cannot compute that type locally).
fn local_hash(rclone: &Rclone, staged: &Path, kind: &str) -> Result<Option<String>, UploadError> {
    let listed = rclone.stat(&staged.as_os_str().to_os_string(), Some(kind))?;
    Ok(listed.and_then(|object| object.hash(kind).map(str::to_ascii_lowercase)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strongest_shared_hash_is_chosen() {
        let types = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(choose_hash(&types(&["md5", "sha1"])), Some("sha1".into()));
        assert_eq!(choose_hash(&types(&["md5"])), Some("md5".into()));
        assert_eq!(choose_hash(&types(&["quickxor"])), Some("quickxor".into()));
        assert_eq!(
            choose_hash(&types(&["sha256", "md5"])),
            Some("sha256".into())
        );
        assert_eq!(choose_hash(&[]), None);
    }
}
