//! `source:`: where the practice software writes its backups and how to read
//! them — the folder, the name pattern, keep_last, reserve, whether the backups
//! are already encrypted, how long one must settle before it is copied, after how
//! many open days without a new one deletions stop, and
//! the export rota captures (`capture`).
//! Hooked from `mod.rs`; it only reports problems.

use std::path::{Path, PathBuf};

use super::{DEFAULT_KEEP_LAST, DEFAULT_SETTLE, DEFAULT_STALE_AFTER, Validator};
use crate::calendar::NamePattern;
use crate::policy::PolicyCode;
use crate::policy::diagnostic::Problem;
use crate::policy::duration::Span;
use crate::policy::model::Source;
use crate::policy::pattern_problem::pattern_problem;
use crate::policy::raw::{RawSource, Text};
use crate::policy::source_map::KeyPath;

impl Validator {
    pub(super) fn source(&mut self, raw: &RawSource, path: &KeyPath) -> Source {
        let folder = self.path(&raw.path, &path.key("path"));
        let pattern = self.pattern(&raw.pattern, &path.key("pattern"));
        let keep_last = self.small_number(raw.keep_last, DEFAULT_KEEP_LAST, &path.key("keep_last"));
        let reserve = self.reserve(raw.reserve.as_ref(), &path.key("reserve"));
        let encrypted = self.yes_no(raw.encrypted.as_ref(), &path.key("encrypted"));
        let settle = self.settle(raw.settle.as_ref(), &path.key("settle"));
        let stale_after = self.stale_after(raw.stale_after, &path.key("stale_after"));
        let capture = raw
            .capture
            .as_ref()
            .map(|text| self.capture(text, &folder, &path.key("capture")));
        Source {
            path: folder,
            pattern,
            keep_last,
            reserve,
            encrypted,
            settle,
            stale_after,
            capture,
        }
    }

    /// `source.stale_after`: at least one open day (zero would stop every
    /// deletion before each night's backup arrived).
    fn stale_after(&mut self, value: Option<u64>, path: &KeyPath) -> u32 {
        let days = self.small_number(value, DEFAULT_STALE_AFTER, path);
        if days == 0 {
            self.push(
                Problem::error(
                    PolicyCode::StaleAfterZero,
                    path.clone(),
                    "stale_after is 0: deletions would stop every night before its backup arrives",
                )
                .label("must be at least 1")
                .help("the number of open days without a new backup after which rota stops deleting, e.g. `stale_after: 5`"),
            );
            return DEFAULT_STALE_AFTER;
        }
        days
    }

    /// `source.capture`: a path like any other, but never the source folder
    /// itself nor a folder holding it (rota writes its captures there).
    fn capture(&mut self, text: &Text, folder: &Path, path: &KeyPath) -> PathBuf {
        let capture = self.path(text, path);
        if !text.as_str().trim().is_empty() && folder.starts_with(&capture) {
            self.push(
                Problem::error(
                    PolicyCode::CaptureHoldsSource,
                    path.clone(),
                    format!(
                        "source.capture {} is the source folder or holds it; rota writes its \
                         captures into source.path",
                        capture.display()
                    ),
                )
                .label("the source folder")
                .help(
                    "point capture at the file or folder the practice software overwrites \
                     (e.g. DBCopyForBackup) and source.path at a separate folder for rota's captures",
                ),
            );
        }
        capture
    }

    fn yes_no(&mut self, text: Option<&Text>, path: &KeyPath) -> Option<bool> {
        let word = text?.as_str().trim().to_ascii_lowercase();
        match word.as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            _ => {
                self.push(
                    Problem::error(
                        PolicyCode::NotYesOrNo,
                        path.clone(),
                        format!("`{word}` is not true or false"),
                    )
                    .label("not true or false")
                    .help("write true if the practice software encrypts its backups, false if it does not"),
                );
                None
            }
        }
    }

    fn pattern(&mut self, text: &Text, path: &KeyPath) -> NamePattern {
        match NamePattern::parse(text.as_str()) {
            Ok(pattern) => pattern,
            Err(error) => {
                self.push(pattern_problem(text.as_str(), &error, path));
                NamePattern::parse("{%Y-%m-%d_%H%M}").expect("fallback pattern is valid")
            }
        }
    }

    fn settle(&mut self, text: Option<&Text>, path: &KeyPath) -> Span {
        let Some(text) = text else {
            return DEFAULT_SETTLE;
        };
        Span::parse(text.as_str()).unwrap_or_else(|reason| {
            self.push(
                Problem::error(PolicyCode::BadDuration, path.clone(), reason)
                    .label("not a duration")
                    .help("write how long a backup must sit unchanged before it is copied, such as \"10m\" or \"1h\""),
            );
            DEFAULT_SETTLE
        })
    }
}
