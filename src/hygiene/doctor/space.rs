//! Free space: the server's drive, each disk (as last seen when absent) and
//! each off-site staging folder must have more free space than its reserve,
//! with a forecast of when it runs out at the current growth.
//!
//! The forecast fits a straight line to the sizes of the day's backups over
//! their business days (least squares): that slope is how many bytes a backup
//! grows per day. A location that keeps holding as many backups as now then
//! grows by that slope times its number of backups each day. It leaves out
//! long-term backups that accumulate (a new fiscal-year-end each year); `rota
//! simulate` plays those out night by night.

use chrono::NaiveDate;

use super::{Check, Patient, ago};
use crate::policy::values::Reserve;
use crate::words::format::bytes;

/// Fewer backups, or a shorter history, than this gives no forecast.
const MIN_POINTS: usize = 5;
const MIN_SPAN_DAYS: f64 = 14.0;
/// Running out sooner than this is a warning.
const WARN_DAYS: f64 = 90.0;
/// Forecasts further out than this are not worth a date.
const HORIZON_DAYS: f64 = 3652.0;
const DAYS_PER_MONTH: f64 = 365.2425 / 12.0;

/// How fast backups grow: bytes per day, and the newest fitted size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Growth {
    pub bytes_per_day: f64,
    pub current_size: f64,
}

impl Growth {
    fn per_month_words(&self) -> String {
        let share = self.bytes_per_day * DAYS_PER_MONTH / self.current_size.max(1.0) * 100.0;
        format!("{share:+.1}%/month")
    }
}

/// Least-squares slope of backup size over business day.
pub fn fit_growth(points: &[(NaiveDate, u64)]) -> Option<Growth> {
    let first = points.iter().map(|(day, _)| *day).min()?;
    let xy: Vec<(f64, f64)> = points
        .iter()
        .map(|(day, size)| ((*day - first).num_days() as f64, *size as f64))
        .collect();
    let n = xy.len() as f64;
    let span = xy.iter().map(|(x, _)| *x).fold(0.0, f64::max);
    if xy.len() < MIN_POINTS || span < MIN_SPAN_DAYS {
        return None;
    }
    let mean_x = xy.iter().map(|(x, _)| x).sum::<f64>() / n;
    let mean_y = xy.iter().map(|(_, y)| y).sum::<f64>() / n;
    let sxx: f64 = xy.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    let sxy: f64 = xy.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    Some(Growth {
        bytes_per_day: slope,
        current_size: mean_y + slope * (span - mean_x),
    })
}

/// One location's space, as the check sees it.
struct Place {
    subject: String,
    title: String,
    total: u64,
    free: u64,
    reserve: u64,
    /// Backups it holds (each grows with the fitted rate).
    backups: usize,
    /// "as last seen 2026-03-30" for absent disks.
    note: String,
}

pub fn free_space(patient: &Patient) -> Vec<Check> {
    let points: Vec<(NaiveDate, u64)> = patient
        .plan
        .backups
        .iter()
        .filter(|b| b.day_backup && b.size > 0)
        .map(|b| (b.business_day, b.size))
        .collect();
    let growth = fit_growth(&points);
    let mut checks = Vec::new();
    let mut unknown = Vec::new();
    for (subject, place) in places(patient) {
        match place {
            Some(place) => checks.push(space_check(patient, &place, growth)),
            None => unknown.push(subject),
        }
    }
    for subject in unknown {
        checks.push(
            Check::titled("free-space", format!("Free space on {subject}"))
                .about(subject.clone())
                .warn(
                    "the operating system does not say how much room is left there",
                    "check the free space by hand (Finder's Get Info, or `df -h`)",
                ),
        );
    }
    checks
}

/// The server, every known disk and every staging folder (None: space unknown).
fn places(patient: &Patient) -> Vec<(String, Option<Place>)> {
    let policy = patient.policy;
    let inventory = patient.inventory;
    let mut places = Vec::new();
    let server = inventory.source.space.map(|space| Place {
        subject: String::from("server"),
        title: String::from("the server's drive"),
        total: space.total,
        free: space.free,
        reserve: policy.source.reserve.bytes_of(space.total),
        backups: inventory.source.backups.len(),
        note: String::new(),
    });
    places.push((String::from("server"), server));
    for label in policy.disks.labels() {
        let views: Vec<_> = inventory.disk(label).collect();
        let Some(disk) = views
            .iter()
            .find(|d| d.is_connected())
            .or_else(|| views.iter().max_by_key(|d| d.last_seen))
        else {
            continue; // never seen: disk-labelled fails already
        };
        let space = disk
            .mount
            .as_ref()
            .map(|m| m.space)
            .or(disk.space_when_seen);
        let note = match (disk.is_connected(), disk.last_seen) {
            (false, Some(seen)) => patient
                .business_day(seen)
                .map(|day| format!(" (as last seen, {})", ago(day, patient.today())))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let place = space.filter(|s| s.total > 0).map(|space| Place {
            subject: label.to_string(),
            title: format!("disk {label}"),
            total: space.total,
            free: space.free,
            reserve: policy.disks.reserve.bytes_of(space.total),
            backups: disk.copies.len(),
            note,
        });
        places.push((label.to_string(), place));
    }
    for target in &inventory.offsite {
        let place = target.space.map(|space| Place {
            subject: target.name.clone(),
            title: format!("the staging folder of {}", target.name),
            total: space.total,
            free: space.free,
            reserve: Reserve::bytes_of(policy.source.reserve, space.total),
            backups: target.staged.len(),
            note: String::new(),
        });
        places.push((target.name.clone(), place));
    }
    places
}

fn space_check(patient: &Patient, place: &Place, growth: Option<Growth>) -> Check {
    let check = Check::titled("free-space", format!("Free space on {}", place.title))
        .about(place.subject.clone());
    let state = format!(
        "{} free of {}, {} kept in reserve{}",
        bytes(place.free),
        bytes(place.total),
        bytes(place.reserve),
        place.note
    );
    let make_room = if place.subject == "server" {
        "the server keeps `source.keep_last` backups and those not yet copied to their disks: \
         connect the disks `rota plan` lists as pending, or free space on that drive"
            .to_string()
    } else {
        format!(
            "replace {} with a larger disk, or keep fewer backups on it (min_backups, the retention tiers)",
            place.title
        )
    };
    if place.free < place.reserve {
        return check.fail(format!("{state}: below the reserve"), make_room);
    }
    let room = (place.free - place.reserve) as f64;
    let Some(growth) = growth else {
        return check.pass(format!("{state}; too little history to forecast growth"));
    };
    let daily = growth.bytes_per_day * place.backups as f64;
    let rate = growth.per_month_words();
    if daily <= 0.0 {
        return check.pass(format!(
            "{state}; backups grow {rate}, so it is not filling"
        ));
    }
    let days = room / daily;
    if days > HORIZON_DAYS {
        return check.pass(format!(
            "{state}; at {rate} for its {} backups it will not fill within ten years",
            place.backups
        ));
    }
    let when = patient
        .today()
        .checked_add_days(chrono::Days::new(days as u64))
        .unwrap_or(patient.today());
    let forecast = format!(
        "{state}; at {rate} for its {} backups it reaches the reserve around {} (in about {} days)",
        place.backups,
        when.format("%Y-%m-%d"),
        days.round()
    );
    if days < WARN_DAYS {
        check.warn(forecast, make_room)
    } else {
        check.pass(forecast)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(offset: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(offset)
    }

    #[test]
    fn the_fit_finds_the_slope_of_steady_growth() {
        let points: Vec<(NaiveDate, u64)> =
            (0..30).map(|d| (day(d), 1_000_000 + 1_000 * d)).collect();
        let growth = fit_growth(&points).unwrap();
        assert!((growth.bytes_per_day - 1_000.0).abs() < 1e-6);
        assert!((growth.current_size - 1_029_000.0).abs() < 1e-3);
        assert_eq!(growth.per_month_words(), "+3.0%/month");
    }

    #[test]
    fn too_little_history_gives_no_forecast() {
        let few: Vec<(NaiveDate, u64)> = (0..4).map(|d| (day(d * 10), 100)).collect();
        assert_eq!(fit_growth(&few), None);
        let short: Vec<(NaiveDate, u64)> = (0..10).map(|d| (day(d), 100)).collect();
        assert_eq!(fit_growth(&short), None);
        let flat: Vec<(NaiveDate, u64)> = (0..20).map(|d| (day(d), 100)).collect();
        assert_eq!(fit_growth(&flat).unwrap().bytes_per_day, 0.0);
    }
}
