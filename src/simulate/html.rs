//! The simulation as a self-contained HTML page (tera template
//! `templates/simulate.html`, embedded): the answer, the assumptions, a table
//! of locations, inline SVG charts of disk fill and of bytes written, and a
//! calendar of what is kept. Pure: builds a context and renders it.

use serde::Serialize;

use super::charts::{
    BarChart, Calendar, LineChart, LocationRow, kept_calendar, location_rows, usage_chart,
    written_chart,
};
use super::report::{Bug, Simulation};
use super::text::{answer, percent};
use crate::words::format::{bytes, plural};

const TEMPLATE: &str = include_str!("../../templates/simulate.html");

#[derive(Debug, Serialize)]
struct Page<'a> {
    office: &'a str,
    from: String,
    to: String,
    answer: String,
    enough: bool,
    facts: Vec<Fact>,
    locations: Vec<LocationRow>,
    usage: LineChart,
    server: Option<LineChart>,
    written: BarChart,
    calendar: Calendar,
    bug: Option<&'a Bug>,
}

#[derive(Debug, Serialize)]
struct Fact {
    label: &'static str,
    value: String,
}

/// The HTML report.
pub fn render(sim: &Simulation) -> Result<String, String> {
    let page = page(sim);
    let context = tera::Context::from_serialize(&page).map_err(|e| e.to_string())?;
    let mut tera = tera::Tera::new();
    tera.add_raw_template("simulate.html", TEMPLATE)
        .map_err(|e| e.to_string())?;
    tera.render("simulate.html", &context)
        .map_err(|e| format!("cannot render the simulation report: {e}"))
}

fn page(sim: &Simulation) -> Page<'_> {
    let disks: Vec<_> = sim.disks.iter().collect();
    let disk_max = sim.assumptions.disk_size;
    let server_max = sim
        .server
        .capacity
        .or_else(|| sim.server.used.iter().copied().max())
        .unwrap_or(0);
    Page {
        office: &sim.office,
        from: sim.assumptions.from.to_string(),
        to: sim.assumptions.to.to_string(),
        answer: answer(sim),
        enough: sim.is_enough(),
        facts: facts(sim),
        locations: location_rows(sim),
        usage: usage_chart(&disks, &sim.nights, disk_max),
        server: (server_max > 0).then(|| usage_chart(&[&sim.server], &sim.nights, server_max)),
        written: written_chart(&sim.nights),
        calendar: kept_calendar(sim),
        bug: sim.bug.as_ref(),
    }
}

fn facts(sim: &Simulation) -> Vec<Fact> {
    let a = &sim.assumptions;
    let totals = sim.totals();
    let fact = |label, value| Fact { label, value };
    vec![
        fact(
            "Backups",
            format!(
                "{} on the first night, growing {}",
                bytes(a.backup_size),
                a.growth.text
            ),
        ),
        fact(
            "Disks",
            format!(
                "{} × {}, reserve {}",
                sim.disks.len(),
                bytes(a.disk_size),
                bytes(sim.disks.first().map_or(0, |d| d.reserve))
            ),
        ),
        fact(
            "Server drive",
            a.server_size
                .map_or_else(|| String::from("as large as needed"), bytes),
        ),
        fact(
            "Mishaps",
            format!(
                "backup missed on {} of open nights, wrong disk on {} (seed {})",
                percent(a.missed_days),
                percent(a.wrong_disk),
                a.seed
            ),
        ),
        fact(
            "Nights",
            format!(
                "{} ({} open): {} backups made, {} missed, wrong disk on {}",
                totals.nights,
                totals.open_nights,
                totals.backups_made,
                totals.missed,
                plural(totals.wrong_disk, "night", "nights")
            ),
        ),
        fact(
            "Copies",
            format!("{}, {} written", totals.copies, bytes(totals.bytes_written)),
        ),
        fact(
            "Deletions",
            format!(
                "{}, {} freed",
                totals.deletions,
                bytes(totals.bytes_deleted)
            ),
        ),
        fact(
            "Kept at the end",
            plural(sim.kept.len(), "backup", "backups"),
        ),
    ]
}
