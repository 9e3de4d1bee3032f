//! A look at an off-site target's remote: is each copy the catalog counts
//! there still there, and whole?
//!
//! One listing of the remote folder (names and sizes, cheap on every service)
//! finds the copies that are missing or whose size changed. Then one copy,
//! the one checked longest ago, is checked again by its hash the way it was
//! checked after its upload (`remote::recheck`): a rolling scrub that re-hashes
//! every copy over as many runs as there are copies, without reading the whole
//! remote every night (on SFTP, or a remote without stored hashes, every hash
//! means reading the object). Copies checked by reading them back are only
//! listed: `rclone cat` of a large backup every night would cost a download.
//!
//! This module only reads the remote, through rclone; what the findings mean
//! for the catalog is the caller's business.

use std::fmt;

use super::rclone::{Rclone, RcloneError, RemoteObject};
use super::remote::{self, FOLDER_CHECK, READ_BACK, UploadError};
use crate::inventory::catalog::{CatalogTarget, RemoteCheck};
use crate::inventory::offsite_names::Stored;

/// What is wrong with one remote copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The object is not on the remote.
    Missing,
    /// The object's size is not the one checked after the upload.
    SizeChanged { expected: u64, found: u64 },
    /// Its hash (or, read back, its content) is not the one checked.
    Damaged { detail: String },
}

/// One remote copy that no longer counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub backup: String,
    /// The object's name in the remote folder.
    pub object: String,
    pub problem: Problem,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            Problem::Missing => write!(f, "{} is no longer on the remote", self.object),
            Problem::SizeChanged { expected, found } => write!(
                f,
                "{} on the remote has {found} bytes, not the {expected} checked after its upload",
                self.object
            ),
            Problem::Damaged { detail } => write!(f, "{} is damaged: {detail}", self.object),
        }
    }
}

/// What a look at the remote found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Survey {
    pub findings: Vec<Finding>,
    /// The backup whose copy was checked again by its hash, and passed.
    pub rechecked: Option<String>,
}

/// Lists the remote folder, compares it with what the catalog knows, and
/// re-checks the hash of the copy checked longest ago.
pub fn survey(rclone: &Rclone, remote: &str, known: &CatalogTarget) -> Result<Survey, RcloneError> {
    let listed = rclone.list(remote, None)?;
    let findings = compare(known, &listed);
    let mut survey = Survey {
        findings,
        rechecked: None,
    };
    let Some((backup, check)) = next_to_recheck(known, &survey.findings) else {
        return Ok(survey);
    };
    let record = &known.remote[backup];
    let blake3 = record.ciphertext_hash.as_ref().unwrap_or(&record.hash);
    let problem = match remote::recheck(rclone, remote, check, blake3) {
        Ok(_) => {
            survey.rechecked = Some(backup.to_string());
            return Ok(survey);
        }
        Err(UploadError::Rclone(error)) => return Err(error),
        Err(UploadError::MissingAfterUpload { .. }) => Problem::Missing,
        Err(UploadError::SizeMismatch {
            expected, found, ..
        }) => Problem::SizeChanged { expected, found },
        Err(UploadError::HashMismatch {
            hash_type,
            expected,
            found,
            ..
        }) => Problem::Damaged {
            detail: format!(
                "its {hash_type} is now {found}, not the {expected} checked after its upload"
            ),
        },
        Err(error) => Problem::Damaged {
            detail: error.to_string(),
        },
    };
    survey.findings.push(Finding {
        backup: backup.to_string(),
        object: check.object.clone(),
        problem,
    });
    Ok(survey)
}

/// The catalogued copies missing from a listing, or of another size.
pub fn compare(known: &CatalogTarget, listed: &[RemoteObject]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (backup, record) in &known.remote {
        let check = known.checks.get(backup);
        let object = check.map_or_else(
            || Stored::of_record(record).name_for(backup),
            |check| check.object.clone(),
        );
        let folder = check.is_some_and(|check| check.hash_type == FOLDER_CHECK);
        let found = listed
            .iter()
            .find(|entry| entry.path == object && entry.is_dir == folder);
        let problem = match (found, check) {
            (None, _) => Some(Problem::Missing),
            (Some(entry), Some(check)) if !folder => {
                let size = u64::try_from(entry.size).unwrap_or(u64::MAX);
                (size != check.size).then_some(Problem::SizeChanged {
                    expected: check.size,
                    found: size,
                })
            }
            _ => None,
        };
        if let Some(problem) = problem {
            findings.push(Finding {
                backup: backup.clone(),
                object,
                problem,
            });
        }
    }
    findings
}

/// The copy whose hash was checked longest ago (never first), among those
/// checked by a hash the remote gives and not already found wanting.
fn next_to_recheck<'k>(
    known: &'k CatalogTarget,
    findings: &[Finding],
) -> Option<(&'k str, &'k RemoteCheck)> {
    known
        .remote
        .iter()
        .filter(|(backup, _)| !findings.iter().any(|f| &f.backup == *backup))
        .filter_map(|(backup, record)| {
            let check = known.checks.get(backup)?;
            let by_hash = check.hash_type != READ_BACK && check.hash_type != FOLDER_CHECK;
            by_hash.then_some((backup.as_str(), check, record.verified_at))
        })
        .min_by_key(|(backup, _, verified_at)| (*verified_at, *backup))
        .map(|(backup, check, _)| (backup, check))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{CopyRecord, EntryKind};
    use chrono::{TimeZone, Utc};

    fn known(copies: &[(&str, u64, u32)]) -> CatalogTarget {
        let mut target = CatalogTarget::default();
        for (name, size, day) in copies {
            target.remote.insert(
                name.to_string(),
                CopyRecord {
                    name: name.to_string(),
                    size: 10,
                    kind: EntryKind::File,
                    hash: format!("plain-{name}"),
                    copied_at: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
                    verified_at: Some(Utc.with_ymd_and_hms(2026, 3, *day, 0, 0, 0).unwrap()),
                    ciphertext_hash: Some(format!("cipher-{name}")),
                    fingerprint: None,
                },
            );
            target.checks.insert(
                name.to_string(),
                RemoteCheck {
                    object: format!("{name}.age"),
                    size: *size,
                    hash_type: String::from("sha1"),
                    hash: String::from("00"),
                },
            );
        }
        target
    }

    fn listed(path: &str, size: i64) -> RemoteObject {
        RemoteObject {
            path: path.to_string(),
            size,
            is_dir: false,
            hashes: Default::default(),
        }
    }

    #[test]
    fn missing_and_resized_copies_are_found_and_whole_ones_pass() {
        let known = known(&[("a", 100, 1), ("b", 200, 2), ("c", 300, 3)]);
        let findings = compare(&known, &[listed("a.age", 100), listed("c.age", 299)]);
        assert_eq!(
            findings,
            [
                Finding {
                    backup: "b".into(),
                    object: "b.age".into(),
                    problem: Problem::Missing
                },
                Finding {
                    backup: "c".into(),
                    object: "c.age".into(),
                    problem: Problem::SizeChanged {
                        expected: 300,
                        found: 299
                    }
                }
            ]
        );
        assert!(findings[1].to_string().contains("299 bytes"));
    }

    #[test]
    fn the_copy_checked_longest_ago_is_rechecked_next() {
        let mut known = known(&[("a", 1, 5), ("b", 1, 2), ("c", 1, 9)]);
        assert_eq!(next_to_recheck(&known, &[]).map(|(b, _)| b), Some("b"));
        let found_b = Finding {
            backup: "b".into(),
            object: "b.age".into(),
            problem: Problem::Missing,
        };
        assert_eq!(
            next_to_recheck(&known, &[found_b]).map(|(b, _)| b),
            Some("a")
        );
        // Copies checked by reading them back are only listed.
        for check in known.checks.values_mut() {
            check.hash_type = READ_BACK.into();
        }
        assert_eq!(next_to_recheck(&known, &[]), None);
    }
}
