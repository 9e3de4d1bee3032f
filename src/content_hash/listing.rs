//! What a bundle holds, as rota counts it: every folder, regular file and
//! symbolic link under the bundle folder, in hashing order, each under its
//! *key* (the relative path as hashed), without reading a file's metadata
//! (the kinds come with the folder listing).
//!
//! Two things a Mac does to a bundle are not part of it:
//!
//! - **Finder litter**: `.DS_Store`, AppleDouble `._*` files and `Icon\r`,
//!   which Finder writes into folders it shows, on disks that cannot keep
//!   extended attributes (exFAT, FAT) as separate files. They are left out of
//!   a bundle's hash, size, file count and fingerprint on every side, so a
//!   person looking at a copy in Finder does not change what it is, and they
//!   are never copied or restored.
//! - **Unicode normalization**: HFS+ returns names decomposed (NFD) whatever
//!   they were created as; APFS and Linux keep them as written. A key is the
//!   name in NFC, so a copy listed with decomposed names is the same bundle.
//!   Names that are not UTF-8 are keyed by their bytes as stored.
//!
//! Only regular files with those names are litter; a folder named `._x` is
//! part of the bundle. This module reads folder listings and link targets
//! and never writes.

use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// One entry under a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Path relative to the bundle folder, as the OS spells it.
    pub relative: PathBuf,
    /// The relative path as hashed: NFC, components joined with `/`.
    pub key: Vec<u8>,
    pub kind: ListedKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListedKind {
    Directory,
    File,
    Symlink,
}

/// Every entry under `dir` but Finder litter, sorted by key (then by the
/// name's own bytes, so the order is total). Links are listed, never
/// followed; any other special file (a socket, a device) is an error, since
/// rota cannot copy it faithfully.
pub fn list_bundle(dir: &Path) -> io::Result<Vec<Listed>> {
    let mut entries = Vec::new();
    for item in walkdir::WalkDir::new(dir).min_depth(1).follow_links(false) {
        let item = item.map_err(io::Error::from)?;
        let file_type = item.file_type();
        let kind = if file_type.is_dir() {
            ListedKind::Directory
        } else if file_type.is_file() {
            if is_finder_litter(item.file_name()) {
                continue;
            }
            ListedKind::File
        } else if file_type.is_symlink() {
            ListedKind::Symlink
        } else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} is not a file, folder or link; rota cannot copy it",
                    item.path().display()
                ),
            ));
        };
        let relative = item
            .path()
            .strip_prefix(dir)
            .map_err(|_| io::Error::other("the listing left the bundle"))?
            .to_path_buf();
        entries.push(Listed {
            key: path_key(&relative),
            relative,
            kind,
        });
    }
    entries.sort_by(|a, b| {
        a.key
            .cmp(&b.key)
            .then_with(|| a.relative.as_os_str().cmp(b.relative.as_os_str()))
    });
    Ok(entries)
}

/// Whether a regular file of this name is one Finder leaves behind.
pub fn is_finder_litter(name: &OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name == b".DS_Store" || name.starts_with(b"._") || name == b"Icon\r"
}

/// A relative path as hashed: each component's name in NFC, joined with `/`.
pub fn path_key(relative: &Path) -> Vec<u8> {
    let mut key = Vec::new();
    for (i, component) in relative.components().enumerate() {
        if i > 0 {
            key.push(b'/');
        }
        key.extend_from_slice(&name_key(component.as_os_str()));
    }
    key
}

/// A name's bytes, in NFC when it is UTF-8.
fn name_key(name: &OsStr) -> Vec<u8> {
    name_key_bytes(&os_bytes(name))
}

/// A name given as bytes (a tar stream's), in NFC when it is UTF-8.
pub fn name_key_bytes(bytes: &[u8]) -> Vec<u8> {
    match std::str::from_utf8(bytes) {
        Ok(text) if is_nfc_quick(text.chars()) != IsNormalized::Yes => {
            text.nfc().collect::<String>().into_bytes()
        }
        _ => bytes.to_vec(),
    }
}

#[cfg(unix)]
pub fn os_bytes(text: &OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    text.as_bytes().to_vec()
}

#[cfg(not(unix))]
pub fn os_bytes(text: &OsStr) -> Vec<u8> {
    text.to_string_lossy().replace('\\', "/").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(dir: &Path) -> Vec<String> {
        list_bundle(dir)
            .unwrap()
            .into_iter()
            .map(|entry| String::from_utf8(entry.key).unwrap())
            .collect()
    }

    #[test]
    fn finder_litter_files_are_not_part_of_a_bundle() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("x/._folder")).unwrap();
        for name in [
            ".DS_Store",
            "x/._IMG1.jpg",
            "x/Icon\r",
            "x/IMG1.jpg",
            "x/.DS_Store2",
        ] {
            std::fs::write(dir.path().join(name), b"1").unwrap();
        }
        assert_eq!(
            keys(dir.path()),
            ["x", "x/.DS_Store2", "x/._folder", "x/IMG1.jpg"]
        );
        assert!(is_finder_litter(OsStr::new("._")));
        assert!(!is_finder_litter(OsStr::new("Icon")));
        assert!(!is_finder_litter(OsStr::new("DS_Store")));
    }

    #[test]
    fn decomposed_names_key_as_composed() {
        let composed = "Jos\u{e9}";
        let decomposed = "Jose\u{301}";
        assert_ne!(composed.as_bytes(), decomposed.as_bytes());
        assert_eq!(
            path_key(&Path::new(decomposed).join("r\u{e9}sum\u{e9}.jpg")),
            format!("{composed}/r\u{e9}sum\u{e9}.jpg").into_bytes()
        );
        assert_eq!(path_key(Path::new(composed)), composed.as_bytes());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn names_that_are_not_utf8_key_as_their_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let name = OsStr::from_bytes(b"caf\xe9");
        assert_eq!(path_key(Path::new(name)), b"caf\xe9");
    }

    #[test]
    fn entries_sort_by_whole_key_not_by_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/b"), b"1").unwrap();
        std::fs::write(dir.path().join("a-c"), b"2").unwrap();
        assert_eq!(keys(dir.path()), ["a", "a-c", "a/b"]);
    }
}
