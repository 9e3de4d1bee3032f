//! Small formatting helpers shared by every human-readable output.

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
