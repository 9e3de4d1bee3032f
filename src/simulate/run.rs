//! The night loop: each night of the period, the practice software makes its
//! backup (unless the night is missed or the server is full), staff connect
//! tonight's disk (or, now and then, another one), then the real planner plans
//! and the simulated executor of [`SyntheticOffice`] carries the plan out —
//! exactly as `rota apply` would each night, with no real files.
//!
//! Every night the plan is checked against the safety invariants (the shared
//! [`crate::plan::invariants`]), carried out, and planned again to check that
//! nothing is left to do. The first broken invariant stops the simulation and
//! is reported as a bug with the day and the state.
//!
//! Archive disks are connected on the first open night of each month (when
//! month-end backups wait for them); on closed nights the last open night's
//! disks stay connected. Restore tests are not simulated.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveTime, Utc};

use super::assumptions::Assumptions;
use super::prng::SplitMix64;
use super::report::{Bug, KeptBackup, NightRecord, Simulation, Track};
use crate::placement::Location;
use crate::placement::nightly::{self, Night};
use crate::plan::{Plan, invariants, make_plan, text};
use crate::policy::Policy;
use crate::retention::Reason;
use crate::simulate::synthetic::SyntheticOffice;

/// When the practice software's backup is named, office time.
const BACKUP_TIME: (u32, u32) = (23, 30);
/// When `rota apply` runs, office time.
const APPLY_TIME: (u32, u32) = (23, 55);

/// Runs the policy night by night over the assumptions' period.
pub fn simulate(policy: &Policy, assumptions: &Assumptions) -> Simulation {
    simulate_office(policy, assumptions).0
}

/// As [`simulate`], also returning the office as the last night left it
/// (for tests that need an office with a history).
pub fn simulate_office(
    policy: &Policy,
    assumptions: &Assumptions,
) -> (Simulation, SyntheticOffice) {
    let mut office = SyntheticOffice::new(policy, assumptions.disk_size);
    if let Some(total) = assumptions.server_size {
        office.server_total = total;
    }
    let mut run = Run {
        policy,
        assumptions,
        rng: SplitMix64::new(assumptions.seed),
        connected: Vec::new(),
        last_open: None,
        simulation: Simulation {
            office: policy.office.name.clone(),
            assumptions: assumptions.clone(),
            nights: Vec::new(),
            disks: disk_tracks(policy, assumptions),
            server: server_track(policy, assumptions),
            kept: Vec::new(),
            bug: None,
        },
    };
    let mut last_plan = None;
    let days = assumptions.from.iter_days();
    for date in days.take_while(|day| *day <= assumptions.to) {
        match run.night(&mut office, date) {
            Ok(settled) => last_plan = Some(settled),
            Err(bug) => {
                run.simulation.bug = Some(*bug);
                break;
            }
        }
    }
    if let Some(plan) = &last_plan {
        run.simulation.kept = kept_backups(plan);
    }
    (run.simulation, office)
}

struct Run<'a> {
    policy: &'a Policy,
    assumptions: &'a Assumptions,
    rng: SplitMix64,
    /// Disks connected now (they stay connected over closed nights).
    connected: Vec<String>,
    last_open: Option<NaiveDate>,
    simulation: Simulation,
}

impl Run<'_> {
    /// One night; returns the plan made after the night's work (empty when
    /// all is well), or the bug found.
    fn night(&mut self, office: &mut SyntheticOffice, date: NaiveDate) -> Result<Plan, Box<Bug>> {
        let night = nightly::night(self.policy, date);
        let mut record = NightRecord {
            date,
            open: night.open,
            ..NightRecord::default()
        };
        if night.open {
            self.make_backup(office, &mut record);
            self.connected = self.disks_for(&night, &mut record);
            self.last_open = Some(date);
        }
        record.connected = self.connected.clone();
        let at = self
            .policy
            .office
            .calendar
            .instant_of(date.and_time(time(APPLY_TIME)));
        let now = at.with_timezone(&Utc);
        let labels: Vec<&str> = self.connected.iter().map(String::as_str).collect();
        office.connect_only(&labels, now);
        // Restore tests are not simulated; keep their warning out of the plans.
        office.last_restore_test = Some(date);
        let plan = make_plan(self.policy, &office.inventory(self.policy), at);
        let before = office.clone();
        let mut problems: Vec<String> = invariants::check_plan(self.policy, &plan)
            .into_iter()
            .chain(invariants::check_accounted(&plan))
            .map(|violation| violation.to_string())
            .collect();
        self.note_out_of_room(office, &plan, date);
        if problems.is_empty()
            && let Err(error) = office.apply(&plan, now)
        {
            problems.push(format!("the plan could not be carried out: {error}"));
        }
        let settled = make_plan(self.policy, &office.inventory(self.policy), at);
        if problems.is_empty() {
            problems.extend(
                invariants::check_converged(&settled)
                    .into_iter()
                    .map(|violation| violation.to_string()),
            );
        }
        count_work(&plan, &mut record);
        self.record_usage(office);
        self.simulation.nights.push(record);
        if problems.is_empty() {
            Ok(settled)
        } else {
            Err(Box::new(Bug {
                date,
                violations: problems,
                plan: text::render(&plan, false),
                state: describe_state(&before),
            }))
        }
    }

    /// Tonight's backup, unless the night is missed or the server is full.
    fn make_backup(&mut self, office: &mut SyntheticOffice, record: &mut NightRecord) {
        let size = self.assumptions.backup_size_on(record.date);
        record.backup_size = size;
        if self.rng.chance(self.assumptions.missed_days) {
            record.missed = true;
            return;
        }
        let server = &mut self.simulation.server;
        if let Some(capacity) = server.capacity {
            let used: u64 = office.source.values().sum();
            if used.saturating_add(size) > capacity.saturating_sub(server.reserve) {
                record.server_full = true;
                let name = self
                    .policy
                    .source
                    .pattern
                    .name_for(backup_time(record.date));
                server.note_out_of_room(record.date, &name, size);
                return;
            }
        }
        let name = office.add_backup(self.policy, backup_time(record.date), size);
        record.backup = Some(name);
    }

    /// Tonight's disks; now and then another rotation disk instead; archive
    /// disks too on the first open night of a month.
    fn disks_for(&mut self, night: &Night, record: &mut NightRecord) -> Vec<String> {
        let mut disks = night.connect.clone();
        if self.rng.chance(self.assumptions.wrong_disk) {
            let others: Vec<&str> = self
                .policy
                .disks
                .rotation
                .iter()
                .map(|disk| disk.label.as_str())
                .filter(|label| !night.connect.iter().any(|c| c == label))
                .collect();
            if !others.is_empty() {
                let wrong = others[self.rng.below(others.len())];
                disks = vec![wrong.to_string()];
                record.wrong_disk = true;
            }
        }
        let new_month = self
            .last_open
            .is_none_or(|last| last.month() != night.date.month());
        if new_month && let Some(archive) = &self.policy.disks.archive {
            disks.extend(archive.labels.iter().cloned());
        }
        disks
    }

    /// A copy placement wants on a connected disk that was not planned,
    /// although the backup could be read tonight, did not fit: the disk is
    /// out of room.
    fn note_out_of_room(&mut self, office: &SyntheticOffice, plan: &Plan, date: NaiveDate) {
        let readable = |name: &str| {
            office.source.contains_key(name)
                || office
                    .disks
                    .iter()
                    .any(|disk| disk.connected && disk.copies.contains_key(name))
        };
        let mut full: BTreeMap<&str, (&str, u64)> = BTreeMap::new();
        for pending in &plan.pending {
            let Some(Location::Disk(label)) = &pending.to else {
                continue;
            };
            if self.connected.contains(label) && readable(&pending.backup) {
                full.entry(label.as_str())
                    .or_insert((pending.backup.as_str(), pending.bytes));
            }
        }
        for track in &mut self.simulation.disks {
            if let Some((backup, bytes)) = full.get(track.label.as_str()) {
                track.note_out_of_room(date, backup, *bytes);
            }
        }
    }

    fn record_usage(&mut self, office: &SyntheticOffice) {
        for track in &mut self.simulation.disks {
            let used = office
                .disks
                .iter()
                .find(|disk| disk.label == track.label)
                .map_or(0, |disk| disk.used());
            track.used.push(used);
        }
        self.simulation
            .server
            .used
            .push(office.source.values().sum());
    }
}

fn time((hour, minute): (u32, u32)) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("a valid time of day")
}

fn backup_time(date: NaiveDate) -> chrono::NaiveDateTime {
    date.and_time(time(BACKUP_TIME))
}

fn disk_tracks(policy: &Policy, assumptions: &Assumptions) -> Vec<Track> {
    let reserve = policy.disks.reserve.bytes_of(assumptions.disk_size);
    policy
        .disks
        .labels()
        .into_iter()
        .map(|label| Track {
            label: label.to_string(),
            role: if policy.disks.is_archive(label) {
                "archive"
            } else {
                "rotation"
            },
            capacity: Some(assumptions.disk_size),
            reserve,
            used: Vec::new(),
            first_out_of_room: None,
            nights_out_of_room: 0,
        })
        .collect()
}

fn server_track(policy: &Policy, assumptions: &Assumptions) -> Track {
    Track {
        label: String::from("server"),
        role: "server",
        capacity: assumptions.server_size,
        reserve: assumptions
            .server_size
            .map_or(0, |total| policy.source.reserve.bytes_of(total)),
        used: Vec::new(),
        first_out_of_room: None,
        nights_out_of_room: 0,
    }
}

fn count_work(plan: &Plan, record: &mut NightRecord) {
    for action in &plan.actions {
        if action.writes_to().is_some() {
            record.copies += 1;
            record.bytes_written += action.bytes;
        }
        if action.op.deletes() {
            record.deletions += 1;
            record.bytes_deleted += action.bytes;
        }
    }
    record.pending = plan.pending.len();
}

/// Every backup that has a copy somewhere after the last night.
fn kept_backups(plan: &Plan) -> Vec<KeptBackup> {
    plan.backups
        .iter()
        .filter(|backup| !backup.locations.is_empty())
        .map(|backup| KeptBackup {
            name: backup.name.clone(),
            business_day: backup.business_day,
            tiers: backup
                .reasons
                .iter()
                .map(|reason| match reason {
                    Reason::Hold => String::from("hold"),
                    Reason::Future => String::from("future"),
                    other => other.tier().map_or("", |tier| tier.key()).to_string(),
                })
                .collect(),
            locations: backup
                .locations
                .iter()
                .map(|location| location.name().to_string())
                .collect(),
        })
        .collect()
}

/// Each location and what it held, for a bug report.
fn describe_state(office: &SyntheticOffice) -> Vec<String> {
    let mut lines = vec![format!(
        "server: {}",
        office.source.keys().cloned().collect::<Vec<_>>().join(", ")
    )];
    for disk in &office.disks {
        lines.push(format!(
            "{} ({}, {} of {} bytes used): {}",
            disk.label,
            if disk.connected {
                "connected"
            } else {
                "not connected"
            },
            disk.used(),
            disk.total,
            disk.copies.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    lines
}
