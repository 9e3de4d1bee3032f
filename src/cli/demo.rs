//! `rota demo [DIR]`: the README's first command. Builds a sandbox office in
//! DIR (see [`sandbox`]), then shows the whole cycle on it: tonight's plan,
//! the apply that carries it out, and this week's nights as the swap sheet
//! will print them. Every step is the real code path (`apply` is not
//! simulated); only the disks are folders.

mod sandbox;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Utc};
use clap::Args;

use super::apply::{self, summary};
use super::night::Night;
use super::session::Session;
use super::{CliError, Outcome, sheet};
use crate::calendar::full_weekday;
use crate::execute::Silent;
use crate::placement::Location;
use crate::plan::{Action, Op, Plan, make_plan, text::op_sign};
use crate::words::format::{bytes, plural};
use sandbox::SandboxError;

/// Try rota in a sandbox office: a year of backups, five disks, plan and apply
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota demo\n      builds ./rota-demo and runs tonight's plan and apply in it\n\n  rota demo /tmp/office --at 2026-03-31\n      the same as of a fixed evening (reproducible)\n\nThe folder must be empty, new, or an earlier demo (which is rebuilt)."
)]
pub struct DemoArgs {
    /// Where to build the sandbox office
    #[arg(default_value = "rota-demo")]
    pub dir: PathBuf,
    /// Pretend it is this instant: 2026-03-31 (end of that day), 2026-03-31T18:30 or RFC 3339 (default: the end of today)
    #[arg(long)]
    pub at: Option<String>,
}

/// The printable sheet the demo leaves in its folder.
const SHEET_FILE: &str = "sheet.html";

pub fn run(args: &DemoArgs, no_color: bool) -> Result<Outcome, CliError> {
    let dir = &args.dir;
    sandbox::prepare_folder(dir).map_err(sandbox_error)?;
    let policy_path = sandbox::write_policy(dir).map_err(sandbox_error)?;
    // Without --at: the end of today, so tonight's backup is already there.
    let at = match &args.at {
        Some(at) => at.clone(),
        None => Session::open(&policy_path, None, no_color)?
            .at
            .date_naive()
            .to_string(),
    };
    let session = Session::open(&policy_path, Some(&at), no_color)?;
    let policy = session.policy();
    let calendar = &policy.office.calendar;
    let today = calendar
        .today(&session.at)
        .unwrap_or_else(|| session.at.date_naive());
    let (count, first) =
        sandbox::write_backups(policy, today, session.now).map_err(sandbox_error)?;
    let tonight = crate::placement::disks_for_day(policy, today);
    let stored = sandbox::write_disks(policy, dir, &tonight, session.now).map_err(sandbox_error)?;
    print!(
        "{}",
        introduction(dir, count, first, today, &tonight, &stored)
    );

    let clock = Utc::now;
    // The demo's apply is a real night: it is recorded in state_dir/runs.jsonl
    // as `rota apply --yes --allow-mass-delete` records it, so `rota status`
    // and `rota report` work on the sandbox.
    let mut night = Night::begin(true);
    night.allow_mass_delete();
    night.opened(&session, today);
    let mut prepared = apply::prepare(&session, &clock, today)?;
    night.planned(&prepared.plan, &prepared.inventory);
    println!("1. `rota plan` — what tonight's run will do:\n");
    print!("{}", compact_plan(&prepared.plan));
    println!("{}", apply_explanation(dir));
    let report = prepared.execute(&session, &mut Silent);
    night.executed(&report);
    prepared.finish(&session, &report)?;
    for line in summary(&prepared.plan, &report).lines() {
        println!("   {line}");
    }
    let failed = (report.failed() > 0).then(|| {
        CliError::failed(format!(
            "{} actions of the demo's apply failed",
            report.failed()
        ))
    });
    if let Some(record) = night.record(failed.as_ref()) {
        println!(
            "   The night is recorded as `{}` in {}: `rota status {}` reads it.",
            record.outcome.key(),
            shown(dir, &format!("{}/runs.jsonl", sandbox::STATE)),
            shown(dir, sandbox::POLICY_FILE)
        );
    }
    let after = make_plan(policy, &session.scan()?, session.at);
    if after.actions.is_empty() {
        println!("   A second `rota plan` finds nothing left to do tonight.");
    }
    println!();
    let week = today.iso_week();
    println!(
        "3. `rota sheet` — this week's swap sheet (week {}-W{:02}), as staff will follow it:\n",
        week.year(),
        week.week()
    );
    for line in sheet::this_week(&session, &policy_path, false)?.lines() {
        println!("{}", format!("   {line}").trim_end());
    }
    let html = dir.join(SHEET_FILE);
    std::fs::write(&html, sheet::this_week(&session, &policy_path, true)?)
        .map_err(|e| CliError::io(format!("cannot write {}", html.display()), &e))?;
    println!(
        "\n   The printable sheet is in {}: open it in a browser and print it.",
        shown(dir, SHEET_FILE)
    );
    print!("{}", try_next(dir, today));
    match failed {
        Some(error) => Err(error),
        None => Ok(Outcome::Success),
    }
}

fn sandbox_error(error: SandboxError) -> CliError {
    match error {
        SandboxError::NotEmpty(dir) => CliError::failed_with_help(
            format!(
                "{} is not empty and is not an earlier rota demo",
                dir.display()
            ),
            "choose a new or empty folder, e.g. `rota demo rota-demo`",
        ),
        SandboxError::Io { path, error } => CliError::io(
            format!("cannot build the demo at {}", path.display()),
            &error,
        ),
    }
}

fn shown(dir: &Path, relative: &str) -> String {
    dir.join(relative).display().to_string()
}

fn introduction(
    dir: &Path,
    count: usize,
    first: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
    tonight: &[&str],
    stored: &[String],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "rota demo: a sandbox dental office in {}\n",
        dir.display()
    );
    let since = first
        .map(|d| format!(" from {d} to {today}"))
        .unwrap_or_default();
    let rows = [
        (
            shown(dir, sandbox::POLICY_FILE),
            String::from("the policy: the vendor guide's scheme, with local paths"),
        ),
        (
            shown(dir, sandbox::SOURCE) + "/",
            format!("{count} nightly backups{since}, a few kB each, every fifth a bundle folder"),
        ),
        (
            shown(dir, sandbox::PLUGGED) + "/" + &tonight.join(", "),
            format!(
                "tonight's disk ({} {today}), plugged in",
                full_weekday(today.weekday())
            ),
        ),
        (
            shown(dir, sandbox::SAFE) + "/",
            format!(
                "{}: in the fireproof safe; rota knows them from its catalog",
                stored.join(", ")
            ),
        ),
        (
            shown(dir, sandbox::STATE) + "/",
            String::from("rota's catalog, journal, lock and audit log"),
        ),
    ];
    let width = rows
        .iter()
        .map(|(path, _)| path.chars().count())
        .max()
        .unwrap_or(0);
    for (path, what) in rows {
        let _ = writeln!(out, "  {path:<width$}  {what}");
    }
    let _ = writeln!(
        out,
        "\nEach disk was labelled as with `rota disk init`. Now the nightly cycle:\n"
    );
    out
}

/// The plan in a page: every copy, deletions and pending work counted.
fn compact_plan(plan: &Plan) -> String {
    let mut out = String::new();
    let width = plan
        .actions
        .iter()
        .map(|a| a.backup.len())
        .max()
        .unwrap_or(0);
    for action in plan.actions.iter().filter(|a| a.op == Op::Copy) {
        let place = format!("{} → {}", name(&action.from), name(&action.to));
        let _ = writeln!(
            out,
            "   {:<9} {:<width$}  {place}  {:>7}  {}",
            op_sign(action.op),
            action.backup,
            bytes(action.bytes),
            action.reason
        );
    }
    for op in [Op::Archive, Op::Remove, Op::Destroy] {
        let deleted: Vec<&Action> = plan.actions.iter().filter(|a| a.op == op).collect();
        let Some(oldest) = deleted.iter().map(|a| a.backup.as_str()).min() else {
            continue;
        };
        let places: Vec<String> = deleted.iter().map(|a| name(&a.location)).collect();
        let mut places_unique = places.clone();
        places_unique.sort();
        places_unique.dedup();
        let _ = writeln!(
            out,
            "   {:<9} {} on {}, the oldest {oldest}: no rule keeps them there any more",
            op_sign(op),
            plural(deleted.len(), "backup", "backups"),
            places_unique.join(", ")
        );
    }
    if !plan.pending.is_empty() {
        let waiting: Vec<String> = plan
            .sites
            .iter()
            .filter(|site| {
                plan.pending
                    .iter()
                    .any(|p| p.to.as_ref() == Some(&site.location))
            })
            .map(|site| site.location.to_string())
            .collect();
        let _ = writeln!(
            out,
            "   · pending {} for disks in the safe ({}): done on the nights they are plugged in",
            plural(plan.pending.len(), "action", "actions"),
            waiting.join(", ")
        );
    }
    for warning in &plan.warnings {
        let _ = writeln!(out, "   ! {}: {}", warning.code, warning.message);
    }
    let _ = writeln!(
        out,
        "\n   (`rota plan` prints every action with its reasons.)\n"
    );
    out
}

fn name(location: &Option<Location>) -> String {
    location
        .as_ref()
        .map(Location::to_string)
        .unwrap_or_default()
}

fn apply_explanation(dir: &Path) -> String {
    format!(
        "2. `rota apply --yes --allow-mass-delete` — carry it out:\n\n   \
         On its first night rota prunes a year of old backups from the server. That trips its\n   \
         mass-delete guard (a wrong clock or name pattern must never wipe a disk), so the demo\n   \
         allows it explicitly. Every copy is hashed while written and read back before it\n   \
         counts; every deletion is recorded in {}.\n",
        shown(dir, &format!("{}/audit.log", sandbox::STATE))
    )
}

fn try_next(dir: &Path, today: chrono::NaiveDate) -> String {
    let policy = shown(dir, sandbox::POLICY_FILE);
    let tomorrow = today.succ_opt().unwrap_or(today);
    let rows = [
        (
            format!("rota plan {policy} --at {today}"),
            String::from("tonight's plan in full: nothing left to do"),
        ),
        (
            format!("rota disk list {policy}"),
            String::from("every disk: its copies, free space, when last seen"),
        ),
        (
            format!("rota plan {policy} --at {tomorrow}"),
            String::from("tomorrow night, before the disks are swapped"),
        ),
        (
            format!(
                "cat {}",
                shown(dir, &format!("{}/audit.log", sandbox::STATE))
            ),
            String::from("the record of every deletion"),
        ),
    ];
    let width = rows
        .iter()
        .map(|(command, _)| command.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::from("\nTry next:\n");
    for (command, what) in rows {
        let _ = writeln!(out, "  {command:<width$}  {what}");
    }
    let _ = writeln!(
        out,
        "  To swap disks, move a disk's folder between {}/ and {}/.",
        shown(dir, sandbox::PLUGGED),
        shown(dir, sandbox::SAFE)
    );
    out
}
