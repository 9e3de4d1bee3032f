//! `rota apply POLICY`: carry out tonight's plan. Under the run lock it first
//! cleans up after an interrupted run, then scans and plans afresh (or checks a
//! saved plan against a fresh scan), refuses a mass deletion unless allowed,
//! asks on a terminal (or needs `--yes` without one), runs the executor with a
//! progress display, and ends with a summary. Exit 1 if any action failed.

mod awake;
mod progress;
mod wait;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use clap::Args;

use super::check::{capture_problem, source_folder_problem};
use super::error_display::{Style, render_diagnostic};
use super::night::Night;
use super::session::Session;
use super::{CliError, Outcome};
use crate::calendar::full_weekday;
use crate::execute::filesystem::Fs;
use crate::execute::{ApplyRun, BeginError, Failure, Observer, Recovery, RemoteNote, Report};
use crate::inventory::Inventory;
use crate::nightly::overdue::scheduled_night;
use crate::offsite::environment;
use crate::placement::Location;
use crate::plan::json::to_json;
use crate::plan::saved::{SavedPlan, inventory_hash};
use crate::plan::{Plan, WarningCode, make_plan_for_night, text};
use crate::policy::{PolicyDiagnostic, Span};

pub use progress::{Shown, files_of, summary};

/// Carry out the plan: copy, verify, then prune, never losing a backup
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota apply rota.yaml\n      shows tonight's plan and asks before doing anything\n\n  rota apply rota.yaml --yes\n      for cron or launchd, after the practice software's backup has finished\n\n  rota apply rota.yaml --yes --wait 2h\n      started soon after the backup job: waits for tonight's backup to be written, then acts\n\n  rota plan rota.yaml --out tonight.json && rota apply rota.yaml --plan tonight.json\n      apply exactly the plan you reviewed; refused if the disks changed since\n\nExit status: 0 all done, 1 something failed or was refused (the summary says what)."
)]
pub struct ApplyArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// Plan as of this instant: 2026-03-31 (end of that day), 2026-03-31T18:30 (office time) or RFC 3339
    #[arg(long, conflicts_with = "plan")]
    pub at: Option<String>,
    /// Do not ask for confirmation (needed without a terminal: cron, launchd)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Apply this saved plan (from `rota plan --out FILE`) instead of planning afresh
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Allow a plan that deletes more than half of a location's backups, or every copy of a recent day
    #[arg(long)]
    pub allow_mass_delete: bool,
    /// First wait up to this long (e.g. 2h, 45m) for today's backup to appear and settle
    /// (unchanged for source.settle), re-checking about once a minute; then go on
    #[arg(long, value_name = "DURATION", value_parser = parse_wait, conflicts_with = "plan")]
    pub wait: Option<Span>,
}

fn parse_wait(text: &str) -> Result<Span, String> {
    Span::parse(text)
}

pub fn run(args: &ApplyArgs, no_color: bool) -> Result<Outcome, CliError> {
    // The run record and notifications see every way this can end.
    let mut night = Night::begin(args.yes);
    let _awake = awake::KeptAwake::start();
    if args.allow_mass_delete {
        night.allow_mass_delete();
    }
    let result = carry_out(args, no_color, &mut night);
    night.end(result)
}

fn carry_out(args: &ApplyArgs, no_color: bool, night: &mut Night) -> Result<Outcome, CliError> {
    let saved = args.plan.as_ref().map(read_saved).transpose()?;
    let at = saved
        .as_ref()
        .map(|s| s.plan.at.clone())
        .or(args.at.clone());
    let session = Session::open(&args.policy, at.as_deref(), no_color)?;
    let serves = served_night(&session, args.wait.is_some());
    night.opened(&session, serves);
    if let Some(limit) = args.wait {
        wait::wait_for_tonight(&session, limit, serves)?;
    }
    let clock = Utc::now;
    let mut prepared = prepare(&session, &clock, serves)?;
    night.planned(&prepared.plan, &prepared.inventory);
    report_recovery(&prepared.recovery);
    report_remotes(&prepared.remotes);
    let style = Style::for_stderr(no_color);
    for diagnostic in &prepared.unusable {
        eprint!("{}", render_diagnostic(diagnostic, style));
    }
    if let Some(saved) = &saved {
        check_saved(saved, &prepared)?;
    }
    check_mass_delete(&prepared.plan, args.allow_mass_delete)?;
    if !prepared.plan.has_actions() {
        println!("{}", prepared.plan.idle_words());
        report_pending(&prepared.plan);
        prepared.finish(&session, &Report::default())?;
        return Ok(Outcome::Success);
    }
    if !args.yes && !confirm(&prepared.plan, no_color)? {
        night.skip();
        println!("Nothing was changed.");
        return Ok(Outcome::Success);
    }
    let mut shown = Shown::new(&prepared.plan, std::io::stderr().is_terminal());
    let report = prepared.execute(&session, &mut shown);
    night.executed(&report);
    shown.done();
    prepared.finish(&session, &report)?;
    print!("{}", summary(&prepared.plan, &report));
    if report.failed() > 0 {
        return Err(CliError::failed_with_help(
            format!(
                "{} of {} actions were not done",
                report.failed(),
                report.outcomes.len()
            ),
            "each is listed above with its reason; what did succeed is recorded, and the next \
             `rota apply` plans the rest afresh",
        ));
    }
    Ok(Outcome::Success)
}

/// The business day this run serves. A scheduled run (`--wait`, with a
/// `schedule:`) serves the night whose scheduled start is the latest at or
/// before now: launchd delivers a start the Mac slept through when it
/// wakes, and that 07:30 run is last night's, late, not the new day's.
/// Any other run serves the business day of its instant.
fn served_night(session: &Session, scheduled: bool) -> NaiveDate {
    let today = session.business_day();
    let policy = session.policy();
    let calendar = &policy.office.calendar;
    let late = policy
        .schedule
        .as_ref()
        .filter(|_| scheduled)
        .and_then(|schedule| Some((schedule, scheduled_night(calendar, schedule, session.at)?)))
        .filter(|(_, night)| *night != today);
    let Some((schedule, night)) = late else {
        return today;
    };
    println!(
        "Started at {}, after {} {night}'s scheduled start at {}: this is that night's run, late \
         (a start the server slept through runs when it wakes). It plans that night and does not \
         wait for the next day's backup.",
        calendar.local_time(&session.at).format("%Y-%m-%d %H:%M"),
        full_weekday(night.weekday()),
        schedule.at.format("%H:%M"),
    );
    night
}

/// A run that holds the lock, has cleaned up, and has a fresh plan.
pub struct Prepared<'s> {
    pub run: ApplyRun<'s>,
    pub inventory: Inventory,
    pub plan: Plan,
    pub recovery: Recovery,
    /// What the look at each uploading target's remote found.
    pub remotes: Vec<RemoteNote>,
    /// Off-site targets the plan acts on that this machine cannot use, as
    /// errors; their actions are refused.
    pub unusable: Vec<PolicyDiagnostic>,
}

/// Locks, recovers from an interrupted run, scans and plans afresh.
pub fn prepare<'s>(
    session: &'s Session,
    clock: &'s dyn Fn() -> DateTime<Utc>,
    serves: NaiveDate,
) -> Result<Prepared<'s>, CliError> {
    let environment =
        source_folder_problem(&session.loaded).or_else(|| capture_problem(&session.loaded));
    if let Some(problem) = environment {
        let mut problem = problem;
        problem.severity = miette::Severity::Error;
        let diagnostic = session.loaded.origin.diagnose(problem);
        return Err(CliError::PolicyProblem(Box::new(diagnostic)));
    }
    let policy = session.policy();
    let mut run = ApplyRun::begin(policy, Fs::real(), clock).map_err(begin_error)?;
    let recovery = run.recover(&session.scan()?).map_err(begin_error)?;
    let remotes = run.check_remotes(session.now)?;
    let inventory = session.scan()?;
    run.remember(&inventory, session.now)?;
    let plan = make_plan_for_night(policy, &inventory, session.at, serves);
    let unusable = refuse_unusable_targets(session, &plan, &mut run);
    super::volumes::refuse_unencrypted_volumes(policy, &inventory, &plan, &mut run);
    Ok(Prepared {
        run,
        inventory,
        plan,
        recovery,
        remotes,
        unusable,
    })
}

/// `rota check`'s off-site warnings (no rclone, unusable recipients) are
/// errors for the targets the plan copies to or deletes at: their actions are
/// refused, the rest of the plan goes ahead.
fn refuse_unusable_targets(
    session: &Session,
    plan: &Plan,
    run: &mut ApplyRun<'_>,
) -> Vec<PolicyDiagnostic> {
    let policy = session.policy();
    let mut diagnostics = Vec::new();
    for (index, target) in policy.offsite.iter().enumerate() {
        let location = Location::Offsite(target.name.clone());
        let acted_on = plan.actions.iter().any(|action| {
            action.writes_to() == Some(&location) || action.deleted_at() == Some(&location)
        });
        if !acted_on {
            continue;
        }
        let problems = environment::target_problems(policy, index);
        if let Some(first) = problems.first() {
            run.refuse(
                location,
                Failure::TargetUnusable {
                    location: target.name.clone(),
                    what: first.message.clone(),
                },
            );
        }
        for mut problem in problems {
            problem.severity = miette::Severity::Error;
            diagnostics.push(session.loaded.origin.diagnose(problem));
        }
    }
    diagnostics
}

fn report_remotes(notes: &[RemoteNote]) {
    for note in notes {
        if note.is_problem() {
            eprintln!("warning: {note}");
        } else {
            println!("{note}");
        }
    }
}

impl Prepared<'_> {
    pub fn execute(&mut self, session: &Session, observer: &mut dyn Observer) -> Report {
        self.run
            .execute(&self.plan, &self.inventory, session.now, observer)
    }

    /// Notes the run in the media log and records the disks as they are
    /// after it in the catalog.
    pub fn finish(&mut self, session: &Session, report: &Report) -> Result<(), CliError> {
        let after = session.scan()?;
        let mut noted = crate::inventory::media_log::MediaRecord::of_scan(
            "apply",
            &self.inventory,
            session.now,
            Utc::now(),
        );
        noted.actions = Some(report.outcomes.len());
        noted.failed = Some(report.failed());
        noted.written = super::media_note::written_copies(report, &after);
        super::media_note::note(&session.policy().state_dir, &noted);
        self.run
            .finish(&after, session.now, report)
            .map_err(CliError::from)
    }
}

fn begin_error(error: BeginError) -> CliError {
    match error {
        BeginError::Lock(crate::execute::lock::LockError::Held { .. }) => {
            CliError::failed_with_help(
                error.to_string(),
                "wait for it to finish (it releases the lock when it ends, even if it crashes), \
             then run `rota apply` again",
            )
        }
        BeginError::Journal { ref path, .. } => CliError::failed_with_help(
            error.to_string(),
            format!(
                "the journal is damaged: move it aside (e.g. `mv {} {}.damaged`) and run `rota \
                 apply` again. It only lets rota finish a run that was cut off; the disks, the \
                 catalog and the audit log do not depend on it",
                path.display(),
                path.display()
            ),
        ),
        BeginError::Catalog(_) => CliError::failed_with_help(
            error.to_string(),
            "move the file aside and run `rota disk list` again: rota rebuilds the catalog \
             from the disks it sees",
        ),
        _ => CliError::failed(error.to_string()),
    }
}

fn report_recovery(recovery: &Recovery) {
    if let Some((run, pid, started)) = &recovery.interrupted {
        println!(
            "The previous run ({run}, pid {pid}, started {}) was interrupted; cleaning up after it.",
            started.format("%Y-%m-%d %H:%M UTC")
        );
    }
    for done in &recovery.completed {
        println!("  finished and logged a deletion it had begun: {done}");
    }
    if !recovery.removed.is_empty() {
        println!(
            "  removed {} temporary {} rota had left",
            recovery.removed.len(),
            if recovery.removed.len() == 1 {
                "file"
            } else {
                "files"
            }
        );
    }
    for problem in &recovery.problems {
        eprintln!("warning: {problem}");
    }
}

fn report_pending(plan: &Plan) {
    if !plan.pending.is_empty() {
        println!(
            "{} pending: they wait for a disk that is not connected (`rota plan` lists them).",
            plan.pending.len()
        );
    }
}

fn read_saved(path: &PathBuf) -> Result<SavedPlan, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::io(format!("cannot read the saved plan {}", path.display()), &e))?;
    serde_json::from_str(&text).map_err(|error| {
        CliError::failed_with_help(
            format!(
                "{} is not a plan saved by `rota plan --out`: {error}",
                path.display()
            ),
            "save one with `rota plan POLICY --out FILE`",
        )
    })
}

/// A saved plan is applied only to the state it was made from.
fn check_saved(saved: &SavedPlan, prepared: &Prepared<'_>) -> Result<(), CliError> {
    if inventory_hash(&prepared.inventory) != saved.inventory_hash {
        return Err(CliError::failed_with_help(
            "the disks or backups changed since the plan was made; run `rota plan` again",
            "a saved plan is applied only to exactly what it was made from: review a new one \
             with `rota plan POLICY --out FILE`",
        ));
    }
    if to_json(&prepared.plan).actions != saved.plan.actions {
        return Err(CliError::failed_with_help(
            "the policy (or the free space on a disk) changed since the plan was made; run `rota plan` again",
            "planning now gives different actions than the saved plan; nothing was changed",
        ));
    }
    Ok(())
}

/// Safety invariant 7 (docs/architecture.md).
fn check_mass_delete(plan: &Plan, allowed: bool) -> Result<(), CliError> {
    let findings: Vec<&str> = plan
        .warnings
        .iter()
        .filter(|w| w.code == WarningCode::MassDelete)
        .map(|w| {
            let message = w.message.as_str();
            message
                .strip_suffix(crate::plan::MASS_DELETE_CONSEQUENCE)
                .unwrap_or(message)
        })
        .collect();
    if findings.is_empty() {
        return Ok(());
    }
    if allowed {
        // Said in the log, as the person who allowed it will look for it.
        for finding in &findings {
            println!("Mass deletion allowed (--allow-mass-delete): {finding}");
        }
        return Ok(());
    }
    Err(CliError::failed_with_help(
        format!(
            "refusing a mass deletion: {}; nothing was changed",
            findings.join("; ")
        ),
        "if the deletions are intended, run it once with --allow-mass-delete: a first run on a \
         server that holds months of older backups trips this as expected. A wrong pattern or \
         clock must not wipe a disk: check `rota plan`, where each LAST COPY line is a backup \
         that would be gone",
    ))
}

/// Shows the plan and asks; without a terminal there is no one to ask.
fn confirm(plan: &Plan, no_color: bool) -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "rota apply needs --yes when no one is at a terminal to confirm the plan",
            "in cron or launchd, run `rota apply POLICY --yes`; review the plan first with `rota plan POLICY`",
        ));
    }
    print!("{}", text::render(plan, Style::for_stdout(no_color).color));
    let count = plan.actions.len();
    if count == 1 {
        print!("Carry out this action? [y/N] ");
    } else {
        print!("Carry out these {count} actions? [y/N] ");
    }
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::io("cannot read the answer", &e))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}
