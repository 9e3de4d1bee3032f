//! The command line: clap definitions, one file per command, and the single place
//! where outcomes become exit codes. Only this layer reads the clock, the
//! environment and arbitrary files; everything it calls below is pure or goes
//! through the inventory scanner and the executor.

mod accept_change;
mod apply;
mod check;
mod contingency;
mod decrypt;
mod demo;
mod digest;
mod disk;
mod doctor;
mod error;
pub mod error_display;
mod explain;
mod init;
mod media_note;
mod media_record;
mod night;
mod notify;
mod passphrase;
mod plan;
mod progress_bar;
mod restore;
mod restore_test;
mod schedule;
mod session;
mod sheet;
mod simulate;
mod status;
mod verdict;
mod verify;
mod volumes;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use error::CliError;
use error_display::{Style, render_diagnostic};

/// What a command that did not fail reports back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// `plan --detailed-exitcode` found something to do (exit 2).
    Changes,
}

#[derive(Debug, Parser)]
#[command(
    name = "rota",
    version,
    about = "Plan and carry out a practice's backup disk rotation and retention",
    long_about = "rota turns an office's backup policy (YAML) into a daily plan: which backup goes \
on which labelled disk, what must be kept (the last business days, month-, quarter- and \
fiscal-year-ends), what may be destroyed, and the weekly disk-swap sheet staff follow.",
    after_help = "Getting started:\n  rota init                      write a starter policy (rota.yaml)\n  rota check rota.yaml           validate it and explain it in plain words\n  rota plan rota.yaml            show what rota would do tonight\n  rota demo                      try everything in a sandbox office",
    propagate_version = true
)]
pub struct Cli {
    /// Never colour the output (also: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    no_color: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Demo(demo::DemoArgs),
    Init(init::InitArgs),
    Check(check::CheckArgs),
    Plan(plan::PlanArgs),
    Apply(apply::ApplyArgs),
    AcceptChange(accept_change::AcceptChangeArgs),
    Sheet(sheet::SheetArgs),
    Explain(explain::ExplainArgs),
    Disk(disk::DiskArgs),
    Doctor(doctor::DoctorArgs),
    Verify(verify::VerifyArgs),
    RestoreTest(restore_test::RestoreTestArgs),
    Simulate(simulate::SimulateArgs),
    Decrypt(decrypt::DecryptArgs),
    Restore(restore::RestoreArgs),
    Status(status::StatusArgs),
    Schedule(schedule::ScheduleArgs),
    Notify(notify::NotifyArgs),
    Digest(digest::DigestArgs),
    Report(media_record::ReportArgs),
    Contingency(contingency::ContingencyArgs),
}

/// Parses arguments, runs the command, renders any error, and returns the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout (exit 0) and usage errors
            // to stderr; usage errors exit 1 as the README says.
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let no_color = cli.no_color;
    match run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Changes) => ExitCode::from(2),
        Err(error) => {
            eprint!("{}", render_error(&error, Style::for_stderr(no_color)));
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<Outcome, CliError> {
    let no_color = cli.no_color;
    match cli.command {
        Command::Check(args) => check::run(&args, no_color),
        Command::Init(args) => init::run(&args),
        Command::Plan(args) => plan::run(&args, no_color),
        Command::Explain(args) => explain::run(&args, no_color),
        Command::Disk(args) => disk::run(&args, no_color),
        Command::Sheet(args) => sheet::run(&args, no_color),
        Command::Simulate(args) => simulate::run(&args, no_color),
        Command::Doctor(args) => doctor::run(&args, no_color),
        Command::Verify(args) => verify::run(&args, no_color),
        Command::RestoreTest(args) => restore_test::run(&args, no_color),
        Command::Decrypt(args) => decrypt::run(&args),
        Command::Restore(args) => restore::run(&args, no_color),
        Command::Report(args) => media_record::run(&args, no_color),
        Command::Contingency(args) => contingency::run(&args, no_color),
        Command::Apply(args) => apply::run(&args, no_color),
        Command::AcceptChange(args) => accept_change::run(&args, no_color),
        Command::Demo(args) => demo::run(&args, no_color),
        Command::Status(args) => status::run(&args, no_color),
        Command::Schedule(args) => schedule::run(&args, no_color),
        Command::Notify(args) => notify::run(&args, no_color),
        Command::Digest(args) => digest::run(&args, no_color),
    }
}

/// Every diagnostic of an error, rendered for a person.
pub fn render_error(error: &CliError, style: Style) -> String {
    match error {
        CliError::Policy(errors) => {
            let mut out = String::new();
            for diagnostic in &errors.diagnostics {
                out.push_str(&render_diagnostic(diagnostic, style));
                out.push('\n');
            }
            out.push_str(&format!("error: {errors}; nothing was changed\n"));
            out
        }
        CliError::PolicyProblem(diagnostic) => render_diagnostic(diagnostic.as_ref(), style),
        other => render_diagnostic(other, style),
    }
}
