//! The folders `disks.mount_search` finds that are not rota disks, sorted
//! out before anyone is warned about them. On a Mac `/Volumes` holds more
//! than the rotation disks: the Time Machine disk, mounted disk images,
//! network shares, macOS's own `com.apple.*` mounts. None of them is a disk
//! rota should ask anyone to label, so they are **skipped** (listed by
//! `rota disk list`, never a nightly warning). A folder rota may not read
//! (macOS privacy controls deny a launchd job without Full Disk Access; on
//! any system, a folder the job's user lacks permission for) is
//! **unreadable**: warned `disk-unreadable`, never taken for an unlabelled
//! disk, since it may well be tonight's disk.
//!
//! The verdicts are plain functions of facts ([`Facts`]: the folder's
//! name, the names at its root or why they could not be listed, whether it
//! is mounted read-only, its network file system), tested with facts
//! recorded on Macs; [`look_at`] gathers the facts. This module only reads.

use std::io;
use std::path::{Path, PathBuf};

use super::label::{DiskLabel, LabelError, read_label};
use super::{fsinfo, glob};

/// A mounted volume under `mount_search` with no usable rota label file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnlabelledVolume {
    pub path: PathBuf,
    /// Set when a label file is there but cannot be used (damaged, unreadable,
    /// from a newer rota): the volume is not trusted as any disk.
    pub label_error: Option<String>,
}

/// What the scan found under `mount_search` besides disks and unlabelled
/// volumes, and which of the folders share the source folder's drive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeSurvey {
    /// Volumes that are not rota's and need no label (no warning).
    pub skipped: Vec<SkippedVolume>,
    /// Folders rota may not read (`disk-unreadable`).
    pub unreadable: Vec<UnreadableVolume>,
    /// Folders under `mount_search` (labelled disks or not) on the same file
    /// system as `source.path` (`disk-on-server-drive`, unless
    /// `disks.allow_server_drive`).
    pub on_server_drive: Vec<ServerDriveFolder>,
}

impl VolumeSurvey {
    pub fn is_on_server_drive(&self, path: &Path) -> bool {
        self.server_drive_folder(path).is_some()
    }

    pub fn server_drive_folder(&self, path: &Path) -> Option<&ServerDriveFolder> {
        self.on_server_drive
            .iter()
            .find(|folder| folder.path == path)
    }
}

/// A folder under `mount_search` on the source folder's own file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerDriveFolder {
    pub path: PathBuf,
    /// How many entries it holds (Finder's `.DS_Store` aside); `None`:
    /// it cannot be listed. An empty one is most likely the folder macOS
    /// left behind after a disk was unplugged without Eject.
    pub entries: Option<usize>,
}

impl ServerDriveFolder {
    /// The folder as it is now.
    pub fn look_at(path: &Path) -> ServerDriveFolder {
        let entries = std::fs::read_dir(path).ok().map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_name() != ".DS_Store")
                .count()
        });
        ServerDriveFolder {
            path: path.to_path_buf(),
            entries,
        }
    }
}

/// A volume left alone without a warning, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedVolume {
    pub path: PathBuf,
    pub why: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A Time Machine backup disk (`Backups.backupdb`, a
    /// `.com.apple.timemachine.*` marker or dated `.backup` snapshots).
    TimeMachine,
    /// `com.apple.*`: a mount macOS makes for itself (local snapshots, …).
    AppleSystem,
    /// Mounted read-only (a disk image, a locked card, NTFS without a
    /// driver): rota could never write to it.
    ReadOnly,
    /// A network share (its file system type): a rota disk is labelled.
    NetworkShare(String),
}

impl SkipReason {
    /// Why, in a few words ("a Time Machine backup disk").
    pub fn words(&self) -> String {
        match self {
            SkipReason::TimeMachine => String::from("a Time Machine backup disk"),
            SkipReason::AppleSystem => String::from("a volume macOS mounts for itself"),
            SkipReason::ReadOnly => String::from(
                "mounted read-only (a disk image, a locked card, or a disk this computer cannot \
                 write, such as NTFS on a Mac)",
            ),
            SkipReason::NetworkShare(fs) => format!("a network share ({fs})"),
        }
    }
}

/// A folder under `mount_search` rota may not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableVolume {
    pub path: PathBuf,
    /// What the system said ("Operation not permitted (os error 1)").
    pub error: String,
}

/// The facts about an unlabelled folder that decide what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The folder's own name (`Time Machine`, `com.apple.TimeMachine.localsnapshots`).
    pub name: String,
    /// The names at its root, or the error listing it gave.
    pub root: Result<Vec<String>, Denied>,
    pub read_only: bool,
    /// Its file system type when that is a network file system.
    pub network_fs: Option<String>,
}

/// Why a listing failed: permission (EPERM, EACCES) or anything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    Permission(String),
    Other(String),
}

impl Denied {
    pub fn from_io(error: &io::Error) -> Denied {
        if is_permission(error) {
            Denied::Permission(error.to_string())
        } else {
            Denied::Other(error.to_string())
        }
    }
}

/// EPERM ("Operation not permitted": macOS privacy controls) or EACCES
/// ("Permission denied": the folder's mode): std maps both to one kind.
pub fn is_permission(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::PermissionDenied
}

/// What one folder under `mount_search` is.
#[derive(Debug)]
pub enum Folder {
    /// A folder carrying a rota label.
    Disk(DiskLabel),
    Unlabelled(UnlabelledVolume),
    Skipped(SkipReason),
    Unreadable(String),
}

/// What an unlabelled folder is, from its facts: unreadable first (a folder
/// rota cannot look into may be tonight's disk), then the volumes that are
/// not rota's, else an unlabelled volume (`None`).
pub fn judge_unlabelled(facts: &Facts) -> Option<Folder> {
    if let Err(Denied::Permission(error)) = &facts.root {
        return Some(Folder::Unreadable(error.clone()));
    }
    if let Ok(names) = &facts.root
        && is_time_machine(names)
    {
        return Some(Folder::Skipped(SkipReason::TimeMachine));
    }
    if facts.read_only {
        return Some(Folder::Skipped(SkipReason::ReadOnly));
    }
    if let Some(fs) = &facts.network_fs {
        return Some(Folder::Skipped(SkipReason::NetworkShare(fs.clone())));
    }
    None
}

/// `com.apple.*`: macOS's own mounts, skipped by name before anything is read.
pub fn skipped_by_name(name: &str) -> Option<SkipReason> {
    name.starts_with("com.apple.")
        .then_some(SkipReason::AppleSystem)
}

/// Whether the names at a volume's root mark a Time Machine destination:
/// `Backups.backupdb` (HFS+), a `.com.apple.timemachine.*` marker, or
/// dated snapshot folders (`2026-03-30-101530.backup`, `.previous`,
/// `.inprogress`) with their `backup_manifest.plist` (APFS).
pub fn is_time_machine(names: &[String]) -> bool {
    names.iter().any(|name| {
        name == "Backups.backupdb"
            || name == "backup_manifest.plist"
            || name.starts_with(".com.apple.timemachine.")
            || is_dated_snapshot(name)
    })
}

/// `2026-03-30-101530.backup` and the like.
fn is_dated_snapshot(name: &str) -> bool {
    let Some((stamp, kind)) = name.split_once('.') else {
        return false;
    };
    matches!(kind, "backup" | "previous" | "inprogress")
        && chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d-%H%M%S").is_ok()
}

/// What the folder at `path` is: a label read, then (without one) the facts.
pub fn look_at(path: &Path) -> Folder {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(why) = skipped_by_name(&name) {
        return Folder::Skipped(why);
    }
    let label_error = match read_label(path) {
        Ok(Some(label)) => return Folder::Disk(label),
        Ok(None) => None,
        Err(error) => match denied_label(&error) {
            Some(denied) => return Folder::Unreadable(denied),
            None => Some(error.to_string()),
        },
    };
    let facts = Facts {
        name,
        root: list_root(path),
        read_only: read_only(path),
        network_fs: fsinfo::network_fs(path),
    };
    // A damaged label is reported as such, whatever else the folder is.
    match judge_unlabelled(&facts) {
        Some(folder) if label_error.is_none() => folder,
        Some(Folder::Unreadable(error)) => Folder::Unreadable(error),
        _ => Folder::Unlabelled(UnlabelledVolume {
            path: path.to_path_buf(),
            label_error,
        }),
    }
}

/// The error when a label file is there (or might be) but rota may not read it.
fn denied_label(error: &LabelError) -> Option<String> {
    match error {
        LabelError::Unreadable { source, .. } if is_permission(source) => Some(source.to_string()),
        _ => None,
    }
}

fn list_root(path: &Path) -> Result<Vec<String>, Denied> {
    let entries = std::fs::read_dir(path).map_err(|error| Denied::from_io(&error))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| Denied::from_io(&error))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    Ok(names)
}

/// Whether the file system at `path` is mounted read-only (statvfs).
#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // the flag types differ between systems
fn read_only(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a zeroed statvfs is valid plain C data to be written over.
    let mut info: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c_path` is NUL-terminated and `info` a writable statvfs.
    let status = unsafe { libc::statvfs(c_path.as_ptr(), &mut info) };
    let flags = info.f_flag as u64;
    status == 0 && flags & (libc::ST_RDONLY as u64) != 0
}

#[cfg(not(unix))]
fn read_only(_path: &Path) -> bool {
    false
}

/// The folders a `mount_search` glob must list to find disks (the parent of
/// each wildcard component: `/Volumes` for `/Volumes/*`) that rota may not
/// list: every disk below one is invisible, so each is `disk-unreadable`.
pub fn unlistable_parents(mount_search: &[String]) -> Vec<UnreadableVolume> {
    let mut found = Vec::new();
    for pattern in mount_search {
        for parent in wildcard_parents(pattern) {
            for folder in glob::expand(&parent) {
                if let Err(error) = std::fs::read_dir(&folder)
                    && is_permission(&error)
                    && !found.iter().any(|f: &UnreadableVolume| f.path == folder)
                {
                    found.push(UnreadableVolume {
                        path: folder,
                        error: error.to_string(),
                    });
                }
            }
        }
    }
    found
}

/// What one folder under `mount_search` is, as a probe reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probed {
    /// A rota disk with this label.
    Disk(String),
    /// No rota label (or a damaged one: the reason).
    Unlabelled(Option<String>),
    Skipped(SkipReason),
    /// Rota may not read it (what the system said).
    Unreadable(String),
}

impl Probed {
    /// One word for the kind, as the probe's lines carry it.
    pub fn kind(&self) -> &'static str {
        match self {
            Probed::Disk(_) => "disk",
            Probed::Unlabelled(_) => "unlabelled",
            Probed::Skipped(_) => "skipped",
            Probed::Unreadable(_) => "unreadable",
        }
    }

    /// What a person reads about it.
    pub fn words(&self) -> String {
        match self {
            Probed::Disk(label) => format!("rota disk {label}"),
            Probed::Unlabelled(None) => String::from("no rota label"),
            Probed::Unlabelled(Some(error)) => error.clone(),
            Probed::Skipped(why) => format!("left alone: {}", why.words()),
            Probed::Unreadable(error) => format!("CANNOT READ: {error}"),
        }
    }
}

/// Every folder under `mount_search` (and every folder the globs could not
/// list), as the user running this sees them: what `rota schedule status`
/// shows for the job's user. Reads labels and listings only.
pub fn probe(policy: &crate::policy::Policy) -> Vec<(PathBuf, Probed)> {
    let mut found: Vec<(PathBuf, Probed)> = unlistable_parents(&policy.disks.mount_search)
        .into_iter()
        .map(|folder| (folder.path, Probed::Unreadable(folder.error)))
        .collect();
    for mount in super::mount_search::mount_candidates(policy) {
        let probed = match look_at(&mount) {
            Folder::Disk(label) => Probed::Disk(label.label),
            Folder::Unlabelled(volume) => Probed::Unlabelled(volume.label_error),
            Folder::Skipped(why) => Probed::Skipped(why),
            Folder::Unreadable(error) => Probed::Unreadable(error),
        };
        found.push((mount, probed));
    }
    found
}

/// Each prefix of `pattern` that ends just before a wildcard component
/// (`/media/*/*` → `/media`, `/media/*`).
fn wildcard_parents(pattern: &str) -> Vec<String> {
    let path = Path::new(pattern);
    let mut prefix = PathBuf::new();
    let mut parents = Vec::new();
    for component in path.components() {
        let text = component.as_os_str().to_string_lossy();
        if text.contains(['*', '?']) && !prefix.as_os_str().is_empty() {
            parents.push(prefix.to_string_lossy().into_owned());
        }
        prefix.push(component.as_os_str());
    }
    parents
}

#[cfg(test)]
mod tests;
