//! The printed disk-swap sheets: one page per ISO week (what to connect each
//! night, what goes to storage or off-site, which nights are kept long-term,
//! boxes to initial), and the year at a glance.
//!
//! Building a sheet is two pure steps: a serializable context made from the
//! policy, the [`Night`]s of [`crate::placement::nightly`] and a few facts the
//! CLI gathered ([`SheetFacts`]: today, the last restore test, when each disk
//! was last seen); then tera renders it with an embedded template or an
//! office's own ([`templates`]). This module never reads the clock or the
//! filesystem, and never decides which disk takes a night: that is
//! [`crate::placement::nightly::night`]'s job alone.

pub mod not_seen;
pub mod notes;
pub mod templates;
pub mod week;
mod words;
pub mod year;

use chrono::NaiveDate;
use serde::Serialize;

pub use not_seen::{DiskNotSeen, Sightings};
pub use notes::Instructions;
pub use templates::{Format, TemplateError, Templates};
pub use week::{DayRow, WeekSheet};
pub use words::and_list;
pub use year::YearSheet;

use crate::placement::nightly::Night;
use crate::policy::Policy;

/// The paper a sheet is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    Letter,
    A4,
}

impl Paper {
    /// Letter for offices in the Americas and the Philippines, A4 elsewhere:
    /// what the office printer most likely holds.
    pub fn for_timezone(timezone: &str) -> Paper {
        if timezone.starts_with("America/")
            || timezone.starts_with("US/")
            || timezone.starts_with("Canada/")
            || timezone == "Asia/Manila"
        {
            Paper::Letter
        } else {
            Paper::A4
        }
    }

    fn info(self) -> PaperInfo {
        match self {
            Paper::Letter => PaperInfo {
                name: "letter",
                css_size: "letter",
                words: "US Letter",
                content_height_mm: 254,
            },
            Paper::A4 => PaperInfo {
                name: "a4",
                css_size: "A4",
                words: "A4",
                content_height_mm: 272,
            },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PaperInfo {
    /// "letter" or "a4".
    pub name: &'static str,
    /// For CSS `@page { size: ... }`: "letter" or "A4".
    pub css_size: &'static str,
    /// "US Letter" or "A4".
    pub words: &'static str,
    /// The height of a page's content box in the embedded style sheet (the
    /// paper less its margins and a little slack), in millimetres.
    pub content_height_mm: u32,
}

/// What the CLI found out for the sheet.
#[derive(Debug, Clone)]
pub struct SheetFacts {
    /// The office's working date of the instant the sheet is made for.
    pub today: NaiveDate,
    /// Office date of the last successful restore test.
    pub last_restore_test: Option<NaiveDate>,
    /// When each disk was last seen, or why that could not be found out.
    pub sightings: Result<Sightings, String>,
    /// The policy file's name, for the footer.
    pub policy_file: String,
    pub paper: Paper,
}

/// What every sheet shows in its header and footer.
#[derive(Debug, Clone, Serialize)]
pub struct Common {
    pub office: String,
    /// IANA name, "America/New_York".
    pub timezone: String,
    /// The `lang` attribute of the HTML.
    pub lang: &'static str,
    pub paper: PaperInfo,
    /// "2026-03-30": the day the sheet was made for (`--at`, else today).
    pub made_on: String,
    /// "Monday 30 March 2026".
    pub made_on_words: String,
    pub policy_file: String,
    /// A form feed: what starts a new page when a text sheet is printed.
    pub form_feed: &'static str,
}

/// Disks not seen for more than a rotation cycle, as of the day the sheet was made.
#[derive(Debug, Clone, Serialize)]
pub struct NotSeen {
    /// False when the catalog could not be read.
    pub checked: bool,
    /// Disks seen before but not since before their latest night.
    pub disks: Vec<DiskNotSeen>,
    /// Labels of disks rota has never seen although a night of theirs passed.
    pub never_seen: Vec<String>,
    /// "Never seen by rota: MON and TUE. Ask IT to ...", or "".
    pub never_text: String,
    /// The heading sentence: all seen, some not (as of when), or why it
    /// could not be checked.
    pub text: String,
}

/// The context of the weekly templates (`week.html`, `week.txt`, `week.md`).
#[derive(Debug, Clone, Serialize)]
pub struct WeeksContext {
    #[serde(flatten)]
    pub common: Common,
    pub instructions: Instructions,
    pub not_seen: NotSeen,
    pub weeks: Vec<WeekSheet>,
}

/// The context of the year templates (`year.html`, `year.txt`, `year.md`).
#[derive(Debug, Clone, Serialize)]
pub struct YearContext {
    #[serde(flatten)]
    pub common: Common,
    #[serde(flatten)]
    pub year: YearSheet,
}

fn common(policy: &Policy, facts: &SheetFacts) -> Common {
    Common {
        office: policy.office.name.clone(),
        timezone: policy.office.calendar.timezone.name().to_string(),
        lang: "en",
        paper: facts.paper.info(),
        made_on: facts.today.to_string(),
        made_on_words: words::long_date(facts.today),
        policy_file: facts.policy_file.clone(),
        form_feed: "\u{c}",
    }
}

/// The weekly sheets for `weeks` (each the seven nights of an ISO week, from
/// [`crate::placement::nightly::iso_week`]).
pub fn weeks_context(policy: &Policy, weeks: &[Vec<Night>], facts: &SheetFacts) -> WeeksContext {
    let instructions = notes::instructions(policy);
    let not_seen = match &facts.sightings {
        Ok(sightings) => {
            let overdue = not_seen::disks_not_seen(policy, sightings, facts.today);
            let as_of = words::long_date(facts.today);
            let text = if !overdue.disks.is_empty() {
                format!(
                    "Not seen for more than a rotation cycle (as of {as_of}): find these disks \
                     and connect each on its night, or tell IT."
                )
            } else if !overdue.never_seen.is_empty() {
                format!("As of {as_of}:")
            } else {
                format!("Every rotation disk was seen on its latest night (as of {as_of}).")
            };
            let never_text = match overdue.never_seen.len() {
                0 => String::new(),
                1 => format!(
                    "Never seen by rota: {}. Ask IT to label it (rota disk init), then connect \
                     it on its night.",
                    overdue.never_seen[0]
                ),
                _ => format!(
                    "Never seen by rota: {}. Ask IT to label them (rota disk init), then connect \
                     each on its night.",
                    words::and_list(&overdue.never_seen)
                ),
            };
            NotSeen {
                checked: true,
                disks: overdue.disks,
                never_seen: overdue.never_seen,
                never_text,
                text,
            }
        }
        Err(reason) => NotSeen {
            checked: false,
            disks: Vec::new(),
            never_seen: Vec::new(),
            never_text: String::new(),
            text: format!("Could not check when disks were last seen: {reason}. Tell IT."),
        },
    };
    WeeksContext {
        common: common(policy, facts),
        weeks: weeks
            .iter()
            .map(|nights| week::week_sheet(policy, nights, &instructions, facts.last_restore_test))
            .collect(),
        instructions,
        not_seen,
    }
}

/// The year at a glance.
pub fn year_context(policy: &Policy, year: i32, facts: &SheetFacts) -> YearContext {
    YearContext {
        common: common(policy, facts),
        year: year::year_sheet(policy, year),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
