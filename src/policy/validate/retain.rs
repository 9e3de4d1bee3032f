//! `retain:` (and each off-site target's own `retain:`): how many backups each
//! retention tier keeps, a number or `all`. Hooked from `mod.rs` and
//! `offsite.rs`; it only reports problems.

use super::Validator;
use crate::policy::model::{Count, Retain};
use crate::policy::raw::{RawCount, RawRetain};
use crate::policy::source_map::KeyPath;

impl Validator {
    pub(super) fn retain(&mut self, raw: &RawRetain, path: &KeyPath) -> Retain {
        Retain {
            business_days: self.count(raw.business_days, &path.key("business_days")),
            month_ends: self.count(raw.month_ends, &path.key("month_ends")),
            quarter_ends: self.count(raw.quarter_ends, &path.key("quarter_ends")),
            fiscal_year_ends: self.count(raw.fiscal_year_ends, &path.key("fiscal_year_ends")),
            last: self.count(raw.last, &path.key("last")),
        }
    }

    fn count(&mut self, value: Option<RawCount>, path: &KeyPath) -> Count {
        match value {
            None => Count::NONE,
            Some(RawCount::All) => Count::All,
            Some(RawCount::Number(n)) => Count::Number(self.small_number(Some(n), 0, path)),
        }
    }
}
