//! `rota check POLICY`: validate a policy, print every diagnostic, and explain a
//! valid policy in plain words.

use std::path::PathBuf;

use clap::Args;

use super::report::{Style, render_diagnostic};
use super::{CliError, Outcome};
use crate::policy::{self, KeyPath, LoadedPolicy, Problem};
use crate::render::policy_summary::{self, SummaryExtras};
use crate::typical;

/// Validate a policy and explain what it means
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota check rota.yaml\n      exit 0: a summary of open days, disks, what is kept and where\n      exit 1: every problem, each pointing at its line with a hint\n\n  rota check policies/*.yaml   (one file at a time: rota check FILE)"
)]
pub struct CheckArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
}

pub fn run(args: &CheckArgs, no_color: bool) -> Result<Outcome, CliError> {
    let loaded = policy::load(&args.policy)?;
    let style = Style::for_stderr(no_color);
    for warning in loaded.warnings.iter().chain(&environment_warnings(&loaded)) {
        eprint!("{}", render_diagnostic(warning, style));
    }
    let extras = SummaryExtras {
        typical_disks: typical::describe(&typical::typical_holdings(&loaded.policy)),
    };
    print!("{}", policy_summary::render(&loaded.policy, &extras));
    Ok(Outcome::Success)
}

/// Problems with the machine rather than the file: a missing source folder or
/// rclone program is a warning here (the policy may be written before the server
/// is set up) and an error for `apply`.
pub fn environment_warnings(loaded: &LoadedPolicy) -> Vec<policy::PolicyDiagnostic> {
    source_folder_problem(loaded)
        .into_iter()
        .chain(capture_problem(loaded))
        .chain(crate::offsite::environment::problems(&loaded.policy))
        .map(|problem| loaded.origin.diagnose(problem))
        .collect()
}

/// The source folder's trouble, if any, as a warning located at `source.path`.
pub fn source_folder_problem(loaded: &LoadedPolicy) -> Option<Problem> {
    let folder = &loaded.policy.source.path;
    let path = KeyPath::root().key("source").key("path");
    let (message, help) = match std::fs::read_dir(folder) {
        Ok(_) => return None,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => (
            format!("the source folder {} does not exist", folder.display()),
            if loaded.policy.source.capture.is_some() {
                "create it (an empty folder of its own): rota keeps its captures of source.capture there"
            } else {
                "point source.path at the folder the practice software writes its backups to"
            },
        ),
        Err(error) => (
            format!(
                "the source folder {} cannot be read: {error}",
                folder.display()
            ),
            "rota must be able to list the backup folder; check its permissions",
        ),
    };
    Some(
        Problem::warning("source-missing", path, message)
            .label("not readable")
            .help(help),
    )
}

/// The `source.capture` export's trouble, if any, as a warning located at
/// that key (an error for `apply`: tonight's backup could not be taken).
pub fn capture_problem(loaded: &LoadedPolicy) -> Option<Problem> {
    let export = loaded.policy.source.capture.as_deref()?;
    let why = crate::inventory::look_at_capture(export).found.err()?;
    let path = KeyPath::root().key("source").key("capture");
    Some(
        Problem::warning(
            "capture-missing",
            path,
            format!(
                "the export {} (source.capture) cannot be captured: {why}",
                export.display()
            ),
        )
        .label("not readable")
        .help(
            "point capture at the file or folder the practice software's scheduled export \
             overwrites, and let rota read it (on macOS, give rota Full Disk Access)",
        ),
    )
}
