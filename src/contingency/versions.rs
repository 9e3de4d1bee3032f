//! The saved versions of the contingency plan, `state_dir/contingency/`:
//! each version whose content differs from the last saved one is written
//! there as a printable HTML file named by its date and content hash
//! (`2026-03-31-1a2b3c4d5e6f.html`), and listed in `versions.jsonl`, one
//! JSON object a line (revision, when, file, content hash, the policy's
//! digest, each section's hash). HIPAA documentation is kept six years:
//! this module never deletes, overwrites or rewrites a saved version or a
//! line of the list; it only adds.
//!
//! [`next_version`] and [`revisions`] are pure; [`read`] and [`save`] are
//! the only functions here that touch the filesystem.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::document::{ContingencyPlan, Revision};
use crate::inventory::{atomic, json_lines};

/// The folder in `state_dir`.
pub use crate::inventory::layout::CONTINGENCY_DIR as FOLDER;
/// The list of saved versions inside it.
pub use crate::inventory::layout::CONTINGENCY_INDEX as INDEX;
/// How many of the latest revisions the plan itself lists (the others are
/// counted: `rota contingency --history` lists them all).
pub const REVISIONS_SHOWN: usize = 10;

/// One saved version, as `versions.jsonl` records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedVersion {
    /// 1 for the first version saved, then 2, 3, ...
    pub revision: usize,
    /// The instant the plan was made for (`--at`, else the clock).
    pub saved_at: DateTime<Utc>,
    /// Its office date.
    pub date: NaiveDate,
    /// The HTML file's name in the folder.
    pub file: String,
    pub content_hash: String,
    /// The hash of the policy's part of the plan ([`super::policy_digest`]):
    /// `rota doctor` compares it with the policy as it is now.
    pub policy_digest: String,
    /// Each section's hash, by `data-section` id.
    pub sections: BTreeMap<String, String>,
    pub rota_version: String,
}

impl SavedVersion {
    pub fn short_hash(&self) -> &str {
        self.content_hash.get(..12).unwrap_or(&self.content_hash)
    }
}

pub fn folder(state_dir: &Path) -> PathBuf {
    state_dir.join(FOLDER)
}

/// Every saved version, oldest first; none when nothing was saved yet.
pub fn read(state_dir: &Path) -> io::Result<Vec<SavedVersion>> {
    json_lines::read(&folder(state_dir).join(INDEX))
}

/// The version to save for `plan`, or `None` when its content is the last
/// saved version's.
pub fn next_version(
    history: &[SavedVersion],
    plan: &ContingencyPlan,
    policy_digest: &str,
    saved_at: DateTime<Utc>,
    date: NaiveDate,
) -> Option<SavedVersion> {
    let content_hash = plan.content_hash();
    if history
        .last()
        .is_some_and(|last| last.content_hash == content_hash)
    {
        return None;
    }
    let revision = history.len() + 1;
    let short = &content_hash[..12];
    let plain = format!("{date}-{short}.html");
    // The same content saved again later the same day (a change undone)
    // gets a name of its own: a saved file is never replaced.
    let file = if history.iter().any(|v| v.file == plain) {
        format!("{date}-{short}-r{revision}.html")
    } else {
        plain
    };
    Some(SavedVersion {
        revision,
        saved_at,
        date,
        file,
        content_hash,
        policy_digest: policy_digest.to_string(),
        sections: plan.section_hashes(),
        rota_version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

/// Gives `plan` its revision list: the latest [`REVISIONS_SHOWN`] of
/// `history` (which ends with this version), and how many came before.
pub fn list_in(plan: &mut ContingencyPlan, history: &[SavedVersion]) {
    let mut all = revisions(history, plan);
    let earlier = all.len().saturating_sub(REVISIONS_SHOWN);
    plan.revisions = all.split_off(earlier);
    plan.earlier_revisions = earlier;
}

/// Each saved version and what changed since the one before (sections
/// named by their titles in `plan`).
pub fn revisions(history: &[SavedVersion], plan: &ContingencyPlan) -> Vec<Revision> {
    let mut previous: Option<&SavedVersion> = None;
    let mut list = Vec::new();
    for version in history {
        list.push(Revision {
            number: version.revision,
            date: version.date.to_string(),
            hash: version.short_hash().to_string(),
            file: version.file.clone(),
            changes: changes(previous, version, plan),
        });
        previous = Some(version);
    }
    list
}

fn changes(
    previous: Option<&SavedVersion>,
    version: &SavedVersion,
    plan: &ContingencyPlan,
) -> String {
    let Some(previous) = previous else {
        return String::from("first version");
    };
    let changed: Vec<String> = plan
        .sections
        .iter()
        .filter(|section| previous.sections.get(section.id) != version.sections.get(section.id))
        .map(|section| format!("{}. {}", section.number, section.title))
        .collect();
    let mut words = if changed.is_empty() {
        String::from("wording")
    } else {
        changed.join(", ")
    };
    if previous.policy_digest != version.policy_digest {
        words.push_str(" (the policy changed)");
    }
    words
}

/// Writes the version's HTML file (never over an existing one) and then
/// its line in the list; returns the file's path.
pub fn save(state_dir: &Path, version: &SavedVersion, html: &str) -> io::Result<PathBuf> {
    let folder = folder(state_dir);
    std::fs::create_dir_all(&folder)?;
    let path = folder.join(&version.file);
    if path.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} already exists; a saved version is never replaced",
                path.display()
            ),
        ));
    }
    atomic::write_atomically(&path, html.as_bytes())?;
    json_lines::append(&folder.join(INDEX), version)?;
    Ok(path)
}
