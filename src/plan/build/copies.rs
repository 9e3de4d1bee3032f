//! Copies: what each backup still lacks where placement wants it, from which
//! location it can be read, and whether it fits above the disk's reserve
//! (newest backups first); what cannot be done now is recorded as pending.

use super::{Builder, Draft, Why};
use crate::placement::Role;
use crate::plan::{Op, Pending};

impl Builder<'_> {
    /// Step 1: backups held by an archive tier and on no archive disk yet.
    pub(super) fn plan_archive_copies(&mut self) {
        let sites = self.placement.archive_sites.clone();
        if sites.is_empty() {
            return;
        }
        for backup in (0..self.world.backups.len()).rev() {
            if !self.placement.backups[backup].archive_held
                || sites.iter().any(|s| self.verified(backup, *s))
            {
                continue;
            }
            let target = sites
                .iter()
                .copied()
                .find(|s| self.world.sites[*s].is_actionable());
            let reason = format!("{} belongs on an archive disk", self.reason_words(backup));
            match target {
                Some(site) => self.try_copy(backup, site, reason),
                None => {
                    let labels: Vec<&str> = sites.iter().map(|s| self.site_name(*s)).collect();
                    self.push_pending_copy(
                        backup,
                        sites[0],
                        format!("no archive disk ({}) is connected", labels.join(", ")),
                    );
                }
            }
        }
    }

    /// Step 1½: every site each backup must be at, now that the archive's
    /// share is known.
    pub(super) fn resolve_requirements(&mut self) {
        let server = self.world.server();
        for backup in 0..self.world.backups.len() {
            let facts = &self.placement.backups[backup];
            let archive_site = self
                .placement
                .archive_sites
                .iter()
                .copied()
                .find(|s| self.present_or_planned(backup, *s));
            let mut wants: Vec<(usize, Why)> = Vec::new();
            if facts.keep_last {
                wants.push((server, Why::KeepLast));
            }
            if self.placement.needs_home(backup, archive_site.is_some()) {
                wants.extend(facts.home.iter().map(|s| (*s, Why::Retained)));
            }
            wants.extend(facts.newest_on.iter().map(|s| (*s, Why::MinBackups)));
            if let Some(site) = archive_site {
                wants.push((site, Why::Archive));
            }
            wants.extend(facts.offsite.iter().map(|s| (*s, Why::Offsite)));
            wants.extend(facts.fallback.iter().map(|s| (*s, Why::Fallback)));
            wants.sort();
            wants.dedup();
            self.required[backup] = wants;
        }
    }

    /// Step 1¾: copies to off-site targets, before any deletion is decided, so
    /// that expiring off-site copies can wait for tonight's uploads.
    pub(super) fn plan_offsite_copies(&mut self) {
        for backup in (0..self.world.backups.len()).rev() {
            let offsite: Vec<usize> = self
                .required_sites(backup)
                .into_iter()
                .filter(|site| self.world.sites[*site].role == Role::Offsite)
                .filter(|site| !self.present_or_planned(backup, *site))
                .collect();
            for site in offsite {
                let reason = self.copy_reason(backup, site);
                if self.world.sites[site].is_actionable() {
                    self.try_copy(backup, site, reason);
                } else {
                    let why = self.unavailable_words(site);
                    self.push_pending_copy(backup, site, why);
                }
            }
        }
    }

    /// Whether a backup is missing from a site where it is required and rota
    /// could put it tonight.
    pub(super) fn wants_copy(&self, backup: usize) -> bool {
        self.required[backup].iter().any(|(site, _)| {
            *site != self.world.server() && !self.present_or_planned(backup, *site)
        })
    }

    /// Step 3: copies of one backup to every site that needs it.
    pub(super) fn plan_copies(&mut self, backup: usize) {
        for site in self.required_sites(backup) {
            let offsite = self.world.sites[site].role == Role::Offsite;
            if site == self.world.server() || offsite || self.present_or_planned(backup, site) {
                continue;
            }
            let reason = self.copy_reason(backup, site);
            if self.world.sites[site].is_actionable() {
                self.try_copy(backup, site, reason);
            } else {
                let why = self.unavailable_words(site);
                self.push_pending_copy(backup, site, why);
            }
        }
    }

    /// Plans a copy if there is a source and room; otherwise records it pending.
    pub(super) fn try_copy(&mut self, backup: usize, site: usize, reason: String) {
        if let Some(age) = self.world.backups[backup].settling {
            self.push_pending_copy(
                backup,
                site,
                crate::plan::warnings::changes::unsettled_reason(age),
            );
            return;
        }
        let Some(source) = self.source_of(backup, site) else {
            let holders: Vec<String> = self
                .world
                .sites
                .iter()
                .filter(|s| s.has_verified(backup))
                .map(|s| s.location.to_string())
                .collect();
            let offsite_only = self.world.sites.iter().any(|s| s.has_verified(backup))
                && self
                    .world
                    .sites
                    .iter()
                    .filter(|s| s.has_verified(backup))
                    .all(|s| s.role == Role::Offsite);
            let why = if self.world.is_tampered(backup) {
                String::from(
                    "its bytes on the server changed after it was copied (tampered-backup): they are \
                     never copied, and no disk holding a verified copy is connected",
                )
            } else if holders.is_empty() {
                String::from("no verified copy is known anywhere")
            } else if offsite_only {
                format!(
                    "it is only off-site ({}); rota never copies back from there (`rota decrypt` restores it)",
                    holders.join(" and ")
                )
            } else {
                format!(
                    "it is only on {}, which is not connected",
                    holders.join(" and ")
                )
            };
            self.push_pending_copy(backup, site, why);
            return;
        };
        // An upload of a copy already staged writes nothing more locally.
        let size = if source == site {
            0
        } else {
            i128::from(self.size(backup))
        };
        let needs_freed = self.initial_room[site].is_some_and(|room| {
            let committed = self.committed(site);
            committed + size > room
        });
        if let Some(room) = self.room[site] {
            if size > room {
                self.overflow[site].0 += self.size(backup);
                self.overflow[site].1 += 1;
                let words = format!(
                    "{} is full (see the disk-full warning)",
                    self.site_name(site)
                );
                self.push_pending_copy(backup, site, words);
                return;
            }
            self.room[site] = Some(room - size);
        }
        let after = if needs_freed {
            self.freeing[site].clone()
        } else {
            Vec::new()
        };
        let draft = self.push(Draft {
            op: Op::Copy,
            backup,
            from: Some(source),
            to: Some(site),
            at: None,
            reason,
            after,
        });
        self.planned.insert((backup, site), draft);
        if needs_freed && self.bonus[site] > 0 {
            self.bonus_users[site].push(draft);
        }
    }

    /// Per site where copies did not fit: bytes freed by deletions that wait
    /// for copies (the room a later pass may grant).
    pub(super) fn freed_late(&self) -> Vec<i128> {
        let mut freed = vec![0i128; self.world.sites.len()];
        for draft in &self.drafts {
            let Some(site) = draft.at else { continue };
            let late = matches!(draft.op, Op::Remove | Op::Destroy) && !draft.after.is_empty();
            if late && self.overflow[site].1 > 0 {
                freed[site] += i128::from(self.size(draft.backup));
            }
        }
        freed
    }

    /// Bytes already promised to copies on a site (initial room minus room left,
    /// plus what deletions freed).
    pub(super) fn committed(&self, site: usize) -> i128 {
        let freed: i128 = self.freeing[site]
            .iter()
            .map(|draft| i128::from(self.size(self.drafts[*draft].backup)))
            .sum();
        match (self.initial_room[site], self.room[site]) {
            (Some(initial), Some(left)) => initial + self.bonus[site] + freed - left,
            _ => 0,
        }
    }

    /// Where to read a backup from: for an off-site target with the backup
    /// staged, the target itself (the copy is its upload); else the server,
    /// else a connected verified copy on a disk. Off-site copies are never a
    /// source for other sites: they may be encrypted to a key the server does
    /// not have.
    ///
    /// A tampered backup is never read from the server (nor from a staging
    /// folder filled from it): only from a verified copy (invariant 12).
    pub(super) fn source_of(&self, backup: usize, target: usize) -> Option<usize> {
        let trusted_server = !self.world.is_tampered(backup);
        if trusted_server && self.world.sites[target].is_staged(backup) {
            return Some(target);
        }
        let server = self.world.server();
        if trusted_server && self.world.sites[server].holds(backup) {
            return Some(server);
        }
        self.world
            .sites
            .iter()
            .enumerate()
            .find(|(i, site)| {
                *i != target
                    && site.role != Role::Offsite
                    && site.is_actionable()
                    && site.has_verified(backup)
            })
            .map(|(i, _)| i)
    }

    pub(super) fn push_pending_copy(&mut self, backup: usize, site: usize, reason: String) {
        self.pending.push(Pending {
            op: Op::Copy,
            backup: self.name(backup).to_string(),
            to: Some(self.world.sites[site].location.clone()),
            location: None,
            bytes: self.size(backup),
            reason,
        });
    }
}
