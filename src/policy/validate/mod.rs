//! Raw policy → typed [`Policy`], collecting every problem instead of stopping at
//! the first. Each check records a [`Problem`] against the key path it concerns;
//! where a value is unusable a harmless default stands in so the remaining checks
//! still run and the user sees everything wrong in one go.
//!
//! This file is the entry point: [`validate`], the [`Validator`] that carries
//! the problems found so far, the defaults, and the helpers more than one
//! section uses (paths, dates, weekdays, numbers, reserve, age encryption).
//! Each section's checks live in their own file here as `impl Validator`
//! blocks: `office.rs`, `source.rs`, `retain.rs`, `disks.rs` (with
//! `media.rs`), `locations.rs`, `offsite.rs`, `destruction.rs`,
//! `restore_test.rs`, `hold.rs`, `unattended.rs` and `contingency.rs`.

mod contingency;
mod destruction;
mod disks;
mod hold;
mod locations;
mod media;
mod office;
mod offsite;
mod restore_test;
mod retain;
mod source;
mod unattended;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{NaiveDate, Weekday};

use super::diagnostic::Problem;
use super::duration::Span;
use super::model::*;
use super::raw::*;
use super::source_map::KeyPath;
use super::suggest::closest;
use super::values::*;
use crate::policy::PolicyCode;

/// Defaults where the policy is silent, chosen to follow the vendor guide.
pub const DEFAULT_KEEP_LAST: u32 = 3;
pub const DEFAULT_MIN_BACKUPS: u32 = 4;
pub const DEFAULT_STATE_DIR: &str = ".rota";
/// `source.settle`: a backup unchanged for ten minutes is finished.
pub const DEFAULT_SETTLE: Span = Span(std::time::Duration::from_secs(600));
/// `source.stale_after`: a week of open days without a new backup stops
/// deletions.
pub const DEFAULT_STALE_AFTER: u32 = 5;

/// Where connected disks appear when `mount_search` is not given.
pub fn default_mount_search() -> Vec<String> {
    if cfg!(target_os = "macos") {
        vec!["/Volumes/*".into()]
    } else if cfg!(windows) {
        vec!["?:\\".into()]
    } else {
        vec![
            "/media/*/*".into(),
            "/run/media/*/*".into(),
            "/mnt/*".into(),
        ]
    }
}

/// Validates a raw policy, read from `file`. Returns the typed policy when no
/// problem is an error, and every problem found (errors and warnings) either
/// way. A leading `~/` in a path means `home` (`None`: the path stays
/// relative to the policy's folder); `rota schedule install` passes the
/// job's user's home, so the job and the install read the policy alike.
pub fn validate_for_home(
    raw: &RawPolicy,
    file: &Path,
    home: Option<PathBuf>,
) -> (Option<Policy>, Vec<Problem>) {
    let dir = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut v = Validator {
        dir,
        home,
        problems: Vec::new(),
        open_days_unreadable: false,
    };
    let root = KeyPath::root();
    v.version(&raw.version, &root.key("version"));
    let office = v.office(&raw.office, &root.key("office"));
    let source = v.source(&raw.source, &root.key("source"));
    let retain = v.retain(&raw.retain, &root.key("retain"));
    let disks = v.disks(&raw.disks, &root.key("disks"), &office.calendar);
    v.uncovered_open_days(&raw.office, &disks, &root);
    let offsite = v.offsite(&raw.offsite, &root.key("offsite"));
    let destruction = v.destruction(raw.destruction.as_ref(), &disks, &root.key("destruction"));
    let restore_test = v.restore_test(raw.restore_test.as_ref(), &root.key("restore_test"));
    let hold = v.holds(&raw.hold, &source.pattern, &root.key("hold"));
    let state_dir = match &raw.state_dir {
        Some(text) => v.path(text, &root.key("state_dir")),
        None => v.dir.join(DEFAULT_STATE_DIR),
    };
    v.overlapping_locations(&source, &disks, &offsite, &state_dir, &root);
    let (schedule, notify) = unattended::unattended(raw, &mut v.problems);
    let contingency = v.contingency(raw.contingency.as_ref(), &root.key("contingency"));
    v.lint(raw);
    if v.problems.iter().any(Problem::is_error) {
        return (None, v.problems);
    }
    let policy = Policy {
        file: file.to_path_buf(),
        office,
        source,
        retain,
        disks,
        offsite,
        destruction,
        restore_test,
        hold,
        state_dir,
        schedule,
        notify,
        contingency,
    };
    (Some(policy), v.problems)
}

pub(super) struct Validator {
    dir: PathBuf,
    /// What a leading `~/` means (the home folder).
    home: Option<PathBuf>,
    pub(super) problems: Vec<Problem>,
    /// An `open_days` entry is not a weekday: which days are open is unknown,
    /// so "this disk's day is not an open day" would only add noise.
    pub(super) open_days_unreadable: bool,
}

impl Validator {
    pub(super) fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn version(&mut self, version: &Text, path: &KeyPath) {
        if version.as_str().trim() != "1" {
            self.push(
                Problem::error(
                    PolicyCode::UnsupportedVersion,
                    path.clone(),
                    format!("policy version `{}` is not supported", version.as_str()),
                )
                .label("this rota reads version 1")
                .help("write `version: 1`; this is the only schema version so far"),
            );
        }
    }

    pub(super) fn weekdays(&mut self, texts: &[Text], path: &KeyPath) -> Vec<Weekday> {
        let mut days = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            match parse_weekday(text.as_str()) {
                Some(day) if days.contains(&day) => self.push(
                    Problem::warning(
                        PolicyCode::DuplicateWeekday,
                        path.index(i),
                        format!("`{}` is listed twice", text.as_str()),
                    )
                    .label("already listed")
                    .help("list each weekday once"),
                ),
                Some(day) => days.push(day),
                None => {
                    let help = match closest(text.as_str(), WEEKDAY_NAMES) {
                        Some(day) => format!(
                            "did you mean `{day}`? Weekdays are written mon, tue, wed, thu, fri, sat, sun"
                        ),
                        None => {
                            String::from("weekdays are written mon, tue, wed, thu, fri, sat, sun")
                        }
                    };
                    self.push(
                        Problem::error(
                            PolicyCode::UnknownWeekday,
                            path.index(i),
                            format!("unknown weekday `{}`", text.as_str()),
                        )
                        .label("not a weekday")
                        .help(help),
                    );
                }
            }
        }
        days
    }

    pub(super) fn date_value(&mut self, text: &Text, path: &KeyPath) -> Option<NaiveDate> {
        match parse_date(text.as_str()) {
            Ok(date) => Some(date),
            Err(reason) => {
                self.push(
                    Problem::error(PolicyCode::BadDate, path.clone(), reason)
                        .label("not a date")
                        .help("write dates as YYYY-MM-DD, e.g. 2026-11-26"),
                );
                None
            }
        }
    }

    pub(super) fn path(&mut self, text: &Text, path: &KeyPath) -> PathBuf {
        let written = text.as_str().trim();
        if written.is_empty() {
            self.push(
                Problem::error(PolicyCode::EmptyPath, path.clone(), "the path is empty")
                    .label("empty")
                    .help("give a folder; relative paths are relative to the policy file's folder"),
            );
        }
        resolve(&self.dir, self.home.as_deref(), written)
    }

    pub(super) fn small_number(&mut self, value: Option<u64>, default: u32, path: &KeyPath) -> u32 {
        let Some(value) = value else { return default };
        u32::try_from(value).unwrap_or_else(|_| {
            self.push(
                Problem::error(
                    PolicyCode::NumberTooLarge,
                    path.clone(),
                    format!("{value} is far too large"),
                )
                .label("too large")
                .help("use a count of backups or days, e.g. 10"),
            );
            default
        })
    }

    pub(super) fn reserve(&mut self, text: Option<&Text>, path: &KeyPath) -> Reserve {
        let Some(text) = text else {
            return Reserve::default();
        };
        Reserve::parse(text.as_str()).unwrap_or_else(|reason| {
            self.push(
                Problem::error(PolicyCode::BadReserve, path.clone(), reason)
                    .label("not a percentage or size")
                    .help("write a share of the disk such as \"10%\" or a size such as \"50 GB\""),
            );
            Reserve::default()
        })
    }

    pub(super) fn encrypt(&mut self, raw: &RawEncrypt, path: &KeyPath) -> Encrypt {
        let mut recipients = Vec::new();
        for (i, text) in raw.age_recipients.iter().enumerate() {
            let recipient = text.as_str().trim();
            // A warning here (a policy may be drafted before the key exists,
            // as the contract's example with "age1..." is); copies to this target
            // fail, and nothing is written to it unencrypted, until it is fixed.
            if age::x25519::Recipient::from_str(recipient).is_err() {
                self.push(
                    Problem::warning(PolicyCode::BadRecipient, path.key("age_recipients").index(i), "not an age public key: nothing can be encrypted to it")
                        .label("not an age1... recipient")
                        .help("use the public key printed by `age-keygen` (it starts with age1); keep the private key off the server. Until then `rota apply` cannot copy to this target"),
                );
            }
            recipients.push(recipient.to_string());
        }
        let file = raw
            .age_recipients_file
            .as_ref()
            .map(|text| self.path(text, &path.key("age_recipients_file")));
        if recipients.is_empty() && file.is_none() {
            self.push(
                Problem::error(
                    PolicyCode::NoRecipients,
                    path.clone(),
                    "encryption is on but no recipient is given",
                )
                .at_key()
                .label("nobody could decrypt")
                .help("add `age_recipients: [\"age1...\"]` with the public key from `age-keygen`"),
            );
        }
        Encrypt {
            age_recipients: recipients,
            age_recipients_file: file,
        }
    }

    /// Advice on a valid policy: settings that work but fall short of the guide.
    fn lint(&mut self, raw: &RawPolicy) {
        let retain = &raw.retain;
        let path = KeyPath::root().key("retain");
        let all_zero = [
            retain.business_days,
            retain.month_ends,
            retain.quarter_ends,
            retain.fiscal_year_ends,
            retain.last,
        ]
        .iter()
        .all(|count| matches!(count, None | Some(RawCount::Number(0))));
        if all_zero {
            self.push(
                Problem::warning(PolicyCode::NothingRetained, path, "no retention tier keeps anything")
                    .at_key()
                    .label("all tiers are zero")
                    .help("the vendor guide keeps 10 business days and every month-, quarter- and fiscal-year-end"),
            );
        }
    }
}

/// `text` as a path: absolute as written, relative to the policy's folder otherwise.
/// A leading `~/` means the home folder `home`, as in a shell.
pub fn resolve(dir: &Path, home: Option<&Path>, text: &str) -> PathBuf {
    if let Some(rest) = text.strip_prefix("~/")
        && let Some(home) = home
    {
        return home.join(rest);
    }
    let path = Path::new(text);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        dir.join(path)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::resolve;

    #[test]
    fn a_tilde_means_the_home_given_and_nothing_else() {
        let dir = Path::new("/office");
        let home = Path::new("/Users/anna");
        assert_eq!(
            resolve(dir, Some(home), "~/rota"),
            Path::new("/Users/anna/rota")
        );
        // No home (a launchd job without HOME): relative, as it always was.
        assert_eq!(resolve(dir, None, "~/rota"), Path::new("/office/~/rota"));
        assert_eq!(
            resolve(dir, Some(home), "/srv/rota"),
            Path::new("/srv/rota")
        );
        assert_eq!(
            resolve(dir, Some(home), "state"),
            Path::new("/office/state")
        );
    }
}
