//! Small formatting helpers shared by every human-readable output.

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
