//! The planner's words: why a copy is made, why a deletion is safe, why
//! something is pending, and the warnings about wrong, missing and full disks.
//! Decisions are made in the parent module; this only phrases them.

use std::fmt::{self, Write as _};

use chrono::{Datelike, NaiveDate};

use super::{Builder, Why};
use crate::calendar::full_weekday;
use crate::placement::{Role, Unavailable};
use crate::plan::warnings::{Warning, WarningCode};
use crate::words::format::{bytes, plural};

impl Builder<'_> {
    pub(super) fn reason_words(&self, backup: usize) -> String {
        let reasons: Vec<String> = self.retention.reasons[backup]
            .iter()
            .map(|r| r.to_string())
            .collect();
        reasons.join(", ")
    }

    pub(super) fn copy_reason(&self, backup: usize, site: usize) -> String {
        let label = self.site_name(site);
        let mut parts: Vec<String> = Vec::new();
        for (_, why) in self.required[backup].iter().filter(|(s, _)| *s == site) {
            let part = match why {
                Why::MinBackups => {
                    format!("one of {label}'s newest {}", self.policy.disks.min_backups)
                }
                Why::Retained | Why::Archive | Why::Offsite => self.reason_words(backup),
                Why::Fallback => {
                    String::from("tonight's disk is not connected, so it goes here as well")
                }
                Why::KeepLast => format!(
                    "one of the server's newest {}",
                    self.policy.source.keep_last
                ),
            };
            if !part.is_empty() && !parts.contains(&part) {
                parts.push(part);
            }
        }
        if self.world.sites[site].is_staged(backup) {
            parts.insert(0, String::from("staged, waiting for its upload"));
        }
        parts.join("; ")
    }

    pub(super) fn deletion_reason(
        &self,
        backup: usize,
        site: usize,
        survivors: &[usize],
    ) -> String {
        // Written into one string: a large office has 100,000s of these.
        let mut words = String::with_capacity(112);
        self.write_deletion_reason(&mut words, backup, site, survivors)
            .expect("writing to a String never fails");
        words
    }

    fn write_deletion_reason(
        &self,
        words: &mut String,
        backup: usize,
        site: usize,
        survivors: &[usize],
    ) -> fmt::Result {
        let label = self.site_name(site);
        match &self.world.sites[site].role {
            Role::Server => {
                self.write_still(words, survivors)?;
                let keep_last = self.policy.source.keep_last;
                write!(words, "; the server keeps only its newest {keep_last}")
            }
            Role::Rotation if !self.placement.backups[backup].home.contains(&site) => {
                words.push_str("fallback copy no longer needed; ");
                self.write_still(words, survivors)
            }
            Role::Rotation if self.retention.reasons[backup].is_empty() => {
                let min_backups = self.policy.disks.min_backups;
                write!(
                    words,
                    "expired on {label}: older than its newest {min_backups} and held by no tier; "
                )?;
                self.write_still(words, survivors)
            }
            Role::Rotation => {
                words.push_str("kept long-term on the archive instead; ");
                self.write_still(words, survivors)
            }
            Role::Archive | Role::Offsite => {
                write!(words, "expired on {label}: held by no tier; ")?;
                self.write_still(words, survivors)
            }
        }
    }

    /// Where the backup stays after the deletion ("still on MON, server"), or
    /// that nothing keeps it.
    fn write_still(&self, words: &mut String, survivors: &[usize]) -> fmt::Result {
        for (i, survivor) in survivors.iter().enumerate() {
            words.push_str(if i == 0 { "still on " } else { ", " });
            words.push_str(self.site_name(*survivor));
        }
        if survivors.is_empty() {
            words.push_str("no rule keeps it anywhere");
        }
        Ok(())
    }

    pub(super) fn unavailable_words(&self, site: usize) -> String {
        let label = self.site_name(site);
        if self.world.sites[site].role == Role::Offsite {
            return format!("off-site target {label}'s staging manifest cannot be read");
        }
        match &self.world.sites[site].unavailable {
            Some(Unavailable::NotConnected) | None => format!("disk {label} not connected"),
            Some(Unavailable::DuplicateLabel) => {
                format!("two disks labelled {label} are connected")
            }
            Some(Unavailable::ManifestUnreadable(_)) => {
                format!("disk {label}'s manifest cannot be read")
            }
        }
    }

    // ----- warnings -----

    pub(super) fn report_wrong_disks(&mut self, today: NaiveDate) {
        let tonight: Vec<&str> = self
            .placement
            .tonight
            .iter()
            .map(|s| self.site_name(*s))
            .collect();
        let today_name = full_weekday(today.weekday());
        let any_rotation_connected = self
            .world
            .sites
            .iter()
            .any(|site| site.role == Role::Rotation && site.is_actionable());
        let tonight_has_it = self
            .placement
            .todays_backup
            .is_some_and(|b| self.placement.tonight.iter().any(|s| self.verified(b, *s)));
        if !any_rotation_connected && !tonight.is_empty() && !tonight_has_it {
            self.warnings.push(Warning::new(
                WarningCode::NoDisk,
                format!(
                    "no rotation disk is connected: tonight ({today_name}) {} should be. Until it is, tonight's backup is only on the server",
                    tonight.join(" or ")
                ),
            ));
        }
        for (index, site) in self.world.sites.iter().enumerate() {
            if site.role != Role::Rotation
                || !site.is_actionable()
                || self.placement.tonight.contains(&index)
            {
                continue;
            }
            let fallback = self
                .placement
                .todays_backup
                .is_some_and(|b| self.placement.backups[b].fallback.contains(&index));
            let then = if fallback {
                "tonight's backup is copied to it as well, so it is not only on the server"
            } else {
                "it is used only for its own backups"
            };
            self.warnings.push(Warning::new(
                WarningCode::WrongDisk,
                format!(
                    "disk {} is connected, but tonight ({today_name}) is {}'s turn; {then}. Connect {} before leaving",
                    site.location,
                    tonight.join(" or "),
                    tonight.join(" or ")
                ),
            ));
        }
    }

    pub(super) fn report_full_disks(&mut self) {
        for (index, (bytes_over, count)) in self.overflow.clone().into_iter().enumerate() {
            if count == 0 {
                continue;
            }
            let site = &self.world.sites[index];
            let space = site.space.unwrap_or_default();
            self.warnings.push(Warning::new(
                WarningCode::DiskFull,
                format!(
                    "disk {} cannot hold what it must: {} ({}) did not fit ({} free of {}, {} kept in reserve); newer backups went first. Use a larger disk, or lower min_backups or the retention tiers",
                    site.location,
                    plural(count, "backup", "backups"),
                    bytes(bytes_over),
                    bytes(space.free),
                    bytes(space.total),
                    bytes(site.reserve)
                ),
            ));
        }
    }
}
