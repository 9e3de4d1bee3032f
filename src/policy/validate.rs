//! Raw policy → typed [`Policy`], collecting every problem instead of stopping at
//! the first. Each check records a [`Problem`] against the key path it concerns;
//! where a value is unusable a harmless default stands in so the remaining checks
//! still run and the user sees everything wrong in one go.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;

use super::diagnostic::Problem;
use super::duration::Span;
use super::model::*;
use super::pattern_problem::pattern_problem;
use super::raw::*;
use super::source_map::KeyPath;
use super::suggest::{closest, timezone_help};
use super::values::*;
use crate::calendar::{Calendar, ClosedSpan, FiscalYearEnd, NamePattern};

/// Defaults where the policy is silent, chosen to follow the vendor guide.
pub const DEFAULT_KEEP_LAST: u32 = 3;
pub const DEFAULT_MIN_BACKUPS: u32 = 4;
pub const DEFAULT_STATE_DIR: &str = ".rota";
/// `source.settle`: a backup unchanged for ten minutes is finished.
pub const DEFAULT_SETTLE: Span = Span(std::time::Duration::from_secs(600));

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

/// Validates a raw policy. Returns the typed policy when no problem is an error,
/// and every problem found (errors and warnings) either way.
pub fn validate(raw: &RawPolicy, file: &Path) -> (Option<Policy>, Vec<Problem>) {
    let dir = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut v = Validator {
        dir,
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
    let (schedule, notify) = super::validate_unattended::unattended(raw, &mut v.problems);
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
    };
    (Some(policy), v.problems)
}

pub(super) struct Validator {
    dir: PathBuf,
    problems: Vec<Problem>,
    /// An `open_days` entry is not a weekday: which days are open is unknown,
    /// so "this disk's day is not an open day" would only add noise.
    open_days_unreadable: bool,
}

impl Validator {
    pub(super) fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn version(&mut self, version: &Text, path: &KeyPath) {
        if version.as_str().trim() != "1" {
            self.push(
                Problem::error(
                    "unsupported-version",
                    path.clone(),
                    format!("policy version `{}` is not supported", version.as_str()),
                )
                .label("this rota reads version 1")
                .help("write `version: 1`; this is the only schema version so far"),
            );
        }
    }

    fn office(&mut self, raw: &RawOffice, path: &KeyPath) -> Office {
        if raw.name.as_str().trim().is_empty() {
            self.push(
                Problem::error(
                    "empty-office-name",
                    path.key("name"),
                    "the office has no name",
                )
                .label("empty")
                .help("the name is printed on every sheet, e.g. `name: Lakeside Family Dental`"),
            );
        }
        let timezone = self.timezone(&raw.timezone, &path.key("timezone"));
        let open_days = self.weekdays(&raw.open_days, &path.key("open_days"));
        self.open_days_unreadable = raw
            .open_days
            .iter()
            .any(|day| parse_weekday(day.as_str()).is_none());
        if raw.open_days.is_empty() {
            self.push(
                Problem::error(
                    "no-open-days",
                    path.key("open_days"),
                    "the office is never open",
                )
                .label("no days listed")
                .help(
                    "list the days the office works, e.g. `open_days: [mon, tue, wed, thu, fri]`",
                ),
            );
        }
        let closed = raw
            .closed
            .iter()
            .enumerate()
            .filter_map(|(i, entry)| self.closed(&entry.0, &path.key("closed").index(i)))
            .collect();
        let day_starts_at = raw
            .day_starts_at
            .as_ref()
            .map(|text| self.time_of_day(text, &path.key("day_starts_at")))
            .unwrap_or(NaiveTime::MIN);
        let fiscal_year_end = raw
            .fiscal_year_end
            .as_ref()
            .map(|text| self.fiscal_year_end(text, &path.key("fiscal_year_end")))
            .unwrap_or_default();
        let calendar = Calendar::new(timezone, &open_days, closed, day_starts_at, fiscal_year_end);
        Office {
            name: raw.name.as_str().trim().to_string(),
            calendar,
        }
    }

    fn timezone(&mut self, text: &Text, path: &KeyPath) -> Tz {
        match Tz::from_str(text.as_str().trim()) {
            Ok(zone) => zone,
            Err(_) => {
                self.push(
                    Problem::error(
                        "unknown-timezone",
                        path.clone(),
                        format!("unknown time zone `{}`", text.as_str()),
                    )
                    .label("not an IANA time zone")
                    .help(timezone_help(text.as_str())),
                );
                chrono_tz::UTC
            }
        }
    }

    fn weekdays(&mut self, texts: &[Text], path: &KeyPath) -> Vec<Weekday> {
        let mut days = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            match parse_weekday(text.as_str()) {
                Some(day) if days.contains(&day) => self.push(
                    Problem::warning(
                        "duplicate-weekday",
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
                            "unknown-weekday",
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

    fn date(&mut self, text: &Text, path: &KeyPath) -> Option<NaiveDate> {
        match parse_date(text.as_str()) {
            Ok(date) => Some(date),
            Err(reason) => {
                self.push(
                    Problem::error("bad-date", path.clone(), reason)
                        .label("not a date")
                        .help("write dates as YYYY-MM-DD, e.g. 2026-11-26"),
                );
                None
            }
        }
    }

    fn closed(&mut self, raw: &RawClosedMap, path: &KeyPath) -> Option<ClosedSpan> {
        let name = raw.name.as_ref().map(|n| n.as_str().trim().to_string());
        match (&raw.date, &raw.from, &raw.to) {
            (Some(date), None, None) => {
                let date = self.date(
                    date,
                    &self.value_path(path, "date", raw.from.is_none() && raw.name.is_none()),
                )?;
                Some(ClosedSpan {
                    from: date,
                    to: date,
                    name,
                })
            }
            (None, Some(from), Some(to)) => {
                let from_date = self.date(from, &path.key("from"));
                let to_date = self.date(to, &path.key("to"));
                let (from_date, to_date) = (from_date?, to_date?);
                if from_date > to_date {
                    self.push(
                        Problem::error(
                            "closed-range-backwards",
                            path.key("to"),
                            format!(
                                "the closed range ends ({to_date}) before it starts ({from_date})"
                            ),
                        )
                        .label("before `from`")
                        .help("`from` is the first closed day and `to` the last; swap them"),
                    );
                    return None;
                }
                Some(ClosedSpan {
                    from: from_date,
                    to: to_date,
                    name,
                })
            }
            _ => {
                self.push(
                    Problem::error("closed-entry-shape", path.clone(), "a closed entry needs either `date` or both `from` and `to`")
                        .label("neither a date nor a range")
                        .help("write `- 2026-11-26`, `- { date: 2026-11-26, name: Thanksgiving }` or `- { from: 2026-12-24, to: 2026-12-26 }`"),
                );
                None
            }
        }
    }

    /// A scalar shorthand (`- 2026-01-01`) has no `date` key in the source; point
    /// at the item itself then.
    fn value_path(&self, path: &KeyPath, key: &str, shorthand: bool) -> KeyPath {
        if shorthand {
            path.clone()
        } else {
            path.key(key)
        }
    }

    fn time_of_day(&mut self, text: &Text, path: &KeyPath) -> NaiveTime {
        parse_time_of_day(text.as_str()).unwrap_or_else(|reason| {
            self.push(
                Problem::error("bad-time", path.clone(), reason)
                    .label("not a time")
                    .help("write a 24-hour time in quotes, e.g. \"05:00\""),
            );
            NaiveTime::MIN
        })
    }

    fn fiscal_year_end(&mut self, text: &Text, path: &KeyPath) -> FiscalYearEnd {
        let (month, day) = match parse_month_day(text.as_str()) {
            Ok(month_day) => month_day,
            Err(reason) => {
                self.push(
                    Problem::error("bad-month-day", path.clone(), reason)
                        .label("not MM-DD")
                        .help(
                            "write the fiscal year's last day as MM-DD in quotes, e.g. \"06-30\"",
                        ),
                );
                return FiscalYearEnd::DECEMBER;
            }
        };
        if !is_month_end(month, day) {
            let end = month_end_day(month);
            self.push(
                Problem::error(
                    "fiscal-year-end-not-month-end",
                    path.clone(),
                    format!("the fiscal year must end on the last day of a month; {month:02}-{day:02} is not"),
                )
                .label("not a month end")
                .help(format!("did you mean \"{month:02}-{end:02}\"?")),
            );
        }
        FiscalYearEnd::new(month).unwrap_or_default()
    }

    fn path(&mut self, text: &Text, path: &KeyPath) -> PathBuf {
        let written = text.as_str().trim();
        if written.is_empty() {
            self.push(
                Problem::error("empty-path", path.clone(), "the path is empty")
                    .label("empty")
                    .help("give a folder; relative paths are relative to the policy file's folder"),
            );
        }
        resolve(&self.dir, written)
    }

    fn source(&mut self, raw: &RawSource, path: &KeyPath) -> Source {
        let folder = self.path(&raw.path, &path.key("path"));
        let pattern = self.pattern(&raw.pattern, &path.key("pattern"));
        let keep_last = self.small_number(raw.keep_last, DEFAULT_KEEP_LAST, &path.key("keep_last"));
        let reserve = self.reserve(raw.reserve.as_ref(), &path.key("reserve"));
        let encrypted = self.yes_no(raw.encrypted.as_ref(), &path.key("encrypted"));
        let settle = self.settle(raw.settle.as_ref(), &path.key("settle"));
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
            capture,
        }
    }

    /// `source.capture`: a path like any other, but never the source folder
    /// itself nor a folder holding it (rota writes its captures there).
    fn capture(&mut self, text: &Text, folder: &Path, path: &KeyPath) -> PathBuf {
        let capture = self.path(text, path);
        if !text.as_str().trim().is_empty() && folder.starts_with(&capture) {
            self.push(
                Problem::error(
                    "capture-holds-source",
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

    fn small_number(&mut self, value: Option<u64>, default: u32, path: &KeyPath) -> u32 {
        let Some(value) = value else { return default };
        u32::try_from(value).unwrap_or_else(|_| {
            self.push(
                Problem::error(
                    "number-too-large",
                    path.clone(),
                    format!("{value} is far too large"),
                )
                .label("too large")
                .help("use a count of backups or days, e.g. 10"),
            );
            default
        })
    }

    fn count(&mut self, value: Option<RawCount>, path: &KeyPath) -> Count {
        match value {
            None => Count::NONE,
            Some(RawCount::All) => Count::All,
            Some(RawCount::Number(n)) => Count::Number(self.small_number(Some(n), 0, path)),
        }
    }

    fn retain(&mut self, raw: &RawRetain, path: &KeyPath) -> Retain {
        Retain {
            business_days: self.count(raw.business_days, &path.key("business_days")),
            month_ends: self.count(raw.month_ends, &path.key("month_ends")),
            quarter_ends: self.count(raw.quarter_ends, &path.key("quarter_ends")),
            fiscal_year_ends: self.count(raw.fiscal_year_ends, &path.key("fiscal_year_ends")),
            last: self.count(raw.last, &path.key("last")),
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

    fn reserve(&mut self, text: Option<&Text>, path: &KeyPath) -> Reserve {
        let Some(text) = text else {
            return Reserve::default();
        };
        Reserve::parse(text.as_str()).unwrap_or_else(|reason| {
            self.push(
                Problem::error("bad-reserve", path.clone(), reason)
                    .label("not a percentage or size")
                    .help("write a share of the disk such as \"10%\" or a size such as \"50 GB\""),
            );
            Reserve::default()
        })
    }

    fn label(&mut self, text: &Text, path: &KeyPath) -> String {
        let label = text.as_str().trim().to_string();
        let bad = label.is_empty()
            || label.chars().count() > 32
            || label
                .chars()
                .any(|c| c.is_control() || c == '/' || c == '\\');
        if bad {
            self.push(
                Problem::error("bad-label", path.clone(), format!("`{label}` cannot be a disk label"))
                    .label("not a usable label")
                    .help("labels are short names written on the disk, e.g. MON or ARCHIVE-A (up to 32 characters, no slashes)"),
            );
        }
        label
    }

    fn disks(&mut self, raw: &RawDisks, path: &KeyPath, calendar: &Calendar) -> Disks {
        let mount_search = match &raw.mount_search {
            Some(globs) => globs
                .iter()
                .enumerate()
                .map(|(i, glob)| {
                    self.path(glob, &path.key("mount_search").index(i))
                        .to_string_lossy()
                        .into_owned()
                })
                .collect(),
            None => default_mount_search(),
        };
        let min_backups = self.small_number(
            raw.min_backups,
            DEFAULT_MIN_BACKUPS,
            &path.key("min_backups"),
        );
        if min_backups == 0 {
            self.push(
                Problem::error("min-backups-zero", path.key("min_backups"), "min_backups is 0: a rotation disk could end up holding no backup at all")
                    .label("must be at least 1")
                    .help("the vendor guide asks for disks that hold at least four backups each: `min_backups: 4`"),
            );
        }
        let reserve = self.reserve(raw.reserve.as_ref(), &path.key("reserve"));
        let rotation = self.rotation(&raw.rotation, &path.key("rotation"), calendar);
        let archive = raw
            .archive
            .as_ref()
            .map(|archive| self.archive(archive, &rotation, &path.key("archive")));
        let offsite = raw
            .offsite
            .as_ref()
            .map(|offsite| self.disk_offsite(offsite, &path.key("offsite")));
        Disks {
            mount_search,
            min_backups,
            reserve,
            rotation,
            archive,
            storage: raw.storage.as_ref().map(|s| s.as_str().trim().to_string()),
            offsite,
            media: self.disk_media(raw, path),
        }
    }

    fn rotation(
        &mut self,
        raw: &[RawRotationDisk],
        path: &KeyPath,
        calendar: &Calendar,
    ) -> Vec<RotationDisk> {
        if raw.is_empty() {
            self.push(
                Problem::error(
                    "no-rotation-disks",
                    path.clone(),
                    "no rotation disks are listed",
                )
                .at_key()
                .label("empty")
                .help("list one disk per open day, e.g. `- { label: MON, days: [mon] }`"),
            );
        }
        let mut disks: Vec<RotationDisk> = Vec::new();
        for (i, entry) in raw.iter().enumerate() {
            let item = path.index(i);
            let label = self.label(&entry.label, &item.key("label"));
            if disks.iter().any(|disk| disk.label == label) {
                self.duplicate_label(&label, &item.key("label"));
            }
            let days = self.weekdays(&entry.days, &item.key("days"));
            if entry.days.is_empty() {
                self.push(
                    Problem::error(
                        "disk-without-days",
                        item.key("days"),
                        format!("disk {label} takes no day's backup"),
                    )
                    .label("no days")
                    .help("give the weekdays whose backups go on this disk, e.g. `days: [mon]`"),
                );
            }
            for (j, day) in days.iter().enumerate() {
                if !calendar.is_open_weekday(*day)
                    && !calendar.open_weekdays().is_empty()
                    && !self.open_days_unreadable
                {
                    self.push(
                        Problem::warning("disk-for-closed-day", item.key("days").index(j), format!("disk {label} takes {} backups, but the office is not open on {}", weekday_name(*day), weekday_name(*day)))
                            .label("not an open day")
                            .help("backups taken on closed days belong to the previous open day; add the day to office.open_days or remove it here"),
                    );
                }
            }
            disks.push(RotationDisk { label, days });
        }
        disks
    }

    fn duplicate_label(&mut self, label: &str, path: &KeyPath) {
        self.push(
            Problem::error("duplicate-label", path.clone(), format!("the disk label `{label}` is used twice"))
                .label("already used above")
                .help("every disk needs its own label so staff and rota can tell them apart, e.g. MON-A and MON-B"),
        );
    }

    fn uncovered_open_days(&mut self, office: &RawOffice, disks: &Disks, root: &KeyPath) {
        if disks.rotation.is_empty() {
            return;
        }
        for (i, text) in office.open_days.iter().enumerate() {
            let Some(day) = parse_weekday(text.as_str()) else {
                continue;
            };
            if disks.for_weekday(day).next().is_none() {
                let name = weekday_name(day);
                self.push(
                    Problem::error("uncovered-open-day", root.key("office").key("open_days").index(i), format!("the office is open on {day}s, but no rotation disk takes {day}'s backup", day = crate::render::policy_summary::full_weekday(day)))
                        .label("no disk for this day")
                        .help(format!("add `{name}` to a disk's days under disks.rotation, e.g. `- {{ label: {}, days: [{name}] }}`", name.to_uppercase())),
                );
            }
        }
    }

    fn tier(&mut self, text: &Text, path: &KeyPath) -> Option<Tier> {
        let tier = Tier::from_key(text.as_str().trim());
        if tier.is_none() {
            let keys = Tier::ALL.map(Tier::key);
            let help = match closest(text.as_str(), keys) {
                Some(key) => format!("did you mean `{key}`? Tiers are the keys of `retain`"),
                None => format!("tiers are the keys of `retain`: {}", keys.join(", ")),
            };
            self.push(
                Problem::error(
                    "unknown-tier",
                    path.clone(),
                    format!("unknown retention tier `{}`", text.as_str()),
                )
                .label("not a tier")
                .help(help),
            );
        }
        tier
    }

    fn archive(&mut self, raw: &RawArchive, rotation: &[RotationDisk], path: &KeyPath) -> Archive {
        let mut labels: Vec<String> = Vec::new();
        for (i, text) in raw.labels.iter().enumerate() {
            let label = self.label(text, &path.key("labels").index(i));
            if labels.contains(&label) || rotation.iter().any(|disk| disk.label == label) {
                self.duplicate_label(&label, &path.key("labels").index(i));
            }
            labels.push(label);
        }
        if labels.is_empty() {
            self.push(
                Problem::error(
                    "no-archive-disks",
                    path.key("labels"),
                    "the archive has no disks",
                )
                .label("empty")
                .help("list the archive disks' labels, e.g. `labels: [ARCHIVE-A]`"),
            );
        }
        let tiers = raw
            .tiers
            .iter()
            .enumerate()
            .filter_map(|(i, text)| self.tier(text, &path.key("tiers").index(i)))
            .collect();
        Archive { labels, tiers }
    }

    fn disk_offsite(&mut self, raw: &RawDiskOffsite, path: &KeyPath) -> DiskOffsite {
        let carry = match &raw.carry {
            RawCarry::Word(word) if word.as_str().trim().eq_ignore_ascii_case("previous") => {
                Carry::Previous
            }
            RawCarry::Word(word) => {
                self.push(
                    Problem::error("bad-carry", path.key("carry"), format!("`{}` is not a way of carrying disks off-site", word.as_str()))
                        .label("unknown")
                        .help("write `carry: previous` (last night's disk leaves each morning) or a list of nights, e.g. `carry: [fri]`"),
                );
                Carry::Previous
            }
            RawCarry::Days(days) => Carry::Days(self.weekdays(days, &path.key("carry"))),
        };
        DiskOffsite {
            carry,
            by: raw.by.as_ref().map(|by| by.as_str().trim().to_string()),
        }
    }

    fn offsite(&mut self, raw: &[RawOffsiteTarget], path: &KeyPath) -> Vec<OffsiteTarget> {
        let mut targets: Vec<OffsiteTarget> = Vec::new();
        for (i, entry) in raw.iter().enumerate() {
            let item = path.index(i);
            let name = entry.name.as_str().trim().to_string();
            if name.is_empty() || targets.iter().any(|t| t.name == name) {
                self.push(
                    Problem::error(
                        "duplicate-target",
                        item.key("name"),
                        format!("the off-site target name `{name}` is empty or used twice"),
                    )
                    .label("needs a unique name")
                    .help("name each off-site target once, e.g. `name: cloud`"),
                );
            }
            let upload = entry
                .upload
                .as_ref()
                .map(|upload| self.upload(upload, &item.key("upload")));
            let encrypt = entry
                .encrypt
                .as_ref()
                .map(|encrypt| self.encrypt(encrypt, &item.key("encrypt")));
            targets.push(OffsiteTarget {
                name,
                path: self.path(&entry.path, &item.key("path")),
                upload,
                encrypt,
                retain: self.retain(&entry.retain, &item.key("retain")),
            });
        }
        targets
    }

    fn upload(&mut self, raw: &RawUpload, path: &KeyPath) -> Upload {
        let remote = raw.rclone.as_str().trim().to_string();
        if !remote.contains(':') {
            self.push(
                Problem::error("bad-remote", path.key("rclone"), format!("`{remote}` is not an rclone remote"))
                    .label("no remote name")
                    .help("write the remote as `name:path`, e.g. \"b2:lakeside/rota\"; `rclone listremotes` shows the names"),
            );
        }
        Upload {
            remote,
            config: raw
                .config
                .as_ref()
                .map(|text| self.path(text, &path.key("config"))),
            bwlimit: raw
                .bwlimit
                .as_ref()
                .map(|text| text.as_str().trim().to_string()),
            binary: raw
                .binary
                .as_ref()
                .map(|text| PathBuf::from(text.as_str().trim())),
            keep_local: self.small_number(
                raw.keep_local,
                DEFAULT_KEEP_LOCAL,
                &path.key("keep_local"),
            ),
        }
    }

    pub(super) fn encrypt(&mut self, raw: &RawEncrypt, path: &KeyPath) -> Encrypt {
        let mut recipients = Vec::new();
        for (i, text) in raw.age_recipients.iter().enumerate() {
            let recipient = text.as_str().trim();
            // A warning here (a policy may be drafted before the key exists,
            // as SPEC.md's example with "age1..." is); copies to this target
            // fail, and nothing is written to it unencrypted, until it is fixed.
            if age::x25519::Recipient::from_str(recipient).is_err() {
                self.push(
                    Problem::warning("bad-recipient", path.key("age_recipients").index(i), "not an age public key: nothing can be encrypted to it")
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
                    "no-recipients",
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

    fn destruction(
        &mut self,
        raw: Option<&RawDestruction>,
        disks: &Disks,
        path: &KeyPath,
    ) -> Destruction {
        let Some(raw) = raw else {
            return Destruction {
                expired: Expired::Remove,
                archive_to: None,
            };
        };
        let expired = match raw
            .expired
            .as_ref()
            .map(|t| t.as_str().trim().to_ascii_lowercase())
        {
            None => Expired::Remove,
            Some(word) => match word.as_str() {
                "remove" => Expired::Remove,
                "archive" => Expired::Archive,
                "destroy" => Expired::Destroy,
                _ => {
                    let help = match closest(&word, ["remove", "archive", "destroy"]) {
                        Some(mode) => format!(
                            "did you mean `{mode}`? Expired copies can be removed, archived or destroyed"
                        ),
                        None => String::from(
                            "write remove, archive (move to an archive disk) or destroy (overwrite, then delete)",
                        ),
                    };
                    self.push(
                        Problem::error(
                            "unknown-destruction",
                            path.key("expired"),
                            format!("`{word}` is not a destruction method"),
                        )
                        .label("unknown")
                        .help(help),
                    );
                    Expired::Remove
                }
            },
        };
        let archive_to = raw
            .archive_to
            .as_ref()
            .map(|t| t.as_str().trim().to_string());
        match (&archive_to, expired) {
            (Some(label), _) if !disks.is_archive(label) => {
                let known = disks
                    .archive
                    .as_ref()
                    .map(|a| a.labels.join(", "))
                    .unwrap_or_default();
                let help = if known.is_empty() {
                    format!(
                        "add an archive set: `disks: {{ archive: {{ labels: [{label}], tiers: [month_ends] }} }}`"
                    )
                } else {
                    format!("archive disks are: {known}; or add `{label}` to disks.archive.labels")
                };
                self.push(
                    Problem::error(
                        "archive-to-unknown",
                        path.key("archive_to"),
                        format!("`{label}` is not an archive disk"),
                    )
                    .label("no archive disk has this label")
                    .help(help),
                );
            }
            (None, Expired::Archive) => self.push(
                Problem::error(
                    "archive-to-missing",
                    path.key("expired"),
                    "expired copies are to be archived, but no archive disk is named",
                )
                .label("archive to where?")
                .help("add `archive_to:` with the label of one of disks.archive.labels"),
            ),
            (Some(_), Expired::Remove | Expired::Destroy) => self.push(
                Problem::warning(
                    "archive-to-unused",
                    path.key("archive_to"),
                    "archive_to is set but expired copies are not archived",
                )
                .label("unused")
                .help("set `expired: archive` to use it, or remove this line"),
            ),
            _ => {}
        }
        Destruction {
            expired,
            archive_to,
        }
    }

    fn restore_test(&mut self, raw: Option<&RawRestoreTest>, path: &KeyPath) -> RestoreTest {
        let every = match raw.and_then(|r| r.every.as_ref()) {
            None => RestoreEvery::Quarter,
            Some(text) => {
                match text.as_str().trim().to_ascii_lowercase().as_str() {
                    "quarter" => RestoreEvery::Quarter,
                    "month" => RestoreEvery::Month,
                    _ => {
                        self.push(
                        Problem::error("bad-restore-every", path.key("every"), format!("`{}` is not a restore test period", text.as_str()))
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

    fn holds(&mut self, raw: &[RawHold], pattern: &NamePattern, path: &KeyPath) -> Vec<Hold> {
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
                    Problem::error("hold-not-a-backup", at, format!("`{text}` is neither a date nor a backup name"))
                        .label("matches no backup name")
                        .help(format!("hold a date (2025-06-30), a range ({{ from: 2025-01-01, to: 2025-03-31 }}) or a name that matches source.pattern \"{}\"", pattern.as_str())),
                );
                return None;
            }
            return Some(Hold::Name(text.to_string()));
        }
        if let Some(date) = &raw.date {
            let date = self.date(date, &path.key("date"))?;
            return Some(Hold::Dates {
                from: date,
                to: date,
            });
        }
        match (&raw.from, &raw.to) {
            (Some(from), Some(to)) => {
                let from_date = self.date(from, &path.key("from"));
                let to_date = self.date(to, &path.key("to"));
                let (from, to) = (from_date?, to_date?);
                if from > to {
                    self.push(
                        Problem::error(
                            "hold-range-backwards",
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
                    Problem::error("hold-entry-shape", path.clone(), "a hold needs a backup name, a date, or both `from` and `to`")
                        .label("incomplete hold")
                        .help("write `- 2025-06-30`, `- MacPractice_2024-12-31_2330.mpbackup` or `- { from: 2025-01-01, to: 2025-03-31 }`"),
                );
                None
            }
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
                Problem::warning("nothing-retained", path, "no retention tier keeps anything")
                    .at_key()
                    .label("all tiers are zero")
                    .help("the vendor guide keeps 10 business days and every month-, quarter- and fiscal-year-end"),
            );
        }
    }
}

/// `text` as a path: absolute as written, relative to the policy's folder otherwise.
/// A leading `~/` means the home folder, as in a shell.
pub fn resolve(dir: &Path, text: &str) -> PathBuf {
    if let Some(rest) = text.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    let path = Path::new(text);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        dir.join(path)
    }
}
