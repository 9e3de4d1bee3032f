//! The executor under injected faults (through the effects seam, so they
//! are real even when the tests run as root): a disk that fills up, a disk
//! pulled out mid-copy, a permission refused, a backup that vanishes or
//! changes between the plan and the copy, or while it is copied. Each fails
//! its action with a clear message, leaves no partial copy, and lets every
//! action that does not depend on it go ahead.

use std::io;
use std::sync::Mutex;

use super::office::{AT, Office, hook, name, no_partials, office, outcome, under};
use crate::execute::failure::{Failure, Outcome};
use crate::execute::filesystem::{Effect, Fs};
use crate::execute::places::Absence;
use crate::inventory::fsinfo::DiskFormat;
use crate::plan::Op;

#[cfg(unix)]
fn os_error(code: i32) -> io::Error {
    io::Error::from_raw_os_error(code)
}

#[cfg(unix)]
#[test]
fn disk_full_fails_only_that_disk_removes_the_partial_and_keeps_the_rest() {
    let office = office();
    let fs = hook(|effect| match effect {
        Effect::Write { .. } if under(effect, "disks/TUE") => Err(os_error(libc::ENOSPC)),
        _ => Ok(()),
    });
    let report = office.apply(AT, fs);
    let Outcome::Failed(failure) = outcome(&report, Op::Copy, "2026-03-31") else {
        panic!("{:#?}", report.outcomes)
    };
    assert_eq!(
        failure,
        &Failure::DiskFull {
            location: "TUE".into()
        }
    );
    assert!(
        failure.to_string().contains("disk TUE is full"),
        "{failure}"
    );
    assert!(matches!(
        outcome(&report, Op::Copy, "2026-03-24"),
        Outcome::Failed(Failure::DiskFull { .. })
    ));
    assert!(matches!(
        outcome(&report, Op::Remove, "2026-03-24"),
        Outcome::Skipped { .. }
    ));
    // MON's work went ahead, including the deletion its copy allowed.
    assert!(matches!(
        outcome(&report, Op::Copy, "2026-03-23"),
        Outcome::Done(_)
    ));
    assert!(matches!(
        outcome(&report, Op::Remove, "2026-03-23"),
        Outcome::Done(_)
    ));
    assert!(office.source(&name("2026-03-24")).exists());
    assert_eq!(Office::names(&office.copies("TUE")), Vec::<String>::new());
    no_partials(&office);
}

#[cfg(unix)]
#[test]
fn disk_removed_mid_run_then_reconnected_converges() {
    let office = office();
    let (mount, safe) = (office.mount("TUE"), office.path("safe/TUE"));
    let pulled = Mutex::new(false);
    let fs = hook(move |effect| {
        let mut pulled = pulled.lock().unwrap();
        if !*pulled && matches!(effect, Effect::Write { .. }) && under(effect, "disks/TUE") {
            *pulled = true;
            std::fs::rename(&mount, &safe).unwrap();
            return Err(os_error(libc::EIO));
        }
        Ok(())
    });
    let report = office.apply(AT, fs);
    for date in ["2026-03-31", "2026-03-24"] {
        let Outcome::Failed(failure) = outcome(&report, Op::Copy, date) else {
            panic!("{:#?}", report.outcomes)
        };
        assert!(
            matches!(
                failure,
                Failure::DiskGone {
                    absence: Absence::Removed { .. },
                    ..
                }
            ),
            "{failure:?}"
        );
        assert!(
            failure.to_string().contains("disconnected during the run"),
            "{failure}"
        );
    }
    assert!(matches!(
        outcome(&report, Op::Remove, "2026-03-23"),
        Outcome::Done(_)
    ));
    assert!(office.source(&name("2026-03-24")).exists());
    // Plugged in again: the next run removes the partial copy and catches up.
    office.plug("TUE");
    let report = office.apply(AT, Fs::default());
    assert_eq!(report.failed(), 0, "{:#?}", report.outcomes);
    no_partials(&office);
    assert!(office.plan(AT).1.actions.is_empty());
}

#[cfg(unix)]
#[test]
fn permission_denied_is_reported_as_such_even_as_root() {
    let office = office();
    let fs = hook(|effect| match effect {
        Effect::CreateFile(_) | Effect::CreateDir(_) if under(effect, "disks/TUE") => {
            Err(os_error(libc::EACCES))
        }
        _ => Ok(()),
    });
    let report = office.apply(AT, fs);
    let Outcome::Failed(failure) = outcome(&report, Op::Copy, "2026-03-24") else {
        panic!("{:#?}", report.outcomes)
    };
    assert!(
        matches!(failure, Failure::PermissionDenied { .. }),
        "{failure:?}"
    );
    assert!(
        failure.to_string().starts_with("permission denied writing"),
        "{failure}"
    );
    assert!(office.source(&name("2026-03-24")).exists());
    no_partials(&office);
}

#[test]
fn source_changed_or_vanished_between_plan_and_apply() {
    let office = office();
    let planned = office.plan(AT);
    std::fs::write(office.source(&name("2026-03-24")), b"rewritten, shorter").unwrap();
    std::fs::remove_file(office.source(&name("2026-03-23"))).unwrap();
    let report = office.apply_with(&office.policy, AT, Fs::default(), Some(planned));
    assert!(matches!(
        outcome(&report, Op::Copy, "2026-03-24"),
        Outcome::Failed(Failure::SourceChanged { .. })
    ));
    assert!(matches!(
        outcome(&report, Op::Copy, "2026-03-23"),
        Outcome::Failed(Failure::SourceVanished { .. })
    ));
    assert!(matches!(
        outcome(&report, Op::Remove, "2026-03-24"),
        Outcome::Skipped { .. }
    ));
    assert_eq!(
        std::fs::read(office.source(&name("2026-03-24"))).unwrap(),
        b"rewritten, shorter"
    );
    assert!(!office.copies("TUE").join(name("2026-03-24")).exists());
    assert!(matches!(
        outcome(&report, Op::Copy, "2026-03-31"),
        Outcome::Done(_)
    ));
    no_partials(&office);
}

#[test]
fn a_source_that_changes_while_it_is_copied_fails_the_copy() {
    let office = office();
    let source = office.source(&name("2026-03-30"));
    let fs = hook(move |effect| {
        if let Effect::Write { path, .. } = effect
            && path.to_string_lossy().contains("2026-03-30")
        {
            use std::io::Write;
            let mut file = std::fs::OpenOptions::new().append(true).open(&source)?;
            file.write_all(b"still being written")?;
        }
        Ok(())
    });
    let report = office.apply(AT, fs);
    let Outcome::Failed(Failure::SourceChanged { what, .. }) =
        outcome(&report, Op::Copy, "2026-03-30")
    else {
        panic!("{:#?}", report.outcomes)
    };
    assert!(what.contains("size changed"), "{what}");
    assert!(!office.copies("MON").join(name("2026-03-30")).exists());
    no_partials(&office);
}

/// A disk formatted FAT32 (as the hook says), refusing writes past 4 GiB.
#[cfg(unix)]
struct Fat32Disk(&'static str);

#[cfg(unix)]
impl crate::execute::filesystem::Faults for Fat32Disk {
    fn before(&self, effect: &Effect<'_>) -> io::Result<()> {
        match effect {
            Effect::Write { .. } if under(effect, self.0) => Err(os_error(libc::EFBIG)),
            _ => Ok(()),
        }
    }

    fn disk_format(&self, path: &std::path::Path) -> Option<DiskFormat> {
        let disk = format!("/{}/", self.0);
        path.to_string_lossy()
            .contains(&disk)
            .then_some(DiskFormat::Fat)
    }
}

#[cfg(unix)]
#[test]
fn a_file_too_big_for_a_fat32_disk_says_so_and_how_to_fix_it() {
    let office = office();
    let report = office.apply(AT, Fs::with_faults(Fat32Disk("disks/TUE")));
    let Outcome::Failed(failure) = outcome(&report, Op::Copy, "2026-03-31") else {
        panic!("{:#?}", report.outcomes)
    };
    assert_eq!(
        failure.to_string(),
        "disk TUE is FAT32: files over 4 GB cannot be stored on it; reformat it as exFAT or APFS"
    );
    assert!(matches!(
        outcome(&report, Op::Copy, "2026-03-23"),
        Outcome::Done(_)
    ));
    no_partials(&office);
}

#[cfg(unix)]
#[test]
fn a_file_too_big_is_told_apart_from_fat_only_on_fat() {
    use crate::execute::step::copy::too_large_for_fat;
    let too_big = os_error(libc::EFBIG);
    assert!(too_large_for_fat(DiskFormat::Fat, &too_big));
    assert!(!too_large_for_fat(DiskFormat::Other, &too_big));
    assert!(!too_large_for_fat(DiskFormat::Fat, &os_error(libc::EIO)));
    // The same refusal on another disk is reported as the error it is.
    let office = office();
    let report = office.apply(
        AT,
        hook(|effect| match effect {
            Effect::Write { .. } if under(effect, "disks/TUE") => Err(os_error(libc::EFBIG)),
            _ => Ok(()),
        }),
    );
    let Outcome::Failed(failure) = outcome(&report, Op::Copy, "2026-03-31") else {
        panic!("{:#?}", report.outcomes)
    };
    assert!(matches!(failure, Failure::Io { .. }), "{failure:?}");
}

#[cfg(unix)]
#[test]
fn a_file_over_4_gib_is_refused_by_a_fat32_disk_before_a_byte_is_written() {
    let office = office();
    // 5 GiB, sparse: nothing is read or written before the refusal.
    let big = office.source(&name("2026-03-24"));
    std::fs::File::options()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(5 << 30)
        .unwrap();
    let writes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = writes.clone();
    struct Counting(std::sync::Arc<std::sync::atomic::AtomicUsize>);
    impl crate::execute::filesystem::Faults for Counting {
        fn before(&self, effect: &Effect<'_>) -> io::Result<()> {
            if matches!(effect, Effect::Write { .. } | Effect::CreateFile(_))
                && under(effect, "disks/TUE")
            {
                self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            Ok(())
        }
        fn disk_format(&self, path: &std::path::Path) -> Option<DiskFormat> {
            path.to_string_lossy()
                .contains("/disks/TUE/")
                .then_some(DiskFormat::Fat)
        }
    }
    let report = office.apply(AT, Fs::with_faults(Counting(counted)));
    let Outcome::Failed(failure) = outcome(&report, Op::Copy, "2026-03-24") else {
        panic!("{:#?}", report.outcomes)
    };
    assert_eq!(
        failure,
        &Failure::FileTooLargeForFat {
            location: "TUE".into()
        }
    );
    // Smaller backups still go to TUE; the big one never started.
    assert!(matches!(
        outcome(&report, Op::Copy, "2026-03-31"),
        Outcome::Done(_)
    ));
    assert!(!office.copies("TUE").join(name("2026-03-24")).exists());
    assert!(writes.load(std::sync::atomic::Ordering::SeqCst) > 0);
    no_partials(&office);
}

#[cfg(unix)]
#[test]
fn a_read_only_disk_says_read_only_and_gets_no_more_copies() {
    let office = office();
    let fs = hook(|effect| match effect {
        Effect::CreateFile(_) | Effect::Write { .. } if under(effect, "disks/TUE") => {
            Err(os_error(libc::EROFS))
        }
        _ => Ok(()),
    });
    let report = office.apply(AT, fs);
    let Outcome::Failed(failure) = outcome(&report, Op::Copy, "2026-03-31") else {
        panic!("{:#?}", report.outcomes)
    };
    assert_eq!(
        failure,
        &Failure::ReadOnly {
            location: "TUE".into()
        }
    );
    assert!(
        failure.to_string().contains("disk TUE is read-only"),
        "{failure}"
    );
    assert!(failure.blocks_location(), "not retried within the run");
    no_partials(&office);
}

#[cfg(unix)]
#[test]
fn invariant_15_a_deletion_that_fails_after_its_rename_is_on_record_and_finished_next_run() {
    let office = office();
    let failed_once = Mutex::new(false);
    // The renamed copy cannot be removed (a folder the job may not write).
    let fs = hook(move |effect| {
        let mut failed = failed_once.lock().unwrap();
        if let Effect::RemoveFile(path) = effect
            && path.to_string_lossy().contains(".rota-deleting-")
            && !*failed
        {
            *failed = true;
            return Err(os_error(libc::EACCES));
        }
        Ok(())
    });
    let report = office.apply(AT, fs);
    let (action, _) = report
        .outcomes
        .iter()
        .find(|(_, o)| matches!(o, Outcome::Failed(_)))
        .unwrap_or_else(|| panic!("{:#?}", report.outcomes));
    assert!(action.op.deletes(), "{action:?}");
    let logged = |backup: &str| {
        crate::execute::audit::read(&office.policy.state_dir)
            .unwrap()
            .iter()
            .filter(|r| r.backup == backup)
            .count()
    };
    assert_eq!(
        logged(&action.backup),
        1,
        "on record before it lost its name"
    );
    let leftovers = |folder: &std::path::Path| -> Vec<String> {
        Office::names(folder)
            .into_iter()
            .filter(|n| n.starts_with(".rota-deleting-"))
            .collect()
    };
    let folders = [
        office.path("source"),
        office.copies("MON"),
        office.copies("TUE"),
    ];
    assert_eq!(folders.iter().map(|f| leftovers(f).len()).sum::<usize>(), 1);
    // The next run finishes it: removed and counted, logged once.
    let report = office.apply(AT, Fs::default());
    assert_eq!(report.failed(), 0, "{:#?}", report.outcomes);
    assert_eq!(folders.iter().map(|f| leftovers(f).len()).sum::<usize>(), 0);
    assert_eq!(logged(&action.backup), 1, "never logged twice");
}
