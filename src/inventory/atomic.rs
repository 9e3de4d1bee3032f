//! Writing rota's own small files (label, manifest, catalog) so that a crash or
//! a pulled cable leaves either the old file or the new one, never half of one:
//! write a temporary file in the same folder, flush it to the disk, rename it
//! over the real name, then flush the folder so the rename itself is durable.
//!
//! This writes only the file it is asked to write (and its temporary sibling);
//! it never deletes anything else.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use super::layout;

/// Replaces `path` with `bytes` atomically. The folder must exist.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?
        .to_string_lossy();
    let temp = folder.join(layout::temp_name(&unique_suffix(), &name));
    let written = write_and_sync(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if let Err(error) = written {
        // Best effort: the temporary name is ours alone, so removing it is safe.
        let _ = std::fs::remove_file(&temp);
        return Err(error);
    }
    crate::flush::folder(folder)
}

fn write_and_sync(temp: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(temp)?;
    file.write_all(bytes)?;
    crate::flush::file(&file)
}

/// Distinct for every call in this process and across processes.
fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}-{count}", std::process::id())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The names in a folder, sorted (shared by the tests of atomic writers).
    pub(crate) fn names_in(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.json");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(names_in(dir.path()), ["catalog.json"]);
    }

    #[test]
    fn a_missing_folder_is_an_error_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent/catalog.json");
        assert!(write_atomically(&path, b"x").is_err());
        assert!(names_in(dir.path()).is_empty());
    }
}
