//! Section 4, testing and revision procedures (45 CFR
//! 164.308(a)(7)(ii)(D)): the restore test schedule, the log of tests (date,
//! backup, from where, result, duration, who) with a line for management to
//! sign, the next test due, and how the plan itself is revised (its
//! revision list is added by the renderers from the saved versions). Pure.

use chrono::NaiveDate;

use super::Evidence;
use super::document::{Block, Section, Value};
use super::words::measured;
use crate::inventory::restore_log::RestoreRecord;
use crate::plan::restore_test_due_on;
use crate::policy::{Policy, RestoreEvery};

/// How many tests the log shows (the rest are counted).
const LOGGED_TESTS: usize = 10;

pub fn section(evidence: &Evidence) -> Section {
    let policy = evidence.policy;
    let restores = evidence.restores;
    let last_ok = restores.iter().filter(|r| r.ok).map(|r| r.date).max();
    let mut blocks = vec![
        Block::heading("Restore tests"),
        Block::facts([
            ("Schedule", Value::text(schedule_words(policy))),
            (
                "Last successful test",
                Value::text(
                    last_ok
                        .map(|date| date.to_string())
                        .unwrap_or_else(|| String::from("none on record")),
                ),
            ),
            (
                "Next test due",
                Value::text(next_due(policy, last_ok, evidence.today())),
            ),
        ]),
        log(restores),
    ];
    let failures: Vec<String> = restores
        .iter()
        .rev()
        .take(LOGGED_TESTS)
        .filter(|test| !test.ok)
        .map(|test| format!("The test of {} FAILED: {}.", test.date, test.detail))
        .collect();
    if !failures.is_empty() {
        blocks.push(Block::list(failures));
    }
    let unrecorded = restores
        .iter()
        .rev()
        .take(LOGGED_TESTS)
        .any(|test| test.duration_ms.is_none() || test.user.is_none());
    if unrecorded {
        blocks.push(Block::paragraph(
            "A dash: not recorded (a test from before rota recorded how long a test took and who \
             ran it).",
        ));
    }
    blocks.push(Block::signature(&[
        "Test results reviewed by (management)",
        "Date",
    ]));
    blocks.push(Block::heading("Revisions of this plan"));
    blocks.push(Block::paragraph(format!(
        "Review this plan whenever the policy changes (rota doctor then reports \
         contingency-outdated), after every restore test and at least once a year, and have it \
         approved again. rota contingency saves each version that differs from the last in {} and \
         never deletes one (rota contingency --history lists them): HIPAA documentation is kept \
         for six years.",
        policy.state_dir.join(super::versions::FOLDER).display()
    )));
    Section {
        id: "testing",
        number: 4,
        title: "Testing and revision procedures",
        cites: "45 CFR 164.308(a)(7)(ii)(D)",
        blocks,
    }
}

fn schedule_words(policy: &Policy) -> String {
    let every = match policy.restore_test.every {
        RestoreEvery::Quarter => "every quarter",
        RestoreEvery::Month => "every month",
    };
    let mut words = format!(
        "a restore test {every} (restore_test.every): rota restore-test restores a backup the \
         policy keeps from a connected disk into a scratch folder, checks its checksum, records \
         the result and removes the copy"
    );
    if let Some(command) = &policy.restore_test.command {
        words.push_str(&format!(
            "; the check `{command}` runs on the restored copy"
        ));
    }
    words
}

fn next_due(policy: &Policy, last_ok: Option<NaiveDate>, today: NaiveDate) -> String {
    match restore_test_due_on(policy, last_ok) {
        None => String::from("now: no successful restore test is on record"),
        Some(due) if due < today => format!("OVERDUE since {due}: run rota restore-test now"),
        Some(due) => format!("by {due}"),
    }
}

fn log(restores: &[RestoreRecord]) -> Block {
    let rows = restores
        .iter()
        .rev()
        .take(LOGGED_TESTS)
        .map(|test| {
            let result = if test.ok { "passed" } else { "FAILED" };
            vec![
                Value::text(test.date.to_string()),
                Value::text(&test.backup),
                Value::text(&test.from),
                Value::text(result),
                Value::text(
                    test.duration_ms
                        .map(measured)
                        .unwrap_or_else(|| String::from("—")),
                ),
                Value::text(test.user.clone().unwrap_or_else(|| String::from("—"))),
            ]
        })
        .collect();
    let mut block = Block::table(
        &["Date", "Backup", "From", "Result", "Took", "Who"],
        rows,
        "No restore test is recorded yet.",
    );
    if restores.len() > LOGGED_TESTS
        && let Block::Table { rows, .. } = &mut block
    {
        let earlier = restores.len() - LOGGED_TESTS;
        rows.push(vec![
            Value::text(format!("and {earlier} earlier")),
            Value::text("in state_dir/restore-tests.jsonl"),
            Value::text(""),
            Value::text(""),
            Value::text(""),
            Value::text(""),
        ]);
    }
    block
}
