//! The run journal, `state_dir/journal.jsonl`: one JSON object a line, flushed
//! to the disk before the step it announces. A run writes `run-started`, then
//! `action-started` (with the paths it is about to touch) and
//! `action-finished` around each action, and `run-finished` at the end.
//!
//! After a crash, the next run reads it to learn which actions were cut off
//! ([`unfinished`]): a deletion that got as far as taking the backup's name
//! away is completed and logged; anything else is redone by planning afresh.
//! Each run starts a new journal, carrying over what it could not resolve
//! (a deletion on a disk that is not connected now).
//!
//! This module writes only the journal file.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::filesystem::Fs;
use crate::inventory::{EntryKind, atomic::write_atomically, json_lines, layout};
use crate::plan::Op;

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Entry {
    RunStarted {
        run: String,
        pid: u32,
        started_at: DateTime<Utc>,
    },
    ActionStarted(Box<Started>),
    ActionFinished {
        run: String,
        action: usize,
        ok: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    RunFinished {
        run: String,
        finished_at: DateTime<Utc>,
        failed: usize,
    },
}

/// An action about to run, with what recovery needs to finish or undo it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Started {
    pub run: String,
    pub plan: String,
    /// The instant the plan was made for.
    pub plan_at: String,
    pub action: usize,
    pub op: Op,
    pub backup: String,
    pub kind: EntryKind,
    /// The location written to (copies) or deleted from (deletions).
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_id: Option<String>,
    /// The backup's path at that location.
    pub path: PathBuf,
    /// The temporary name the action uses there.
    pub temp: PathBuf,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    pub reason: String,
    /// For archive moves: the archive disk the backup was copied to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_to: Option<String>,
    /// For uploads and remote deletions: the object on the target's remote
    /// (`b2:bucket/rota/NAME.age`); `path` and `temp` then name it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    pub at: DateTime<Utc>,
}

impl Started {
    /// Whether the action takes a copy away (the deleting half of an archive).
    pub fn deletes(&self) -> bool {
        self.op.deletes()
    }
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(layout::JOURNAL_FILE)
}

/// Every readable entry of the journal (a torn last line is ignored).
pub fn read(state_dir: &Path) -> io::Result<Vec<Entry>> {
    json_lines::read(&path(state_dir))
}

/// Actions that started but never finished, in journal order.
pub fn unfinished(entries: &[Entry]) -> Vec<Started> {
    let mut open: Vec<Started> = Vec::new();
    for entry in entries {
        match entry {
            Entry::ActionStarted(started) => open.push(started.as_ref().clone()),
            Entry::ActionFinished { run, action, .. } => {
                open.retain(|s| !(&s.run == run && s.action == *action));
            }
            _ => {}
        }
    }
    open
}

/// The last run that started and never finished, if any: (run, pid, when).
pub fn interrupted_run(entries: &[Entry]) -> Option<(String, u32, DateTime<Utc>)> {
    let mut last = None;
    for entry in entries {
        match entry {
            Entry::RunStarted {
                run,
                pid,
                started_at,
                ..
            } => last = Some((run.clone(), *pid, *started_at)),
            Entry::RunFinished { run, .. } if last.as_ref().is_some_and(|l| &l.0 == run) => {
                last = None;
            }
            _ => {}
        }
    }
    last
}

/// The journal of the current run, open for appending.
pub struct Journal {
    file: File,
}

impl Journal {
    /// Starts a new journal holding `carried` (unresolved entries of earlier
    /// runs) and then `first`.
    pub fn start(
        fs: &Fs,
        state_dir: &Path,
        carried: &[Entry],
        first: &Entry,
    ) -> io::Result<Journal> {
        fs.record("journal")?;
        let mut text = String::new();
        for entry in carried.iter().chain(std::iter::once(first)) {
            text.push_str(&line(entry));
        }
        let journal = path(state_dir);
        write_atomically(&journal, text.as_bytes())?;
        let file = OpenOptions::new().append(true).open(&journal)?;
        Ok(Journal { file })
    }

    /// Appends an entry and flushes it to the disk before returning. An
    /// `action-finished` line is not flushed: if it is lost, the next run only
    /// re-checks an action that had finished, which changes nothing.
    pub fn append(&mut self, fs: &Fs, entry: &Entry) -> io::Result<()> {
        fs.record("journal")?;
        self.file.write_all(line(entry).as_bytes())?;
        match entry {
            Entry::ActionFinished { .. } => Ok(()),
            _ => crate::flush::data(&self.file),
        }
    }
}

fn line(entry: &Entry) -> String {
    let mut text = serde_json::to_string(entry).expect("journal entries serialize");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn started(run: &str, action: usize) -> Started {
        Started {
            run: run.to_string(),
            plan: String::from("p"),
            plan_at: String::from("2026-03-31T23:59:00-04:00"),
            action,
            op: Op::Remove,
            backup: String::from("b"),
            kind: EntryKind::File,
            location: String::from("MON"),
            disk_id: None,
            path: PathBuf::from("/d/rota/b"),
            temp: PathBuf::from("/d/rota/.rota-partial-r-b"),
            size: 1,
            hash: None,
            reason: String::from("expired"),
            archived_to: None,
            remote: None,
            at: Utc.with_ymd_and_hms(2026, 3, 31, 23, 0, 0).unwrap(),
        }
    }

    #[test]
    fn unfinished_actions_and_the_interrupted_run_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let fs = Fs::default();
        let when = Utc.with_ymd_and_hms(2026, 3, 31, 23, 0, 0).unwrap();
        let first = Entry::RunStarted {
            run: String::from("r1"),
            pid: 7,
            started_at: when,
        };
        let mut journal = Journal::start(&fs, dir.path(), &[], &first).unwrap();
        for entry in [
            Entry::ActionStarted(Box::new(started("r1", 1))),
            Entry::ActionFinished {
                run: String::from("r1"),
                action: 1,
                ok: true,
                message: None,
            },
            Entry::ActionStarted(Box::new(started("r1", 2))),
        ] {
            journal.append(&fs, &entry).unwrap();
        }
        // A torn line from a crash mid-write is ignored.
        std::fs::OpenOptions::new()
            .append(true)
            .open(path(dir.path()))
            .unwrap()
            .write_all(b"{\"event\":\"action-fin")
            .unwrap();
        let entries = read(dir.path()).unwrap();
        assert_eq!(unfinished(&entries), [started("r1", 2)]);
        assert_eq!(
            interrupted_run(&entries),
            Some((String::from("r1"), 7, when))
        );
    }

    #[test]
    fn a_finished_run_is_not_interrupted_and_a_new_journal_carries_entries_over() {
        let dir = tempfile::tempdir().unwrap();
        let fs = Fs::default();
        let when = Utc.with_ymd_and_hms(2026, 3, 31, 23, 0, 0).unwrap();
        let start = |run: &str| Entry::RunStarted {
            run: run.to_string(),
            pid: 1,
            started_at: when,
        };
        let carried = [Entry::ActionStarted(Box::new(started("old", 4)))];
        let mut journal = Journal::start(&fs, dir.path(), &carried, &start("r2")).unwrap();
        journal
            .append(
                &fs,
                &Entry::RunFinished {
                    run: String::from("r2"),
                    finished_at: when,
                    failed: 0,
                },
            )
            .unwrap();
        let entries = read(dir.path()).unwrap();
        assert_eq!(interrupted_run(&entries), None);
        assert_eq!(unfinished(&entries), [started("old", 4)]);
        assert!(read(&dir.path().join("absent")).unwrap().is_empty());
    }
}
