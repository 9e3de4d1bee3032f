//! Safety invariant 5 (docs/architecture.md), the hard half: an `apply` killed at any instant,
//! then run again, converges to the same end state with nothing lost.
//!
//! The real binary is killed with SIGKILL at every step it takes (every
//! file-system effect, through the test-only `ROTA_TEST_KILL_AT` hook), and
//! also from outside at a few moments of a run with larger files. After each
//! kill: every backup that survives an uninterrupted run still has a good copy
//! (the server's file, or a disk file its manifest vouches for), and no
//! backup's name holds anything but that backup's bytes. After the rerun: the
//! same files, manifests and audit log as the uninterrupted run.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::apply_office::{ApplyOffice, State, copy_tree, name};
use crate::support;

const POLICY: &str = r#"version: 1
office: { name: Crash Dental, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri] }
source: { path: source, pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup", keep_last: 2 }
retain: { business_days: 3 }
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  min_backups: 2
  reserve: 0%
  rotation:
    - { label: MON, days: [mon, wed, fri] }
    - { label: TUE, days: [tue, thu] }
destruction: { expired: destroy }
state_dir: state
"#;

const AT: &str = "2026-03-27";

/// An office one week into its rotation (applied on Friday 03-20), with the
/// next week's backups waiting: tonight's run copies, prunes the server and
/// destroys expired disk copies. `big` makes the files large enough for a
/// copy to take a moment.
fn template(big: usize) -> ApplyOffice {
    let office = ApplyOffice::new(POLICY);
    office.disk("MON", true);
    office.disk("TUE", true);
    for day in 18..=20 {
        add_backup(&office, &format!("2026-03-{day}"), big);
    }
    office
        .rota()
        .args([
            "apply",
            "policy.yaml",
            "--yes",
            "--allow-mass-delete",
            "--at",
            "2026-03-20",
        ])
        .run()
        .success();
    for day in 23..=27 {
        add_backup(&office, &format!("2026-03-{day}"), big);
    }
    office
}

fn add_backup(office: &ApplyOffice, date: &str, big: usize) {
    let backup = name(date);
    let day: usize = date[8..].parse().unwrap();
    if day.is_multiple_of(3) {
        office.office.backup_bundle(&backup, (big + 5000) as u64);
    } else {
        // One backup spans several write buffers, so kills land mid-file too.
        let size = if day == 26 {
            big.max(300_000)
        } else {
            big + 3000 + day
        };
        office.office.backup_file(&backup, size as u64);
    }
}

/// The run did all its work (a night with a missing backup in its history
/// ends with exit 1 and says so, but has done everything).
fn finished(output: &std::process::Output) -> bool {
    output.status.success()
        || (output.status.code() == Some(1)
            && support::is_failed_night_only(&String::from_utf8_lossy(&output.stderr)))
}

fn apply_command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rota"));
    command
        .args([
            "apply",
            "policy.yaml",
            "--yes",
            "--allow-mass-delete",
            "--at",
            AT,
        ])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// A clone of the template office in a fresh temp folder.
fn clone(template: &ApplyOffice) -> ApplyOffice {
    let office = ApplyOffice::new(POLICY);
    std::fs::remove_dir_all(office.path()).unwrap();
    copy_tree(template.path(), office.path());
    office
}

/// Every backup's original bytes, by name, from the template.
fn originals(template: &ApplyOffice) -> BTreeMap<String, String> {
    let mut originals = BTreeMap::new();
    for entries in template.state().entries.values() {
        for (name, hash) in entries {
            originals.insert(name.clone(), hash.clone());
        }
    }
    originals
}

fn sorted_audit(office: &ApplyOffice) -> Vec<(String, String, String, u64, String)> {
    let mut audit = office.audit();
    audit.sort();
    audit
}

/// The invariants that must hold at the instant of a crash.
fn check_crashed(
    state: &State,
    survivors: &[String],
    originals: &BTreeMap<String, String>,
    when: &str,
) {
    for backup in survivors {
        let good = state.good_copies(backup, &originals[backup]);
        assert!(
            !good.is_empty(),
            "{when}: {backup} had no good copy anywhere"
        );
    }
    if let Err(problem) = state.no_bad_bytes_under_final_names(originals) {
        panic!("{when}: {problem}");
    }
}

struct Reference {
    state: State,
    audit: Vec<(String, String, String, u64, String)>,
    survivors: Vec<String>,
}

fn reference(template: &ApplyOffice) -> Reference {
    let office = clone(template);
    let output = apply_command(office.path()).output().unwrap();
    assert!(
        finished(&output),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let state = office.state();
    let survivors = state
        .copies()
        .into_iter()
        .map(|(_, name)| name)
        .collect::<std::collections::BTreeSet<_>>();
    assert!(
        office.plan_json(AT)["actions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    Reference {
        audit: sorted_audit(&office),
        survivors: survivors.into_iter().collect(),
        state,
    }
}

/// Reruns after a crash and compares with the uninterrupted run.
fn rerun_and_compare(office: &ApplyOffice, reference: &Reference, when: &str) {
    let output = apply_command(office.path()).output().unwrap();
    assert!(
        finished(&output),
        "{when}: the rerun failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        office.state(),
        reference.state,
        "{when}: converged to another state"
    );
    let audit = sorted_audit(office);
    let extra: Vec<_> = audit
        .iter()
        .filter(|r| !reference.audit.contains(r))
        .collect();
    let missing: Vec<_> = reference
        .audit
        .iter()
        .filter(|r| !audit.contains(r))
        .collect();
    assert!(
        audit == reference.audit,
        "{when}: audit log differs: extra {extra:?}, missing {missing:?}, {} vs {} lines",
        audit.len(),
        reference.audit.len()
    );
    assert!(
        office.partials().is_empty(),
        "{when}: {:?}",
        office.partials()
    );
}

#[cfg(unix)]
#[test]
fn sigkill_at_every_step_of_a_real_apply_then_rerun_converges_with_nothing_lost() {
    let template = template(0);
    let reference = reference(&template);
    assert!(
        reference.audit.iter().any(|(op, ..)| op == "destroy"),
        "the run destroys expired copies"
    );
    let killed = kill_at_every_step(&template, &reference);
    assert!(
        killed > 100,
        "only {killed} steps: is the hook counting effects?"
    );
}

/// A bundle of many files, copied as one unit (written whole, flushed once,
/// read back): killed at every step inside its copy, then rerun.
#[cfg(unix)]
#[test]
fn sigkill_at_every_step_inside_a_bundle_copy_then_rerun_converges() {
    let office = ApplyOffice::new(POLICY);
    office.disk("MON", true);
    office.disk("TUE", true);
    for day in 23..=26 {
        add_backup(&office, &format!("2026-03-{day}"), 0);
    }
    office
        .rota()
        .args(["apply", "policy.yaml", "--yes", "--allow-mass-delete"])
        .args(["--at", "2026-03-26"])
        .run()
        .success();
    // Tonight's backup: 24 images in three patient folders and a database.
    let bundle = office.office.source().join(name(AT));
    for i in 0..24 {
        let folder = bundle.join(format!("Images/P{}", i % 3));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join(format!("IMG{i:02}.jpg")),
            vec![i as u8; 900 + i],
        )
        .unwrap();
    }
    std::fs::write(bundle.join("database.dat"), vec![7u8; 200_000]).unwrap();
    support::finished_an_hour_ago(&bundle);
    let reference = reference(&office);
    assert!(
        reference.state.entries["MON"].contains_key(&name(AT)),
        "the bundle is copied to MON"
    );
    let killed = kill_at_every_step(&office, &reference);
    assert!(
        killed > 24 * 4,
        "only {killed} steps inside the bundle copy"
    );
}

/// Kills a run of `template` before each of its steps in turn (until a run
/// survives), checking every crash and rerun; returns how many were killed.
#[cfg(unix)]
fn kill_at_every_step(template: &ApplyOffice, reference: &Reference) -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let originals = originals(template);
    // Steps are independent: a few workers share them (the runs wait on
    // fsync far more than on the CPU). The first step a run survives is one
    // past its last effect; no later step needs trying.
    let next = AtomicUsize::new(1);
    let finished_at = AtomicUsize::new(usize::MAX);
    let killed = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let step = next.fetch_add(1, Ordering::SeqCst);
                    if step >= finished_at.load(Ordering::SeqCst) {
                        break;
                    }
                    if kill_at(step, template, reference, &originals) {
                        killed.fetch_add(1, Ordering::SeqCst);
                    } else {
                        finished_at.fetch_min(step, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    let (finished_at, killed) = (finished_at.into_inner(), killed.into_inner());
    assert_eq!(
        killed,
        finished_at - 1,
        "every step before the last was a kill"
    );
    killed
}

/// Runs with a kill before `step`; false if the run finished instead.
#[cfg(unix)]
fn kill_at(
    step: usize,
    template: &ApplyOffice,
    reference: &Reference,
    originals: &BTreeMap<String, String>,
) -> bool {
    use std::os::unix::process::ExitStatusExt;
    let office = clone(template);
    let output = apply_command(office.path())
        .env("ROTA_TEST_KILL_AT", step.to_string())
        .output()
        .unwrap();
    let status = output.status;
    if finished(&output) {
        assert_eq!(office.state(), reference.state);
        return false;
    }
    assert_eq!(
        status.signal(),
        Some(libc_sigkill()),
        "step {step}: {status:?}"
    );
    let when = format!("killed before step {step}");
    check_crashed(&office.state(), &reference.survivors, originals, &when);
    rerun_and_compare(&office, reference, &when);
    true
}

#[cfg(unix)]
fn libc_sigkill() -> i32 {
    9
}

#[cfg(unix)]
#[test]
fn sigkill_from_outside_at_several_moments_then_rerun_converges() {
    let template = template(4_000_000);
    let originals = originals(&template);
    let reference = reference(&template);
    for delay in [0u64, 5, 20, 60, 150, 400] {
        let office = clone(&template);
        let mut child = apply_command(office.path()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL on Unix; harmless if it already ended
        let _ = child.wait();
        let when = format!("killed after {delay} ms");
        check_crashed(&office.state(), &reference.survivors, &originals, &when);
        rerun_and_compare(&office, &reference, &when);
    }
}
