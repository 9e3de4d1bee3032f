//! `rota schedule install|remove|status POLICY`: the nightly `rota apply`
//! in the platform's own scheduler (launchd on macOS, a systemd timer on
//! Linux), run as a deliberately chosen account (`--user`, else the person
//! who ran sudo, else root) with its `HOME`, `state_dir` handed to it.
//! `--print` shows the files and commands without changing anything.
//! Installing twice changes nothing the second time (launchd's job is
//! reloaded only when its plist changed, never during a night); removing
//! what is not installed is not an error. `status` also looks at the disk
//! folders as the job's account (`probe`).
//!
//! For tests, `ROTA_SCHEDULE_ROOT` puts the files under another root and
//! `ROTA_SCHEDULE_RUNNER` names a program run in place of launchctl or
//! systemctl (with their command line as its arguments).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::disk::shell_quote;
use super::session::Session;
use super::{CliError, Outcome};
use crate::execute::lock;
use crate::nightly::{overdue, record};
use crate::schedule::install::{self, FileState, InstallError, Situation, System};
use crate::schedule::{Install, Job, Platform, Reload, account, ownership, program, render};

mod probe;

/// Run `rota apply` every night from the system's scheduler (launchd or systemd)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota schedule install rota.yaml --print\n      the launchd plist (macOS) or systemd service and timer (Linux) and the\n      commands that load them; nothing is changed\n\n  sudo rota schedule install rota.yaml\n      install and load the job: `rota apply rota.yaml --yes --wait <wait>` at\n      schedule.at on every open day's night, run as you (the person running sudo)\n\n  sudo rota schedule install rota.yaml --user anna\n      the same, run as anna (with her HOME; state_dir becomes hers)\n\n  rota schedule status rota.yaml\n      installed? loaded? as whom? can it read each disk folder? the next run,\n      the last run and how it ended\n\n  sudo rota schedule remove rota.yaml\n      unload the job and delete its files\n\nThe policy says when: schedule: { at: \"23:45\", wait: 2h }."
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
    /// Is the job installed and loaded; can it read the disks; when is the next run; how did the last go
    Status(JobArgs),
    /// The disk folders as this user sees them, one per line (run by `status` as the job's user)
    #[command(hide = true)]
    Probe(JobArgs),
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
    /// Run the job as this account (default: the person who ran sudo, else root)
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
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
        ScheduleCommand::Probe(job) => probe::print_probe(job),
    }
}

/// The session, the job's files and the root they go under.
struct Prepared {
    session: Session,
    job: Job,
    /// Why the job runs as `job.user`.
    why_user: account::Why,
    install: Install,
    root: PathBuf,
    runner: System,
}

/// What the job files are prepared for: installing chooses the user afresh
/// (`--user`, else `SUDO_USER`, else root); looking at an installed job
/// (status, remove) takes the user its files name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Install,
    Look,
}

fn prepare(args: &JobArgs, no_color: bool, purpose: Purpose) -> Result<Prepared, CliError> {
    let mut session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    if session.policy().schedule.is_none() {
        return Err(CliError::failed_with_help(
            format!("{} has no schedule", args.policy.display()),
            "add when the nightly run starts to the policy, e.g. schedule: { at: \"23:45\", wait: 2h }",
        ));
    }
    let program = job_program()?;
    let policy_file = args
        .policy
        .canonicalize()
        .map_err(|e| CliError::io(format!("cannot find {}", args.policy.display()), &e))?;
    let platform = match args.platform {
        Some(PlatformArg::Launchd) => Platform::Launchd,
        Some(PlatformArg::Systemd) => Platform::Systemd,
        None => Platform::current(),
    };
    let root = args
        .root
        .clone()
        .or_else(|| std::env::var_os("ROTA_SCHEDULE_ROOT").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/"));
    let installed = match purpose {
        Purpose::Install => None,
        Purpose::Look => installed_user(&session, platform, &root, &program, &policy_file),
    };
    let sudo_user = std::env::var("SUDO_USER").ok();
    let (name, why_user) = account::choose(
        args.user.as_deref(),
        installed.as_deref(),
        sudo_user.as_deref(),
    );
    let user = account::lookup(&name).ok_or_else(|| {
        CliError::usage(
            format!("there is no account named {name} on this computer"),
            "name the account the nightly job runs as with `--user NAME` (e.g. the IT person's \
             own account), or run the install with sudo from that account",
        )
    })?;
    // The policy as the job reads it: `~/` is the job's user's home.
    if std::env::var_os("HOME").map(PathBuf::from).as_deref() != Some(user.home.as_path()) {
        session.loaded = crate::policy::load_for_home(&args.policy, Some(user.home.clone()))?;
    }
    let policy = session.policy();
    let schedule = policy.schedule.as_ref().expect("checked above");
    let job = Job::new(policy, schedule, &program, &policy_file, user);
    let install = render(&job, platform);
    let runner = System {
        stand_in: std::env::var_os("ROTA_SCHEDULE_RUNNER").map(PathBuf::from),
    };
    Ok(Prepared {
        session,
        job,
        why_user,
        install,
        root,
        runner,
    })
}

/// The path the job runs: this program's, or Homebrew's stable link to it.
fn job_program() -> Result<PathBuf, CliError> {
    let canonical = std::env::current_exe()
        .and_then(|exe| exe.canonicalize())
        .map_err(|e| CliError::io("cannot find the rota program's own path", &e))?;
    Ok(program::stable_program(&canonical, |link| {
        link.canonicalize().is_ok_and(|target| target == canonical)
    }))
}

/// The account the installed job's files name, if they are there.
fn installed_user(
    session: &Session,
    platform: Platform,
    root: &std::path::Path,
    program: &std::path::Path,
    policy_file: &std::path::Path,
) -> Option<String> {
    let policy = session.policy();
    let schedule = policy.schedule.as_ref()?;
    // Where the files are does not depend on the user.
    let placeholder = account::lookup("root")?;
    let job = Job::new(policy, schedule, program, policy_file, placeholder);
    render(&job, platform).files.iter().find_map(|file| {
        std::fs::read_to_string(install::located(root, file))
            .ok()
            .and_then(|text| account::named_in(&text))
    })
}

fn install_job(args: &JobArgs, no_color: bool) -> Result<Outcome, CliError> {
    let prepared = prepare(args, no_color, Purpose::Install)?;
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
    let situation = Situation {
        run_in_progress: lock::holder(&prepared.session.policy().state_dir)
            .map(|note| note.unwrap_or_else(|| String::from("a rota run"))),
        owned_by_root: running_as_root(),
    };
    let done = install::install(install, &prepared.root, &prepared.runner, &situation).map_err(
        |error| match error {
            InstallError::Busy(why) => CliError::failed_with_help(
                why,
                "run `sudo rota schedule install` again once tonight's run has finished \
                 (`rota schedule status` shows the last run)",
            ),
            InstallError::Failed(why) => CliError::failed_with_help(
                why,
                "installing the job needs an administrator (sudo); `--print` shows what it does",
            ),
        },
    )?;
    let handed_over = hand_over_state(&prepared)?;
    for path in &done.written {
        println!("wrote      {}", path.display());
    }
    for path in &done.unchanged {
        println!("unchanged  {}", path.display());
    }
    for (command, _) in &done.commands {
        println!("ran        {}", command.join(" "));
    }
    if let Some(words) = handed_over {
        println!("{words}");
    }
    println!(
        "\nInstalled {} ({}): {} at {} on {}.",
        install.name,
        install.platform.key(),
        prepared.job.arguments()[1..].join(" "),
        prepared.job.at.format("%H:%M"),
        weekdays(&prepared.job)
    );
    print_user(&prepared);
    print_next_run(&prepared);
    print_notes(&prepared);
    Ok(Outcome::Success)
}

/// Whether this process runs as root (it can then make the job's files
/// root's and hand `state_dir` to the job's account).
fn running_as_root() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions and cannot fail.
        unsafe { libc::geteuid() == 0 }
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Gives `state_dir` (with the log folder) to the job's account, so that
/// the job and the same person by hand can both take the lock. Without root
/// nothing can change hands: said, when it would matter.
fn hand_over_state(prepared: &Prepared) -> Result<Option<String>, CliError> {
    let state_dir = &prepared.session.policy().state_dir;
    let user = &prepared.job.user;
    if !running_as_root() {
        return Ok(None);
    }
    let changed = ownership::hand_over(state_dir, user.uid, user.gid).map_err(|e| {
        CliError::io(
            format!(
                "cannot give {} to {}, the account the job runs as",
                state_dir.display(),
                user.name
            ),
            &e,
        )
    })?;
    Ok((changed > 0).then(|| {
        format!(
            "gave      {} to {} ({changed} entries): the job and {} running rota by hand share it",
            state_dir.display(),
            user.name,
            user.name
        )
    }))
}

fn print_user(prepared: &Prepared) {
    let user = &prepared.job.user;
    println!(
        "  runs as:  {} ({}), HOME {}",
        user.name,
        prepared.why_user.words(),
        user.home.display()
    );
}

fn remove_job(args: &JobArgs, no_color: bool) -> Result<Outcome, CliError> {
    let prepared = prepare(args, no_color, Purpose::Look)?;
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
    let prepared = prepare(args, no_color, Purpose::Look)?;
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
    print_user(&prepared);
    print_next_run(&prepared);
    let policy = prepared.session.policy();
    let runs = record::read(&policy.state_dir).unwrap_or_default();
    let last_run = runs.iter().max_by_key(|run| run.at);
    match last_run {
        Some(run) => println!(
            "  last run: {} ({}), {}",
            run.at.format("%Y-%m-%d %H:%M"),
            run.outcome.key(),
            run.summary(&policy.office.name)
        ),
        None => println!("  last run: none recorded"),
    }
    let readable = probe::print_disks(&prepared, last_run);
    if !(installed && loaded != Some(false)) {
        Err(CliError::failed_with_help(
            format!(
                "the nightly job {} is not installed and loaded",
                install.name
            ),
            "install it with `sudo rota schedule install POLICY` (`--print` shows what it does)",
        ))
    } else if !readable {
        Err(CliError::failed_with_help(
            format!(
                "the nightly job, run as {}, may not read every disk folder",
                prepared.job.user.name
            ),
            crate::plan::volume_warnings::FULL_DISK_ACCESS,
        ))
    } else {
        Ok(Outcome::Success)
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

fn print_notes(prepared: &Prepared) {
    for note in notes(prepared) {
        println!("note: {note}");
    }
}

/// The platform's notes, then what this install must know about the
/// program's path and the account the job runs as.
fn notes(prepared: &Prepared) -> Vec<String> {
    let mut notes = prepared.install.notes.clone();
    let launchd = prepared.install.platform == Platform::Launchd;
    if let Some(warning) = program::warning(&prepared.job.program, launchd) {
        notes.push(warning);
    }
    if prepared.job.user.name == "root" {
        notes.push(format!(
            "the job runs as root, and `state_dir` ({}) becomes root's: run rota by hand with \
             sudo too, or install with `--user NAME` (the account of the person who runs rota \
             by hand) so both can take its lock",
            prepared.session.policy().state_dir.display()
        ));
    }
    notes
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
    match install.reload {
        Reload::Always => {
            out.push_str("\nthen runs:\n");
            for command in &install.load {
                out.push_str(&format!("  {}\n", command.join(" ")));
            }
        }
        Reload::WhenChanged => {
            out.push_str(
                "\nthen, only when the file is new or changed and no night is running, runs:\n",
            );
            for command in &install.unload {
                out.push_str(&format!(
                    "  {}   (if the job is loaded)\n",
                    command.join(" ")
                ));
            }
            for command in &install.load {
                out.push_str(&format!(
                    "  {}   (tried again while launchd answers \"5: Input/output error\")\n",
                    command.join(" ")
                ));
            }
        }
    }
    out.push('\n');
    let user = &prepared.job.user;
    out.push_str(&format!(
        "The job runs as {} ({}), with HOME {}.\n",
        user.name,
        prepared.why_user.words(),
        user.home.display()
    ));
    for note in notes(prepared) {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}
