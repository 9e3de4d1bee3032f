//! `rota doctor POLICY`: the vendor guide as a checklist (PASS / WARN / FAIL
//! with the evidence and what to do), as text or JSON. Reads only; exits 1
//! when any check fails.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::disk::shell_quote;
use super::error_display::Style;
use super::session::Session;
use super::{CliError, Outcome};
use crate::hygiene::doctor::{Patient, UploadFacts, examine, text};
use crate::inventory::Catalog;
use crate::inventory::restore_log;
use crate::offsite::rclone::{DEFAULT_PROGRAM, locate_program};
use crate::plan::make_plan;
use crate::policy::Policy;

/// Check the backup set-up against the vendor guide, line by line
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota doctor rota.yaml\n      every check: daily backups, the newest on a disk, each disk labelled, seen\n      recently, holding enough backups and verified; every retention tier kept; a\n      recent off-site copy; free space with a forecast; the last restore test;\n      encryption (the backups, off-site copies, each disk's volume, the server's\n      own disk: FileVault); Time Machine; no network volumes; the written contingency\n      plan up to date with the policy\n\n  rota doctor rota.yaml --format json\n      the same for monitoring scripts: each check has a stable id and a status\n\nExit status: 0 when nothing failed (warnings allowed), 1 when a check failed."
)]
pub struct DoctorArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// Examine as of this instant: 2026-03-31 (end of that day), 2026-03-31T18:30 or RFC 3339
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long, value_enum, default_value_t = DoctorFormat::Text)]
    pub format: DoctorFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DoctorFormat {
    Text,
    Json,
}

pub fn run(args: &DoctorArgs, no_color: bool) -> Result<Outcome, CliError> {
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let policy = session.policy();
    let inventory = session.scan()?;
    let plan = make_plan(policy, &inventory, session.at);
    let restore_tests = restore_log::read(&policy.state_dir);
    let policy_arg = shell_quote(&args.policy);
    let uploads = upload_facts(policy, &session.catalog()?);
    let volumes = super::volumes::volume_facts(&inventory);
    let server = super::volumes::server_facts(policy);
    let contingency = super::contingency::doctor_facts(policy, &args.policy);
    let report = examine(&Patient {
        policy,
        inventory: &inventory,
        plan: &plan,
        restore_tests: &restore_tests,
        at: session.at,
        policy_arg: &policy_arg,
        uploads: &uploads,
        volumes: &volumes,
        server: Some(&server),
        contingency: Some(&contingency),
        first_run: first_run(policy, session.at),
    });
    match args.format {
        DoctorFormat::Text => print!(
            "{}",
            text::render(&report, Style::for_stdout(no_color).color)
        ),
        DoctorFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("a report serializes")
        ),
    }
    if report.failed() {
        return Err(CliError::failed_with_help(
            format!(
                "{} of {} checks failed",
                report.summary.fail,
                report.checks.len()
            ),
            "each FAIL line says what to do; run `rota doctor` again afterwards",
        ));
    }
    Ok(Outcome::Success)
}

/// The business day of the first `apply` that carried out its plan (as of
/// `at`: runs recorded for a later instant do not count, so `--at` replays).
fn first_run(policy: &Policy, at: chrono::DateTime<chrono_tz::Tz>) -> Option<chrono::NaiveDate> {
    crate::nightly::record::read(&policy.state_dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|run| run.error.is_none() && run.at <= at)
        .filter_map(|run| run.today)
        .min()
}

/// Per target that uploads: where its rclone program is, and when its remote
/// was last checked (the doctor itself looks at no file).
fn upload_facts(policy: &Policy, catalog: &Catalog) -> Vec<UploadFacts> {
    policy
        .offsite
        .iter()
        .filter_map(|target| {
            let upload = target.upload.as_ref()?;
            let program = upload
                .binary
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_PROGRAM));
            Some(UploadFacts {
                target: target.name.clone(),
                found: locate_program(&program),
                program,
                checked_at: catalog
                    .targets
                    .get(&target.name)
                    .and_then(|known| known.checked_at),
            })
        })
        .collect()
}
