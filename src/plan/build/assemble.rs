//! Turning the builder's drafts into the finished [`Plan`]: late edges, the
//! execution order, ids, backup statuses, the locations header and the
//! mass-delete guard's warnings.

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;

use super::parallel;
use super::{Builder, Draft};
use crate::inventory::Inventory;
use crate::placement::{Role, StaleCopy, Unavailable};
use crate::plan::graph::order;
use crate::plan::warnings::mass_delete_warnings;
use crate::plan::{Action, BackupStatus, Op, Plan, SiteSummary};

impl Builder<'_> {
    /// Copies that count on space freed by dependent deletions wait for every
    /// deletion on their disk (except their own backup's).
    pub(super) fn add_late_edges(&mut self) {
        for site in 0..self.world.sites.len() {
            for copy in self.bonus_users[site].clone() {
                let backup = self.drafts[copy].backup;
                let deletions: Vec<usize> = (0..self.drafts.len())
                    .filter(|d| self.drafts[*d].at == Some(site) && self.drafts[*d].op != Op::Copy)
                    .filter(|d| self.drafts[*d].backup != backup)
                    .collect();
                self.drafts[copy].after.extend(deletions);
            }
        }
    }

    pub(super) fn finish(
        mut self,
        inventory: &Inventory,
        at: DateTime<Tz>,
        today: NaiveDate,
    ) -> Option<Plan> {
        self.add_late_edges();
        // The drafts are consumed here: their edges and reasons move into the
        // actions rather than being copied (a large plan has 100,000s).
        let mut drafts = std::mem::take(&mut self.drafts);
        // The backups' statuses need only the decisions, not the order: on a
        // large office the actions are ordered on another core meanwhile. The
        // statuses stay on this thread: their 200,000 small allocations reuse
        // memory that earlier steps freed, where a new thread's allocator
        // starts empty (measured: a tenth of this step faster than the other
        // way round).
        let (ordered, backups) = parallel::join(
            self.world.backups.len(),
            || self.ordered_actions(&mut drafts),
            || self.backup_statuses(),
        );
        let (mut actions, backup_of) = ordered?;
        let findings = crate::plan::guard::mark_and_guard(
            self.policy,
            self.world,
            self.retention,
            &mut actions,
            &backup_of,
            today,
        );
        self.warnings.extend(mass_delete_warnings(&findings));
        Some(Plan {
            office: self.policy.office.name.clone(),
            timezone: self.policy.office.calendar.timezone.name().to_string(),
            at: at.fixed_offset(),
            today,
            sites: self.site_summaries(inventory),
            backups,
            actions,
            pending: self.pending,
            warnings: self.warnings,
            deletions_stopped: self.gate.closed_by.clone(),
            // Filled in by `make_plan`.
            inventory_hash: String::new(),
        })
    }

    /// The drafts as actions in execution order, with each action's backup
    /// index; None if their edges form a cycle.
    fn ordered_actions(&self, drafts: &mut [Draft]) -> Option<(Vec<Action>, Vec<usize>)> {
        let edges: Vec<Vec<usize>> = drafts
            .iter_mut()
            .map(|d| {
                let mut after = std::mem::take(&mut d.after);
                after.sort_unstable();
                after.dedup();
                after
            })
            .collect();
        // Copies first (tonight's backup is what matters most if the run is
        // cut short), then archive moves, then deletions, unless an edge says
        // otherwise.
        let priority: Vec<u8> = drafts
            .iter()
            .map(|d| match d.op {
                Op::Copy | Op::Capture => 0,
                Op::Archive => 1,
                Op::Remove | Op::Destroy => 2,
            })
            .collect();
        let sequence = order(&edges, &priority).ok()?;
        let mut id_of = vec![0usize; drafts.len()];
        for (position, draft) in sequence.iter().enumerate() {
            id_of[*draft] = position + 1;
        }
        let backup_of = sequence.iter().map(|d| drafts[*d].backup).collect();
        let actions = sequence
            .iter()
            .map(|d| self.action(&mut drafts[*d], id_of[*d], &edges[*d], &id_of))
            .collect();
        Some((actions, backup_of))
    }

    /// The action of `draft`, numbered `id`, which must finish after drafts
    /// `after`; takes the draft's reason.
    fn action(&self, draft: &mut Draft, id: usize, after: &[usize], id_of: &[usize]) -> Action {
        let location = |site: Option<usize>| site.map(|s| self.world.sites[s].location.clone());
        let mut after: Vec<usize> = after.iter().map(|a| id_of[*a]).collect();
        after.sort_unstable();
        Action {
            id,
            op: draft.op,
            backup: self.name(draft.backup).to_string(),
            kind: self.world.backups[draft.backup].kind,
            from: location(draft.from),
            to: location(draft.to),
            location: location(draft.at),
            bytes: self.size(draft.backup),
            reason: std::mem::take(&mut draft.reason),
            after,
            // Set once every action is known (the guard decides it).
            last_copy: false,
        }
    }

    pub(super) fn backup_statuses(&self) -> Vec<BackupStatus> {
        self.world
            .backups
            .iter()
            .enumerate()
            .map(|(index, backup)| {
                let required = self.required_sites(index);
                BackupStatus {
                    name: backup.dated.name.clone(),
                    business_day: backup.dated.business_day,
                    size: backup.size,
                    kind: backup.kind,
                    reasons: self.retention.reasons[index].clone(),
                    day_backup: self.retention.is_day_backup[index],
                    locations: self
                        .world
                        .sites
                        .iter()
                        .filter(|site| site.has_verified(index))
                        .map(|site| site.location.clone())
                        .collect(),
                    required_at: required
                        .iter()
                        .map(|site| self.world.sites[*site].location.clone())
                        .collect(),
                    required_because: required
                        .iter()
                        .map(|site| self.copy_reason(index, *site))
                        .collect(),
                    settling: backup.settling,
                    stale_at: self
                        .stale_copies_of(index)
                        .map(|stale| self.world.sites[stale.site].location.clone())
                        .collect(),
                    tampered: self.world.is_tampered(index),
                }
            })
            .collect()
    }

    /// The stale copies of one backup (`world.stale` is in backup order).
    fn stale_copies_of(&self, backup: usize) -> impl Iterator<Item = &StaleCopy> {
        let stale = &self.world.stale;
        let first = stale.partition_point(|copy| copy.backup < backup);
        stale[first..]
            .iter()
            .take_while(move |copy| copy.backup == backup)
    }

    pub(super) fn site_summaries(&self, inventory: &Inventory) -> Vec<SiteSummary> {
        self.world
            .sites
            .iter()
            .map(|site| {
                let disk = site
                    .disk_id
                    .as_ref()
                    .and_then(|id| inventory.disks.iter().find(|d| &d.id == id));
                let mount = match site.role {
                    Role::Server => Some(inventory.source.path.display().to_string()),
                    Role::Offsite => self
                        .policy
                        .offsite_target(site.location.name())
                        .map(|target| target.path.display().to_string()),
                    _ => disk
                        .and_then(|d| d.mount.as_ref())
                        .map(|m| m.path.display().to_string()),
                };
                let blocked = match &site.unavailable {
                    Some(Unavailable::DuplicateLabel) => {
                        Some(String::from("two disks with this label are connected"))
                    }
                    Some(Unavailable::ManifestUnreadable(e)) => {
                        Some(format!("manifest unreadable: {e}"))
                    }
                    _ => None,
                };
                SiteSummary {
                    location: site.location.clone(),
                    role: match site.role {
                        Role::Server => "server",
                        Role::Rotation => "rotation",
                        Role::Archive => "archive",
                        Role::Offsite => "offsite",
                    },
                    connected: site.role == Role::Server
                        || site.role == Role::Offsite
                        || !matches!(site.unavailable, Some(Unavailable::NotConnected)),
                    blocked,
                    disk_id: site.disk_id.clone(),
                    mount,
                    total: site.space.map(|s| s.total),
                    free: site.space.map(|s| s.free),
                    reserve: site.reserve,
                    last_seen: site.last_seen.map(|t| {
                        t.with_timezone(&self.policy.office.calendar.timezone)
                            .fixed_offset()
                    }),
                    copies: site.verified_count(),
                }
            })
            .collect()
    }
}
