//! `rota explain`: everything about one backup in words — which tiers hold it
//! (or exactly why none does), where it is, where it must be and why, what
//! tonight's plan does to it, and what would happen tomorrow and after the
//! month ends.
//!
//! Pure: a function of the policy, the inventory and the instant. "Tomorrow"
//! and "after the month ends" are planned on the same inventory with one
//! assumed backup per open day in between (named by the pattern, sized like
//! the newest), so the answer is what the office will see if nothing else
//! changes.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime};
use chrono_tz::Tz;

use crate::calendar::full_weekday;
use crate::calendar::{Period, PeriodKind, last_day_of_month};
use crate::inventory::{EntryKind, Inventory, SourceEntry};
use crate::plan::{BackupStatus, Op, Plan, make_plan, text::op_sign};
use crate::policy::{Count, Policy, Tier};
use crate::retention::{Reason, tier_period_kind};
use crate::words::format::bytes;

/// Finds a backup by exact name, or by date (the day's backup of that
/// business day). Returns the name, or the closest names for a hint.
pub fn find_backup(plan: &Plan, wanted: &str) -> Result<String, Vec<String>> {
    if let Some(backup) = plan.backups.iter().find(|b| b.name == wanted) {
        return Ok(backup.name.clone());
    }
    if let Ok(date) = wanted.parse::<NaiveDate>()
        && let Some(backup) = plan
            .backups
            .iter()
            .rev()
            .find(|b| b.business_day == date && b.day_backup)
    {
        return Ok(backup.name.clone());
    }
    let mut near: Vec<(usize, &str)> = plan
        .backups
        .iter()
        .map(|b| {
            (
                crate::policy::edit_distance(wanted, &b.name),
                b.name.as_str(),
            )
        })
        .collect();
    near.sort();
    Err(near
        .into_iter()
        .take(3)
        .map(|(_, name)| name.to_string())
        .collect())
}

/// The full explanation of `name` as text.
pub fn explain(policy: &Policy, inventory: &Inventory, at: DateTime<Tz>, name: &str) -> String {
    let plan = make_plan(policy, inventory, at);
    let Some(backup) = plan.backups.iter().find(|b| b.name == name) else {
        return format!("{name} is not a backup rota knows\n");
    };
    let mut out = String::new();
    header(policy, &plan, backup, &mut out);
    tiers(policy, &plan, backup, &mut out);
    places(backup, &mut out);
    tonight(&plan, backup, &mut out);
    let calendar = &policy.office.calendar;
    let after_tonight = applied(inventory, &plan);
    let tomorrow = calendar.next_open_day(plan.today);
    let month_end = last_day_of_month(plan.today.year(), plan.today.month());
    let after_month = calendar.next_open_day(month_end);
    if let Some(tomorrow) = tomorrow {
        let label = if after_month == Some(tomorrow) {
            format!(
                "Tomorrow, the first open day after {} ends",
                month_name(month_end)
            )
        } else {
            String::from("Tomorrow")
        };
        outlook(
            policy,
            &after_tonight,
            &plan,
            name,
            tomorrow,
            &label,
            &mut out,
        );
    }
    if let Some(after) = after_month.filter(|day| Some(*day) != tomorrow) {
        let label = format!("After {} ends", month_name(month_end));
        outlook(policy, &after_tonight, &plan, name, after, &label, &mut out);
    }
    out
}

/// The inventory as it will be once tonight's plan has run (copies verified,
/// deletions done), for the outlooks.
fn applied(inventory: &Inventory, plan: &Plan) -> Inventory {
    let mut after = inventory.clone();
    for action in &plan.actions {
        if let Some(crate::placement::Location::Disk(label)) = action.writes_to()
            && let Some(disk) = after
                .disks
                .iter_mut()
                .find(|d| &d.label == label && d.is_connected())
        {
            let record = crate::inventory::CopyRecord {
                name: action.backup.clone(),
                size: action.bytes,
                kind: action.kind,
                hash: String::new(),
                copied_at: plan.at.to_utc(),
                verified_at: Some(plan.at.to_utc()),
                ciphertext_hash: None,
                fingerprint: None,
            };
            disk.copies.insert(action.backup.clone(), record);
        }
        match action.deleted_at() {
            Some(crate::placement::Location::Server) => {
                after.source.backups.retain(|b| b.name != action.backup)
            }
            Some(crate::placement::Location::Disk(label)) => {
                for disk in after
                    .disks
                    .iter_mut()
                    .filter(|d| &d.label == label && d.is_connected())
                {
                    disk.copies.remove(&action.backup);
                }
            }
            _ => {}
        }
    }
    after
}

fn month_name(date: NaiveDate) -> String {
    date.format("%B %Y").to_string()
}

fn header(policy: &Policy, plan: &Plan, backup: &BackupStatus, out: &mut String) {
    let _ = writeln!(out, "{}", backup.name);
    let made = policy.source.pattern.timestamp(&backup.name);
    let kind = match backup.kind {
        EntryKind::File => "file",
        EntryKind::Bundle => "folder (bundle)",
    };
    if let Some(made) = made {
        let _ = writeln!(
            out,
            "  made      {} ({}), a {kind} of {}",
            made.format("%Y-%m-%d %H:%M"),
            full_weekday(made.weekday()),
            bytes(backup.size)
        );
    }
    let role = if backup.day_backup {
        String::from("the day's backup")
    } else {
        String::from("an extra: a later backup of the same day is the day's backup")
    };
    let _ = writeln!(
        out,
        "  counts for business day {} ({}): {role}",
        backup.business_day,
        full_weekday(backup.business_day.weekday())
    );
    let _ = writeln!(out, "  state     {}", state_words(policy, backup));
    let _ = writeln!(
        out,
        "  as of     {} (today is {})",
        plan.at.format("%Y-%m-%d %H:%M %:z"),
        plan.today
    );
    let _ = writeln!(out);
}

/// Whether the backup has settled on the server and its copies still match
/// it (`source.settle`, invariant 10).
fn state_words(policy: &Policy, backup: &BackupStatus) -> String {
    let settle = policy.source.settle;
    if let Some(age) = backup.settling {
        return format!(
            "{}: not copied until it has been unchanged for {settle} (source.settle)",
            crate::inventory::freshness::still_being_written(age)
        );
    }
    if backup.tampered {
        return format!(
            "TAMPERED: its bytes on the server changed after rota had a verified copy, on a later \
             business day than its own (ransomware, corruption?); the verified copies on {} are kept \
             and count, the server's bytes are copied nowhere, and nothing is deleted anywhere until \
             `rota accept-change` (see docs/distrust.md)",
            location_names(&backup.locations)
        );
    }
    if !backup.stale_at.is_empty() {
        return format!(
            "changed on the server after it was copied: the copies on {} no longer count",
            location_names(&backup.stale_at)
        );
    }
    if backup
        .locations
        .contains(&crate::placement::Location::Server)
    {
        format!("settled (unchanged for at least {settle}); its copies match it as it is now")
    } else {
        String::from("no longer on the server: its copies are as they were verified")
    }
}

fn location_names(locations: &[crate::placement::Location]) -> String {
    if locations.is_empty() {
        return String::from("nowhere");
    }
    locations
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn tiers(policy: &Policy, plan: &Plan, backup: &BackupStatus, out: &mut String) {
    let _ = writeln!(out, "Kept because");
    if backup.reasons.is_empty() {
        let _ = writeln!(out, "  nothing: no tier holds it");
    }
    for reason in &backup.reasons {
        let _ = writeln!(out, "  ✓ {}", reason_words(reason, policy));
    }
    let held: Vec<Tier> = backup.reasons.iter().filter_map(Reason::tier).collect();
    let mut first = true;
    for tier in Tier::ALL {
        if held.contains(&tier) {
            continue;
        }
        if first {
            let _ = writeln!(out, "Not held by");
            first = false;
        }
        let _ = writeln!(
            out,
            "  ✗ {}: {}",
            tier.key(),
            why_not(policy, plan, backup, tier)
        );
    }
    let _ = writeln!(out);
}

fn reason_words(reason: &Reason, policy: &Policy) -> String {
    match reason {
        Reason::Tier {
            tier: Tier::BusinessDays,
            period,
        } => format!(
            "business_days: the backup of {period}, one of the last {} open days",
            policy.retain.business_days
        ),
        Reason::Tier { tier, period } => format!(
            "{}: the last backup of {}",
            tier.key(),
            period_words(period)
        ),
        Reason::Newest { rank } => format!("last: the {} newest backup", ordinal(*rank)),
        Reason::Hold => {
            String::from("hold: the policy puts it on a legal or audit hold; it is never deleted")
        }
        Reason::Future => String::from(
            "it is dated after today; rota never deletes backups from the future (check the clock)",
        ),
    }
}

fn period_words(period: &Period) -> String {
    match period {
        Period::Month { .. } => format!("month {period}"),
        Period::FiscalQuarter { .. } => format!("fiscal quarter {period}"),
        Period::FiscalYear { .. } => format!("fiscal year {period}"),
        Period::BusinessDay(day) => day.to_string(),
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Why a tier does not hold the backup, precisely.
fn why_not(policy: &Policy, plan: &Plan, backup: &BackupStatus, tier: Tier) -> String {
    let count = policy.retain.count(tier);
    if count.is_zero() {
        return String::from("the policy keeps none");
    }
    let calendar = &policy.office.calendar;
    let Some(kind) = tier_period_kind(tier) else {
        return format!("it is not among the newest {count} backups");
    };
    let period = calendar.period(kind, backup.business_day);
    if kind == PeriodKind::BusinessDay {
        if !backup.day_backup {
            return String::from("only the day's backup counts, and this is an extra");
        }
        let window = calendar.latest_open_days(plan.today, count.limit().min(100_000));
        let oldest = window.last().map(|d| d.to_string()).unwrap_or_default();
        return format!(
            "{} is older than the last {count} open days (the oldest kept is {oldest})",
            backup.business_day
        );
    }
    let fye = calendar.fiscal_year_end;
    if !period.is_completed(plan.today, fye) {
        return format!(
            "{} is not over yet (it ends {})",
            period_words(&period),
            period.last_day(fye)
        );
    }
    let last_in_period = plan
        .backups
        .iter()
        .filter(|b| b.business_day <= plan.today && calendar.period(kind, b.business_day) == period)
        .max_by_key(|b| (policy.source.pattern.timestamp(&b.name), b.name.clone()));
    match last_in_period {
        Some(last) if last.name != backup.name => format!(
            "the last backup of {} is {}",
            period_words(&period),
            last.name
        ),
        _ => match count {
            Count::All => String::from("no reason found (please report this)"),
            Count::Number(n) => format!(
                "{} is older than the last {n} completed ones",
                period_words(&period)
            ),
        },
    }
}

fn places(backup: &BackupStatus, out: &mut String) {
    let names = location_names;
    let _ = writeln!(out, "Where");
    let _ = writeln!(
        out,
        "  is on      {} (verified copies; absent disks as last seen)",
        names(&backup.locations)
    );
    let required = if backup.required_at.is_empty() {
        String::from(
            "no location: no rule keeps it (not a kept tier, not one of its disk's newest)",
        )
    } else {
        names(&backup.required_at)
    };
    if !backup.stale_at.is_empty() {
        let _ = writeln!(
            out,
            "  stale on   {} (copied before it changed: replaced once the new copy is verified)",
            names(&backup.stale_at)
        );
    }
    let _ = writeln!(out, "  must be on {required}");
    for (location, why) in backup.required_at.iter().zip(&backup.required_because) {
        let _ = writeln!(out, "    {location}: {why}");
    }
    let _ = writeln!(out);
}

fn tonight(plan: &Plan, backup: &BackupStatus, out: &mut String) {
    let _ = writeln!(out, "Tonight ({})", plan.today);
    let mut any = false;
    for action in plan.actions.iter().filter(|a| a.backup == backup.name) {
        let place = match action.op {
            Op::Copy | Op::Archive => format!(
                "{} → {}",
                action.from.as_ref().map(|l| l.name()).unwrap_or("?"),
                action.to.as_ref().map(|l| l.name()).unwrap_or("?")
            ),
            Op::Remove | Op::Destroy => format!(
                "on {}",
                action.location.as_ref().map(|l| l.name()).unwrap_or("?")
            ),
            Op::Capture => String::from("export → server"),
        };
        let _ = writeln!(out, "  {} {place}: {}", op_sign(action.op), action.reason);
        any = true;
    }
    for pending in plan.pending.iter().filter(|p| p.backup == backup.name) {
        let place = pending
            .to
            .as_ref()
            .or(pending.location.as_ref())
            .map(|l| l.name())
            .unwrap_or("?");
        let _ = writeln!(
            out,
            "  · pending {} {place}: {}",
            pending.op.key(),
            pending.reason
        );
        any = true;
    }
    if !any {
        let _ = writeln!(out, "  nothing: it is where the policy wants it");
    }
    let _ = writeln!(out);
}

/// Plans `day` on the inventory plus one assumed backup per open day up to it.
fn outlook(
    policy: &Policy,
    inventory: &Inventory,
    plan: &Plan,
    name: &str,
    day: NaiveDate,
    label: &str,
    out: &mut String,
) {
    let future = with_assumed_backups(policy, inventory, plan.today, day);
    let end_of_day = NaiveTime::from_hms_opt(23, 59, 0).expect("valid time");
    let at = policy.office.calendar.instant_of(day.and_time(end_of_day));
    let later = make_plan(policy, &future, at);
    let _ = writeln!(
        out,
        "{label} ({} {day}; assuming tonight's plan runs, a backup is made each open day until then and the same disks are connected)",
        full_weekday(day.weekday())
    );
    let Some(status) = later.backups.iter().find(|b| b.name == name) else {
        let _ = writeln!(out, "  it will be gone\n");
        return;
    };
    let reasons: Vec<String> = status.reasons.iter().map(|r| r.to_string()).collect();
    if reasons.is_empty() {
        let _ = writeln!(out, "  kept by no tier");
    } else {
        let _ = writeln!(out, "  kept as {}", reasons.join(", "));
    }
    let deletions: Vec<String> = later
        .actions
        .iter()
        .filter(|a| a.backup == name && a.op.deletes())
        .map(|a| {
            format!(
                "{} from {}",
                a.op.key(),
                a.deleted_at().map(|l| l.name()).unwrap_or("?")
            )
        })
        .chain(
            later
                .pending
                .iter()
                .filter(|p| p.backup == name && p.op != Op::Copy)
                .map(|p| {
                    format!(
                        "{} from {} once it is connected",
                        p.op.key(),
                        p.location.as_ref().map(|l| l.name()).unwrap_or("?")
                    )
                }),
        )
        .collect();
    if deletions.is_empty() {
        let required: Vec<String> = status.required_at.iter().map(|l| l.to_string()).collect();
        let _ = writeln!(
            out,
            "  must be on {}",
            if required.is_empty() {
                String::from("no location (kept where it is until a rule lets it go)")
            } else {
                required.join(", ")
            }
        );
    } else {
        let _ = writeln!(out, "  no longer needed there: {}", deletions.join(", "));
    }
    let _ = writeln!(out);
}

/// The inventory with one backup per open day in (today, until], on the
/// server, named by the pattern at the newest backup's time of day.
fn with_assumed_backups(
    policy: &Policy,
    inventory: &Inventory,
    today: NaiveDate,
    until: NaiveDate,
) -> Inventory {
    let mut future = inventory.clone();
    let newest = inventory.source.backups.iter().max_by_key(|b| b.timestamp);
    let (time, size) = match newest {
        Some(entry) => (entry.timestamp.time(), entry.size),
        None => (NaiveTime::from_hms_opt(23, 30, 0).expect("valid time"), 0),
    };
    let calendar = &policy.office.calendar;
    for day in today.iter_days().skip(1).take_while(|d| *d <= until) {
        if calendar.is_open(day) {
            let timestamp = day.and_time(time);
            future.source.backups.push(SourceEntry {
                name: policy.source.pattern.name_for(timestamp),
                timestamp,
                size,
                kind: EntryKind::File,
                modified: None,
                files: 0,
            });
        }
    }
    future
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::plan::tests::{local, run_nights, vendor_policy};
    use crate::simulate::synthetic::SyntheticOffice;

    fn explained(name: &str) -> String {
        let policy = vendor_policy();
        let mut office = SyntheticOffice::new(&policy, 2_000_000_000_000);
        office.last_restore_test = "2026-03-01".parse().ok();
        let daily = |day: NaiveDate| {
            crate::plan::tests::disk_for(&policy, day)
                .into_iter()
                .collect()
        };
        run_nights(&policy, &mut office, "2026-01-05", "2026-03-30", &daily);
        let day: NaiveDate = "2026-03-31".parse().unwrap();
        office.add_backup(&policy, day.and_hms_opt(12, 0, 0).unwrap(), 5_000_000_000);
        office.add_backup(&policy, day.and_hms_opt(23, 30, 0).unwrap(), 6_000_000_000);
        let at = local(&policy, day, "23:55");
        office.connect_only(&["TUE"], at.with_timezone(&Utc));
        explain(&policy, &office.inventory(&policy), at, name)
    }

    #[test]
    fn explain_snapshots() {
        for (snapshot, name) in [
            ("explain_month_end", "MacPractice_2026-02-27_2330.mpbackup"),
            ("explain_expiring", "MacPractice_2026-03-03_2330.mpbackup"),
            ("explain_extra", "MacPractice_2026-03-31_1200.mpbackup"),
            ("explain_tonight", "MacPractice_2026-03-31_2330.mpbackup"),
        ] {
            insta::with_settings!({
                snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
                prepend_module_to_snapshot => false,
            }, {
                insta::assert_snapshot!(snapshot, explained(name));
            });
        }
    }

    #[test]
    fn ordinals() {
        let shown: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101]
            .iter()
            .map(|n| ordinal(*n))
            .collect();
        assert_eq!(
            shown,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
            ]
        );
    }
}
