//! What a night's notification says first: its worst problem as a short
//! sentence ("No disk was connected: tonight's backup is only on the
//! server"), from the one table of codes ([`crate::plan::code`]) or from the
//! error that stopped the run, and the title built from it. Pure.

use super::record::{RecordedCode, RunOutcome, RunRecord};
use crate::plan::WarningCode;

/// The night's problems in words, worst first: the error that stopped the
/// run (if any), then each failure and attention code once. Empty for an
/// `ok` night.
pub fn problems(record: &RunRecord) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut covered: Option<&RecordedCode> = None;
    if let Some(error) = &record.error {
        let (words, code) = error_words(record, &error.kind);
        found.push(words);
        covered = code;
    }
    for code in record.problem_codes() {
        if Some(code) == covered {
            continue;
        }
        let words = match code.known() {
            Some(known) => known.info().title.to_string(),
            None => format!("rota warned `{code}`"),
        };
        if !found.contains(&words) {
            found.push(words);
        }
    }
    if found.is_empty() && record.outcome == RunOutcome::Failed {
        found.push(String::from("Some of tonight's copies or deletions failed"));
    }
    found
}

/// The first problem in words (for an `ok` night: that all went well).
pub fn headline(record: &RunRecord) -> String {
    problems(record).into_iter().next().unwrap_or_else(|| {
        format!(
            "Backups done: {} copied, {} removed",
            record.copies, record.removals
        )
    })
}

/// A notification's title: the first problem, how many more there are,
/// and which office and night it is about.
pub fn title(record: &RunRecord, office: &str) -> String {
    let problems = problems(record);
    let more = match problems.len() {
        0 | 1 => String::new(),
        2 => String::from(", and 1 more problem"),
        n => format!(", and {} more problems", n - 1),
    };
    format!("{}{more} ({office}, {})", headline(record), record.day())
}

/// The words for an error kind, and the warning code they already cover.
fn error_words<'a>(record: &'a RunRecord, kind: &str) -> (String, Option<&'a RecordedCode>) {
    let recorded = |code: WarningCode| record.warnings.iter().find(|c| **c == code);
    if kind == "refused"
        && let Some(code) = recorded(WarningCode::MassDelete)
    {
        let words = "rota refused a plan that would delete many backups: nothing was changed";
        return (words.to_string(), Some(code));
    }
    if let Some(code) = WarningCode::from_key(kind) {
        return (code.info().title.to_string(), recorded(code));
    }
    let words = match kind {
        "actions-failed" => "Some of tonight's copies or deletions failed",
        "refused" => "rota refused tonight's plan: nothing was changed",
        "not-started" => "The nightly run could not start: nothing was done",
        "invalid-policy" => "The policy has errors: the nightly run did nothing",
        "usage" => "The nightly run was started wrongly: nothing was done",
        _ => "The nightly run stopped before doing anything",
    };
    (words.to_string(), None)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::nightly::record::{RunError, WarningDetail};
    use crate::plan::Severity;

    fn night(codes: &[WarningCode], error: Option<&str>) -> RunRecord {
        let at = "2026-03-31T23:45:00-04:00".parse().unwrap();
        let worst = codes.iter().map(|c| c.severity()).max();
        RunRecord {
            schema: 1,
            started: "2026-04-01T03:45:02Z".parse().unwrap(),
            finished: "2026-04-01T03:46:10Z".parse().unwrap(),
            at,
            today: "2026-03-31".parse().ok(),
            outcome: match error {
                Some(_) => RunOutcome::Failed,
                None => RunOutcome::from_worst(worst),
            },
            error: error.map(|kind| RunError {
                kind: kind.to_string(),
                message: format!("the {kind} message"),
            }),
            errors: Vec::new(),
            actions: 2,
            copies: 1,
            removals: 1,
            captures: 0,
            bytes: 10,
            pending: 0,
            warnings: codes.iter().map(|c| (*c).into()).collect(),
            warning_details: codes
                .iter()
                .map(|c| WarningDetail {
                    code: (*c).into(),
                    message: format!("{c} details"),
                })
                .collect(),
            disks: Vec::new(),
            notify: Vec::new(),
        }
    }

    #[test]
    fn the_title_names_the_worst_problem_first() {
        use WarningCode as C;
        let office = "Lakeside Family Dental";
        let mut out = String::new();
        for code in WarningCode::all() {
            let _ = writeln!(
                out,
                "{:<24} {}",
                code.key(),
                title(&night(&[code], None), office)
            );
        }
        let _ = writeln!(out);
        let mixed = [
            C::RestoreTestDue,
            C::WrongDisk,
            C::UnencryptedMedia,
            C::NoDisk,
        ];
        for (what, record) in [
            (
                "advisories only",
                night(&[C::RestoreTestDue, C::UnencryptedMedia], None),
            ),
            ("mixed", night(&mixed, None)),
            ("refused", night(&[C::MassDelete], Some("refused"))),
            ("source missing", night(&[], Some("source-missing"))),
            (
                "actions failed",
                night(&[C::WrongDisk], Some("actions-failed")),
            ),
            ("not started", night(&[], Some("not-started"))),
            ("unknown code", {
                let mut record = night(&[], None);
                record
                    .warnings
                    .push(RecordedCode::Other("disk-on-fire".into()));
                record.outcome = RunOutcome::Warning;
                record
            }),
        ] {
            let _ = writeln!(out, "{what:<24} {}", title(&record, office));
        }
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!("notification_titles", out);
        });
        let titled = title(&night(&mixed, None), office);
        assert!(
            titled.starts_with(
                "No disk was connected: tonight's backup is only on the server, and 1 more problem"
            ),
            "{titled}"
        );
    }

    #[test]
    fn an_unknown_code_in_an_old_record_still_reads_and_needs_attention() {
        let line = r#"{"schema":1,"started":"2026-04-01T03:45:02.123456789Z","finished":"2026-04-01T03:46:10Z",
            "at":"2026-03-31T23:45:00-04:00","today":"2026-03-31","outcome":"warning","actions":0,"copies":0,
            "removals":0,"bytes":0,"pending":0,"warnings":["wrong-disk","disk-on-fire"],
            "warning_details":[{"code":"disk-on-fire","message":"smoke"}],"disks":[]}"#;
        let record: RunRecord = serde_json::from_str(line).unwrap();
        assert_eq!(record.warnings[0], WarningCode::WrongDisk);
        assert_eq!(
            record.warnings[1],
            RecordedCode::Other("disk-on-fire".into())
        );
        assert_eq!(record.warnings[1].severity(), Severity::Attention);
        let written = serde_json::to_string(&record).unwrap();
        assert!(
            written.contains(r#""warnings":["wrong-disk","disk-on-fire"]"#),
            "{written}"
        );
        assert!(
            written.contains(r#""started":"2026-04-01T03:45:02Z""#),
            "no nanoseconds: {written}"
        );
    }
}
