//! Typed values written as text in a policy: sizes ("2 TB"), percentages ("10%"),
//! reserves (either), times of day ("05:00"), weekdays ("mon"), month-days
//! ("12-31") and dates. Each parser returns a short reason on failure; the
//! validator turns it into a diagnostic pointing at the text.

use std::fmt;

use chrono::{NaiveDate, NaiveTime, Weekday};

/// A number of bytes. Parsed from "500 GB", "2TB", "1.5 TiB", "123" (bytes).
/// Decimal units (kB, MB, GB, TB) are powers of 1000, as disk makers label them;
/// binary units (KiB, MiB, GiB, TiB) are powers of 1024.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Size(pub u64);

impl Size {
    pub fn bytes(self) -> u64 {
        self.0
    }

    pub fn parse(text: &str) -> Result<Size, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: f64 = number
            .parse()
            .map_err(|_| format!("`{text}` does not start with a number"))?;
        let multiplier = unit_multiplier(unit.trim())
            .ok_or_else(|| format!("`{}` is not a size unit", unit.trim()))?;
        let bytes = number * multiplier;
        if !bytes.is_finite() || bytes >= u64::MAX as f64 {
            return Err(format!("`{text}` is too large"));
        }
        Ok(Size(bytes.round() as u64))
    }
}

fn unit_multiplier(unit: &str) -> Option<f64> {
    let lower = unit.to_ascii_lowercase();
    let value = match lower.as_str() {
        "" | "b" | "bytes" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "p" | "pb" => 1e15,
        "kib" => 1024.0,
        "mib" => 1024.0_f64.powi(2),
        "gib" => 1024.0_f64.powi(3),
        "tib" => 1024.0_f64.powi(4),
        _ => return None,
    };
    Some(value)
}

impl fmt::Display for Size {
    /// Human sizes with decimal units, as on a disk's box: "1.2 GB", "512 B".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
        let mut value = self.0 as f64;
        let mut unit = 0;
        while value >= 1000.0 && unit < UNITS.len() - 1 {
            value /= 1000.0;
            unit += 1;
        }
        if unit == 0 {
            write!(f, "{} B", self.0)
        } else if value >= 100.0 {
            write!(f, "{value:.0} {}", UNITS[unit])
        } else {
            write!(f, "{value:.1} {}", UNITS[unit])
        }
    }
}

/// Space to keep free: a share of the whole disk or a fixed size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reserve {
    Percent(f64),
    Size(Size),
}

impl Reserve {
    pub fn parse(text: &str) -> Result<Reserve, String> {
        let trimmed = text.trim();
        if let Some(number) = trimmed.strip_suffix('%') {
            let percent: f64 = number
                .trim()
                .parse()
                .map_err(|_| format!("`{trimmed}` is not a percentage"))?;
            if !(0.0..100.0).contains(&percent) {
                return Err(format!("{percent}% leaves no room for backups"));
            }
            return Ok(Reserve::Percent(percent));
        }
        Size::parse(trimmed).map(Reserve::Size)
    }

    /// Bytes to keep free on a disk of `total` bytes.
    pub fn bytes_of(self, total: u64) -> u64 {
        match self {
            Reserve::Percent(percent) => (total as f64 * percent / 100.0).ceil() as u64,
            Reserve::Size(size) => size.0,
        }
    }
}

impl Default for Reserve {
    fn default() -> Self {
        Reserve::Percent(10.0)
    }
}

impl fmt::Display for Reserve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reserve::Percent(percent) => write!(f, "{percent}%"),
            Reserve::Size(size) => write!(f, "{size}"),
        }
    }
}

/// "05:00" or "5:00" (24-hour clock).
pub fn parse_time_of_day(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| format!("`{text}` is not a time of day like \"05:00\""))
}

/// The weekday names a policy may use, in the order they are suggested.
pub const WEEKDAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// "mon", "Monday", "TUE", ...
pub fn parse_weekday(text: &str) -> Option<Weekday> {
    let lower = text.trim().to_ascii_lowercase();
    let full = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let index = WEEKDAY_NAMES
        .iter()
        .position(|short| *short == lower)
        .or_else(|| full.iter().position(|long| *long == lower))?;
    Weekday::try_from(index as u8).ok()
}

pub fn weekday_name(day: Weekday) -> &'static str {
    WEEKDAY_NAMES[day.num_days_from_monday() as usize]
}

/// "2026-11-26".
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date like 2026-11-26"))
}

/// "12-31" → (12, 31).
pub fn parse_month_day(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{text}` is not a month and day like \"12-31\"");
    let (month, day) = text.trim().split_once('-').ok_or_else(bad)?;
    let month: u32 = month.parse().map_err(|_| bad())?;
    let day: u32 = day.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    Ok((month, day))
}

/// Whether (month, day) is the last day of that month. February ends on the 28th
/// or, in leap years, the 29th; both are accepted as "the end of February".
pub fn is_month_end(month: u32, day: u32) -> bool {
    match month {
        2 => day == 28 || day == 29,
        4 | 6 | 9 | 11 => day == 30,
        _ => day == 31,
    }
}

/// The last day of `month` in a non-leap year, for "did you mean" help.
pub fn month_end_day(month: u32) -> u32 {
    match month {
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(Size::parse("2 TB"), Ok(Size(2_000_000_000_000)));
        assert_eq!(Size::parse("2TB"), Ok(Size(2_000_000_000_000)));
        assert_eq!(Size::parse("1.5 GiB"), Ok(Size(1_610_612_736)));
        assert_eq!(Size::parse("6GB"), Ok(Size(6_000_000_000)));
        assert_eq!(Size::parse("123"), Ok(Size(123)));
        assert!(Size::parse("lots").is_err());
        assert!(Size::parse("2 TBs").is_err());
        assert!(Size::parse("1e400 TB").is_err());
        assert_eq!(Size(1_234_000_000).to_string(), "1.2 GB");
        assert_eq!(Size(512).to_string(), "512 B");
        assert_eq!(Size(250_000_000_000).to_string(), "250 GB");
    }

    #[test]
    fn reserves() {
        assert_eq!(Reserve::parse("10%"), Ok(Reserve::Percent(10.0)));
        assert_eq!(
            Reserve::parse("50 GB"),
            Ok(Reserve::Size(Size(50_000_000_000)))
        );
        assert!(Reserve::parse("100%").is_err());
        assert!(Reserve::parse("ten%").is_err());
        assert_eq!(Reserve::Percent(10.0).bytes_of(1000), 100);
    }

    #[test]
    fn days_and_times() {
        assert_eq!(parse_weekday("Mon"), Some(Weekday::Mon));
        assert_eq!(parse_weekday("saturday"), Some(Weekday::Sat));
        assert_eq!(parse_weekday("mnd"), None);
        assert!(parse_time_of_day("05:00").is_ok());
        assert!(parse_time_of_day("25:00").is_err());
        assert_eq!(parse_month_day("06-30"), Ok((6, 30)));
        assert!(parse_month_day("13-01").is_err());
        assert!(is_month_end(2, 29));
        assert!(!is_month_end(6, 31));
        assert!(!is_month_end(12, 30));
    }
}
