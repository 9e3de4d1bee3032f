//! `rota report POLICY --from D --to D [--format text|csv|html] [--out FILE]`:
//! the record of the backup media for a period, for an auditor: each disk's
//! movements and custodian, copies written and verified, every deletion and
//! destruction, restore tests, verification runs, failed nights. Reads only.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use super::session::Session;
use super::{CliError, Outcome};
use crate::execute::audit;
use crate::inventory::{media_log, restore_log};
use crate::media::{self, Evidence};
use crate::nightly::record;
use crate::recovery::access_log;

/// Print the media record of a period: disk movements, custody, copies, deletions
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota report rota.yaml --from 2026-03-01 --to 2026-03-31 --format html --out march.html\n      the month's record, to print and file (one or a few pages)\n\n  rota report rota.yaml --from 2026-01-01 --to 2026-03-31 --format csv --out q1.csv\n      the same as one row per event, for a spreadsheet\n\nWhat it lists: each disk's movements (seen at the server, gone to the safe or\noff-site, back, retired) as the runs of plan, apply, verify and disk list saw\nthem (state_dir/media.jsonl), the custodian (disks.custodian, else\ndisks.offsite.by), the copies written and verified on each disk, every deletion\nand destruction from state_dir/audit.log, every restore (who, when, which backup,\nfrom where, to where), restore tests, the runs with their outcome (refused runs\ntoo), and a failed-night row (missed, failed or refused) for every open day\nwithout a successful run, days before rota's first recorded run included.\nWhere a disk went after it left the server is what the policy expects, and\nsays \"expected\": rota cannot see it. See docs/media-log.md."
)]
pub struct ReportArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// First day of the period (YYYY-MM-DD, office time)
    #[arg(long, value_name = "DATE")]
    pub from: NaiveDate,
    /// Last day of the period (YYYY-MM-DD, included)
    #[arg(long, value_name = "DATE")]
    pub to: NaiveDate,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write the report to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Make the report as of this instant (RFC 3339, 2026-03-31 or 2026-03-31T18:30)
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Csv,
    Html,
}

pub fn run(args: &ReportArgs, no_color: bool) -> Result<Outcome, CliError> {
    if args.from > args.to {
        return Err(CliError::usage(
            format!(
                "the period starts ({}) after it ends ({})",
                args.from, args.to
            ),
            "give --from the first day and --to the last day, e.g. --from 2026-03-01 --to 2026-03-31",
        ));
    }
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let policy = session.policy();
    let inventory = session.scan()?;
    let unreadable = |what: &str, error: std::io::Error| {
        CliError::io(
            format!("cannot read {what} in {}", policy.state_dir.display()),
            &error,
        )
    };
    let media = media_log::read(&policy.state_dir).map_err(|e| unreadable("the media log", e))?;
    let audit = audit::read(&policy.state_dir).map_err(|e| unreadable("the audit log", e))?;
    let restores = restore_log::read(&policy.state_dir);
    let accesses = access_log::read(&policy.state_dir);
    let runs = record::read(&policy.state_dir).map_err(|e| unreadable("the run records", e))?;
    let report = media::build(&Evidence {
        policy,
        inventory: &inventory,
        media: &media,
        audit: &audit,
        restores: &restores,
        accesses: &accesses,
        runs: &runs,
        from: args.from,
        to: args.to,
        at: session.now,
    });
    let rendered = match args.format {
        ReportFormat::Text => media::text::render(&report),
        ReportFormat::Csv => media::csv::render(&report),
        ReportFormat::Html => media::html::render(&report).map_err(CliError::failed)?,
    };
    match &args.out {
        Some(out) => {
            std::fs::write(out, &rendered).map_err(|error| {
                CliError::io(
                    format!("cannot write the report to {}", out.display()),
                    &error,
                )
            })?;
            eprintln!(
                "Wrote the media record {} to {} to {}.",
                args.from,
                args.to,
                out.display()
            );
        }
        None => print!("{rendered}"),
    }
    Ok(Outcome::Success)
}
