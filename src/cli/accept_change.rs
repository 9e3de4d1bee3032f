//! `rota accept-change POLICY (NAME…|--all)`: a person confirms that backups
//! rota holds as *tampered* (their server bytes changed after a verified copy
//! existed, on a later business day: safety invariant 12) were changed on
//! purpose, e.g. the practice software rebuilt its history after a repair.
//!
//! Under the run lock it looks at the backups as `apply` would, refuses a name
//! that is not tampered (a typo must not accept anything), and records each
//! acceptance in the audit log and the accepted changes (who, when, the old
//! and new fingerprints). The next `apply` copies the new bytes, and they
//! replace the old copies only once verified.

use std::path::PathBuf;

use chrono::Utc;
use clap::Args;

use super::session::Session;
use super::{CliError, Outcome};
use crate::execute::accept;
use crate::inventory::accepted::AcceptedChange;
use crate::placement::{Tampered, World};
use crate::user::current_user;

/// Confirm that tampered backups were changed on purpose, so their new bytes are copied
#[derive(Debug, Args)]
#[command(
    after_help = "A backup is tampered when its bytes on the server changed after rota had a verified \
copy of it, on a later business day than its own: ransomware, corruption or tampering. rota keeps the \
verified copies, copies nothing new of it and deletes nothing anywhere until a person decides. Find out \
why it changed first; restore the verified copy (`rota restore`) if the change was not intended.\n\n\
Examples:\n  rota plan rota.yaml\n      lists the tampered backups (warning tampered-backup) and what changed\n\n\
  rota accept-change rota.yaml MacPractice_2026-03-18_2330.mpbackup\n      the change was intended: \
the new bytes are copied at the next apply\n\n  rota accept-change rota.yaml --all\n      every \
tampered backup\n\nEach acceptance is recorded in the audit log with who ran it and the old and new \
fingerprints."
)]
pub struct AcceptChangeArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// The tampered backups to accept, by name
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub names: Vec<String>,
    /// Accept every backup that stands tampered
    #[arg(long)]
    pub all: bool,
    /// As of this instant: 2026-03-31 (end of that day), 2026-03-31T18:30 (office time) or RFC 3339
    #[arg(long)]
    pub at: Option<String>,
}

pub fn run(args: &AcceptChangeArgs, no_color: bool) -> Result<Outcome, CliError> {
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let policy = session.policy();
    let _lock = session.lock("accept-change")?;
    let inventory = session.scan()?;
    let calendar = &policy.office.calendar;
    let today = calendar
        .today(&session.at)
        .unwrap_or_else(|| calendar.local_time(&session.at).date());
    let world = crate::placement::world::build(policy, &inventory, today);
    let chosen = chosen(&world, args)?;
    if chosen.is_empty() {
        println!("No backup stands tampered: there is nothing to accept.");
        return Ok(Outcome::Success);
    }
    let user = current_user();
    let at = session.at.to_rfc3339();
    for tampered in &chosen {
        let name = &world.backups[tampered.backup].dated.name;
        let change = AcceptedChange {
            at: Utc::now(),
            user: user.clone(),
            backup: name.clone(),
            from: tampered.copies.first().map(|copy| copy.recorded),
            to: tampered.now,
        };
        accept::record(&policy.state_dir, &change, &at)
            .map_err(|error| CliError::io("cannot record the accepted change", &error))?;
        let what = change
            .from
            .map(|from| from.changes_to(&tampered.now))
            .unwrap_or_default();
        println!("accepted  {name}  ({what})");
    }
    println!(
        "Recorded in {} as accepted by {user}. The next `rota apply` copies the new bytes; they \
         replace the old copies only once verified.",
        crate::execute::audit::path(&policy.state_dir).display()
    );
    Ok(Outcome::Success)
}

/// The tampered backups the arguments name; an error for a name that is
/// not one of them.
fn chosen<'w>(world: &'w World, args: &AcceptChangeArgs) -> Result<Vec<&'w Tampered>, CliError> {
    let name_of = |t: &Tampered| world.backups[t.backup].dated.name.as_str();
    if args.all {
        return Ok(world.tampered.iter().collect());
    }
    let mut chosen = Vec::new();
    for name in &args.names {
        match world.tampered.iter().find(|t| name_of(t) == name) {
            Some(tampered) => chosen.push(tampered),
            None => {
                let listed: Vec<&str> = world.tampered.iter().map(name_of).take(5).collect();
                return Err(CliError::failed_with_help(
                    format!("{name} is not a tampered backup: nothing was accepted"),
                    if listed.is_empty() {
                        String::from(
                            "no backup stands tampered (`rota plan` would warn tampered-backup)",
                        )
                    } else {
                        format!("the tampered backups are: {}", listed.join(", "))
                    },
                ));
            }
        }
    }
    Ok(chosen)
}
