//! Copies of files and bundles: same bytes and hash, same permissions and
//! modification times, bundles with their folders and links intact.

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::*;
use crate::content_hash::BUFFER_SIZE;
use crate::execute::Silent;

fn set_time(path: &Path, seconds: u64) -> SystemTime {
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
    File::open(path).unwrap().set_modified(time).unwrap();
    time
}

fn mtime(path: &Path) -> SystemTime {
    std::fs::symlink_metadata(path).unwrap().modified().unwrap()
}

#[test]
fn a_file_copy_hashes_like_b3sum_and_keeps_permissions_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("backup");
    let bytes: Vec<u8> = (0..BUFFER_SIZE * 2 + 5).map(|i| (i % 253) as u8).collect();
    std::fs::write(&source, &bytes).unwrap();
    let time = set_time(&source, 1_700_000_000);
    let mut readonly = std::fs::metadata(&source).unwrap().permissions();
    readonly.set_readonly(true);
    std::fs::set_permissions(&source, readonly.clone()).unwrap();

    let temp = dir.path().join("temp");
    let written =
        write_verified(&Fs::default(), &source, EntryKind::File, &temp, &mut Silent).unwrap();
    assert_eq!(written.hash, blake3::hash(&bytes).to_hex().to_string());
    assert_eq!(written.bytes, bytes.len() as u64);
    assert_eq!(std::fs::read(&temp).unwrap(), bytes);
    assert_eq!(mtime(&temp), time);
    assert_eq!(std::fs::metadata(&temp).unwrap().permissions(), readonly);
}

#[cfg(unix)]
#[test]
fn a_bundle_copy_keeps_folders_files_links_modes_and_times() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("b.mpbackup");
    std::fs::create_dir_all(source.join("Contents/Data/empty")).unwrap();
    std::fs::write(source.join("Contents/Data/db"), vec![3u8; 5000]).unwrap();
    std::fs::write(source.join("Contents/Info.plist"), b"<plist/>").unwrap();
    std::os::unix::fs::symlink("../outside-the-bundle", source.join("Contents/link")).unwrap();
    std::fs::set_permissions(
        source.join("Contents/Info.plist"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let file_time = set_time(&source.join("Contents/Data/db"), 1_600_000_000);
    let folder_time = set_time(&source.join("Contents/Data"), 1_650_000_000);
    std::fs::set_permissions(
        source.join("Contents/Data"),
        std::fs::Permissions::from_mode(0o555),
    )
    .unwrap();

    let temp = dir.path().join("temp");
    let written = write_verified(
        &Fs::default(),
        &source,
        EntryKind::Bundle,
        &temp,
        &mut Silent,
    )
    .unwrap();
    assert_eq!(written.hash, content_hash::hash_bundle(&source).unwrap());
    assert_eq!(written.bytes, 5008);
    assert_eq!(content_hash::hash_bundle(&temp).unwrap(), written.hash);
    assert_eq!(
        std::fs::read_link(temp.join("Contents/link")).unwrap(),
        Path::new("../outside-the-bundle")
    );
    assert!(temp.join("Contents/Data/empty").is_dir());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&temp.join("Contents/Info.plist")), 0o640);
    assert_eq!(mode(&temp.join("Contents/Data")), 0o555);
    assert_eq!(mtime(&temp.join("Contents/Data/db")), file_time);
    assert_eq!(mtime(&temp.join("Contents/Data")), folder_time);
    // Let the temp dir clean up the read-only folders.
    std::fs::set_permissions(
        temp.join("Contents/Data"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::set_permissions(
        source.join("Contents/Data"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
}

#[test]
fn the_wrong_kind_or_a_missing_source_is_a_source_failure() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("folder");
    std::fs::create_dir(&source).unwrap();
    let temp = dir.path().join("temp");
    let fs = Fs::default();
    assert!(matches!(
        write_verified(&fs, &source, EntryKind::File, &temp, &mut Silent),
        Err(CopyFailure::SourceChanged { .. })
    ));
    assert!(matches!(
        write_verified(
            &fs,
            &dir.path().join("absent"),
            EntryKind::File,
            &temp,
            &mut Silent
        ),
        Err(CopyFailure::Source { .. })
    ));
    assert!(!temp.exists(), "nothing was written");
}

#[test]
fn progress_counts_every_byte_copied_and_read_back() {
    struct Count(u64, u64);
    impl Progress for Count {
        fn copied(&mut self, bytes: u64) {
            self.0 += bytes;
        }
        fn verified(&mut self, bytes: u64) {
            self.1 += bytes;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("backup");
    std::fs::write(&source, vec![1u8; 12_345]).unwrap();
    let mut count = Count(0, 0);
    write_verified(
        &Fs::default(),
        &source,
        EntryKind::File,
        &dir.path().join("t"),
        &mut count,
    )
    .unwrap();
    assert_eq!((count.0, count.1), (12_345, 12_345));
}

/// A bundle of `files` small files in a few folders, with a bigger file.
fn image_bundle(root: &Path, files: usize) {
    for i in 0..files {
        let folder = root.join(format!("Images/P{:02}", i % 7));
        std::fs::create_dir_all(&folder).unwrap();
        let bytes: Vec<u8> = (0..1000 + i * 13).map(|b| (b + i) as u8).collect();
        std::fs::write(folder.join(format!("IMG{i:04}.jpg")), bytes).unwrap();
    }
    std::fs::write(root.join("database.dat"), vec![9u8; BUFFER_SIZE * 3 + 1]).unwrap();
}

/// Counts a bundle's files as they are copied and read back.
#[derive(Default)]
struct Files {
    copied: Vec<(u64, u64)>,
    verified: Vec<(u64, u64)>,
}

impl Progress for Files {
    fn copied(&mut self, _bytes: u64) {}
    fn verified(&mut self, _bytes: u64) {}
    fn file_copied(&mut self, done: u64, total: u64) {
        self.copied.push((done, total));
    }
    fn file_verified(&mut self, done: u64, total: u64) {
        self.verified.push((done, total));
    }
}

#[test]
fn a_bundle_of_many_files_is_copied_whole_and_its_progress_counts_files() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("bundle");
    image_bundle(&source, 150);
    let temp = dir.path().join("temp");
    let mut files = Files::default();
    let written = write_verified(
        &Fs::default(),
        &source,
        EntryKind::Bundle,
        &temp,
        &mut files,
    )
    .unwrap();
    assert_eq!(written.hash, content_hash::hash_bundle(&source).unwrap());
    assert_eq!(written.files, 151);
    let fingerprint = written
        .source
        .expect("a bundle's copy reads its fingerprint");
    assert_eq!(
        Some(fingerprint),
        crate::inventory::fingerprint_of(&source),
        "the copy's fingerprint is the scan's"
    );
    assert_eq!(files.copied.len(), 151);
    assert_eq!(files.copied.last(), Some(&(151, 151)));
    assert_eq!(files.verified.last(), Some(&(151, 151)));
}

/// SPEC invariant 3 on Linux: the read-back reads the disk. When it starts,
/// not one page of the copy is in memory (`mincore`), file or bundle.
#[cfg(target_os = "linux")]
#[test]
fn no_page_of_the_copy_is_in_memory_when_the_read_back_starts() {
    use crate::execute::filesystem::Effect;
    use std::sync::{Arc, Mutex};

    struct Resident(Arc<Mutex<Vec<(std::path::PathBuf, usize)>>>);
    impl crate::execute::filesystem::Faults for Resident {
        fn before(&self, effect: &Effect<'_>) -> io::Result<()> {
            if let Effect::ReadBack(root) = effect {
                let mut found = self.0.lock().unwrap();
                for entry in walkdir::WalkDir::new(root) {
                    let entry = entry.unwrap();
                    if entry.file_type().is_file() {
                        let pages = crate::page_cache::resident_pages(entry.path()).unwrap();
                        found.push((entry.path().to_path_buf(), pages));
                    }
                }
            }
            Ok(())
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    image_bundle(&bundle, 200);
    let file = dir.path().join("backup.bin");
    std::fs::write(&file, vec![5u8; BUFFER_SIZE * 5]).unwrap();
    for (source, kind) in [(&bundle, EntryKind::Bundle), (&file, EntryKind::File)] {
        let found = Arc::new(Mutex::new(Vec::new()));
        let fs = Fs::with_faults(Resident(found.clone()));
        let temp = dir.path().join(format!("temp-{kind:?}"));
        write_verified(&fs, source, kind, &temp, &mut Silent).unwrap();
        let found = found.lock().unwrap();
        assert!(found.len() > 1 || kind == EntryKind::File, "{found:?}");
        assert!(!found.is_empty());
        let resident: Vec<_> = found.iter().filter(|(_, pages)| *pages > 0).collect();
        assert!(
            resident.is_empty(),
            "in memory at the read-back: {resident:?}"
        );
    }
}

#[test]
fn finder_litter_is_not_copied_and_names_compare_composed() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("bundle");
    image_bundle(&source, 5);
    std::fs::create_dir_all(source.join("Jos\u{e9}")).unwrap();
    std::fs::write(source.join("Jos\u{e9}/r\u{e9}sum\u{e9}.jpg"), b"x-ray").unwrap();
    let clean = content_hash::hash_bundle(&source).unwrap();
    for litter in [".DS_Store", "Images/._IMG0001.jpg", "Images/P01/Icon\r"] {
        std::fs::write(source.join(litter), b"Finder").unwrap();
    }
    assert_eq!(content_hash::hash_bundle(&source).unwrap(), clean);
    let temp = dir.path().join("temp");
    let written = write_verified(
        &Fs::default(),
        &source,
        EntryKind::Bundle,
        &temp,
        &mut Silent,
    )
    .unwrap();
    assert_eq!(written.hash, clean);
    assert!(!temp.join(".DS_Store").exists());
    assert!(!temp.join("Images/._IMG0001.jpg").exists());
    // The copy as HFS+ lists it, decomposed, is the same bundle.
    std::fs::rename(temp.join("Jos\u{e9}"), temp.join("Jose\u{301}")).unwrap();
    std::fs::rename(
        temp.join("Jose\u{301}/r\u{e9}sum\u{e9}.jpg"),
        temp.join("Jose\u{301}/re\u{301}sume\u{301}.jpg"),
    )
    .unwrap();
    assert_eq!(content_hash::hash_bundle(&temp).unwrap(), clean);
}

#[test]
fn a_bundle_file_changed_after_it_was_copied_fails_the_copy() {
    use crate::execute::filesystem::Effect;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("bundle");
    image_bundle(&source, 20);
    let early = source.join("Images/P00/IMG0000.jpg");
    // Rewritten (same length) while a later file is written: only the look
    // after the copy can see it.
    let rewritten = early.clone();
    let fs = crate::execute::tests::office::hook(move |effect| {
        if let Effect::CreateFile(path) = effect
            && path.ends_with("database.dat")
        {
            let bytes = std::fs::read(&rewritten)?;
            std::fs::write(&rewritten, vec![0u8; bytes.len()])?;
            let later = SystemTime::now() + Duration::from_secs(5);
            File::options()
                .write(true)
                .open(&rewritten)?
                .set_modified(later)?;
        }
        Ok(())
    });
    let temp = dir.path().join("temp");
    let failure = write_verified(&fs, &source, EntryKind::Bundle, &temp, &mut Silent).unwrap_err();
    let CopyFailure::SourceChanged { what, .. } = failure else {
        panic!("{failure:?}")
    };
    assert!(
        what.contains("IMG0000.jpg inside it was modified"),
        "{what}"
    );
}

#[test]
fn a_failed_flush_of_a_bundle_fails_its_copy() {
    use crate::execute::filesystem::Effect;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("bundle");
    image_bundle(&source, 10);
    let fs = crate::execute::tests::office::hook(|effect| match effect {
        Effect::SyncTree(_) => Err(io::Error::other("the disk went away")),
        _ => Ok(()),
    });
    let temp = dir.path().join("temp");
    let failure = write_verified(&fs, &source, EntryKind::Bundle, &temp, &mut Silent).unwrap_err();
    assert!(
        matches!(&failure, CopyFailure::Target { path, .. } if path == &temp),
        "{failure:?}"
    );
}
