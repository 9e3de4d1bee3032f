//! `source:`: where the practice software writes its backups and how to read
//! them — the folder, the name pattern, keep_last, reserve, whether the backups
//! are already encrypted, and how long one must settle before it is copied.
//! Hooked from `validate.rs`; it only reports problems.

use super::diagnostic::Problem;
use super::duration::Span;
use super::model::Source;
use super::pattern_problem::pattern_problem;
use super::raw::{RawSource, Text};
use super::source_map::KeyPath;
use super::validate::{DEFAULT_KEEP_LAST, DEFAULT_SETTLE, Validator};
use crate::calendar::NamePattern;

impl Validator {
    pub(super) fn source(&mut self, raw: &RawSource, path: &KeyPath) -> Source {
        let folder = self.path(&raw.path, &path.key("path"));
        let pattern = self.pattern(&raw.pattern, &path.key("pattern"));
        let keep_last = self.small_number(raw.keep_last, DEFAULT_KEEP_LAST, &path.key("keep_last"));
        let reserve = self.reserve(raw.reserve.as_ref(), &path.key("reserve"));
        let encrypted = self.yes_no(raw.encrypted.as_ref(), &path.key("encrypted"));
        let settle = self.settle(raw.settle.as_ref(), &path.key("settle"));
        Source {
            path: folder,
            pattern,
            keep_last,
            reserve,
            encrypted,
            settle,
        }
    }

    fn yes_no(&mut self, text: Option<&Text>, path: &KeyPath) -> Option<bool> {
        let word = text?.as_str().trim().to_ascii_lowercase();
        match word.as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            _ => {
                self.push(
                    Problem::error(
                        "not-yes-or-no",
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
                Problem::error("bad-duration", path.clone(), reason)
                    .label("not a duration")
                    .help("write how long a backup must sit unchanged before it is copied, such as \"10m\" or \"1h\""),
            );
            DEFAULT_SETTLE
        })
    }
}
