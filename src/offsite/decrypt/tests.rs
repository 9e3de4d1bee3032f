use std::str::FromStr;

use age::secrecy::{ExposeSecret, SecretString};
use chrono::DateTime;

use super::*;
use crate::inventory::offsite_names::Stored;
use crate::offsite::encrypt::{Recipients, encrypt_backup};
use crate::offsite::identity::{self, IdentityError};

/// A key pair, the private half written to `key.txt` as age-keygen would.
struct Keys {
    dir: tempfile::TempDir,
    identity_file: PathBuf,
    recipients: Recipients,
    public: String,
}

fn keys() -> Keys {
    let dir = tempfile::tempdir().unwrap();
    let identity = age::x25519::Identity::generate();
    let public = identity.to_public().to_string();
    let identity_file = dir.path().join("key.txt");
    fs::write(
        &identity_file,
        format!(
            "# created: today\n# public key: {public}\n{}\n",
            identity.to_string().expose_secret()
        ),
    )
    .unwrap();
    Keys {
        identity_file,
        recipients: Recipients::new(vec![age::x25519::Recipient::from_str(&public).unwrap()])
            .unwrap(),
        public,
        dir,
    }
}

fn no_passphrase() -> Option<SecretString> {
    None
}

fn load(path: &Path) -> Identities {
    identity::load(path, &mut no_passphrase).unwrap()
}

/// Encrypts the backup at `source` into the staging folder `staging`, under
/// its stored name, and records it in the manifest there.
fn stage(keys: &Keys, source: &Path, kind: EntryKind, staging: &Path) -> (PathBuf, CopyRecord) {
    fs::create_dir_all(staging).unwrap();
    let name = source.file_name().unwrap().to_string_lossy().into_owned();
    let stored = staging.join(Stored::for_backup(kind, true).name_for(&name));
    let file = File::create(&stored).unwrap();
    let (_, copy) = encrypt_backup(source, kind, &keys.recipients, file).unwrap();
    let record = CopyRecord {
        name: name.clone(),
        size: match kind {
            EntryKind::File => fs::metadata(source).unwrap().len(),
            EntryKind::Bundle => 0,
        },
        kind,
        hash: copy.content_hash,
        copied_at: DateTime::UNIX_EPOCH,
        verified_at: Some(DateTime::UNIX_EPOCH),
        ciphertext_hash: Some(copy.ciphertext_hash),
        fingerprint: None,
    };
    let mut manifest = Manifest::new("offsite:cloud", "cloud");
    manifest.record(record.clone());
    manifest.save(staging).unwrap();
    (stored, record)
}

fn big_file(path: &Path, len: usize) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, (0..len).map(|i| (i % 241) as u8).collect::<Vec<u8>>()).unwrap();
}

#[test]
fn a_file_is_restored_and_checked_against_the_manifest() {
    let keys = keys();
    let root = keys.dir.path();
    let source = root.join("server/B_1.bak");
    big_file(&source, 150_000);
    let (stored, record) = stage(&keys, &source, EntryKind::File, &root.join("outbox"));
    assert_eq!(backup_of(&stored), ("B_1.bak".into(), EntryKind::File));
    let expected = manifest_record(&stored, "B_1.bak");
    assert_eq!(expected.as_ref(), Some(&record));
    let out = root.join("restored.bak");
    let restored = restore(
        &stored,
        &load(&keys.identity_file),
        &out,
        EntryKind::File,
        expected.as_ref(),
    )
    .unwrap();
    assert!(restored.checked_against_manifest);
    assert_eq!(fs::read(&out).unwrap(), fs::read(&source).unwrap());
    assert_eq!(restored.content_hash, record.hash);
    assert_eq!(restored.size, 150_000);
}

#[test]
fn a_bundle_is_restored_exactly() {
    let keys = keys();
    let root = keys.dir.path();
    let bundle = root.join("server/B_2.bak");
    big_file(&bundle.join("Contents/data.db"), 100_000);
    fs::create_dir_all(bundle.join("Contents/Empty")).unwrap();
    fs::write(bundle.join("Info"), b"info").unwrap();
    let (stored, record) = stage(&keys, &bundle, EntryKind::Bundle, &root.join("outbox"));
    assert!(stored.to_string_lossy().ends_with("B_2.bak.tar.age"));
    assert_eq!(backup_of(&stored), ("B_2.bak".into(), EntryKind::Bundle));
    let out = root.join("restored");
    let restored = restore(
        &stored,
        &load(&keys.identity_file),
        &out,
        EntryKind::Bundle,
        Some(&record),
    )
    .unwrap();
    assert_eq!(crate::content_hash::hash_bundle(&out).unwrap(), record.hash);
    assert_eq!(restored.content_hash, record.hash);
    assert!(out.join("Contents/Empty").is_dir());
}

#[test]
fn a_wrong_key_is_told_apart_and_leaves_nothing() {
    let keys = keys();
    let other = self::keys();
    let root = keys.dir.path();
    let source = root.join("server/B_1.bak");
    big_file(&source, 10);
    let (stored, _) = stage(&keys, &source, EntryKind::File, &root.join("outbox"));
    let out = root.join("restored.bak");
    let error = restore(
        &stored,
        &load(&other.identity_file),
        &out,
        EntryKind::File,
        None,
    )
    .unwrap_err();
    assert!(matches!(error, DecryptError::WrongKey { .. }), "{error:?}");
    assert!(error.help().contains("age-keygen -y"));
    assert!(!out.exists());
    assert_ne!(keys.public, other.public);
}

/// Cuts the staged copy to `len` bytes.
fn truncate(path: &Path, len: u64) {
    OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

fn flip_byte(path: &Path, at: usize) {
    let mut bytes = fs::read(path).unwrap();
    bytes[at] ^= 0x01;
    fs::write(path, bytes).unwrap();
}

fn only_entry(folder: &Path) -> Vec<String> {
    fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn truncated_and_tampered_files_are_told_apart() {
    let keys = keys();
    let root = keys.dir.path();
    let identities = load(&keys.identity_file);
    let source = root.join("server/B_1.bak");
    // Three full 64 KiB chunks and a short last one.
    big_file(&source, 3 * 65_536 + 100);
    let run = |name: &str, damage: &dyn Fn(&Path), with_manifest: bool| {
        let staging = root.join(name);
        let (stored, record) = stage(&keys, &source, EntryKind::File, &staging);
        damage(&stored);
        let out = staging.join("restored");
        let expected = with_manifest.then_some(&record);
        let error = restore(&stored, &identities, &out, EntryKind::File, expected).unwrap_err();
        // Nothing is left behind under the output's name or a temporary one.
        let mut left = only_entry(&staging);
        left.sort();
        assert_eq!(left, [".rota-manifest.json", "B_1.bak.age"], "{name}");
        error
    };
    let len = |path: &Path| fs::metadata(path).unwrap().len();
    // Cut at a chunk boundary: age itself sees the missing end.
    let boundary = run("boundary", &|p| truncate(p, len(p) - (100 + 16)), false);
    assert!(
        matches!(boundary, DecryptError::Truncated { .. }),
        "{boundary:?}"
    );
    // Cut inside the last chunk: with the manifest's size rota knows it is short.
    let short = run("short", &|p| truncate(p, len(p) - 40), true);
    assert!(matches!(short, DecryptError::Truncated { .. }), "{short:?}");
    // ...without it, only that its end is wrong.
    let end = run("end", &|p| truncate(p, len(p) - 40), false);
    assert!(matches!(end, DecryptError::DamagedAtEnd { .. }), "{end:?}");
    // A byte changed in the middle.
    let middle = run("middle", &|p| flip_byte(p, 100_000), false);
    assert!(
        matches!(middle, DecryptError::Tampered { .. }),
        "{middle:?}"
    );
    assert!(middle.to_string().contains("altered"));
    // A byte changed in the last chunk, size intact, manifest at hand.
    let last = run("last", &|p| flip_byte(p, len(p) as usize - 5), true);
    assert!(matches!(last, DecryptError::Tampered { .. }), "{last:?}");
    // A changed header.
    let header = run("header", &|p| flip_byte(p, 60), false);
    assert!(
        matches!(
            header,
            DecryptError::Tampered { .. }
                | DecryptError::NotAgeFile { .. }
                | DecryptError::WrongKey { .. }
        ),
        "{header:?}"
    );
}

#[test]
fn a_truncated_bundle_is_refused_even_past_the_end_of_its_archive() {
    let keys = keys();
    let root = keys.dir.path();
    let bundle = root.join("server/B_2.bak");
    big_file(&bundle.join("data"), 20);
    let (stored, record) = stage(&keys, &bundle, EntryKind::Bundle, &root.join("outbox"));
    // Drop only the final tag bytes: the tar archive itself is complete.
    let len = fs::metadata(&stored).unwrap().len();
    truncate(&stored, len - 3);
    let out = root.join("restored");
    let error = restore(
        &stored,
        &load(&keys.identity_file),
        &out,
        EntryKind::Bundle,
        Some(&record),
    )
    .unwrap_err();
    assert!(
        matches!(error, DecryptError::DamagedAtEnd { .. }),
        "{error:?}"
    );
    assert!(!out.exists());
}

#[test]
fn other_files_and_a_mismatched_manifest_are_refused() {
    let keys = keys();
    let root = keys.dir.path();
    let identities = load(&keys.identity_file);
    let plain = root.join("notes.txt");
    fs::write(&plain, b"not encrypted at all").unwrap();
    let error = restore(&plain, &identities, &root.join("a"), EntryKind::File, None).unwrap_err();
    assert!(
        matches!(error, DecryptError::NotAgeFile { .. }),
        "{error:?}"
    );

    let source = root.join("server/B_1.bak");
    big_file(&source, 10);
    let (stored, mut record) = stage(&keys, &source, EntryKind::File, &root.join("outbox"));
    record.hash = "0".repeat(64);
    let out = root.join("restored.bak");
    let error = restore(&stored, &identities, &out, EntryKind::File, Some(&record)).unwrap_err();
    assert!(
        matches!(error, DecryptError::HashMismatch { .. }),
        "{error:?}"
    );
    assert!(!out.exists());

    fs::write(&out, b"precious").unwrap();
    let error = restore(&stored, &identities, &out, EntryKind::File, None).unwrap_err();
    assert!(
        matches!(error, DecryptError::OutputExists { .. }),
        "{error:?}"
    );
    assert_eq!(fs::read(&out).unwrap(), b"precious");
}

#[test]
fn identity_files_plain_and_passphrase_protected() {
    let keys = keys();
    let root = keys.dir.path();
    assert_eq!(load(&keys.identity_file).len(), 1);

    // Protected the way `age -p` does it (a low work factor keeps the test quick).
    let mut recipient =
        age::scrypt::Recipient::new(SecretString::from("correct horse".to_string()));
    recipient.set_work_factor(10);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .unwrap();
    let protected = root.join("key.txt.age");
    let mut writer = encryptor
        .wrap_output(File::create(&protected).unwrap())
        .unwrap();
    writer
        .write_all(&fs::read(&keys.identity_file).unwrap())
        .unwrap();
    writer.finish().unwrap();

    let mut right = || Some(SecretString::from("correct horse".to_string()));
    assert_eq!(identity::load(&protected, &mut right).unwrap().len(), 1);
    let mut wrong = || Some(SecretString::from("battery staple".to_string()));
    let error = identity::load(&protected, &mut wrong).err().unwrap();
    assert!(
        matches!(error, IdentityError::WrongPassphrase { .. }),
        "{error:?}"
    );
    let error = identity::load(&protected, &mut no_passphrase)
        .err()
        .unwrap();
    assert!(
        matches!(error, IdentityError::NoPassphrase { .. }),
        "{error:?}"
    );
    assert!(error.help().contains("ROTA_AGE_PASSPHRASE"));

    // The public key is not a private key.
    let public = root.join("public.txt");
    fs::write(&public, format!("{}\n", keys.public)).unwrap();
    let error = identity::load(&public, &mut no_passphrase).err().unwrap();
    assert!(
        matches!(error, IdentityError::NotIdentities { .. }),
        "{error:?}"
    );
    let empty = root.join("empty.txt");
    fs::write(&empty, "# nothing\n").unwrap();
    let error = identity::load(&empty, &mut no_passphrase).err().unwrap();
    assert!(matches!(error, IdentityError::Empty { .. }), "{error:?}");
}
