//! The year at a glance as template data: twelve month grids (Monday first),
//! each day with the disk that takes its night and a mark on the nights whose
//! backups become month-, quarter- and fiscal-year-end backups; then the list
//! of those long-term nights and of the holidays, for the wall and the auditor.
//! Every disk comes from [`crate::placement::nightly::night`].

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use super::words;
use crate::calendar::full_weekday;
use crate::calendar::{Period, PeriodKind};
use crate::placement::nightly::{Night, night};
use crate::policy::Policy;

/// The disk labels in the text calendar are padded to at least this width,
/// so "closed" fits.
const MIN_LABEL_WIDTH: usize = 6;

/// One day of a month grid (or a blank before the 1st / after the last day).
#[derive(Debug, Clone, Serialize)]
pub struct DayCell {
    /// Outside the month: an empty cell.
    pub blank: bool,
    /// Day of the month, 1-31 (0 when blank).
    pub day: u32,
    /// "2026-03-31" ("" when blank).
    pub date: String,
    pub open: bool,
    /// A listed closure's name (or "holiday"), else "".
    pub holiday: String,
    /// Tonight's disks, "TUE" ("" when closed).
    pub connect_text: String,
    /// `data-connect`: labels separated by spaces.
    pub data_connect: String,
    /// `data-flags`, as on the weekly sheet.
    pub flags: String,
    /// The strongest long-term mark: "Y" fiscal-year-end, "Q" quarter-end,
    /// "M" month-end, "" none.
    pub mark: String,
    /// "month-end and quarter-end backup", or "".
    pub keep_text: String,
    /// The cell for the text calendar, padded to the year's cell width.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthGrid {
    /// "March".
    pub name: String,
    /// "March 2026".
    pub title: String,
    /// Rows of seven cells, Monday first.
    pub weeks: Vec<Vec<DayCell>>,
    /// Rows for the text calendar (cells joined).
    pub text_rows: Vec<String>,
}

/// A night whose backup is kept long-term.
#[derive(Debug, Clone, Serialize)]
pub struct LongTermNight {
    pub date: String,
    /// "Tue 31 Mar".
    pub short_date: String,
    pub disk: String,
    pub mark: String,
    /// "month-end and quarter-end".
    pub periods: String,
    /// "month-end and quarter-end backup".
    pub keep_text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Holiday {
    /// "26 November", "24 to 25 December".
    pub dates: String,
    pub name: String,
}

/// Which disk takes which weekday's backup: ("MON-SAT", "Monday and Saturday").
#[derive(Debug, Clone, Serialize)]
pub struct DiskDays {
    pub label: String,
    pub days: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct YearSheet {
    pub year: i32,
    /// "2026 at a glance".
    pub title: String,
    /// "Mon", ..., "Sun".
    pub weekdays: Vec<String>,
    /// The weekday header of the text calendar, aligned with `text_rows`.
    pub text_header: String,
    pub months: Vec<MonthGrid>,
    pub long_term: Vec<LongTermNight>,
    pub holidays: Vec<Holiday>,
    pub disks: Vec<DiskDays>,
    /// "The fiscal year ends on 31 December; fiscal quarters end on ...".
    pub fiscal_year: String,
    pub open_days: usize,
    /// The longest disk label's length class, for the HTML to size labels so
    /// they fit a day's cell: "short" (up to 4 characters), "medium" (5-6),
    /// "long" (7-8) or "longer".
    pub label_size: &'static str,
}

pub fn year_sheet(policy: &Policy, year: i32) -> YearSheet {
    let nights: Vec<Night> = NaiveDate::from_ymd_opt(year, 1, 1)
        .into_iter()
        .flat_map(|first| first.iter_days())
        .take_while(|date| date.year() == year)
        .map(|date| night(policy, date))
        .collect();
    let label_width = label_width_of(policy).max(MIN_LABEL_WIDTH);
    let cells: Vec<DayCell> = nights
        .iter()
        .map(|night| day_cell(policy, night, label_width))
        .collect();
    let cell_width = cell_text_width(label_width);
    YearSheet {
        year,
        title: format!("{year} at a glance"),
        weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            .map(String::from)
            .to_vec(),
        // Each weekday's name above where its cells' disk labels start.
        text_header: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            .map(|day| format!("   {day:<width$}", width = cell_width - 3))
            .join(" ")
            .trim_end()
            .to_string(),
        months: (1..=12)
            .map(|month| month_grid(year, month, &cells, cell_width))
            .collect(),
        long_term: nights
            .iter()
            .zip(&cells)
            .filter(|(night, _)| !night.long_term.is_empty())
            .map(|(night, cell)| LongTermNight {
                date: cell.date.clone(),
                short_date: words::short_date(night.date),
                disk: cell.connect_text.clone(),
                mark: cell.mark.clone(),
                periods: words::long_term_periods(&night.long_term),
                keep_text: cell.keep_text.clone(),
            })
            .collect(),
        holidays: holidays(policy, year),
        disks: policy
            .disks
            .rotation
            .iter()
            .map(|disk| DiskDays {
                label: disk.label.clone(),
                days: words::and_list(
                    &disk
                        .days
                        .iter()
                        .map(|day| full_weekday(*day))
                        .collect::<Vec<_>>(),
                ),
            })
            .collect(),
        fiscal_year: fiscal_year_words(policy, year),
        open_days: nights.iter().filter(|night| night.open).count(),
        label_size: match label_width_of(policy) {
            0..=4 => "short",
            5..=6 => "medium",
            7..=8 => "long",
            _ => "longer",
        },
    }
}

/// The longest rotation label, in characters.
fn label_width_of(policy: &Policy) -> usize {
    policy
        .disks
        .rotation
        .iter()
        .map(|disk| disk.label.chars().count())
        .max()
        .unwrap_or(0)
}

fn day_cell(policy: &Policy, night: &Night, label_width: usize) -> DayCell {
    let holiday = super::week::holiday(policy, night);
    let mark = mark(&night.long_term);
    let connect_text = words::and_list(&night.connect);
    let shown = if night.open {
        night.connect.join("+")
    } else if !holiday.is_empty() {
        String::from("closed")
    } else {
        String::new()
    };
    DayCell {
        blank: false,
        day: night.date.day(),
        date: night.date.to_string(),
        open: night.open,
        text: format!(
            "{:>2} {shown:<label_width$} {}",
            night.date.day(),
            if mark.is_empty() { " " } else { &mark }
        ),
        holiday,
        data_connect: night.connect.join(" "),
        connect_text,
        flags: night.flags().join(" "),
        keep_text: words::long_term_backup(&night.long_term),
        mark,
    }
}

fn cell_text_width(label_width: usize) -> usize {
    // "31 " + label + " " + mark
    3 + label_width + 2
}

fn blank_cell(cell_width: usize) -> DayCell {
    DayCell {
        blank: true,
        day: 0,
        date: String::new(),
        open: false,
        holiday: String::new(),
        connect_text: String::new(),
        data_connect: String::new(),
        flags: String::new(),
        mark: String::new(),
        keep_text: String::new(),
        text: " ".repeat(cell_width),
    }
}

fn mark(long_term: &[PeriodKind]) -> String {
    let strongest = [
        (PeriodKind::FiscalYear, "Y"),
        (PeriodKind::FiscalQuarter, "Q"),
        (PeriodKind::Month, "M"),
    ]
    .into_iter()
    .find(|(kind, _)| long_term.contains(kind));
    strongest
        .map(|(_, mark)| mark.to_string())
        .unwrap_or_default()
}

/// The grid of `month`: its cells from the year's (one per day, 1 January
/// first), padded to whole weeks.
fn month_grid(year: i32, month: u32, cells: &[DayCell], cell_width: usize) -> MonthGrid {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("month 1-12 of a valid year");
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(first);
    let days = first.ordinal0() as usize..=last.ordinal0() as usize;
    let in_month = cells.get(days).unwrap_or_default().iter().cloned();
    let lead = first.weekday().num_days_from_monday() as usize;
    let mut padded: Vec<DayCell> = (0..lead).map(|_| blank_cell(cell_width)).collect();
    padded.extend(in_month);
    while !padded.len().is_multiple_of(7) {
        padded.push(blank_cell(cell_width));
    }
    let weeks: Vec<Vec<DayCell>> = padded.chunks(7).map(<[DayCell]>::to_vec).collect();
    let text_rows = weeks
        .iter()
        .map(|week| {
            week.iter()
                .map(|cell| cell.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
                .trim_end()
                .to_string()
        })
        .collect();
    MonthGrid {
        name: first.format("%B").to_string(),
        title: first.format("%B %Y").to_string(),
        weeks,
        text_rows,
    }
}

fn holidays(policy: &Policy, year: i32) -> Vec<Holiday> {
    policy
        .office
        .calendar
        .closed
        .iter()
        .filter(|span| span.from.year() <= year && year <= span.to.year())
        .map(|span| Holiday {
            dates: words::day_span(span.from, span.to, year),
            name: span.name.clone().unwrap_or_else(|| "closed".into()),
        })
        .collect()
}

fn fiscal_year_words(policy: &Policy, year: i32) -> String {
    let fye = policy.office.calendar.fiscal_year_end;
    let year_end = Period::FiscalYear { fiscal_year: year }.last_day(fye);
    let mut quarter_ends: Vec<NaiveDate> = (1..=4)
        .map(|quarter| {
            Period::FiscalQuarter {
                fiscal_year: year,
                quarter,
            }
            .last_day(fye)
        })
        .collect();
    quarter_ends.sort_by_key(|date| date.month());
    let quarters: Vec<String> = quarter_ends
        .iter()
        .map(|date| date.format("%-d %B").to_string())
        .collect();
    format!(
        "The fiscal year ends on {}; fiscal quarters end on {}.",
        year_end.format("%-d %B"),
        words::and_list(&quarters)
    )
}
