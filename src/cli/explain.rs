//! `rota explain POLICY BACKUP`: why one backup is kept or not, where it is and
//! must be, and what will happen to it. Changes nothing.

use std::path::PathBuf;

use clap::Args;

use super::session::Session;
use super::{CliError, Outcome};
use crate::explain::{explain, find_backup};
use crate::plan::make_plan;

/// Explain why a backup is kept or deleted, where it is and must be
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota explain rota.yaml MacPractice_2026-03-31_2330.mpbackup\n      every tier that holds it (or why none does), its copies, tonight's actions,\n      and what happens tomorrow and after the month ends\n\n  rota explain rota.yaml 2026-03-31\n      the same for that business day's backup"
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
    let inventory = session.scan()?;
    let plan = make_plan(session.policy(), &inventory, session.at);
    let name = find_backup(&plan, &args.backup).map_err(|near| {
        let help = if near.is_empty() {
            String::from(
                "there are no backups yet; check source.path and source.pattern with `rota check`",
            )
        } else {
            format!("backups with similar names: {}", near.join(", "))
        };
        CliError::usage(
            format!(
                "no backup named `{}` is on the server or any known disk",
                args.backup
            ),
            help,
        )
    })?;
    print!(
        "{}",
        explain(session.policy(), &inventory, session.at, &name)
    );
    Ok(Outcome::Success)
}
