//! `destruction:`: what happens to expired copies (remove, archive, destroy)
//! and which archive disk they go to, checked against the disks section.
//! Hooked from `mod.rs`; it only reports problems.

use super::Validator;
use crate::policy::PolicyCode;
use crate::policy::diagnostic::Problem;
use crate::policy::model::{Destruction, Disks, Expired};
use crate::policy::raw::RawDestruction;
use crate::policy::source_map::KeyPath;
use crate::policy::suggest::closest;

impl Validator {
    pub(super) fn destruction(
        &mut self,
        raw: Option<&RawDestruction>,
        disks: &Disks,
        path: &KeyPath,
    ) -> Destruction {
        let Some(raw) = raw else {
            return Destruction {
                expired: Expired::Remove,
                archive_to: None,
            };
        };
        let expired = match raw
            .expired
            .as_ref()
            .map(|t| t.as_str().trim().to_ascii_lowercase())
        {
            None => Expired::Remove,
            Some(word) => match word.as_str() {
                "remove" => Expired::Remove,
                "archive" => Expired::Archive,
                "destroy" => Expired::Destroy,
                _ => {
                    let help = match closest(&word, ["remove", "archive", "destroy"]) {
                        Some(mode) => format!(
                            "did you mean `{mode}`? Expired copies can be removed, archived or destroyed"
                        ),
                        None => String::from(
                            "write remove, archive (move to an archive disk) or destroy (overwrite, then delete)",
                        ),
                    };
                    self.push(
                        Problem::error(
                            PolicyCode::UnknownDestruction,
                            path.key("expired"),
                            format!("`{word}` is not a destruction method"),
                        )
                        .label("unknown")
                        .help(help),
                    );
                    Expired::Remove
                }
            },
        };
        let archive_to = raw
            .archive_to
            .as_ref()
            .map(|t| t.as_str().trim().to_string());
        match (&archive_to, expired) {
            (Some(label), _) if !disks.is_archive(label) => {
                let known = disks
                    .archive
                    .as_ref()
                    .map(|a| a.labels.join(", "))
                    .unwrap_or_default();
                let help = if known.is_empty() {
                    format!(
                        "add an archive set: `disks: {{ archive: {{ labels: [{label}], tiers: [month_ends] }} }}`"
                    )
                } else {
                    format!("archive disks are: {known}; or add `{label}` to disks.archive.labels")
                };
                self.push(
                    Problem::error(
                        PolicyCode::ArchiveToUnknown,
                        path.key("archive_to"),
                        format!("`{label}` is not an archive disk"),
                    )
                    .label("no archive disk has this label")
                    .help(help),
                );
            }
            (None, Expired::Archive) => self.push(
                Problem::error(
                    PolicyCode::ArchiveToMissing,
                    path.key("expired"),
                    "expired copies are to be archived, but no archive disk is named",
                )
                .label("archive to where?")
                .help("add `archive_to:` with the label of one of disks.archive.labels"),
            ),
            (Some(_), Expired::Remove | Expired::Destroy) => self.push(
                Problem::warning(
                    PolicyCode::ArchiveToUnused,
                    path.key("archive_to"),
                    "archive_to is set but expired copies are not archived",
                )
                .label("unused")
                .help("set `expired: archive` to use it, or remove this line"),
            ),
            _ => {}
        }
        Destruction {
            expired,
            archive_to,
        }
    }
}
