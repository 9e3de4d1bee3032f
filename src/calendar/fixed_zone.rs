//! Time zones that are a fixed offset from UTC rather than a place: `MST`,
//! `EST`, `HST`, `UTC`, `Etc/GMT+7`. They are valid IANA names, but they
//! never change for summer time: an office in Denver that writes `MST` has
//! its schedule, "today" and the settle clock an hour off all summer. `rota
//! check` warns `fixed-offset-zone` and suggests the city's zone.
//!
//! Pure: a function of the zone's name and its rules.

use chrono::{NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;

/// A zone named for an offset, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedZone {
    /// Its offset east of UTC, in minutes (MST: −420).
    pub offset_minutes: i32,
    /// "UTC−07:00".
    pub offset_words: String,
    /// City zones with this offset in winter, the likeliest first
    /// ("America/Denver"); empty when there is no obvious one.
    pub cities: &'static [&'static str],
    /// A city that keeps this offset all year, for an office that really never
    /// changes its clocks ("America/Phoenix" for UTC−07:00).
    pub steady: Option<&'static str>,
}

/// Names that are abbreviations or offsets, not places. (`EST5EDT` and the
/// like carry the US daylight-saving rules and are left alone; so are place
/// names whose country keeps one offset all year, such as `Asia/Tokyo`.)
const OFFSET_NAMES: [&str; 12] = [
    "UTC",
    "UCT",
    "GMT",
    "GMT0",
    "GMT+0",
    "GMT-0",
    "Greenwich",
    "Universal",
    "Zulu",
    "EST",
    "MST",
    "HST",
];

/// `Some` when `zone` (as written in the policy) is a fixed offset without
/// daylight-saving rules.
pub fn fixed_offset_zone(written: &str, zone: Tz) -> Option<FixedZone> {
    let named_for_offset = written.starts_with("Etc/") || OFFSET_NAMES.contains(&written);
    if !named_for_offset {
        return None;
    }
    let offset_on = |month: u32| {
        let day = NaiveDate::from_ymd_opt(2026, month, 15).and_then(|d| d.and_hms_opt(12, 0, 0))?;
        Some(zone.offset_from_utc_datetime(&day).fix().local_minus_utc() / 60)
    };
    let (winter, summer) = (offset_on(1)?, offset_on(7)?);
    (winter == summer).then(|| FixedZone {
        offset_minutes: winter,
        offset_words: offset_words(winter),
        cities: cities(winter),
        steady: steady_city(winter),
    })
}

/// "UTC−07:00", "UTC+05:30", "UTC".
fn offset_words(minutes: i32) -> String {
    if minutes == 0 {
        return String::from("UTC");
    }
    let sign = if minutes < 0 { '−' } else { '+' };
    let minutes = minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The city zones an office writing this offset most likely means.
fn cities(minutes: i32) -> &'static [&'static str] {
    match minutes {
        -600 => &["Pacific/Honolulu"],
        -540 => &["America/Anchorage"],
        -480 => &["America/Los_Angeles"],
        -420 => &["America/Denver"],
        -360 => &["America/Chicago"],
        -300 => &["America/New_York"],
        -240 => &["America/Halifax", "America/Puerto_Rico"],
        0 => &["America/New_York", "Europe/London"],
        60 => &["Europe/Berlin"],
        120 => &["Europe/Athens"],
        600 => &["Australia/Sydney"],
        _ => &[],
    }
}

/// A city zone without summer time at this offset, where the likely city has one.
fn steady_city(minutes: i32) -> Option<&'static str> {
    match minutes {
        -420 => Some("America/Phoenix"),
        -300 => Some("America/Panama"),
        600 => Some("Australia/Brisbane"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn check(name: &str) -> Option<FixedZone> {
        fixed_offset_zone(name, Tz::from_str(name).unwrap())
    }

    #[test]
    fn abbreviations_and_etc_offsets_are_fixed() {
        let mst = check("MST").unwrap();
        assert_eq!(mst.offset_minutes, -420);
        assert_eq!(mst.offset_words, "UTC−07:00");
        assert_eq!(mst.cities, &["America/Denver"]);
        assert_eq!(mst.steady, Some("America/Phoenix"));
        // Etc/GMT+7 is seven hours *behind* UTC (POSIX signs).
        assert_eq!(check("Etc/GMT+7").unwrap().offset_minutes, -420);
        assert_eq!(check("EST").unwrap().cities, &["America/New_York"]);
        assert_eq!(check("Etc/UTC").unwrap().offset_words, "UTC");
        assert_eq!(check("UTC").unwrap().offset_minutes, 0);
        assert!(check("Etc/GMT-14").unwrap().cities.is_empty());
    }

    #[test]
    fn place_names_and_zones_with_summer_rules_are_not() {
        for name in [
            "America/Denver",
            "America/Phoenix",
            "Asia/Tokyo",
            "EST5EDT",
            "MST7MDT",
            "Europe/London",
        ] {
            assert_eq!(check(name), None, "{name}");
        }
    }
}
