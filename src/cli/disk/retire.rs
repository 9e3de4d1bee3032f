//! `rota disk retire POLICY LABEL [--destroy] --yes`: take a disk out of the
//! rotation for reuse or disposal. Every rota copy on it is removed (or, with
//! `--destroy`, overwritten first, as `destruction: destroy` does) by the
//! executor, each deletion in the audit log; then the disk is marked retired
//! on its label and in the catalog, and noted in the media log. A retired
//! disk is never read or written again until it is labelled afresh.
//!
//! Refused, with nothing deleted, while any copy on the disk is the last
//! verified copy of a backup the policy still keeps or needs somewhere (SPEC
//! safety invariant 2): the executor re-checks each deletion the same way.

use std::path::PathBuf;

use chrono::Utc;
use clap::Args;

use crate::cli::session::Session;
use crate::cli::{CliError, Outcome};
use crate::execute::filesystem::Fs;
use crate::execute::{ApplyRun, Silent};
use crate::inventory::media_log::{MediaRecord, RetiredDisk};
use crate::inventory::{DiskView, Inventory, layout, read_label};
use crate::placement::Location;
use crate::plan::{Action, Op, Plan, make_plan};
use crate::words::format::plural;

/// Take a disk out of the rotation: remove rota's copies, with an audit trail
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota disk retire rota.yaml MON --yes\n      removes every rota copy from the connected disk MON (each one in the audit\n      log), then marks it retired: rota never writes to it again\n\n  rota disk retire rota.yaml MON --destroy --yes\n      overwrites each copy before removing it, for a disk that leaves the\n      practice (disposal, return, resale)\n\nRefused, with nothing deleted, while the disk holds the last verified copy of a\nbackup the policy keeps: connect the disks that should hold those backups and run\n`rota apply` first, or wait until they expire. The disk must be connected. To use\nit again later, label it afresh with `rota disk init PATH --label L --force`.\nSee docs/media-log.md."
)]
pub struct RetireArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// The label of the (connected) disk to retire
    pub label: String,
    /// Overwrite each copy before removing it (for disposal)
    #[arg(long)]
    pub destroy: bool,
    /// Needed: retiring deletes every rota copy on the disk
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Record the retirement as of this instant (RFC 3339, 2026-03-31 or 2026-03-31T18:30)
    #[arg(long)]
    pub at: Option<String>,
}

pub fn run(args: &RetireArgs, no_color: bool) -> Result<Outcome, CliError> {
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let policy = session.policy();
    let clock = Utc::now;
    let mut run = ApplyRun::begin(policy, Fs::real(), &clock)
        .map_err(|error| CliError::failed(error.to_string()))?;
    run.recover(&session.scan()?)
        .map_err(|error| CliError::failed(error.to_string()))?;
    let inventory = session.scan()?;
    let disk = connected_disk(&inventory, &args.label)?.clone();
    let plan = make_plan(policy, &inventory, session.at);
    let blocked = last_copies(&plan, &inventory, &disk, args.destroy);
    if !blocked.is_empty() {
        return Err(CliError::failed_with_help(
            format!(
                "disk {} holds the last verified copy of {}: {}; nothing was deleted",
                disk.label,
                plural(
                    blocked.len(),
                    "backup the policy keeps",
                    "backups the policy keeps"
                ),
                blocked.join(", ")
            ),
            "connect the disks that should also hold them and run `rota apply` first (or \
             wait until they expire), then retire the disk",
        ));
    }
    if !args.yes {
        return Err(CliError::usage(
            format!(
                "retiring disk {} {} every rota copy on it ({}) and marks it retired",
                disk.label,
                if args.destroy {
                    "overwrites and removes"
                } else {
                    "removes"
                },
                plural(disk.copies.len(), "copy", "copies")
            ),
            "run again with --yes to go ahead",
        ));
    }
    let retirement = retirement_plan(plan, &disk, args.destroy);
    let report = run.execute(&retirement, &inventory, session.now, &mut Silent);
    let after = session.scan()?;
    run.finish(&after, session.now, &report)?;
    if report.failed() > 0 {
        for (action, outcome) in &report.outcomes {
            if let crate::execute::Outcome::Failed(failure) = outcome {
                eprintln!("  {} on {}: {failure}", action.backup, disk.label);
            }
        }
        return Err(CliError::failed_with_help(
            format!(
                "{} of {} copies on disk {} could not be removed; the disk is not retired",
                report.failed(),
                report.outcomes.len(),
                disk.label
            ),
            "each is listed above with its reason; fix it and run `rota disk retire` again",
        ));
    }
    drop(run);
    mark_retired(
        &session,
        &inventory,
        &disk,
        report.outcomes.len(),
        args.destroy,
    )?;
    println!(
        "Disk {} (id {}) is retired: {} {}, each recorded in {}. rota will not write to it again.",
        disk.label,
        crate::inventory::label::short_id(&disk.id),
        plural(report.outcomes.len(), "copy", "copies"),
        if args.destroy {
            "overwritten and removed"
        } else {
            "removed"
        },
        crate::execute::audit::path(&policy.state_dir).display()
    );
    Ok(Outcome::Success)
}

/// The one connected disk labelled `label`.
fn connected_disk<'a>(inventory: &'a Inventory, label: &str) -> Result<&'a DiskView, CliError> {
    let connected: Vec<&DiskView> = inventory
        .disk(label)
        .filter(|disk| disk.is_connected())
        .collect();
    match connected.as_slice() {
        [disk] => Ok(disk),
        [] => Err(CliError::failed_with_help(
            format!("disk {label} is not connected"),
            "connect it: rota must see the disk to empty it (`rota disk list` shows every disk)",
        )),
        _ => Err(CliError::failed_with_help(
            format!("two connected disks are labelled {label}"),
            "disconnect the one to keep, then retire the other",
        )),
    }
}

/// Backups on `disk` that the policy still needs and that no other disk or
/// off-site copy holds verified (nor, unless destroying, the server's own
/// source folder: the original itself).
fn last_copies(plan: &Plan, inventory: &Inventory, disk: &DiskView, destroy: bool) -> Vec<String> {
    disk.copies
        .values()
        .filter(|copy| {
            let needed = plan
                .backups
                .iter()
                .find(|b| b.name == copy.name)
                .is_none_or(|b| !b.reasons.is_empty() || !b.required_at.is_empty());
            let elsewhere = inventory
                .disks
                .iter()
                .filter(|other| other.id != disk.id)
                .any(|other| {
                    other
                        .verified_copy(&copy.name)
                        .is_some_and(|c| c.hash == copy.hash)
                })
                || inventory.offsite.iter().any(|target| {
                    let held =
                        |copies: &std::collections::BTreeMap<_, crate::inventory::CopyRecord>| {
                            copies
                                .get(&copy.name)
                                .is_some_and(|c| c.is_verified() && c.hash == copy.hash)
                        };
                    match &target.remote {
                        Some(remote) => held(remote),
                        None => held(&target.staged),
                    }
                });
            let on_server =
                !destroy && inventory.source.backups.iter().any(|b| b.name == copy.name);
            needed && !elsewhere && !on_server
        })
        .map(|copy| copy.name.clone())
        .collect()
}

/// The plan's view of the backups, with one deletion per copy on the disk.
fn retirement_plan(mut plan: Plan, disk: &DiskView, destroy: bool) -> Plan {
    let location = Location::Disk(disk.label.clone());
    plan.actions = disk
        .copies
        .values()
        .enumerate()
        .map(|(i, copy)| Action {
            id: i + 1,
            op: if destroy { Op::Destroy } else { Op::Remove },
            backup: copy.name.clone(),
            kind: copy.kind,
            from: None,
            to: None,
            location: Some(location.clone()),
            bytes: copy.size,
            reason: format!(
                "disk {} retired (rota disk retire){}",
                disk.label,
                if destroy {
                    ", overwritten for disposal"
                } else {
                    ""
                }
            ),
            after: Vec::new(),
            // Never shown as a plan and never guarded: retiring is refused
            // while the disk holds the last copy of anything kept.
            last_copy: false,
        })
        .collect();
    plan.pending.clear();
    plan
}

/// Marks the emptied disk retired on its label and in the catalog, and notes
/// it in the media log.
fn mark_retired(
    session: &Session,
    inventory: &Inventory,
    disk: &DiskView,
    removed: usize,
    destroyed: bool,
) -> Result<(), CliError> {
    let policy = session.policy();
    let mount = &disk.mount.as_ref().expect("a connected disk").path;
    let mut label = read_label(mount)?.ok_or_else(|| {
        CliError::failed(format!("the label file of disk {} is gone", disk.label))
    })?;
    label.retired_at = Some(session.now);
    label.save(mount)?;
    if destroyed {
        // Its rota data goes too: the (now empty) manifest and copies folder.
        let copies = layout::copies_dir(mount);
        let _ = std::fs::remove_file(layout::manifest_file(&copies));
        let _ = std::fs::remove_dir(&copies);
    }
    let mut catalog = session.catalog()?;
    catalog.retire(&disk.id, session.now);
    catalog.save(&policy.state_dir)?;
    // Every disk the run saw, not only the retired one: a disk missing
    // from the record would read as having left the server.
    let mut record = MediaRecord::of_scan("disk retire", inventory, session.now, Utc::now());
    record.actions = Some(removed);
    record.failed = Some(0);
    record.retired = Some(RetiredDisk {
        label: disk.label.clone(),
        id: disk.id.clone(),
        removed,
        destroyed,
    });
    crate::cli::media_note::note(&policy.state_dir, &record);
    Ok(())
}
