//! `hold:`: backups kept whatever retention says — a date, a date range, or a
//! backup name that must match `source.pattern`. Hooked from `mod.rs`; it
//! only reports problems.

use super::Validator;
use crate::calendar::NamePattern;
use crate::policy::PolicyCode;
use crate::policy::diagnostic::Problem;
use crate::policy::model::Hold;
use crate::policy::raw::{RawHold, RawHoldMap};
use crate::policy::source_map::KeyPath;
use crate::policy::values::parse_date;

impl Validator {
    pub(super) fn holds(
        &mut self,
        raw: &[RawHold],
        pattern: &NamePattern,
        path: &KeyPath,
    ) -> Vec<Hold> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, hold)| self.hold(&hold.0, pattern, &path.index(i)))
            .collect()
    }

    fn hold(&mut self, raw: &RawHoldMap, pattern: &NamePattern, path: &KeyPath) -> Option<Hold> {
        let shorthand =
            raw.from.is_none() && raw.to.is_none() && raw.date.is_none() && raw.reason.is_none();
        if let Some(name) = &raw.name {
            let text = name.as_str().trim();
            if let Ok(date) = parse_date(text) {
                return Some(Hold::Dates {
                    from: date,
                    to: date,
                });
            }
            if !pattern.matches(text) {
                let at = if shorthand {
                    path.clone()
                } else {
                    path.key("name")
                };
                self.push(
                    Problem::error(PolicyCode::HoldNotABackup, at, format!("`{text}` is neither a date nor a backup name"))
                        .label("matches no backup name")
                        .help(format!("hold a date (2025-06-30), a range ({{ from: 2025-01-01, to: 2025-03-31 }}) or a name that matches source.pattern \"{}\"", pattern.as_str())),
                );
                return None;
            }
            return Some(Hold::Name(text.to_string()));
        }
        if let Some(date) = &raw.date {
            let date = self.date_value(date, &path.key("date"))?;
            return Some(Hold::Dates {
                from: date,
                to: date,
            });
        }
        match (&raw.from, &raw.to) {
            (Some(from), Some(to)) => {
                let from_date = self.date_value(from, &path.key("from"));
                let to_date = self.date_value(to, &path.key("to"));
                let (from, to) = (from_date?, to_date?);
                if from > to {
                    self.push(
                        Problem::error(
                            PolicyCode::HoldRangeBackwards,
                            path.key("to"),
                            format!("the hold ends ({to}) before it starts ({from})"),
                        )
                        .label("before `from`")
                        .help("swap `from` and `to`"),
                    );
                    return None;
                }
                Some(Hold::Dates { from, to })
            }
            _ => {
                self.push(
                    Problem::error(PolicyCode::HoldEntryShape, path.clone(), "a hold needs a backup name, a date, or both `from` and `to`")
                        .label("incomplete hold")
                        .help("write `- 2025-06-30`, `- MacPractice_2024-12-31_2330.mpbackup` or `- { from: 2025-01-01, to: 2025-03-31 }`"),
                );
                None
            }
        }
    }
}
