//! Why an rclone command failed, as data: "the network or the service is
//! not there right now" ([`RcloneError::is_transient`]) apart from "rclone is
//! missing" and "something is wrong that retrying will not fix", with the
//! help line each one gets.

use std::path::PathBuf;
use std::time::Duration;

/// Why an rclone command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RcloneError {
    #[error("the rclone program `{}` is not installed or cannot be run: {detail}", program.display())]
    Missing { program: PathBuf, detail: String },
    #[error("cannot reach the remote (rclone {command}): {detail}")]
    Unreachable { command: String, detail: String },
    #[error("rclone {command} took longer than {} s and was stopped", after.as_secs())]
    TimedOut { command: String, after: Duration },
    #[error("rclone {command} failed{}: {detail}", code.map(|c| format!(" (exit {c})")).unwrap_or_default())]
    Failed {
        command: String,
        code: Option<i32>,
        detail: String,
    },
    #[error("rclone {command} answered something rota cannot read: {detail}")]
    BadOutput { command: String, detail: String },
}

impl RcloneError {
    /// Whether trying again later may succeed (network down, service busy): the
    /// copy is pending, not lost.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            RcloneError::Unreachable { .. } | RcloneError::TimedOut { .. }
        )
    }

    /// The failure in rclone's words, for a line that already says the
    /// remote could not be reached (so without saying it twice).
    pub fn transient_detail(&self) -> String {
        match self {
            RcloneError::Unreachable { command, detail } => {
                format!("rclone {command}: {detail}")
            }
            other => other.to_string(),
        }
    }

    pub fn help(&self) -> &'static str {
        match self {
            RcloneError::Missing { .. } => {
                "install rclone (macOS: `brew install rclone`; Debian/Ubuntu: `apt-get install rclone`) or set upload.binary to its full path"
            }
            RcloneError::Unreachable { .. } | RcloneError::TimedOut { .. } => {
                "nothing is lost: the copy waits in the staging folder and is sent on the next run; check the internet connection"
            }
            RcloneError::Failed { .. } => {
                "run the same rclone command by hand to see the whole message; `rclone config` fixes remotes and passwords"
            }
            RcloneError::BadOutput { .. } => {
                "check that upload.binary is rclone, version 1.60 or later"
            }
        }
    }
}
