//! The executor with an off-site target that encrypts and uploads: staged
//! copies encrypted and verified; not a plaintext byte ever written to an
//! encrypting target, temporary files included; an upload that cannot reach
//! the remote leaving the staged copy and the server's copy; a run killed at
//! any step of staging converging; remote deletions, finished after a crash.
//!
//! Uploads go through the real rclone program (`scripts/test` installs it) to a
//! remote that is a local folder (rclone's local backend: no server, and the
//! same commands and checks as any cloud); a remote that cannot be reached is
//! a stand-in program that fails the way rclone does when the network is down.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use age::secrecy::ExposeSecret;

use super::office::{AT, Office, hook, name, outcome};
use crate::execute::failure::{Failure, Outcome};
use crate::execute::filesystem::{Effect, Fs};
use crate::execute::{audit, journal};
use crate::inventory::offsite_names::Stored;
use crate::inventory::{Catalog, EntryKind, Manifest, layout};
use crate::offsite::{decrypt, identity};
use crate::plan::Op;

/// An office whose `cloud` target encrypts to a fresh key, and uploads as
/// its `upload:` line says.
struct CloudOffice {
    office: Office,
    key: PathBuf,
    recipient: String,
}

/// The shared off-site office with `upload` (a whole line, or nothing).
fn cloud_policy(recipient: &str, upload: &str) -> String {
    include_str!("../../../tests/fixtures/cloud-office.yaml")
        .replace("AGE_RECIPIENT", recipient)
        .replace("    UPLOAD\n", upload)
}

impl CloudOffice {
    /// `upload` writes the target's `upload:` line (indented), or nothing,
    /// for the office's folder. Backups of 03-30 (a file) and 03-31 (a
    /// bundle); disk MON connected.
    fn new(upload: fn(&Path) -> String) -> CloudOffice {
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        let office = Office::with_text_for(|dir| cloud_policy(&recipient, &upload(dir)));
        let key = office.path("key.txt");
        std::fs::write(&key, identity.to_string().expose_secret()).unwrap();
        office.backup("2026-03-30", 2500);
        office.bundle("2026-03-31");
        office.disk("MON");
        CloudOffice {
            office,
            key,
            recipient,
        }
    }

    /// The same policy with another `upload:` line.
    fn policy_with(&self, upload: fn(&Path) -> String) -> crate::policy::Policy {
        let text = cloud_policy(&self.recipient, &upload(self.office.dir.path()));
        crate::policy::load_str(&text, &self.office.path("policy.yaml"))
            .unwrap()
            .policy
    }

    fn outbox(&self) -> PathBuf {
        self.office.path("outbox")
    }

    fn staged(&self) -> Manifest {
        Manifest::load(&self.outbox()).unwrap().unwrap()
    }

    /// Decrypts a staged copy with the office's key; its content hash.
    fn decrypt(&self, backup: &str, kind: EntryKind) -> String {
        let record = self.staged().get(backup).cloned().unwrap();
        let encrypted = self
            .outbox()
            .join(Stored::of_record(&record).name_for(backup));
        let identities = identity::load(&self.key, &mut || None).unwrap();
        let out = self.office.path("restored").join(backup);
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        let restored =
            decrypt::restore(&encrypted, &identities, &out, kind, Some(&record)).unwrap();
        std::fs::remove_dir_all(self.office.path("restored")).unwrap();
        restored.content_hash
    }
}

fn no_upload(_: &Path) -> String {
    String::new()
}

/// A machine without rclone fails the off-site tests here, saying so, never
/// with a puzzling assertion further on.
fn require_rclone() {
    let on_path = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join("rclone").is_file()));
    assert!(
        on_path,
        "this test needs `rclone`, which is not installed: run `scripts/test`, which \
         installs rclone, chromium and poppler-utils when missing and then runs cargo test"
    );
}

/// A remote that is a folder of the office, through the real rclone.
fn local_remote(dir: &Path) -> String {
    require_rclone();
    format!(
        "    upload: {{ rclone: \":local:{}\", keep_local: 0 }}\n",
        dir.join("remote").display()
    )
}

/// A stand-in rclone that logs its arguments and fails as rclone does when the
/// network is down.
fn unreachable_remote(dir: &Path) -> String {
    require_rclone();
    let program = dir.join("rclone-offline");
    std::fs::write(
        &program,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\necho '2026/04/01 03:30:00 ERROR : dial tcp 10.0.0.9:22: connect: connection refused' >&2\nexit 1\n",
            dir.join("rclone-calls").display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    format!(
        "    upload: {{ rclone: \":local:{}\", binary: \"{}\" }}\n",
        dir.join("remote").display(),
        program.display()
    )
}

#[test]
fn encrypted_copies_are_staged_verified_and_decrypt_to_the_backups() {
    let cloud = CloudOffice::new(no_upload);
    let office = &cloud.office;
    let expected = [
        (name("2026-03-30"), EntryKind::File),
        (name("2026-03-31"), EntryKind::Bundle),
    ]
    .map(|(backup, kind)| {
        let hash = crate::content_hash::hash_path(&office.source(&backup)).unwrap();
        (backup, kind, hash)
    });
    let report = office.apply(AT, Fs::default());
    assert_eq!(report.failed(), 0, "{:#?}", report.outcomes);
    assert_eq!(
        Office::names(&cloud.outbox()),
        [
            layout::MANIFEST_FILE.to_string(),
            format!("{}.age", name("2026-03-30")),
            format!("{}.tar.age", name("2026-03-31")),
        ]
    );
    for (backup, kind, hash) in &expected {
        let record = cloud.staged().get(backup).cloned().unwrap();
        assert_eq!(&record.hash, hash, "the plaintext's hash is recorded");
        let stored = cloud
            .outbox()
            .join(Stored::of_record(&record).name_for(backup));
        assert_eq!(
            record.ciphertext_hash.as_deref(),
            Some(crate::content_hash::hash_file(&stored).unwrap().as_str()),
            "and the encrypted file's"
        );
        assert!(record.is_verified());
        assert_eq!(&cloud.decrypt(backup, *kind), hash);
    }
    // 03-30 was pruned from the server once MON and the target had it.
    assert!(!office.source(&name("2026-03-30")).exists());
    assert!(office.plan(AT).1.actions.is_empty());
}

/// Plaintext that must never reach the staging folder: the bytes of the file
/// backup, and the bundle's plist and database.
fn holds_plaintext(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let markers: [&[u8]; 3] = [b"mpbackupMacPractice_", b"<MacPractice_", &[7u8; 64]];
    markers
        .iter()
        .any(|marker| bytes.windows(marker.len()).any(|w| w == *marker))
}

#[test]
fn nothing_unencrypted_is_ever_written_to_an_encrypting_target() {
    let cloud = CloudOffice::new(no_upload);
    let outbox = cloud.outbox();
    let leaks = Arc::new(Mutex::new(Vec::new()));
    let seen = leaks.clone();
    let watched = outbox.clone();
    // Every file in the staging folder, looked at as it is flushed and
    // renamed (temporary files included).
    let fs = hook(move |effect| {
        let path = match effect {
            Effect::SyncFile(path) => Some(path.to_path_buf()),
            Effect::Rename { from, .. } => Some(from.to_path_buf()),
            _ => None,
        };
        if let Some(path) = path.filter(|p| p.starts_with(&watched))
            && holds_plaintext(&path)
        {
            seen.lock().unwrap().push(path);
        }
        Ok(())
    });
    let report = cloud.office.apply(AT, fs);
    assert_eq!(report.failed(), 0, "{:#?}", report.outcomes);
    assert!(leaks.lock().unwrap().is_empty(), "{:?}", leaks.lock());
    for entry in std::fs::read_dir(&outbox).unwrap() {
        let path = entry.unwrap().path();
        assert!(!holds_plaintext(&path), "{}", path.display());
    }
    // The markers are real: the disk's plain copy has them.
    assert!(holds_plaintext(
        &cloud.office.copies("MON").join(name("2026-03-30"))
    ));
}

#[test]
fn a_run_killed_at_any_step_of_staging_converges() {
    // How many effects touch the staging folder in an uninterrupted run.
    let count = |cloud: &CloudOffice| {
        let outbox = cloud.outbox();
        let seen = Arc::new(Mutex::new(0usize));
        let counter = seen.clone();
        let fs = hook(move |effect| {
            if effect.path().is_some_and(|p| p.starts_with(&outbox)) {
                *counter.lock().unwrap() += 1;
            }
            Ok(())
        });
        assert_eq!(cloud.office.apply(AT, fs).failed(), 0);
        *seen.lock().unwrap()
    };
    let steps = count(&CloudOffice::new(no_upload));
    assert!(steps > 10, "{steps}");
    // Killed just before its n-th step there: that step and every effect
    // after it (anywhere) never happen, as when the process dies.
    for n in 1..=steps {
        let cloud = CloudOffice::new(no_upload);
        let outbox = cloud.outbox();
        let state = Arc::new(Mutex::new((0usize, false)));
        let fs = hook(move |effect| {
            let mut state = state.lock().unwrap();
            if effect.path().is_some_and(|p| p.starts_with(&outbox)) {
                state.0 += 1;
                state.1 |= state.0 >= n;
            }
            if state.1 {
                return Err(std::io::Error::other("killed"));
            }
            Ok(())
        });
        cloud.office.apply_until_killed(AT, fs);
        let report = cloud.office.apply(AT, Fs::default());
        assert_eq!(report.failed(), 0, "killed at {n}: {:#?}", report.outcomes);
        let names = Office::names(&cloud.outbox());
        assert!(
            !names.iter().any(|n| layout::is_partial(n)),
            "killed at {n}: {names:?}"
        );
        assert!(cloud.office.plan(AT).1.actions.is_empty(), "killed at {n}");
        for entry in std::fs::read_dir(cloud.outbox()).unwrap() {
            assert!(!holds_plaintext(&entry.unwrap().path()), "killed at {n}");
        }
        assert_eq!(
            cloud.decrypt(&name("2026-03-30"), EntryKind::File),
            crate::content_hash::hash_path(&cloud.office.copies("MON").join(name("2026-03-30")))
                .unwrap()
        );
    }
}

#[cfg(unix)]
#[test]
fn an_unreachable_remote_leaves_the_staged_copy_and_the_servers_copy_then_the_next_night_uploads() {
    let cloud = CloudOffice::new(unreachable_remote);
    let office = &cloud.office;
    let report = office.apply(AT, Fs::default());
    for date in ["2026-03-30", "2026-03-31"] {
        let Outcome::Failed(failure) = report
            .outcomes
            .iter()
            .find(|(a, _)| {
                a.op == Op::Copy
                    && a.backup == name(date)
                    && a.to.as_ref().is_some_and(|to| to.name() == "cloud")
            })
            .map(|(_, o)| o)
            .unwrap()
        else {
            panic!("{:#?}", report.outcomes)
        };
        assert!(
            matches!(failure, Failure::RemoteUnreachable { .. }),
            "{failure:?}"
        );
        assert!(failure.to_string().contains("nothing is lost"), "{failure}");
    }
    // rclone was asked once: the second upload knew the remote was down.
    let calls = std::fs::read_to_string(office.path("rclone-calls")).unwrap();
    assert_eq!(calls.lines().count(), 1, "{calls}");
    // Staged and encrypted all the same; the server keeps 03-30 meanwhile.
    assert!(cloud.staged().get(&name("2026-03-30")).is_some());
    assert!(matches!(
        outcome(&report, Op::Remove, "2026-03-30"),
        Outcome::Skipped { .. }
    ));
    assert!(office.source(&name("2026-03-30")).exists());
    let to_mon = report.outcomes.iter().find(|(a, _)| {
        a.backup == name("2026-03-31") && a.to.as_ref().is_some_and(|to| to.name() == "MON")
    });
    assert!(
        matches!(to_mon, Some((_, Outcome::Done(_)))),
        "the disk's copy does not wait for the cloud: {:#?}",
        report.outcomes
    );

    // The network is back: the staged copies are uploaded, verified, leave the
    // outbox (keep_local: 0), and the server prunes.
    let online = cloud.policy_with(local_remote);
    let report = office.apply_with(&online, AT, Fs::default(), None);
    assert_eq!(report.failed(), 0, "{:#?}", report.outcomes);
    let remote = office.path("remote");
    assert_eq!(
        Office::names(&remote),
        [
            format!("{}.age", name("2026-03-30")),
            format!("{}.tar.age", name("2026-03-31"))
        ]
    );
    assert_eq!(
        Office::names(&cloud.outbox()),
        [layout::MANIFEST_FILE.to_string()]
    );
    assert!(!office.source(&name("2026-03-30")).exists());
    let catalog = Catalog::load(&office.policy.state_dir).unwrap();
    let known = &catalog.targets["cloud"];
    assert_eq!(known.remote.len(), 2);
    assert_eq!(known.checks[&name("2026-03-30")].hash_type, "sha256");
    let logged = audit::read(&office.policy.state_dir).unwrap();
    let staged_removals = logged
        .iter()
        .filter(|r| r.location == "cloud" && r.reason.contains("keep_local"))
        .count();
    assert_eq!(staged_removals, 2, "{logged:#?}");
}

#[cfg(unix)]
#[test]
fn a_damaged_remote_copy_is_uploaded_again_and_expired_ones_are_deleted_there() {
    let cloud = CloudOffice::new(local_remote);
    let office = &cloud.office;
    assert_eq!(office.apply(AT, Fs::default()).failed(), 0);
    let remote = office.path("remote");
    let object = remote.join(format!("{}.age", name("2026-03-30")));
    let uploaded = std::fs::read(&object).unwrap();

    // Bit rot at the provider, same size: the next run's look at the remote
    // re-checks that copy's hash (checked longest ago), stops counting it, and
    // uploads it again from the disk (the server no longer has it).
    let mut damaged = uploaded.clone();
    damaged[100] ^= 0x01;
    std::fs::write(&object, &damaged).unwrap();
    let report = office.apply(AT, Fs::default());
    assert_eq!(report.failed(), 0, "{:#?}", report.outcomes);
    let copied = report
        .outcomes
        .iter()
        .find(|(a, _)| a.to.as_ref().is_some_and(|to| to.name() == "cloud"))
        .map(|(a, _)| a)
        .expect("uploaded again");
    assert_eq!(copied.backup, name("2026-03-30"));
    assert_eq!(copied.from.as_ref().map(|l| l.name()), Some("MON"));
    let again = std::fs::read(&object).unwrap();
    assert_ne!(again, damaged);
    let catalog = Catalog::load(&office.policy.state_dir).unwrap();
    assert_eq!(
        catalog.targets["cloud"].remote[&name("2026-03-30")].ciphertext_hash,
        Some(crate::content_hash::hash_file(&object).unwrap())
    );

    // Wednesday, the practice software's backup missing, the network down:
    // 03-30 is no longer kept by the cloud's tiers, and its removal there
    // fails cleanly; the remote copy stays, still counted.
    let offline = cloud.policy_with(unreachable_remote);
    let report = office.apply_with(&offline, "2026-04-01", Fs::default(), None);
    let removal = report.outcomes.iter().find(|(a, _)| {
        a.op == Op::Remove && a.location.as_ref().is_some_and(|l| l.name() == "cloud")
    });
    let Some((_, Outcome::Failed(failure))) = removal else {
        panic!("{:#?}", report.outcomes)
    };
    assert!(
        matches!(failure, Failure::RemoteUnreachable { .. }),
        "{failure:?}"
    );
    assert!(object.exists());
    let catalog = Catalog::load(&office.policy.state_dir).unwrap();
    assert!(
        catalog.targets["cloud"]
            .remote
            .contains_key(&name("2026-03-30"))
    );

    // The backup arrives and the network is back: it is uploaded, and 03-30
    // is deleted from the remote, and logged.
    office.backup("2026-04-01", 2600);
    let report = office.apply("2026-04-01", Fs::default());
    assert_eq!(report.failed(), 0, "{:#?}", report.outcomes);
    assert!(!object.exists());
    let catalog = Catalog::load(&office.policy.state_dir).unwrap();
    assert!(
        !catalog.targets["cloud"]
            .remote
            .contains_key(&name("2026-03-30"))
    );
    let logged = audit::read(&office.policy.state_dir).unwrap();
    let remote_object = format!(":local:{}", object.display());
    let deletion = logged
        .iter()
        .find(|r| r.location == "cloud" && r.path == Path::new(&remote_object))
        .expect("the remote deletion is in the audit log");
    assert_eq!(deletion.op, Op::Remove);
    assert_eq!(deletion.backup, name("2026-03-30"));
    assert!(deletion.reason.contains("expired"), "{}", deletion.reason);
    assert!(office.plan("2026-04-01").1.actions.is_empty());
}

#[cfg(unix)]
#[test]
fn a_remote_deletion_cut_off_by_a_crash_is_finished_and_logged_by_the_next_run() {
    let cloud = CloudOffice::new(local_remote);
    let office = &cloud.office;
    assert_eq!(office.apply(AT, Fs::default()).failed(), 0);
    let backup = name("2026-03-30");
    let object = office.path("remote").join(format!("{backup}.age"));
    let remote_path = format!(":local:{}", object.display());
    // Cut off after the catalog stopped counting the copy, before rclone ran.
    let mut catalog = Catalog::load(&office.policy.state_dir).unwrap();
    catalog.forget_remote("cloud", &backup).unwrap();
    catalog.save(&office.policy.state_dir).unwrap();
    let started = journal::Started {
        run: "old".into(),
        plan: "p".into(),
        plan_at: "2026-03-31T23:59:00-04:00".into(),
        action: 4,
        op: Op::Remove,
        backup: backup.clone(),
        kind: EntryKind::File,
        location: "cloud".into(),
        disk_id: None,
        path: PathBuf::from(&remote_path),
        temp: PathBuf::from(&remote_path),
        size: 2500,
        hash: Some("ab".repeat(32)),
        reason: "expired".into(),
        archived_to: None,
        remote: Some(remote_path.clone()),
        at: super::office::clock(),
    };
    let line = serde_json::to_string(&journal::Entry::ActionStarted(Box::new(started))).unwrap();
    std::fs::write(journal::path(&office.policy.state_dir), line + "\n").unwrap();

    let clock = super::office::clock;
    let mut run = super::office::begin(&office.policy, Fs::default(), &clock);
    let recovery = run.recover(&office.scan()).unwrap();
    assert_eq!(recovery.completed, [format!("remove {backup} on cloud")]);
    assert!(!object.exists());
    let logged = audit::read(&office.policy.state_dir).unwrap();
    let last = logged.last().unwrap();
    assert!(last.recovered && last.backup == backup && last.path == Path::new(&remote_path));
}
