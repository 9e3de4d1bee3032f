//! Small formatting helpers shared by every human-readable output, in every
//! layer (the inventory, the executor and the planner word things with them
//! too): sizes, plurals, paths to paste into a shell, a place as the office
//! wrote it. Of rota it uses only the plain [`Size`] value.

use std::path::Path;

use crate::policy::values::Size;

/// Bytes as on a disk's box: "6.2 GB", "512 B".
pub fn bytes(count: u64) -> String {
    Size(count).to_string()
}

/// "1 copy", "3 copies".
pub fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("{count} {one}")
    } else {
        format!("{count} {many}")
    }
}

/// A path as it can be pasted into a shell: as written when it is plain,
/// else in double quotes (`"/Volumes/Time Machine Backups"`).
pub fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c));
    if plain && !text.is_empty() {
        text
    } else {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// A place as the office wrote it (`disks.storage`), ready to follow "in":
/// "the fireproof safe", but "the safe" and "Dr. Lee's office" as written.
pub fn place(written: &str) -> String {
    let written = written.trim();
    let lower = written.to_lowercase();
    let has_article = ["the ", "a ", "an ", "our ", "my "]
        .iter()
        .any(|article| lower.starts_with(article));
    let proper = written.chars().next().is_some_and(char::is_uppercase);
    if has_article || proper {
        written.to_string()
    } else {
        format!("the {written}")
    }
}

#[cfg(test)]
mod place_tests {
    use super::place;

    #[test]
    fn a_place_gets_an_article_only_when_it_has_none() {
        assert_eq!(
            place("fireproof safe in the front office"),
            "the fireproof safe in the front office"
        );
        assert_eq!(place("the safe"), "the safe");
        assert_eq!(place("The lockbox"), "The lockbox");
        assert_eq!(place("Dr. Lee's office"), "Dr. Lee's office");
        assert_eq!(place("an offsite vault"), "an offsite vault");
    }
}
