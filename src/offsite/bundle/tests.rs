use std::io::Cursor;

use super::*;
use crate::content_hash::hash_bundle;

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// A bundle with what real ones hold: nested folders, an empty file and an
/// empty folder, a file larger than a tar block, a very long name, a link.
fn sample_bundle(root: &Path) -> PathBuf {
    let bundle = root.join("B_2026-03-31.bak");
    write(&bundle.join("Contents/Info.plist"), b"<plist/>");
    write(&bundle.join("Contents/data/empty"), b"");
    let big: Vec<u8> = (0..70_000u32).map(|i| (i % 253) as u8).collect();
    write(&bundle.join("Contents/data/big.db"), &big);
    let long = "n".repeat(150);
    write(&bundle.join(format!("Contents/{long}/{long}.txt")), b"long");
    fs::create_dir_all(bundle.join("Empty")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("data/big.db", bundle.join("Contents/current")).unwrap();
    bundle
}

fn packed(bundle: &Path) -> (Vec<u8>, String) {
    let mut stream = Vec::new();
    let hash = pack(bundle, &mut stream).unwrap();
    (stream, hash)
}

#[test]
fn a_bundle_round_trips_with_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = sample_bundle(dir.path());
    let (stream, hash) = packed(&bundle);
    assert_eq!(hash, hash_bundle(&bundle).unwrap());
    let out = dir.path().join("restored");
    let unpacked = unpack(Cursor::new(&stream), &out).unwrap();
    assert_eq!(unpacked.name, "B_2026-03-31.bak");
    assert_eq!(unpacked.content_hash, hash);
    assert_eq!(hash_bundle(&out).unwrap(), hash);
    assert_eq!(unpacked.size, 8 + 70_000 + 4);
    #[cfg(unix)]
    assert_eq!(
        fs::read_link(out.join("Contents/current")).unwrap(),
        PathBuf::from("data/big.db")
    );
}

#[test]
fn packing_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = sample_bundle(dir.path());
    assert_eq!(packed(&bundle).0, packed(&bundle).0);
}

#[cfg(unix)]
#[test]
fn permission_bits_and_times_are_restored() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("B.bak");
    write(&bundle.join("run.sh"), b"#!/bin/sh\n");
    fs::set_permissions(bundle.join("run.sh"), fs::Permissions::from_mode(0o750)).unwrap();
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    File::open(bundle.join("run.sh"))
        .unwrap()
        .set_modified(when)
        .unwrap();
    let out = dir.path().join("out");
    unpack(Cursor::new(packed(&bundle).0), &out).unwrap();
    let metadata = fs::metadata(out.join("run.sh")).unwrap();
    assert_eq!(metadata.permissions().mode() & 0o777, 0o750);
    assert_eq!(metadata.modified().unwrap(), when);
}

/// The stream is a plain tar archive: the system's tar restores the same bundle.
#[test]
fn the_system_tar_extracts_the_same_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = sample_bundle(dir.path());
    let (stream, hash) = packed(&bundle);
    let archive = dir.path().join("bundle.tar");
    fs::write(&archive, stream).unwrap();
    let out = dir.path().join("by-tar");
    fs::create_dir(&out).unwrap();
    let status = std::process::Command::new("tar")
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(&out)
        .status()
        .expect("tar is on every Mac and Linux");
    assert!(status.success());
    assert_eq!(hash_bundle(&out.join("B_2026-03-31.bak")).unwrap(), hash);
}

/// One entry of a hand-made stream: path, type, bytes, link target.
type Crafted<'a> = (&'a str, tar::EntryType, &'a [u8], Option<&'a str>);

/// A tar stream built by hand, entry by entry, to play an attacker.
fn crafted(entries: &[Crafted<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, kind, data, link) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(*kind);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        // Write names raw, bypassing the crate's own `..` checks.
        let name = &mut header.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        if let Some(link) = link {
            header.set_link_name(link).unwrap();
        }
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

#[test]
fn streams_rota_never_writes_are_refused_without_writing_outside() {
    use tar::EntryType::{Directory as D, Link as H, Regular as F, Symlink as L};
    let cases: Vec<(&str, Vec<Crafted<'_>>)> = vec![
        (
            "parent",
            vec![("b/", D, b"", None), ("b/../evil", F, b"x", None)],
        ),
        ("absolute", vec![("/tmp/evil", F, b"x", None)]),
        ("no top folder", vec![("evil", F, b"x", None)]),
        (
            "second top",
            vec![("b/", D, b"", None), ("c/evil", F, b"x", None)],
        ),
        (
            "under a link",
            vec![
                ("b/", D, b"", None),
                ("b/l", L, b"", Some("/tmp")),
                ("b/l/evil", F, b"x", None),
            ],
        ),
        (
            "out of order",
            vec![
                ("b/", D, b"", None),
                ("b/z", F, b"", None),
                ("b/a", F, b"", None),
            ],
        ),
        (
            "repeated",
            vec![
                ("b/", D, b"", None),
                ("b/a", F, b"", None),
                ("b/a", F, b"", None),
            ],
        ),
        (
            "missing parent",
            vec![("b/", D, b"", None), ("b/d/x", F, b"", None)],
        ),
        (
            "hard link",
            vec![("b/", D, b"", None), ("b/h", H, b"", Some("b/x"))],
        ),
        ("empty", vec![]),
    ];
    for (what, entries) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let error = unpack(Cursor::new(crafted(&entries)), &out).unwrap_err();
        assert!(
            matches!(error, UnpackError::NotABundle(_)),
            "{what}: {error:?}"
        );
        assert!(!dir.path().join("evil").exists(), "{what}");
        assert!(!out.join("../evil").exists(), "{what}");
    }
}

#[test]
fn an_existing_output_folder_is_never_written_into() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = sample_bundle(dir.path());
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let error = unpack(Cursor::new(packed(&bundle).0), &out).unwrap_err();
    assert!(matches!(error, UnpackError::Write { .. }), "{error:?}");
    assert_eq!(fs::read_dir(&out).unwrap().count(), 0);
}

/// A bundle packed where names are listed decomposed (HFS+) unpacks to the
/// same hash: keys are compared in NFC on both sides; Finder litter is not
/// packed.
#[test]
fn decomposed_names_and_finder_litter_round_trip_with_the_same_hash() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("B_2026-03-31.bak");
    write(
        &bundle.join("Jose\u{301}/re\u{301}sume\u{301}.jpg"),
        b"x-ray",
    );
    write(&bundle.join("Jose\u{301}/.DS_Store"), b"Finder");
    write(&bundle.join("a.db"), b"db");
    let (stream, hash) = packed(&bundle);
    assert_eq!(hash, hash_bundle(&bundle).unwrap());
    let out = dir.path().join("restored");
    let unpacked = unpack(Cursor::new(&stream), &out).unwrap();
    assert_eq!(unpacked.content_hash, hash);
    assert_eq!(hash_bundle(&out).unwrap(), hash);
    assert!(!out.join("Jos\u{e9}/.DS_Store").exists());
}
