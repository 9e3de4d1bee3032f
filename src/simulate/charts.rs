//! The geometry of the HTML report's inline SVG charts, as plain data the
//! template draws: a line chart of each disk's fill over time, a bar chart of
//! bytes written each week, and a calendar of which day's backup is kept at
//! the end (and why) or was made and later removed. Pure.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::report::{KeptBackup, NightRecord, Simulation, Track};
use super::text::percent;
use crate::words::format::bytes;

/// At most this many points per line: plenty for a page, and a peak inside
/// a bucket is kept (each point is the bucket's maximum).
const MAX_POINTS: usize = 480;
const COLORS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
];

/// The drawing area inside a chart's margins.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Frame {
    fn new(width: f64, height: f64) -> Frame {
        Frame {
            width,
            height,
            left: 70.0,
            top: 12.0,
            right: width - 12.0,
            bottom: height - 28.0,
        }
    }

    fn x(&self, index: usize, count: usize) -> f64 {
        let span = (count.max(2) - 1) as f64;
        self.left + (self.right - self.left) * index as f64 / span
    }

    fn y(&self, value: f64, max: f64) -> f64 {
        self.bottom - (self.bottom - self.top) * (value / max.max(1.0)).min(1.0)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    pub pos: f64,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub label: String,
    pub color: &'static str,
    /// SVG polyline points: "x,y x,y ...".
    pub points: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineChart {
    pub frame: Frame,
    pub series: Vec<Series>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    /// Where the reserve starts (a dashed line), if drawn.
    pub limit: Option<Tick>,
}

/// Fill of `tracks` over the nights, on a scale up to `max` bytes.
pub fn usage_chart(tracks: &[&Track], nights: &[NightRecord], max: u64) -> LineChart {
    let frame = Frame::new(900.0, 320.0);
    let count = nights.len();
    let buckets = bucket_bounds(count);
    let series = tracks
        .iter()
        .enumerate()
        .map(|(i, track)| {
            let points: Vec<String> = buckets
                .iter()
                .map(|(start, end)| {
                    let most = track.used[*start..*end].iter().copied().max().unwrap_or(0);
                    let x = frame.x(*start, count);
                    format!("{x:.1},{:.1}", frame.y(most as f64, max as f64))
                })
                .collect();
            Series {
                label: track.label.clone(),
                color: COLORS[i % COLORS.len()],
                points: points.join(" "),
            }
        })
        .collect();
    let limit = tracks
        .first()
        .and_then(|track| Some((track.capacity?, track.reserve)))
        .filter(|(_, reserve)| *reserve > 0)
        .map(|(capacity, reserve)| Tick {
            pos: frame.y(capacity.saturating_sub(reserve) as f64, max as f64),
            label: format!("reserve ({} kept free)", bytes(reserve)),
        });
    LineChart {
        frame,
        series,
        y_ticks: byte_ticks(&frame, max),
        x_ticks: date_ticks(&frame, nights),
        limit,
    }
}

/// `[start, end)` index ranges splitting `count` nights into at most MAX_POINTS.
fn bucket_bounds(count: usize) -> Vec<(usize, usize)> {
    let size = count.div_ceil(MAX_POINTS).max(1);
    (0..count)
        .step_by(size)
        .map(|start| (start, (start + size).min(count)))
        .collect()
}

fn byte_ticks(frame: &Frame, max: u64) -> Vec<Tick> {
    (0..=4)
        .map(|i| {
            let value = max as f64 * f64::from(i) / 4.0;
            Tick {
                pos: frame.y(value, max as f64),
                label: bytes(value as u64),
            }
        })
        .collect()
}

/// A tick on the first night of each year (or of each quarter, for short
/// periods), and on the first night of the period unless its label would
/// run into the next one's.
fn date_ticks(frame: &Frame, nights: &[NightRecord]) -> Vec<Tick> {
    let short = nights.len() <= 800;
    let ticks = nights
        .iter()
        .enumerate()
        .filter(|(i, night)| {
            let date = night.date;
            *i == 0 || (date.day() == 1 && (date.month() == 1 || (short && date.month() % 3 == 1)))
        })
        .map(|(i, night)| Tick {
            pos: frame.x(i, nights.len()),
            label: if short {
                night.date.format("%Y-%m").to_string()
            } else {
                night.date.format("%Y").to_string()
            },
        })
        .collect();
    spaced(ticks)
}

/// The width a tick label takes on the page (11px type, as the template
/// sets it, with room to spare), centred on its tick.
pub fn label_width(label: &str) -> f64 {
    label.chars().count() as f64 * 7.0 + 8.0
}

/// Ticks whose labels do not overlap: a tick too close to the one after it
/// is left out (the first night's, when a year or quarter starts a few
/// nights later; it is the boundaries that tell the reader most).
fn spaced(ticks: Vec<Tick>) -> Vec<Tick> {
    let mut kept: Vec<Tick> = Vec::with_capacity(ticks.len());
    for tick in ticks {
        if let Some(previous) = kept.last() {
            let room = (label_width(&previous.label) + label_width(&tick.label)) / 2.0;
            if tick.pos - previous.pos < room {
                kept.pop();
            }
        }
        kept.push(tick);
    }
    kept
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BarChart {
    pub frame: Frame,
    pub bars: Vec<Bar>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
}

/// Bytes written each week (Monday to Sunday).
pub fn written_chart(nights: &[NightRecord]) -> BarChart {
    let frame = Frame::new(900.0, 200.0);
    let mut weeks: Vec<(NaiveDate, usize, u64)> = Vec::new();
    for (i, night) in nights.iter().enumerate() {
        let monday =
            night.date - chrono::Days::new(u64::from(night.date.weekday().num_days_from_monday()));
        match weeks.last_mut() {
            Some((week, _, written)) if *week == monday => *written += night.bytes_written,
            _ => weeks.push((monday, i, night.bytes_written)),
        }
    }
    let max = weeks.iter().map(|(_, _, w)| *w).max().unwrap_or(0).max(1);
    let width = ((frame.right - frame.left) / weeks.len().max(1) as f64).max(0.5);
    let bars = weeks
        .iter()
        .map(|(monday, first, written)| {
            let y = frame.y(*written as f64, max as f64);
            Bar {
                x: frame.x(*first, nights.len()),
                y,
                width: (width * 0.85).max(0.5),
                height: frame.bottom - y,
                title: format!("week of {monday}: {} written", bytes(*written)),
            }
        })
        .collect();
    BarChart {
        frame,
        bars,
        y_ticks: byte_ticks(&frame, max),
        x_ticks: date_ticks(&frame, nights),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub x: f64,
    pub class: &'static str,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalendarRow {
    pub y: f64,
    pub label: String,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Calendar {
    pub width: f64,
    pub height: f64,
    pub cell: f64,
    pub rows: Vec<CalendarRow>,
    pub day_labels: Vec<Tick>,
}

/// One row per month, one cell per day: what became of that day's backup.
pub fn kept_calendar(sim: &Simulation) -> Calendar {
    const CELL: f64 = 14.0;
    const LEFT: f64 = 64.0;
    const TOP: f64 = 18.0;
    let kept: HashMap<NaiveDate, &KeptBackup> = sim
        .kept
        .iter()
        .map(|backup| (backup.business_day, backup))
        .collect();
    let mut rows: Vec<CalendarRow> = Vec::new();
    for night in &sim.nights {
        let date = night.date;
        if rows.is_empty() || date.day() == 1 {
            rows.push(CalendarRow {
                y: TOP + CELL * rows.len() as f64,
                label: date.format("%Y-%m").to_string(),
                cells: Vec::new(),
            });
        }
        let (class, what) = day_status(night, kept.get(&date).copied());
        let row = rows.last_mut().expect("a row was just pushed");
        row.cells.push(Cell {
            x: LEFT + CELL * f64::from(date.day() - 1),
            class,
            title: format!("{date}: {what}"),
        });
    }
    Calendar {
        width: LEFT + CELL * 31.0 + 4.0,
        height: TOP + CELL * rows.len() as f64 + 4.0,
        cell: CELL - 2.0,
        day_labels: [1u32, 5, 10, 15, 20, 25, 31]
            .into_iter()
            .map(|day| Tick {
                pos: LEFT + CELL * f64::from(day - 1) + CELL / 2.0 - 1.0,
                label: day.to_string(),
            })
            .collect(),
        rows,
    }
}

/// A CSS class (the strongest reason first) and words for a day's cell.
fn day_status(night: &NightRecord, kept: Option<&KeptBackup>) -> (&'static str, String) {
    if let Some(backup) = kept {
        let has = |key: &str| backup.tiers.iter().any(|t| t == key);
        let class = if has("hold") {
            "hold"
        } else if has("fiscal_year_ends") {
            "year"
        } else if has("quarter_ends") {
            "quarter"
        } else if has("month_ends") {
            "month"
        } else {
            "recent"
        };
        let why = if backup.tiers.is_empty() {
            String::from("newest on its disk")
        } else {
            backup.tiers.join(", ")
        };
        return (
            class,
            format!(
                "{} kept on {} ({why})",
                backup.name,
                backup.locations.join(", ")
            ),
        );
    }
    if night.missed {
        ("missed", String::from("no backup was made (missed)"))
    } else if night.server_full {
        ("missed", String::from("no backup: the server was full"))
    } else if night.backup.is_some() {
        ("gone", String::from("backup made, later removed"))
    } else if night.open {
        ("none", String::from("no backup"))
    } else {
        ("closed", String::from("closed"))
    }
}

/// Rows of the locations table, formatted for the page.
#[derive(Debug, Clone, Serialize)]
pub struct LocationRow {
    pub label: String,
    pub role: &'static str,
    pub capacity: String,
    pub peak: String,
    pub end: String,
    pub out_of_room: String,
    pub full: bool,
}

pub fn location_rows(sim: &Simulation) -> Vec<LocationRow> {
    sim.disks
        .iter()
        .chain(std::iter::once(&sim.server))
        .map(|track| LocationRow {
            label: track.label.clone(),
            role: track.role,
            capacity: track
                .capacity
                .map_or_else(|| String::from("as needed"), bytes),
            peak: match track.peak(&sim.nights) {
                Some((used, date)) => match track.share(used) {
                    Some(share) => format!("{} ({}) on {date}", bytes(used), percent(share)),
                    None => format!("{} on {date}", bytes(used)),
                },
                None => String::from("-"),
            },
            end: track
                .used
                .last()
                .map_or_else(String::new, |used| bytes(*used)),
            out_of_room: match &track.first_out_of_room {
                Some(first) => format!(
                    "{} ({} did not fit; {} nights in all)",
                    first.date, first.backup, track.nights_out_of_room
                ),
                None => String::from("never"),
            },
            full: track.first_out_of_room.is_some(),
        })
        .collect()
}
