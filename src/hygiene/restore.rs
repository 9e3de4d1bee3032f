//! Restore tests: pick a backup that has a verified copy on a connected disk,
//! restore it into a scratch folder (streaming, hashing what is read), check
//! the restored copy against the manifest's hash, optionally run the office's
//! own check command on it, and remove the scratch folder again.
//!
//! This module reads copies and writes only inside the scratch folder it
//! creates (a new, uniquely named folder); cleaning up removes that folder and
//! nothing else. It never changes a copy, a manifest or the source folder.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;

use crate::content_hash::{BUFFER_SIZE, BundleEntryKind, BundleHasher, bundle_entries, to_hex};
use crate::inventory::{CopyRecord, EntryKind, Inventory, layout};
use crate::plan::Plan;

/// A backup that can be restored now, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub business_day: NaiveDate,
    /// Why it is kept, in words ("month-end 2026-02"), empty if it is not.
    pub reasons: Vec<String>,
    /// The connected disk it is read from.
    pub label: String,
    pub copy_path: PathBuf,
    pub record: CopyRecord,
}

/// Every backup with a verified, plaintext copy on a connected disk whose
/// manifest rota trusts, oldest first; `retained_only` keeps those a tier or
/// hold keeps.
pub fn candidates(plan: &Plan, inventory: &Inventory, retained_only: bool) -> Vec<Candidate> {
    plan.backups
        .iter()
        .filter(|backup| !retained_only || !backup.reasons.is_empty())
        .filter_map(|backup| {
            inventory
                .connected_disks()
                .filter(|disk| disk.manifest_error.is_none())
                .find_map(|disk| {
                    let record = disk.verified_copy(&backup.name)?;
                    let mount = disk.mount.as_ref()?;
                    record.ciphertext_hash.is_none().then(|| Candidate {
                        name: backup.name.clone(),
                        business_day: backup.business_day,
                        reasons: backup.reasons.iter().map(ToString::to_string).collect(),
                        label: disk.label.clone(),
                        copy_path: layout::copies_dir(&mount.path).join(&backup.name),
                        record: record.clone(),
                    })
                })
        })
        .collect()
}

/// A restored copy, and whether it is what was backed up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub path: PathBuf,
    pub bytes: u64,
    pub hash: String,
}

impl Restored {
    pub fn matches(&self, record: &CopyRecord) -> bool {
        self.hash == record.hash
    }
}

/// A folder created for one restore test, removed by [`Scratch::clean_up`].
#[derive(Debug)]
pub struct Scratch {
    pub folder: PathBuf,
}

impl Scratch {
    /// Creates a new folder named `run` inside `parent` (created if needed);
    /// if that name is taken, `run-2`, `run-3`... It never reuses a folder.
    pub fn create(parent: &Path, run: &str) -> io::Result<Scratch> {
        std::fs::create_dir_all(parent)?;
        for attempt in 1..1000 {
            let name = if attempt == 1 {
                run.to_string()
            } else {
                format!("{run}-{attempt}")
            };
            let folder = parent.join(name);
            match std::fs::create_dir(&folder) {
                Ok(()) => return Ok(Scratch { folder }),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(error) => return Err(error),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("too many restore folders in {}", parent.display()),
        ))
    }

    /// Removes the scratch folder and what was restored into it.
    pub fn clean_up(self) -> io::Result<()> {
        std::fs::remove_dir_all(&self.folder)
    }
}

/// Restores a candidate into the scratch folder, hashing what it reads.
pub fn restore(candidate: &Candidate, scratch: &Scratch) -> io::Result<Restored> {
    let target = scratch.folder.join(&candidate.name);
    let source_type = std::fs::symlink_metadata(&candidate.copy_path)?.file_type();
    let (bytes, hash) = match candidate.record.kind {
        EntryKind::File if source_type.is_file() => {
            let mut hasher = blake3::Hasher::new();
            let bytes = copy_file(&candidate.copy_path, &target, &mut |chunk| {
                hasher.update(chunk);
            })?;
            (bytes, to_hex(&hasher))
        }
        EntryKind::Bundle if source_type.is_dir() => restore_bundle(&candidate.copy_path, &target)?,
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the copy on the disk is not of the kind its manifest records",
            ));
        }
    };
    Ok(Restored {
        path: target,
        bytes,
        hash,
    })
}

fn restore_bundle(source: &Path, target: &Path) -> io::Result<(u64, String)> {
    std::fs::create_dir(target)?;
    let mut hasher = BundleHasher::new();
    let mut total = 0;
    for entry in bundle_entries(source)? {
        let to = target.join(&entry.relative);
        match &entry.kind {
            BundleEntryKind::Directory => {
                hasher.directory(&entry.key);
                std::fs::create_dir(&to)?;
            }
            BundleEntryKind::Symlink { target: link } => {
                hasher.symlink(&entry.key, link);
                restore_symlink(&source.join(&entry.relative), &to)?;
            }
            BundleEntryKind::File { len } => {
                hasher.begin_file(&entry.key, *len)?;
                total += copy_file(&source.join(&entry.relative), &to, &mut |chunk| {
                    hasher.file_data(chunk)
                })?;
            }
        }
    }
    Ok((total, hasher.finish()?))
}

#[cfg(unix)]
fn restore_symlink(link: &Path, to: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(std::fs::read_link(link)?, to)
}

#[cfg(not(unix))]
fn restore_symlink(_link: &Path, _to: &Path) -> io::Result<()> {
    // The link is part of the hash; without symlinks it is simply not restored.
    Ok(())
}

/// Streams `from` into a new file `to`, passing each chunk read to `observe`.
fn copy_file(from: &Path, to: &Path, observe: &mut dyn FnMut(&[u8])) -> io::Result<u64> {
    let mut reader = File::open(from)?;
    let mut writer = File::options().write(true).create_new(true).open(to)?;
    let mut buffer = vec![0u8; BUFFER_SIZE];
    let mut total = 0u64;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        observe(&buffer[..read]);
        writer.write_all(&buffer[..read])?;
        total += read as u64;
    }
    writer.flush()?;
    Ok(total)
}

/// What the office's check command said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandCheck {
    pub command: String,
    pub ok: bool,
    /// Its exit status and the last lines it printed.
    pub detail: String,
}

/// Runs `template` through the shell with `{}` replaced by the restored path
/// (quoted); without `{}`, the path is added at the end.
pub fn run_check(template: &str, restored: &Path) -> CommandCheck {
    let quoted = shell_quoted(restored);
    let command = if template.contains("{}") {
        template.replace("{}", &quoted)
    } else {
        format!("{template} {quoted}")
    };
    let output = shell(&command).output();
    let (ok, detail) = match output {
        Err(error) => (false, format!("could not be started: {error}")),
        Ok(output) => {
            let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&output.stderr));
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            let tail = lines[lines.len().saturating_sub(5)..].join(" | ");
            let status = match output.status.code() {
                Some(code) => format!("exit status {code}"),
                None => String::from("killed by a signal"),
            };
            let detail = if tail.is_empty() {
                status
            } else {
                format!("{status}: {tail}")
            };
            (output.status.success(), detail)
        }
    };
    CommandCheck {
        command,
        ok,
        detail,
    }
}

#[cfg(unix)]
fn shell(command: &str) -> Command {
    let mut shell = Command::new("/bin/sh");
    shell.arg("-c").arg(command);
    shell
}

#[cfg(not(unix))]
fn shell(command: &str) -> Command {
    let mut shell = Command::new("cmd");
    shell.arg("/C").arg(command);
    shell
}

/// A path quoted for the shell that runs the check command.
fn shell_quoted(path: &Path) -> String {
    let text = path.display().to_string();
    if cfg!(unix) {
        format!("'{}'", text.replace('\'', "'\\''"))
    } else {
        format!("\"{text}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content_hash::{hash_bundle, hash_file};
    use chrono::Utc;

    fn candidate(path: &Path, kind: EntryKind, hash: String) -> Candidate {
        Candidate {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            business_day: "2026-03-31".parse().unwrap(),
            reasons: Vec::new(),
            label: String::from("MON"),
            copy_path: path.to_path_buf(),
            record: CopyRecord {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                size: 0,
                kind,
                hash,
                copied_at: Utc::now(),
                verified_at: Some(Utc::now()),
                ciphertext_hash: None,
                fingerprint: None,
            },
        }
    }

    #[test]
    fn a_file_and_a_bundle_restore_with_the_manifest_hash_and_clean_up() {
        let disk = tempfile::tempdir().unwrap();
        let file = disk.path().join("b_file");
        let data: Vec<u8> = (0..BUFFER_SIZE * 2 + 5).map(|i| (i % 241) as u8).collect();
        std::fs::write(&file, &data).unwrap();
        let bundle = disk.path().join("b_bundle");
        std::fs::create_dir_all(bundle.join("Contents/Data")).unwrap();
        std::fs::write(bundle.join("Contents/Data/db"), b"patients").unwrap();
        std::fs::write(bundle.join("Contents/Info.plist"), b"<plist/>").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("Data/db", bundle.join("Contents/current")).unwrap();
        let scratch_parent = tempfile::tempdir().unwrap();
        for (path, kind, hash, size) in [
            (
                &file,
                EntryKind::File,
                hash_file(&file).unwrap(),
                data.len() as u64,
            ),
            (
                &bundle,
                EntryKind::Bundle,
                hash_bundle(&bundle).unwrap(),
                16,
            ),
        ] {
            let candidate = candidate(path, kind, hash);
            let scratch = Scratch::create(scratch_parent.path(), "run").unwrap();
            let restored = restore(&candidate, &scratch).unwrap();
            assert!(restored.matches(&candidate.record), "{path:?}");
            assert_eq!(restored.bytes, size);
            assert_eq!(
                crate::content_hash::hash_path(&restored.path).unwrap(),
                restored.hash
            );
            scratch.clean_up().unwrap();
        }
        assert_eq!(std::fs::read_dir(scratch_parent.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_damaged_copy_restores_with_another_hash() {
        let disk = tempfile::tempdir().unwrap();
        let file = disk.path().join("b_file");
        std::fs::write(&file, b"original").unwrap();
        let candidate = candidate(&file, EntryKind::File, hash_file(&file).unwrap());
        std::fs::write(&file, b"origiNal").unwrap();
        let scratch = Scratch::create(disk.path(), "scratch").unwrap();
        assert!(
            !restore(&candidate, &scratch)
                .unwrap()
                .matches(&candidate.record)
        );
    }

    #[test]
    fn scratch_folders_are_never_reused() {
        let parent = tempfile::tempdir().unwrap();
        let first = Scratch::create(parent.path(), "run").unwrap();
        let second = Scratch::create(parent.path(), "run").unwrap();
        assert_ne!(first.folder, second.folder);
        assert!(second.folder.ends_with("run-2"));
    }

    #[cfg(unix)]
    #[test]
    fn the_check_command_gets_the_quoted_path_and_its_status_counts() {
        let dir = tempfile::tempdir().unwrap();
        let restored = dir.path().join("it's a backup");
        std::fs::write(&restored, b"x").unwrap();
        let ok = run_check("test -f {} && echo fine", &restored);
        assert!(ok.ok, "{ok:?}");
        assert_eq!(ok.detail, "exit status 0: fine");
        let failed = run_check("echo broken >&2; false", &restored);
        assert!(!failed.ok);
        assert!(
            failed.detail.contains("exit status 1: broken"),
            "{failed:?}"
        );
        let appended = run_check("test -f", &restored);
        assert!(appended.ok, "{appended:?}");
    }
}
