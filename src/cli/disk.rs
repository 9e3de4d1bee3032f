//! `rota disk init PATH --label L` (label a disk) and `rota disk list POLICY`
//! (show connected and known disks). Labelling writes only the label file and
//! the empty copies folder; it never deletes or moves anything on the disk.

mod list;
mod retire;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};

pub use crate::words::format::shell_quote;

use super::{CliError, Outcome};
use crate::inventory::label::{self, DiskLabel, LabelError, check_label};
use crate::inventory::{Manifest, fsinfo, layout, read_label};
use crate::policy::{self, Policy};

/// Label backup disks and see what rota knows about them
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota disk init /Volumes/MON --label MON\n      label a new disk once; write the printed id on its sticker\n\n  rota disk list rota.yaml\n      every disk: connected or not, when last seen, copies, free space"
)]
pub struct DiskArgs {
    #[command(subcommand)]
    pub command: DiskCommand,
}

#[derive(Debug, Subcommand)]
pub enum DiskCommand {
    Init(InitArgs),
    List(list::ListArgs),
    Retire(retire::RetireArgs),
}

/// Label a disk so rota recognises it wherever it is mounted
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota disk init /Volumes/MON --label MON\n      writes /Volumes/MON/.rota-disk.json (label and a unique id) and an empty\n      rota/ folder for the copies; prints what to write on the disk's sticker\n\n  rota disk init /Volumes/MON --label MON --policy rota.yaml\n      also checks the label against the policy and that the folder is not\n      the backup folder itself\n\n  rota disk init /Volumes/OLD --label FRI --force\n      relabel a disk that already has a label (it keeps its id, so rota's\n      catalog follows the disk to its new label)\n\n  rota disk init /Volumes/MON-COPY --label THU --force --new-id\n      a disk cloned from another carries the same id: give it one of its own\n\nA disk is known by its label file, never by where it is mounted: two disks\nboth labelled MON are told apart by their ids, and rota reports it."
)]
pub struct InitArgs {
    /// The disk's folder, where it is mounted (e.g. /Volumes/MON)
    pub path: PathBuf,
    /// The label to give the disk, as the policy's rotation or archive names it
    #[arg(long)]
    pub label: String,
    /// Check the label and the folder against this policy
    #[arg(long, value_name = "POLICY")]
    pub policy: Option<PathBuf>,
    /// Replace an existing label (the disk keeps its id)
    #[arg(long)]
    pub force: bool,
    /// With --force: give the disk a new id, for a disk cloned from another
    /// (both carry the same id). Its copies count again once rota re-reads them
    #[arg(long, requires = "force")]
    pub new_id: bool,
}

pub fn run(args: &DiskArgs, no_color: bool) -> Result<Outcome, CliError> {
    match &args.command {
        DiskCommand::Init(init) => run_init(init, Utc::now()),
        DiskCommand::List(list) => list::run(list, Utc::now()),
        DiskCommand::Retire(retire) => retire::run(retire, no_color),
    }
}

fn run_init(args: &InitArgs, now: DateTime<Utc>) -> Result<Outcome, CliError> {
    check_label(&args.label).map_err(|reason| {
        CliError::usage(
            format!("`{}` cannot be a disk label: {reason}", args.label),
            "use a short name such as MON or ARCHIVE-A, as written in the policy",
        )
    })?;
    check_folder(&args.path)?;
    let loaded = match &args.policy {
        Some(file) => Some(policy::load(file)?.policy),
        None => None,
    };
    if let Some(policy) = &loaded {
        check_against_policy(&args.path, &args.label, policy)?;
    }
    let previous = existing_label(&args.path, args.force)?;
    if let Some(kind) = fsinfo::network_fs(&args.path) {
        eprintln!(
            "warning: {} is on a network file system ({kind}); the backup guide advises a disk \
             plugged into the server",
            args.path.display()
        );
    }
    // A relabelled disk keeps its id: the id names the physical disk, and the
    // catalog (keyed by id) then follows it to its new label instead of keeping
    // a phantom disk under the old label that still seems to hold its copies.
    // A retired disk labelled again is a new medium in the rotation: a fresh
    // id, so the catalog's record of the retired one stays as it was.
    // A clone (`--new-id`) must stop sharing its original's id: a fresh one,
    // and the catalog has no record of its copies until rota re-reads them.
    let keeps_id = |p: &&DiskLabel| p.retired_at.is_none() && !args.new_id;
    let written = match previous.as_ref().filter(keeps_id) {
        Some(previous) => {
            let relabelled = label::DiskLabel {
                label: args.label.clone(),
                labelled_at: now,
                ..previous.clone()
            };
            relabelled.save(&args.path).map(|()| relabelled)
        }
        None => label::write_label(&args.path, &args.label, now),
    }?;
    let copies = layout::copies_dir(&args.path);
    if !copies.is_dir() {
        std::fs::create_dir(&copies)
            .map_err(|e| CliError::io(format!("cannot create {}", copies.display()), &e))?;
    }
    if let Some(previous) = &previous {
        restamp_manifest(&copies, previous, &written)?;
    }
    write_empty_manifest(&copies, &written)?;
    let timezone = loaded
        .as_ref()
        .map(|policy| policy.office.calendar.timezone);
    print!(
        "{}",
        sticker_text(
            &args.path,
            &written,
            previous.as_ref(),
            timezone,
            args.policy.as_deref()
        )
    );
    Ok(Outcome::Success)
}

/// PATH must be an existing, real folder (never written through a symlink).
fn check_folder(path: &Path) -> Result<(), CliError> {
    let metadata = std::fs::symlink_metadata(path)
        .map_err(|e| CliError::io(format!("cannot label {}", path.display()), &e))?;
    if metadata.file_type().is_symlink() {
        return Err(CliError::failed_with_help(
            format!("{} is a symbolic link", path.display()),
            "give the disk's own folder (where it is mounted), not a link to it",
        ));
    }
    if !metadata.is_dir() {
        return Err(CliError::failed_with_help(
            format!("{} is not a folder", path.display()),
            "give the folder where the disk is mounted, e.g. /Volumes/MON",
        ));
    }
    Ok(())
}

/// Refuses the source folder (or a folder inside it) and rota's state folder;
/// warns about a label the policy does not use or a folder it will not search.
fn check_against_policy(path: &Path, label: &str, policy: &Policy) -> Result<(), CliError> {
    let real = canonical(path);
    let source = canonical(&policy.source.path);
    if real.starts_with(&source) {
        return Err(CliError::failed_with_help(
            format!(
                "{} is inside the backup folder {}",
                path.display(),
                policy.source.path.display()
            ),
            "label the external disk itself (e.g. /Volumes/MON), never a folder of the server's backups",
        ));
    }
    if real.starts_with(canonical(&policy.state_dir)) {
        return Err(CliError::failed_with_help(
            format!("{} is inside rota's state folder", path.display()),
            "label the external disk itself (e.g. /Volumes/MON)",
        ));
    }
    let labels = policy.disks.labels();
    if !labels.contains(&label) {
        let hint = policy::closest(label, labels.iter().copied())
            .map(|near| format!(" (did you mean {near}?)"))
            .unwrap_or_default();
        eprintln!(
            "warning: the policy has no disk labelled {label}{hint}; its disks are: {}",
            labels.join(", ")
        );
    }
    let searched = crate::inventory::mount_candidates(policy)
        .iter()
        .any(|candidate| canonical(candidate) == real);
    if !searched {
        eprintln!(
            "warning: rota looks for disks in {}; {} is not there, so `rota plan` will not find it",
            policy.disks.mount_search.join(", "),
            path.display()
        );
    }
    Ok(())
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The disk's current label, refused unless `--force`. A label file rota
/// cannot read is refused too: it may be a disk from a newer rota.
fn existing_label(path: &Path, force: bool) -> Result<Option<DiskLabel>, CliError> {
    match read_label(path) {
        Ok(None) => Ok(None),
        Ok(Some(existing)) if force => Ok(Some(existing)),
        Ok(Some(existing)) => Err(CliError::failed_with_help(
            format!(
                "{} is already labelled {} (id {}, labelled {})",
                path.display(),
                existing.label,
                existing.short_id(),
                existing.labelled_at.format("%Y-%m-%d")
            ),
            format!(
                "nothing was changed; to relabel this disk, run again with --force: \
                 `rota disk init {} --label NEW --force` (the disk keeps its id)",
                shell_quote(path)
            ),
        )),
        Err(_) if force => Ok(None),
        Err(error) => Err(CliError::failed_with_help(
            error.to_string(),
            match error {
                LabelError::NewerFormat { .. } => {
                    "nothing was changed; use the newer rota, or pass --force to relabel the disk"
                }
                _ => "nothing was changed; pass --force to replace the label file",
            },
        )),
    }
}

/// A new disk's manifest: no copies yet. A disk read alone (`rota restore
/// --disk`) is then an empty disk, not one whose manifest went missing. A
/// manifest already there (a relabelled disk) is left as it is.
fn write_empty_manifest(copies: &Path, label: &DiskLabel) -> Result<(), CliError> {
    match Manifest::load(copies) {
        Ok(None) => Manifest::new(&label.id, &label.label)
            .save(copies)
            .map_err(CliError::from),
        _ => Ok(()),
    }
}

/// After relabelling, the copies on the disk are still there: the manifest
/// that vouched for them under the old id now vouches under the new one.
fn restamp_manifest(copies: &Path, previous: &DiskLabel, new: &DiskLabel) -> Result<(), CliError> {
    match Manifest::load(copies) {
        Ok(Some(mut manifest)) if manifest.disk_id == previous.id => {
            manifest.disk_id = new.id.clone();
            manifest.label = new.label.clone();
            manifest.save(copies).map_err(CliError::from)
        }
        // No manifest, or one rota cannot trust: leave it for `disk list` to report.
        _ => Ok(()),
    }
}

fn sticker_text(
    path: &Path,
    written: &DiskLabel,
    previous: Option<&DiskLabel>,
    timezone: Option<chrono_tz::Tz>,
    policy: Option<&Path>,
) -> String {
    let date = match timezone {
        Some(zone) => written.labelled_at.with_timezone(&zone).date_naive(),
        None => written
            .labelled_at
            .with_timezone(&chrono::Local)
            .date_naive(),
    };
    let mut out = String::new();
    match previous {
        Some(old) => out.push_str(&format!(
            "Relabelled {} as {} (it was {}, id {}).\n",
            path.display(),
            written.label,
            old.label,
            old.short_id()
        )),
        None => out.push_str(&format!(
            "Labelled {} as {}.\n",
            path.display(),
            written.label
        )),
    }
    out.push_str(&format!(
        "\nWrite this on the disk's sticker:\n\n    {}    id {}    labelled {}\n\n",
        written.label,
        written.short_id(),
        date.format("%Y-%m-%d")
    ));
    let policy = policy.map_or_else(|| String::from("POLICY"), shell_quote);
    out.push_str(&format!(
        "Next: run `rota disk list {policy}` to see it among the office's disks.\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn paths_with_spaces_are_quoted_for_the_shell() {
        assert_eq!(shell_quote(Path::new("/Volumes/MON")), "/Volumes/MON");
        assert_eq!(
            shell_quote(Path::new("/Volumes/My Disk")),
            "\"/Volumes/My Disk\""
        );
        assert_eq!(shell_quote(Path::new("/a\"b")), "\"/a\\\"b\"");
    }

    #[test]
    fn the_sticker_names_label_short_id_and_date() {
        let written = DiskLabel {
            rota_disk: 1,
            label: "MON".into(),
            id: "0123456789abcdef0123456789abcdef".into(),
            labelled_at: Utc.with_ymd_and_hms(2026, 4, 1, 2, 0, 0).unwrap(),
            retired_at: None,
        };
        let text = sticker_text(
            Path::new("/Volumes/MON"),
            &written,
            None,
            Some(chrono_tz::America::New_York),
            Some(Path::new("Lakeside Dental/rota.yaml")),
        );
        // 02:00 UTC is still March 31 in New York.
        assert!(
            text.contains("    MON    id 01234567    labelled 2026-03-31\n"),
            "{text}"
        );
        assert!(
            text.ends_with("Next: run `rota disk list \"Lakeside Dental/rota.yaml\"` to see it among the office's disks.\n"),
            "{text}"
        );
    }

    #[test]
    fn relabelling_keeps_the_copies_vouched_for_under_the_new_id() {
        let disk = tempfile::tempdir().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 4, 1, 2, 0, 0).unwrap();
        let old = label::write_label(disk.path(), "MON", now).unwrap();
        let copies = layout::copies_dir(disk.path());
        std::fs::create_dir(&copies).unwrap();
        Manifest::new(&old.id, "MON").save(&copies).unwrap();
        let new = label::write_label(disk.path(), "TUE", now).unwrap();
        restamp_manifest(&copies, &old, &new).unwrap();
        let manifest = Manifest::load(&copies).unwrap().unwrap();
        assert_eq!(
            (manifest.disk_id, manifest.label),
            (new.id, "TUE".to_string())
        );
    }
}
