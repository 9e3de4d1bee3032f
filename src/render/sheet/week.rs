//! One week of the swap sheet as template data: a row per day, built from the
//! [`Night`]s of [`crate::placement::nightly`] (never from a second reading of
//! the rotation), plus the week's restore-test note.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::notes::{self, Instructions, RestoreTestNote};
use super::words;
use crate::placement::nightly::{Night, night};
use crate::policy::Policy;

/// One day's row.
#[derive(Debug, Clone, Serialize)]
pub struct DayRow {
    /// "2026-03-31" (also `data-date`).
    pub date: String,
    /// "Tuesday".
    pub weekday: String,
    /// "Tue 31 Mar".
    pub short_date: String,
    /// "31 March".
    pub day_month: String,
    pub open: bool,
    /// On a listed closure: its name (or "holiday"), else "".
    pub holiday: String,
    /// "Open", "Closed" or "Closed: Thanksgiving".
    pub status: String,
    /// Disks to connect before leaving tonight (empty when closed).
    pub connect: Vec<String>,
    /// "TUE", "MON and SAT"; "" when closed.
    pub connect_text: String,
    /// Disks that come off the server this morning (last open night's).
    pub store: Vec<String>,
    pub store_text: String,
    /// Whether `store` leaves the building rather than going to storage.
    pub offsite: bool,
    /// Where `store` goes: "Office manager takes it off-site", "goes to the
    /// fireproof safe in the front office"; "" when nothing comes off.
    pub store_where: String,
    /// On a closed day: the disk left connected from the last open night.
    pub stays_connected: String,
    /// Disks to connect tonight that are off-site (they left after their
    /// last night, per `disks.offsite`): brought back today.
    pub bring_back: Vec<String>,
    /// "Office manager brings MON back from off-site" (for tonight), or "".
    pub bring_back_text: String,
    /// `data-bring-back`: labels separated by spaces.
    pub data_bring_back: String,
    /// Whether tonight's backup is kept long-term (month-, quarter- or
    /// fiscal-year-end).
    pub keep: bool,
    /// ["month-end", "quarter-end"].
    pub long_term: Vec<String>,
    /// "month-end and quarter-end backup", or "".
    pub keep_text: String,
    /// "this disk now holds the month-end backup: it stays in the rotation",
    /// or "".
    pub keep_note: String,
    /// `data-flags`: "month-end quarter-end", "closed", "".
    pub flags: String,
    /// `data-connect`: labels separated by spaces ("" when closed).
    pub data_connect: String,
    /// `data-store`: labels separated by spaces.
    pub data_store: String,
}

/// One ISO week.
#[derive(Debug, Clone, Serialize)]
pub struct WeekSheet {
    /// "2026-W14".
    pub id: String,
    /// The ISO week-year and week number: 2026, 14.
    pub year: i32,
    pub number: u32,
    /// "Week 14 of 2026".
    pub title: String,
    /// "Monday 30 March to Sunday 5 April 2026".
    pub range: String,
    pub first_date: String,
    pub last_date: String,
    pub days: Vec<DayRow>,
    /// How many nights of the week are kept long-term.
    pub keep_count: usize,
    /// The longest disk label of the week's rows, as a size class for the
    /// HTML's large type: "short" (up to 5 characters), "medium" (6-8),
    /// "long" (more), so a label fits its column on one line.
    pub label_size: &'static str,
    pub restore_test: RestoreTestNote,
}

/// The week of `nights` (Monday first, as [`crate::placement::nightly::iso_week`]
/// returns them).
pub fn week_sheet(
    policy: &Policy,
    nights: &[Night],
    instructions: &Instructions,
    last_restore_test: Option<NaiveDate>,
) -> WeekSheet {
    let monday = nights.first().map(|n| n.date).unwrap_or_default();
    let sunday = nights.last().map(|n| n.date).unwrap_or(monday);
    let iso = monday.iso_week();
    let days: Vec<DayRow> = nights
        .iter()
        .map(|night| day_row(policy, night, instructions))
        .collect();
    WeekSheet {
        id: format!("{}-W{:02}", iso.year(), iso.week()),
        year: iso.year(),
        number: iso.week(),
        title: format!("Week {} of {}", iso.week(), iso.year()),
        range: words::date_range(monday, sunday),
        first_date: monday.to_string(),
        last_date: sunday.to_string(),
        keep_count: days.iter().filter(|day| day.keep).count(),
        label_size: label_size(&days),
        days,
        restore_test: notes::restore_test(policy, last_restore_test, monday, sunday),
    }
}

fn day_row(policy: &Policy, night: &Night, instructions: &Instructions) -> DayRow {
    let holiday = holiday(policy, night);
    let status = match (night.open, holiday.as_str()) {
        (true, _) => String::from("Open"),
        (false, "") => String::from("Closed"),
        (false, name) => format!("Closed: {name}"),
    };
    let long_term: Vec<String> = night
        .long_term
        .iter()
        .map(|kind| words::period_end(*kind).to_string())
        .collect();
    DayRow {
        date: night.date.to_string(),
        weekday: words::weekday(night.date),
        short_date: words::short_date(night.date),
        day_month: words::day_month(night.date, night.date.year()),
        open: night.open,
        holiday,
        status,
        connect_text: words::and_list(&night.connect),
        store_text: words::and_list(&night.store),
        store_where: store_where(night, instructions),
        stays_connected: if night.open {
            String::new()
        } else {
            words::and_list(&left_connected(policy, night.date))
        },
        keep: !night.long_term.is_empty(),
        keep_text: words::long_term_backup(&night.long_term),
        keep_note: words::long_term_note(&night.long_term, night.connect.len()),
        bring_back_text: bring_back_words(night, instructions),
        data_bring_back: night.bring_back.join(" "),
        bring_back: night.bring_back.clone(),
        long_term,
        flags: night.flags().join(" "),
        data_connect: night.connect.join(" "),
        data_store: night.store.join(" "),
        connect: night.connect.clone(),
        store: night.store.clone(),
        offsite: night.offsite,
    }
}

/// A closed night's holiday: a listed closure's name, or "holiday" when it has
/// none; "" on an open night or a weekday the office never opens.
pub(super) fn holiday(policy: &Policy, night: &Night) -> String {
    match policy.office.calendar.closure(night.date) {
        Some(span) if !night.open => span.name.clone().unwrap_or_else(|| "holiday".into()),
        _ => String::new(),
    }
}

fn label_size(days: &[DayRow]) -> &'static str {
    let longest = days
        .iter()
        .flat_map(|day| day.connect.iter().chain(&day.store))
        .map(|label| label.chars().count())
        .max()
        .unwrap_or(0);
    match longest {
        0..=5 => "short",
        6..=8 => "medium",
        _ => "long",
    }
}

/// A storage place longer than this is named in the instructions only; the
/// rows say "put it in storage" so that a week still fits its page.
const STORAGE_IN_ROWS_MAX: usize = 48;

fn store_where(night: &Night, instructions: &Instructions) -> String {
    if night.store.is_empty() {
        return String::new();
    }
    let it = if night.store.len() == 1 { "it" } else { "them" };
    let away = match (night.offsite, instructions.offsite_by.as_str()) {
        (true, "") => format!("take {it} off-site"),
        (true, by) => format!("{by} takes {it} off-site"),
        (false, _) => match instructions.storage_place.as_str() {
            "" => format!("put {it} in storage"),
            place if place.chars().count() > STORAGE_IN_ROWS_MAX => {
                format!("put {it} in storage")
            }
            place => format!("put {it} in the {place}"),
        },
    };
    // A disk that takes two nights in a row (Saturday's and Monday's backups
    // when Sunday is closed) comes off in the morning and goes back in tonight.
    if night
        .store
        .iter()
        .any(|label| night.connect.contains(label))
    {
        format!("{away}; back in tonight")
    } else {
        away
    }
}

/// "Office manager brings MON back from off-site" (who, from
/// `disks.offsite.by`), or "" when tonight's disks are in the building.
fn bring_back_words(night: &Night, instructions: &Instructions) -> String {
    if night.bring_back.is_empty() {
        return String::new();
    }
    let disks = words::and_list(&night.bring_back);
    match instructions.offsite_by.as_str() {
        "" => format!("bring {disks} back from off-site"),
        by => format!("{by} brings {disks} back from off-site"),
    }
}

/// On a closed day, the disks of the last open night stay connected (a backup
/// made while the office is closed belongs to that night).
fn left_connected(policy: &Policy, closed: NaiveDate) -> Vec<String> {
    policy
        .office
        .calendar
        .open_day_on_or_before(closed)
        .map(|open| night(policy, open).connect)
        .unwrap_or_default()
}
