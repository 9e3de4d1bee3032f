//! `office:`: the office's name and its calendar — time zone, open days,
//! closed dates (single days and ranges), when the business day starts, and
//! the fiscal year's end. Hooked from `mod.rs`; it builds the
//! [`Calendar`] every later section is judged against and only reports problems.

use std::str::FromStr;

use chrono::NaiveTime;
use chrono_tz::Tz;

use super::Validator;
use crate::calendar::{Calendar, ClosedSpan, FiscalYearEnd, FixedZone, fixed_offset_zone};
use crate::policy::PolicyCode;
use crate::policy::diagnostic::Problem;
use crate::policy::model::Office;
use crate::policy::raw::{RawClosedMap, RawOffice, Text};
use crate::policy::source_map::KeyPath;
use crate::policy::suggest::timezone_help;
use crate::policy::values::{
    is_month_end, month_end_day, parse_month_day, parse_time_of_day, parse_weekday,
};

impl Validator {
    pub(super) fn office(&mut self, raw: &RawOffice, path: &KeyPath) -> Office {
        if raw.name.as_str().trim().is_empty() {
            self.push(
                Problem::error(
                    PolicyCode::EmptyOfficeName,
                    path.key("name"),
                    "the office has no name",
                )
                .label("empty")
                .help("the name is printed on every sheet, e.g. `name: Lakeside Family Dental`"),
            );
        }
        let timezone = self.timezone(&raw.timezone, &path.key("timezone"));
        let open_days = self.weekdays(&raw.open_days, &path.key("open_days"));
        self.open_days_unreadable = raw
            .open_days
            .iter()
            .any(|day| parse_weekday(day.as_str()).is_none());
        if raw.open_days.is_empty() {
            self.push(
                Problem::error(
                    PolicyCode::NoOpenDays,
                    path.key("open_days"),
                    "the office is never open",
                )
                .label("no days listed")
                .help(
                    "list the days the office works, e.g. `open_days: [mon, tue, wed, thu, fri]`",
                ),
            );
        }
        let closed = raw
            .closed
            .iter()
            .enumerate()
            .filter_map(|(i, entry)| self.closed(&entry.0, &path.key("closed").index(i)))
            .collect();
        let day_starts_at = raw
            .day_starts_at
            .as_ref()
            .map(|text| self.time_of_day(text, &path.key("day_starts_at")))
            .unwrap_or(NaiveTime::MIN);
        let fiscal_year_end = raw
            .fiscal_year_end
            .as_ref()
            .map(|text| self.fiscal_year_end(text, &path.key("fiscal_year_end")))
            .unwrap_or_default();
        let calendar = Calendar::new(timezone, &open_days, closed, day_starts_at, fiscal_year_end);
        Office {
            name: raw.name.as_str().trim().to_string(),
            calendar,
        }
    }

    fn timezone(&mut self, text: &Text, path: &KeyPath) -> Tz {
        let written = text.as_str().trim();
        match Tz::from_str(written) {
            Ok(zone) => {
                if let Some(fixed) = fixed_offset_zone(written, zone) {
                    self.push(fixed_offset_problem(written, &fixed, path));
                }
                zone
            }
            Err(_) => {
                self.push(
                    Problem::error(
                        PolicyCode::UnknownTimezone,
                        path.clone(),
                        format!("unknown time zone `{}`", text.as_str()),
                    )
                    .label("not an IANA time zone")
                    .help(timezone_help(text.as_str())),
                );
                chrono_tz::UTC
            }
        }
    }

    fn closed(&mut self, raw: &RawClosedMap, path: &KeyPath) -> Option<ClosedSpan> {
        let name = raw.name.as_ref().map(|n| n.as_str().trim().to_string());
        match (&raw.date, &raw.from, &raw.to) {
            (Some(date), None, None) => {
                let date = self.date_value(
                    date,
                    &self.value_path(path, "date", raw.from.is_none() && raw.name.is_none()),
                )?;
                Some(ClosedSpan {
                    from: date,
                    to: date,
                    name,
                })
            }
            (None, Some(from), Some(to)) => {
                let from_date = self.date_value(from, &path.key("from"));
                let to_date = self.date_value(to, &path.key("to"));
                let (from_date, to_date) = (from_date?, to_date?);
                if from_date > to_date {
                    self.push(
                        Problem::error(
                            PolicyCode::ClosedRangeBackwards,
                            path.key("to"),
                            format!(
                                "the closed range ends ({to_date}) before it starts ({from_date})"
                            ),
                        )
                        .label("before `from`")
                        .help("`from` is the first closed day and `to` the last; swap them"),
                    );
                    return None;
                }
                Some(ClosedSpan {
                    from: from_date,
                    to: to_date,
                    name,
                })
            }
            _ => {
                self.push(
                    Problem::error(PolicyCode::ClosedEntryShape, path.clone(), "a closed entry needs either `date` or both `from` and `to`")
                        .label("neither a date nor a range")
                        .help("write `- 2026-11-26`, `- { date: 2026-11-26, name: Thanksgiving }` or `- { from: 2026-12-24, to: 2026-12-26 }`"),
                );
                None
            }
        }
    }

    /// A scalar shorthand (`- 2026-01-01`) has no `date` key in the source; point
    /// at the item itself then.
    fn value_path(&self, path: &KeyPath, key: &str, shorthand: bool) -> KeyPath {
        if shorthand {
            path.clone()
        } else {
            path.key(key)
        }
    }

    fn time_of_day(&mut self, text: &Text, path: &KeyPath) -> NaiveTime {
        parse_time_of_day(text.as_str()).unwrap_or_else(|reason| {
            self.push(
                Problem::error(PolicyCode::BadTime, path.clone(), reason)
                    .label("not a time")
                    .help("write a 24-hour time in quotes, e.g. \"05:00\""),
            );
            NaiveTime::MIN
        })
    }

    fn fiscal_year_end(&mut self, text: &Text, path: &KeyPath) -> FiscalYearEnd {
        let (month, day) = match parse_month_day(text.as_str()) {
            Ok(month_day) => month_day,
            Err(reason) => {
                self.push(
                    Problem::error(PolicyCode::BadMonthDay, path.clone(), reason)
                        .label("not MM-DD")
                        .help(
                            "write the fiscal year's last day as MM-DD in quotes, e.g. \"06-30\"",
                        ),
                );
                return FiscalYearEnd::DECEMBER;
            }
        };
        if !is_month_end(month, day) {
            let end = month_end_day(month);
            self.push(
                Problem::error(
                    PolicyCode::FiscalYearEndNotMonthEnd,
                    path.clone(),
                    format!("the fiscal year must end on the last day of a month; {month:02}-{day:02} is not"),
                )
                .label("not a month end")
                .help(format!("did you mean \"{month:02}-{end:02}\"?")),
            );
        }
        FiscalYearEnd::new(month).unwrap_or_default()
    }
}

/// `fixed-offset-zone`: a zone named for an offset (`MST`, `Etc/GMT+7`) never
/// changes for summer time; the office's city zone does.
fn fixed_offset_problem(written: &str, fixed: &FixedZone, path: &KeyPath) -> Problem {
    let cities: Vec<String> = fixed.cities.iter().map(|c| format!("`{c}`")).collect();
    let mut instead = match cities.as_slice() {
        [] => String::from("write the time zone of the office's city, e.g. `America/Denver`"),
        [city] => format!("write the office's city zone, e.g. {city}"),
        [rest @ .., last] => format!(
            "write the office's city zone, e.g. {} or {last}",
            rest.join(", ")
        ),
    };
    if let Some(steady) = fixed.steady {
        instead.push_str(&format!(
            " (or `{steady}` if the office never changes its clocks)"
        ));
    }
    Problem::warning(
        PolicyCode::FixedOffsetZone,
        path.clone(),
        format!(
            "`{written}` is a fixed offset ({}) with no daylight-saving rules",
            fixed.offset_words
        ),
    )
    .label("never changes for summer time")
    .help(format!(
        "{instead}: with a fixed offset, the nightly schedule and \"today\" are an hour off \
         whenever the office's clocks are on summer time"
    ))
}
