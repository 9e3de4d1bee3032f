//! `rota status POLICY`: is the office's nightly run healthy? The last run
//! and how it ended, whether a night was missed, the disks, pending work and
//! warnings, as text, JSON or the Prometheus textfile format. Reads only;
//! exits 1 when the last run failed or a run is overdue (or none ran yet).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::session::Session;
use super::{CliError, Outcome};
use crate::nightly::{Health, prometheus, record, status, status_text};
use crate::plan::make_plan;

/// Show whether the nightly run is healthy: last run, overdue, disks, warnings
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota status rota.yaml\n      the last run and its outcome, whether tonight's run is overdue, each disk,\n      pending work, warnings and failed notifications\n\n  rota status rota.yaml --format json\n      the same as one JSON document, for scripts\n\n  rota status rota.yaml --format prometheus > /var/lib/node_exporter/textfile/rota.prom\n      for node_exporter's textfile collector (rota_last_run_success,\n      rota_last_run_timestamp_seconds, rota_disk_last_seen_timestamp_seconds, ...)\n\nA run is overdue when none happened since the last open day's scheduled time\n(`schedule.at`, else the start of that business day), once `schedule.wait`\nplus an hour has passed. With --at, runs are judged by their own --at instants.\n\nExit status: 0 when the last run was ok (standing advice allowed) and on time;\n1 when it failed or needs attention, a run is overdue, or none ran yet."
)]
pub struct StatusArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// Judge as of this instant: 2026-03-31 (end of that day), 2026-03-31T18:30 or RFC 3339
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
    pub format: StatusFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    Text,
    Json,
    Prometheus,
}

pub fn run(args: &StatusArgs, no_color: bool) -> Result<Outcome, CliError> {
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let policy = session.policy();
    let runs = record::read(&policy.state_dir).map_err(|error| {
        CliError::io(
            format!(
                "cannot read {}",
                record::runs_file(&policy.state_dir).display()
            ),
            &error,
        )
    })?;
    let inventory = session.scan()?;
    let plan = make_plan(policy, &inventory, session.at);
    let status = status::status(&status::Inputs {
        policy,
        inventory: &inventory,
        plan: &plan,
        runs: &runs,
        at: session.at,
    });
    match args.format {
        StatusFormat::Text => print!("{}", status_text::render(&status)),
        StatusFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&status).expect("a status serializes")
        ),
        StatusFormat::Prometheus => print!("{}", prometheus::render(&status)),
    }
    match status.health {
        Health::Healthy => Ok(Outcome::Success),
        health => Err(CliError::failed_with_help(
            format!("rota status: {}", health.key()),
            match health {
                Health::NeverRun => {
                    "run `rota apply POLICY --yes` (or install the schedule: `rota schedule install POLICY`)"
                }
                Health::Failed => {
                    "the last run's error is shown above; fix it and run `rota apply POLICY --yes`"
                }
                Health::Warning => {
                    "the last run did its job but needs a person to look: its warnings are shown above"
                }
                _ => {
                    "check that the schedule is installed (`rota schedule status POLICY`) and the server was on"
                }
            },
        )),
    }
}
