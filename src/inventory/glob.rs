//! Expanding `disks.mount_search` globs (`/Volumes/*`, `/media/*/*`) into the
//! folders where disks may be mounted. Only `*` (any run of characters) and `?`
//! (one character) are wildcards, each within one path component; as in a
//! shell, a wildcard does not match a leading `.` (hidden folders such as
//! `/Volumes/.timemachine` are skipped).
//!
//! Only real folders are returned: a symlink is never followed (on macOS
//! `/Volumes/Macintosh HD` is a link to `/`, the system disk, not a backup
//! disk). This module lists folders and never changes anything.

use std::path::{Component, Path, PathBuf};

/// The folders `pattern` matches, sorted. Components without wildcards are
/// taken as written; a pattern without wildcards yields itself if it is a folder.
pub fn expand(pattern: &str) -> Vec<PathBuf> {
    #[cfg(windows)]
    {
        if let Some(drives) = windows_drives(pattern) {
            return drives;
        }
    }
    let mut candidates = vec![PathBuf::new()];
    for component in Path::new(pattern).components() {
        let text = component.as_os_str().to_string_lossy();
        let is_wildcard = matches!(component, Component::Normal(_)) && has_wildcard(&text);
        candidates = if is_wildcard {
            candidates
                .iter()
                .flat_map(|parent| matching_children(parent, &text))
                .collect()
        } else {
            candidates
                .into_iter()
                .map(|parent| parent.join(component.as_os_str()))
                .collect()
        };
        if candidates.is_empty() {
            break;
        }
    }
    let mut folders: Vec<PathBuf> = candidates.into_iter().filter(|p| is_real_dir(p)).collect();
    folders.sort();
    folders.dedup();
    folders
}

fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

fn is_real_dir(path: &Path) -> bool {
    !path.as_os_str().is_empty()
        && std::fs::symlink_metadata(path).is_ok_and(|metadata| metadata.is_dir())
}

/// Children of `parent` whose names match `pattern` (unreadable folders: none).
fn matching_children(parent: &Path, pattern: &str) -> Vec<PathBuf> {
    let folder = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| wildcard_match(pattern, &entry.file_name().to_string_lossy()))
        .map(|entry| parent.join(entry.file_name()))
        .collect()
}

/// Whether `name` matches `pattern` (`*`, `?`; a leading `.` must be literal).
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    if name.starts_with('.') && !pattern.starts_with('.') {
        return false;
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    // Classic two-pointer matching with backtracking to the last `*`.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some('?') => {
                p += 1;
                n += 1;
            }
            Some(c) if *c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((star_p, star_n)) => {
                    p = star_p + 1;
                    n = star_n + 1;
                    star = Some((star_p, star_n + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// `?:\` on Windows: every drive letter that exists.
#[cfg(windows)]
fn windows_drives(pattern: &str) -> Option<Vec<PathBuf>> {
    let trimmed = pattern.trim_end_matches(['\\', '/']);
    (trimmed == "?:").then(|| {
        ('A'..='Z')
            .map(|letter| PathBuf::from(format!("{letter}:\\")))
            .filter(|drive| drive.is_dir())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_a_shell() {
        let cases = [
            ("*", "MON", true),
            ("*", "", true),
            ("?", "A", true),
            ("?", "AB", false),
            ("M*", "MON", true),
            ("M*", "TUE", false),
            ("*N", "MON", true),
            ("*O*", "MON", true),
            ("a*b*c", "a-xx-b-yy-c", true),
            ("a*b*c", "a-xx-c-yy-b", false),
            ("BACKUP-?", "BACKUP-1", true),
            ("*", ".hidden", false),
            (".*", ".hidden", true),
            ("exact", "exact", true),
            ("exact", "exactly", false),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(
                wildcard_match(pattern, name),
                expected,
                "{pattern} ~ {name}"
            );
        }
    }

    #[test]
    fn expands_folders_only_sorted_and_skips_hidden_ones() {
        let root = tempfile::tempdir().unwrap();
        for folder in ["TUE", "MON", ".hidden", "sub/deep"] {
            std::fs::create_dir_all(root.path().join(folder)).unwrap();
        }
        std::fs::write(root.path().join("file"), b"").unwrap();
        let pattern = format!("{}/*", root.path().display());
        let names: Vec<String> = expand(&pattern)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["MON", "TUE", "sub"]);
        let deep = format!("{}/*/*", root.path().display());
        assert_eq!(expand(&deep), [root.path().join("sub/deep")]);
    }

    #[test]
    fn a_pattern_without_wildcards_is_itself_when_it_is_a_folder() {
        let root = tempfile::tempdir().unwrap();
        let literal = root.path().display().to_string();
        assert_eq!(expand(&literal), [root.path().to_path_buf()]);
        assert!(expand(&format!("{literal}/absent")).is_empty());
        assert!(expand(&format!("{literal}/absent/*")).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_folder_is_not_a_mount_candidate() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("real")).unwrap();
        std::os::unix::fs::symlink("/", root.path().join("Macintosh HD")).unwrap();
        let pattern = format!("{}/*", root.path().display());
        assert_eq!(expand(&pattern), [root.path().join("real")]);
    }
}
