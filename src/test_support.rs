//! What the unit tests share, compiled for tests only: a date from text,
//! the vendor guide's policy and a policy from text (loaded as the binary
//! loads them). One definition each, so a test reads the same everywhere.

use std::path::Path;

use chrono::NaiveDate;

use crate::policy::{self, Policy};

/// The shipped policy that follows the vendor backup guide.
pub const VENDOR_GUIDE: &str = include_str!("../policies/vendor-guide.yaml");

/// Where test policies live unless a test says otherwise (relative paths in
/// them resolve against its folder).
pub const POLICY_PATH: &str = "/office/rota.yaml";

/// `2026-03-31` as a date.
pub fn date(text: &str) -> NaiveDate {
    text.parse()
        .unwrap_or_else(|_| panic!("{text:?} is not a date"))
}

/// The policy `text`, loaded as if it were the file `path`.
pub fn policy_at(text: &str, path: &str) -> Policy {
    policy::load_str(text, Path::new(path)).unwrap().policy
}

/// The policy `text`, at [`POLICY_PATH`].
pub fn policy_from(text: &str) -> Policy {
    policy_at(text, POLICY_PATH)
}

/// The vendor guide's policy, at [`POLICY_PATH`].
pub fn vendor_policy() -> Policy {
    policy_from(VENDOR_GUIDE)
}
