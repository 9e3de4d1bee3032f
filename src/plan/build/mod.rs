//! From (policy, inventory, instant) to a [`Plan`]: retention and placement say
//! where each backup must be; this module turns the difference between that and
//! what is where into actions, pending work and warnings.
//!
//! The order of decisions keeps the DAG acyclic by construction:
//! 1. copies to archive disks (they decide whether a home disk still needs a
//!    long-term backup);
//!    Then copies to off-site targets (they use only the staging folder's
//!    room, and expiring off-site copies wait for them);
//! 2. deletions of backups that get no copy tonight ("independent": they depend
//!    on nothing and may free space);
//! 3. copies, newest first, each fitting in the room left above the reserve
//!    (waiting on independent deletions only when it needs their space);
//! 4. deletions of backups that do get a copy tonight, after those copies.
//!
//! Every deletion passes the same safety checks: never a held backup, never the
//! server's copy of a backup still pending elsewhere, never the last verified
//! copy of a backup that is retained or required anywhere.

mod assemble;
mod copies;
mod deletions;
mod parallel;
mod words;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;

use super::gate::Gate;
use super::saved::inventory_hash;
use super::warnings::{Warning, world_warnings};
use super::{Op, Pending, Plan};
use crate::inventory::Inventory;
use crate::placement::{self, Placement, World};
use crate::policy::Policy;
use crate::retention::{self, Retention};

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
    /// Closed: no deletion is planned anywhere (safety invariant 13).
    gate: &'a Gate,
    retention: &'a Retention,
    placement: &'a Placement,
    drafts: Vec<Draft>,
    pending: Vec<Pending>,
    warnings: Vec<Warning>,
    /// Bytes that may still be written per site (None: unknown).
    room: Vec<Option<i128>>,
    /// Room before any deletion, to tell which copies need freed space.
    initial_room: Vec<Option<i128>>,
    /// Draft writing backup b to site s (ordered: a backup's are a range).
    planned: BTreeMap<(usize, usize), usize>,
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
    /// Drafts that must finish first (may repeat; the order removes repeats).
    after: Vec<usize>,
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
    gate: Gate,
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
    let calendar = &policy.office.calendar;
    let today = calendar
        .today(&at)
        .unwrap_or_else(|| calendar.local_time(&at).date());
    make_plan_for_night(policy, inventory, at, today)
}

/// As [`make_plan`], for the night of business day `night` although it is
/// made at `at`: a scheduled run delivered late (the Mac woke at 07:30)
/// plans last night's rotation and retention, not the new day's.
pub fn make_plan_for_night(
    policy: &Policy,
    inventory: &Inventory,
    at: DateTime<Tz>,
    night: NaiveDate,
) -> Plan {
    // The hash depends on the inventory alone: on a large office it is
    // computed on another core while the plan is made.
    let (inventory_hash, plan) = parallel::join(
        inventory.source.backups.len(),
        || inventory_hash(inventory),
        || {
            super::capture::with_capture(policy, inventory, |tonight| {
                plan_in_passes(policy, tonight, at, night)
            })
        },
    );
    Plan {
        inventory_hash,
        ..plan
    }
}

/// The plan of [`make_plan`], without its inventory hash.
fn plan_in_passes(
    policy: &Policy,
    inventory: &Inventory,
    at: DateTime<Tz>,
    today: NaiveDate,
) -> Plan {
    let context = Context::new(policy, inventory, at, today);
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
    fn new(
        policy: &'a Policy,
        inventory: &'a Inventory,
        at: DateTime<Tz>,
        today: NaiveDate,
    ) -> Context<'a> {
        let calendar = &policy.office.calendar;
        let world = placement::world::build(policy, inventory, today);
        let retention = retention::retain(
            &policy.retain,
            &policy.hold,
            calendar,
            &world.backups,
            today,
        );
        let offsite: Vec<Retention> = policy
            .offsite
            .iter()
            .map(|target| retention::retain(&target.retain, &[], calendar, &world.backups, today))
            .collect();
        let placement = placement::place(policy, &world, &retention, &offsite, today);
        let gate = super::gate::judge(policy, &world, today);
        Context {
            policy,
            inventory,
            at,
            today,
            world,
            retention,
            placement,
            gate,
        }
    }

    fn pass(&self, bonus: &[i128]) -> Pass {
        let backups = self.world.backups.len();
        let mut builder = Builder::new(
            self.policy,
            &self.world,
            &self.retention,
            &self.placement,
            &self.gate,
            bonus,
        );
        builder.warnings = world_warnings(
            self.policy,
            self.inventory,
            &self.world,
            &self.gate,
            self.today,
        );
        builder.plan_archive_copies();
        builder.resolve_requirements();
        builder.plan_offsite_copies();
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
        gate: &'a Gate,
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
            gate,
            retention,
            placement,
            // About one action per backup on a large office: sized once.
            drafts: Vec::with_capacity(world.backups.len()),
            pending: Vec::new(),
            warnings: Vec::new(),
            initial_room,
            room,
            planned: BTreeMap::new(),
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

    fn site_name(&self, site: usize) -> &'a str {
        self.world.sites[site].location.name()
    }

    fn verified(&self, backup: usize, site: usize) -> bool {
        self.world.sites[site].has_verified(backup)
    }

    fn has_planned(&self, backup: usize) -> bool {
        self.planned
            .range((backup, 0)..=(backup, usize::MAX))
            .next()
            .is_some()
    }

    fn present_or_planned(&self, backup: usize, site: usize) -> bool {
        self.verified(backup, site) || self.planned.contains_key(&(backup, site))
    }

    fn push(&mut self, draft: Draft) -> usize {
        self.drafts.push(draft);
        self.drafts.len() - 1
    }
}
