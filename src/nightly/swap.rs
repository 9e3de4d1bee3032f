//! The `disk-not-swapped` warning: the same rotation disk was connected on
//! two consecutive open-day runs when the rotation wanted a different disk
//! the second night (staff forgot the swap). The plan sees one night only, so
//! this compares tonight's run with the previous one's record.

use chrono::{Datelike, NaiveDate};

use super::record::{DiskSeen, RunRecord, WarningDetail};
use crate::plan::WarningCode;
use crate::policy::Policy;

/// The warnings for tonight (`today`, with `disks` connected) given the runs
/// recorded before it.
pub fn not_swapped(
    policy: &Policy,
    previous: &[RunRecord],
    today: NaiveDate,
    disks: &[DiskSeen],
) -> Vec<WarningDetail> {
    let calendar = &policy.office.calendar;
    let Some(yesterday) = today
        .pred_opt()
        .and_then(|day| calendar.open_day_on_or_before(day))
    else {
        return Vec::new();
    };
    let Some(last) = previous
        .iter()
        .filter(|run| run.today == Some(yesterday))
        .max_by_key(|run| run.at)
    else {
        return Vec::new();
    };
    let wanted = |day: NaiveDate| -> Vec<&str> {
        policy
            .disks
            .for_weekday(day.weekday())
            .map(|d| d.label.as_str())
            .collect()
    };
    let tonight = wanted(today);
    if tonight == wanted(yesterday) {
        return Vec::new();
    }
    disks
        .iter()
        .filter(|disk| policy.disks.is_rotation(&disk.label))
        .filter(|disk| !tonight.contains(&disk.label.as_str()))
        .filter(|disk| last.disks.iter().any(|seen| seen.id == disk.id))
        .map(|disk| WarningDetail {
            code: WarningCode::DiskNotSwapped.into(),
            message: format!(
                "disk {} was connected on {yesterday} and is still connected on {today}, when the rotation wants {}: it was not swapped",
                disk.label,
                tonight.join(" or ")
            ),
        })
        .collect()
}
