//! What the machine's own tools say about a disk's volume: whether it is
//! encrypted (macOS: `diskutil info -plist MOUNT`, FileVault on an APFS
//! volume; Linux: `lsblk --json`, a mount on dm-crypt/LUKS); and about the
//! server itself (`server`: FileVault, Time Machine). The programs run
//! through one small injectable [`Runner`], so tests feed recorded outputs
//! of the real tools (in `tests/fixtures/probe/`) and every verdict the
//! parsers can reach is tested on every platform.
//!
//! When a tool is missing, fails or says something this module does not
//! understand, the answer is [`Encryption::Unknown`] with how to check by
//! hand: never a guess in either direction. This module only runs the
//! read-only commands named here; it never changes a volume.

mod linux;
mod macos;
pub mod server;

use std::path::Path;
use std::process::{Command, Stdio};

use serde::Serialize;

/// Runs a program and returns what it printed on stdout, or why it failed.
pub trait Runner {
    fn run(&self, program: &str, args: &[&str]) -> Result<String, String>;
}

/// The real programs, found on `PATH`.
pub struct SystemRunner;

impl Runner for SystemRunner {
    fn run(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let output = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|error| format!("`{program}` could not be run: {error}"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!(
                "`{program} {}` failed ({}): {}",
                args.join(" "),
                output.status,
                stderr.trim()
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

/// Which tools to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    MacOs,
    Linux,
    /// No tool rota knows how to read.
    Other,
}

impl Platform {
    pub fn current() -> Platform {
        if cfg!(target_os = "macos") {
            Platform::MacOs
        } else if cfg!(target_os = "linux") {
            Platform::Linux
        } else {
            Platform::Other
        }
    }
}

/// Whether a volume is encrypted, and what that verdict rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Encryption {
    Encrypted {
        evidence: String,
    },
    NotEncrypted {
        evidence: String,
    },
    /// The tools could not tell; `how` says how to check by hand.
    Unknown {
        evidence: String,
        how: String,
    },
}

impl Encryption {
    pub fn is_encrypted(&self) -> bool {
        matches!(self, Encryption::Encrypted { .. })
    }

    pub fn evidence(&self) -> &str {
        match self {
            Encryption::Encrypted { evidence }
            | Encryption::NotEncrypted { evidence }
            | Encryption::Unknown { evidence, .. } => evidence,
        }
    }
}

/// How to encrypt a disk's volume, for messages that refuse or warn.
pub fn how_to_encrypt(platform: Platform, mount: &Path) -> String {
    match platform {
        Platform::MacOs => format!(
            "in Finder, Control-click the disk and choose \"Encrypt\" (or `diskutil apfs \
             encryptVolume {}` for an APFS disk; an exFAT or HFS disk must first be erased as \
             \"APFS (Encrypted)\" in Disk Utility), keep the password in the safe, then label it \
             again if it was erased",
            mount.display()
        ),
        Platform::Linux => String::from(
            "format the disk with LUKS (`cryptsetup luksFormat`, then open it and make the file \
             system on the mapped device), keep the passphrase in the safe, then label it again \
             with `rota disk init`",
        ),
        Platform::Other => String::from(
            "encrypt the disk with the operating system's own disk encryption, then label it again",
        ),
    }
}

/// Asks the platform's tools whether the volume holding `path` is encrypted.
pub fn volume_encryption(runner: &dyn Runner, platform: Platform, path: &Path) -> Encryption {
    match platform {
        Platform::MacOs => macos::volume_encryption(runner, path),
        Platform::Linux => linux::volume_encryption(runner, path),
        Platform::Other => Encryption::Unknown {
            evidence: String::from("rota knows no tool on this system that tells"),
            how: String::from("check in the system's disk settings that the disk is encrypted"),
        },
    }
}

#[cfg(test)]
mod tests;
