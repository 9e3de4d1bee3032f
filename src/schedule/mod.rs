//! The nightly job in the platform's own scheduler, as files: a launchd
//! daemon on macOS (`/Library/LaunchDaemons/org.rota.<slug>.plist`), a
//! systemd service and timer on Linux (`/etc/systemd/system/rota-<slug>.*`),
//! each running `rota apply POLICY --yes [--wait W]` with absolute paths at
//! `schedule.at` on the nights of the open days.
//!
//! Rendering is pure ([`Job`] → [`Install`]: files and the commands that
//! load them); [`install`] writes them and runs the commands through a
//! [`install::Runner`] that tests replace.

pub mod account;
pub mod install;
mod launchd;
mod outcome;
pub mod ownership;
pub mod program;
mod reload;
mod runner;
mod systemd;

use std::path::{Path, PathBuf};

use chrono::{NaiveTime, Weekday};

use crate::policy::{Policy, Schedule};
pub use account::Account;

/// Which scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Launchd,
    Systemd,
}

impl Platform {
    /// This machine's scheduler: launchd on macOS, systemd elsewhere (the
    /// files can be printed anywhere; installing needs the real thing).
    pub fn current() -> Platform {
        if cfg!(target_os = "macos") {
            Platform::Launchd
        } else {
            Platform::Systemd
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Platform::Launchd => "launchd",
            Platform::Systemd => "systemd",
        }
    }
}

/// Everything the scheduler files say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// `lakeside-family-dental`: names the files and the job.
    pub slug: String,
    pub office: String,
    pub program: PathBuf,
    pub policy: PathBuf,
    pub working_dir: PathBuf,
    pub logs: PathBuf,
    pub at: NaiveTime,
    /// The calendar weekdays the job starts on (shifted a day when `at` is
    /// before `day_starts_at`: Monday's run then starts early Tuesday).
    pub weekdays: Vec<Weekday>,
    /// The office time zone (systemd timers can follow it; launchd uses the
    /// machine's).
    pub timezone: String,
    pub wait: Option<String>,
    /// Whom the job runs as (its `HOME` is the account's home folder).
    pub user: Account,
}

impl Job {
    /// The job for `policy` (which must have a schedule), run by `program`
    /// on `policy_file`, both absolute, as `user`.
    pub fn new(
        policy: &Policy,
        schedule: &Schedule,
        program: &Path,
        policy_file: &Path,
        user: Account,
    ) -> Job {
        let calendar = &policy.office.calendar;
        let after_midnight = schedule.at < calendar.day_starts_at;
        let weekdays = calendar
            .open_weekdays()
            .into_iter()
            .map(|day| if after_midnight { day.succ() } else { day })
            .collect::<Vec<_>>();
        let mut weekdays = weekdays;
        weekdays.sort_by_key(|day| day.num_days_from_monday());
        Job {
            slug: slug(&policy.office.name),
            office: policy.office.name.clone(),
            program: program.to_path_buf(),
            policy: policy_file.to_path_buf(),
            working_dir: policy_file
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("/")),
            logs: policy
                .state_dir
                .join(crate::inventory::layout::JOB_LOGS_DIR),
            at: schedule.at,
            weekdays,
            timezone: calendar.timezone.name().to_string(),
            wait: schedule.wait_text(),
            user,
        }
    }

    /// `rota apply POLICY --yes [--wait W]`, as separate arguments.
    pub fn arguments(&self) -> Vec<String> {
        let mut args = vec![
            self.program.display().to_string(),
            "apply".to_string(),
            self.policy.display().to_string(),
            "--yes".to_string(),
        ];
        if let Some(wait) = &self.wait {
            args.push("--wait".to_string());
            args.push(wait.clone());
        }
        args
    }
}

/// A file the install writes, relative to the root (`/` but in tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFile {
    pub path: PathBuf,
    pub contents: String,
}

/// What installing (or removing) a job means on one platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Install {
    pub platform: Platform,
    /// The job's name in the scheduler (`org.rota.<slug>`, `rota-<slug>.timer`).
    pub name: String,
    pub files: Vec<JobFile>,
    /// Run after writing the files (loading the job).
    pub load: Vec<Vec<String>>,
    /// Run before deleting the files (unloading the job); failures ignored.
    pub unload: Vec<Vec<String>>,
    /// Asks whether the job is loaded (exit status 0: yes).
    pub query: Vec<String>,
    /// When the load commands run (launchd's reload stops a running night).
    pub reload: Reload,
    /// What the person installing must know.
    pub notes: Vec<String>,
}

/// When installing runs the load commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reload {
    /// Every time: they change nothing that runs (systemd's `daemon-reload`
    /// and `enable --now` of the timer never stop a running service).
    Always,
    /// Only when a file changed or the job is not loaded, and never while a
    /// night runs: reloading means `unload` then `load`, and launchd's
    /// `bootout` stops the running job.
    WhenChanged,
}

pub fn render(job: &Job, platform: Platform) -> Install {
    match platform {
        Platform::Launchd => launchd::install(job),
        Platform::Systemd => systemd::install(job),
    }
}

/// `Lakeside Family Dental` → `lakeside-family-dental`.
pub fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "office".to_string()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Lakeside Family Dental"), "lakeside-family-dental");
        assert_eq!(slug("  Dr. O'Neil & Partners  "), "dr-o-neil-partners");
        assert_eq!(slug("Zahnärzte Müller"), "zahn-rzte-m-ller");
        assert_eq!(slug("***"), "office");
    }
}
