//! `rota simulate POLICY --from D --to D`: the policy run night by night over
//! a period on a synthetic office, reported as text, HTML or JSON. Changes
//! nothing anywhere (only `--out` writes, the report).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use super::session::Session;
use super::{CliError, Outcome};
use crate::simulate::assumptions::{parse_share, parse_size};
use crate::simulate::{Assumptions, Growth, html, simulate, text};

/// The longest period simulated: a generous bound that keeps a typo
/// (`--to 9999-12-31`) from running for hours.
const MAX_YEARS: i64 = 50;

/// What if: run the policy night by night with synthetic backups
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota simulate rota.yaml --from 2026-01-01 --to 2028-12-31\n      are five 2 TB disks enough for three years of 6 GB backups growing 2% a month?\n\n  rota simulate rota.yaml --from 2026-01-01 --to 2035-12-31 --backup-size 20GB --disk-size 4TB\n\n  rota simulate rota.yaml --from 2026-01-01 --to 2026-12-31 --missed-days 2% --wrong-disk 3% --seed 7\n      staff connect the wrong disk on 3% of nights and 2% of backups are missed\n\n  rota simulate rota.yaml --from 2026-01-01 --to 2028-12-31 --format html --out what-if.html\n      a page with charts of disk usage and a calendar of what is kept\n\nNo real files are read or written: rota plans each night with the same planner as\n`rota plan` on an office held in memory, and checks every safety invariant each night\n(a violation is reported as a bug with the day and the state, and exits 1).\n\nExit status: 0 when the answer is \"enough\", 1 when it is \"not enough\" (a disk or\nthe server ran out of room; the report says when and where) or on a bug."
)]
pub struct SimulateArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// First night simulated (YYYY-MM-DD)
    #[arg(long)]
    pub from: NaiveDate,
    /// Last night simulated (YYYY-MM-DD)
    #[arg(long)]
    pub to: NaiveDate,
    /// Size of the first night's backup
    #[arg(long, default_value = "6GB")]
    pub backup_size: String,
    /// How fast backups grow: 2%/month, 25%/year, 0.5%/week (shrinking: -1%/month)
    #[arg(long, default_value = "2%/month", allow_hyphen_values = true)]
    pub growth: String,
    /// Share of open nights with no backup (the practice software did not run)
    #[arg(long, default_value = "0%")]
    pub missed_days: String,
    /// Share of open nights on which staff connect another rotation disk
    #[arg(long, default_value = "0%")]
    pub wrong_disk: String,
    /// Size of each disk
    #[arg(long, default_value = "2TB")]
    pub disk_size: String,
    /// Size of the server's drive (default: as large as needed)
    #[arg(long)]
    pub server_size: Option<String>,
    /// Seed of the random mishaps: the same seed replays the same nights
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = SimulateFormat::Text)]
    pub format: SimulateFormat,
    /// Write the report to this file instead of printing it
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    Text,
    Html,
    Json,
}

pub fn run(args: &SimulateArgs, no_color: bool) -> Result<Outcome, CliError> {
    let session = Session::open(&args.policy, None, no_color)?;
    let assumptions = assumptions(args)?;
    let simulation = simulate(session.policy(), &assumptions);
    let report = match args.format {
        SimulateFormat::Text => text::render(&simulation),
        SimulateFormat::Html => html::render(&simulation).map_err(CliError::failed)?,
        SimulateFormat::Json => {
            serde_json::to_string_pretty(&simulation).expect("a simulation serializes") + "\n"
        }
    };
    match &args.out {
        None => print!("{report}"),
        Some(path) => {
            std::fs::write(path, &report).map_err(|error| {
                CliError::io(
                    format!("cannot write the report to {}", path.display()),
                    &error,
                )
            })?;
            println!(
                "Wrote the report to {}.\nAnswer: {}",
                path.display(),
                text::answer(&simulation)
            );
        }
    }
    match &simulation.bug {
        None if simulation.is_enough() => Ok(Outcome::Success),
        // "Not enough" is an answer a script acts on: exit 1.
        None => Err(CliError::failed_with_help(
            format!("the disks are {}", text::answer(&simulation)),
            "use larger disks (--disk-size to try them), or keep fewer backups (lower \
             disks.min_backups or the retention tiers); exit status 1 means \"not enough\"",
        )),
        Some(bug) => Err(CliError::failed_with_help(
            format!(
                "the simulation broke a safety invariant on {}: {}",
                bug.date,
                bug.violations.join("; ")
            ),
            "this is a bug in rota; please report it with the report above",
        )),
    }
}

fn assumptions(args: &SimulateArgs) -> Result<Assumptions, CliError> {
    if args.to < args.from {
        return Err(CliError::usage(
            format!("--to {} is before --from {}", args.to, args.from),
            "give the first night with --from and the last with --to",
        ));
    }
    if (args.to - args.from).num_days() > MAX_YEARS * 366 {
        return Err(CliError::usage(
            format!(
                "{} to {} is more than {MAX_YEARS} years",
                args.from, args.to
            ),
            "simulate a shorter period; ten years take a few seconds",
        ));
    }
    let usage = |flag: &str, example: &str| {
        let example = example.to_string();
        let flag = flag.to_string();
        move |reason: String| CliError::usage(format!("{flag}: {reason}"), example.clone())
    };
    Ok(Assumptions {
        from: args.from,
        to: args.to,
        backup_size: parse_size(&args.backup_size)
            .map_err(usage("--backup-size", "write a size such as 6GB or 500MB"))?,
        growth: Growth::parse(&args.growth).map_err(usage(
            "--growth",
            "write a rate such as 2%/month or 25%/year",
        ))?,
        missed_days: parse_share(&args.missed_days)
            .map_err(usage("--missed-days", "write a share of nights such as 2%"))?,
        wrong_disk: parse_share(&args.wrong_disk)
            .map_err(usage("--wrong-disk", "write a share of nights such as 3%"))?,
        disk_size: parse_size(&args.disk_size)
            .map_err(usage("--disk-size", "write a size such as 2TB"))?,
        server_size: args
            .server_size
            .as_deref()
            .map(parse_size)
            .transpose()
            .map_err(usage("--server-size", "write a size such as 500GB"))?,
        seed: args.seed,
    })
}
