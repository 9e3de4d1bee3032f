//! The world's known backups: every backup name found at any location,
//! dated by its business day and sorted by the time in its name, each name
//! once, the server's facts winning; and finding backups by name in that
//! sorted list ([`Lookup`]).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};

use crate::calendar::{Calendar, NamePattern};
use crate::inventory::freshness::Freshness;
use crate::inventory::{CopyRecord, DiskView, EntryKind, Fingerprint, Inventory, SourceEntry};
use crate::policy::Policy;
use crate::retention::Dated;

/// A backup known anywhere, with what placement needs about it.
#[derive(Debug, Clone)]
pub struct KnownBackup {
    pub dated: Dated,
    pub size: u64,
    pub kind: EntryKind,
    /// The source backup's fingerprint now (`None` when not on the server).
    pub fingerprint: Option<Fingerprint>,
    /// On the server and changed less than `source.settle` ago (by the real
    /// clock): how long ago. Such a backup is still being written: not copied.
    pub settling: Option<TimeDelta>,
}

impl AsRef<Dated> for KnownBackup {
    fn as_ref(&self) -> &Dated {
        &self.dated
    }
}

/// Finding backups by name in a list sorted by (time in the name, name): the
/// pattern reads each name's time, then the names are sorted the same way and
/// both lists walked once (no table of 100,000 names to build, and no binary
/// search jumping about 100,000 backups for each name).
#[derive(Clone, Copy)]
pub(super) struct Lookup<'a> {
    pub(super) backups: &'a [KnownBackup],
    pub(super) pattern: &'a NamePattern,
}

impl Lookup<'_> {
    /// Each item of `items` whose name is a known backup, with its index.
    pub(super) fn find_all<'i, T>(
        &self,
        items: impl Iterator<Item = &'i T>,
        name: impl Fn(&T) -> &str,
    ) -> Vec<(&'i T, usize)> {
        let keys = sorted_keys(items, |item| self.pattern.timestamp(name(item)), &name);
        walk_sorted(keys, self.backups, backup_key)
            .into_iter()
            .filter_map(|(_, item, index)| Some((item, index?)))
            .collect()
    }

    pub(super) fn len(&self) -> usize {
        self.backups.len()
    }
}

pub(super) fn backup_key(backup: &KnownBackup) -> (NaiveDateTime, &str) {
    (backup.dated.timestamp, &backup.dated.name)
}

pub(super) fn source_key(entry: &SourceEntry) -> (NaiveDateTime, &str) {
    (entry.timestamp, &entry.name)
}

/// `items` keyed by (time, name), sorted; items without a time are left out.
pub(super) fn sorted_keys<'i, T>(
    items: impl Iterator<Item = &'i T>,
    time: impl Fn(&T) -> Option<NaiveDateTime>,
    name: impl Fn(&T) -> &str,
) -> Vec<((NaiveDateTime, &'i str), &'i T)> {
    let mut keys: Vec<((NaiveDateTime, &'i str), &'i T)> = items
        .filter_map(|item| Some(((time(item)?, name(item)), item)))
        .collect();
    // Stable: of equal keys the first item comes first.
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys
}

/// Walks `keys` (sorted) and `list` (sorted by `key`, each key once) together:
/// each keyed item, in order, with its index in the list if it is there.
pub(super) fn walk_sorted<'i, T, L>(
    keys: Vec<((NaiveDateTime, &'i str), &'i T)>,
    list: &[L],
    key: impl for<'x> Fn(&'x L) -> (NaiveDateTime, &'x str),
) -> Vec<((NaiveDateTime, &'i str), &'i T, Option<usize>)> {
    let mut walked = Vec::with_capacity(keys.len());
    let mut at = 0;
    for (wanted, item) in keys {
        while at < list.len() && key(&list[at]) < wanted {
            at += 1;
        }
        let found = (at < list.len() && key(&list[at]) == wanted).then_some(at);
        walked.push((wanted, item, found));
    }
    walked
}

/// Every backup name found at any location the planner looks at (the source,
/// the policy's disks, the off-site staging folders and remotes) that matches
/// the pattern, dated, with its size (from the server when it has it) and
/// kind; sorted by the time in the name, then the name. With it, whether each
/// is in the source folder.
pub(super) fn known_backups(
    policy: &Policy,
    inventory: &Inventory,
    chosen: &[(&str, usize, Option<&DiskView>)],
) -> (Vec<KnownBackup>, Vec<bool>) {
    let source = sorted_source(&inventory.source.backups);
    let disk_records = chosen
        .iter()
        .filter_map(|(_, _, disk)| *disk)
        .flat_map(|disk| disk.copies.values());
    let staged_records = inventory.offsite.iter().flat_map(|target| {
        let remote = target.remote.iter().flat_map(|remote| remote.values());
        target.staged.values().chain(remote)
    });
    // Backups known only elsewhere: the first record of each name counts.
    let mut records = sorted_keys(
        disk_records.chain(staged_records),
        |record| policy.source.pattern.timestamp(&record.name),
        |record| &record.name,
    );
    records.dedup_by(|later, first| later.0 == first.0);
    let elsewhere: Vec<((NaiveDateTime, &str), &CopyRecord)> =
        walk_sorted(records, &source, |entry| source_key(entry))
            .into_iter()
            .filter(|(_, _, on_server)| on_server.is_none())
            .map(|(key, record, _)| (key, record))
            .collect();
    let server = source.iter().map(|entry| {
        let fingerprint = entry.fingerprint();
        let settling = settling(policy, inventory, &fingerprint);
        let facts = (entry.size, entry.kind, Some(fingerprint), settling);
        ((entry.timestamp, entry.name.as_str()), facts)
    });
    let others = elsewhere
        .into_iter()
        .map(|(key, record)| (key, (record.size, record.kind, None, None)));
    let mut backups = Vec::with_capacity(source.len());
    let mut in_source = Vec::with_capacity(source.len());
    let mut dates = Dates::new(
        &policy.office.calendar,
        policy.source.pattern.is_date_only(),
    );
    for ((timestamp, name), (size, kind, fingerprint, settling)) in merge_sorted(server, others) {
        let modified = fingerprint.and_then(|print| print.modified);
        if let Some(dated) = dates.dated(name, timestamp, modified) {
            backups.push(KnownBackup {
                dated,
                size,
                kind,
                fingerprint,
                settling,
            });
            in_source.push(fingerprint.is_some());
        }
    }
    (backups, in_source)
}

/// How long ago a source backup last changed, while it is still settling
/// (the one rule: [`Freshness`]).
pub(super) fn settling(
    policy: &Policy,
    inventory: &Inventory,
    print: &Fingerprint,
) -> Option<TimeDelta> {
    Freshness::judge(
        policy.source.settle.0,
        inventory.observed_at,
        print.modified,
    )
    .settling_age()
}

/// The source's backups by (time in the name, name), each name once. The scan
/// lists them in this order already; other inventories may not.
pub(super) fn sorted_source(backups: &[SourceEntry]) -> Vec<&SourceEntry> {
    let key = source_key;
    let mut sorted: Vec<&SourceEntry> = backups.iter().collect();
    if !sorted.is_sorted_by(|a, b| key(a) < key(b)) {
        sorted.sort_by(|a, b| key(a).cmp(&key(b)));
        sorted.dedup_by(|a, b| key(a) == key(b));
    }
    sorted
}

/// Merges two iterators sorted by their first field into one sorted sequence
/// (on a tie, `a`'s item comes first).
pub(super) fn merge_sorted<K: Ord, T>(
    a: impl Iterator<Item = (K, T)>,
    b: impl Iterator<Item = (K, T)>,
) -> impl Iterator<Item = (K, T)> {
    let mut a = a.peekable();
    let mut b = b.peekable();
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if y.0 < x.0 => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

/// Dates backups: the business day of the time in each name. Backups come in
/// time order, many to a working date, so the last working date's business
/// day is remembered (looking it up walks the calendar's closed days).
pub(super) struct Dates<'a> {
    calendar: &'a Calendar,
    /// Names state their date and no time: the date is the working date,
    /// whatever `day_starts_at` says (the time is only an order key).
    date_only: bool,
    last: Option<(NaiveDate, Option<NaiveDate>)>,
}

impl<'a> Dates<'a> {
    fn new(calendar: &'a Calendar, date_only: bool) -> Dates<'a> {
        Dates {
            calendar,
            date_only,
            last: None,
        }
    }

    /// `modified`: when the server's copy was last modified (date-only names
    /// are ordered by it within their date).
    fn dated(
        &mut self,
        name: &str,
        timestamp: NaiveDateTime,
        modified: Option<DateTime<Utc>>,
    ) -> Option<Dated> {
        let working = if self.date_only {
            timestamp.date()
        } else {
            self.calendar.working_date(timestamp)
        };
        let business_day = match self.last {
            Some((date, business_day)) if date == working => business_day,
            _ => {
                let business_day = self.calendar.business_day_of_working_date(working);
                self.last = Some((working, business_day));
                business_day
            }
        }?;
        Some(Dated {
            name: name.to_string(),
            timestamp,
            business_day,
            written: modified
                .filter(|_| self.date_only)
                .map(|at| self.calendar.local_time(&at)),
        })
    }
}
