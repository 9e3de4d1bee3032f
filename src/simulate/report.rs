//! What a simulation found, as plain data: each location's fill night by
//! night, what each night did, what is kept at the end, and the first bug (a
//! broken safety invariant) if there was one. The text and HTML reports are
//! rendered from this; so are the answers to "are these disks enough?".

use chrono::NaiveDate;
use serde::Serialize;

use super::assumptions::Assumptions;

#[derive(Debug, Clone, Serialize)]
pub struct Simulation {
    pub office: String,
    pub assumptions: Assumptions,
    /// One entry per night simulated (fewer than the period when a bug stopped it).
    pub nights: Vec<NightRecord>,
    /// The policy's disks, rotation first, then archive.
    pub disks: Vec<Track>,
    pub server: Track,
    /// Every backup kept after the last night, oldest first.
    pub kept: Vec<KeptBackup>,
    /// The first broken invariant; the simulation stops there.
    pub bug: Option<Bug>,
}

/// One location's fill over the period.
#[derive(Debug, Clone, Serialize)]
pub struct Track {
    pub label: String,
    /// `rotation`, `archive` or `server`.
    pub role: &'static str,
    /// Bytes; `None` for a server of unlimited size.
    pub capacity: Option<u64>,
    /// Bytes kept free (the policy's reserve).
    pub reserve: u64,
    /// Bytes used after each night's work, one per night.
    pub used: Vec<u64>,
    /// The first night something that belongs here did not fit.
    pub first_out_of_room: Option<OutOfRoom>,
    pub nights_out_of_room: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutOfRoom {
    pub date: NaiveDate,
    pub backup: String,
    pub bytes: u64,
}

impl Track {
    /// The most used and the (first) night it was reached.
    pub fn peak(&self, nights: &[NightRecord]) -> Option<(u64, NaiveDate)> {
        let mut best: Option<(u64, NaiveDate)> = None;
        for (used, night) in self.used.iter().zip(nights) {
            if best.is_none_or(|(most, _)| *used > most) {
                best = Some((*used, night.date));
            }
        }
        best
    }

    /// Share of the capacity in use, 0..=1 (None for an unlimited server).
    pub fn share(&self, used: u64) -> Option<f64> {
        self.capacity
            .filter(|capacity| *capacity > 0)
            .map(|capacity| used as f64 / capacity as f64)
    }

    pub fn note_out_of_room(&mut self, date: NaiveDate, backup: &str, bytes: u64) {
        self.nights_out_of_room += 1;
        if self.first_out_of_room.is_none() {
            self.first_out_of_room = Some(OutOfRoom {
                date,
                backup: backup.to_string(),
                bytes,
            });
        }
    }
}

/// What one night did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NightRecord {
    pub date: NaiveDate,
    pub open: bool,
    /// Tonight's backup, if one was made.
    pub backup: Option<String>,
    /// Its size in bytes (also when missed: what it would have been).
    pub backup_size: u64,
    /// The practice software made no backup (a missed day).
    pub missed: bool,
    /// The backup could not be written: the server's drive was full.
    pub server_full: bool,
    /// Disks connected for the night.
    pub connected: Vec<String>,
    /// Staff connected another rotation disk than tonight's.
    pub wrong_disk: bool,
    /// Copies and archive moves written, and their bytes.
    pub copies: usize,
    pub bytes_written: u64,
    /// Copies removed, destroyed or moved off a disk, and their bytes.
    pub deletions: usize,
    pub bytes_deleted: u64,
    /// Work left pending (disk absent or full).
    pub pending: usize,
}

/// A backup that survives the whole period, with why and where.
#[derive(Debug, Clone, Serialize)]
pub struct KeptBackup {
    pub name: String,
    pub business_day: NaiveDate,
    /// Tier keys (`month_ends`, ...), `hold`, `future`, or empty when only
    /// placement keeps it (a disk's newest `min_backups`, the server's newest).
    pub tiers: Vec<String>,
    pub locations: Vec<String>,
}

/// A broken safety invariant: a bug in rota, reported with the state.
#[derive(Debug, Clone, Serialize)]
pub struct Bug {
    pub date: NaiveDate,
    pub violations: Vec<String>,
    /// The night's plan as `rota plan` prints it.
    pub plan: String,
    /// Each location and the copies it held before the night's work.
    pub state: Vec<String>,
}

/// Totals over the whole period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub nights: usize,
    pub open_nights: usize,
    pub backups_made: usize,
    pub missed: usize,
    pub server_full: usize,
    pub wrong_disk: usize,
    pub copies: usize,
    pub bytes_written: u64,
    pub deletions: usize,
    pub bytes_deleted: u64,
}

impl Simulation {
    pub fn totals(&self) -> Totals {
        let mut totals = Totals {
            nights: self.nights.len(),
            ..Totals::default()
        };
        for night in &self.nights {
            totals.open_nights += usize::from(night.open);
            totals.backups_made += usize::from(night.backup.is_some());
            totals.missed += usize::from(night.missed);
            totals.server_full += usize::from(night.server_full);
            totals.wrong_disk += usize::from(night.wrong_disk);
            totals.copies += night.copies;
            totals.bytes_written += night.bytes_written;
            totals.deletions += night.deletions;
            totals.bytes_deleted += night.bytes_deleted;
        }
        totals
    }

    /// The night that wrote the most bytes.
    pub fn busiest_night(&self) -> Option<&NightRecord> {
        self.nights
            .iter()
            .filter(|night| night.bytes_written > 0)
            .max_by_key(|night| (night.bytes_written, std::cmp::Reverse(night.date)))
    }

    /// The first location (disk or server) to run out of room, and when.
    pub fn first_out_of_room(&self) -> Option<(&Track, &OutOfRoom)> {
        self.disks
            .iter()
            .chain(std::iter::once(&self.server))
            .filter_map(|track| Some((track, track.first_out_of_room.as_ref()?)))
            .min_by_key(|(_, out)| out.date)
    }

    /// The fullest disk at its peak, as a share of its capacity (None when
    /// no disk was ever written to).
    pub fn fullest_disk(&self) -> Option<(&Track, u64, NaiveDate)> {
        self.disks
            .iter()
            .filter_map(|track| {
                let (used, date) = track.peak(&self.nights)?;
                (used > 0).then_some((track, used, date))
            })
            .max_by(|a, b| {
                let share = |t: &(&Track, u64, NaiveDate)| t.0.share(t.1).unwrap_or(0.0);
                share(a).total_cmp(&share(b))
            })
    }

    /// Whether the whole period ran without a bug and with room everywhere.
    pub fn is_enough(&self) -> bool {
        self.bug.is_none() && self.first_out_of_room().is_none()
    }
}
