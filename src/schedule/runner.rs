//! Running the scheduler's commands (launchctl, systemctl): the [`Runner`]
//! seam that tests replace, the real [`System`] runner, and what a command
//! printed. It runs what it is given and decides nothing.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs a scheduler command and waits between tries.
pub trait Runner {
    fn run(&self, command: &[String]) -> io::Result<RunResult>;

    /// Waits before trying again (tests do not wait).
    fn pause(&self, how_long: Duration) {
        std::thread::sleep(how_long);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunResult {
    pub success: bool,
    /// What it printed on stdout (`launchctl print` says whether the job runs).
    pub stdout: String,
    /// What it printed on stderr (for messages), trimmed.
    pub stderr: String,
}

/// The real commands, or — for tests — `program COMMAND...` when a stand-in
/// program is given (see `ROTA_SCHEDULE_RUNNER` in the CLI).
pub struct System {
    pub stand_in: Option<PathBuf>,
}

impl Runner for System {
    fn run(&self, command: &[String]) -> io::Result<RunResult> {
        let (program, args): (&Path, &[String]) = match &self.stand_in {
            Some(stand_in) => (stand_in.as_path(), command),
            None => {
                let (first, rest) = command
                    .split_first()
                    .ok_or_else(|| io::Error::other("empty command"))?;
                (Path::new(first.as_str()), rest)
            }
        };
        let output = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .output()?;
        Ok(RunResult {
            success: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        })
    }
}
