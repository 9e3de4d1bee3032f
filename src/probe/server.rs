//! The server itself, as the vendor guide asks: its startup disk encrypted
//! (macOS `fdesetup status`: FileVault; Linux: the source folder's file system
//! on dm-crypt/LUKS, from `lsblk`), and Time Machine configured with a recent
//! backup (macOS `tmutil destinationinfo` and `tmutil latestbackup`; Linux has
//! no Time Machine: unknown, with what to check instead).

use std::path::Path;

use chrono::NaiveDateTime;

use super::{Encryption, Platform, Runner, linux};

const FDESETUP_HOW: &str = "run `fdesetup status` in Terminal (it says \"FileVault is On.\"), or \
                            look in System Settings → Privacy & Security → FileVault";

/// Whether the disk the server runs from (the one holding the source folder
/// on Linux) is encrypted.
pub fn startup_disk_encryption(
    runner: &dyn Runner,
    platform: Platform,
    source: &Path,
) -> Encryption {
    match platform {
        Platform::MacOs => match runner.run("fdesetup", &["status"]) {
            Ok(output) => read_fdesetup(&output),
            Err(why) => Encryption::Unknown {
                evidence: why,
                how: FDESETUP_HOW.to_string(),
            },
        },
        Platform::Linux => linux::volume_encryption(runner, source),
        Platform::Other => Encryption::Unknown {
            evidence: String::from("rota knows no tool on this system that tells"),
            how: String::from("check in the system's settings that its disk is encrypted"),
        },
    }
}

/// The verdict from `fdesetup status` output.
pub fn read_fdesetup(output: &str) -> Encryption {
    let first = output.lines().next().unwrap_or("").trim().to_string();
    if first.starts_with("FileVault is On") {
        Encryption::Encrypted {
            evidence: format!("fdesetup: {first}"),
        }
    } else if first.starts_with("FileVault is Off") {
        Encryption::NotEncrypted {
            evidence: format!("fdesetup: {first}"),
        }
    } else {
        Encryption::Unknown {
            evidence: format!("fdesetup said {first:?}"),
            how: FDESETUP_HOW.to_string(),
        }
    }
}

/// What Time Machine says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeMachine {
    /// A destination is configured; its name, and the latest backup's time
    /// (local) when one was found.
    Configured {
        destination: String,
        latest: Option<NaiveDateTime>,
    },
    NotConfigured,
    Unknown {
        evidence: String,
        how: String,
    },
}

const TMUTIL_HOW: &str = "open System Settings → General → Time Machine: a backup disk should be \
                          listed with a recent backup";

pub fn time_machine(runner: &dyn Runner, platform: Platform) -> TimeMachine {
    if platform != Platform::MacOs {
        return TimeMachine::Unknown {
            evidence: String::from("Time Machine is macOS's; this server is not a Mac"),
            how: String::from(
                "check that the server's own system backup (e.g. a nightly image or \
                 snapshot of its disk) is set up and recent",
            ),
        };
    }
    let destinations = match runner.run("tmutil", &["destinationinfo"]) {
        Ok(output) => output,
        Err(why) if why.contains("No destinations configured") => {
            return TimeMachine::NotConfigured;
        }
        Err(why) => {
            return TimeMachine::Unknown {
                evidence: why,
                how: TMUTIL_HOW.to_string(),
            };
        }
    };
    let Some(destination) = read_destination(&destinations) else {
        return if destinations.contains("No destinations configured") {
            TimeMachine::NotConfigured
        } else {
            TimeMachine::Unknown {
                evidence: String::from("tmutil destinationinfo lists no destination rota can read"),
                how: TMUTIL_HOW.to_string(),
            }
        };
    };
    let latest = runner
        .run("tmutil", &["latestbackup"])
        .ok()
        .and_then(|output| read_latest(&output));
    TimeMachine::Configured {
        destination,
        latest,
    }
}

/// The first destination's name from `tmutil destinationinfo`.
pub fn read_destination(output: &str) -> Option<String> {
    output.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "Name").then(|| value.trim().to_string())
    })
}

/// The time in the last path component of `tmutil latestbackup`
/// (`…/2026-03-30-101530` or `…/2026-03-30-101530.backup`).
pub fn read_latest(output: &str) -> Option<NaiveDateTime> {
    let path = output
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())?
        .trim();
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    let stamp = last.get(..17)?;
    NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d-%H%M%S").ok()
}
