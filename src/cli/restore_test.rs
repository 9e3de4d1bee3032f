//! `rota restore-test POLICY [--backup NAME] [--to DIR] [--command CMD]
//! [--identity KEYFILE]`: restore a backup from a connected disk (with
//! `--identity`: decrypt an encrypted copy from an off-site staging folder)
//! into a scratch folder, check it against the manifest's hash, optionally run
//! the office's check command on it, record the result (with how long it
//! took and who ran it) in `state_dir/restore-tests.jsonl`, and clean up.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use super::disk::shell_quote;
use super::passphrase::passphrase_for;
use super::session::Session;
use super::{CliError, Outcome};
use crate::hygiene::restore::{Candidate, Scratch, candidates, restore, run_check};
use crate::hygiene::restore_offsite::{encrypted_candidates, restore_encrypted};
use crate::inventory::restore_log::{self, RestoreRecord};
use crate::inventory::{Inventory, fsinfo, layout};
use crate::offsite::identity;
use crate::plan::{make_plan, restore_test_due_on};
use crate::user::current_user;
use crate::words::format::bytes;

/// Restore a backup to a scratch folder, verify it and record the test
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota restore-test rota.yaml\n      a backup chosen at random among those the policy keeps, from a connected disk\n\n  rota restore-test rota.yaml --backup MacPractice_2026-03-31_2330.mpbackup\n\n  rota restore-test rota.yaml --to /Volumes/Scratch --command 'integrity-check {}'\n      restore elsewhere, and run a check on the restored copy ({} is its path)\n\n  rota restore-test rota.yaml --identity /Volumes/KEY/key.txt\n      decrypt an encrypted off-site copy with the office's private key: proves\n      the key in the safe opens what leaves the building\n\nThe vendor guide recommends a restore test every quarter; `rota doctor` and the swap\nsheet say when the next one is due. The restored copy is removed afterwards."
)]
pub struct RestoreTestArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// The backup to restore (default: one chosen at random among those kept)
    #[arg(long, value_name = "NAME")]
    pub backup: Option<String>,
    /// Restore into a new folder inside DIR (default: inside state_dir)
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    /// Check command run on the restored copy, `{}` being its path (default: restore_test.command)
    #[arg(long, value_name = "CMD")]
    pub command: Option<String>,
    /// Record the test as of this instant (RFC 3339, 2026-03-31 or 2026-03-31T18:30)
    #[arg(long)]
    pub at: Option<String>,
    /// Test an encrypted off-site copy (in a target's staging folder) instead,
    /// decrypting it with this private key file (from `age-keygen`; one
    /// protected by `age -p` asks for its passphrase, or reads ROTA_AGE_PASSPHRASE)
    #[arg(long, short = 'i', value_name = "KEYFILE")]
    pub identity: Option<PathBuf>,
}

/// Scratch folders go here inside `state_dir` unless `--to` says otherwise.
const SCRATCH_DIR: &str = "restore-scratch";

pub fn run(args: &RestoreTestArgs, no_color: bool) -> Result<Outcome, CliError> {
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let _lock = session.lock("restore-test")?;
    let policy = session.policy();
    let inventory = session.scan()?;
    let plan = make_plan(policy, &inventory, session.at);
    let identities = args
        .identity
        .as_ref()
        .map(|path| {
            let shown = path.display().to_string();
            identity::load(path, &mut || passphrase_for(&shown))
                .map_err(|error| CliError::failed_with_help(error.to_string(), error.help()))
        })
        .transpose()?;
    let candidate = match identities {
        Some(_) => choose_encrypted(policy, &plan, &inventory, args.backup.as_deref())?,
        None => choose(&plan, &inventory, args.backup.as_deref())?,
    };
    let parent = match &args.to {
        Some(dir) => check_scratch_parent(dir, &inventory)?,
        None => policy.state_dir.join(SCRATCH_DIR),
    };
    check_room(&parent, candidate.record.size)?;
    let run_name = format!("rota-restore-{}", session.now.format("%Y%m%dT%H%M%S"));
    let scratch = Scratch::create(&parent, &run_name).map_err(|error| {
        CliError::io(
            format!("cannot create a scratch folder in {}", parent.display()),
            &error,
        )
    })?;
    let why = if candidate.reasons.is_empty() {
        String::new()
    } else {
        format!(" ({})", candidate.reasons.join(", "))
    };
    let from = match &args.identity {
        Some(key) if session_is_disk(&candidate.label, &inventory) => {
            format!("disk {}, decrypted with {}", candidate.label, key.display())
        }
        Some(key) => format!(
            "off-site target {}'s staging folder, decrypted with {}",
            candidate.label,
            key.display()
        ),
        None => format!("disk {}", candidate.label),
    };
    println!("Restore test of {}{why} from {from}", candidate.name);
    let started = Instant::now();
    let restored = match &identities {
        Some(identities) => restore_encrypted(&candidate, &scratch, identities),
        None => restore(&candidate, &scratch),
    };
    let seconds = started.elapsed().as_secs_f64();
    let (ok, detail) = match &restored {
        Err(error) => {
            println!("  the restore failed: {error}");
            (false, format!("the restore failed: {error}"))
        }
        Ok(restored) => {
            let rate = if seconds > 0.0 {
                format!(" ({}/s)", bytes((restored.bytes as f64 / seconds) as u64))
            } else {
                String::new()
            };
            println!(
                "  restored {} to {} in {seconds:.1} s{rate}",
                bytes(restored.bytes),
                restored.path.display()
            );
            if restored.matches(&candidate.record) {
                println!(
                    "  its content hash matches the {} manifest ({})",
                    if identities.is_some() {
                        "staging folder's"
                    } else {
                        "disk's"
                    },
                    &restored.hash[..16]
                );
                let template = args
                    .command
                    .as_deref()
                    .or(policy.restore_test.command.as_deref());
                match template {
                    None => (true, String::from("content hash matches the manifest")),
                    Some(template) => {
                        let check = run_check(template, &restored.path);
                        println!(
                            "  check command `{}`: {} ({})",
                            check.command,
                            if check.ok { "passed" } else { "FAILED" },
                            check.detail
                        );
                        let detail = format!(
                            "content hash matches the manifest; check command {}: {}",
                            if check.ok { "passed" } else { "failed" },
                            check.detail
                        );
                        (check.ok, detail)
                    }
                }
            } else {
                println!(
                    "  its content hash {} differs from the manifest's {}: the copy on {} is damaged",
                    &restored.hash[..16],
                    &candidate.record.hash[..16.min(candidate.record.hash.len())],
                    candidate.label
                );
                (
                    false,
                    String::from("the restored copy's hash differs from the manifest"),
                )
            }
        }
    };
    // The whole restore with its checks: what the recovery time objective is
    // measured against in the contingency plan.
    let took = started.elapsed();
    let user = current_user();
    match scratch.clean_up() {
        Ok(()) => println!("  removed the scratch folder"),
        Err(error) => eprintln!("warning: could not remove the scratch folder: {error}"),
    }
    let record = RestoreRecord {
        at: session.now,
        date: plan.today,
        backup: candidate.name.clone(),
        from: candidate.label.clone(),
        ok,
        detail,
        duration_ms: Some(u64::try_from(took.as_millis()).unwrap_or(u64::MAX)),
        user: Some(user.clone()),
    };
    restore_log::append(&policy.state_dir, &record).map_err(|error| {
        CliError::io(
            format!(
                "the test ran but could not be recorded in {}",
                policy.state_dir.join(layout::RESTORE_LOG).display()
            ),
            &error,
        )
    })?;
    let last_ok = restore_log::last_successful(&policy.state_dir);
    let next = restore_test_due_on(policy, last_ok)
        .map(|due| format!("; the next restore test is due by {due}"))
        .unwrap_or_default();
    println!(
        "Recorded in {} (by {user}, {:.1} s in all){next}.",
        policy.state_dir.join(layout::RESTORE_LOG).display(),
        took.as_secs_f64()
    );
    if ok {
        Ok(Outcome::Success)
    } else {
        Err(CliError::failed_with_help(
            format!("the restore test of {} failed", candidate.name),
            format!(
                "run `rota verify {} --disk {}` to see what else on that disk is damaged, and \
                 test another backup",
                shell_quote(&args.policy),
                candidate.label
            ),
        ))
    }
}

/// The backup asked for, or one chosen at random among those kept.
fn choose(
    plan: &crate::plan::Plan,
    inventory: &Inventory,
    name: Option<&str>,
) -> Result<Candidate, CliError> {
    let connected: Vec<&str> = inventory
        .connected_disks()
        .map(|d| d.label.as_str())
        .collect();
    let connected_words = if connected.is_empty() {
        String::from("no disk is connected")
    } else {
        format!("connected: {}", connected.join(", "))
    };
    if let Some(name) = name {
        let found = candidates(plan, inventory, false)
            .into_iter()
            .find(|c| c.name == name);
        return found.ok_or_else(|| {
            let holders: Vec<String> = plan
                .backups
                .iter()
                .find(|b| b.name == name)
                .map(|b| b.locations.iter().map(ToString::to_string).collect())
                .unwrap_or_default();
            let help = if holders.is_empty() {
                String::from(
                    "`rota plan --format json` lists every backup rota knows and where it is",
                )
            } else {
                format!(
                    "it is on {}; connect one of those disks ({connected_words})",
                    holders.join(", ")
                )
            };
            CliError::failed_with_help(
                format!("{name} has no verified copy on a connected disk"),
                help,
            )
        });
    }
    let kept = candidates(plan, inventory, true);
    if kept.is_empty() {
        return Err(CliError::failed_with_help(
            "no backup the policy keeps has a verified copy on a connected disk",
            format!("connect a backup disk and try again ({connected_words})"),
        ));
    }
    Ok(pick_at_random(kept))
}

/// With `--identity`: the backup asked for, or one chosen at random among
/// those kept, from its encrypted copy in an off-site staging folder.
fn choose_encrypted(
    policy: &crate::policy::Policy,
    plan: &crate::plan::Plan,
    inventory: &Inventory,
    name: Option<&str>,
) -> Result<Candidate, CliError> {
    let help = "an uploaded copy leaves the staging folder unless upload.keep_local keeps it: \
                set keep_local: 1, or download one and test it with `rota decrypt`";
    if let Some(name) = name {
        return encrypted_candidates(policy, plan, inventory, false)
            .into_iter()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                CliError::failed_with_help(
                    format!("{name} has no verified encrypted copy in an off-site staging folder"),
                    help,
                )
            });
    }
    let kept = encrypted_candidates(policy, plan, inventory, true);
    if kept.is_empty() {
        return Err(CliError::failed_with_help(
            "no backup the policy keeps has a verified encrypted copy in an off-site staging folder",
            help,
        ));
    }
    Ok(pick_at_random(kept))
}

/// Any one of `candidates` (not empty).
fn pick_at_random(mut candidates: Vec<Candidate>) -> Candidate {
    let mut seed = [0u8; 8];
    // Any choice is fine if the system has no randomness to offer.
    let _ = getrandom::fill(&mut seed);
    let index = (u64::from_le_bytes(seed) % candidates.len() as u64) as usize;
    candidates.swap_remove(index)
}

/// `--to DIR` may not be a place rota keeps backups in.
fn check_scratch_parent(dir: &Path, inventory: &Inventory) -> Result<PathBuf, CliError> {
    let absolute = std::path::absolute(dir)
        .map_err(|error| CliError::io(format!("cannot use {}", dir.display()), &error))?;
    let inside_source = absolute.starts_with(&inventory.source.path);
    let inside_disk = inventory
        .connected_disks()
        .filter_map(|disk| disk.mount.as_ref())
        .any(|mount| absolute.starts_with(layout::copies_dir(&mount.path)));
    if inside_source || inside_disk {
        return Err(CliError::usage(
            format!("{} is where rota keeps backups", dir.display()),
            "restore into a folder outside the source folder and the disks' rota folders",
        ));
    }
    Ok(absolute)
}

/// Refuses to start when the scratch folder's drive cannot hold the backup.
pub(super) fn check_room(parent: &Path, size: u64) -> Result<(), CliError> {
    let probe = parent.ancestors().find(|p| p.exists()).unwrap_or(parent);
    match fsinfo::space(probe) {
        Some(space) if space.free < size => Err(CliError::failed_with_help(
            format!(
                "{} has {} free; restoring needs {}",
                probe.display(),
                bytes(space.free),
                bytes(size)
            ),
            "restore onto a drive with room: --to DIR",
        )),
        _ => Ok(()),
    }
}

/// Whether a candidate's label names a disk (not an off-site target).
fn session_is_disk(label: &str, inventory: &Inventory) -> bool {
    inventory.disk(label).next().is_some()
}
