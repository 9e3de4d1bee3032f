//! Whether the office's written contingency plan keeps up with its policy:
//! `contingency-outdated` (the policy changed after the latest saved plan,
//! or none is saved) and `contingency-incomplete` (advisory: the keys the
//! plan still prints as blanks). Left out for an office that has neither a
//! `contingency:` section nor a saved plan: it has not started one.
//!
//! Pure: the CLI reads the saved versions and works out the policy's digest
//! and blank keys (`crate::contingency`); this only compares them.

use super::{Check, Patient};
use crate::contingency::versions::SavedVersion;

/// What the CLI found out about the contingency plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContingencyFacts {
    /// The latest saved version; `None`: none saved yet.
    pub latest: Option<SavedVersion>,
    /// The digest of the policy's part of the plan as the policy is now.
    pub digest: String,
    /// The policy keys the plan prints as blanks.
    pub blank: Vec<String>,
}

pub fn contingency_checks(patient: &Patient) -> Vec<Check> {
    let Some(facts) = patient.contingency else {
        return Vec::new();
    };
    if facts.latest.is_none() && !patient.policy.contingency.given {
        return Vec::new();
    }
    vec![outdated(patient, facts), incomplete(patient, facts)]
}

fn outdated(patient: &Patient, facts: &ContingencyFacts) -> Check {
    let check = Check::titled(
        "contingency-outdated",
        "The written contingency plan is up to date",
    );
    let make = format!(
        "run `rota contingency {} --out contingency-plan.html`: it saves the plan as it reads now; print it and have it approved and signed",
        patient.policy_arg
    );
    match &facts.latest {
        None => check.warn("no contingency plan has been saved yet", make),
        Some(latest) if latest.policy_digest != facts.digest => check.warn(
            format!(
                "the policy changed after the latest saved plan (revision {} of {}, {})",
                latest.revision, latest.date, latest.file
            ),
            make,
        ),
        Some(latest) => check.pass(format!(
            "revision {} of {} ({}) matches the policy",
            latest.revision, latest.date, latest.file
        )),
    }
}

fn incomplete(patient: &Patient, facts: &ContingencyFacts) -> Check {
    let check = Check::titled(
        "contingency-incomplete",
        "The contingency plan has no blanks left (advisory)",
    );
    if facts.blank.is_empty() {
        return check.pass("the policy gives every value the plan prints");
    }
    check.warn(
        format!(
            "the plan prints blanks to fill in for {}",
            facts.blank.join(", ")
        ),
        format!(
            "add them to the policy (docs/contingency.md), then run `rota contingency {}` again; or fill them in by hand on the printed plan",
            patient.policy_arg
        ),
    )
}
