use std::io::{Read, Write};
use std::path::PathBuf;

use age::secrecy::ExposeSecret;

use super::*;

fn key() -> (age::x25519::Identity, String) {
    let identity = age::x25519::Identity::generate();
    let public = identity.to_public().to_string();
    (identity, public)
}

fn policy_encrypt(inline: &[&str], file: Option<PathBuf>) -> Encrypt {
    Encrypt {
        age_recipients: inline.iter().map(|s| s.to_string()).collect(),
        age_recipients_file: file,
    }
}

fn decrypt_with(identity: &age::x25519::Identity, bytes: &[u8]) -> Vec<u8> {
    let decryptor = age::Decryptor::new(bytes).unwrap();
    let mut reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .unwrap();
    let mut plain = Vec::new();
    reader.read_to_end(&mut plain).unwrap();
    plain
}

#[test]
fn a_stream_decrypts_with_the_private_key_and_both_hashes_are_of_what_passed() {
    let (identity, public) = key();
    let recipients = Recipients::from_policy(&policy_encrypt(&[&public], None)).unwrap();
    let plaintext: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let mut writer = recipients.encrypt(Vec::new()).unwrap();
    for chunk in plaintext.chunks(7_000) {
        writer.write_all(chunk).unwrap();
    }
    let (ciphertext, sealed) = writer.finish().unwrap();
    assert_eq!(
        sealed.plaintext_hash,
        blake3::hash(&plaintext).to_hex().to_string()
    );
    assert_eq!(sealed.plaintext_len, plaintext.len() as u64);
    assert_eq!(
        sealed.ciphertext_hash,
        blake3::hash(&ciphertext).to_hex().to_string()
    );
    assert_eq!(sealed.ciphertext_len, ciphertext.len() as u64);
    assert_ne!(
        &ciphertext[ciphertext.len() - 1000..],
        &plaintext[plaintext.len() - 1000..]
    );
    assert_eq!(decrypt_with(&identity, &ciphertext), plaintext);
}

#[test]
fn every_recipient_can_decrypt_inline_and_from_the_file() {
    let (first, first_public) = key();
    let (second, second_public) = key();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("recipients.txt");
    std::fs::write(
        &file,
        format!("# the office manager's key\n\n  {second_public}  \n"),
    )
    .unwrap();
    let recipients =
        Recipients::from_policy(&policy_encrypt(&[&first_public], Some(file))).unwrap();
    let mut writer = recipients.encrypt(Vec::new()).unwrap();
    writer.write_all(b"patient records").unwrap();
    let (ciphertext, _) = writer.finish().unwrap();
    assert_eq!(decrypt_with(&first, &ciphertext), b"patient records");
    assert_eq!(decrypt_with(&second, &ciphertext), b"patient records");
}

#[test]
fn unusable_recipients_are_errors_that_say_where() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("recipients.txt");
    let (identity, _) = key();
    // A private key where a public one belongs: refused, and not echoed back.
    let secret = identity.to_string();
    std::fs::write(&file, format!("# keys\n{}\n", secret.expose_secret())).unwrap();
    let error = Recipients::from_policy(&policy_encrypt(&[], Some(file.clone()))).unwrap_err();
    assert!(
        matches!(error, RecipientsError::BadLine { line: 2, .. }),
        "{error:?}"
    );
    assert!(!error.to_string().contains("AGE-SECRET-KEY"));
    let missing = dir.path().join("nope.txt");
    let error = Recipients::from_policy(&policy_encrypt(&[], Some(missing))).unwrap_err();
    assert!(matches!(error, RecipientsError::Unreadable { .. }));
    let error = Recipients::from_policy(&policy_encrypt(&["age1nope"], None)).unwrap_err();
    assert!(matches!(error, RecipientsError::BadKey { .. }));
    std::fs::write(&file, "# nobody yet\n").unwrap();
    let error = Recipients::from_policy(&policy_encrypt(&[], Some(file))).unwrap_err();
    assert!(matches!(error, RecipientsError::Empty));
    assert!(error.help().contains("age_recipients"));
}

#[test]
fn a_backup_is_read_once_into_an_encrypted_copy_with_its_content_hash() {
    let (identity, public) = key();
    let recipients = Recipients::new(vec![public.parse().unwrap()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("B_1.bak");
    std::fs::write(&file, b"one backup").unwrap();
    let (ciphertext, copy) =
        encrypt_backup(&file, EntryKind::File, &recipients, Vec::new()).unwrap();
    assert_eq!(copy.content_hash, content_hash::hash_file(&file).unwrap());
    assert_eq!(
        copy.ciphertext_hash,
        blake3::hash(&ciphertext).to_hex().to_string()
    );
    assert_eq!(decrypt_with(&identity, &ciphertext), b"one backup");

    let bundle = dir.path().join("B_2.bak");
    std::fs::create_dir_all(bundle.join("data")).unwrap();
    std::fs::write(bundle.join("data/x.db"), b"rows").unwrap();
    let (ciphertext, copy) =
        encrypt_backup(&bundle, EntryKind::Bundle, &recipients, Vec::new()).unwrap();
    assert_eq!(
        copy.content_hash,
        content_hash::hash_bundle(&bundle).unwrap()
    );
    assert_eq!(copy.ciphertext_len, ciphertext.len() as u64);
}

#[test]
fn the_hashing_writer_counts_and_hashes_what_it_passes_on() {
    let mut writer = HashingWriter::new(Vec::new());
    writer.write_all(b"abc").unwrap();
    writer.write_all(b"def").unwrap();
    let (bytes, hash, len) = writer.into_parts();
    assert_eq!(bytes, b"abcdef");
    assert_eq!(len, 6);
    assert_eq!(hash, blake3::hash(b"abcdef").to_hex().to_string());
}
