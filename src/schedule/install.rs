//! Putting the job in place and taking it away, idempotently: a file is
//! written only when its contents differ (temp file + rename, mode 0644 and,
//! run as root, owned by root: launchd refuses a plist others may write),
//! removing what is not there is not an error, and nothing but the job's own
//! files is ever touched. The scheduler commands (launchctl, systemctl) go
//! through a [`Runner`], and every path is under a root (`/` on a real
//! install), so tests put both somewhere harmless. When the load commands
//! run is [`super::reload`]'s business.

use std::io;
use std::path::{Path, PathBuf};

pub use super::outcome::{Done, InstallError};
pub use super::runner::{RunResult, Runner, System};
use super::{Install, JobFile, Reload, reload};

/// What the install needs to know about the office right now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Situation {
    /// A rota run holds the lock on `state_dir` (its note): a reload that
    /// stops the job must wait.
    pub run_in_progress: Option<String>,
    /// Make the files root's (uid 0, gid 0: root:wheel on a Mac), as the
    /// scheduler wants; only possible when running as root.
    pub owned_by_root: bool,
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

/// Writes the files that differ, then (re)loads the job as its [`Reload`]
/// says. A job that must be reloaded while a night runs is refused before
/// anything is written.
pub fn install(
    install: &Install,
    root: &Path,
    runner: &dyn Runner,
    situation: &Situation,
) -> Result<Done, InstallError> {
    let mut done = Done::default();
    let changed = install
        .files
        .iter()
        .any(|file| file_state(root, file) != FileState::UpToDate);
    let look = match install.reload {
        Reload::Always => None,
        Reload::WhenChanged => Some(reload::look(
            install,
            runner,
            changed,
            situation.run_in_progress.as_deref(),
            &mut done,
        )?),
    };
    for file in &install.files {
        let path = located(root, file);
        if file_state(root, file) == FileState::UpToDate {
            done.unchanged.push(path);
            continue;
        }
        write(&path, &file.contents, situation.owned_by_root)
            .map_err(|e| InstallError::Failed(format!("cannot write {}: {e}", path.display())))?;
        done.written.push(path);
    }
    match look {
        None => reload::run_all(&install.load, runner, &mut done)?,
        Some(look) => reload::reload(install, runner, look, &mut done)?,
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

/// The mode of every job file: the owner writes, everyone reads (launchd
/// refuses a plist that group or others may write).
pub const FILE_MODE: u32 = 0o644;

/// Writes `contents` at `path` through a temporary file, with [`FILE_MODE`]
/// whatever the umask, and root's when `owned_by_root`.
fn write(path: &Path, contents: &str, owned_by_root: bool) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temp = path.with_extension("rota-tmp");
    std::fs::write(&temp, contents)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(FILE_MODE))?;
        if owned_by_root {
            std::os::unix::fs::chown(&temp, Some(0), Some(0))?;
        }
    }
    #[cfg(not(unix))]
    let _ = owned_by_root;
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
                stdout: String::new(),
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
            reload: Reload::Always,
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
        let first = install(&job(), root.path(), &fake, &Situation::default()).unwrap();
        assert_eq!(first.written.len(), 1);
        let second = install(&job(), root.path(), &fake, &Situation::default()).unwrap();
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
        let error = install(&job(), root.path(), &fake, &Situation::default()).unwrap_err();
        assert_eq!(
            error,
            InstallError::Failed("`systemctl daemon-reload` failed: not loaded".into())
        );
    }
}
