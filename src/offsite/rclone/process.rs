//! Watching a running rclone program: reading its output without letting a
//! pipe stall it, stopping it at a deadline, and turning its exit code and
//! last message into an [`RcloneError`] that tells "cannot reach the remote"
//! from other failures. Starting it is [`super::Rclone`]'s job.

use std::io::Read;
use std::process::Child;
use std::thread;
use std::time::Duration;

use wait_timeout::ChildExt;

use super::error::RcloneError;

/// What rclone printed and how it ended.
#[derive(Debug)]
pub(super) struct Finished {
    pub(super) code: Option<i32>,
    pub(super) stdout: Vec<u8>,
    pub(super) stderr: String,
}

/// Reads a pipe to its end on another thread (so neither pipe can fill up and
/// stall rclone while rota waits on the other).
pub(super) fn collect<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Waits for the process, stopping it at the deadline.
pub(super) fn finish(
    mut child: Child,
    stderr: thread::JoinHandle<Vec<u8>>,
    stdout: Option<thread::JoinHandle<Vec<u8>>>,
    command: &str,
    deadline: Option<Duration>,
) -> Result<Finished, RcloneError> {
    let status = match deadline {
        None => child.wait(),
        Some(limit) => match child.wait_timeout(limit) {
            Ok(Some(status)) => Ok(status),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RcloneError::TimedOut {
                    command: command.to_string(),
                    after: limit,
                });
            }
            Err(error) => Err(error),
        },
    }
    .map_err(|error| RcloneError::Failed {
        command: command.to_string(),
        code: None,
        detail: error.to_string(),
    })?;
    let stderr = String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned();
    let stdout = stdout
        .map(|handle| handle.join().unwrap_or_default())
        .unwrap_or_default();
    Ok(Finished {
        code: status.code(),
        stdout,
        stderr,
    })
}

/// Success, or the failure classified from rclone's exit code and message.
pub(super) fn check_status(command: &str, done: Finished) -> Result<Finished, RcloneError> {
    if done.code == Some(0) {
        return Ok(done);
    }
    let detail = last_message(&done.stderr);
    // rclone's exit code 5 is "temporary error, retrying may fix it".
    if done.code == Some(5) || looks_like_network(&done.stderr) {
        return Err(RcloneError::Unreachable {
            command: command.to_string(),
            detail,
        });
    }
    Err(RcloneError::Failed {
        command: command.to_string(),
        code: done.code,
        detail,
    })
}

/// Whether rclone's messages say the service could not be reached.
pub(super) fn looks_like_network(stderr: &str) -> bool {
    const SIGNS: [&str; 14] = [
        "connection refused",
        "no such host",
        "network is unreachable",
        "no route to host",
        "i/o timeout",
        "connection reset",
        "broken pipe",
        "couldn't connect",
        "dial tcp",
        "temporary failure in name resolution",
        "tls handshake timeout",
        "context deadline exceeded",
        "connection lost",
        "unexpected eof",
    ];
    let lower = stderr.to_ascii_lowercase();
    SIGNS.iter().any(|sign| lower.contains(sign))
}

/// rclone's last message, without its date and time prefix.
pub(super) fn last_message(stderr: &str) -> String {
    let line = stderr
        .lines()
        .map(str::trim)
        .rfind(|line| !line.is_empty())
        .unwrap_or("no message");
    strip_log_prefix(line).to_string()
}

/// `2026/03/31 23:59:00 ERROR : x: y` -> `ERROR : x: y`.
fn strip_log_prefix(line: &str) -> &str {
    let mut parts = line.splitn(3, ' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(date), Some(time), Some(rest))
            if date.len() == 10 && date.as_bytes()[4] == b'/' && time.contains(':') =>
        {
            rest
        }
        _ => line,
    }
}
