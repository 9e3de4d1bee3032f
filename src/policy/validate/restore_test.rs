//! `restore_test:`: how often a restore is to be tried (quarter or month) and
//! the optional command that tries it. Hooked from `mod.rs`; it only
//! reports problems.

use super::Validator;
use crate::policy::PolicyCode;
use crate::policy::diagnostic::Problem;
use crate::policy::model::{RestoreEvery, RestoreTest};
use crate::policy::raw::RawRestoreTest;
use crate::policy::source_map::KeyPath;

impl Validator {
    pub(super) fn restore_test(
        &mut self,
        raw: Option<&RawRestoreTest>,
        path: &KeyPath,
    ) -> RestoreTest {
        let every = match raw.and_then(|r| r.every.as_ref()) {
            None => RestoreEvery::Quarter,
            Some(text) => {
                match text.as_str().trim().to_ascii_lowercase().as_str() {
                    "quarter" => RestoreEvery::Quarter,
                    "month" => RestoreEvery::Month,
                    _ => {
                        self.push(
                        Problem::error(PolicyCode::BadRestoreEvery, path.key("every"), format!("`{}` is not a restore test period", text.as_str()))
                            .label("unknown period")
                            .help("write `every: quarter` (the vendor guide's advice) or `every: month`"),
                    );
                        RestoreEvery::Quarter
                    }
                }
            }
        };
        RestoreTest {
            every,
            command: raw
                .and_then(|r| r.command.as_ref())
                .map(|c| c.as_str().to_string()),
        }
    }
}
