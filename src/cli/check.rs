//! `rota check POLICY`: validate a policy, print every diagnostic, and explain a
//! valid policy in plain words.

use std::path::PathBuf;

use clap::Args;

use super::error_display::{Style, render_diagnostic};
use super::session::Session;
use super::{CliError, Outcome};
use crate::policy::PolicyCode;
use crate::policy::{self, KeyPath, LoadedPolicy, Problem};
use crate::render::policy_summary::{self, SummaryExtras};
use crate::simulate::typical;

/// Validate a policy and explain what it means
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota check rota.yaml\n      exit 0: a summary of open days, disks, what is kept and where\n      exit 1: every problem, each pointing at its line with a hint\n\n  rota check policies/*.yaml   (one file at a time: rota check FILE)"
)]
pub struct CheckArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// Judge date-dependent advice (next year's holidays) as of this instant:
    /// 2026-11-02, 2026-11-02T18:30 or RFC 3339 (default: now)
    #[arg(long)]
    pub at: Option<String>,
}

pub fn run(args: &CheckArgs, no_color: bool) -> Result<Outcome, CliError> {
    // The session prints the policy's own warnings; then those of this
    // machine and of today's date.
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let loaded = &session.loaded;
    let style = Style::for_stderr(no_color);
    let today = loaded.policy.office.calendar.today(&session.at);
    let dated = today.and_then(|today| holidays_problem(loaded, today));
    for warning in environment_warnings(loaded).iter().chain(&dated) {
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
        .chain(pattern_problem(loaded))
        .chain(capture_problem(loaded))
        .chain(crate::offsite::environment::problems(&loaded.policy))
        .map(|problem| loaded.origin.diagnose(problem))
        .collect()
}

/// `holidays-missing` (from October on, next year has no closed dates), as a
/// warning located at `office.closed`.
pub fn holidays_problem(
    loaded: &LoadedPolicy,
    today: chrono::NaiveDate,
) -> Option<policy::PolicyDiagnostic> {
    let message = crate::plan::holidays_missing(&loaded.policy, today)?;
    let path = KeyPath::root().key("office").key("closed");
    let problem = Problem::warning(PolicyCode::HolidaysMissing, path, message)
        .at_key()
        .label("no date in next year")
        .help(crate::plan::WarningCode::HolidaysMissing.info().help);
    Some(loaded.origin.diagnose(problem))
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
        Problem::warning(PolicyCode::SourceMissing, path, message)
            .label("not readable")
            .help(help),
    )
}

/// `pattern-matches-nothing`: the source folder holds files but none
/// matches `source.pattern` (a typo, the wrong software's pattern): every
/// night would copy nothing, so `check` says so, at the pattern.
pub fn pattern_problem(loaded: &LoadedPolicy) -> Option<Problem> {
    let source = &loaded.policy.source;
    let pattern = &source.pattern;
    let names: Vec<String> = std::fs::read_dir(&source.path)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    let (matched, unmatched): (Vec<String>, Vec<String>) = names
        .into_iter()
        .partition(|name| pattern.timestamp(name).is_some());
    let mut unmatched = unmatched;
    unmatched.sort();
    let message = crate::plan::pattern_matches_nothing(matched.len(), &unmatched, pattern)?;
    let path = KeyPath::root().key("source").key("pattern");
    Some(
        // The plan warning of the same name (plan::code) says it every night.
        Problem::warning(PolicyCode::PatternMatchesNothing, path, message)
            .label("matches none of the files")
            .help(crate::plan::WarningCode::PatternMatchesNothing.info().help),
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
            PolicyCode::CaptureMissing,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_that_matches_none_of_the_files_is_named_with_three_of_them() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source");
        std::fs::create_dir(&source).unwrap();
        for name in [
            "Dentrix 2026-11-02.zip",
            "Dentrix 2026-11-03.zip",
            "Dentrix 2026-11-04.zip",
            "Dentrix 2026-11-05.zip",
            ".DS_Store",
        ] {
            std::fs::write(source.join(name), "x").unwrap();
        }
        let text = include_str!("../../policies/vendor-guide.yaml").replace(
            "path: \"/Users/Shared/MacPractice Backups\"",
            "path: source",
        );
        let loaded = policy::load_str(&text, &dir.path().join("rota.yaml")).unwrap();
        assert_eq!(
            loaded.policy.source.path, source,
            "the test's source folder"
        );
        let problem = pattern_problem(&loaded).expect("a warning");
        let diagnostic = loaded.origin.diagnose(problem);
        assert_eq!(diagnostic.code, PolicyCode::PatternMatchesNothing);
        let message = diagnostic.to_string();
        assert!(message.contains("none of the 4 files"), "{message}");
        assert!(
            message.contains("MacPractice_{%Y-%m-%d_%H%M}.mpbackup"),
            "{message}"
        );
        assert!(message.contains("\"Dentrix 2026-11-02.zip\", \"Dentrix 2026-11-03.zip\", \"Dentrix 2026-11-04.zip\" and 1 more"), "{message}");
        std::fs::write(source.join("MacPractice_2026-11-05_2330.mpbackup"), "x").unwrap();
        assert!(pattern_problem(&loaded).is_none());
    }
}
