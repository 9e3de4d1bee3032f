//! `rota decrypt` end to end: encrypted copies made the way the executor stages
//! them (the library's encryption into a staging folder with its manifest),
//! restored by the binary; the errors a person restoring would meet; and
//! `rota check`'s warning when rclone is missing.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::support::{FIVE_DAY_POLICY, TempOffice};
use age::secrecy::{ExposeSecret, SecretString};
use chrono::DateTime;
use rota::content_hash;
use rota::inventory::offsite_names::Stored;
use rota::inventory::{CopyRecord, EntryKind, Manifest};
use rota::offsite::encrypt::{Recipients, encrypt_backup};

/// A key pair: the private key written to `key.txt` in `office`.
fn key_pair(office: &TempOffice, file: &str) -> (PathBuf, Recipients) {
    let identity = age::x25519::Identity::generate();
    let path = office.join(file);
    fs::write(&path, format!("{}\n", identity.to_string().expose_secret())).unwrap();
    let recipients = Recipients::new(vec![identity.to_public()]).unwrap();
    (path, recipients)
}

/// Stages an encrypted copy of `source` in `outbox/` with a manifest.
fn stage(office: &TempOffice, source: &Path, kind: EntryKind, recipients: &Recipients) -> PathBuf {
    let outbox = office.folder("outbox");
    let name = source.file_name().unwrap().to_string_lossy().into_owned();
    let stored = outbox.join(Stored::for_backup(kind, true).name_for(&name));
    let (_, copy) =
        encrypt_backup(source, kind, recipients, File::create(&stored).unwrap()).unwrap();
    let mut manifest = Manifest::new("offsite:cloud", "cloud");
    // A file's size is its plaintext's; a bundle's is not needed here.
    let size = if kind == EntryKind::File {
        fs::metadata(source).unwrap().len()
    } else {
        0
    };
    manifest.record(CopyRecord {
        name,
        size,
        kind,
        hash: copy.content_hash,
        copied_at: DateTime::UNIX_EPOCH,
        verified_at: Some(DateTime::UNIX_EPOCH),
        ciphertext_hash: Some(copy.ciphertext_hash),
        fingerprint: None,
    });
    manifest.save(&outbox).unwrap();
    stored
}

const FILE_NAME: &str = "MacPractice_2026-03-31_2330.mpbackup";

#[test]
fn a_file_and_a_bundle_are_restored_and_checked_against_the_manifest() {
    let office = TempOffice::five_day();
    let (key, recipients) = key_pair(&office, "key.txt");
    let file = office.backup_file(FILE_NAME, 70_000);
    let stored = stage(&office, &file, EntryKind::File, &recipients);
    office
        .rota()
        .args([
            "decrypt",
            "outbox/MacPractice_2026-03-31_2330.mpbackup.age",
            "--identity",
        ])
        .arg(&key)
        .args(["--out", "restored.mpbackup"])
        .run()
        .success()
        .stdout_contains("matches the manifest");
    assert_eq!(
        fs::read(office.join("restored.mpbackup")).unwrap(),
        fs::read(&file).unwrap()
    );
    assert!(stored.exists(), "the encrypted copy is never touched");

    let bundle = office.backup_bundle("MacPractice_2026-03-30_2330.mpbackup", 5_000);
    stage(&office, &bundle, EntryKind::Bundle, &recipients);
    let restore_dir = office.folder("restore");
    office
        .rota()
        .current_dir(&restore_dir)
        .args([
            "decrypt",
            "../outbox/MacPractice_2026-03-30_2330.mpbackup.tar.age",
            "-i",
        ])
        .arg(&key)
        .run()
        .success()
        .stdout_contains("bundle");
    assert_eq!(
        content_hash::hash_bundle(&restore_dir.join("MacPractice_2026-03-30_2330.mpbackup"))
            .unwrap(),
        content_hash::hash_bundle(&bundle).unwrap()
    );
}

#[test]
fn without_a_manifest_the_restore_says_it_was_not_checked_against_one() {
    let office = TempOffice::five_day();
    let (_, recipients) = key_pair(&office, "key.txt");
    let file = office.backup_file(FILE_NAME, 100);
    let stored = stage(&office, &file, EntryKind::File, &recipients);
    let downloaded = office.join("download.age");
    fs::copy(&stored, &downloaded).unwrap();
    office
        .rota()
        .args([
            "decrypt",
            "download.age",
            "--identity",
            "key.txt",
            "--out",
            "x",
        ])
        .run()
        .success()
        .stdout_contains("no manifest beside");
}

#[test]
fn a_wrong_key_a_damaged_file_and_a_missing_passphrase_are_clear_errors() {
    let office = TempOffice::five_day();
    let (_, recipients) = key_pair(&office, "key.txt");
    let (other_key, _) = key_pair(&office, "other.txt");
    let file = office.backup_file(FILE_NAME, 200_000);
    let stored = stage(&office, &file, EntryKind::File, &recipients);
    office
        .rota()
        .args(["decrypt"])
        .arg(&stored)
        .arg("--identity")
        .arg(&other_key)
        .run()
        .failure()
        .stderr_contains("none of the keys in")
        .stderr_contains("age-keygen -y");
    assert!(!office.join(FILE_NAME).exists());

    let len = fs::metadata(&stored).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&stored)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    office
        .rota()
        .args(["decrypt"])
        .arg(&stored)
        .args(["--identity", "key.txt"])
        .run()
        .failure()
        .stderr_contains("is incomplete");

    // A passphrase-protected key with no terminal and no ROTA_AGE_PASSPHRASE.
    let protected = office.join("key.txt.age");
    let mut recipient = age::scrypt::Recipient::new(SecretString::from("s3cret".to_string()));
    recipient.set_work_factor(10);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .unwrap();
    let mut writer = encryptor
        .wrap_output(File::create(&protected).unwrap())
        .unwrap();
    writer
        .write_all(&fs::read(office.join("key.txt")).unwrap())
        .unwrap();
    writer.finish().unwrap();
    office
        .rota()
        .args(["decrypt"])
        .arg(&stored)
        .args(["--identity", "key.txt.age"])
        .env_remove("ROTA_AGE_PASSPHRASE")
        .stdin("")
        .run()
        .failure()
        .stderr_contains("protected by a passphrase")
        .stderr_contains("ROTA_AGE_PASSPHRASE");
    // With the passphrase from the environment, the key opens (the copy is
    // still the damaged one).
    office
        .rota()
        .args(["decrypt"])
        .arg(&stored)
        .args(["--identity", "key.txt.age"])
        .env("ROTA_AGE_PASSPHRASE", "s3cret")
        .run()
        .failure()
        .stderr_contains("is incomplete");
}

fn with_upload(binary: Option<&str>) -> String {
    let binary = binary
        .map(|b| format!(", binary: \"{b}\""))
        .unwrap_or_default();
    format!(
        "{FIVE_DAY_POLICY}offsite:\n  - name: cloud\n    path: outbox\n    upload: {{ rclone: \"cloud:rota\"{binary} }}\n    retain: {{ business_days: 5 }}\n"
    )
}

#[test]
fn check_warns_at_the_policy_key_when_rclone_is_missing() {
    let office = TempOffice::new(&with_upload(Some("/nonexistent/rclone")));
    let output = office
        .rota()
        .args(["check", "policy.yaml"])
        .run()
        .success()
        .stderr_contains("rclone-missing")
        .stderr_contains("/nonexistent/rclone");
    assert!(output.stderr.contains("binary"), "{}", output.stderr);

    let office = TempOffice::new(&with_upload(None));
    office
        .rota()
        .args(["check", "policy.yaml"])
        .env("PATH", office.path())
        .run()
        .success()
        .stderr_contains("rclone-missing")
        .stderr_contains("cloud:rota");
}
