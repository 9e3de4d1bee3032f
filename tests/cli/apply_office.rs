//! An office for the `apply` tests, on top of `support::TempOffice`: labelled
//! disk folders that are plugged in (`disks/`, the policy's mount_search) or
//! put in the safe (`safe/`, out of sight), and a way to read back the whole
//! state (every backup and copy with its content hash, the manifests, the
//! audit log) to compare runs and check the safety invariants.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use rota::content_hash::hash_path;
use rota::inventory::{Manifest, layout};

use crate::support::{Output, Rota, TempOffice};

pub const PATTERN_PREFIX: &str = "MacPractice_";

/// The name of `date`'s evening backup.
pub fn name(date: &str) -> String {
    format!("MacPractice_{date}_2330.mpbackup")
}

pub struct ApplyOffice {
    pub office: TempOffice,
}

/// Where a copy is: "server" or a disk label.
pub type Place = String;

/// Everything rota keeps, read back from the folders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// Per place: backup name → content hash (what is really there).
    pub entries: BTreeMap<Place, BTreeMap<String, String>>,
    /// Per disk: the manifest's records (name → hash, size, verified).
    pub manifests: BTreeMap<Place, BTreeMap<String, (String, u64, bool)>>,
}

impl ApplyOffice {
    pub fn new(policy: &str) -> ApplyOffice {
        let office = TempOffice::new(policy);
        fs::create_dir_all(office.join("disks")).unwrap();
        fs::create_dir_all(office.join("safe")).unwrap();
        ApplyOffice { office }
    }

    pub fn path(&self) -> &Path {
        self.office.path()
    }

    /// Labels a new disk with `rota disk init`; it starts in the safe unless
    /// `plugged`.
    pub fn disk(&self, label: &str, plugged: bool) {
        let mount = self.office.folder(&format!("disks/{label}"));
        self.rota()
            .args(["disk", "init"])
            .arg(&mount)
            .args(["--label", label])
            .run()
            .success();
        if !plugged {
            self.unplug(label);
        }
    }

    pub fn plug(&self, label: &str) {
        fs::rename(
            self.office.join(format!("safe/{label}")),
            self.office.join(format!("disks/{label}")),
        )
        .unwrap();
    }

    pub fn unplug(&self, label: &str) {
        fs::rename(
            self.office.join(format!("disks/{label}")),
            self.office.join(format!("safe/{label}")),
        )
        .unwrap();
    }

    /// Exactly these disks plugged in, the others in the safe.
    pub fn connect_only(&self, labels: &[&str]) {
        for label in self.labels() {
            let plugged = self.office.join(format!("disks/{label}")).exists();
            let wanted = labels.contains(&label.as_str());
            if plugged && !wanted {
                self.unplug(&label);
            } else if !plugged && wanted {
                self.plug(&label);
            }
        }
    }

    /// Every disk label, wherever the disk is.
    pub fn labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = ["disks", "safe"]
            .iter()
            .flat_map(|folder| names(&self.office.join(folder)))
            .collect();
        labels.sort();
        labels
    }

    /// The folder of a disk, wherever it is.
    pub fn mount(&self, label: &str) -> PathBuf {
        let plugged = self.office.join(format!("disks/{label}"));
        if plugged.exists() {
            plugged
        } else {
            self.office.join(format!("safe/{label}"))
        }
    }

    pub fn rota(&self) -> Rota {
        self.office.rota()
    }

    pub fn apply(&self, at: &str) -> Output {
        self.rota()
            .args(["apply", "policy.yaml", "--yes", "--at", at])
            .run()
            .no_panic()
    }

    /// `rota plan --format json`, parsed.
    pub fn plan_json(&self, at: &str) -> serde_json::Value {
        let output = self
            .rota()
            .args(["plan", "policy.yaml", "--format", "json", "--at", at])
            .run()
            .success();
        serde_json::from_str(&output.stdout).unwrap()
    }

    /// What is where, read from the folders.
    pub fn state(&self) -> State {
        let mut entries = BTreeMap::new();
        entries.insert(String::from("server"), hashed(&self.office.source()));
        let mut manifests = BTreeMap::new();
        for label in self.labels() {
            let copies = layout::copies_dir(&self.mount(&label));
            entries.insert(label.clone(), hashed(&copies));
            let records = Manifest::load(&copies)
                .unwrap()
                .map(|m| {
                    m.copies()
                        .values()
                        .map(|r| (r.name.clone(), (r.hash.clone(), r.size, r.is_verified())))
                        .collect()
                })
                .unwrap_or_default();
            manifests.insert(label, records);
        }
        State { entries, manifests }
    }

    /// rota's temporary names left anywhere in the office.
    pub fn partials(&self) -> Vec<PathBuf> {
        walkdir::WalkDir::new(self.path())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| layout::is_partial(&e.file_name().to_string_lossy()))
            .map(|e| e.path().to_path_buf())
            .collect()
    }

    /// The audit log's deletions as (op, backup, location, size, hash), as
    /// rota reads them (a deletion a later line says did not happen is left
    /// out with that line; other records, such as restores, are skipped).
    pub fn audit(&self) -> Vec<(String, String, String, u64, String)> {
        rota::execute::audit::read(&self.office.join("state"))
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let op = serde_json::to_value(r.op).unwrap();
                (
                    op.as_str().unwrap().to_string(),
                    r.backup,
                    r.location,
                    r.size,
                    r.hash.unwrap_or_default(),
                )
            })
            .collect()
    }
}

impl State {
    /// Places holding a copy of `name` that counts: the server's file, or a
    /// disk file whose manifest records it verified with the same hash.
    pub fn good_copies(&self, name: &str, original: &str) -> Vec<Place> {
        let mut places = Vec::new();
        for (place, entries) in &self.entries {
            let Some(hash) = entries.get(name) else {
                continue;
            };
            let vouched = place == "server"
                || self.manifests[place]
                    .get(name)
                    .is_some_and(|(recorded, _, verified)| *verified && recorded == hash);
            if vouched && hash == original {
                places.push(place.clone());
            }
        }
        places
    }

    /// Every (place, name) that counts as a copy.
    pub fn copies(&self) -> BTreeSet<(Place, String)> {
        let mut all = BTreeSet::new();
        for (place, entries) in &self.entries {
            for (name, hash) in entries {
                let vouched = place == "server"
                    || self.manifests[place]
                        .get(name)
                        .is_some_and(|(recorded, _, verified)| *verified && recorded == hash);
                if vouched {
                    all.insert((place.clone(), name.clone()));
                }
            }
        }
        all
    }

    /// Every disk entry under a backup's name holds exactly the bytes of that
    /// backup (`originals`: name → hash): never a partial or damaged copy.
    pub fn no_bad_bytes_under_final_names(
        &self,
        originals: &BTreeMap<String, String>,
    ) -> Result<(), String> {
        for (place, entries) in &self.entries {
            for (name, hash) in entries {
                if let Some(original) = originals.get(name)
                    && original != hash
                {
                    return Err(format!("{place}/{name} does not hold the backup's bytes"));
                }
            }
        }
        Ok(())
    }
}

/// Backup-named entries of a folder with their content hashes (rota's own
/// files and anything not named like a backup left out).
fn hashed(folder: &Path) -> BTreeMap<String, String> {
    names(folder)
        .into_iter()
        .filter(|n| n.starts_with(PATTERN_PREFIX))
        .map(|n| {
            let hash = hash_path(&folder.join(&n)).unwrap();
            (n, hash)
        })
        .collect()
}

pub fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Copies a folder tree (files, folders, links), for cloning an office.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).follow_links(false) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        let kind = entry.file_type();
        if kind.is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
    // The clone's backups keep their times: a copied backup is no fresher
    // (and no less settled) than the original.
    for entry in walkdir::WalkDir::new(from)
        .contents_first(true)
        .follow_links(false)
    {
        let entry = entry.unwrap();
        if entry.file_type().is_symlink() {
            continue;
        }
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        let modified = entry.metadata().unwrap().modified().unwrap();
        fs::File::open(&target)
            .unwrap()
            .set_modified(modified)
            .unwrap();
    }
}
