//! Checks on the backups themselves: one for every open day of the last two
//! weeks, the newest one already on an external disk, and every retention
//! tier's periods held by a backup that is on an external disk or off-site.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};

use super::{Check, Patient, ago, day_words, list_some};
use crate::placement::Location;
use crate::plan::BackupStatus;
use crate::policy::{Count, Tier};
use crate::retention::{Reason, tier_period_kind};

/// The window of "the last two weeks", in calendar days including today.
const WINDOW_DAYS: u64 = 14;

pub fn daily_backups(patient: &Patient) -> Check {
    let check = Check::titled(
        "daily-backups",
        "A backup for every open day of the last two weeks",
    );
    let source = &patient.inventory.source;
    if let Some(error) = &source.error {
        return check.fail(
            format!(
                "the source folder {} cannot be read ({error}): rota cannot see new backups",
                source.path.display()
            ),
            "check `source.path` in the policy, and that the drive holding it is mounted and readable",
        );
    }
    let today = patient.today();
    let calendar = &patient.policy.office.calendar;
    let first = today
        .checked_sub_days(chrono::Days::new(WINDOW_DAYS - 1))
        .unwrap_or(today);
    let open = calendar.open_days_between(first, today);
    let have: HashSet<NaiveDate> = patient
        .plan
        .backups
        .iter()
        .map(|b| b.business_day)
        .collect();
    let missing: Vec<NaiveDate> = open
        .iter()
        .copied()
        .filter(|day| !have.contains(day))
        .collect();
    let before_today: Vec<String> = missing
        .iter()
        .filter(|day| **day < today)
        .map(|day| day_words(*day))
        .collect();
    let span = format!(
        "{} open days from {} to {today}",
        open.len(),
        open.first().copied().unwrap_or(today)
    );
    if !before_today.is_empty() {
        return check.fail(
            format!(
                "no backup at all for {} (of the {span})",
                list_some(&before_today, 5)
            ),
            "check the practice software's backup schedule and its log for those days; the \
             vendor guide asks for a backup for each day the practice is open",
        );
    }
    if missing.contains(&today)
        && let Some(time) = not_due_before(patient)
    {
        return check.info(format!(
            "every earlier open day has a backup; today's is not due before {} ({span})",
            time.format("%H:%M")
        ));
    }
    if missing.contains(&today) {
        return check.warn(
            format!("every earlier open day has a backup, but today's is not there yet ({span})"),
            "if the practice software's backup should have run by now, check its log",
        );
    }
    check.pass(format!("a backup for each of the {span}"))
}

/// When today's backup is due, if that is still to come: the schedule's
/// time, else the time of day in the newest backup's name (the practice
/// software's job runs at one time). `None` when it is past, or unknown.
fn not_due_before(patient: &Patient) -> Option<chrono::NaiveTime> {
    let policy = patient.policy;
    let pattern = &policy.source.pattern;
    let usual = match &policy.schedule {
        Some(schedule) => Some(schedule.at),
        None if pattern.is_date_only() => None,
        None => patient
            .plan
            .backups
            .iter()
            .max_by_key(|b| b.business_day)
            .and_then(|newest| pattern.timestamp(&newest.name))
            .map(|stamp| stamp.time()),
    }?;
    let now = policy.office.calendar.local_time(&patient.at).time();
    let day_starts = policy.office.calendar.day_starts_at;
    // A job after midnight (before the business day starts) backs up the day
    // before: today's runs in the small hours after it, and is past only
    // between its time and the start of the next business day.
    let due = if usual < day_starts {
        !(usual <= now && now < day_starts)
    } else {
        now < usual
    };
    due.then_some(usual)
}

/// Whether a location is an external disk (rotation or archive).
fn on_disk(backup: &BackupStatus) -> Option<&str> {
    backup.locations.iter().find_map(|location| match location {
        Location::Disk(label) => Some(label.as_str()),
        _ => None,
    })
}

pub fn newest_on_disk(patient: &Patient) -> Check {
    let check = Check::titled("newest-on-disk", "The newest backup is on an external disk");
    let backups = &patient.plan.backups;
    let Some(newest) = backups.iter().max_by_key(|b| b.business_day) else {
        return check.fail(
            "there are no backups at all",
            "check that the practice software writes its backups into the policy's source folder",
        );
    };
    if let Some(label) = on_disk(newest) {
        return check.pass(format!(
            "{} (business day {}) is on disk {label}",
            newest.name, newest.business_day
        ));
    }
    let newest_on_disk = backups
        .iter()
        .filter(|b| on_disk(b).is_some())
        .max_by_key(|b| b.business_day);
    let today = patient.today();
    let connect = where_it_belongs(patient, newest);
    let previous = patient
        .policy
        .office
        .calendar
        .open_day_on_or_before(today.pred_opt().unwrap_or(today));
    match newest_on_disk {
        Some(on) if newest.business_day == today && Some(on.business_day) >= previous => check
            .warn(
                format!(
                    "tonight's backup {} is only on the server so far; the one before it ({}) is on disk {}",
                    newest.name,
                    on.business_day,
                    on_disk(on).unwrap_or_default()
                ),
                format!("if tonight's copy has not run yet, nothing is wrong; otherwise {connect}"),
            ),
        Some(on) => check.fail(
            format!(
                "the newest backup on an external disk is from {} ({}); {} is only on the server",
                on.business_day,
                ago(on.business_day, today),
                newest.name
            ),
            connect,
        ),
        None => check.fail(
            format!("no backup is on any external disk; the newest, {}, is only on the server", newest.name),
            connect,
        ),
    }
}

/// What to do for a backup that is only on the server: the disk(s) it
/// belongs on (its business day's), and whether one of them is connected
/// (then only `apply` is needed: a connected disk is never asked for).
fn where_it_belongs(patient: &Patient, backup: &BackupStatus) -> String {
    let homes = crate::placement::disks_for_day(patient.policy, backup.business_day);
    let connected: Vec<&str> = homes
        .iter()
        .copied()
        .filter(|home| {
            patient
                .inventory
                .connected_disks()
                .any(|disk| disk.label == *home)
        })
        .collect();
    let apply = format!("`rota apply {}`", patient.policy_arg);
    match (homes.as_slice(), connected.as_slice()) {
        ([], _) => format!("connect tonight's disk and run {apply}"),
        (_, [here, ..]) => format!("it belongs on {here}, which is connected: run {apply}"),
        (homes, []) => format!(
            "it belongs on {}: connect it on its night ({}) and run {apply}",
            homes.join(" or "),
            crate::calendar::full_weekday(backup.business_day.weekday())
        ),
    }
}

/// One check per tier the policy keeps.
pub fn retention_tiers(patient: &Patient) -> Vec<Check> {
    Tier::ALL
        .into_iter()
        .filter(|tier| !patient.policy.retain.count(*tier).is_zero())
        .map(|tier| retention_tier(patient, tier))
        .collect()
}

/// Where a tier's period stands.
enum Held<'a> {
    External,
    ServerOnly(&'a BackupStatus),
    Missing,
}

fn retention_tier(patient: &Patient, tier: Tier) -> Check {
    let count = patient.policy.retain.count(tier);
    let check = Check::titled(
        "retention-tier",
        format!("Every {} kept ({} {})", tier_words(tier), tier.key(), count),
    )
    .about(tier.key());
    let backups = &patient.plan.backups;
    let Some(first) = backups.iter().map(|b| b.business_day).min() else {
        return check.fail(
            "there are no backups at all",
            "check the practice software's backups",
        );
    };
    let periods = expected_periods(patient, tier, count, first);
    let mut missing = Vec::new();
    let mut server_only = Vec::new();
    // The disks the server-only backups wait for.
    let mut waiting_for: Vec<&str> = Vec::new();
    for (label, held) in &periods {
        match held {
            Held::External => {}
            // Tonight's copy may simply not have run yet: newest-on-disk says so.
            Held::ServerOnly(backup) if backup.business_day == patient.today() => {}
            Held::ServerOnly(backup) => {
                server_only.push(format!("{label} ({})", backup.name));
                for location in &backup.required_at {
                    if let Location::Disk(disk) = location
                        && !waiting_for.contains(&disk.as_str())
                    {
                        waiting_for.push(disk);
                    }
                }
            }
            Held::Missing => missing.push(label.clone()),
        }
    }
    let since = if first > patient.today() - chrono::Days::new(400) {
        format!(" (rota knows no backup before {first})")
    } else {
        String::new()
    };
    if !missing.is_empty() {
        return check.fail(
            format!(
                "no backup is kept for {} of the {} expected{since}",
                list_some(&missing, 6),
                periods.len()
            ),
            "those backups are lost or were never made; if a disk that holds them is in a \
             drawer, connect it so rota sees it (`rota disk list`)",
        );
    }
    if !server_only.is_empty() {
        waiting_for.sort_by_key(|label| {
            patient
                .policy
                .disks
                .labels()
                .iter()
                .position(|known| known == label)
        });
        let disks = crate::render::sheet::and_list(&waiting_for);
        let evidence = format!("{} only on the server so far", list_some(&server_only, 4));
        // Disks whose nights have not come since rota began are not late:
        // each takes its backups on its first night.
        let first_nights_to_come = !waiting_for.is_empty()
            && waiting_for.iter().all(|label| {
                patient
                    .policy
                    .disks
                    .rotation
                    .iter()
                    .find(|disk| disk.label == *label)
                    .is_some_and(|disk| !super::disks::has_had_a_night(patient, disk))
            });
        if first_nights_to_come {
            return check.info(format!(
                "{evidence}: they wait for {disks}, {}; each takes them on its night",
                if waiting_for.len() == 1 {
                    "whose first night has not come"
                } else {
                    "whose first nights have not come"
                }
            ));
        }
        // A connected disk is never asked to be connected.
        let (here, away): (Vec<&str>, Vec<&str>) = waiting_for.iter().partition(|label| {
            patient
                .inventory
                .connected_disks()
                .any(|disk| disk.label == **label)
        });
        let apply = format!("`rota apply {}`", patient.policy_arg);
        let action = match (here.as_slice(), away.as_slice()) {
            ([], []) => format!(
                "connect the disks `rota plan {}` lists as pending and run {apply}",
                patient.policy_arg
            ),
            ([], away) => format!(
                "connect {} on {} night and run {apply}: the backups wait on the server until then",
                crate::render::sheet::and_list(away),
                if away.len() == 1 { "its" } else { "their" }
            ),
            (here, _) => format!(
                "{} connected: run {apply} (if `rota plan` still lists them as pending, it says why)",
                match here {
                    [one] => format!("{one} is"),
                    many => format!("{} are", crate::render::sheet::and_list(many)),
                }
            ),
        };
        return check.warn(evidence, action);
    }
    // Periods come newest first.
    let span = match periods.as_slice() {
        [] => return check.pass(format!("none expected yet{since}")),
        [only] => format!("the one expected ({}) is", only.0),
        [newest, .., oldest] => format!(
            "each of the {} expected ({} to {}) is",
            periods.len(),
            oldest.0,
            newest.0
        ),
    };
    check.pass(format!("{span} on an external disk or off-site{since}"))
}

/// The periods the tier must hold as of today (none before the first backup),
/// each with where its backup stands. `last` counts the newest backups.
fn expected_periods<'a>(
    patient: &'a Patient,
    tier: Tier,
    count: Count,
    first: NaiveDate,
) -> Vec<(String, Held<'a>)> {
    let backups = &patient.plan.backups;
    let status = |backup: &'a BackupStatus| {
        let external = backup
            .locations
            .iter()
            .any(|location| !matches!(location, Location::Server));
        if external {
            Held::External
        } else {
            Held::ServerOnly(backup)
        }
    };
    let Some(kind) = tier_period_kind(tier) else {
        return backups
            .iter()
            .filter(|b| b.reasons.iter().any(|r| matches!(r, Reason::Newest { .. })))
            .map(|b| (b.name.clone(), status(b)))
            .collect();
    };
    let today = patient.today();
    let calendar = &patient.policy.office.calendar;
    calendar
        .latest_completed_periods_since(kind, today, count.limit(), first)
        .into_iter()
        .map(|period| {
            let held = backups.iter().find(|b| {
                b.reasons
                    .iter()
                    .any(|r| matches!(r, Reason::Tier { tier: t, period: p } if *t == tier && *p == period))
            });
            (period, held)
        })
        // Today's backup may simply not be made yet: daily-backups says so.
        .filter(|(period, held)| held.is_some() || *period != crate::calendar::Period::BusinessDay(today))
        .map(|(period, held)| (period.to_string(), held.map_or(Held::Missing, status)))
        .collect()
}

fn tier_words(tier: Tier) -> &'static str {
    match tier {
        Tier::BusinessDays => "business day's backup",
        Tier::MonthEnds => "month-end",
        Tier::QuarterEnds => "quarter-end",
        Tier::FiscalYearEnds => "fiscal-year-end",
        Tier::Last => "newest backup",
    }
}
