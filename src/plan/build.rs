//! From (policy, inventory, instant) to a [`Plan`]: retention and placement say
//! where each backup must be; this module turns the difference between that and
//! what is where into actions, pending work and warnings.
//!
//! The order of decisions keeps the DAG acyclic by construction:
//! 1. copies to archive disks (they decide whether a home disk still needs a
//!    long-term backup);
//! 2. deletions of backups that get no copy tonight ("independent": they depend
//!    on nothing and may free space);
//! 3. copies, newest first, each fitting in the room left above the reserve
//!    (waiting on independent deletions only when it needs their space);
//! 4. deletions of backups that do get a copy tonight, after those copies.
//!
//! Every deletion passes the same safety checks: never a held backup, never the
//! server's copy of a backup still pending elsewhere, never the last verified
//! copy of a backup that is retained or required anywhere.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;

use super::graph::order;
use super::saved::fingerprint;
use super::warnings::{Warning, WarningCode, mass_delete_warnings, world_warnings};
use super::{Action, BackupStatus, Op, Pending, Plan, SiteSummary};
use crate::inventory::Inventory;
use crate::placement::{self, Location, Placement, Role, Unavailable, World};
use crate::policy::{Expired, Policy};
use crate::render::format::{bytes, plural};
use crate::retention::{self, Dated, Reason, Retention};

/// Why placement wants a backup at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Why {
    KeepLast,
    MinBackups,
    Retained,
    Archive,
    Offsite,
    Fallback,
}

/// Everything the steps below share.
struct Builder<'a> {
    policy: &'a Policy,
    world: &'a World,
    retention: &'a Retention,
    placement: &'a Placement,
    drafts: Vec<Draft>,
    pending: Vec<Pending>,
    warnings: Vec<Warning>,
    /// Bytes that may still be written per site (None: unknown).
    room: Vec<Option<i128>>,
    /// Room before any deletion, to tell which copies need freed space.
    initial_room: Vec<Option<i128>>,
    /// Draft writing backup b to site s.
    planned: HashMap<(usize, usize), usize>,
    /// Drafts that free space on a site (independent deletions, archive moves).
    freeing: Vec<Vec<usize>>,
    /// Per site: bytes that did not fit, and how many copies.
    overflow: Vec<(u64, usize)>,
    required: Vec<Vec<(usize, Why)>>,
    /// Backups whose deletions have been decided (each is decided once).
    decided: Vec<bool>,
    /// Extra room per site granted by a later pass (space dependent deletions
    /// free), and the copies that count on it.
    bonus: Vec<i128>,
    bonus_users: Vec<Vec<usize>>,
}

/// An action before ordering: indices instead of names.
#[derive(Debug, Clone)]
struct Draft {
    op: Op,
    backup: usize,
    from: Option<usize>,
    to: Option<usize>,
    at: Option<usize>,
    reason: String,
    after: BTreeSet<usize>,
}

/// What every planning pass shares: the world, retention and placement.
struct Context<'a> {
    policy: &'a Policy,
    inventory: &'a Inventory,
    at: DateTime<Tz>,
    today: NaiveDate,
    world: World,
    retention: Retention,
    placement: Placement,
}

/// One pass's plan (None if its dependencies formed a cycle), and the bytes
/// dependent deletions free on sites where copies did not fit.
struct Pass {
    plan: Option<Plan>,
    freed_late: Vec<i128>,
}

/// How many times planning may retry to use space freed by dependent deletions.
const MAX_PASSES: usize = 3;

/// Makes the plan for `policy` and `inventory` at instant `at`.
///
/// The first pass lets copies use only space that independent deletions free.
/// If a copy did not fit on a disk where deletions that wait for other copies
/// free space (a fallback copy leaving once its home disk has the backup), a
/// further pass lets it use that space, after those deletions; that plan is
/// kept only if it is acyclic and every write fits in execution order. This
/// keeps `apply` twice in a row idempotent on nearly full disks.
pub fn make_plan(policy: &Policy, inventory: &Inventory, at: DateTime<Tz>) -> Plan {
    let context = Context::new(policy, inventory, at);
    let first = context.pass(&vec![0; context.world.sites.len()]);
    let mut plan = first
        .plan
        .expect("rota bug: the first planning pass formed a cycle");
    let mut bonus = first.freed_late;
    for _ in 1..MAX_PASSES {
        if bonus.iter().all(|bytes| *bytes == 0) {
            break;
        }
        let next = context.pass(&bonus);
        match next.plan {
            Some(candidate) if fits_in_order(&candidate, &context.world) => plan = candidate,
            _ => break,
        }
        if next.freed_late == bonus {
            break;
        }
        bonus = next.freed_late;
    }
    plan
}

impl<'a> Context<'a> {
    fn new(policy: &'a Policy, inventory: &'a Inventory, at: DateTime<Tz>) -> Context<'a> {
        let calendar = &policy.office.calendar;
        let today = calendar
            .today(&at)
            .unwrap_or_else(|| calendar.local_time(&at).date());
        let world = placement::world::build(policy, inventory);
        let dated: Vec<Dated> = world.backups.iter().map(|b| b.dated.clone()).collect();
        let retention = retention::retain(&policy.retain, &policy.hold, calendar, &dated, today);
        let offsite: Vec<Retention> = policy
            .offsite
            .iter()
            .map(|target| retention::retain(&target.retain, &[], calendar, &dated, today))
            .collect();
        let placement = placement::place(policy, &world, &retention, &offsite, today);
        Context {
            policy,
            inventory,
            at,
            today,
            world,
            retention,
            placement,
        }
    }

    fn pass(&self, bonus: &[i128]) -> Pass {
        let backups = self.world.backups.len();
        let mut builder = Builder::new(
            self.policy,
            &self.world,
            &self.retention,
            &self.placement,
            bonus,
        );
        builder.warnings = world_warnings(
            self.policy,
            self.inventory,
            &self.world,
            &self.retention,
            self.today,
        );
        builder.plan_archive_copies();
        builder.resolve_requirements();
        let needs_copy: Vec<bool> = (0..backups).map(|b| builder.wants_copy(b)).collect();
        for backup in (0..backups).rev() {
            if !needs_copy[backup] && !builder.has_planned(backup) {
                builder.plan_deletions(backup);
            }
        }
        for backup in (0..backups).rev() {
            if needs_copy[backup] {
                builder.plan_copies(backup);
            }
        }
        for backup in (0..backups).rev() {
            if needs_copy[backup] || builder.has_planned(backup) {
                builder.plan_deletions(backup);
            }
        }
        builder.report_wrong_disks(self.today);
        builder.report_full_disks();
        let freed_late = builder.freed_late();
        Pass {
            plan: builder.finish(self.inventory, self.at, self.today),
            freed_late,
        }
    }
}

/// Whether every write fits above its site's reserve when the actions run in
/// the plan's order (deletions before a write free space for it).
fn fits_in_order(plan: &Plan, world: &World) -> bool {
    let mut free: Vec<Option<i128>> = world
        .sites
        .iter()
        .map(|site| site.space.map(|space| i128::from(space.free)))
        .collect();
    for action in &plan.actions {
        if let Some(site) = action.deleted_at().and_then(|l| world.site(l))
            && let Some(bytes) = free[site].as_mut()
        {
            *bytes += i128::from(action.bytes);
        }
        if let Some(site) = action.writes_to().and_then(|l| world.site(l))
            && let Some(bytes) = free[site].as_mut()
        {
            *bytes -= i128::from(action.bytes);
            if *bytes < i128::from(world.sites[site].reserve) {
                return false;
            }
        }
    }
    true
}

impl<'a> Builder<'a> {
    fn new(
        policy: &'a Policy,
        world: &'a World,
        retention: &'a Retention,
        placement: &'a Placement,
        bonus: &[i128],
    ) -> Builder<'a> {
        // Signed: a disk already inside its reserve has negative room.
        let initial_room: Vec<Option<i128>> = world
            .sites
            .iter()
            .map(|site| {
                site.space
                    .map(|space| i128::from(space.free) - i128::from(site.reserve))
            })
            .collect();
        let room = initial_room
            .iter()
            .zip(bonus)
            .map(|(room, extra)| room.map(|room| room + extra))
            .collect();
        Builder {
            policy,
            world,
            retention,
            placement,
            drafts: Vec::new(),
            pending: Vec::new(),
            warnings: Vec::new(),
            initial_room,
            room,
            planned: HashMap::new(),
            freeing: vec![Vec::new(); world.sites.len()],
            overflow: vec![(0, 0); world.sites.len()],
            required: vec![Vec::new(); world.backups.len()],
            decided: vec![false; world.backups.len()],
            bonus: bonus.to_vec(),
            bonus_users: vec![Vec::new(); world.sites.len()],
        }
    }

    fn name(&self, backup: usize) -> &'a str {
        &self.world.backups[backup].dated.name
    }

    fn size(&self, backup: usize) -> u64 {
        self.world.backups[backup].size
    }

    fn site_name(&self, site: usize) -> String {
        self.world.sites[site].location.to_string()
    }

    fn verified(&self, backup: usize, site: usize) -> bool {
        self.world.sites[site].has_verified(self.name(backup))
    }

    fn has_planned(&self, backup: usize) -> bool {
        self.world
            .sites
            .iter()
            .enumerate()
            .any(|(site, _)| self.planned.contains_key(&(backup, site)))
    }

    fn present_or_planned(&self, backup: usize, site: usize) -> bool {
        self.verified(backup, site) || self.planned.contains_key(&(backup, site))
    }

    /// Step 1: backups held by an archive tier and on no archive disk yet.
    fn plan_archive_copies(&mut self) {
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
                    let labels: Vec<String> = sites.iter().map(|s| self.site_name(*s)).collect();
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
    fn resolve_requirements(&mut self) {
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

    /// Whether a backup is missing from a site where it is required and rota
    /// could put it tonight.
    fn wants_copy(&self, backup: usize) -> bool {
        self.required[backup].iter().any(|(site, _)| {
            *site != self.world.server() && !self.present_or_planned(backup, *site)
        })
    }

    /// Step 3: copies of one backup to every site that needs it.
    fn plan_copies(&mut self, backup: usize) {
        for site in self.required_sites(backup) {
            if site == self.world.server() || self.present_or_planned(backup, site) {
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
    fn try_copy(&mut self, backup: usize, site: usize, reason: String) {
        let Some(source) = self.source_of(backup, site) else {
            let holders: Vec<String> = self
                .world
                .sites
                .iter()
                .filter(|s| s.has_verified(self.name(backup)))
                .map(|s| s.location.to_string())
                .collect();
            let why = if holders.is_empty() {
                String::from("no verified copy is known anywhere")
            } else {
                format!(
                    "it is only on {}, which is not connected",
                    holders.join(" and ")
                )
            };
            self.push_pending_copy(backup, site, why);
            return;
        };
        let size = i128::from(self.size(backup));
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
            self.freeing[site].iter().copied().collect()
        } else {
            BTreeSet::new()
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
    fn freed_late(&self) -> Vec<i128> {
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
    fn committed(&self, site: usize) -> i128 {
        let freed: i128 = self.freeing[site]
            .iter()
            .map(|draft| i128::from(self.size(self.drafts[*draft].backup)))
            .sum();
        match (self.initial_room[site], self.room[site]) {
            (Some(initial), Some(left)) => initial + self.bonus[site] + freed - left,
            _ => 0,
        }
    }

    /// Where to read a backup from: the server, else a connected verified copy.
    fn source_of(&self, backup: usize, target: usize) -> Option<usize> {
        let name = self.name(backup);
        let server = self.world.server();
        if self.world.sites[server].copies.contains_key(name) {
            return Some(server);
        }
        self.world
            .sites
            .iter()
            .enumerate()
            .find(|(i, site)| *i != target && site.is_actionable() && site.has_verified(name))
            .map(|(i, _)| i)
    }

    /// Steps 2 and 4: delete the copies of a backup that nothing requires,
    /// within the safety rules.
    fn plan_deletions(&mut self, backup: usize) {
        if std::mem::replace(&mut self.decided[backup], true) {
            return;
        }
        let reasons = &self.retention.reasons[backup];
        if reasons.contains(&Reason::Hold) {
            return;
        }
        let expired = self.expired_sites(backup);
        if expired.is_empty() {
            return;
        }
        let (actionable, absent): (Vec<usize>, Vec<usize>) = expired
            .into_iter()
            .partition(|site| self.world.sites[*site].is_actionable());
        let survivors = self.survivors(backup, &actionable);
        let needed = !self.required[backup].is_empty() || !reasons.is_empty();
        if needed && survivors.is_empty() {
            return; // never the last verified copy of a backup still needed
        }
        // Archive mode moves the last kept copy to the archive disk; copies on
        // absent disks are expiring too, so they do not count as kept.
        let kept_elsewhere = survivors.iter().any(|site| !absent.contains(site));
        let archive_first = !kept_elsewhere && self.policy.destruction.expired == Expired::Archive;
        for site in absent {
            let why = self.unavailable_words(site);
            self.push_pending_deletion(backup, site, why, archive_first);
        }
        if actionable.is_empty() {
            return;
        }
        let mut after: BTreeSet<usize> = self.planned_for(backup);
        let mut moved_from = None;
        if archive_first {
            // Archive mode: the last copy moves to the archive disk instead of
            // being deleted; while that disk is absent every copy stays.
            let (draft, source) = match self.archive_last_copy(backup, &actionable) {
                Some(archived) => archived,
                None => return,
            };
            after.insert(draft);
            moved_from = Some(source);
        }
        let op = match self.policy.destruction.expired {
            Expired::Destroy => Op::Destroy,
            Expired::Remove | Expired::Archive => Op::Remove,
        };
        for site in actionable
            .into_iter()
            .filter(|site| Some(*site) != moved_from)
        {
            let reason = self.deletion_reason(backup, site, &survivors);
            let independent = after.is_empty();
            let draft = self.push(Draft {
                op,
                backup,
                from: None,
                to: None,
                at: Some(site),
                reason,
                after: after.clone(),
            });
            if independent {
                self.free(site, backup, draft);
            }
        }
    }

    /// The distinct sites a backup is required at.
    fn required_sites(&self, backup: usize) -> Vec<usize> {
        let mut sites: Vec<usize> = self.required[backup]
            .iter()
            .map(|(site, _)| *site)
            .collect();
        sites.sort_unstable();
        sites.dedup();
        sites
    }

    /// Sites holding a verified copy of the backup that nothing requires there.
    fn expired_sites(&self, backup: usize) -> Vec<usize> {
        let name = self.name(backup);
        let required = self.required_sites(backup);
        let archive_keeps = self.archive_to();
        (0..self.world.sites.len())
            .filter(|site| self.world.sites[*site].has_verified(name))
            .filter(|site| !required.contains(site))
            .filter(|site| Some(*site) != archive_keeps)
            .filter(|site| !self.keeps_for_pending(backup, *site))
            .collect()
    }

    /// A copy kept although not required: the server's copy of a backup still
    /// pending somewhere, or a wrong-disk fallback copy whose home disk does not
    /// have the backup yet.
    fn keeps_for_pending(&self, backup: usize, site: usize) -> bool {
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

    /// Sites that will still hold a verified copy after deleting `deleting`.
    fn survivors(&self, backup: usize, deleting: &[usize]) -> Vec<usize> {
        (0..self.world.sites.len())
            .filter(|site| !deleting.contains(site))
            .filter(|site| self.present_or_planned(backup, *site))
            .collect()
    }

    fn planned_for(&self, backup: usize) -> BTreeSet<usize> {
        self.planned
            .iter()
            .filter(|((b, _), _)| *b == backup)
            .map(|(_, draft)| *draft)
            .collect()
    }

    fn archive_to(&self) -> Option<usize> {
        if self.policy.destruction.expired != Expired::Archive {
            return None;
        }
        let label = self.policy.destruction.archive_to.as_ref()?;
        self.world.site(&Location::Disk(label.clone()))
    }

    /// Moves the last copy of an expiring backup to the archive disk. Returns
    /// the archive draft and the site it moves from, or None (pending) when the
    /// archive disk is absent or full.
    fn archive_last_copy(&mut self, backup: usize, sources: &[usize]) -> Option<(usize, usize)> {
        let target = self.archive_to()?;
        let source = *sources
            .iter()
            .find(|s| **s != self.world.server())
            .unwrap_or(&sources[0]);
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
            after: BTreeSet::new(),
        });
        self.planned.insert((backup, target), draft);
        self.free(source, backup, draft);
        Some((draft, source))
    }

    fn free(&mut self, site: usize, backup: usize, draft: usize) {
        if let Some(room) = self.room[site] {
            self.room[site] = Some(room + i128::from(self.size(backup)));
        }
        self.freeing[site].push(draft);
    }

    fn push(&mut self, draft: Draft) -> usize {
        self.drafts.push(draft);
        self.drafts.len() - 1
    }

    fn push_pending_copy(&mut self, backup: usize, site: usize, reason: String) {
        self.pending.push(Pending {
            op: Op::Copy,
            backup: self.name(backup).to_string(),
            to: Some(self.world.sites[site].location.clone()),
            location: None,
            bytes: self.size(backup),
            reason,
        });
    }

    fn push_pending_deletion(&mut self, backup: usize, site: usize, reason: String, archive: bool) {
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

    // ----- words -----

    fn reason_words(&self, backup: usize) -> String {
        let reasons: Vec<String> = self.retention.reasons[backup]
            .iter()
            .map(|r| r.to_string())
            .collect();
        reasons.join(", ")
    }

    fn copy_reason(&self, backup: usize, site: usize) -> String {
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
                Why::KeepLast => String::from("one of the server's newest"),
            };
            if !part.is_empty() && !parts.contains(&part) {
                parts.push(part);
            }
        }
        parts.join("; ")
    }

    fn deletion_reason(&self, backup: usize, site: usize, survivors: &[usize]) -> String {
        let kept_on: Vec<String> = survivors.iter().map(|s| self.site_name(*s)).collect();
        let label = self.site_name(site);
        let still = if kept_on.is_empty() {
            String::from("this was its last copy, as no rule keeps it")
        } else {
            format!("still on {}", kept_on.join(", "))
        };
        match &self.world.sites[site].role {
            Role::Server => format!(
                "{still}; the server keeps only its newest {}",
                self.policy.source.keep_last
            ),
            Role::Rotation if !self.placement.backups[backup].home.contains(&site) => {
                format!("fallback copy no longer needed; {still}")
            }
            Role::Rotation if self.retention.reasons[backup].is_empty() => format!(
                "expired on {label}: older than its newest {} and held by no tier; {still}",
                self.policy.disks.min_backups
            ),
            Role::Rotation => format!("kept long-term on the archive instead; {still}"),
            Role::Archive | Role::Offsite => {
                format!("expired on {label}: held by no tier; {still}")
            }
        }
    }

    fn unavailable_words(&self, site: usize) -> String {
        let label = self.site_name(site);
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

    fn report_wrong_disks(&mut self, today: NaiveDate) {
        let tonight: Vec<String> = self
            .placement
            .tonight
            .iter()
            .map(|s| self.site_name(*s))
            .collect();
        let today_name =
            crate::render::policy_summary::full_weekday(chrono::Datelike::weekday(&today));
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

    fn report_full_disks(&mut self) {
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

    // ----- assembling the plan -----

    /// Copies that count on space freed by dependent deletions wait for every
    /// deletion on their disk (except their own backup's).
    fn add_late_edges(&mut self) {
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

    fn finish(mut self, inventory: &Inventory, at: DateTime<Tz>, today: NaiveDate) -> Option<Plan> {
        self.add_late_edges();
        let edges: Vec<Vec<usize>> = self
            .drafts
            .iter()
            .map(|d| d.after.iter().copied().collect())
            .collect();
        // Copies first (tonight's backup is what matters most if the run is
        // cut short), then archive moves, then deletions, unless an edge says
        // otherwise.
        let priority: Vec<u8> = self
            .drafts
            .iter()
            .map(|d| match d.op {
                Op::Copy => 0,
                Op::Archive => 1,
                Op::Remove | Op::Destroy => 2,
            })
            .collect();
        let sequence = order(&edges, &priority).ok()?;
        let mut id_of = vec![0usize; self.drafts.len()];
        for (position, draft) in sequence.iter().enumerate() {
            id_of[*draft] = position + 1;
        }
        let actions: Vec<Action> = sequence
            .iter()
            .map(|draft| self.action(*draft, &id_of))
            .collect();
        let backups = self.backup_statuses();
        let findings = super::guard::mass_delete_findings(
            self.policy,
            self.world,
            self.retention,
            &actions,
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
            fingerprint: fingerprint(inventory),
        })
    }

    fn action(&self, draft: usize, id_of: &[usize]) -> Action {
        let d = &self.drafts[draft];
        let location = |site: Option<usize>| site.map(|s| self.world.sites[s].location.clone());
        let mut after: Vec<usize> = d.after.iter().map(|a| id_of[*a]).collect();
        after.sort_unstable();
        Action {
            id: id_of[draft],
            op: d.op,
            backup: self.name(d.backup).to_string(),
            kind: self.world.backups[d.backup].kind,
            from: location(d.from),
            to: location(d.to),
            location: location(d.at),
            bytes: self.size(d.backup),
            reason: d.reason.clone(),
            after,
        }
    }

    fn backup_statuses(&self) -> Vec<BackupStatus> {
        self.world
            .backups
            .iter()
            .enumerate()
            .map(|(index, backup)| BackupStatus {
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
                    .filter(|site| site.has_verified(&backup.dated.name))
                    .map(|site| site.location.clone())
                    .collect(),
                required_at: self
                    .required_sites(index)
                    .into_iter()
                    .map(|site| self.world.sites[site].location.clone())
                    .collect(),
            })
            .collect()
    }

    fn site_summaries(&self, inventory: &Inventory) -> Vec<SiteSummary> {
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
                    copies: site.copies.values().filter(|c| c.verified).count(),
                }
            })
            .collect()
    }
}
