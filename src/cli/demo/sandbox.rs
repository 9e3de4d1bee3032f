//! Building the demo's sandbox office in a folder:
//!
//! ```text
//! rota-demo/
//!   .rota-demo                 marks the folder as a demo (so a rerun may rebuild it)
//!   rota.yaml                  the vendor guide's policy with the paths made local
//!   MacPractice Backups/       a year of small synthetic nightly backups
//!   disks/TUE/                 tonight's disk, "plugged in" (under mount_search)
//!   safe/MON … safe/FRI        the other disks, in the safe (not under mount_search)
//!   .rota/                     rota's state: catalog, journal, lock, audit log
//! ```
//!
//! Everything is reproducible for a given `--at` except the disks' random ids.
//! This module writes only inside the demo folder, and removes only the
//! entries above, and only from a folder that carries the demo's marker.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};

use crate::inventory::{self, Catalog, layout, write_label};
use crate::policy::Policy;

/// The marker file of a demo folder.
pub const MARKER: &str = ".rota-demo";
pub const POLICY_FILE: &str = "rota.yaml";
pub const SOURCE: &str = "MacPractice Backups";
pub const PLUGGED: &str = "disks";
pub const SAFE: &str = "safe";
pub const STATE: &str = ".rota";

const VENDOR_GUIDE: &str = include_str!("../../../policies/vendor-guide.yaml");

/// The entries a demo folder holds (removed when a demo is rebuilt).
const ENTRIES: [&str; 6] = [MARKER, POLICY_FILE, SOURCE, PLUGGED, SAFE, STATE];

/// Why the folder cannot take a demo.
#[derive(Debug)]
pub enum SandboxError {
    NotEmpty(PathBuf),
    Io { path: PathBuf, error: io::Error },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> SandboxError + '_ {
    move |error| SandboxError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Makes `dir` ready for a fresh demo: created if missing, cleared of an
/// earlier demo's entries, refused if it holds anything else.
pub fn prepare_folder(dir: &Path) -> Result<(), SandboxError> {
    if !dir.exists() {
        return fs::create_dir_all(dir).map_err(io_error(dir));
    }
    let names: Vec<String> = fs::read_dir(dir)
        .map_err(io_error(dir))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    if !names.iter().any(|n| n == MARKER) {
        return Err(SandboxError::NotEmpty(dir.to_path_buf()));
    }
    for entry in ENTRIES {
        let path = dir.join(entry);
        let removed = match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => fs::remove_dir_all(&path),
            Ok(_) => fs::remove_file(&path),
            Err(_) => Ok(()),
        };
        removed.map_err(io_error(&path))?;
    }
    Ok(())
}

/// The demo's policy: the vendor guide's, with every path inside the folder.
pub fn policy_text() -> String {
    let header = "# rota demo: the vendor backup guide's scheme (policies/vendor-guide.yaml),\n\
                  # with every path inside this folder. Disks are folders: one under disks/\n\
                  # is plugged in; the others wait in safe/.\n";
    let text = VENDOR_GUIDE
        .replace(
            "path: \"/Users/Shared/MacPractice Backups\"",
            &format!("path: \"{SOURCE}\""),
        )
        .replace(
            "mount_search: [\"/Volumes/*\"]",
            &format!(
                "mount_search: [\"{PLUGGED}/*\"]\n  allow_server_drive: true   # the demo's disks \
                 are folders on this computer's drive"
            ),
        )
        .replace(
            "  reserve: 10%",
            "  reserve: 10MB          # the demo's disks share this computer's drive",
        )
        .replace(
            "state_dir: \"/Users/Shared/rota\"",
            &format!("state_dir: \"{STATE}\""),
        );
    format!("{header}{text}")
}

/// Writes the marker and the policy.
pub fn write_policy(dir: &Path) -> Result<PathBuf, SandboxError> {
    let marker = dir.join(MARKER);
    fs::write(&marker, "rota demo folder: `rota demo` may rebuild it\n")
        .map_err(io_error(&marker))?;
    let path = dir.join(POLICY_FILE);
    fs::write(&path, policy_text()).map_err(io_error(&path))?;
    Ok(path)
}

/// One synthetic backup per open day of the year up to `today`, written at
/// 23:30 office time, no later than `at`. Returns how many, and the first day.
pub fn write_backups(
    policy: &Policy,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> Result<(usize, Option<NaiveDate>), SandboxError> {
    let folder = &policy.source.path;
    fs::create_dir_all(folder).map_err(io_error(folder))?;
    let calendar = &policy.office.calendar;
    let evening = NaiveTime::from_hms_opt(23, 30, 0).expect("a valid time");
    let start = today.checked_sub_days(Days::new(364)).unwrap_or(today);
    let mut count = 0;
    let mut first = None;
    for date in start.iter_days().take_while(|d| *d <= today) {
        let local = date.and_time(evening);
        let written = calendar.instant_of(local).with_timezone(&Utc);
        if !calendar.is_open(date) || written > at {
            continue;
        }
        let name = policy.source.pattern.name_for(local);
        let path = folder.join(&name);
        let seed = blake3::hash(name.as_bytes());
        let size = 2048 + (u64::from(seed.as_bytes()[0]) * 16);
        if count % 5 == 4 {
            write_bundle(&path, &name, size)?;
        } else {
            write_content(&path, &name, size)?;
        }
        set_time(&path, written.into());
        first.get_or_insert(date);
        count += 1;
    }
    Ok((count, first))
}

/// A macOS-style bundle: `Contents/Info.plist` and `Contents/Resources/data`.
fn write_bundle(path: &Path, name: &str, size: u64) -> Result<(), SandboxError> {
    let resources = path.join("Contents/Resources");
    fs::create_dir_all(&resources).map_err(io_error(&resources))?;
    let info = path.join("Contents/Info.plist");
    let plist = format!("<plist><dict><key>Backup</key><string>{name}</string></dict></plist>\n");
    fs::write(&info, plist).map_err(io_error(&info))?;
    write_content(&resources.join("data"), name, size)
}

/// Bytes that look like a compressed backup, the same for the same name.
fn write_content(path: &Path, name: &str, size: u64) -> Result<(), SandboxError> {
    let mut bytes = vec![0u8; size as usize];
    blake3::Hasher::new()
        .update(name.as_bytes())
        .finalize_xof()
        .fill(&mut bytes);
    fs::write(path, bytes).map_err(io_error(path))
}

/// Gives a backup (and what is inside a bundle) the time it was "written";
/// tonight's, written "at 23:30" later today, gets a time in the past, so the
/// demo's backups all look finished (older than `source.settle`).
fn set_time(path: &Path, time: SystemTime) {
    let finished = SystemTime::now() - std::time::Duration::from_secs(3600);
    let time = time.min(finished);
    for entry in walkdir::WalkDir::new(path).contents_first(true) {
        if let Ok(entry) = entry
            && let Ok(file) = fs::File::open(entry.path())
        {
            let _ = file.set_modified(time);
        }
    }
}

/// Labels the policy's disks in `disks/`, lets rota's catalog see them all
/// (as when they were labelled), then puts all but `tonight` in the safe.
pub fn write_disks(
    policy: &Policy,
    dir: &Path,
    tonight: &[&str],
    now: DateTime<Utc>,
) -> Result<Vec<String>, SandboxError> {
    let labels: Vec<String> = policy
        .disks
        .labels()
        .iter()
        .map(|l| l.to_string())
        .collect();
    for label in &labels {
        let mount = dir.join(PLUGGED).join(label);
        fs::create_dir_all(layout::copies_dir(&mount)).map_err(io_error(&mount))?;
        write_label(&mount, label, now).map_err(|error| SandboxError::Io {
            path: mount.clone(),
            error: io::Error::other(error.to_string()),
        })?;
    }
    let seen = inventory::scan_with_catalog(policy, &Catalog::default(), now);
    let connected: Vec<_> = seen.connected_disks().cloned().collect();
    let mut catalog = Catalog::default();
    catalog.merge_scan(&connected, now);
    catalog
        .save(&policy.state_dir)
        .map_err(|error| SandboxError::Io {
            path: policy.state_dir.clone(),
            error: io::Error::other(error.to_string()),
        })?;
    let safe = dir.join(SAFE);
    fs::create_dir_all(&safe).map_err(io_error(&safe))?;
    let mut stored = Vec::new();
    for label in labels.iter().filter(|l| !tonight.contains(&l.as_str())) {
        let from = dir.join(PLUGGED).join(label);
        fs::rename(&from, safe.join(label)).map_err(io_error(&from))?;
        stored.push(label.clone());
    }
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_policy_is_the_vendor_guide_with_local_paths() {
        let text = policy_text();
        let file = Path::new("/demo/rota.yaml");
        let policy = crate::policy::load_str(&text, file).unwrap().policy;
        assert_eq!(policy.source.path, Path::new("/demo/MacPractice Backups"));
        assert_eq!(policy.state_dir, Path::new("/demo/.rota"));
        assert_eq!(policy.disks.mount_search, ["/demo/disks/*"]);
        assert!(policy.disks.allow_server_drive);
        assert_eq!(policy.disks.labels(), ["MON", "TUE", "WED", "THU", "FRI"]);
    }

    #[test]
    fn a_folder_with_other_things_in_it_is_refused_and_a_demo_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("thesis.docx"), b"precious").unwrap();
        assert!(matches!(
            prepare_folder(dir.path()),
            Err(SandboxError::NotEmpty(_))
        ));
        assert!(dir.path().join("thesis.docx").exists());

        let demo = dir.path().join("demo");
        prepare_folder(&demo).unwrap();
        write_policy(&demo).unwrap();
        fs::create_dir_all(demo.join(SOURCE).join("x")).unwrap();
        fs::write(demo.join("notes.txt"), b"mine").unwrap();
        prepare_folder(&demo).unwrap();
        assert_eq!(
            fs::read_dir(&demo)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect::<Vec<_>>(),
            ["notes.txt"],
            "only the demo's own entries are removed"
        );
    }
}
