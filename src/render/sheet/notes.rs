//! The words around the table: what staff do each morning and evening, where
//! disks are kept, and when the next restore test is due.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::words;
use crate::calendar::full_weekday;
use crate::plan::restore_test_due_on;
use crate::policy::{Carry, Policy, RestoreEvery};

/// The standing instructions printed on every weekly sheet.
#[derive(Debug, Clone, Serialize)]
pub struct Instructions {
    /// What to do each morning with last night's disk.
    pub morning: String,
    /// How to eject a disk before unplugging it, in the words of the
    /// server's system ("drag its icon to the Trash, or click Eject next to
    /// its name in Finder").
    pub eject: String,
    /// What to do each evening.
    pub evening: String,
    /// Where disks live between nights (the policy's `disks.storage`), or "".
    pub storage_place: String,
    /// Who takes disks off-site (`disks.offsite.by`), or "".
    pub offsite_by: String,
    /// The storage instructions as one sentence.
    pub storage: String,
    /// How archive disks fit in, or "" without an archive set.
    pub archive: String,
}

pub fn instructions(policy: &Policy) -> Instructions {
    let storage_place = policy.disks.storage.clone().unwrap_or_default();
    let offsite_by = policy
        .disks
        .offsite
        .as_ref()
        .and_then(|offsite| offsite.by.clone())
        .unwrap_or_default();
    let put_away = match storage_place.as_str() {
        "" => String::from("put it away safely, away from the server"),
        place => format!("put it in the {place}"),
    };
    let carrier = match offsite_by.as_str() {
        "" => String::from("someone takes it"),
        by => format!("{by} takes it"),
    };
    let eject = eject_words(policy);
    let take_off = format!("eject last night's disk ({eject}), then unplug it");
    let morning = match policy.disks.offsite.as_ref().map(|offsite| &offsite.carry) {
        Some(Carry::Previous) => {
            format!("{take_off}; {carrier} off-site.")
        }
        Some(Carry::Days(days)) => {
            let nights: Vec<String> = days
                .iter()
                .map(|day| format!("{}'s", full_weekday(*day)))
                .collect();
            format!(
                "{take_off} and {put_away}. The disk of {} backup goes off-site instead: \
                 {carrier}.",
                words::or_list(&nights)
            )
        }
        None => format!("{take_off} and {put_away}."),
    };
    let mut storage = match storage_place.as_str() {
        "" => String::from(
            "Keep disks that are not connected away from the server, safe from fire, water and theft.",
        ),
        place => format!(
            "Disks that are not connected or off-site are kept in {}, never next to the server.",
            crate::words::format::place(place)
        ),
    };
    // `unencrypted-media`: staff handle the disks, so the sheet says it too.
    if !crate::plan::disks_protected(policy) {
        storage.push_str(
            " These disks are not encrypted: keep them locked away and report a missing disk \
             at once (unencrypted-media).",
        );
    }
    Instructions {
        morning,
        eject,
        evening: String::from(
            "connect tonight's disk before leaving, so tonight's backup is copied to it.",
        ),
        storage_place,
        offsite_by,
        storage,
        archive: archive_note(policy),
    }
}

/// Which system the disks are ejected on, by where the policy looks for
/// them: `/Volumes` is a Mac's, `/media`, `/run/media` and `/mnt` are
/// Linux's; anything else gets both (the sheet must not depend on which
/// computer printed it).
fn eject_words(policy: &Policy) -> String {
    const MAC: &str = "drag its icon to the Trash, or click Eject beside it in Finder";
    const LINUX: &str = "click Eject beside it in the file manager";
    let under = |roots: &[&str]| {
        policy
            .disks
            .mount_search
            .iter()
            .all(|glob| roots.iter().any(|root| glob.starts_with(root)))
    };
    if under(&["/Volumes/"]) {
        format!("on the Mac, {MAC}")
    } else if under(&["/media/", "/run/media/", "/mnt/"]) {
        LINUX.replacen("click", "in Linux, click", 1)
    } else {
        format!("on a Mac, {MAC}; on Linux, {LINUX}")
    }
}

fn archive_note(policy: &Policy) -> String {
    match &policy.disks.archive {
        Some(archive) if !archive.labels.is_empty() => format!(
            "Long-term backups are also copied to an archive disk ({}) whenever one is connected.",
            words::or_list(&archive.labels)
        ),
        _ => String::new(),
    }
}

/// When the restore test is due, as seen from one week.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreTestNote {
    /// Due this week, or overdue: the sheet asks for one this week.
    pub due: bool,
    pub overdue: bool,
    /// "2026-04-01", or "" when no test is on record.
    pub due_on: String,
    /// "2026-01-01", or "".
    pub last: String,
    pub text: String,
}

pub fn restore_test(
    policy: &Policy,
    last: Option<NaiveDate>,
    monday: NaiveDate,
    sunday: NaiveDate,
) -> RestoreTestNote {
    let every = match policy.restore_test.every {
        RestoreEvery::Month => "month",
        RestoreEvery::Quarter => "quarter",
    };
    let due_on = restore_test_due_on(policy, last);
    let last_words = last
        .map(|last| format!(" The last one was on {}.", words::long_date(last)))
        .unwrap_or_default();
    let ask = "Ask IT to run one this week (rota restore-test).";
    let (due, overdue, text) = match due_on {
        None => (
            true,
            true,
            format!("No restore test is on record; the policy asks for one every {every}. {ask}"),
        ),
        Some(due) if due < monday => (
            true,
            true,
            format!(
                "A restore test is overdue: it was due on {}.{last_words} {ask}",
                words::long_date(due)
            ),
        ),
        Some(due) if due <= sunday => (
            true,
            false,
            format!(
                "A restore test is due this week, on {}.{last_words} {ask}",
                words::weekday(due) + " " + &words::day_month(due, sunday.year())
            ),
        ),
        Some(due) => (
            false,
            false,
            format!(
                "No restore test due this week: the next one is due on {}.{last_words}",
                words::long_date(due)
            ),
        ),
    };
    RestoreTestNote {
        due,
        overdue,
        due_on: due_on.map(|d| d.to_string()).unwrap_or_default(),
        last: last.map(|d| d.to_string()).unwrap_or_default(),
        text,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::policy;
    use crate::test_support::date;

    fn load(text: &str) -> Policy {
        policy::load_str(text, Path::new("/o/rota.yaml"))
            .unwrap()
            .policy
    }

    #[test]
    fn instructions_follow_the_offsite_rule() {
        let vendor = instructions(&load(include_str!("../../../policies/vendor-guide.yaml")));
        assert_eq!(
            vendor.morning,
            "eject last night's disk (on the Mac, drag its icon to the Trash, or click Eject \
             beside it in Finder), then unplug it; Office manager takes it off-site."
        );
        assert!(
            vendor
                .storage
                .contains("fireproof safe in the front office")
        );
        assert_eq!(vendor.archive, "");
        let prairie = instructions(&load(include_str!(
            "../../../policies/four-day-june-fiscal-year.yaml"
        )));
        assert!(
            prairie.morning.ends_with(
                "then unplug it and put it in the lockbox in the records room. The disk of \
                 Thursday's backup goes off-site instead: Dr. Okafor takes it."
            ),
            "{}",
            prairie.morning
        );
        assert!(prairie.archive.contains("ARCHIVE-A or ARCHIVE-B"));
    }

    #[test]
    fn the_restore_test_is_due_overdue_or_later() {
        let policy = load(include_str!("../../../policies/vendor-guide.yaml"));
        let (monday, sunday) = (date("2026-03-30"), date("2026-04-05"));
        let never = restore_test(&policy, None, monday, sunday);
        assert!(never.due && never.overdue);
        assert!(never.text.contains("every quarter"), "{}", never.text);
        let due = restore_test(&policy, Some(date("2026-01-01")), monday, sunday);
        assert!(due.due && !due.overdue);
        assert_eq!(due.due_on, "2026-04-01");
        assert!(
            due.text
                .starts_with("A restore test is due this week, on Wednesday 1 April.")
        );
        let overdue = restore_test(&policy, Some(date("2025-12-01")), monday, sunday);
        assert!(overdue.overdue);
        let later = restore_test(&policy, Some(date("2026-03-02")), monday, sunday);
        assert!(!later.due);
        assert!(later.text.contains("Tuesday 2 June 2026"), "{}", later.text);
    }
}
