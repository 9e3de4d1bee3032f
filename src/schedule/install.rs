//! Putting the job in place and taking it away, idempotently: a file is
//! written only when its contents differ (temp file + rename), removing what
//! is not there is not an error, and nothing but the job's own files is ever
//! touched. The scheduler commands (launchctl, systemctl) go through a
//! [`Runner`], and every path is under a root (`/` on a real install), so
//! tests put both somewhere harmless.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{Install, JobFile};

/// Runs a scheduler command; `Ok(true)` when it exited 0.
pub trait Runner {
    fn run(&self, command: &[String]) -> io::Result<RunResult>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunResult {
    pub success: bool,
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
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        })
    }
}

/// Where each file of the job lives under `root`.
pub fn located(root: &Path, file: &JobFile) -> PathBuf {
    let relative = file.path.strip_prefix("/").unwrap_or(&file.path);
    root.join(relative)
}

/// The state of one file of the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    Missing,
    UpToDate,
    Differs,
}

pub fn file_state(root: &Path, file: &JobFile) -> FileState {
    match std::fs::read_to_string(located(root, file)) {
        Ok(text) if text == file.contents => FileState::UpToDate,
        Ok(_) => FileState::Differs,
        Err(_) => FileState::Missing,
    }
}

/// What an install did, for the report.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Done {
    pub written: Vec<PathBuf>,
    pub unchanged: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
    pub commands: Vec<(Vec<String>, RunResult)>,
}

/// Writes the files that differ, then (re)loads the job. A load command
/// that fails is an error (the first `launchctl bootout`, which fails when
/// the job was not loaded yet, is part of `unload` semantics and tolerated).
pub fn install(install: &Install, root: &Path, runner: &dyn Runner) -> Result<Done, String> {
    let mut done = Done::default();
    for file in &install.files {
        let path = located(root, file);
        if file_state(root, file) == FileState::UpToDate {
            done.unchanged.push(path);
            continue;
        }
        write(&path, &file.contents)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        done.written.push(path);
    }
    for (index, command) in install.load.iter().enumerate() {
        let result = runner
            .run(command)
            .map_err(|e| format!("cannot run {}: {e}", command.join(" ")))?;
        let tolerated = install.unload.contains(command) && index + 1 < install.load.len();
        let failed = !result.success && !tolerated;
        done.commands.push((command.clone(), result.clone()));
        if failed {
            return Err(format!(
                "`{}` failed{}",
                command.join(" "),
                if result.stderr.is_empty() {
                    String::new()
                } else {
                    format!(": {}", result.stderr)
                }
            ));
        }
    }
    Ok(done)
}

/// Unloads the job (failures tolerated: it may not be loaded) and deletes
/// its files, if they are there.
pub fn remove(install: &Install, root: &Path, runner: &dyn Runner) -> Result<Done, String> {
    let mut done = Done::default();
    let present = install
        .files
        .iter()
        .any(|file| located(root, file).exists());
    if present {
        for command in &install.unload {
            if let Ok(result) = runner.run(command) {
                done.commands.push((command.clone(), result));
            }
        }
    }
    for file in &install.files {
        let path = located(root, file);
        match std::fs::remove_file(&path) {
            Ok(()) => done.removed.push(path),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(format!("cannot remove {}: {error}", path.display())),
        }
    }
    Ok(done)
}

/// Whether the scheduler says the job is loaded; `None` if it cannot be asked.
pub fn loaded(install: &Install, runner: &dyn Runner) -> Option<bool> {
    runner.run(&install.query).ok().map(|result| result.success)
}

fn write(path: &Path, contents: &str) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temp = path.with_extension("rota-tmp");
    std::fs::write(&temp, contents)?;
    std::fs::rename(&temp, path)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::schedule::Platform;

    /// Records each command and answers with a fixed exit status.
    struct Fake {
        ran: RefCell<Vec<String>>,
        succeed: bool,
    }

    impl Runner for Fake {
        fn run(&self, command: &[String]) -> io::Result<RunResult> {
            self.ran.borrow_mut().push(command.join(" "));
            Ok(RunResult {
                success: self.succeed,
                stderr: String::from("not loaded"),
            })
        }
    }

    fn job() -> Install {
        Install {
            platform: Platform::Systemd,
            name: "rota-x.timer".into(),
            files: vec![JobFile {
                path: PathBuf::from("/etc/systemd/system/rota-x.timer"),
                contents: "[Timer]\n".into(),
            }],
            load: vec![vec!["systemctl".into(), "daemon-reload".into()]],
            unload: vec![vec!["systemctl".into(), "disable".into()]],
            query: vec!["systemctl".into(), "is-active".into()],
            notes: Vec::new(),
        }
    }

    #[test]
    fn install_twice_writes_once_and_remove_is_idempotent() {
        let root = tempfile::tempdir().unwrap();
        let fake = Fake {
            ran: RefCell::new(Vec::new()),
            succeed: true,
        };
        let first = install(&job(), root.path(), &fake).unwrap();
        assert_eq!(first.written.len(), 1);
        let second = install(&job(), root.path(), &fake).unwrap();
        assert!(second.written.is_empty());
        assert_eq!(second.unchanged.len(), 1);
        let neighbour = root.path().join("etc/systemd/system/other.timer");
        std::fs::write(&neighbour, "mine").unwrap();
        let removed = remove(&job(), root.path(), &fake).unwrap();
        assert_eq!(removed.removed.len(), 1);
        assert!(
            remove(&job(), root.path(), &fake)
                .unwrap()
                .removed
                .is_empty()
        );
        assert_eq!(std::fs::read_to_string(neighbour).unwrap(), "mine");
        assert_eq!(
            fake.ran.borrow().as_slice(),
            [
                "systemctl daemon-reload",
                "systemctl daemon-reload",
                "systemctl disable"
            ]
        );
    }

    #[test]
    fn a_failing_load_command_is_an_error() {
        let root = tempfile::tempdir().unwrap();
        let fake = Fake {
            ran: RefCell::new(Vec::new()),
            succeed: false,
        };
        let error = install(&job(), root.path(), &fake).unwrap_err();
        assert_eq!(error, "`systemctl daemon-reload` failed: not loaded");
    }
}
