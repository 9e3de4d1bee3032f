//! The simulation as text: what was assumed, how full each disk and the
//! server got and when, a table of fill over time, the night-by-night work in
//! totals, what is kept at the end, the invariant checks, and a one-line
//! answer to "are these disks enough?". Pure.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use super::report::{Simulation, Track};
use crate::words::format::{bytes, plural};

pub fn render(sim: &Simulation) -> String {
    let mut out = String::new();
    header(sim, &mut out);
    locations(sim, &mut out);
    fill_table(sim, &mut out);
    work(sim, &mut out);
    kept(sim, &mut out);
    verdict(sim, &mut out);
    out
}

fn header(sim: &Simulation, out: &mut String) {
    let a = &sim.assumptions;
    let totals = sim.totals();
    let _ = writeln!(
        out,
        "Simulation of {}, {} to {} ({}, {} open)",
        sim.office,
        a.from,
        a.to,
        plural(totals.nights, "night", "nights"),
        totals.open_nights
    );
    let last_size = a.backup_size_on(sim.nights.last().map_or(a.to, |night| night.date));
    let _ = writeln!(
        out,
        "Assumed: backups of {} growing {} ({} by the last night); {} × {} disks, {} kept free;",
        bytes(a.backup_size),
        a.growth.text,
        bytes(last_size),
        sim.disks.len(),
        bytes(a.disk_size),
        bytes(sim.disks.first().map_or(0, |d| d.reserve)),
    );
    let server = match a.server_size {
        Some(size) => format!("a {} server drive", bytes(size)),
        None => String::from("a server drive as large as needed"),
    };
    let _ = writeln!(
        out,
        "  backups missed on {} of open nights, the wrong disk connected on {}; {server}; seed {}",
        percent(a.missed_days),
        percent(a.wrong_disk),
        a.seed
    );
    out.push('\n');
}

fn locations(sim: &Simulation, out: &mut String) {
    let _ = writeln!(
        out,
        "{:<10} {:<9} {:>9}  {:<30} {:>10}  out of room",
        "location", "role", "capacity", "peak", "at the end"
    );
    for track in sim.disks.iter().chain(std::iter::once(&sim.server)) {
        let capacity = track.capacity.map_or_else(|| String::from("-"), bytes);
        let peak = match track.peak(&sim.nights) {
            Some((used, date)) => format!("{} on {date}", used_text(track, used)),
            None => String::from("-"),
        };
        let end = track
            .used
            .last()
            .map_or_else(|| String::from("-"), |used| bytes(*used));
        let out_of_room = match &track.first_out_of_room {
            Some(first) => format!(
                "from {} ({})",
                first.date,
                plural(track.nights_out_of_room, "night", "nights")
            ),
            None => String::from("never"),
        };
        let _ = writeln!(
            out,
            "{:<10} {:<9} {:>9}  {:<30} {:>10}  {out_of_room}",
            track.label, track.role, capacity, peak, end
        );
    }
    out.push('\n');
}

fn used_text(track: &Track, used: u64) -> String {
    match track.share(used) {
        Some(share) => format!("{} ({})", bytes(used), percent(share)),
        None => bytes(used),
    }
}

/// Fill as a share of each disk at the end of each month (up to two years),
/// quarter (up to ten) or year.
fn fill_table(sim: &Simulation, out: &mut String) {
    let rows = sample_nights(sim);
    if rows.is_empty() {
        return;
    }
    let step = match sim.nights.len() {
        0..=731 => "month",
        732..=3653 => "quarter",
        _ => "year",
    };
    let _ = writeln!(
        out,
        "Disk fill at the end of each {step} (share of the disk):"
    );
    let _ = write!(out, "{:<10}", "");
    for track in &sim.disks {
        let _ = write!(out, " {:>9}", track.label);
    }
    let _ = writeln!(out, " {:>10}", "server");
    for index in rows {
        let _ = write!(out, "{:<10}", sim.nights[index].date.to_string());
        for track in &sim.disks {
            let cell = track
                .share(track.used[index])
                .map_or_else(|| String::from("-"), percent);
            let _ = write!(out, " {cell:>9}");
        }
        let _ = writeln!(out, " {:>10}", bytes(sim.server.used[index]));
    }
    out.push('\n');
}

/// Indices of the nights that end a month, quarter or year (by the period's
/// length), and the last night.
pub fn sample_nights(sim: &Simulation) -> Vec<usize> {
    let months_per_row = match sim.nights.len() {
        0..=731 => 1,
        732..=3653 => 3,
        _ => 12,
    };
    let ends_row = |date: NaiveDate| {
        let next = date.succ_opt().unwrap_or(date);
        next.month() != date.month() && date.month().is_multiple_of(months_per_row)
    };
    let last = sim.nights.len().saturating_sub(1);
    (0..sim.nights.len())
        .filter(|i| ends_row(sim.nights[*i].date) || *i == last)
        .collect()
}

fn work(sim: &Simulation, out: &mut String) {
    let totals = sim.totals();
    let _ = writeln!(
        out,
        "Backups: {} made, {} missed, {} not written because the server was full; the wrong disk on {}",
        totals.backups_made,
        totals.missed,
        totals.server_full,
        plural(totals.wrong_disk, "night", "nights")
    );
    let average = totals.bytes_written / totals.open_nights.max(1) as u64;
    let busiest = match sim.busiest_night() {
        Some(night) => format!(
            "; busiest {}: {}, {}",
            night.date,
            plural(night.copies, "copy", "copies"),
            bytes(night.bytes_written)
        ),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "Copies: {}, {} written ({} an open night on average{busiest})",
        totals.copies,
        bytes(totals.bytes_written),
        bytes(average)
    );
    let _ = writeln!(
        out,
        "Deletions: {}, {} freed",
        totals.deletions,
        bytes(totals.bytes_deleted)
    );
}

fn kept(sim: &Simulation, out: &mut String) {
    let count = |key: &str| {
        sim.kept
            .iter()
            .filter(|b| b.tiers.iter().any(|t| t == key))
            .count()
    };
    let tiers: Vec<String> = [
        ("business_days", "business day", "business days"),
        ("month_ends", "month-end", "month-ends"),
        ("quarter_ends", "quarter-end", "quarter-ends"),
        ("fiscal_year_ends", "fiscal-year-end", "fiscal-year-ends"),
        ("last", "newest", "newest"),
        ("hold", "on hold", "on hold"),
    ]
    .into_iter()
    .filter(|(key, _, _)| count(key) > 0)
    .map(|(key, one, many)| plural(count(key), one, many))
    .collect();
    let _ = writeln!(
        out,
        "Kept after the last night: {}{}",
        plural(sim.kept.len(), "backup", "backups"),
        if tiers.is_empty() {
            String::new()
        } else {
            format!(" ({})", tiers.join(", "))
        }
    );
}

fn verdict(sim: &Simulation, out: &mut String) {
    match &sim.bug {
        None => {
            let _ = writeln!(
                out,
                "Safety invariants (SPEC 1, 2, 3, 5, 8) checked every night: no violation."
            );
        }
        Some(bug) => {
            let _ = writeln!(
                out,
                "\nBUG: a safety invariant broke on {} and the simulation stopped there.\n\
                 This is a bug in rota; please report it with this output.",
                bug.date
            );
            for violation in &bug.violations {
                let _ = writeln!(out, "  {violation}");
            }
            let _ = writeln!(out, "State before that night's work:");
            for line in &bug.state {
                let _ = writeln!(out, "  {line}");
            }
            let _ = writeln!(out, "That night's plan:");
            for line in bug.plan.lines() {
                let _ = writeln!(out, "  {line}");
            }
            return;
        }
    }
    out.push('\n');
    let _ = writeln!(out, "Answer: {}", answer(sim));
}

/// The one-sentence answer to "are these disks enough for the period?".
pub fn answer(sim: &Simulation) -> String {
    let a = &sim.assumptions;
    if let Some(bug) = &sim.bug {
        return format!(
            "unknown: rota broke a safety invariant on {} (a bug, see above).",
            bug.date
        );
    }
    match sim.first_out_of_room() {
        Some((track, first)) => format!(
            "not enough. {} ran out of room on {} ({}, {}, did not fit){}.",
            location_name(track),
            first.date,
            first.backup,
            bytes(first.bytes),
            others_out_of_room(sim, &track.label)
        ),
        None => {
            let fullest = match sim.fullest_disk() {
                Some((track, used, date)) => format!(
                    "; the fullest disk was {} at {} on {date}",
                    track.label,
                    percent(track.share(used).unwrap_or(0.0))
                ),
                None => String::new(),
            };
            format!(
                "enough. No disk{} ran out of room from {} to {}{fullest}.",
                if a.server_size.is_some() {
                    " and not the server"
                } else {
                    ""
                },
                a.from,
                a.to
            )
        }
    }
}

fn location_name(track: &Track) -> String {
    if track.role == "server" {
        String::from("The server")
    } else {
        format!("Disk {}", track.label)
    }
}

fn others_out_of_room(sim: &Simulation, first: &str) -> String {
    let others: Vec<String> = sim
        .disks
        .iter()
        .chain(std::iter::once(&sim.server))
        .filter(|track| track.label != first)
        .filter_map(|track| {
            let out = track.first_out_of_room.as_ref()?;
            Some(format!("{} from {}", track.label, out.date))
        })
        .collect();
    if others.is_empty() {
        String::new()
    } else {
        format!("; then {}", others.join(", "))
    }
}

/// A share as a percentage: "34%", "0.4%".
pub fn percent(share: f64) -> String {
    let value = share * 100.0;
    if value != 0.0 && value.abs() < 1.0 {
        format!("{value:.1}%")
    } else {
        format!("{value:.0}%")
    }
}
