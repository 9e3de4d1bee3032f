//! Section 5, the applications and data criticality analysis (45 CFR
//! 164.308(a)(7)(ii)(E)): the practice database first, then the systems the
//! office lists in `contingency.criticality`, in order of priority. Only the
//! practice database is backed up by this plan; the others are ranked, and
//! the plan says so. Pure.

use super::Evidence;
use super::document::{Block, Section, Value};
use crate::policy::{CriticalSystem, Priority};

pub fn section(evidence: &Evidence) -> Section {
    let policy = evidence.policy;
    let mut rows = vec![vec![
        Value::text("Practice database (the practice software's daily backups, section 1)"),
        Value::text(Priority::Critical.key()),
        Value::text("patient records, schedule and billing: restored first (section 2)"),
        Value::text("yes"),
    ]];
    // Most critical first; the office's order within one priority.
    let mut others: Vec<&CriticalSystem> = policy.contingency.criticality.iter().collect();
    others.sort_by_key(|system| system.priority.unwrap_or(Priority::Low));
    for system in others {
        rows.push(vec![
            Value::text(&system.name),
            Value::text(system.priority.map(Priority::key).unwrap_or("not ranked")),
            Value::text(system.notes.clone().unwrap_or_default()),
            Value::text("no: its own backup"),
        ]);
    }
    let mut blocks = vec![Block::table(
        &["System or data", "Priority", "Notes", "In this plan"],
        rows,
        "",
    )];
    blocks.push(Block::paragraph(if policy.contingency.criticality.is_empty() {
        "Only the practice database is listed: add the office's other systems and data (imaging, \
         documents, e-mail, phones) under contingency.criticality to rank them."
    } else {
        "Restore in order of priority. Systems other than the practice database are listed to \
         rank them; this plan does not back them up."
    }));
    Section {
        id: "criticality",
        number: 5,
        title: "Applications and data criticality analysis",
        cites: "45 CFR 164.308(a)(7)(ii)(E)",
        blocks,
    }
}
