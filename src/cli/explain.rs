//! `rota explain POLICY (BACKUP|DATE)`: why one backup is kept or not, where
//! it is and must be, and what will happen to it; for a backup every copy of
//! which was deleted, when, where, by which run and why (the audit log); for
//! a date, whether the office was closed, else that day's backup. Changes
//! nothing.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use super::session::Session;
use super::{CliError, Outcome};
use crate::execute::audit;
use crate::explain::{explain, find_backup};
use crate::explain_past;
use crate::plan::make_plan;
use crate::recovery::access_log;

/// Explain why a backup is kept or deleted, where it is and must be
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota explain rota.yaml MacPractice_2026-03-31_2330.mpbackup\n      every tier that holds it (or why none does), its copies, tonight's actions,\n      and what happens tomorrow and after the month ends; for a deleted backup,\n      when, where, by which run and why (from state_dir/audit.log)\n\n  rota explain rota.yaml 2026-03-31\n      the same for that business day's backup; for a closed day, that the office\n      was closed (and the holiday's name)"
)]
pub struct ExplainArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// A backup's name, or a date (YYYY-MM-DD) for that business day's backup
    pub backup: String,
    /// Explain as of this instant (2026-03-31, 2026-03-31T18:30 or RFC 3339)
    #[arg(long)]
    pub at: Option<String>,
}

pub fn run(args: &ExplainArgs, no_color: bool) -> Result<Outcome, CliError> {
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let policy = session.policy();
    let date = args.backup.parse::<NaiveDate>().ok();
    if let Some(words) = date.and_then(|date| explain_past::closed_day(policy, date)) {
        print!("{words}");
        return Ok(Outcome::Success);
    }
    let inventory = session.scan()?;
    let plan = make_plan(policy, &inventory, session.at);
    let near = match find_backup(&plan, &args.backup) {
        Ok(name) => {
            print!("{}", explain(policy, &inventory, session.at, &name));
            return Ok(Outcome::Success);
        }
        Err(near) => near,
    };
    let deletions = audit::read(&policy.state_dir).map_err(|error| {
        CliError::io(
            format!("cannot read {}", audit::path(&policy.state_dir).display()),
            &error,
        )
    })?;
    let restores = access_log::read(&policy.state_dir);
    let name = match date {
        Some(date) => explain_past::deleted_of_day(policy, &deletions, date)
            .into_iter()
            .next(),
        None => Some(args.backup.clone()),
    };
    if let Some(words) = name
        .as_deref()
        .and_then(|name| explain_past::deleted(policy, &deletions, &restores, name))
    {
        print!("{words}");
        return Ok(Outcome::Success);
    }
    let help = if near.is_empty() {
        String::from(
            "there are no backups yet; check source.path and source.pattern with `rota check`",
        )
    } else {
        format!("backups with similar names: {}", near.join(", "))
    };
    let what = match date {
        Some(date) => format!("no backup of business day {date}"),
        None => format!("no backup named `{}`", args.backup),
    };
    Err(CliError::usage(
        format!(
            "{what} is on the server or any known disk, and the audit log records no deletion of one"
        ),
        help,
    ))
}
