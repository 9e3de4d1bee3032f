//! What a simulation assumes about the office: the period, how large backups
//! are and how fast they grow, how often a backup is missed or the wrong disk
//! connected, the disks' and the server's size, and the random seed. Parsed
//! from the words an office would write (`6GB`, `2%/month`, `3%`).

use chrono::NaiveDate;
use serde::Serialize;

use crate::policy::values::Size;

/// Average days in a month, to turn a date difference into months of growth.
const DAYS_PER_MONTH: f64 = 365.2425 / 12.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assumptions {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Size of the first night's backup, in bytes.
    pub backup_size: u64,
    pub growth: Growth,
    /// Share of open nights on which the practice software makes no backup.
    pub missed_days: f64,
    /// Share of open nights on which staff connect another rotation disk.
    pub wrong_disk: f64,
    /// Size of every disk, in bytes.
    pub disk_size: u64,
    /// Size of the server's drive; `None`: as large as needed.
    pub server_size: Option<u64>,
    pub seed: u64,
}

impl Assumptions {
    /// The size of the backup made on `date`: the first size, compounded by
    /// the growth rate over the months since `from`.
    pub fn backup_size_on(&self, date: NaiveDate) -> u64 {
        let months = (date - self.from).num_days() as f64 / DAYS_PER_MONTH;
        let size = self.backup_size as f64 * (1.0 + self.growth.per_month).powf(months);
        if size.is_finite() && size < u64::MAX as f64 {
            size.round() as u64
        } else {
            u64::MAX / 4
        }
    }
}

/// Backup growth as written (`2%/month`) and as a monthly compound rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Growth {
    pub text: String,
    pub per_month: f64,
}

impl Growth {
    pub fn none() -> Growth {
        Growth {
            text: String::from("0%/month"),
            per_month: 0.0,
        }
    }

    /// `2%/month`, `25%/year`, `0.5%/week`, or a bare percentage (per month).
    pub fn parse(text: &str) -> Result<Growth, String> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (rate, unit) = match compact.split_once('/') {
            Some((rate, unit)) => (rate, unit.to_ascii_lowercase()),
            None => (compact.as_str(), String::from("month")),
        };
        let fraction = percentage(rate)?;
        let months_per_unit = match unit.as_str() {
            "month" | "mo" | "m" => 1.0,
            "year" | "yr" | "y" => 12.0,
            "week" | "wk" | "w" => 7.0 / DAYS_PER_MONTH,
            other => {
                return Err(format!(
                    "`{other}` is not a period; write the growth as 2%/month, 25%/year or 0.5%/week"
                ));
            }
        };
        if fraction <= -1.0 {
            return Err(format!("`{text}` would make backups vanish"));
        }
        Ok(Growth {
            text: format!("{}%/{unit}", trim_number(fraction * 100.0)),
            per_month: (1.0 + fraction).powf(1.0 / months_per_unit) - 1.0,
        })
    }
}

/// A share written as `3%` or `3` (percent), as a fraction in `0..=1`.
pub fn parse_share(text: &str) -> Result<f64, String> {
    let fraction = percentage(text.trim())?;
    if !(0.0..=1.0).contains(&fraction) {
        return Err(format!("`{text}` is not between 0% and 100%"));
    }
    Ok(fraction)
}

/// A size such as `6GB`, `2 TB` or `500GiB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    match Size::parse(text)?.bytes() {
        0 => Err(format!("`{text}` is no room at all")),
        bytes => Ok(bytes),
    }
}

fn percentage(text: &str) -> Result<f64, String> {
    let number = text.strip_suffix('%').unwrap_or(text).trim();
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a percentage such as 2%"))?;
    if !value.is_finite() {
        return Err(format!("`{text}` is not a percentage such as 2%"));
    }
    Ok(value / 100.0)
}

fn trim_number(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_rates_are_monthly_compound_rates() {
        let monthly = Growth::parse("2%/month").unwrap();
        assert!((monthly.per_month - 0.02).abs() < 1e-12);
        assert_eq!(monthly.text, "2%/month");
        let yearly = Growth::parse("26.824%/year").unwrap();
        assert!(
            (yearly.per_month - 0.02).abs() < 1e-5,
            "{}",
            yearly.per_month
        );
        assert!((Growth::parse("1").unwrap().per_month - 0.01).abs() < 1e-12);
        assert!(Growth::parse("0.5 % / week").unwrap().per_month > 0.02);
        assert_eq!(Growth::parse("0").unwrap().per_month, 0.0);
        for bad in ["fast", "2%/fortnight", "-100%/month", "NaN%"] {
            assert!(Growth::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shares_and_sizes() {
        assert_eq!(parse_share("3%").unwrap(), 0.03);
        assert_eq!(parse_share("0").unwrap(), 0.0);
        assert!(parse_share("120%").is_err());
        assert!(parse_share("-1%").is_err());
        assert_eq!(parse_size("6GB").unwrap(), 6_000_000_000);
        assert_eq!(parse_size("2 TB").unwrap(), 2_000_000_000_000);
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn a_backup_grows_by_the_rate_each_month() {
        let from: NaiveDate = "2026-01-01".parse().unwrap();
        let assumptions = Assumptions {
            from,
            to: from,
            backup_size: 1_000_000_000,
            growth: Growth::parse("2%/month").unwrap(),
            missed_days: 0.0,
            wrong_disk: 0.0,
            disk_size: 1,
            server_size: None,
            seed: 1,
        };
        assert_eq!(assumptions.backup_size_on(from), 1_000_000_000);
        let a_year_on = assumptions.backup_size_on("2027-01-01".parse().unwrap());
        assert!(
            (1_268_000_000..1_269_000_000).contains(&a_year_on),
            "{a_year_on}"
        );
    }
}
