//! The safety invariants (docs/architecture.md) that can be checked on plans alone, as
//! one implementation shared by the planner's tests, its property tests and
//! `rota simulate` (which reports a violation as a bug, with the day).
//!
//! - [`check_plan`]: one plan is safe to carry out — it acts only on backups
//!   (invariant 1) at locations rota may change now, never deletes a held
//!   backup (8) or the last verified copy of a needed one (2), and runs every
//!   deletion after the copies it depends on (3).
//! - [`check_accounted`]: every copy placement requires is present, planned
//!   or reported as pending (nothing is silently dropped).
//! - [`check_converged`]: the plan made right after carrying one out is
//!   empty (5).
//!
//! Pure: each returns every violation it finds and never panics.

use std::collections::HashSet;
use std::fmt;

use super::{Op, Plan};
use crate::placement::Location;
use crate::policy::Policy;
use crate::retention::Reason;

/// A broken invariant: which one (its number in docs/architecture.md) and what happened.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    pub invariant: u8,
    pub message: String,
}

impl Violation {
    fn new(invariant: u8, message: String) -> Violation {
        Violation { invariant, message }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invariant {}: {}", self.invariant, self.message)
    }
}

/// Invariants 1, 2, 3 and 8 on one plan.
pub fn check_plan(policy: &Policy, plan: &Plan) -> Vec<Violation> {
    let mut found = Vec::new();
    only_backups_at_actionable_sites(policy, plan, &mut found);
    deletions_are_safe(policy, plan, &mut found);
    prerequisites_come_first(plan, &mut found);
    found
}

/// Invariant 1: only names the pattern matches, only at sites rota may change.
fn only_backups_at_actionable_sites(policy: &Policy, plan: &Plan, found: &mut Vec<Violation>) {
    let actionable: HashSet<&Location> = plan
        .sites
        .iter()
        .filter(|site| site.connected && site.blocked.is_none())
        .map(|site| &site.location)
        .collect();
    for action in &plan.actions {
        if !policy.source.pattern.matches(&action.backup) {
            found.push(Violation::new(
                1,
                format!(
                    "action {} touches {}, which the pattern does not match",
                    action.id, action.backup
                ),
            ));
        }
        let touched = [action.writes_to(), action.deleted_at()];
        for location in touched.into_iter().flatten() {
            if !actionable.contains(location) {
                found.push(Violation::new(
                    1,
                    format!(
                        "action {} ({} {}) changes {location}, which is not connected or is blocked",
                        action.id,
                        action.op.key(),
                        action.backup
                    ),
                ));
            }
        }
    }
}

/// Invariants 8, 2 and 3 for every backup the plan deletes somewhere.
fn deletions_are_safe(policy: &Policy, plan: &Plan, found: &mut Vec<Violation>) {
    for backup in &plan.backups {
        let of_backup = || plan.actions.iter().filter(|a| a.backup == backup.name);
        let deletions: Vec<_> = of_backup().filter(|a| a.op.deletes()).collect();
        if deletions.is_empty() {
            continue;
        }
        if backup.reasons.contains(&Reason::Hold)
            || policy.is_held(&backup.name, backup.business_day)
        {
            found.push(Violation::new(
                8,
                format!("{} is on hold but the plan deletes it", backup.name),
            ));
        }
        let writes = of_backup().filter(|a| a.writes_to().is_some()).count() as i64;
        // Only deletions of counted copies lower the count (removing an
        // off-site copy still waiting for its upload does not).
        let counted = deletions
            .iter()
            .filter(|d| {
                d.deleted_at()
                    .is_some_and(|at| backup.locations.contains(at))
            })
            .count() as i64;
        let copies_after = backup.locations.len() as i64 + writes - counted;
        let needed = !backup.reasons.is_empty() || !backup.required_at.is_empty();
        if needed && copies_after < 1 {
            found.push(Violation::new(
                2,
                format!(
                    "the plan deletes the last verified copy of {}, which is still needed",
                    backup.name
                ),
            ));
        }
        for deletion in deletions {
            let copies = of_backup().filter(|a| a.writes_to().is_some() && a.id != deletion.id);
            for copy in copies {
                if deletion.op != Op::Archive && !deletion.after.contains(&copy.id) {
                    found.push(Violation::new(
                        3,
                        format!(
                            "deletion {} of {} does not wait for copy {}",
                            deletion.id, backup.name, copy.id
                        ),
                    ));
                }
            }
        }
    }
}

/// Invariant 3: the actions are in an order that runs prerequisites first.
fn prerequisites_come_first(plan: &Plan, found: &mut Vec<Violation>) {
    for action in &plan.actions {
        for before in &action.after {
            if *before >= action.id {
                found.push(Violation::new(
                    3,
                    format!("action {} runs before its prerequisite {before}", action.id),
                ));
            }
        }
    }
}

/// Every copy placement requires is present, planned or pending.
pub fn check_accounted(plan: &Plan) -> Vec<Violation> {
    let planned: HashSet<(&str, &str)> = plan
        .actions
        .iter()
        .filter_map(|a| Some((a.backup.as_str(), a.writes_to()?.name())))
        .collect();
    let pending: HashSet<(&str, &str)> = plan
        .pending
        .iter()
        .filter_map(|p| Some((p.backup.as_str(), p.to.as_ref()?.name())))
        .collect();
    let mut found = Vec::new();
    for backup in &plan.backups {
        for site in &backup.required_at {
            let key = (backup.name.as_str(), site.name());
            if !backup.locations.contains(site)
                && !planned.contains(&key)
                && !pending.contains(&key)
            {
                found.push(Violation::new(
                    2,
                    format!(
                        "{} is required at {site} but is neither there, planned nor pending",
                        backup.name
                    ),
                ));
            }
        }
    }
    found
}

/// Invariant 5: the plan made right after carrying one out has nothing to do.
pub fn check_converged(second: &Plan) -> Vec<Violation> {
    second
        .actions
        .iter()
        .map(|action| {
            Violation::new(
                5,
                format!(
                    "after the plan was carried out, the next plan still wants to {} {}",
                    action.op.key(),
                    action.backup
                ),
            )
        })
        .collect()
}

/// Every violation as one message per line (for test failures and reports).
pub fn describe(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
