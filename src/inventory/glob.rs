//! Expanding `disks.mount_search` globs (`/Volumes/*`, `/media/*/*`) into the
//! folders where disks may be mounted. Only `*` (any run of characters) and `?`
//! (one character) are wildcards, each within one path component; as in a
//! shell, a wildcard does not match a leading `.` (hidden folders such as
//! `/Volumes/.timemachine` are skipped).
//!
//! Only real folders are returned: a symlink is never followed (on macOS
//! `/Volumes/Macintosh HD` is a link to `/`, the system disk, not a backup
//! disk). This module lists folders and never changes anything.
//!
//! A component is matched by the `glob` crate's [`Pattern`] (character by
//! character, with the shell's rule for a leading dot), its `[...]` syntax
//! escaped. Not `globset`: its `?` matches one byte, so `caf?` would miss
//! `café`, a folder name an office may well have.

use std::path::{Component, Path, PathBuf};

use glob::{MatchOptions, Pattern};

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
    let (Some(matcher), Ok(entries)) = (component_matcher(pattern), std::fs::read_dir(folder))
    else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| matcher.matches_with(&entry.file_name().to_string_lossy(), SHELL))
        .map(|entry| parent.join(entry.file_name()))
        .collect()
}

/// Whether `text` (a folder's name, or a whole path) matches `pattern` as a
/// shell would: `*` and `?` never cross a `/` or match a leading `.`.
pub fn matches(pattern: &str, text: &str) -> bool {
    component_matcher(pattern).is_some_and(|matcher| matcher.matches_with(text, SHELL))
}

/// One path component's pattern, in which only `*` and `?` are wildcards
/// (brackets are taken literally). None only if `glob` refused it, which the
/// escaping rules out.
fn component_matcher(pattern: &str) -> Option<Pattern> {
    let mut escaped = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        match c {
            '[' | ']' => {
                escaped.push('[');
                escaped.push(c);
                escaped.push(']');
            }
            _ => escaped.push(c),
        }
    }
    Pattern::new(&escaped).ok()
}

/// As a shell matches: a leading `.` must be literal; case matters.
const SHELL: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: true,
};

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

    fn wildcard_match(pattern: &str, name: &str) -> bool {
        component_matcher(pattern).is_some_and(|matcher| matcher.matches_with(name, SHELL))
    }

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
            // Only `*` and `?` are wildcards: brackets are literal.
            ("[AB]*", "[AB]-1", true),
            ("[AB]*", "A-1", false),
            ("{MON,TUE}*", "{MON,TUE}", true),
            ("{MON,TUE}*", "MON", false),
            ("?", ".", false),
            ("back\\*", "back\\slash", true),
            ("caf?", "café", true),
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
