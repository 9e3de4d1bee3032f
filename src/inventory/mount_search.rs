//! Which folders may be rota disks: every folder the policy's `mount_search`
//! globs match, less rota's own places and what `disks.ignore` names. Only
//! lists folders; what is in them is the scanner's and `volumes`' business.

use std::path::{Path, PathBuf};

use super::glob;
use crate::policy::Policy;

/// Every folder the `mount_search` globs match, except rota's own places (the
/// source folder and what is inside it, `state_dir`, off-site staging folders),
/// which are never disks.
pub fn mount_candidates(policy: &Policy) -> Vec<PathBuf> {
    let own: Vec<&Path> = [policy.state_dir.as_path()]
        .into_iter()
        .chain(policy.offsite.iter().map(|target| target.path.as_path()))
        .collect();
    let mut candidates: Vec<PathBuf> = policy
        .disks
        .mount_search
        .iter()
        .flat_map(|pattern| glob::expand(pattern))
        .filter(|path| !path.starts_with(&policy.source.path) && !own.contains(&path.as_path()))
        .filter(|path| !ignored(policy, path))
        .collect();
    candidates.sort();
    candidates.dedup();
    candidates
}

/// Whether `disks.ignore` names this folder as not rota's: an entry without
/// a `/` is matched against the folder's name, one with a `/` against its
/// path. Only `*` and `?` are wildcards, as in `mount_search`.
fn ignored(policy: &Policy, folder: &Path) -> bool {
    let name = folder.file_name().map(|n| n.to_string_lossy());
    policy.disks.ignore.iter().any(|entry| {
        if entry.contains('/') {
            super::glob::matches(entry, &folder.to_string_lossy())
        } else {
            name.as_deref()
                .is_some_and(|name| super::glob::matches(entry, name))
        }
    })
}
