//! The executor against a real office in a temp folder: each safety invariant
//! of docs/architecture.md by name (faults are in `faults`).
//!
//! The office (see `office`): backups Mon 03-23 … Tue 03-31 2026, disks
//! MON and TUE connected, WED absent. Applied at 2026-03-31: TUE gets 03-31 and
//! 03-24, MON gets 03-30 and 03-23, the server then drops 03-23 and 03-24
//! (after those copies) and keeps the rest (its newest 2, and WED's pending).

use std::sync::Mutex;

use super::office::{AT, Office, clock, hook, is_partial, name, no_partials, office, outcome};
use crate::execute::failure::{Failure, Outcome, Refusal};
use crate::execute::filesystem::{Effect, Fs};
use crate::execute::{audit, journal};
use crate::inventory::{Catalog, layout};
use crate::placement::Location;
use crate::plan::{Action, Op};

#[test]
fn idempotence_apply_then_the_plan_is_empty() {
    let office = office();
    let report = office.apply(AT, Fs::default());
    assert_eq!(report.failed(), 0, "{:#?}", report.outcomes);
    assert_eq!((report.done(Op::Copy), report.done(Op::Remove)), (4, 2));
    let (_, plan) = office.plan(AT);
    assert!(plan.actions.is_empty(), "{:#?}", plan.actions);
    assert_eq!(
        Office::names(&office.copies("TUE")),
        [
            layout::MANIFEST_FILE.to_string(),
            name("2026-03-24"),
            name("2026-03-31")
        ]
    );
    let tue = office.manifest("TUE");
    assert!(tue.get(&name("2026-03-31")).unwrap().is_verified());
    assert!(!office.source(&name("2026-03-23")).exists());
    no_partials(&office);
    // The catalog knows what TUE holds, for the nights it is in the safe.
    let catalog = Catalog::load(&office.policy.state_dir).unwrap();
    let tue_id = tue.disk_id.clone();
    assert_eq!(catalog.disks[&tue_id].copies.len(), 2);
}

#[test]
fn a_copy_never_appears_under_its_final_name_unverified() {
    let office = office();
    let source = office.path("source");
    // Corrupt 03-24's temporary copy between its flush and its read-back.
    let fs = hook(move |effect| {
        if let Effect::Read { path, offset: 0 } = effect
            && is_partial(path)
            && path.to_string_lossy().contains("2026-03-24")
        {
            std::fs::write(path, vec![b'X'; 4000]).unwrap();
        }
        // Every rename to a backup's name carries the source's exact bytes.
        if let Effect::Rename { from, to } = effect
            && !is_partial(to)
            && to.to_string_lossy().contains("/rota/")
        {
            let original = source.join(to.file_name().unwrap());
            assert_eq!(
                crate::content_hash::hash_path(from).unwrap(),
                crate::content_hash::hash_path(&original).unwrap(),
                "{} renamed unverified",
                to.display()
            );
        }
        Ok(())
    });
    let report = office.apply(AT, fs);
    assert!(matches!(
        outcome(&report, Op::Copy, "2026-03-24"),
        Outcome::Failed(Failure::CopyMismatch { .. })
    ));
    assert!(!office.copies("TUE").join(name("2026-03-24")).exists());
    assert!(office.manifest("TUE").get(&name("2026-03-24")).is_none());
    // The server's copy stays: its deletion waited for the copy.
    assert!(matches!(
        outcome(&report, Op::Remove, "2026-03-24"),
        Outcome::Skipped { .. }
    ));
    assert!(office.source(&name("2026-03-24")).exists());
    assert!(matches!(
        outcome(&report, Op::Copy, "2026-03-31"),
        Outcome::Done(_)
    ));
    no_partials(&office);
}

#[test]
fn holds_are_never_deleted_even_if_a_plan_says_so() {
    let office = office();
    let planned = office.plan(AT);
    let held = office.with_policy(&format!("hold: [{}]\n", name("2026-03-23")));
    let report = office.apply_with(&held, AT, Fs::default(), Some(planned));
    let Outcome::Failed(failure) = outcome(&report, Op::Remove, "2026-03-23") else {
        panic!("{:#?}", report.outcomes)
    };
    assert!(
        matches!(
            failure,
            Failure::Refused {
                rule: Refusal::OnHold,
                ..
            }
        ),
        "{failure:?}"
    );
    assert!(office.source(&name("2026-03-23")).exists());
    // A date-range hold works the same way.
    let planned = office.plan(AT);
    let held = office.with_policy("hold: [{ from: 2026-03-01, to: 2026-03-24 }]\n");
    let report = office.apply_with(&held, AT, Fs::default(), Some(planned));
    assert!(matches!(
        outcome(&report, Op::Remove, "2026-03-23"),
        Outcome::Failed(Failure::Refused {
            rule: Refusal::OnHold,
            ..
        })
    ));
    assert!(office.source(&name("2026-03-23")).exists());
}

/// A hand-made plan of one action on the current state.
fn plan_of(office: &Office, action: Action) -> (crate::inventory::Inventory, crate::plan::Plan) {
    let (inventory, mut plan) = office.plan(AT);
    plan.actions = vec![action];
    (inventory, plan)
}

fn removal(backup: &str, location: Location, bytes: u64) -> Action {
    Action {
        id: 1,
        op: Op::Remove,
        backup: backup.to_string(),
        kind: crate::inventory::EntryKind::File,
        from: None,
        to: None,
        location: Some(location),
        bytes,
        reason: String::from("test"),
        after: Vec::new(),
        last_copy: false,
    }
}

#[test]
fn the_last_verified_copy_of_a_needed_backup_is_never_deleted() {
    let office = office();
    assert_eq!(office.apply(AT, Fs::default()).failed(), 0);
    // 03-30 is on the server and on MON. With MON's copy gone, removing the
    // server's copy would lose it: refused, whatever the plan says.
    let backup = name("2026-03-30");
    std::fs::remove_file(office.copies("MON").join(&backup)).unwrap();
    let planned = plan_of(&office, removal(&backup, Location::Server, 4000));
    let report = office.apply_with(&office.policy, AT, Fs::default(), Some(planned));
    assert!(matches!(
        &report.outcomes[0].1,
        Outcome::Failed(Failure::Refused {
            rule: Refusal::LastCopy,
            ..
        })
    ));
    assert!(office.source(&backup).exists());
    // With TUE holding a verified copy, the same removal may go ahead.
    let planned = office.plan(AT);
    let copy = Action {
        op: Op::Copy,
        from: Some(Location::Server),
        to: Some(Location::Disk("TUE".into())),
        location: None,
        ..removal(&backup, Location::Server, 4000)
    };
    let report = office.apply_with(
        &office.policy,
        AT,
        Fs::default(),
        Some((
            planned.0,
            crate::plan::Plan {
                actions: vec![copy],
                ..planned.1
            },
        )),
    );
    assert_eq!(report.failed(), 0, "{:#?}", report.outcomes);
    let planned = plan_of(&office, removal(&backup, Location::Server, 4000));
    let report = office.apply_with(&office.policy, AT, Fs::default(), Some(planned));
    assert!(
        matches!(&report.outcomes[0].1, Outcome::Done(_)),
        "{:#?}",
        report.outcomes
    );
}

#[test]
fn nothing_that_is_not_a_backup_is_ever_deleted() {
    let office = office();
    std::fs::write(office.source("notes.txt"), b"keep").unwrap();
    let planned = plan_of(&office, removal("notes.txt", Location::Server, 4));
    let report = office.apply_with(&office.policy, AT, Fs::default(), Some(planned));
    assert!(matches!(
        &report.outcomes[0].1,
        Outcome::Failed(Failure::Refused {
            rule: Refusal::NotABackupName,
            ..
        })
    ));
    assert_eq!(std::fs::read(office.source("notes.txt")).unwrap(), b"keep");
    // A backup-named file on a disk that the manifest does not vouch for stays.
    let stray = name("2026-03-02");
    std::fs::write(office.copies("TUE").join(&stray), b"hand-made").unwrap();
    let planned = plan_of(&office, removal(&stray, Location::Disk("TUE".into()), 9));
    let report = office.apply_with(&office.policy, AT, Fs::default(), Some(planned));
    assert!(matches!(
        &report.outcomes[0].1,
        Outcome::Failed(Failure::Refused {
            rule: Refusal::NotRecorded,
            ..
        })
    ));
    assert!(office.copies("TUE").join(&stray).exists());
}

#[test]
fn audit_log_completeness_every_deletion_is_logged_with_every_field() {
    let office = office();
    let report = office.apply(AT, Fs::default());
    let records = audit::read(&office.policy.state_dir).unwrap();
    let deleted: Vec<&Action> = report
        .outcomes
        .iter()
        .filter(|(a, o)| a.op.deletes() && matches!(o, Outcome::Done(_)))
        .map(|(a, _)| a)
        .collect();
    assert_eq!(records.len(), deleted.len());
    for (record, action) in records.iter().zip(deleted) {
        assert_eq!(
            (record.action, &record.backup, record.op),
            (action.id, &action.backup, action.op)
        );
        assert_eq!(record.location, "server");
        assert_eq!(record.size, action.bytes);
        assert_eq!(record.hash.as_ref().map(String::len), Some(64));
        assert_eq!(record.reason, action.reason);
        assert_eq!(record.when, clock());
        assert!(record.path.ends_with(&action.backup));
        assert!(!record.plan.is_empty() && !record.run.is_empty());
        assert!(record.plan_at.starts_with("2026-03-31T23:59"));
    }
}

#[test]
fn destroy_overwrites_before_removing_and_logs_it() {
    let office = Office::new("destruction: { expired: destroy }\n");
    for date in ["2026-03-23", "2026-03-30", "2026-03-31"] {
        office.backup(date, 5000);
    }
    office.disk("MON");
    office.disk("TUE");
    let zeroed = std::sync::Arc::new(Mutex::new(Vec::new()));
    let seen = zeroed.clone();
    let fs = hook(move |effect| {
        if let Effect::RemoveFile(path) = effect
            && is_partial(path)
        {
            let bytes = std::fs::read(path)?;
            seen.lock()
                .unwrap()
                .push(bytes.iter().all(|b| *b == 0) && bytes.len() == 5000);
        }
        Ok(())
    });
    let report = office.apply(AT, fs);
    assert_eq!(report.done(Op::Destroy), 1, "{:#?}", report.outcomes);
    assert_eq!(*zeroed.lock().unwrap(), [true]);
    let records = audit::read(&office.policy.state_dir).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].op, Op::Destroy);
}

#[test]
fn an_unrecorded_copy_under_the_final_name_is_adopted_or_replaced() {
    let office = office();
    assert_eq!(office.apply(AT, Fs::default()).failed(), 0);
    // As if a run died between the rename and the manifest, and the file was
    // damaged since: it is replaced by a good copy.
    let copies = office.copies("TUE");
    let mut manifest = office.manifest("TUE");
    manifest.remove(&name("2026-03-31"));
    manifest.save(&copies).unwrap();
    std::fs::write(
        copies.join(name("2026-03-31")).join("Contents/Info.plist"),
        b"<tampered>",
    )
    .unwrap();
    let report = office.apply(AT, Fs::default());
    assert!(
        matches!(outcome(&report, Op::Copy, "2026-03-31"), Outcome::Done(d) if !d.adopted),
        "{:#?}",
        report.outcomes
    );
    assert_eq!(
        crate::content_hash::hash_path(&copies.join(name("2026-03-31"))).unwrap(),
        crate::content_hash::hash_path(&office.source(&name("2026-03-31"))).unwrap()
    );
    // The same with the file intact: it is checked and adopted, not copied.
    let mut manifest = office.manifest("TUE");
    manifest.remove(&name("2026-03-31"));
    manifest.save(&copies).unwrap();
    let report = office.apply(AT, Fs::default());
    assert!(
        matches!(outcome(&report, Op::Copy, "2026-03-31"), Outcome::Done(d) if d.adopted),
        "{:#?}",
        report.outcomes
    );
    no_partials(&office);
}

#[test]
fn a_deletion_cut_off_by_a_crash_is_finished_and_logged_by_the_next_run() {
    let office = office();
    assert_eq!(office.apply(AT, Fs::default()).failed(), 0);
    let backup = name("2026-03-23");
    let copies = office.copies("MON");
    let doomed = copies.join(layout::partial_name("old", &backup));
    std::fs::rename(copies.join(&backup), &doomed).unwrap();
    let disk_id = office.manifest("MON").disk_id.clone();
    let started = journal::Started {
        run: "old".into(),
        plan: "p".into(),
        plan_at: "2026-03-30T23:59:00-04:00".into(),
        action: 3,
        op: Op::Remove,
        backup: backup.clone(),
        kind: crate::inventory::EntryKind::File,
        location: "MON".into(),
        disk_id: Some(disk_id),
        path: copies.join(&backup),
        temp: doomed.clone(),
        size: 4000,
        hash: Some("ab".repeat(32)),
        reason: "expired".into(),
        archived_to: None,
        remote: None,
        at: clock(),
    };
    let entries = [
        journal::Entry::RunStarted {
            run: "old".into(),
            pid: 1,
            started_at: clock(),
        },
        journal::Entry::ActionStarted(Box::new(started)),
    ];
    let text: String = entries
        .iter()
        .map(|e| serde_json::to_string(e).unwrap() + "\n")
        .collect();
    std::fs::write(journal::path(&office.policy.state_dir), text).unwrap();

    let clock = clock;
    let mut run = super::office::begin(&office.policy, Fs::default(), &clock);
    let recovery = run.recover(&office.scan()).unwrap();
    assert_eq!(
        recovery.interrupted.as_ref().map(|i| i.0.as_str()),
        Some("old")
    );
    assert_eq!(recovery.completed, [format!("remove {backup} on MON")]);
    assert!(!doomed.exists());
    assert!(office.manifest("MON").get(&backup).is_none());
    let records = audit::read(&office.policy.state_dir).unwrap();
    let last = records.last().unwrap();
    assert!(last.recovered && last.backup == backup && last.action == 3);
    drop(run);
    assert!(journal::interrupted_run(&journal::read(&office.policy.state_dir).unwrap()).is_none());
}
