//! Deleting copies nothing requires, within the safety rules: nothing at all
//! while the deletion gate is closed (invariant 13), never a held
//! backup, never the server's copy of a backup pending elsewhere, never a
//! fallback copy before its home disk has the backup, never the last verified
//! copy of a backup still needed; in archive mode the last copy moves to the
//! archive disk instead.

use super::{Builder, Draft, Why};
use crate::placement::{Location, Role};
use crate::plan::{Op, Pending};
use crate::policy::Expired;
use crate::retention::Reason;

impl Builder<'_> {
    /// Steps 2 and 4: delete the copies of a backup that nothing requires,
    /// within the safety rules.
    pub(super) fn plan_deletions(&mut self, backup: usize) {
        if std::mem::replace(&mut self.decided[backup], true) {
            return;
        }
        if self.gate.is_closed() {
            return; // the source looks wrong: keep copying, delete nothing
        }
        let reasons = &self.retention.reasons[backup];
        if reasons.contains(&Reason::Hold) {
            return;
        }
        let mut expired = self.expired_sites(backup);
        if expired.is_empty() {
            return;
        }
        // Sites rota may act on first (each part keeps the sites' order).
        expired.sort_by_key(|site| !self.world.sites[*site].is_actionable());
        let split = expired.partition_point(|site| self.world.sites[*site].is_actionable());
        let (actionable, absent) = expired.split_at(split);
        let survivors = self.survivors(backup, actionable);
        let needed = !self.required[backup].is_empty() || !reasons.is_empty();
        if needed && survivors.is_empty() {
            return; // never the last verified copy of a backup still needed
        }
        // Archive mode moves the last kept copy to the archive disk; copies on
        // absent disks are expiring too, so they do not count as kept.
        let kept_elsewhere = survivors.iter().any(|site| !absent.contains(site));
        let archive_first = !kept_elsewhere && self.policy.destruction.expired == Expired::Archive;
        for &site in absent {
            let why = self.unavailable_words(site);
            self.push_pending_deletion(backup, site, why, archive_first);
        }
        if actionable.is_empty() {
            return;
        }
        let mut after: Vec<usize> = self.planned_for(backup);
        let mut moved_from = None;
        if archive_first {
            // Archive mode: the last copy moves to the archive disk instead of
            // being deleted; while that disk is absent every copy stays.
            let (draft, source) = match self.archive_last_copy(backup, actionable) {
                Some(archived) => archived,
                None => return,
            };
            after.push(draft);
            moved_from = Some(source);
        }
        let op = match self.policy.destruction.expired {
            Expired::Destroy => Op::Destroy,
            Expired::Remove | Expired::Archive => Op::Remove,
        };
        for site in actionable
            .iter()
            .copied()
            .filter(|site| Some(*site) != moved_from)
        {
            let reason = self.deletion_reason(backup, site, &survivors);
            let mut after = after.clone();
            if self.world.sites[site].role == Role::Offsite {
                // An expired off-site copy leaves only after tonight's uploads
                // to that target are verified: with the network down, the
                // target keeps what it has.
                after.extend(self.copies_planned_to(site));
            }
            let independent = after.is_empty();
            let draft = self.push(Draft {
                op,
                backup,
                from: None,
                to: None,
                at: Some(site),
                reason,
                after,
            });
            if independent {
                self.free(site, backup, draft);
            }
        }
    }

    /// The distinct sites a backup is required at.
    pub(super) fn required_sites(&self, backup: usize) -> Vec<usize> {
        let mut sites: Vec<usize> = self.required[backup]
            .iter()
            .map(|(site, _)| *site)
            .collect();
        sites.sort_unstable();
        sites.dedup();
        sites
    }

    /// Sites holding a verified copy of the backup (or, off-site, one waiting
    /// for its upload) that nothing requires there.
    pub(super) fn expired_sites(&self, backup: usize) -> Vec<usize> {
        let required = &self.required[backup];
        let archive_keeps = self.archive_to();
        // A staged copy waiting for its upload expires like a copy when the
        // target no longer wants the backup (the network was down too long).
        (0..self.world.sites.len())
            .filter(|site| {
                let site = &self.world.sites[*site];
                site.has_verified(backup) || site.is_staged(backup)
            })
            .filter(|site| !required.iter().any(|(at, _)| at == site))
            .filter(|site| Some(*site) != archive_keeps)
            .filter(|site| !self.keeps_for_pending(backup, *site))
            .collect()
    }

    /// A copy kept although not required: the server's copy of a backup still
    /// pending somewhere, or a wrong-disk fallback copy whose home disk does not
    /// have the backup yet.
    pub(super) fn keeps_for_pending(&self, backup: usize, site: usize) -> bool {
        let role = &self.world.sites[site].role;
        let unmet = |filter: &dyn Fn(Why) -> bool| {
            self.required[backup]
                .iter()
                .any(|(s, why)| filter(*why) && !self.present_or_planned(backup, *s))
        };
        match role {
            Role::Server => unmet(&|_| true),
            Role::Rotation => {
                let home = &self.placement.backups[backup].home;
                !home.contains(&site)
                    && unmet(&|why| matches!(why, Why::Retained | Why::MinBackups))
            }
            Role::Archive | Role::Offsite => false,
        }
    }

    /// Sites that will still hold a verified copy after deleting `deleting`:
    /// a copy this server's catalog confirms, or one planned tonight (never
    /// one the catalog has no record of, safety invariant 14).
    pub(super) fn survivors(&self, backup: usize, deleting: &[usize]) -> Vec<usize> {
        (0..self.world.sites.len())
            .filter(|site| !deleting.contains(site))
            .filter(|site| {
                self.world.sites[*site].has_confirmed(backup)
                    || self.planned.contains_key(&(backup, *site))
            })
            .collect()
    }

    pub(super) fn planned_for(&self, backup: usize) -> Vec<usize> {
        self.planned
            .range((backup, 0)..=(backup, usize::MAX))
            .map(|(_, draft)| *draft)
            .collect()
    }

    /// Drafts of every copy planned to `site`.
    fn copies_planned_to(&self, site: usize) -> Vec<usize> {
        self.planned
            .iter()
            .filter(|((_, to), _)| *to == site)
            .map(|(_, draft)| *draft)
            .collect()
    }

    pub(super) fn archive_to(&self) -> Option<usize> {
        if self.policy.destruction.expired != Expired::Archive {
            return None;
        }
        let label = self.policy.destruction.archive_to.as_ref()?;
        self.world.site(&Location::Disk(label.clone()))
    }

    /// Moves the last copy of an expiring backup to the archive disk. Returns
    /// the archive draft and the site it moves from, or None (pending) when the
    /// archive disk is absent or full.
    pub(super) fn archive_last_copy(
        &mut self,
        backup: usize,
        sources: &[usize],
    ) -> Option<(usize, usize)> {
        let target = self.archive_to()?;
        // Never from off-site: an encrypted copy cannot be read on the server.
        let readable: Vec<usize> = sources
            .iter()
            .copied()
            .filter(|s| self.world.sites[*s].role != Role::Offsite)
            .collect();
        let source = readable
            .iter()
            .copied()
            .find(|s| *s != self.world.server())
            .or_else(|| readable.first().copied())?;
        if !self.world.sites[target].is_actionable() {
            let why = format!("{} to keep the last copy", self.unavailable_words(target));
            self.pending.push(Pending {
                op: Op::Archive,
                backup: self.name(backup).to_string(),
                to: Some(self.world.sites[target].location.clone()),
                location: Some(self.world.sites[source].location.clone()),
                bytes: self.size(backup),
                reason: why,
            });
            return None;
        }
        let size = i128::from(self.size(backup));
        if let Some(room) = self.room[target] {
            if size > room {
                self.overflow[target].0 += self.size(backup);
                self.overflow[target].1 += 1;
                return None;
            }
            self.room[target] = Some(room - size);
        }
        let draft = self.push(Draft {
            op: Op::Archive,
            backup,
            from: Some(source),
            to: Some(target),
            at: Some(source),
            reason: format!(
                "expired on {}: no rule keeps it; moved to the archive",
                self.site_name(source)
            ),
            after: Vec::new(),
        });
        self.planned.insert((backup, target), draft);
        self.free(source, backup, draft);
        Some((draft, source))
    }

    pub(super) fn free(&mut self, site: usize, backup: usize, draft: usize) {
        if let Some(room) = self.room[site] {
            self.room[site] = Some(room + i128::from(self.size(backup)));
        }
        self.freeing[site].push(draft);
    }

    pub(super) fn push_pending_deletion(
        &mut self,
        backup: usize,
        site: usize,
        reason: String,
        archive: bool,
    ) {
        let op = match self.policy.destruction.expired {
            Expired::Destroy => Op::Destroy,
            Expired::Archive if archive => Op::Archive,
            _ => Op::Remove,
        };
        let to = if op == Op::Archive {
            self.archive_to()
                .map(|s| self.world.sites[s].location.clone())
        } else {
            None
        };
        self.pending.push(Pending {
            op,
            backup: self.name(backup).to_string(),
            to,
            location: Some(self.world.sites[site].location.clone()),
            bytes: self.size(backup),
            reason: format!("expired; {reason}"),
        });
    }
}
