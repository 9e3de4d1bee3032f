//! When and how installing (re)loads the job. systemd's commands run every
//! time ([`Reload::Always`]): they never stop a running service. launchd's
//! reload is `bootout` then `bootstrap`, and `bootout` stops a running job,
//! so ([`Reload::WhenChanged`]) the job is reloaded only when its plist
//! changed or it is not loaded, and never while a night runs (launchd says
//! `state = running`, or a rota run holds the lock): the install is then
//! refused before anything is written. `bootstrap` right after `bootout`
//! often fails with "5: Input/output error" while launchd finishes the
//! removal, which would leave the job unloaded: rota waits until `launchctl
//! print` no longer finds the job, and retries `bootstrap` a few times.
//!
//! The reading of `launchctl print` is a plain function, tested on recorded
//! output; the commands go through the install's [`Runner`].

use std::time::Duration;

use super::Install;
use super::outcome::{Done, InstallError};
use super::runner::{RunResult, Runner};

/// How many times `bootstrap` is tried.
pub const BOOTSTRAP_TRIES: u32 = 5;
/// How often `launchctl print` is asked whether `bootout` has finished.
const UNLOAD_CHECKS: u32 = 20;
const UNLOAD_CHECK_EVERY: Duration = Duration::from_millis(250);

/// What launchd said about the job before anything was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    pub loaded: bool,
    /// Whether a file of the job changed (or is new).
    pub changed: bool,
}

/// Asks launchd about the job and refuses a reload that would stop a night
/// (launchd says it runs, or `run_in_progress` names the rota run holding the
/// lock).
pub fn look(
    install: &Install,
    runner: &dyn Runner,
    changed: bool,
    run_in_progress: Option<&str>,
    done: &mut Done,
) -> Result<Look, InstallError> {
    let answer = run(&install.query, runner, done)?;
    let loaded = answer.success;
    if loaded && changed {
        if let Some(running) = running(&answer.stdout) {
            let pid = running
                .pid
                .map(|pid| format!(" (pid {pid})"))
                .unwrap_or_default();
            return Err(InstallError::Busy(format!(
                "the nightly job {} is running now{pid}: reloading it would stop tonight's run, \
                 so nothing was changed",
                install.name
            )));
        }
        if let Some(holder) = run_in_progress {
            return Err(InstallError::Busy(format!(
                "a rota run holds the lock ({holder}): reloading the job now could stop a night, \
                 so nothing was changed"
            )));
        }
    }
    Ok(Look { loaded, changed })
}

/// Reloads the job as `look` found it: nothing when loaded and unchanged;
/// `bootout` (and waiting until it is gone) when loaded and changed; then
/// `bootstrap`, tried up to [`BOOTSTRAP_TRIES`] times.
pub fn reload(
    install: &Install,
    runner: &dyn Runner,
    look: Look,
    done: &mut Done,
) -> Result<(), String> {
    if look.loaded && !look.changed {
        return Ok(());
    }
    if look.loaded {
        for command in &install.unload {
            // A failure here shows up as a failed bootstrap below.
            let _ = run(command, runner, done);
        }
        wait_until_unloaded(install, runner);
    }
    for command in &install.load {
        load_with_retries(command, runner, done)?;
    }
    Ok(())
}

/// Runs every command; the first that fails is an error.
pub fn run_all(
    commands: &[Vec<String>],
    runner: &dyn Runner,
    done: &mut Done,
) -> Result<(), String> {
    for command in commands {
        let result = run(command, runner, done)?;
        if !result.success {
            return Err(failed(command, &result));
        }
    }
    Ok(())
}

fn wait_until_unloaded(install: &Install, runner: &dyn Runner) {
    for _ in 0..UNLOAD_CHECKS {
        match runner.run(&install.query) {
            Ok(answer) if answer.success => runner.pause(UNLOAD_CHECK_EVERY),
            _ => return,
        }
    }
}

fn load_with_retries(
    command: &[String],
    runner: &dyn Runner,
    done: &mut Done,
) -> Result<(), String> {
    let mut tries = 0;
    loop {
        tries += 1;
        let result = run(command, runner, done)?;
        if result.success {
            return Ok(());
        }
        if tries >= BOOTSTRAP_TRIES || !worth_retrying(&result.stderr) {
            let mut message = failed(command, &result);
            if tries > 1 {
                message.push_str(&format!(" (tried {tries} times)"));
            }
            return Err(message);
        }
        runner.pause(Duration::from_secs(u64::from(tries)));
    }
}

/// launchd's answers that mean "not yet" rather than "no": the job is still
/// being removed (`5: Input/output error`) or is being loaded (`37:
/// Operation already in progress`).
pub fn worth_retrying(stderr: &str) -> bool {
    stderr.contains("Input/output error") || stderr.contains("already in progress")
}

/// A job launchd says is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    pub pid: Option<u32>,
}

/// Whether `launchctl print` says the job runs (`state = running` at the top
/// level of its description, with its `pid = N`).
pub fn running(print: &str) -> Option<Running> {
    let top: Vec<&str> = print
        .lines()
        .filter(|line| line.starts_with('\t') && !line.starts_with("\t\t"))
        .map(str::trim)
        .collect();
    top.contains(&"state = running").then(|| Running {
        pid: top
            .iter()
            .find_map(|line| line.strip_prefix("pid = "))
            .and_then(|pid| pid.trim().parse().ok()),
    })
}

fn run(command: &[String], runner: &dyn Runner, done: &mut Done) -> Result<RunResult, String> {
    let result = runner
        .run(command)
        .map_err(|e| format!("cannot run {}: {e}", command.join(" ")))?;
    done.commands.push((command.to_vec(), result.clone()));
    Ok(result)
}

fn failed(command: &[String], result: &RunResult) -> String {
    format!(
        "`{}` failed{}",
        command.join(" "),
        if result.stderr.is_empty() {
            String::new()
        } else {
            format!(": {}", result.stderr)
        }
    )
}

#[cfg(test)]
mod tests;
