//! `rota contingency POLICY [--format html|text|markdown] [--out FILE]
//! [--at T] [--history]`: the office's written backup contingency plan,
//! made from the policy and rota's records (restore tests, audit log, media
//! log, the disks as scanned or last seen). A version whose content differs
//! from the last saved one is saved in `state_dir/contingency/` first (never
//! deleted); `--history` lists the saved versions. Reads everything else only.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::disk::shell_quote;
use super::session::Session;
use super::sheet::PaperSize;
use super::{CliError, Outcome};
use crate::contingency::html::Paper;
use crate::contingency::versions::{self, SavedVersion};
use crate::contingency::{self, ContingencyPlan, Evidence};
use crate::execute::audit;
use crate::hygiene::doctor::ContingencyFacts;
use crate::inventory::{media_log, restore_log};
use crate::policy::Policy;

/// Write the office's backup contingency plan from the policy and rota's records
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota contingency rota.yaml --out plan.html\n      the plan to print, sign and keep: data backup, disaster recovery with this\n      office's restore commands, emergency mode, testing, criticality, media controls\n\n  rota contingency rota.yaml --format text\n      the same as plain text\n\n  rota contingency rota.yaml --history\n      every saved version: when, its content hash, what changed\n\nWhat the policy cannot say goes under `contingency:` (rto, key_custody, contacts,\nemergency_mode, criticality); what is missing prints as a blank to fill in.\nEach version that differs from the last is saved in state_dir/contingency/ and\nnever deleted. `rota doctor` says when the policy changed after the latest saved\nplan (contingency-outdated). See docs/contingency.md."
)]
pub struct ContingencyArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = ContingencyFormat::Html)]
    pub format: ContingencyFormat,
    /// Write the plan to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Make the plan as of this instant: 2026-03-31, 2026-03-31T18:30 or RFC 3339 (default: now)
    #[arg(long)]
    pub at: Option<String>,
    /// List the saved versions instead of making the plan
    #[arg(long)]
    pub history: bool,
    /// Paper size for HTML (default: letter in the Americas' time zones, else a4)
    #[arg(long, value_enum)]
    pub paper: Option<PaperSize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ContingencyFormat {
    Html,
    Text,
    Markdown,
}

/// The policy file as the plan's commands name it: absolute (the plan is
/// read far from the folder rota ran in), quoted for a shell when needed.
pub fn policy_arg(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    shell_quote(&absolute)
}

/// What `rota doctor` compares: the latest saved plan (an unreadable list
/// counts as none), the policy's digest and the keys the plan prints blank.
pub fn doctor_facts(policy: &Policy, path: &Path) -> ContingencyFacts {
    let arg = policy_arg(path);
    ContingencyFacts {
        latest: versions::read(&policy.state_dir).unwrap_or_default().pop(),
        digest: contingency::policy_digest(policy, &arg),
        blank: contingency::blank_keys(policy, &arg),
    }
}

pub fn run(args: &ContingencyArgs, no_color: bool) -> Result<Outcome, CliError> {
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let policy = session.policy();
    let policy_arg = policy_arg(&args.policy);
    let history = versions::read(&policy.state_dir).map_err(|error| {
        CliError::io(
            format!(
                "cannot read the saved versions in {}",
                versions::folder(&policy.state_dir).display()
            ),
            &error,
        )
    })?;
    if args.history {
        print!("{}", history_text(policy, &policy_arg, &history));
        return Ok(Outcome::Success);
    }
    let inventory = session.scan()?;
    let unreadable = |what: &str, error: std::io::Error| {
        CliError::io(
            format!("cannot read {what} in {}", policy.state_dir.display()),
            &error,
        )
    };
    let audit = audit::read(&policy.state_dir).map_err(|e| unreadable("the audit log", e))?;
    let media = media_log::read(&policy.state_dir).map_err(|e| unreadable("the media log", e))?;
    let restores = restore_log::read(&policy.state_dir);
    let mut plan = contingency::build(&Evidence {
        policy,
        policy_arg: &policy_arg,
        inventory: &inventory,
        restores: &restores,
        audit: &audit,
        media: &media,
        at: session.now,
    });
    let paper = paper(policy, args.paper);
    let digest = contingency::policy_digest(policy, &policy_arg);
    let date = policy.office.calendar.local_time(&session.now).date();
    let new = versions::next_version(&history, &plan, &digest, session.now, date);
    let mut all = history.clone();
    all.extend(new.clone());
    versions::list_in(&mut plan, &all);
    // Saved before anything is shown: a plan printed is a plan on record.
    let saved = match &new {
        Some(version) => {
            let html = render(&plan, ContingencyFormat::Html, paper)?;
            let path = versions::save(&policy.state_dir, version, &html).map_err(|error| {
                CliError::io(
                    format!(
                        "cannot save this version of the plan in {}",
                        versions::folder(&policy.state_dir).display()
                    ),
                    &error,
                )
            })?;
            let kept = if version.revision > 1 {
                " (the earlier ones are kept)"
            } else {
                ""
            };
            format!(
                "Saved revision {} of the plan in {}{kept}.",
                version.revision,
                path.display()
            )
        }
        None => {
            let last = history.last().expect("unchanged means something was saved");
            format!(
                "The plan is unchanged since revision {} of {} ({}): nothing new to save.",
                last.revision, last.date, last.file
            )
        }
    };
    let rendered = render(&plan, args.format, paper)?;
    match &args.out {
        Some(out) => {
            std::fs::write(out, &rendered).map_err(|error| {
                CliError::io(
                    format!("cannot write the plan to {}", out.display()),
                    &error,
                )
            })?;
            let hint = if args.format == ContingencyFormat::Html {
                " Open it in a web browser and print it; sign it where it says."
            } else {
                ""
            };
            eprintln!("Wrote the contingency plan to {}.{hint}", out.display());
        }
        None => print!("{rendered}"),
    }
    eprintln!("{saved}");
    let blanks = plan.blank_keys();
    if !blanks.is_empty() {
        eprintln!(
            "Blank in the plan, to fill in by hand or in the policy: {}.",
            blanks.join(", ")
        );
    }
    Ok(Outcome::Success)
}

fn paper(policy: &Policy, asked: Option<PaperSize>) -> Paper {
    match asked {
        Some(PaperSize::Letter) => Paper::Letter,
        Some(PaperSize::A4) => Paper::A4,
        None => {
            match crate::render::sheet::Paper::for_timezone(policy.office.calendar.timezone.name())
            {
                crate::render::sheet::Paper::Letter => Paper::Letter,
                crate::render::sheet::Paper::A4 => Paper::A4,
            }
        }
    }
}

fn render(
    plan: &ContingencyPlan,
    format: ContingencyFormat,
    paper: Paper,
) -> Result<String, CliError> {
    match format {
        ContingencyFormat::Html => contingency::html::render(plan, paper).map_err(CliError::failed),
        ContingencyFormat::Text => Ok(contingency::text::render(plan)),
        ContingencyFormat::Markdown => Ok(contingency::markdown::render(plan)),
    }
}

/// `--history`: every saved version, and whether the policy changed since.
fn history_text(policy: &Policy, policy_arg: &str, history: &[SavedVersion]) -> String {
    use std::fmt::Write as _;
    let folder = versions::folder(&policy.state_dir);
    let mut out = format!(
        "{}: saved versions of the contingency plan in {}\n\n",
        policy.office.name,
        folder.display()
    );
    if history.is_empty() {
        out.push_str(&format!(
            "None yet: `rota contingency {policy_arg} --out plan.html` makes the plan and saves it.\n"
        ));
        return out;
    }
    let outline = contingency::outline(policy, policy_arg);
    let revisions = versions::revisions(history, &outline);
    let width = history.iter().map(|v| v.file.len()).max().unwrap_or(4);
    let _ = writeln!(out, "  REV  SAVED       {:<width$}  WHAT CHANGED", "FILE");
    for (version, revision) in history.iter().zip(&revisions) {
        let missing = if folder.join(&version.file).is_file() {
            ""
        } else {
            " (FILE MISSING)"
        };
        let _ = writeln!(
            out,
            "  {:<3}  {}  {:<width$}  {}{missing}",
            version.revision, version.date, version.file, revision.changes
        );
    }
    let last = history.last().expect("not empty");
    out.push('\n');
    if last.policy_digest == contingency::policy_digest(policy, policy_arg) {
        let _ = writeln!(
            out,
            "Revision {} matches the policy as it is now.",
            last.revision
        );
    } else {
        let _ = writeln!(
            out,
            "The policy changed after revision {}: run `rota contingency {policy_arg}` to save the plan as it reads now.",
            last.revision
        );
    }
    out
}
