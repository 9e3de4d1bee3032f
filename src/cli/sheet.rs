//! `rota sheet POLICY`: the printed weekly disk-swap sheets (one page per ISO
//! week) and the year at a glance, as HTML, text or Markdown. Reads the clock
//! (for the default week), the catalog (when disks were last seen) and the
//! restore-test log; the sheet itself is built by the pure
//! [`crate::render::sheet`]. Changes nothing.

mod template_dir;
mod week_arg;

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::session::Session;
use super::{CliError, Outcome};
use crate::inventory::restore_log;
use crate::placement::nightly::iso_week;
use crate::render::sheet::{self, Format, Paper, SheetFacts, Sightings, TemplateError, Templates};
use week_arg::{IsoWeek, parse_week};

/// Print the weekly disk-swap sheet, or the year at a glance
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota sheet rota.yaml --out sheet.html\n      this week's sheet; open it in a browser and print it (one page)\n\n  rota sheet rota.yaml --week 2026-W14 --format text\n      week 14 of 2026 as plain text\n\n  rota sheet rota.yaml --from 2026-W14 --weeks 4 --paper a4 --out april.html\n      four weeks, one printed page each\n\n  rota sheet rota.yaml --year 2026 --out 2026.html\n      the year at a glance: each night's disk, holidays, long-term backups\n\n  rota sheet rota.yaml --templates my-templates/\n      with the office's own templates (week.html, week.txt, week.md,\n      year.html, year.txt, year.md, sheet.css, sheet.js); see docs/sheets.md"
)]
pub struct SheetArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// The week to print: 2026-W14, or any date in it (default: this week)
    #[arg(long, value_name = "WEEK", conflicts_with_all = ["from", "year"])]
    pub week: Option<String>,
    /// The first of several weeks to print, one page each (with --weeks)
    #[arg(long, value_name = "WEEK", conflicts_with = "year")]
    pub from: Option<String>,
    /// How many weeks to print, from --from or this week (default: 1)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=60), conflicts_with = "year")]
    pub weeks: Option<u32>,
    /// Print the year at a glance instead of weekly sheets
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1900..=9999))]
    pub year: Option<i32>,
    /// Output format
    #[arg(long, value_enum, default_value_t = SheetFormat::Html)]
    pub format: SheetFormat,
    /// Paper size for HTML (default: letter in the Americas' time zones, else a4)
    #[arg(long, value_enum)]
    pub paper: Option<PaperSize>,
    /// Write the sheet to this file instead of standard output
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A folder of templates that replace rota's own (same file names)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Make the sheet as of this instant: 2026-03-31, 2026-03-31T18:30 or RFC 3339 (default: now)
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetFormat {
    Html,
    Text,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaperSize {
    Letter,
    A4,
}

pub fn run(args: &SheetArgs, no_color: bool) -> Result<Outcome, CliError> {
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let policy = session.policy();
    let calendar = &policy.office.calendar;
    let today = calendar.working_date(calendar.local_time(&session.at));
    let facts = gather_facts(&session, &args.policy, args.paper, today);
    let templates = load_templates(args.templates.as_deref())?;
    let format = match args.format {
        SheetFormat::Html => Format::Html,
        SheetFormat::Text => Format::Text,
        SheetFormat::Markdown => Format::Markdown,
    };
    let (rendered, what) = match args.year {
        Some(year) => {
            let context = sheet::year_context(policy, year, &facts);
            let text = templates
                .render(&format.year_template(), &context)
                .map_err(|error| template_error(error, args))?;
            (text, format!("the year {year} at a glance"))
        }
        None => {
            let weeks = chosen_weeks(args, today)?;
            let nights: Vec<_> = weeks
                .iter()
                .map(|week| iso_week(policy, week.year, week.week).expect("an IsoWeek exists"))
                .collect();
            let context = sheet::weeks_context(policy, &nights, &facts);
            let text = templates
                .render(&format.week_template(), &context)
                .map_err(|error| template_error(error, args))?;
            (text, describe_weeks(&weeks))
        }
    };
    match &args.out {
        Some(out) => {
            std::fs::write(out, &rendered).map_err(|error| {
                CliError::io(
                    format!("cannot write the sheet to {}", out.display()),
                    &error,
                )
            })?;
            let hint = match (format, args.year) {
                (Format::Html, Some(_)) => {
                    " Open it in a web browser and print it (one page, no headers and footers)."
                }
                (Format::Html, None) => {
                    " Open it in a web browser and print it (one page per week, no headers and footers)."
                }
                _ => "",
            };
            eprintln!("Wrote {what} to {}.{hint}", out.display());
        }
        None => print!("{rendered}"),
    }
    Ok(Outcome::Success)
}

/// Today, the last restore test and when each disk was last seen. A catalog
/// that cannot be read does not stop the sheet: it says so instead.
fn gather_facts(
    session: &Session,
    policy_file: &Path,
    paper: Option<PaperSize>,
    today: chrono::NaiveDate,
) -> SheetFacts {
    let policy = session.policy();
    let (sightings, last_restore_test) = match session.scan() {
        Ok(inventory) => (
            Ok(Sightings {
                last_seen: inventory
                    .disks
                    .iter()
                    .map(|disk| (disk.label.clone(), disk.last_seen))
                    .collect(),
            }),
            inventory.last_restore_test,
        ),
        Err(error) => (
            Err(error.to_string()),
            restore_log::last_successful(&policy.state_dir),
        ),
    };
    SheetFacts {
        today,
        last_restore_test,
        sightings,
        policy_file: policy_file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
        paper: match paper {
            Some(PaperSize::Letter) => Paper::Letter,
            Some(PaperSize::A4) => Paper::A4,
            None => Paper::for_timezone(policy.office.calendar.timezone.name()),
        },
    }
}

/// This week's sheet in `format` (text or HTML), with the built-in templates:
/// what `rota demo` prints and saves.
pub fn this_week(session: &Session, policy_file: &Path, html: bool) -> Result<String, CliError> {
    let policy = session.policy();
    let calendar = &policy.office.calendar;
    let today = calendar.working_date(calendar.local_time(&session.at));
    let facts = gather_facts(session, policy_file, None, today);
    let week = chrono::Datelike::iso_week(&today);
    let nights = iso_week(policy, week.year(), week.week()).expect("today's ISO week exists");
    let context = sheet::weeks_context(policy, &[nights], &facts);
    let format = if html { Format::Html } else { Format::Text };
    load_templates(None)?
        .render(&format.week_template(), &context)
        .map_err(|error| CliError::failed(format!("the built-in sheet template failed: {error}")))
}

fn load_templates(dir: Option<&Path>) -> Result<Templates, CliError> {
    let overrides = match dir {
        Some(dir) => template_dir::read_overrides(dir)?,
        None => Vec::new(),
    };
    Templates::new(&overrides).map_err(|error| {
        let help = match dir {
            Some(dir) => format!(
                "fix the template in {}, or remove it to use rota's own",
                dir.display()
            ),
            None => String::from("this is a bug in rota's own templates; please report it"),
        };
        CliError::failed_with_help(error.to_string(), help)
    })
}

fn template_error(error: TemplateError, args: &SheetArgs) -> CliError {
    let help = match &args.templates {
        Some(dir) => format!(
            "check the template in {} against the variables listed in docs/sheets.md",
            dir.display()
        ),
        None => String::from("this is a bug in rota's own templates; please report it"),
    };
    CliError::failed_with_help(error.to_string(), help)
}

/// The weeks asked for: --week, or --from with --weeks, or this week.
fn chosen_weeks(args: &SheetArgs, today: chrono::NaiveDate) -> Result<Vec<IsoWeek>, CliError> {
    let read = |flag: &str, text: &str| {
        parse_week(text)
            .map_err(|error| CliError::usage(format!("--{flag}: {}", error.message), error.help))
    };
    let first = match (&args.week, &args.from) {
        (Some(week), _) => read("week", week)?,
        (None, Some(from)) => read("from", from)?,
        (None, None) => IsoWeek::containing(today),
    };
    let count = if args.week.is_some() {
        1
    } else {
        args.weeks.unwrap_or(1)
    };
    let mut weeks = vec![first];
    while weeks.len() < count as usize {
        match weeks.last().and_then(|week| week.next()) {
            Some(next) => weeks.push(next),
            None => break,
        }
    }
    Ok(weeks)
}

fn describe_weeks(weeks: &[IsoWeek]) -> String {
    match weeks {
        [one] => format!("the swap sheet for {one}"),
        [first, .., last] => format!("{} swap sheets, {first} to {last}", weeks.len()),
        [] => String::from("no swap sheet"),
    }
}
