//! `rota restore --disk PATH …`: the server is gone and a person holds a
//! disk and the rota binary. No policy, no state_dir, no source folder: the
//! disk's label and manifest are enough to list and restore, byte for byte,
//! with the same checks; a lost manifest is rebuilt from the folder (and the
//! restore says it could not verify); a damaged copy fails clearly or falls
//! back to the next disk given; encrypted copies need the office's key.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::apply_office;
use crate::apply_office::name;
use crate::restore_office::{RestoreOffice, tree};
use crate::snapshot;
use crate::support::TempOffice;
use age::secrecy::ExposeSecret;
use chrono::DateTime;
use rota::inventory::offsite_names::Stored;
use rota::inventory::{CopyRecord, EntryKind, Manifest, layout, write_label};
use rota::offsite::encrypt::{Recipients, encrypt_backup};

/// The office after the server died: only the disks (and the originals
/// kept aside for comparison) are left.
fn server_gone() -> (RestoreOffice, PathBuf) {
    let office = RestoreOffice::new();
    let originals = office.keep_originals();
    for gone in ["source", "state"] {
        fs::remove_dir_all(office.join(gone)).unwrap();
    }
    fs::remove_file(office.join("policy.yaml")).unwrap();
    (office, originals)
}

fn disk_arg(office: &RestoreOffice, label: &str) -> String {
    office.apply.mount(label).display().to_string()
}

#[test]
fn with_the_server_gone_one_disk_lists_and_restores_its_backups() {
    let (office, originals) = server_gone();
    let mon = disk_arg(&office, "MON");
    let list = office.restore(&["--disk", &mon, "--list"]).success();
    snapshot!("restore_disk_list", office.redact(&list.stdout));

    let latest = office
        .restore(&["--disk", &mon, "--latest", "--to", "restored"])
        .success();
    snapshot!("restore_disk_latest", office.redact(&latest.stdout));
    let file = name("2026-03-31");
    assert_eq!(
        fs::read(office.join("restored").join(&file)).unwrap(),
        fs::read(originals.join(&file)).unwrap()
    );
    // A bundle by its date, and a file by its name.
    let bundle = name("2026-03-30");
    office
        .restore(&["--disk", &mon, "--date", "2026-03-30", "--to", "restored"])
        .success()
        .stdout_contains("its checksum matches the recorded one");
    assert_eq!(
        tree(&office.join("restored").join(&bundle)),
        tree(&originals.join(&bundle))
    );
    office
        .restore(&["--disk", &mon, &name("2026-03-23"), "--to", "restored"])
        .success();
    assert_eq!(
        fs::read(office.join("restored").join(name("2026-03-23"))).unwrap(),
        fs::read(originals.join(name("2026-03-23"))).unwrap()
    );
    // The disk's own rota folder works as well as its root.
    office
        .restore(&["--disk", &format!("{mon}/rota"), "--list"])
        .success()
        .stdout_contains(&name("2026-03-23"));
    assert!(
        !office.join("state").exists(),
        "no state is made from nothing"
    );
}

#[test]
fn a_lost_manifest_is_rebuilt_from_the_disk_and_restores_say_they_are_unverified() {
    let (office, originals) = server_gone();
    let wed = disk_arg(&office, "WED");
    fs::remove_file(layout::manifest_file(
        &office.apply.mount("WED").join("rota"),
    ))
    .unwrap();
    let list = office.restore(&["--disk", &wed, "--list"]).success();
    snapshot!("restore_disk_list_rebuilt", office.redact(&list.stdout));
    let output = office
        .restore(&["--disk", &wed, "--latest", "--to", "restored"])
        .success();
    snapshot!(
        "restore_disk_rebuilt_unverified",
        office.redact(&format!(
            "{}\n--- stderr ---\n{}",
            output.stdout, output.stderr
        ))
    );
    let bundle = name("2026-03-25");
    assert_eq!(
        tree(&office.join("restored").join(&bundle)),
        tree(&originals.join(&bundle))
    );
    // A damaged manifest is rebuilt the same way.
    fs::write(
        layout::manifest_file(&office.apply.mount("WED").join("rota")),
        "{\"rota_manifest\": 1, \"copies\": [",
    )
    .unwrap();
    office
        .restore(&["--disk", &wed, "--list"])
        .success()
        .stdout_contains("Its manifest cannot be used: the manifest")
        .stdout_contains("This list was rebuilt");
}

#[test]
fn a_damaged_copy_fails_clearly_and_the_next_disk_given_is_used() {
    let (office, originals) = server_gone();
    let bundle = name("2026-03-30");
    RestoreOffice::damage(
        &office
            .apply
            .mount("MON")
            .join("rota")
            .join(&bundle)
            .join("Contents/Resources/data.bin"),
    );
    let (mon, tue) = (disk_arg(&office, "MON"), disk_arg(&office, "TUE"));
    let alone = office
        .restore(&["--disk", &mon, &bundle, "--to", "restored"])
        .failure();
    snapshot!(
        "restore_disk_damaged_copy",
        office.redact(&format!(
            "{}\n--- stderr ---\n{}",
            alone.stdout, alone.stderr
        ))
    );
    assert_eq!(
        apply_office::names(&office.join("restored")),
        Vec::<String>::new()
    );
    office
        .restore(&["--disk", &mon, "--disk", &tue, &bundle, "--to", "restored"])
        .success()
        .stdout_contains("from      disk TUE")
        .stdout_contains("Warning: 1 other copy was not used:");
    assert_eq!(
        tree(&office.join("restored").join(&bundle)),
        tree(&originals.join(&bundle))
    );
}

#[test]
fn arguments_and_paths_that_are_no_disk_are_refused_clearly() {
    let (office, _) = server_gone();
    fs::create_dir_all(office.join("empty")).unwrap();
    let not_a_disk = office.restore(&["--disk", "empty", "--list"]).failure();
    snapshot!("restore_disk_not_a_disk", office.redact(&not_a_disk.stderr));
    let mon = disk_arg(&office, "MON");
    office
        .restore(&["--disk", &mon, "--date", "2026-03-24", "--to", "restored"])
        .failure()
        .stderr_contains("there is no backup of 2026-03-24 on disk MON")
        .stderr_contains("2026-03-23 (before), 2026-03-30 (after)");
    office
        .restore(&["--disk", &mon, "--latest", "--to", &format!("{mon}/rota")])
        .failure()
        .stderr_contains("is where rota keeps backups");
}

/// A key pair: the private key written to `file` in `office`.
fn key_pair(office: &TempOffice, file: &str) -> (PathBuf, Recipients) {
    let identity = age::x25519::Identity::generate();
    let path = office.join(file);
    fs::write(&path, format!("{}\n", identity.to_string().expose_secret())).unwrap();
    (path, Recipients::new(vec![identity.to_public()]).unwrap())
}

/// A labelled disk whose copies are age-encrypted (`NAME.age`,
/// `NAME.tar.age`), each recorded with its plaintext and ciphertext hashes.
fn encrypted_disk(
    office: &TempOffice,
    backups: &[(PathBuf, EntryKind)],
    recipients: &Recipients,
) -> PathBuf {
    let mount = office.folder("disks/MON");
    let label = write_label(&mount, "MON", DateTime::UNIX_EPOCH).unwrap();
    let copies = office.folder("disks/MON/rota");
    let mut manifest = Manifest::new(&label.id, "MON");
    for (source, kind) in backups {
        let name = source.file_name().unwrap().to_string_lossy().into_owned();
        let stored = copies.join(Stored::for_backup(*kind, true).name_for(&name));
        let (_, sealed) =
            encrypt_backup(source, *kind, recipients, File::create(&stored).unwrap()).unwrap();
        manifest.record(CopyRecord {
            name,
            size: rota::inventory::bundle_size(source).0,
            kind: *kind,
            hash: sealed.content_hash,
            copied_at: DateTime::UNIX_EPOCH,
            verified_at: Some(DateTime::UNIX_EPOCH),
            ciphertext_hash: Some(sealed.ciphertext_hash),
            fingerprint: None,
        });
    }
    manifest.save(&copies).unwrap();
    mount
}

#[test]
fn encrypted_disk_copies_restore_with_the_office_key_and_not_without_it() {
    let office = TempOffice::five_day();
    let (key, recipients) = key_pair(&office, "key.txt");
    let (wrong_key, _) = key_pair(&office, "other-key.txt");
    let file = office.backup_file(&name("2026-03-31"), 70_000);
    let bundle = office.backup_bundle(&name("2026-03-30"), 90_000);
    let mount = encrypted_disk(
        &office,
        &[
            (file.clone(), EntryKind::File),
            (bundle.clone(), EntryKind::Bundle),
        ],
        &recipients,
    );
    let disk = mount.display().to_string();
    let listed = office
        .rota()
        .args(["restore", "--disk", &disk, "--list"])
        .run()
        .success();
    assert!(
        listed.stdout.contains("file, encrypted"),
        "{}",
        listed.stdout
    );
    assert!(
        listed.stdout.contains("bundle, encrypted"),
        "{}",
        listed.stdout
    );

    let without = office
        .rota()
        .args(["restore", "--disk", &disk, "--latest", "--to", "restored"])
        .run()
        .failure();
    let redact = |text: &str| {
        let text = office.redact(text);
        let id = rota::inventory::read_label(&mount).unwrap().unwrap();
        text.replace(id.short_id(), "[ID]")
    };
    snapshot!(
        "restore_disk_encrypted_without_key",
        redact(&format!(
            "{}\n--- stderr ---\n{}",
            without.stdout, without.stderr
        ))
    );
    office
        .rota()
        .args([
            "restore",
            "--disk",
            &disk,
            "--latest",
            "--to",
            "restored",
            "--identity",
        ])
        .arg(&wrong_key)
        .run()
        .failure()
        .stdout_contains("none of the keys in");
    assert_eq!(
        support_names(&office.join("restored")),
        Vec::<String>::new()
    );
    for wanted in [["--latest"], ["--date"]] {
        let mut args = vec!["restore", "--disk", disk.as_str(), wanted[0]];
        if wanted[0] == "--date" {
            args.push("2026-03-30");
        }
        office
            .rota()
            .args(args)
            .args(["--to", "restored", "--identity"])
            .arg(&key)
            .run()
            .success()
            .stdout_contains("its checksum matches the recorded one");
    }
    assert_eq!(
        fs::read(office.join("restored").join(name("2026-03-31"))).unwrap(),
        fs::read(&file).unwrap()
    );
    assert_eq!(
        tree(&office.join("restored").join(name("2026-03-30"))),
        tree(&bundle)
    );
}

#[test]
fn a_folder_of_off_site_copies_restores_like_a_disk() {
    let office = TempOffice::five_day();
    let (key, recipients) = key_pair(&office, "key.txt");
    let file = office.backup_file(&name("2026-03-31"), 70_000);
    // A staging folder as the executor leaves it: copies and a manifest, no label.
    let outbox = office.folder("outbox");
    let stored = outbox.join(Stored::EncryptedFile.name_for(&name("2026-03-31")));
    let (_, sealed) = encrypt_backup(
        &file,
        EntryKind::File,
        &recipients,
        File::create(&stored).unwrap(),
    )
    .unwrap();
    let mut manifest = Manifest::new("offsite:cloud", "cloud");
    manifest.record(CopyRecord {
        name: name("2026-03-31"),
        size: 70_000,
        kind: EntryKind::File,
        hash: sealed.content_hash,
        copied_at: DateTime::UNIX_EPOCH,
        verified_at: Some(DateTime::UNIX_EPOCH),
        ciphertext_hash: Some(sealed.ciphertext_hash),
        fingerprint: None,
    });
    manifest.save(&outbox).unwrap();
    office
        .rota()
        .args([
            "restore", "--disk", "outbox", "--latest", "--to", "restored", "-i",
        ])
        .arg(&key)
        .run()
        .success()
        .stdout_contains("from      off-site folder cloud (encrypted");
    assert_eq!(
        fs::read(office.join("restored").join(name("2026-03-31"))).unwrap(),
        fs::read(&file).unwrap()
    );
}

fn support_names(folder: &Path) -> Vec<String> {
    apply_office::names(folder)
}

#[test]
fn a_manifest_cut_short_still_checks_the_copies_whose_records_are_whole() {
    let (office, originals) = server_gone();
    let mon = disk_arg(&office, "MON");
    let manifest = layout::manifest_file(&office.apply.mount("MON").join("rota"));
    let text = fs::read_to_string(&manifest).unwrap();
    let cut = text.find(&format!("\"{}\"", name("2026-03-31"))).unwrap();
    fs::write(&manifest, &text[..cut]).unwrap();
    let list = office.restore(&["--disk", &mon, "--list"]).success();
    snapshot!("restore_disk_list_salvaged", office.redact(&list.stdout));
    office
        .restore(&["--disk", &mon, &name("2026-03-23"), "--to", "restored"])
        .success()
        .stdout_contains("its checksum matches the recorded one")
        .stdout_contains("disk MON's damaged manifest (a record still whole)")
        .stderr_contains("the 2 records still whole in it are used");
    assert_eq!(
        fs::read(office.join("restored").join(name("2026-03-23"))).unwrap(),
        fs::read(originals.join(name("2026-03-23"))).unwrap()
    );
    office
        .restore(&["--disk", &mon, "--latest", "--to", "restored"])
        .success()
        .stdout_contains("UNVERIFIED");
}

#[test]
fn with_a_policy_too_a_restore_from_a_disk_is_in_the_audit_log() {
    let office = RestoreOffice::new();
    let tue = disk_arg(&office, "TUE");
    office
        .restore(&["policy.yaml", "--disk", &tue, "--list"])
        .success()
        .stdout_contains(&name("2026-03-24"));
    office
        .restore(&[
            "policy.yaml",
            "--disk",
            &tue,
            &name("2026-03-24"),
            "--to",
            "restored",
        ])
        .success()
        .stdout_contains("Recorded in the audit log");
    let log = fs::read_to_string(office.join("state/audit.log")).unwrap();
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["op"], "restore");
    assert_eq!(last["location"], "TUE");
    assert_eq!(
        last["disk_id"].as_str().unwrap(),
        rota::inventory::read_label(&office.apply.mount("TUE"))
            .unwrap()
            .unwrap()
            .id
    );
}

/// A disk fresh from `rota disk init` (which writes an empty manifest), and
/// one labelled by an older rota (no manifest at all): each is said to be
/// empty, never "its manifest is missing".
#[test]
fn a_freshly_labelled_disk_is_empty_not_missing_its_manifest() {
    let office = TempOffice::empty();
    let disk = office.folder("TUE");
    office
        .rota()
        .args(["disk", "init", "TUE", "--label", "TUE"])
        .run()
        .success();
    assert!(
        Manifest::load(&layout::copies_dir(&disk))
            .unwrap()
            .is_some(),
        "disk init writes an empty manifest"
    );
    let older = office.folder("WED");
    write_label(&older, "WED", chrono::Utc::now()).unwrap();
    fs::create_dir(layout::copies_dir(&older)).unwrap();
    for label in ["TUE", "WED"] {
        office
            .rota()
            .args(["restore", "--disk", label, "--list"])
            .run()
            .success()
            .stdout_contains("It is empty: rota has not copied any backup to it yet")
            .stdout_lacks("manifest")
            .stdout_lacks("To restore one");
        office
            .rota()
            .args(["restore", "--disk", label, "--latest", "--to", "out"])
            .run()
            .failure()
            .stderr_contains(&format!(
                "disk {label} is empty: rota has not copied any backup to it yet"
            ))
            .stderr_lacks("manifest");
    }
}
