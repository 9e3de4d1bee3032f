//! The restore procedures of the disaster recovery plan, step by step with
//! this office's exact commands, for a person under stress: from the server
//! (with the policy), from a disk alone on a new Mac, and from off-site.
//! Each command is complete as printed: the policy's path, the disks'
//! labels, the off-site remotes, `--identity` where copies are encrypted.
//! Pure: a function of the policy.

use super::document::Step;
use super::words::{key_place, quoted};
use crate::policy::{Carry, Policy};
use crate::render::policy_summary::backups_of;

/// Where restored backups go in every command (a new folder in the home folder).
const RESTORE_TO: &str = "~/Restored";
/// The key file in the commands: where docs/restore.md suggests keeping it.
const KEY_FILE: &str = "/Volumes/KEY/key.txt";

/// Whether any copy rota makes is age-encrypted (a key file is needed).
fn age_encrypted(policy: &Policy) -> bool {
    policy.disks.media.encrypt.is_some() || policy.offsite.iter().any(|t| t.encrypt.is_some())
}

fn identity() -> String {
    format!(" --identity {KEY_FILE}")
}

/// The label printed in the disk commands: the first rotation disk's.
fn example_label(policy: &Policy) -> &str {
    policy
        .disks
        .rotation
        .first()
        .map(|disk| disk.label.as_str())
        .unwrap_or("MON")
}

/// A. The server still runs: restore with the policy.
pub fn from_server(policy: &Policy, policy_arg: &str) -> Vec<Step> {
    let key = if age_encrypted(policy) {
        identity()
    } else {
        String::new()
    };
    let mut steps = vec![
        Step::new("On the server, open Terminal and list every backup and where its copies are:")
            .command(format!("rota restore {policy_arg} --list")),
        Step::new(
            "Restore the newest backup into a new folder (or one day's: --date 2026-03-31 instead of \
             --latest). rota takes the best copy it can read (the server's own, then the connected \
             disks, then the off-site staging folders), checks it against the checksum recorded when \
             it was copied, and logs the restore in the audit log:",
        )
        .command(format!(
            "rota restore {policy_arg} --latest --to {RESTORE_TO}{key}"
        )),
    ];
    if age_encrypted(policy) {
        steps.push(Step::new(format!(
            "{KEY_FILE} is the office's key file on its USB key ({}); a protected key asks for its passphrase.",
            key_place(policy)
        )));
    }
    let storage = policy
        .disks
        .storage
        .as_deref()
        .unwrap_or("where the disks are kept");
    steps.push(Step::new(format!(
        "If rota answers \"connect disk WED\" (or another label), fetch that disk from the {storage} \
         or from off-site, connect it, and run the same command again."
    )));
    steps.push(practice_software_step(policy));
    steps
}

/// B. The server is gone: one disk and a new Mac.
pub fn from_disk(policy: &Policy) -> Vec<Step> {
    let label = example_label(policy);
    let labels: Vec<&str> = policy.disks.labels();
    let disk = format!("/Volumes/{label}");
    let other = labels
        .iter()
        .find(|other| **other != label)
        .map(|other| format!("/Volumes/{other}"));
    let key = if policy.disks.media.encrypt.is_some() {
        identity()
    } else {
        String::new()
    };
    let mut steps = vec![
        Step::new(newest_disk_words(policy)),
        Step::new(format!(
            "Install rota {} or later on the Mac (one program file, copied to /usr/local/bin; the IT \
             support contact has it). Open Terminal (Applications > Utilities) and check that it runs:",
            env!("CARGO_PKG_VERSION")
        ))
        .command("rota --version"),
        Step::new(connect_words(policy, label, &labels)),
        Step::new("See what the disk holds: each backup, its date, its size and when rota last checked it:")
            .command(format!("rota restore --disk {disk} --list")),
        Step::new(
            "Restore the newest backup into a new folder (or one day's: --date 2026-03-31). rota checks \
             it against the checksum the disk recorded, and gives it its name only when it matches:",
        )
        .command(format!("rota restore --disk {disk} --latest --to {RESTORE_TO}{key}")),
    ];
    if !key.is_empty() {
        steps.push(Step::new(format!(
            "The copies on the disks are encrypted: {KEY_FILE} is the office's key file ({}).",
            key_place(policy)
        )));
    }
    if let Some(other) = other {
        steps.push(
            Step::new(
                "If rota says the copy is damaged, give it a second disk as well: it tries them in turn:",
            )
            .command(format!(
                "rota restore --disk {disk} --disk {other} --latest --to {RESTORE_TO}{key}"
            )),
        );
    }
    steps.push(practice_software_step(policy));
    steps.push(Step::new(
        "Write down who restored which backup, when and why: it is an access to patient data. Put \
         the disk back; do not reuse any disk until the new server runs rota apply (docs/restore.md: \
         a new server).",
    ));
    steps
}

/// C. The building is lost: the copies away from it.
pub fn from_offsite(policy: &Policy) -> Vec<Step> {
    let mut steps = Vec::new();
    if let Some(offsite) = &policy.disks.offsite {
        let which = match &offsite.carry {
            Carry::Previous => String::from("last night's disk leaves the building each morning"),
            Carry::Days(days) => format!("the disk with {} leaves the building", backups_of(days)),
        };
        let by = offsite
            .by
            .as_deref()
            .map(|by| format!(", carried by {by}"))
            .unwrap_or_default();
        steps.push(Step::new(format!(
            "A rotation disk is off-site ({which}{by}): bring it to the new Mac and follow B."
        )));
    }
    for target in &policy.offsite {
        let key = if target.encrypt.is_some() {
            identity()
        } else {
            String::new()
        };
        let folder = format!("~/Offsite-{}", target.name.replace(' ', "-"));
        match &target.upload {
            Some(upload) => {
                let config = match &upload.config {
                    Some(config) => format!(
                        " rclone's settings for it are in {} on the server: keep a copy with the keys",
                        config.display()
                    ),
                    None => String::from(
                        " rclone needs the settings of that remote (rclone config): keep a copy with the keys",
                    ),
                };
                steps.push(
                    Step::new(format!(
                        "Off-site target {}: install rclone on the Mac and download its copies.{config}.",
                        target.name
                    ))
                    .command(format!(
                        "rclone copy {} {}",
                        quoted(&upload.remote),
                        quoted(&folder)
                    )),
                );
            }
            None => steps.push(Step::new(format!(
                "Off-site target {}: its copies are in {} (if that place survived); copy the folder to the Mac as {folder}.",
                target.name,
                target.path.display()
            ))),
        }
        steps.push(
            Step::new("List and restore those copies like a disk:")
                .command(format!("rota restore --disk {} --list", quoted(&folder)))
                .command(format!(
                    "rota restore --disk {} --latest --to {RESTORE_TO}{key}",
                    quoted(&folder)
                )),
        );
        if !key.is_empty() {
            steps.push(Step::new(format!(
                "Those copies are encrypted: {KEY_FILE} is the office's key file ({}).",
                key_place(policy)
            )));
        }
    }
    if !policy.offsite.is_empty() {
        steps.push(practice_software_step(policy));
    }
    steps
}

/// Which disk to fetch first.
fn newest_disk_words(policy: &Policy) -> String {
    let mut words = String::from(
        "Take the newest disk you can get. The disk that was connected to the server holds last \
         night's backup, if it survived",
    );
    match &policy.disks.offsite {
        Some(offsite) if offsite.carry == Carry::Previous => {
            let by = offsite.by.as_deref().unwrap_or("staff");
            words.push_str(&format!(
                "; else the disk that left this morning ({by}) holds the night before's"
            ));
        }
        _ => {}
    }
    if let Some(storage) = &policy.disks.storage {
        words.push_str(&format!(
            "; the others are in {}",
            crate::words::format::place(storage)
        ));
    }
    words.push_str(". The weekly swap sheet says which disk took which night.");
    words
}

fn connect_words(policy: &Policy, label: &str, labels: &[&str]) -> String {
    let mut words = format!(
        "Connect the disk. Finder shows it by its name; in Terminal it is /Volumes/{label} \
         ({label} stands for the label on the disk you hold: {}).",
        labels.join(", ")
    );
    if policy.disks.media.require_encrypted_volume {
        words.push_str(&format!(
            " The disk is encrypted: macOS asks for its password ({}).",
            key_place(policy)
        ));
    }
    words
}

fn practice_software_step(policy: &Policy) -> Step {
    let password = if policy.source.encrypted == Some(true) {
        format!(" It asks for the backup password ({}).", key_place(policy))
    } else {
        String::new()
    };
    Step::new(format!(
        "Open the restored backup in {RESTORE_TO} with the practice software's own \"restore from \
         backup\" step, as its vendor describes.{password}"
    ))
}
