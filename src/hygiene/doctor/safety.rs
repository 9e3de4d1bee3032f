//! Checks that protect against losing the building or the data: a recent
//! off-site copy (disks carried away per `disks.offsite`, off-site targets),
//! a recent successful restore test, and encryption of what leaves the
//! building (an unencrypted off-site target is a FAIL for PHI; unencrypted
//! source backups a WARN with instructions, unless the policy says otherwise).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::{Check, Patient, ago, day_words};
use crate::inventory::CopyRecord;
use crate::placement::Location;
use crate::plan::restore_test_due_on;
use crate::policy::{Carry, OffsiteTarget, RestoreEvery};

/// A copy off-site this many days older than expected is a warning; older, a failure.
const OFFSITE_GRACE_DAYS: i64 = 7;

pub fn offsite_recent(patient: &Patient) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(offsite) = &patient.policy.disks.offsite {
        checks.push(carried_disks(patient, &offsite.carry));
    }
    for target in &patient.policy.offsite {
        checks.push(target_recent(patient, target));
    }
    if checks.is_empty() {
        checks.push(
            Check::titled("offsite-recent", "A recent copy off-site").fail(
                "the policy takes no copy off-site: no `disks.offsite` and no `offsite` target",
                "the vendor guide recommends an off-location backup: add \
                 `offsite: { carry: previous }` under `disks:` (last night's disk leaves each \
                 morning) or an `offsite` target that uploads encrypted copies",
            ),
        );
    }
    checks
}

/// Grades how old the newest off-site backup is against the night it should be from.
fn grade(
    check: super::CheckBuilder,
    newest: Option<NaiveDate>,
    expected: Option<NaiveDate>,
    today: NaiveDate,
    where_: &str,
    action: String,
) -> Check {
    let Some(newest) = newest else {
        return check.fail(format!("no backup has reached {where_} yet"), action);
    };
    let words = format!(
        "the newest backup {where_} is from {newest} ({})",
        ago(newest, today)
    );
    match expected {
        Some(expected) if newest < expected => {
            if (expected - newest).num_days() <= OFFSITE_GRACE_DAYS {
                check.warn(format!("{words}; one from {expected} was expected"), action)
            } else {
                check.fail(format!("{words}; one from {expected} was expected"), action)
            }
        }
        _ => check.pass(words),
    }
}

/// Disks carried off-site: the newest backup on a disk that leaves the building.
fn carried_disks(patient: &Patient, carry: &Carry) -> Check {
    let check =
        Check::titled("offsite-recent", "A recent copy off-site (carried disks)").about("disks");
    let policy = patient.policy;
    let leaves = |weekday: chrono::Weekday| match carry {
        Carry::Previous => true,
        Carry::Days(days) => days.contains(&weekday),
    };
    let carried: Vec<&str> = policy
        .disks
        .rotation
        .iter()
        .filter(|disk| disk.days.iter().any(|day| leaves(*day)))
        .map(|disk| disk.label.as_str())
        .collect();
    let today = patient.today();
    let newest = patient
        .plan
        .backups
        .iter()
        // Tonight's disk is still in the building.
        .filter(|b| b.business_day < today && leaves(b.business_day.weekday()))
        .filter(|b| {
            b.locations
                .iter()
                .any(|l| matches!(l, Location::Disk(label) if carried.contains(&label.as_str())))
        })
        .map(|b| b.business_day)
        .max();
    let calendar = &policy.office.calendar;
    // The last night whose disk has left by now (not tonight's: it leaves tomorrow).
    let expected = (1..=28u64)
        .filter_map(|back| today.checked_sub_days(chrono::Days::new(back)))
        .find(|day| calendar.is_open(*day) && leaves(day.weekday()));
    let who = policy
        .disks
        .offsite
        .as_ref()
        .and_then(|offsite| offsite.by.clone())
        .unwrap_or_else(|| String::from("whoever takes the disks home"));
    let action = format!(
        "{who}: take the disk of the last carried night off-site as the swap sheet says, \
         and bring the disk back for its next night; `rota sheet` shows which"
    );
    let where_ = format!("on a disk that goes off-site ({})", carried.join(", "));
    // No carried night since rota began: no disk has had a backup to take yet.
    let before_rota = match (expected, patient.first_night()) {
        (Some(expected), Some(first)) => expected < first,
        _ => true,
    };
    if before_rota && newest.is_none_or(|newest| Some(newest) < expected) {
        return check.info(match patient.first_night() {
            Some(first) => format!(
                "no carried night since rota's first night ({}): the first disk leaves the \
                 building the morning after its night, as the swap sheet says",
                day_words(first)
            ),
            None => String::from(
                "rota has not run its first night yet: from then on, each carried night's disk \
                 leaves the building the next morning, as the swap sheet says",
            ),
        });
    }
    grade(check, newest, expected, today, &where_, action)
}

/// An off-site target: the newest backup uploaded (or staged, without upload).
fn target_recent(patient: &Patient, target: &OffsiteTarget) -> Check {
    let name = &target.name;
    let check = Check::titled("offsite-recent", format!("A recent copy off-site ({name})"))
        .about(name.clone());
    let view = patient.inventory.offsite.iter().find(|v| &v.name == name);
    let today = patient.today();
    let expected = patient
        .policy
        .office
        .calendar
        .open_day_on_or_before(today.pred_opt().unwrap_or(today));
    let newest_of = |copies: &BTreeMap<String, CopyRecord>| {
        copies
            .keys()
            .filter_map(|copy| patient.plan.backups.iter().find(|b| &b.name == copy))
            .map(|b| b.business_day)
            .max()
    };
    let action = format!(
        "`rota apply {}` stages and uploads tonight's copy; check the upload's log if it keeps failing",
        patient.policy_arg
    );
    match (&target.upload, view) {
        (Some(_), Some(view)) => match &view.remote {
            Some(remote) => grade(
                check,
                newest_of(remote),
                expected,
                today,
                &format!("on {name}'s remote"),
                action,
            ),
            None => check.warn(
                format!(
                    "nothing is known to be uploaded to {name} yet{}",
                    newest_of(&view.staged)
                        .map(|day| format!(" (staged locally up to {day})"))
                        .unwrap_or_default()
                ),
                action,
            ),
        },
        (None, Some(view)) => grade(
            check,
            newest_of(&view.staged),
            expected,
            today,
            &format!("in {name}'s folder"),
            action,
        ),
        (_, None) => check.fail(format!("{name} was not scanned"), action),
    }
}

pub fn restore_test(patient: &Patient) -> Check {
    let every = match patient.policy.restore_test.every {
        RestoreEvery::Month => "month",
        RestoreEvery::Quarter => "quarter",
    };
    let check = Check::titled("restore-test", format!("A restore test every {every}"));
    let run = format!("run `rota restore-test {}`", patient.policy_arg);
    let today = patient.today();
    let last = patient.restore_tests.iter().max_by_key(|record| record.at);
    let last_ok = patient
        .restore_tests
        .iter()
        .filter(|record| record.ok)
        .map(|record| record.date)
        .max();
    if let Some(record) = last.filter(|record| !record.ok) {
        return check.fail(
            format!(
                "the last restore test, on {} ({} from {}), failed: {}",
                record.date, record.backup, record.from, record.detail
            ),
            format!("find out why (the disk, the backup, the check command), then {run} again"),
        );
    }
    match (last_ok, restore_test_due_on(patient.policy, last_ok)) {
        (Some(last), Some(due)) if due > today => check.pass(format!(
            "last one {last} ({}); next due {due}",
            ago(last, today)
        )),
        (Some(last), Some(due)) => check.fail(
            format!(
                "the last successful restore test was on {last}; the next was due on {}",
                day_words(due)
            ),
            run,
        ),
        // A new office: the first test is due one period after rota's first
        // night, like every later one after the last.
        _ => match restore_test_due_on(patient.policy, patient.first_night()) {
            Some(due) if due > today => check.warn(
                format!(
                    "no restore test yet; rota began on {}, so the first is due by {}",
                    patient.first_night().map(day_words).unwrap_or_default(),
                    day_words(due)
                ),
                format!("the vendor guide recommends a test restore every {every}: {run}"),
            ),
            _ => check.fail(
                "no restore test has been recorded",
                format!("the vendor guide recommends a test restore every {every}: {run}"),
            ),
        },
    }
}

/// Off-site targets must encrypt (FAIL); the source backups should be (WARN).
pub fn encryption(patient: &Patient) -> Vec<Check> {
    let mut checks: Vec<Check> = patient
        .policy
        .offsite
        .iter()
        .map(|target| {
            let check = Check::titled("encryption-offsite", format!("Copies sent to {} are encrypted", target.name))
                .about(target.name.clone());
            match &target.encrypt {
                Some(encrypt) => check.pass(format!(
                    "encrypted with age for {} recipient{}{}",
                    encrypt.age_recipients.len(),
                    if encrypt.age_recipients.len() == 1 { "" } else { "s" },
                    if encrypt.age_recipients_file.is_some() { " and a recipients file" } else { "" }
                )),
                None => check.fail(
                    format!("copies leave the building through {} unencrypted: patient health information must not", target.name),
                    format!(
                        "add `encrypt: {{ age_recipients: [\"age1...\"] }}` to the {} target (make \
                         the key with `age-keygen` and keep the private key in the safe, not with the disks)",
                        target.name
                    ),
                ),
            }
        })
        .collect();
    checks.push(source_encryption(patient));
    checks
}

fn source_encryption(patient: &Patient) -> Check {
    let check = Check::titled(
        "encryption-source",
        "Backups are encrypted by the practice software",
    );
    let carried = if patient.policy.disks.offsite.is_some() {
        ", and disks carried off-site hold them as they are"
    } else {
        ""
    };
    let how = "turn on backup encryption in the practice software's backup settings and keep \
               the password in the safe, apart from the disks (without it no one, not even the \
               vendor, can restore); then add `encrypted: true` under `source:` in the policy. \
               The guide also advises FileVault on every computer that holds patient data";
    match patient.policy.source.encrypted {
        Some(true) => check.pass(
            "the policy says the practice software encrypts its backups (source.encrypted: true)",
        ),
        Some(false) => check.warn(
            format!(
                "the policy says the backups are not encrypted (source.encrypted: false){carried}"
            ),
            how,
        ),
        None => check.warn(
            format!("rota cannot tell whether the practice software encrypts its backups{carried}"),
            how,
        ),
    }
}
