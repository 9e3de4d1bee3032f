//! `rota apply --wait DURATION`: before planning, wait (up to DURATION, by the
//! real clock) for today's backup to appear in the source folder and settle,
//! saying what it waits for. A schedule can then start soon after the
//! practice software's backup and still copy it finished. When the time is
//! up, apply goes on with what is there (the plan says what is pending).

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::super::CliError;
use super::super::session::Session;
use crate::inventory::Inventory;
use crate::inventory::freshness::Freshness;
use crate::plan::WarningCode;
use crate::plan::capture::{self, Decision};
use crate::policy::{Policy, Span};

/// Where today's backup stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tonight {
    /// There, and unchanged for `source.settle`: go ahead.
    Ready,
    /// No backup of today's business day in the source folder yet.
    Absent { today: NaiveDate },
    /// The `source.capture` export cannot be read (yet).
    ExportUnreadable { why: String },
    /// There but still being written: settled in `left` if it stops now.
    Settling {
        name: String,
        age: TimeDelta,
        left: TimeDelta,
    },
}

/// Where today's backup stands in `inventory`, listed at the real time
/// `observed`. A closed day's "today" is the last open day, already done.
pub fn tonight(
    policy: &Policy,
    inventory: &Inventory,
    today: NaiveDate,
    observed: DateTime<Utc>,
) -> Tonight {
    if let Some(state) = export_tonight(policy, inventory, observed) {
        return state;
    }
    let calendar = &policy.office.calendar;
    let todays: Vec<_> = inventory
        .source
        .backups
        .iter()
        .filter(|entry| calendar.business_day(entry.timestamp) == Some(today))
        .collect();
    if todays.is_empty() {
        return Tonight::Absent { today };
    }
    let youngest = todays
        .iter()
        .filter(|entry| entry.modified.is_some())
        .max_by_key(|entry| entry.modified);
    let Some(entry) = youngest else {
        return Tonight::Ready;
    };
    match Freshness::judge(policy.source.settle.0, Some(observed), entry.modified) {
        Freshness::Settling { age, left } => Tonight::Settling {
            name: entry.name.clone(),
            age,
            left,
        },
        Freshness::Settled => Tonight::Ready,
    }
}

/// Where a `source.capture` export stands, when that decides: a changed
/// export is tonight's backup (ready once settled); an unchanged one leaves
/// the answer to the source folder (already captured, or not written yet).
fn export_tonight(
    policy: &Policy,
    inventory: &Inventory,
    observed: DateTime<Utc>,
) -> Option<Tonight> {
    match capture::decide(policy, inventory) {
        Decision::Nothing => None,
        Decision::Capture(_) => Some(Tonight::Ready),
        Decision::Unreadable(_) => Some(Tonight::ExportUnreadable {
            why: inventory
                .capture
                .as_ref()
                .and_then(|item| item.found.clone().err())
                .unwrap_or_default(),
        }),
        Decision::Wait {
            backup, warning, ..
        } if warning.code == WarningCode::UnsettledBackup => {
            // Settling by the rule, or the export would not wait: judged
            // again here for how long is left.
            let modified = backup.modified.or(Some(observed));
            let (age, left) =
                match Freshness::judge(policy.source.settle.0, Some(observed), modified) {
                    Freshness::Settling { age, left } => (age, left),
                    Freshness::Settled => (TimeDelta::zero(), TimeDelta::zero()),
                };
            Some(Tonight::Settling {
                name: backup.name,
                age,
                left,
            })
        }
        // Its name is taken: waiting does not change that (the plan says so).
        Decision::Wait { .. } => Some(Tonight::Ready),
    }
}

/// Waits until today's backup is [`Tonight::Ready`] or `limit` has passed,
/// re-scanning about once a minute (sooner when a backup is about to settle,
/// or for short waits), and printing each change of what it waits for.
pub fn wait_for_tonight(session: &Session, limit: Span, today: NaiveDate) -> Result<(), CliError> {
    let policy = session.policy();
    let started = Instant::now();
    let mut said = None;
    loop {
        let inventory = session.scan()?;
        let observed = inventory.observed_at.unwrap_or_else(Utc::now);
        let state = tonight(policy, &inventory, today, observed);
        let waited = started.elapsed();
        if state == Tonight::Ready {
            if said.is_some() {
                println!(
                    "Today's backup is ready after waiting {}.",
                    Span::from_secs(waited.as_secs())
                );
            }
            return Ok(());
        }
        let Some(left) = limit.0.checked_sub(waited).filter(|left| !left.is_zero()) else {
            println!(
                "Stopped waiting after {limit}: {}; going on with what is there.",
                describe(&state, policy)
            );
            return Ok(());
        };
        let words = describe(&state, policy);
        if said.as_ref() != Some(&words) {
            println!(
                "Waiting up to {} more: {words}.",
                Span::from_secs(left.as_secs())
            );
            said = Some(words);
        }
        std::thread::sleep(poll_interval(&state, limit.0, left));
    }
}

/// What `--wait` is waiting for, in words.
fn describe(state: &Tonight, policy: &Policy) -> String {
    match state {
        Tonight::Ready => String::from("today's backup is ready"),
        Tonight::Absent { today } => format!(
            "today's backup ({today}) has not appeared in {} yet",
            policy.source.path.display()
        ),
        Tonight::ExportUnreadable { why } => format!(
            "the export {} cannot be captured yet: {why}",
            policy
                .source
                .capture
                .as_deref()
                .unwrap_or(policy.source.path.as_path())
                .display()
        ),
        Tonight::Settling { name, age, .. } => format!(
            "{name} is still being written (last changed {} min ago; copied once unchanged for {})",
            age.num_minutes(),
            policy.source.settle
        ),
    }
}

/// How long to sleep before looking again: a minute at most, a sixtieth of a
/// short wait, and no longer than until a settling backup would be settled.
fn poll_interval(state: &Tonight, limit: Duration, left: Duration) -> Duration {
    let mut interval = (limit / 60).clamp(Duration::from_secs(1), Duration::from_secs(60));
    if let Tonight::Settling {
        left: settles_in, ..
    } = state
    {
        let settles_in = settles_in.to_std().unwrap_or_default() + Duration::from_millis(200);
        interval = interval.min(settles_in);
    }
    interval.min(left).max(Duration::from_millis(100))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{EntryKind, SourceEntry};

    fn policy(settle: &str) -> Policy {
        let text = format!(
            "version: 1\noffice: {{ name: Test, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri] }}\n\
             source: {{ path: source, pattern: \"B_{{%Y-%m-%d_%H%M}}.bak\", settle: {settle} }}\n\
             retain: {{ business_days: 10 }}\ndisks: {{ rotation: [{{ label: MON, days: [mon, tue, wed, thu, fri] }}] }}\n"
        );
        crate::policy::load_str(&text, std::path::Path::new("/office/policy.yaml"))
            .unwrap()
            .policy
    }

    fn with_backup(name: &str, modified: &str) -> Inventory {
        let mut inventory = Inventory::default();
        let timestamp =
            chrono::NaiveDateTime::parse_from_str(&name[2..17], "%Y-%m-%d_%H%M").unwrap();
        inventory.source.backups.push(SourceEntry {
            name: name.to_string(),
            timestamp,
            size: 10,
            kind: EntryKind::File,
            modified: modified.parse().ok(),
            files: 0,
        });
        inventory
    }

    #[test]
    fn waits_for_todays_backup_to_appear_then_settle() {
        let policy = policy("10m");
        let today: NaiveDate = "2026-03-31".parse().unwrap();
        let observed: DateTime<Utc> = "2026-04-01T03:50:00Z".parse().unwrap();
        let yesterday = with_backup("B_2026-03-30_2330.bak", "2026-03-31T03:40:00Z");
        assert_eq!(
            tonight(&policy, &yesterday, today, observed),
            Tonight::Absent { today }
        );
        let writing = with_backup("B_2026-03-31_2330.bak", "2026-04-01T03:47:00Z");
        assert_eq!(
            tonight(&policy, &writing, today, observed),
            Tonight::Settling {
                name: "B_2026-03-31_2330.bak".into(),
                age: TimeDelta::minutes(3),
                left: TimeDelta::minutes(7),
            }
        );
        let finished = with_backup("B_2026-03-31_2330.bak", "2026-04-01T03:39:00Z");
        assert_eq!(tonight(&policy, &finished, today, observed), Tonight::Ready);
    }

    #[test]
    fn waits_for_the_export_to_change_then_settle() {
        use crate::inventory::{CaptureItem, Captured, Fingerprint};
        let policy = policy("10m");
        let policy = Policy {
            source: crate::policy::Source {
                capture: Some("/office/export".into()),
                ..policy.source
            },
            ..policy
        };
        let today: NaiveDate = "2026-03-31".parse().unwrap();
        let observed: DateTime<Utc> = "2026-04-01T03:50:00Z".parse().unwrap();
        let export = |modified: &str| {
            let modified: DateTime<Utc> = modified.parse().unwrap();
            let mut inventory = with_backup("B_2026-03-30_2330.bak", "2026-03-31T03:30:00Z");
            inventory.observed_at = Some(observed);
            inventory.capture = Some(CaptureItem {
                path: "/office/export".into(),
                found: Ok(Captured {
                    kind: EntryKind::File,
                    fingerprint: Fingerprint::new(EntryKind::File, 10, 0, Some(modified)),
                    modified,
                }),
            });
            inventory
        };
        // Unchanged since last night's capture: today's backup is not there.
        assert_eq!(
            tonight(&policy, &export("2026-03-31T03:30:00Z"), today, observed),
            Tonight::Absent { today }
        );
        assert_eq!(
            tonight(&policy, &export("2026-04-01T03:46:00Z"), today, observed),
            Tonight::Settling {
                name: "B_2026-03-31_2346.bak".into(),
                age: TimeDelta::minutes(4),
                left: TimeDelta::minutes(6),
            }
        );
        assert_eq!(
            tonight(&policy, &export("2026-04-01T03:30:00Z"), today, observed),
            Tonight::Ready
        );
        let mut missing = export("2026-04-01T03:30:00Z");
        missing.capture.as_mut().unwrap().found = Err("it does not exist".into());
        assert_eq!(
            tonight(&policy, &missing, today, observed),
            Tonight::ExportUnreadable {
                why: "it does not exist".into()
            }
        );
    }

    #[test]
    fn polls_sooner_when_a_backup_is_about_to_settle() {
        let settling = Tonight::Settling {
            name: String::new(),
            age: TimeDelta::seconds(50),
            left: TimeDelta::seconds(10),
        };
        let hours = Duration::from_secs(7200);
        assert_eq!(
            poll_interval(
                &Tonight::Absent {
                    today: NaiveDate::MIN
                },
                hours,
                hours
            ),
            Duration::from_secs(60)
        );
        assert_eq!(
            poll_interval(&settling, hours, hours),
            Duration::from_millis(10_200)
        );
        assert_eq!(
            poll_interval(
                &Tonight::Absent {
                    today: NaiveDate::MIN
                },
                Duration::from_secs(20),
                Duration::from_secs(20)
            ),
            Duration::from_secs(1)
        );
    }
}
