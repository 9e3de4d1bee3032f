//! Section 2, the disaster recovery plan (45 CFR 164.308(a)(7)(ii)(B)):
//! whom to call, the recovery time objective with the measured duration of
//! the last restore tests set against it, and the step-by-step restores
//! (from the server, from a disk alone on a new Mac, from off-site). Pure.

use super::Evidence;
use super::document::{Block, Section, Value};
use super::steps;
use super::words::{measured, span_words};
use crate::inventory::restore_log::RestoreRecord;
use crate::policy::Policy;

/// How many of the latest restore tests are set against the RTO.
const TESTS_AGAINST_RTO: usize = 5;

pub fn section(evidence: &Evidence) -> Section {
    let policy = evidence.policy;
    let mut blocks = vec![
        Block::heading("Who to call"),
        contacts(policy),
        Block::heading("Recovery time objective"),
        Block::facts([(
            "RTO",
            Value::or_blank(
                policy.contingency.rto.map(|rto| {
                    format!(
                        "{}: the practice must have its data back within {} of a failure",
                        span_words(rto.as_secs()),
                        span_words(rto.as_secs())
                    )
                }),
                "contingency.rto",
            ),
        )]),
        Block::paragraph(
            "Each restore test measures how long rota takes to restore one backup and check it; \
             the table gives that time as a share of the RTO (OVER: restoring alone takes longer \
             than the practice can wait). Getting a computer ready, installing the practice \
             software and loading the backup come on top of that time: allow for them.",
        ),
        tests_against_rto(policy, evidence.restores),
        Block::heading("A. The server works: restore from the server"),
        Block::Steps {
            steps: steps::from_server(policy, evidence.policy_arg),
        },
        Block::heading("B. The server is gone: restore from a disk alone on a new Mac"),
        Block::Steps {
            steps: steps::from_disk(policy),
        },
        Block::heading("C. The building is lost: restore from off-site"),
    ];
    let offsite = steps::from_offsite(policy);
    if offsite.is_empty() {
        blocks.push(Block::paragraph(
            "This office keeps no copy off-site (no disks.offsite and no offsite target): if the \
             building is lost, the backups are lost with it. The vendor guide recommends an \
             off-site copy.",
        ));
    } else {
        blocks.push(Block::Steps { steps: offsite });
    }
    blocks.push(Block::paragraph(
        "Every command above is safe to try: rota restore never writes on a disk or in the folder \
         it reads from, never overwrites anything, and gives a backup its name only once its \
         checksum matches. docs/restore.md explains each message it may print.",
    ));
    Section {
        id: "disaster-recovery",
        number: 2,
        title: "Disaster recovery plan",
        cites: "45 CFR 164.308(a)(7)(ii)(B)",
        blocks,
    }
}

fn contacts(policy: &Policy) -> Block {
    let contacts = &policy.contingency.contacts;
    let rows = if contacts.is_empty() {
        vec![vec![
            Value::blank("contingency.contacts"),
            Value::by_hand(),
            Value::by_hand(),
            Value::by_hand(),
        ]]
    } else {
        contacts
            .iter()
            .enumerate()
            .map(|(i, contact)| {
                let key = |field: &str| format!("contingency.contacts[{i}].{field}");
                vec![
                    Value::or_blank(contact.role.clone(), &key("role")),
                    Value::or_blank(contact.name.clone(), &key("name")),
                    Value::or_blank(contact.phone.clone(), &key("phone")),
                    Value::or_blank(contact.email.clone(), &key("email")),
                ]
            })
            .collect()
    };
    Block::table(&["Role", "Name", "Phone", "E-mail"], rows, "")
}

/// The latest restore tests, newest first, each with its duration and how
/// it compares with the RTO.
fn tests_against_rto(policy: &Policy, restores: &[RestoreRecord]) -> Block {
    let rto = policy.contingency.rto.map(|rto| rto.as_secs() * 1000);
    let rows = restores
        .iter()
        .rev()
        .take(TESTS_AGAINST_RTO)
        .map(|test| {
            let took = test
                .duration_ms
                .map(measured)
                .unwrap_or_else(|| String::from("—"));
            vec![
                Value::text(test.date.to_string()),
                Value::text(&test.backup),
                Value::text(&test.from),
                Value::text(took),
                Value::text(against(test, rto)),
            ]
        })
        .collect();
    Block::table(
        &["Restore test", "Backup", "From", "Took", "Against the RTO"],
        rows,
        "No restore test is recorded yet: run rota restore-test, and this plan shows how long it took against the RTO.",
    )
}

/// A test against the RTO, in a few words (the paragraph above the table
/// says what they mean).
fn against(test: &RestoreRecord, rto: Option<u64>) -> String {
    match (test.ok, test.duration_ms, rto) {
        (false, _, _) => String::from("FAILED"),
        (true, None, _) => String::from("not measured"),
        (true, Some(_), None) => String::from("no RTO set"),
        (true, Some(took), Some(rto)) if took <= rto => {
            let share = took as f64 / rto as f64 * 100.0;
            if share < 1.0 {
                String::from("within (under 1%)")
            } else {
                format!("within ({}%)", share.round() as u64)
            }
        }
        (true, Some(_), Some(_)) => String::from("OVER the RTO"),
    }
}
