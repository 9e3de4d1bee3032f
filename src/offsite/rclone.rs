//! A small client for the `rclone` program, the tool offices and their IT
//! people already use for every cloud (S3, B2, Azure, Google Drive, SFTP, ...).
//! rota never speaks a cloud protocol itself: it runs rclone with the remote,
//! config file and bandwidth limit of the policy, and reads its JSON output.
//!
//! Every command gets rclone's connect and idle timeouts and retry counts;
//! listing, hashing and deleting also get an overall deadline after which rota
//! stops the process (an upload has none: a large backup over a slow line may
//! take hours, and rclone's idle timeout catches a dead connection).
//!
//! Failures come back as data ([`RcloneError`]) that tells "the network or the
//! service is not there right now" ([`RcloneError::is_transient`]: the copy is
//! pending, not lost, and is tried again next run) from "rclone is missing" and
//! "something is wrong that retrying will not fix".
//!
//! This module runs rclone and nothing else; it never decides what to upload
//! or delete.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde::Deserialize;

use crate::content_hash::{self, BUFFER_SIZE};
use crate::policy::Upload;

mod error;
mod process;

pub use error::RcloneError;
use process::{Finished, check_status, collect, finish};

/// The program run when the policy names none.
pub const DEFAULT_PROGRAM: &str = "rclone";

/// How long rclone may take, and how often it retries on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// `--contimeout`: connecting to the service.
    pub connect: Duration,
    /// `--timeout`: a connection with no traffic for this long is dead.
    pub idle: Duration,
    /// rota's own deadline for commands other than uploads.
    pub command: Duration,
    /// `--retries` and `--low-level-retries`.
    pub retries: u32,
    pub low_level_retries: u32,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(30),
            idle: Duration::from_secs(300),
            command: Duration::from_secs(600),
            retries: 3,
            low_level_retries: 10,
        }
    }
}

/// Test-only: set, it makes every rclone command of a run give up within
/// seconds (one try), so the tests that stop a server are quick.
pub const QUICK_ENV: &str = "ROTA_TEST_RCLONE_QUICK";

impl Timeouts {
    /// Short timeouts and a single try: a dead server is noticed in seconds.
    pub fn quick() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(3),
            idle: Duration::from_secs(5),
            command: Duration::from_secs(60),
            retries: 1,
            low_level_retries: 1,
        }
    }

    /// The defaults, or [`Timeouts::quick`] when the test-only
    /// `ROTA_TEST_RCLONE_QUICK` is set.
    pub fn for_this_run() -> Timeouts {
        if std::env::var_os(QUICK_ENV).is_some() {
            Timeouts::quick()
        } else {
            Timeouts::default()
        }
    }
}

/// How to run rclone for one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rclone {
    pub program: PathBuf,
    pub config: Option<PathBuf>,
    pub bwlimit: Option<String>,
    pub timeouts: Timeouts,
}

/// An object (or folder) rclone listed, with the hashes asked for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RemoteObject {
    #[serde(rename = "Path")]
    pub path: String,
    #[serde(rename = "Size")]
    pub size: i64,
    #[serde(rename = "IsDir", default)]
    pub is_dir: bool,
    /// Hash type (lowercase, as rclone names it) to lowercase hex; a type the
    /// service could not give for this object may be missing or empty.
    #[serde(rename = "Hashes", default)]
    pub hashes: BTreeMap<String, String>,
}

impl RemoteObject {
    /// The object's hash of type `kind`, when the service gave one.
    pub fn hash(&self, kind: &str) -> Option<&str> {
        self.hashes
            .get(kind)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    }
}

impl Rclone {
    /// rclone as the policy's `upload` settings say, with default timeouts
    /// (see [`Timeouts::for_this_run`]).
    pub fn for_upload(upload: &Upload) -> Rclone {
        Rclone {
            program: upload
                .binary
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_PROGRAM)),
            config: upload.config.clone(),
            bwlimit: upload.bwlimit.clone(),
            timeouts: Timeouts::for_this_run(),
        }
    }

    /// `rclone version`'s first line; the way to find out rclone is there.
    pub fn version(&self) -> Result<String, RcloneError> {
        let done = self.run("version", &["version".into()], Some(self.timeouts.command))?;
        let text = String::from_utf8_lossy(&done.stdout);
        Ok(text.lines().next().unwrap_or_default().trim().to_string())
    }

    /// The hash types the remote can give for its objects (lowercase, as
    /// rclone names them: `md5`, `sha1`, ...); empty when it has none.
    pub fn hash_types(&self, remote: &str) -> Result<Vec<String>, RcloneError> {
        #[derive(Deserialize)]
        struct Features {
            #[serde(rename = "Hashes", default)]
            hashes: Option<Vec<String>>,
        }
        let args = ["backend".into(), "features".into(), remote.into()];
        let done = self.run("backend features", &args, Some(self.timeouts.command))?;
        let features: Features = parse_json("backend features", &done.stdout)?;
        Ok(features
            .hashes
            .unwrap_or_default()
            .into_iter()
            .map(|kind| kind.to_ascii_lowercase())
            .collect())
    }

    /// Uploads the local file `local` to the remote object `remote_path`.
    pub fn copyto(&self, local: &Path, remote_path: &str) -> Result<(), RcloneError> {
        let mut args: Vec<OsString> = vec!["copyto".into(), local.into(), remote_path.into()];
        args.extend(self.bwlimit_args());
        self.run("copyto", &args, None).map(drop)
    }

    /// Uploads the local folder `local` into the remote folder `remote_path`.
    pub fn copy_folder(&self, local: &Path, remote_path: &str) -> Result<(), RcloneError> {
        let mut args: Vec<OsString> = vec!["copy".into(), local.into(), remote_path.into()];
        args.extend(self.bwlimit_args());
        self.run("copy", &args, None).map(drop)
    }

    /// One object (local or remote) with its hash of type `hash`, or `None`
    /// when there is no such object.
    pub fn stat(
        &self,
        path: &OsString,
        hash: Option<&str>,
    ) -> Result<Option<RemoteObject>, RcloneError> {
        let objects = self.lsjson(path, hash)?;
        Ok(objects.into_iter().find(|object| !object.is_dir))
    }

    /// The entries of a remote folder (not recursive), with hashes of type
    /// `hash`; empty when the folder does not exist yet.
    pub fn list(
        &self,
        remote_dir: &str,
        hash: Option<&str>,
    ) -> Result<Vec<RemoteObject>, RcloneError> {
        self.lsjson(&remote_dir.into(), hash)
    }

    fn lsjson(
        &self,
        path: &OsString,
        hash: Option<&str>,
    ) -> Result<Vec<RemoteObject>, RcloneError> {
        let mut args: Vec<OsString> = vec!["lsjson".into(), "--no-mimetype".into()];
        if let Some(kind) = hash {
            args.extend(["--hash".into(), "--hash-type".into(), kind.into()]);
        }
        args.push(path.clone());
        match self.run("lsjson", &args, Some(self.timeouts.command)) {
            Ok(done) => parse_json("lsjson", &done.stdout),
            // 3: directory not found, 4: file not found.
            Err(RcloneError::Failed {
                code: Some(3 | 4), ..
            }) => Ok(Vec::new()),
            Err(error) => Err(error),
        }
    }

    /// Compares a local folder with a remote one, file by file (size and a
    /// hash both sides have; with `download`, by reading the remote back).
    /// `Ok(None)` when they match, `Ok(Some(differences))` when not.
    pub fn check_folder(
        &self,
        local: &Path,
        remote_path: &str,
        download: bool,
    ) -> Result<Option<String>, RcloneError> {
        let mut args: Vec<OsString> = vec![
            "check".into(),
            "--one-way".into(),
            local.into(),
            remote_path.into(),
        ];
        if download {
            args.push("--download".into());
        }
        match self.run("check", &args, None) {
            Ok(_) => Ok(None),
            Err(RcloneError::Failed {
                code: Some(1),
                detail,
                ..
            }) => Ok(Some(detail)),
            Err(RcloneError::Failed {
                code: Some(3),
                detail,
                ..
            }) => Ok(Some(detail)),
            Err(error) => Err(error),
        }
    }

    /// Deletes one remote object. An object that is already gone is not an
    /// error: the result is what was asked for (rclone says "is a directory or
    /// doesn't exist" either way, so rota looks before concluding).
    pub fn deletefile(&self, remote_path: &str) -> Result<(), RcloneError> {
        let args = ["deletefile".into(), remote_path.into()];
        match self.run("deletefile", &args, Some(self.timeouts.command)) {
            Ok(_) => Ok(()),
            Err(error @ RcloneError::Failed { .. }) => {
                if self.lsjson(&remote_path.into(), None)?.is_empty() {
                    Ok(())
                } else {
                    Err(error)
                }
            }
            Err(error) => Err(error),
        }
    }

    /// Deletes a remote folder and everything in it (a plain bundle's copy).
    pub fn purge(&self, remote_path: &str) -> Result<(), RcloneError> {
        let args = ["purge".into(), remote_path.into()];
        match self.run("purge", &args, Some(self.timeouts.command)) {
            Err(RcloneError::Failed {
                code: Some(3 | 4), ..
            }) => Ok(()),
            other => other.map(drop),
        }
    }

    /// Reads a remote object back and returns its BLAKE3 and length, for
    /// services that share no hash type with this machine.
    pub fn read_back_hash(&self, remote_path: &str) -> Result<(String, u64), RcloneError> {
        let args = ["cat".into(), remote_path.into()];
        let mut child = self.spawn("cat", &args)?;
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let stderr = collect(child.stderr.take());
        let mut hasher = blake3::Hasher::new();
        let mut len = 0u64;
        let mut buffer = vec![0u8; BUFFER_SIZE];
        loop {
            match stdout.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => {
                    hasher.update(&buffer[..read]);
                    len += read as u64;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(RcloneError::Failed {
                        command: "cat".into(),
                        code: None,
                        detail: error.to_string(),
                    });
                }
            }
        }
        let done = finish(child, stderr, None, "cat", None)?;
        check_status("cat", done)?;
        Ok((content_hash::to_hex(&hasher), len))
    }

    fn spawn(&self, command: &str, args: &[OsString]) -> Result<Child, RcloneError> {
        Command::new(&self.program)
            .args(self.common_args())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| {
                if error.kind() == io::ErrorKind::NotFound
                    || error.kind() == io::ErrorKind::PermissionDenied
                {
                    RcloneError::Missing {
                        program: self.program.clone(),
                        detail: error.to_string(),
                    }
                } else {
                    RcloneError::Failed {
                        command: command.to_string(),
                        code: None,
                        detail: error.to_string(),
                    }
                }
            })
    }

    /// Runs a command to its end (or its deadline) and turns a failure into
    /// an [`RcloneError`].
    fn run(
        &self,
        command: &str,
        args: &[OsString],
        deadline: Option<Duration>,
    ) -> Result<Finished, RcloneError> {
        let mut child = self.spawn(command, args)?;
        let stdout = collect(child.stdout.take());
        let stderr = collect(child.stderr.take());
        let done = finish(child, stderr, Some(stdout), command, deadline)?;
        check_status(command, done)
    }

    fn bwlimit_args(&self) -> Vec<OsString> {
        self.bwlimit
            .iter()
            .flat_map(|limit| ["--bwlimit".into(), limit.into()])
            .collect()
    }

    /// The options every command gets.
    fn common_args(&self) -> Vec<OsString> {
        let t = &self.timeouts;
        let mut args: Vec<OsString> = Vec::new();
        if let Some(config) = &self.config {
            args.extend(["--config".into(), config.into()]);
        }
        args.extend([
            "--contimeout".into(),
            format!("{}s", t.connect.as_secs().max(1)).into(),
            "--timeout".into(),
            format!("{}s", t.idle.as_secs().max(1)).into(),
            "--retries".into(),
            t.retries.max(1).to_string().into(),
            "--low-level-retries".into(),
            t.low_level_retries.max(1).to_string().into(),
            "--log-level".into(),
            "ERROR".into(),
        ]);
        args
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(
    command: &str,
    bytes: &[u8],
) -> Result<T, RcloneError> {
    serde_json::from_slice(bytes).map_err(|error| RcloneError::BadOutput {
        command: command.to_string(),
        detail: error.to_string(),
    })
}

/// The remote path of `name` inside the remote folder `remote` (`b2:bucket/rota`
/// and `b2:` both work).
pub fn join(remote: &str, name: &str) -> String {
    if remote.ends_with(':') || remote.ends_with('/') {
        format!("{remote}{name}")
    } else {
        format!("{remote}/{name}")
    }
}

/// Where `program` would be run from: itself when it names a path, else the
/// first match on `PATH`. `None` when there is none.
pub fn locate_program(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    let names: Vec<OsString> = if cfg!(windows) {
        vec![program.into(), format!("{}.exe", program.display()).into()]
    } else {
        vec![program.into()]
    };
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests;
