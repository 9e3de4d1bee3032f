//! Before planning, `apply` looks at the remote of each off-site target that
//! uploads (`crate::offsite::survey`) and brings the catalog in line with it:
//! a copy missing or damaged there stops counting, so tonight's plan uploads
//! it again while the server or a disk still has the backup, and the server
//! keeps its copy meanwhile. The look is recorded as the remote's
//! `checked_at` (for `rota doctor`).
//!
//! A remote that cannot be reached changes nothing in the catalog (absent
//! network means pending, not lost), and tonight's uploads and remote
//! deletions there fail at once as pending rather than each waiting for the
//! network. Targets whose rclone program is missing are left to the refusal
//! `apply` makes of them.

use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::failure::Failure;
use super::run::ApplyRun;
use crate::inventory::CatalogError;
use crate::offsite::rclone::{DEFAULT_PROGRAM, Rclone, locate_program};
use crate::offsite::survey::{Finding, survey};
use crate::placement::Location;
use crate::words::format::plural;

/// What the look at one remote found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteNote {
    /// Listed; `copies` found whole; `rechecked` had its hash checked again.
    Checked {
        target: String,
        copies: usize,
        rechecked: Option<String>,
    },
    /// A copy that no longer counts.
    Lost { target: String, finding: Finding },
    /// The remote could not be reached.
    Unreachable { target: String, detail: String },
    /// rclone failed otherwise (its message).
    Failed { target: String, detail: String },
}

impl RemoteNote {
    /// Whether the note is bad news (a lost copy, or no look at all).
    pub fn is_problem(&self) -> bool {
        !matches!(self, RemoteNote::Checked { .. })
    }
}

impl fmt::Display for RemoteNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteNote::Checked {
                target,
                copies,
                rechecked,
            } => {
                write!(
                    f,
                    "{target}'s remote: {} there as uploaded",
                    plural(*copies, "copy", "copies")
                )?;
                match rechecked {
                    Some(backup) => write!(f, " ({backup} checked again by its hash)"),
                    None => Ok(()),
                }
            }
            RemoteNote::Lost { target, finding } => write!(
                f,
                "{target}'s remote: {finding}; that copy no longer counts, and rota uploads the \
                 backup again if {target} still keeps it and a copy is at hand (the server, a \
                 disk, the staging folder)"
            ),
            RemoteNote::Unreachable { target, detail } => write!(
                f,
                "{target}'s remote cannot be reached ({detail}); its copies are taken as the \
                 catalog last knew them, and uploads there wait for the next run"
            ),
            RemoteNote::Failed { target, detail } => write!(
                f,
                "{target}'s remote could not be checked: {detail}; its copies are taken as the \
                 catalog last knew them"
            ),
        }
    }
}

impl ApplyRun<'_> {
    /// Looks at each uploading target's remote and updates the catalog
    /// (`now`: when, as recorded).
    pub fn check_remotes(&mut self, now: DateTime<Utc>) -> Result<Vec<RemoteNote>, CatalogError> {
        let mut notes = Vec::new();
        let mut changed = false;
        for target in &self.state.policy.offsite {
            let Some(upload) = &target.upload else {
                continue;
            };
            let name = target.name.clone();
            let Some(known) = self
                .state
                .catalog
                .targets
                .get(&name)
                .filter(|t| !t.remote.is_empty())
            else {
                continue;
            };
            let program = upload
                .binary
                .as_deref()
                .unwrap_or(Path::new(DEFAULT_PROGRAM));
            if locate_program(program).is_none() {
                continue;
            }
            let rclone = Rclone::for_upload(upload);
            match survey(&rclone, &upload.remote, known) {
                Ok(survey) => {
                    let entry = self.state.catalog.targets.entry(name.clone()).or_default();
                    for finding in survey.findings {
                        entry.remote.remove(&finding.backup);
                        entry.checks.remove(&finding.backup);
                        notes.push(RemoteNote::Lost {
                            target: name.clone(),
                            finding,
                        });
                    }
                    if let Some(copy) = survey
                        .rechecked
                        .as_ref()
                        .and_then(|backup| entry.remote.get_mut(backup))
                    {
                        copy.verified_at = Some(now);
                    }
                    entry.checked_at = Some(now);
                    changed = true;
                    notes.push(RemoteNote::Checked {
                        target: name,
                        copies: entry.remote.len(),
                        rechecked: survey.rechecked,
                    });
                }
                Err(error) if error.is_transient() => {
                    let detail = error.transient_detail();
                    self.state.remote_down.insert(
                        name.clone(),
                        Failure::RemoteUnreachable {
                            location: Location::Offsite(name.clone()).to_string(),
                            detail: detail.clone(),
                            left: "what is staged stays staged and the remote keeps what it has",
                        },
                    );
                    notes.push(RemoteNote::Unreachable {
                        target: name,
                        detail,
                    });
                }
                Err(error) => notes.push(RemoteNote::Failed {
                    target: name,
                    detail: error.to_string(),
                }),
            }
        }
        if changed {
            self.state.save_catalog()?;
        }
        Ok(notes)
    }
}
