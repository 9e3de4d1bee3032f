//! `rota schedule install|remove|status POLICY`: the nightly `rota apply`
//! in the platform's own scheduler (launchd on macOS, a systemd timer on
//! Linux). `--print` shows the files and commands without changing
//! anything. Installing twice changes nothing the second time; removing
//! what is not installed is not an error.
//!
//! For tests, `ROTA_SCHEDULE_ROOT` puts the files under another root and
//! `ROTA_SCHEDULE_RUNNER` names a program run in place of launchctl or
//! systemctl (with their command line as its arguments).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::disk::shell_quote;
use super::session::Session;
use super::{CliError, Outcome};
use crate::nightly::{overdue, record};
use crate::schedule::install::{self, FileState, System};
use crate::schedule::{Install, Job, Platform, render};

/// Run `rota apply` every night from the system's scheduler (launchd or systemd)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota schedule install rota.yaml --print\n      the launchd plist (macOS) or systemd service and timer (Linux) and the\n      commands that load them; nothing is changed\n\n  sudo rota schedule install rota.yaml\n      install and load the job: `rota apply rota.yaml --yes --wait <wait>` at\n      schedule.at on every open day's night\n\n  rota schedule status rota.yaml\n      installed? loaded? the next run, the last run and how it ended\n\n  sudo rota schedule remove rota.yaml\n      unload the job and delete its files\n\nThe policy says when: schedule: { at: \"23:45\", wait: 2h }."
)]
pub struct ScheduleArgs {
    #[command(subcommand)]
    pub command: ScheduleCommand,
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Write and load the nightly job (needs root); --print shows it instead
    Install(JobArgs),
    /// Unload the nightly job and delete its files
    Remove(JobArgs),
    /// Is the job installed and loaded; when is the next run; how did the last go
    Status(JobArgs),
}

#[derive(Debug, Args)]
pub struct JobArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// Show the files and commands, change nothing
    #[arg(long)]
    pub print: bool,
    /// Which scheduler (default: this machine's: launchd on macOS, systemd elsewhere)
    #[arg(long, value_enum)]
    pub platform: Option<PlatformArg>,
    /// Judge the next run as of this instant (status): 2026-03-31T18:30 or RFC 3339
    #[arg(long)]
    pub at: Option<String>,
    /// Install under this folder instead of / (for tests; also ROTA_SCHEDULE_ROOT)
    #[arg(long, hide = true)]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlatformArg {
    Launchd,
    Systemd,
}

pub fn run(args: &ScheduleArgs, no_color: bool) -> Result<Outcome, CliError> {
    match &args.command {
        ScheduleCommand::Install(job) => install_job(job, no_color),
        ScheduleCommand::Remove(job) => remove_job(job, no_color),
        ScheduleCommand::Status(job) => status_job(job, no_color),
    }
}

/// The session, the job's files and the root they go under.
struct Prepared {
    session: Session,
    job: Job,
    install: Install,
    root: PathBuf,
    runner: System,
}

fn prepare(args: &JobArgs, no_color: bool) -> Result<Prepared, CliError> {
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let policy = session.policy();
    let Some(schedule) = &policy.schedule else {
        return Err(CliError::failed_with_help(
            format!("{} has no schedule", args.policy.display()),
            "add when the nightly run starts to the policy, e.g. schedule: { at: \"23:45\", wait: 2h }",
        ));
    };
    let program = std::env::current_exe()
        .and_then(|exe| exe.canonicalize())
        .map_err(|e| CliError::io("cannot find the rota program's own path", &e))?;
    let policy_file = args
        .policy
        .canonicalize()
        .map_err(|e| CliError::io(format!("cannot find {}", args.policy.display()), &e))?;
    let job = Job::new(policy, schedule, &program, &policy_file);
    let platform = match args.platform {
        Some(PlatformArg::Launchd) => Platform::Launchd,
        Some(PlatformArg::Systemd) => Platform::Systemd,
        None => Platform::current(),
    };
    let install = render(&job, platform);
    let root = args
        .root
        .clone()
        .or_else(|| std::env::var_os("ROTA_SCHEDULE_ROOT").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/"));
    let runner = System {
        stand_in: std::env::var_os("ROTA_SCHEDULE_RUNNER").map(PathBuf::from),
    };
    Ok(Prepared {
        session,
        job,
        install,
        root,
        runner,
    })
}

fn install_job(args: &JobArgs, no_color: bool) -> Result<Outcome, CliError> {
    let prepared = prepare(args, no_color)?;
    let install = &prepared.install;
    let first_night = first_night_done(prepared.session.policy());
    if args.print {
        if !first_night {
            print!("{}", first_night_note(&args.policy));
        }
        print!("{}", printed(&prepared));
        return Ok(Outcome::Success);
    }
    if !first_night {
        let policy = shell_quote(&args.policy);
        return Err(CliError::failed_with_help(
            format!(
                "no `rota apply` has carried out its plan for {} yet: run the first night by \
                 hand before the schedule runs it",
                args.policy.display()
            ),
            format!(
                "connect tonight's disk and run `rota apply {policy}` (review `rota plan \
                 {policy}` first; on a server that holds months of backups the first run needs \
                 `--allow-mass-delete`, which the nightly job never passes, so a scheduled \
                 first night would be refused); then `sudo rota schedule install {policy}` again"
            ),
        ));
    }
    std::fs::create_dir_all(&prepared.job.logs).map_err(|e| {
        CliError::io(
            format!(
                "cannot create the log folder {}",
                prepared.job.logs.display()
            ),
            &e,
        )
    })?;
    let done = install::install(install, &prepared.root, &prepared.runner).map_err(|error| {
        CliError::failed_with_help(
            error,
            "installing the job needs an administrator (sudo); `--print` shows what it does",
        )
    })?;
    for path in &done.written {
        println!("wrote      {}", path.display());
    }
    for path in &done.unchanged {
        println!("unchanged  {}", path.display());
    }
    for (command, _) in &done.commands {
        println!("ran        {}", command.join(" "));
    }
    println!(
        "\nInstalled {} ({}): {} at {} on {}.",
        install.name,
        install.platform.key(),
        prepared.job.arguments()[1..].join(" "),
        prepared.job.at.format("%H:%M"),
        weekdays(&prepared.job)
    );
    print_next_run(&prepared);
    print_notes(install);
    Ok(Outcome::Success)
}

fn remove_job(args: &JobArgs, no_color: bool) -> Result<Outcome, CliError> {
    let prepared = prepare(args, no_color)?;
    let install = &prepared.install;
    if args.print {
        println!("rota schedule remove --print: nothing is changed. It would run:");
        for command in &install.unload {
            println!("  {}", command.join(" "));
        }
        println!("and delete:");
        for file in &install.files {
            println!("  {}", install::located(&prepared.root, file).display());
        }
        return Ok(Outcome::Success);
    }
    let done = install::remove(install, &prepared.root, &prepared.runner).map_err(|error| {
        CliError::failed_with_help(error, "removing the job needs an administrator (sudo)")
    })?;
    for (command, _) in &done.commands {
        println!("ran        {}", command.join(" "));
    }
    for path in &done.removed {
        println!("removed    {}", path.display());
    }
    if done.removed.is_empty() {
        println!("{} is not installed; nothing to remove.", install.name);
    } else {
        println!("\nRemoved {}: rota no longer runs by itself.", install.name);
    }
    Ok(Outcome::Success)
}

fn status_job(args: &JobArgs, no_color: bool) -> Result<Outcome, CliError> {
    let prepared = prepare(args, no_color)?;
    let install = &prepared.install;
    let states: Vec<FileState> = install
        .files
        .iter()
        .map(|file| install::file_state(&prepared.root, file))
        .collect();
    let installed = states.iter().all(|s| *s == FileState::UpToDate);
    let missing = states.iter().all(|s| *s == FileState::Missing);
    println!("{} ({}):", install.name, install.platform.key());
    for (file, state) in install.files.iter().zip(&states) {
        let state = match state {
            FileState::Missing => "not installed",
            FileState::UpToDate => "installed, up to date",
            FileState::Differs => {
                "installed, but differs from the policy: run `rota schedule install` again"
            }
        };
        println!(
            "  {}  {state}",
            install::located(&prepared.root, file).display()
        );
    }
    let loaded = if missing {
        None
    } else {
        install::loaded(install, &prepared.runner)
    };
    match loaded {
        Some(true) => println!("  loaded: yes"),
        Some(false) => println!("  loaded: no (`rota schedule install` loads it)"),
        None if missing => {}
        None => println!("  loaded: unknown (cannot ask {})", install.query[0]),
    }
    println!(
        "  runs:   {} at {} on {}",
        prepared.job.arguments()[1..].join(" "),
        prepared.job.at.format("%H:%M"),
        weekdays(&prepared.job)
    );
    print_next_run(&prepared);
    let policy = prepared.session.policy();
    let runs = record::read(&policy.state_dir).unwrap_or_default();
    match runs.iter().max_by_key(|run| run.at) {
        Some(run) => println!(
            "  last run: {} ({}), {}",
            run.at.format("%Y-%m-%d %H:%M"),
            run.outcome.key(),
            run.summary(&policy.office.name)
        ),
        None => println!("  last run: none recorded"),
    }
    if installed && loaded != Some(false) {
        Ok(Outcome::Success)
    } else {
        Err(CliError::failed_with_help(
            format!(
                "the nightly job {} is not installed and loaded",
                install.name
            ),
            "install it with `sudo rota schedule install POLICY` (`--print` shows what it does)",
        ))
    }
}

/// Whether an `apply` has carried out its plan for this policy (recorded in
/// `state_dir/runs.jsonl` without an error): the first night, which on a
/// server full of older backups needs `--allow-mass-delete`, is done by a
/// person, never by the nightly job (which never passes it).
fn first_night_done(policy: &crate::policy::Policy) -> bool {
    record::read(&policy.state_dir)
        .unwrap_or_default()
        .iter()
        .any(|run| run.error.is_none())
}

/// What `--print` says before the files when the first night is not done.
fn first_night_note(policy: &std::path::Path) -> String {
    let policy = shell_quote(policy);
    format!(
        "note: no `rota apply` has carried out its plan for this policy yet, so `rota schedule \
         install` (without --print) refuses.\n      Run the first night by hand first: `rota \
         plan {policy}`, then `rota apply {policy}` (with\n      --allow-mass-delete if the \
         server holds months of older backups: the nightly job never passes it,\n      so a \
         scheduled first night would be refused).\n\n"
    )
}

fn print_next_run(prepared: &Prepared) {
    let policy = prepared.session.policy();
    let Some(schedule) = &policy.schedule else {
        return;
    };
    if let Some(next) = overdue::next_run(&policy.office.calendar, schedule, prepared.session.at) {
        println!("  next run: {}", next.format("%Y-%m-%d %H:%M %Z"));
    }
}

fn print_notes(install: &Install) {
    for note in &install.notes {
        println!("note: {note}");
    }
}

fn weekdays(job: &Job) -> String {
    job.weekdays
        .iter()
        .map(|d| crate::policy::values::weekday_name(*d))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `--print`: every file in full and the commands, for review or by hand.
fn printed(prepared: &Prepared) -> String {
    let install = &prepared.install;
    let mut out = format!(
        "rota schedule install --print ({}): nothing is changed. Installing writes:\n",
        install.platform.key()
    );
    for file in &install.files {
        out.push_str(&format!(
            "\n--- {} ---\n{}",
            install::located(&prepared.root, file).display(),
            file.contents
        ));
    }
    out.push_str("\nthen runs:\n");
    for command in &install.load {
        out.push_str(&format!("  {}\n", command.join(" ")));
    }
    out.push('\n');
    for note in &install.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}
