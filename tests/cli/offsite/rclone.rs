//! The off-site upload path's pieces against a real protocol server
//! (`support::sftp`: `rclone serve sftp` on a loopback port): encrypt, stage,
//! upload, verify, list, delete; a server stopped mid-upload; a corrupted
//! remote object; a remote with no hash in common. `apply_offsite.rs` runs the
//! same through `rota apply`.
//!
//! rclone must be installed (`scripts/test` installs it).

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use crate::support;
use crate::support::sftp::SftpServer;
use age::secrecy::ExposeSecret;
use rota::content_hash;
use rota::inventory::EntryKind;
use rota::inventory::offsite_names::Stored;
use rota::offsite::decrypt::restore;
use rota::offsite::encrypt::{Recipients, encrypt_backup};
use rota::offsite::identity;
use rota::offsite::rclone::{Rclone, RcloneError, Timeouts};
use rota::offsite::remote::{self, READ_BACK, UploadError};

/// Short timeouts: a dead server is noticed in seconds, not minutes.
fn client(config: PathBuf) -> Rclone {
    Rclone {
        program: support::tools::rclone(),
        config: Some(config),
        bwlimit: None,
        timeouts: Timeouts::quick(),
    }
}

/// A key pair, the private key in `key.txt`.
fn keys(root: &Path) -> (PathBuf, Recipients) {
    let identity = age::x25519::Identity::generate();
    let path = root.join("key.txt");
    fs::write(&path, identity.to_string().expose_secret()).unwrap();
    (path, Recipients::new(vec![identity.to_public()]).unwrap())
}

fn filled(path: &Path, len: usize) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(
        path,
        (0..len).map(|i| (i * 7 % 251) as u8).collect::<Vec<u8>>(),
    )
    .unwrap();
}

/// Encrypts `source` into `outbox/`; returns the staged path and its BLAKE3.
fn stage(
    root: &Path,
    source: &Path,
    kind: EntryKind,
    recipients: &Recipients,
) -> (PathBuf, String) {
    let outbox = root.join("outbox");
    fs::create_dir_all(&outbox).unwrap();
    let name = source.file_name().unwrap().to_string_lossy().into_owned();
    let staged = outbox.join(Stored::for_backup(kind, true).name_for(&name));
    let (_, copy) =
        encrypt_backup(source, kind, recipients, File::create(&staged).unwrap()).unwrap();
    (staged, copy.ciphertext_hash)
}

const REMOTE: &str = "office:cloud/rota";

#[test]
fn an_encrypted_copy_is_uploaded_verified_listed_and_deleted() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let server = SftpServer::start(root);
    let rclone = client(server.config(root, ""));
    let (_, recipients) = keys(root);
    let source = root.join("server/B_2026-03-31.bak");
    filled(&source, 300_000);
    let (staged, hash) = stage(root, &source, EntryKind::File, &recipients);

    let check =
        remote::upload_file(&rclone, &staged, &hash, REMOTE, "B_2026-03-31.bak.age").unwrap();
    // SFTP offers MD5 and SHA-1; the stronger one is compared.
    assert_eq!(check.hash_type, "sha1");
    assert_eq!(check.size, fs::metadata(&staged).unwrap().len());
    let on_server = server.served.join("cloud/rota/B_2026-03-31.bak.age");
    assert_eq!(fs::read(&on_server).unwrap(), fs::read(&staged).unwrap());
    // What leaves the building is not the plaintext.
    assert_ne!(fs::read(&on_server).unwrap(), fs::read(&source).unwrap());

    let listed = rclone.list(REMOTE, Some("md5")).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].path, "B_2026-03-31.bak.age");
    assert_eq!(listed[0].size as u64, check.size);
    assert!(listed[0].hash("md5").is_some());

    // A later re-check (doctor, verify) passes the same way.
    remote::recheck(&rclone, REMOTE, &check, &hash).unwrap();

    rclone
        .deletefile(&format!("{REMOTE}/B_2026-03-31.bak.age"))
        .unwrap();
    assert!(!on_server.exists());
    assert!(rclone.list(REMOTE, None).unwrap().is_empty());
    // Deleting what is already gone is done, not an error.
    rclone
        .deletefile(&format!("{REMOTE}/B_2026-03-31.bak.age"))
        .unwrap();
    // A folder never created lists as empty.
    assert!(rclone.list("office:never/made", None).unwrap().is_empty());
}

#[test]
fn a_bundle_goes_up_encrypted_and_comes_back_exactly() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let server = SftpServer::start(root);
    let rclone = client(server.config(root, ""));
    let (key, recipients) = keys(root);
    let bundle = root.join("server/B_2026-03-30.bak");
    filled(&bundle.join("Contents/data.db"), 200_000);
    filled(&bundle.join("Contents/Info.plist"), 300);
    let (staged, hash) = stage(root, &bundle, EntryKind::Bundle, &recipients);
    let object = "B_2026-03-30.bak.tar.age";
    remote::upload_file(&rclone, &staged, &hash, REMOTE, object).unwrap();

    // Disaster: the server is gone; the copy comes back from the cloud.
    let downloaded = root.join("downloaded").join(object);
    fs::create_dir_all(downloaded.parent().unwrap()).unwrap();
    fs::copy(server.served.join("cloud/rota").join(object), &downloaded).unwrap();
    let identities = identity::load(&key, &mut || None).unwrap();
    let out = root.join("restored.bak");
    let restored = restore(&downloaded, &identities, &out, EntryKind::Bundle, None).unwrap();
    assert_eq!(
        restored.content_hash,
        content_hash::hash_bundle(&bundle).unwrap()
    );
    assert_eq!(
        content_hash::hash_bundle(&out).unwrap(),
        restored.content_hash
    );
}

#[test]
fn a_corrupted_or_shortened_remote_object_is_detected() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let server = SftpServer::start(root);
    let rclone = client(server.config(root, ""));
    let (_, recipients) = keys(root);
    let source = root.join("server/B_2026-03-27.bak");
    filled(&source, 100_000);
    let (staged, hash) = stage(root, &source, EntryKind::File, &recipients);
    let object = "B_2026-03-27.bak.age";
    let check = remote::upload_file(&rclone, &staged, &hash, REMOTE, object).unwrap();

    // Bit rot at the provider: same size, one byte changed.
    let on_server = server.served.join("cloud/rota").join(object);
    let mut bytes = fs::read(&on_server).unwrap();
    bytes[50_000] ^= 0x20;
    fs::write(&on_server, &bytes).unwrap();
    let error = remote::recheck(&rclone, REMOTE, &check, &hash).unwrap_err();
    assert!(
        matches!(error, UploadError::HashMismatch { .. }),
        "{error:?}"
    );
    assert!(!error.is_transient());

    // An object cut short.
    bytes.truncate(1_000);
    fs::write(&on_server, &bytes).unwrap();
    let error = remote::recheck(&rclone, REMOTE, &check, &hash).unwrap_err();
    assert!(
        matches!(error, UploadError::SizeMismatch { found: 1_000, .. }),
        "{error:?}"
    );

    // Gone altogether.
    fs::remove_file(&on_server).unwrap();
    let error = remote::recheck(&rclone, REMOTE, &check, &hash).unwrap_err();
    assert!(
        matches!(error, UploadError::MissingAfterUpload { .. }),
        "{error:?}"
    );

    // And a staged copy that rotted while waiting is never uploaded.
    let mut staged_bytes = fs::read(&staged).unwrap();
    staged_bytes[10] ^= 1;
    fs::write(&staged, staged_bytes).unwrap();
    let error = remote::upload_file(&rclone, &staged, &hash, REMOTE, object).unwrap_err();
    assert!(
        matches!(error, UploadError::StagedChanged { .. }),
        "{error:?}"
    );
    assert!(!on_server.exists());
}

#[test]
fn a_server_lost_mid_upload_leaves_the_copy_pending_and_a_retry_completes_it() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let mut server = SftpServer::start(root);
    let mut rclone = client(server.config(root, ""));
    // Slow enough that the server can be stopped while bytes are flowing.
    rclone.bwlimit = Some("200k".into());
    let (_, recipients) = keys(root);
    let source = root.join("server/B_2026-03-26.bak");
    filled(&source, 2_000_000);
    let (staged, hash) = stage(root, &source, EntryKind::File, &recipients);
    let object = "B_2026-03-26.bak.age";
    let on_server = server.served.join("cloud/rota").join(object);

    let uploading = {
        let (rclone, staged, hash) = (rclone.clone(), staged.clone(), hash.clone());
        thread::spawn(move || remote::upload_file(&rclone, &staged, &hash, REMOTE, object))
    };
    let started = Instant::now();
    while fs::metadata(&on_server).map_or(true, |m| m.len() == 0) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the upload never started"
        );
        thread::sleep(Duration::from_millis(20));
    }
    server.stop();
    let error = uploading.join().unwrap().unwrap_err();
    assert!(
        error.is_transient(),
        "a lost connection is pending, not failed: {error:?}"
    );
    assert!(error.help().contains("nothing is lost"));

    // While the server is down, even asking is "pending".
    let error = rclone.hash_types(REMOTE).unwrap_err();
    assert!(
        matches!(error, RcloneError::Unreachable { .. }),
        "{error:?}"
    );

    // The network is back: the next run uploads and verifies it.
    server.restart();
    rclone.bwlimit = None;
    let check = remote::upload_file(&rclone, &staged, &hash, REMOTE, object).unwrap();
    assert_eq!(check.size, fs::metadata(&staged).unwrap().len());
    assert_eq!(fs::read(&on_server).unwrap(), fs::read(&staged).unwrap());
}

#[test]
fn a_remote_without_a_shared_hash_is_checked_by_reading_it_back() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let server = SftpServer::start(root);
    let rclone = client(server.config(root, "disable_hashcheck = true\n"));
    assert!(rclone.hash_types(REMOTE).unwrap().is_empty());
    let (_, recipients) = keys(root);
    let source = root.join("server/B_2026-03-25.bak");
    filled(&source, 70_000);
    let (staged, hash) = stage(root, &source, EntryKind::File, &recipients);
    let object = "B_2026-03-25.bak.age";
    let check = remote::upload_file(&rclone, &staged, &hash, REMOTE, object).unwrap();
    assert_eq!(check.hash_type, READ_BACK);
    assert_eq!(check.hash, hash);

    let on_server = server.served.join("cloud/rota").join(object);
    let mut bytes = fs::read(&on_server).unwrap();
    bytes[0] ^= 1;
    fs::write(&on_server, &bytes).unwrap();
    let error = remote::recheck(&rclone, REMOTE, &check, &hash).unwrap_err();
    assert!(
        matches!(error, UploadError::HashMismatch { .. }),
        "{error:?}"
    );
}

#[test]
fn a_plain_bundle_folder_is_uploaded_and_compared_file_by_file() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let server = SftpServer::start(root);
    let rclone = client(server.config(root, ""));
    let staged = root.join("outbox/B_2026-03-24.bak");
    filled(&staged.join("Contents/data.db"), 50_000);
    filled(&staged.join("Contents/Info.plist"), 10);
    let check = remote::upload_folder(&rclone, &staged, REMOTE, "B_2026-03-24.bak").unwrap();
    assert_eq!(check.size, 50_010);
    let copied = server.served.join("cloud/rota/B_2026-03-24.bak");
    assert_eq!(
        content_hash::hash_bundle(&copied).unwrap(),
        content_hash::hash_bundle(&staged).unwrap()
    );

    fs::write(copied.join("Contents/Info.plist"), b"0123456789").unwrap();
    let difference = rclone
        .check_folder(&staged, &format!("{REMOTE}/B_2026-03-24.bak"), false)
        .unwrap();
    assert!(difference.is_some());
    rclone.purge(&format!("{REMOTE}/B_2026-03-24.bak")).unwrap();
    assert!(!copied.exists());
}
