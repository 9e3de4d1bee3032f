//! Cleaning up after runs that died (a power cut, `kill -9`): rota's own
//! temporary names, in rota's own places, removed and counted by the next run
//! under the lock. Each kind of name says what it holds (see
//! [`crate::inventory::layout`]), so nothing is deleted unrecorded (safety
//! invariant 15):
//!
//! - `.rota-partial-…`: a copy or capture being written. Its backup is still
//!   at its source: removed.
//! - `.rota-tmp-<pid>-…`: a label, manifest or catalog being rewritten by
//!   process `<pid>`. Removed once that process is gone.
//! - `.rota-deleting-…`: a copy whose deletion was in progress. Its deletion
//!   was written to the audit log before it was renamed: removed (overwritten
//!   first if it was being destroyed) when the audit log has that line; else
//!   left in place and reported, for a person to look at.
//!
//! Places: the source folder, `state_dir`, each connected policy disk's root
//! (its label) and copies folder, and the off-site staging folders.

use std::path::{Path, PathBuf};

use super::audit::{self, AuditRecord};
use super::delete::{overwrite_tree, remove_tree};
use super::run_state::RunState;
use crate::inventory::{Inventory, layout};
use crate::plan::Op;

/// What removing dead runs' leftovers did, for the run's recovery report.
#[derive(Debug, Default)]
pub(super) struct Cleanup {
    /// rota's temporary files and folders that were removed.
    pub removed: Vec<PathBuf>,
    /// What could not be removed, or was left for a person to look at.
    pub problems: Vec<String>,
}

/// Removes what dead runs left in rota's places.
pub(super) fn remove(run: &RunState<'_>, inventory: &Inventory) -> Cleanup {
    let mut cleanup = Cleanup::default();
    let deletions = audit::read(&run.policy.state_dir).unwrap_or_default();
    for folder in rota_places(run, inventory) {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let path = entry.path();
            let dead_writer = layout::is_temp(&name) && writer_is_gone(&name, &path);
            let removed = if layout::is_partial(&name) || dead_writer {
                remove_tree(&run.fs, &path)
            } else if layout::is_deleting(&name) {
                match logged_deletion(&deletions, &folder, &name) {
                    Some(record) if record.op == Op::Destroy => {
                        overwrite_tree(&run.fs, &path).and_then(|()| remove_tree(&run.fs, &path))
                    }
                    Some(_) => remove_tree(&run.fs, &path),
                    None => {
                        cleanup.problems.push(format!(
                            "{} looks like a copy rota was deleting, but the audit log has no \
                             record of that deletion: it is left in place; look at it, and move \
                             it away by hand if it is not needed",
                            path.display()
                        ));
                        continue;
                    }
                }
            } else {
                continue;
            };
            match removed {
                Ok(()) => cleanup.removed.push(path),
                Err(error) => cleanup
                    .problems
                    .push(format!("cannot remove {}: {error}", path.display())),
            }
        }
    }
    cleanup
}

/// The folders where rota may have left temporary names.
fn rota_places(run: &RunState<'_>, inventory: &Inventory) -> Vec<PathBuf> {
    let labels = run.policy.disks.labels();
    let mut folders = vec![run.policy.source.path.clone(), run.policy.state_dir.clone()];
    for mount in inventory
        .connected_disks()
        .filter(|disk| labels.contains(&disk.label.as_str()))
        .filter_map(|disk| disk.mount.as_ref())
    {
        folders.push(mount.path.clone());
        folders.push(layout::copies_dir(&mount.path));
    }
    folders.extend(run.policy.offsite.iter().map(|target| target.path.clone()));
    folders.sort();
    folders.dedup();
    folders
}

/// The audit line of the deletion that renamed a copy in `folder` to `name`.
fn logged_deletion<'a>(
    deletions: &'a [AuditRecord],
    folder: &Path,
    name: &str,
) -> Option<&'a AuditRecord> {
    deletions.iter().find(|record| {
        record.path.parent() == Some(folder)
            && record
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|stored| layout::deleting_name(&record.run, stored) == name)
    })
}

/// Whether the process that wrote a `.rota-tmp-<pid>-` name is gone.
fn writer_is_gone(name: &str, path: &Path) -> bool {
    match layout::temp_writer(name) {
        Some(pid) if pid == std::process::id() => false,
        Some(pid) => !process_alive(pid),
        None => older_than_a_day(path),
    }
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks whether the process exists.
    let status = unsafe { libc::kill(pid, 0) };
    status == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    // No cheap check: a name that old is a dead run's.
    true
}

fn older_than_a_day(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|at| at.elapsed().ok())
        .is_some_and(|age| age.as_secs() > 86_400)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_file_of_a_live_process_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mine = layout::temp_name(&format!("{}-0", std::process::id()), "catalog.json");
        assert!(!writer_is_gone(&mine, &dir.path().join(&mine)));
        // pid 1 is alive on every Unix; a pid far beyond pid_max is not.
        assert!(!writer_is_gone(".rota-tmp-1-0-catalog.json", dir.path()));
        assert!(writer_is_gone(
            ".rota-tmp-2147483646-0-catalog.json",
            dir.path()
        ));
    }
}
