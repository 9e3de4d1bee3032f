//! `rota plan POLICY`: what `apply` would do tonight, as a reviewable diff or
//! JSON; optionally saved for `apply --plan`. Changes nothing.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::error_display::Style;
use super::session::Session;
use super::{CliError, Outcome};
use crate::plan::json::to_json;
use crate::plan::json::write_plan;
use crate::plan::saved::SavedPlan;
use crate::plan::{make_plan, text};

/// Show what rota would do: copies, deletions, pending work, warnings
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota plan rota.yaml\n      the diff for tonight: + copy, - remove, ~ archive, x destroy, · pending\n\n  rota plan rota.yaml --at 2026-03-31\n      as if it were the end of March 31st (office time)\n\n  rota plan rota.yaml --format json --out tonight.json\n      JSON for scripts; the saved plan can be applied with `rota apply --plan tonight.json`\n\n  rota plan rota.yaml --detailed-exitcode\n      exit 0: nothing to do, 2: something to do, 1: error"
)]
pub struct PlanArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// Plan as of this instant: 2026-03-31 (end of that day), 2026-03-31T18:30 (office time) or RFC 3339
    #[arg(long)]
    pub at: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Also save the plan (JSON with a fingerprint of what it was made from) for `apply --plan`
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Exit 2 when there is something to do (0 when nothing, 1 on error)
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
}

pub fn run(args: &PlanArgs, no_color: bool) -> Result<Outcome, CliError> {
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let inventory = session.scan()?;
    super::media_note::note_scan(&session.policy().state_dir, "plan", &inventory, session.now);
    let plan = make_plan(session.policy(), &inventory, session.at);
    match args.format {
        PlanFormat::Text => print!("{}", text::render(&plan, Style::for_stdout(no_color).color)),
        PlanFormat::Json => write_json(&plan)?,
    }
    if let Some(out) = &args.out {
        let saved = SavedPlan {
            rota_saved_plan: SavedPlan::VERSION,
            policy: args.policy.display().to_string(),
            inventory_hash: plan.inventory_hash.clone(),
            plan: to_json(&plan),
        };
        let json = serde_json::to_string_pretty(&saved).expect("plans serialize");
        std::fs::write(out, json + "\n")
            .map_err(|e| CliError::io(format!("cannot save the plan to {}", out.display()), &e))?;
        eprintln!(
            "Saved the plan to {}; apply it with `rota apply {} --plan {}`.",
            out.display(),
            args.policy.display(),
            out.display()
        );
    }
    let outcome = if args.detailed_exitcode && plan.has_actions() {
        Outcome::Changes
    } else {
        Outcome::Success
    };
    // A plan of a large office is hundreds of thousands of small allocations;
    // the process is about to exit, so let the OS reclaim them at once.
    std::mem::forget(plan);
    std::mem::forget(inventory);
    Ok(outcome)
}

/// Streams the plan's pretty JSON to stdout (a large office's plan is tens of
/// megabytes: never held as one string).
fn write_json(plan: &crate::plan::Plan) -> Result<(), CliError> {
    use std::io::Write as _;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    write_plan(plan, &mut out)
        .and_then(|()| out.flush())
        .map_err(|e| CliError::io("cannot write the plan", &e))
}
