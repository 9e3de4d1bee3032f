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
