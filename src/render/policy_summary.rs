//! `rota check`'s one-screen summary: what a valid policy means, in plain words,
//! so an office manager can confirm it says what they meant.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::calendar::full_weekday;
use crate::calendar::{Calendar, Period};
use crate::policy::{Carry, Count, Expired, Policy, RestoreEvery, Tier};

/// Optional extra lines computed elsewhere (e.g. what a typical disk holds).
#[derive(Debug, Default, Clone)]
pub struct SummaryExtras {
    /// (label, description) of what each disk typically holds.
    pub typical_disks: Vec<(String, String)>,
}

pub fn render(policy: &Policy, extras: &SummaryExtras) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — the policy is valid", policy.office.name);
    let _ = writeln!(out, "({})\n", policy.file.display());
    section(
        &mut out,
        "Calendar",
        &calendar_lines(&policy.office.calendar),
    );
    section(&mut out, "Backups", &backup_lines(policy));
    section(&mut out, "Kept", &kept_lines(policy));
    section(&mut out, "Disks", &disk_lines(policy, extras));
    section(&mut out, "Off-site", &offsite_lines(policy));
    section(&mut out, "Deletion", &deletion_lines(policy));
    section(&mut out, "Checks", &check_lines(policy));
    out
}

fn section(out: &mut String, title: &str, lines: &[String]) {
    for (i, line) in lines.iter().enumerate() {
        let heading = if i == 0 { title } else { "" };
        let _ = writeln!(out, "{heading:<10}{line}");
    }
}

pub fn day_list(days: &[Weekday]) -> String {
    let full: Vec<String> = days
        .iter()
        .map(|day| full_weekday(*day).to_string())
        .collect();
    match full.len() {
        0 => String::from("no day"),
        1 => full[0].clone(),
        n => format!("{} and {}", full[..n - 1].join(", "), full[n - 1]),
    }
}

/// "Monday's backup", "Monday's and Saturday's backups".
pub fn backups_of(days: &[Weekday]) -> String {
    let owners: Vec<String> = days
        .iter()
        .map(|day| format!("{}'s", full_weekday(*day)))
        .collect();
    match owners.len() {
        0 => String::from("no backups"),
        1 => format!("{} backup", owners[0]),
        n => format!(
            "{} and {} backups",
            owners[..n - 1].join(", "),
            owners[n - 1]
        ),
    }
}

fn calendar_lines(calendar: &Calendar) -> Vec<String> {
    let mut lines = vec![format!(
        "open {} ({})",
        day_list(&calendar.open_weekdays()),
        calendar.timezone.name()
    )];
    if calendar.day_starts_at != chrono::NaiveTime::MIN {
        lines.push(format!(
            "a backup made before {} counts for the day before",
            calendar.day_starts_at.format("%H:%M")
        ));
    }
    match calendar.closed.len() {
        0 => lines.push(String::from("no holidays listed")),
        n => {
            let shown: Vec<String> = calendar
                .closed
                .iter()
                .take(4)
                .map(|span| {
                    let dates = if span.from == span.to {
                        span.from.to_string()
                    } else {
                        format!("{} to {}", span.from, span.to)
                    };
                    match &span.name {
                        Some(name) => format!("{dates} {name}"),
                        None => dates,
                    }
                })
                .collect();
            let more = if n > 4 {
                format!(" and {} more", n - 4)
            } else {
                String::new()
            };
            lines.push(format!("closed {}{more}", shown.join(", ")));
        }
    }
    let fye = calendar.fiscal_year_end;
    let year_end = Period::FiscalYear { fiscal_year: 2026 }.last_day(fye);
    let quarter_ends: Vec<String> = (1..=4)
        .map(|quarter| {
            Period::FiscalQuarter {
                fiscal_year: 2026,
                quarter,
            }
            .last_day(fye)
        })
        .map(month_day)
        .collect();
    lines.push(format!(
        "the fiscal year ends {}; fiscal quarters end {}",
        month_day(year_end),
        quarter_ends.join(", ")
    ));
    lines
}

fn month_day(date: NaiveDate) -> String {
    // The last day of February depends on the year; say "Feb 28/29".
    if date.month() == 2 {
        return String::from("Feb 28/29");
    }
    date.format("%b %-d").to_string()
}

fn backup_lines(policy: &Policy) -> Vec<String> {
    let pattern = &policy.source.pattern;
    let named = format!("files or folders named \"{}\"", pattern.as_str());
    let named = if pattern.is_date_only() {
        // The rule that applies to these names, since they state no time.
        format!(
            "{named}: a name's date is its business day (day_starts_at does not move it); \
             of several with one date, the last modified is the day's backup"
        )
    } else {
        named
    };
    let mut lines = vec![named, format!("in {}", policy.source.path.display())];
    if let Some(export) = &policy.source.capture {
        lines.push(format!(
            "captured from {} (overwritten each night) once changed and settled for {}",
            export.display(),
            policy.source.settle
        ));
    }
    lines.push(format!(
        "the server keeps its newest {}; older ones are deleted once safely on their disks",
        policy.source.keep_last
    ));
    lines
}

/// A tier in words ("the last backup of each of the last 12 completed months"); none for 0.
pub fn tier_line(tier: Tier, count: Count) -> Option<String> {
    let (one, many) = match tier {
        Tier::BusinessDays => (
            "the backup of each of the last {} open days",
            "every open day's backup",
        ),
        Tier::MonthEnds => (
            "the last backup of each of the last {} completed months",
            "the last backup of every completed month",
        ),
        Tier::QuarterEnds => (
            "the last backup of each of the last {} completed fiscal quarters",
            "the last backup of every completed fiscal quarter",
        ),
        Tier::FiscalYearEnds => (
            "the last backup of each of the last {} completed fiscal years",
            "the last backup of every completed fiscal year",
        ),
        Tier::Last => ("the newest {} backups, whatever their days", "every backup"),
    };
    match count {
        Count::Number(0) => None,
        Count::Number(n) => Some(one.replace("{}", &n.to_string())),
        Count::All => Some(many.to_string()),
    }
}

fn kept_lines(policy: &Policy) -> Vec<String> {
    let mut lines: Vec<String> = Tier::ALL
        .iter()
        .filter_map(|tier| tier_line(*tier, policy.retain.count(*tier)))
        .collect();
    if lines.is_empty() {
        lines.push(String::from(
            "nothing beyond each disk's newest backups (all tiers are 0)",
        ));
    }
    if !policy.hold.is_empty() {
        lines.push(format!(
            "and {} hold(s): backups never deleted",
            policy.hold.len()
        ));
    }
    lines
}

fn disk_lines(policy: &Policy, extras: &SummaryExtras) -> Vec<String> {
    let disks = &policy.disks;
    let mut lines: Vec<String> = disks
        .rotation
        .iter()
        .map(|disk| format!("{} takes {}", disk.label, backups_of(&disk.days)))
        .collect();
    lines.push(format!(
        "each keeps at least its newest {} and every kept backup of its days",
        disks.min_backups
    ));
    if let Some(archive) = &disks.archive {
        let tiers: Vec<&str> = archive.tiers.iter().map(|tier| tier.key()).collect();
        lines.push(format!(
            "archive disk(s) {} hold the {} backups",
            archive.labels.join(", "),
            tiers.join(", ")
        ));
    }
    lines.push(format!(
        "a disk is never filled past its reserve ({}); disks are looked for in {}",
        disks.reserve,
        disks.mount_search.join(", ")
    ));
    for (label, description) in &extras.typical_disks {
        lines.push(format!("{label} typically holds {description}"));
    }
    if let Some(storage) = &disks.storage {
        lines.push(format!(
            "disks not in use are kept in {}",
            crate::words::format::place(storage)
        ));
    }
    lines
}

fn offsite_lines(policy: &Policy) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(offsite) = &policy.disks.offsite {
        let who = offsite.by.as_deref().unwrap_or("staff");
        lines.push(match &offsite.carry {
            Carry::Previous => {
                format!("each morning last night's disk leaves the building ({who})")
            }
            Carry::Days(days) => format!(
                "the disk with {} leaves the building ({who})",
                backups_of(days)
            ),
        });
    }
    for target in &policy.offsite {
        let encrypted = if target.encrypt.is_some() {
            "encrypted with age"
        } else {
            "NOT encrypted"
        };
        let upload = match &target.upload {
            Some(upload) => format!(", uploaded with rclone to {}", upload.remote),
            None => String::new(),
        };
        lines.push(format!(
            "{}: staged in {}, {encrypted}{upload}",
            target.name,
            target.path.display()
        ));
    }
    if lines.is_empty() {
        lines.push(String::from(
            "none: the vendor guide recommends an off-site copy",
        ));
    }
    lines
}

fn deletion_lines(policy: &Policy) -> Vec<String> {
    let how = match policy.destruction.expired {
        Expired::Remove => String::from("copies no rule needs are deleted"),
        Expired::Destroy => String::from("copies no rule needs are overwritten, then deleted"),
        Expired::Archive => format!(
            "copies no rule needs are moved to archive disk {}",
            policy.destruction.archive_to.as_deref().unwrap_or("?")
        ),
    };
    vec![
        how,
        format!(
            "every deletion is logged in {}",
            policy
                .state_dir
                .join(crate::inventory::layout::AUDIT_LOG)
                .display()
        ),
    ]
}

fn check_lines(policy: &Policy) -> Vec<String> {
    let every = match policy.restore_test.every {
        RestoreEvery::Quarter => "quarter",
        RestoreEvery::Month => "month",
    };
    vec![format!(
        "a restore test is due every {every} (`rota restore-test`)"
    )]
}
