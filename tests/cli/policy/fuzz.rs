//! Property tests for the two parsers that read text a person typed: the policy
//! loader and the backup name pattern.
//!
//! - any bytes, any Unicode and YAML-ish token soup: loading never panics and
//!   never hangs, and every diagnostic renders;
//! - the vendor-guide policy with random edits (a line deleted or duplicated,
//!   two characters swapped, a value replaced): no panic, and when it fails
//!   every diagnostic's span lies inside the text, on character boundaries;
//! - name patterns: parsing random text never panics, and an accepted pattern
//!   round-trips every minute of 2000–2068 through `name_for` and `timestamp`
//!   (a date-only pattern round-trips the date).
//!
//! `cargo test` runs 128 cases per property; set `PROPTEST_CASES` for a longer
//! hunt, e.g.
//! `PROPTEST_CASES=20000 cargo test --release --test cli policy::fuzz`.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use rota::calendar::NamePattern;
use rota::cli::error_display::Style;
use rota::cli::{CliError, render_error};
use rota::policy::PolicyErrors;

const VENDOR_GUIDE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/policies/vendor-guide.yaml"
));

/// A hang guard, not a timing assertion: loading a policy takes milliseconds,
/// so a minute means it never returns.
const HANG: Duration = Duration::from_secs(60);

/// 128 cases by default, so `cargo test` stays quick; `PROPTEST_CASES` (which
/// proptest reads into its default config) wins when set. Failures found are
/// kept next to this file (`fuzz.proptest-regressions`) and rerun first.
fn config() -> Config {
    let default = Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_some() {
        default
    } else {
        Config {
            cases: 128,
            ..default
        }
    }
}

/// Runs `work` on its own thread and fails the test if it does not finish.
/// A panic inside `work` is passed on unchanged, so proptest can shrink it.
fn finishes<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, finished) = mpsc::channel();
    let worker = thread::spawn(move || {
        let result = work();
        let _ = done.send(());
        result
    });
    match finished.recv_timeout(HANG) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what} did not finish (hang?)"),
    }
}

/// Loads `text` as a policy and renders any errors, on a watched thread.
fn load_and_render(text: String) -> (String, Result<(), PolicyErrors>) {
    finishes("loading a policy", move || {
        let result = rota::policy::load_str(&text, Path::new("/office/policy.yaml")).map(|_| ());
        if let Err(errors) = &result {
            let rendered = render_error(&CliError::Policy(errors.clone()), Style::plain());
            assert!(rendered.contains("nothing was changed"), "{rendered}");
        }
        (text, result)
    })
}

/// Every located diagnostic points inside the text, at character boundaries.
fn spans_lie_inside(text: &str, errors: &PolicyErrors) -> Result<(), TestCaseError> {
    prop_assert!(errors.error_count() > 0, "an error result carries an error");
    for diagnostic in &errors.diagnostics {
        let Some(source) = &diagnostic.source else {
            continue;
        };
        prop_assert_eq!(source.inner().as_str(), text);
        let (start, end) = (
            diagnostic.span.offset,
            diagnostic.span.offset + diagnostic.span.len,
        );
        prop_assert!(
            end <= text.len(),
            "{} span {:?} past the end",
            diagnostic.code,
            diagnostic.span
        );
        prop_assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "{} span {:?} splits a character",
            diagnostic.code,
            diagnostic.span
        );
        prop_assert!(diagnostic.help.is_some(), "{} has no help", diagnostic.code);
    }
    Ok(())
}

/// Words and punctuation policies are made of, for token soup.
const TOKENS: &[&str] = &[
    "version",
    "office",
    "name",
    "timezone",
    "open_days",
    "closed",
    "date",
    "from",
    "to",
    "day_starts_at",
    "fiscal_year_end",
    "source",
    "path",
    "pattern",
    "keep_last",
    "retain",
    "business_days",
    "month_ends",
    "quarter_ends",
    "fiscal_year_ends",
    "last",
    "disks",
    "mount_search",
    "min_backups",
    "reserve",
    "rotation",
    "label",
    "days",
    "archive",
    "labels",
    "tiers",
    "storage",
    "offsite",
    "carry",
    "by",
    "upload",
    "rclone",
    "encrypt",
    "age_recipients",
    "destruction",
    "expired",
    "archive_to",
    "restore_test",
    "every",
    "hold",
    "state_dir",
    ":",
    ": ",
    " ",
    "  ",
    "    ",
    "\n",
    "\n  ",
    "\n    ",
    "- ",
    "\n- ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "!!str ",
    "!!int ",
    "\"",
    "'",
    "# note",
    "\t",
    "|",
    ">",
    "---",
    "...",
    "%YAML 1.2\n",
    "? ",
    "<<: ",
    "1",
    "0",
    "-1",
    "4",
    "all",
    "mon",
    "fri",
    "sun",
    "10%",
    "150%",
    "2 TB",
    "05:00",
    "25:00",
    "12-31",
    "02-29",
    "06-31",
    "America/New_York",
    "Mars/Olympus",
    "{%Y-%m-%d_%H%M}",
    "b_{%Y%m%d}",
    "2026-01-01",
    "2026-02-30",
    "~",
    "null",
    "true",
    "99999999999999999999",
    "1e400",
    "é",
    "\u{feff}",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..120).prop_map(|tokens| tokens.concat())
}

/// One random edit of a policy text.
#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapChars(usize, usize),
    ReplaceValue(usize, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    let value = prop_oneof![
        prop::sample::select(TOKENS).prop_map(str::to_string),
        "[ -~]{0,12}",
        "\\PC{0,8}",
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapChars(a, b)),
        (any::<usize>(), value).prop_map(|(line, value)| Edit::ReplaceValue(line, value)),
    ]
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return text.to_string();
    }
    let count = lines.len();
    let pick = |i: usize| i % count;
    match edit {
        Edit::DeleteLine(i) => {
            lines.remove(pick(*i));
        }
        Edit::DuplicateLine(i) => {
            let line = lines[pick(*i)].clone();
            lines.insert(pick(*i), line);
        }
        Edit::SwapChars(a, b) => {
            let mut chars: Vec<char> = lines.join("\n").chars().collect();
            let (a, b) = (a % chars.len(), b % chars.len());
            chars.swap(a, b);
            return chars.into_iter().collect::<String>() + "\n";
        }
        Edit::ReplaceValue(i, value) => {
            let line = &mut lines[pick(*i)];
            if let Some(colon) = line.find(": ") {
                line.replace_range(colon + 2.., value);
            }
        }
    }
    lines.join("\n") + "\n"
}

/// Chrono specifiers and separators, for patterns that might parse.
const PATTERN_PIECES: &[&str] = &[
    "%Y", "%m", "%d", "%H", "%M", "%S", "%y", "%C", "%b", "%B", "%h", "%j", "%e", "%I", "%l", "%k",
    "%p", "%P", "%F", "%T", "%R", "%D", "%a", "%A", "%u", "%w", "%U", "%W", "%V", "%G", "%g", "%s",
    "%f", "%.3f", "%Z", "%z", "%:z", "%%", "%n", "%t", "%-m", "%-d", "%-H", "%_d", "%0e", "%Q",
    "%", "-", "_", ".", " ", "T", "{", "}", "/",
];

fn pattern_text() -> impl Strategy<Value = String> {
    let structured = (
        "[A-Za-z_.-]{0,8}",
        prop::collection::vec(prop::sample::select(PATTERN_PIECES), 0..8),
        "[A-Za-z_.-]{0,8}",
    )
        .prop_map(|(prefix, pieces, suffix)| format!("{prefix}{{{}}}{suffix}", pieces.concat()));
    prop_oneof![structured, "[A-Za-z0-9_ .{}%/-]{0,30}", "\\PC{0,20}",]
}

/// Minute-resolution wall-clock times from 2000 to 2068 (a two-digit `%y`
/// year reads 69–99 as 19xx, so names past 2068 cannot round-trip with it).
fn wall_clock() -> impl Strategy<Value = NaiveDateTime> {
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(2068, 12, 31).unwrap();
    let days = (last - first).num_days() as u64;
    (0..=days, 0u32..24, 0u32..60).prop_map(move |(day, hour, minute)| {
        (first + chrono::Days::new(day))
            .and_hms_opt(hour, minute, 0)
            .unwrap()
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (text, result) = load_and_render(text);
        if let Err(errors) = result {
            spans_lie_inside(&text, &errors)?;
        }
    }

    #[test]
    fn any_unicode_never_panics(text in "\\PC{0,400}") {
        let (text, result) = load_and_render(text);
        if let Err(errors) = result {
            spans_lie_inside(&text, &errors)?;
        }
    }

    #[test]
    fn yaml_token_soup_never_panics(text in token_soup()) {
        let (text, result) = load_and_render(text);
        if let Err(errors) = result {
            spans_lie_inside(&text, &errors)?;
        }
    }

    #[test]
    fn edited_vendor_guide_policies_fail_cleanly(edits in prop::collection::vec(edit(), 1..4)) {
        let text = edits.iter().fold(VENDOR_GUIDE.to_string(), |text, edit| apply(&text, edit));
        let (text, result) = load_and_render(text);
        if let Err(errors) = result {
            spans_lie_inside(&text, &errors)?;
        }
    }

    #[test]
    fn any_bytes_in_a_file_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let dir = tempfile::tempdir().unwrap();
        let path: PathBuf = dir.path().join("policy.yaml");
        std::fs::write(&path, &bytes).unwrap();
        let errors = finishes("loading a policy file", move || rota::policy::load(&path).err());
        if let Some(errors) = errors {
            prop_assert!(errors.error_count() > 0);
            let rendered = render_error(&CliError::Policy(errors), Style::plain());
            prop_assert!(rendered.contains("policy.yaml"), "{}", rendered);
        }
    }

    #[test]
    fn name_patterns_never_panic_and_round_trip(
        pattern in pattern_text(),
        times in prop::collection::vec(wall_clock(), 8),
    ) {
        let parsed = finishes("parsing a pattern", move || NamePattern::parse(&pattern).ok());
        if let Some(parsed) = parsed {
            for time in times {
                let name = parsed.name_for(time);
                // A date-only name states its day, not its time: it reads back as 00:00.
                let read_back = if parsed.is_date_only() {
                    time.date().and_time(chrono::NaiveTime::MIN)
                } else {
                    time
                };
                prop_assert_eq!(
                    parsed.timestamp(&name),
                    Some(read_back),
                    "pattern {:?} wrote {:?}",
                    parsed.as_str(),
                    name
                );
            }
        }
    }
}

#[test]
fn the_unedited_vendor_guide_loads() {
    // The mutation property starts from a valid policy; make sure it is one.
    let (_, result) = load_and_render(VENDOR_GUIDE.to_string());
    assert!(result.is_ok());
}
