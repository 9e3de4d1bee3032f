//! How dates, disk lists and long-term flags are written on a sheet. Every
//! string a template shows is made here or next to it, so templates only place
//! text (tera cannot format dates, and a custom template should not have to).

use chrono::{Datelike, NaiveDate};

use crate::calendar::PeriodKind;

/// "Tue 31 Mar" (day space-padded so a column of them lines up).
pub fn short_date(date: NaiveDate) -> String {
    date.format("%a %e %b").to_string()
}

/// "Tuesday 31 March 2026".
pub fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

/// "Tuesday".
pub fn weekday(date: NaiveDate) -> String {
    date.format("%A").to_string()
}

/// "31 March" or "31 March 2026" when the year is not `year`.
pub fn day_month(date: NaiveDate, year: i32) -> String {
    if date.year() == year {
        date.format("%-d %B").to_string()
    } else {
        date.format("%-d %B %Y").to_string()
    }
}

/// "26 November", "24 to 26 December", "21 December to 1 January 2027" (years
/// shown when not `year`).
pub fn day_span(from: NaiveDate, to: NaiveDate, year: i32) -> String {
    if from == to {
        day_month(from, year)
    } else if from.year() == to.year() && from.month() == to.month() {
        format!("{} to {}", from.day(), day_month(to, year))
    } else {
        format!("{} to {}", day_month(from, year), day_month(to, year))
    }
}

/// "Monday 30 March to Sunday 5 April 2026" (both years when they differ).
pub fn date_range(first: NaiveDate, last: NaiveDate) -> String {
    format!(
        "{} to {}",
        first.format("%A ").to_string() + &day_month(first, last.year()),
        long_date(last)
    )
}

/// "MON", "MON and TUE", "MON, TUE and WED".
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", rest.join(", "), last.as_ref())
        }
    }
}

/// "or" instead of "and": "ARCHIVE-A or ARCHIVE-B".
pub fn or_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} or {}", rest.join(", "), last.as_ref())
        }
    }
}

/// The period a long-term flag names: "month-end", "quarter-end", "fiscal-year-end".
pub fn period_end(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Month => "month-end",
        PeriodKind::FiscalQuarter => "quarter-end",
        PeriodKind::FiscalYear => "fiscal-year-end",
        PeriodKind::BusinessDay => "business-day",
    }
}

/// "month-end and quarter-end" for a night's long-term periods ("" for none).
pub fn long_term_periods(kinds: &[PeriodKind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|kind| period_end(*kind)).collect();
    and_list(&names)
}

/// "month-end and quarter-end backup" for a night's long-term periods ("" for
/// none).
pub fn long_term_backup(kinds: &[PeriodKind]) -> String {
    match kinds {
        [] => String::new(),
        kinds => format!("{} backup", long_term_periods(kinds)),
    }
}

/// What a long-term night means for its disk, in words that do not take it
/// out of the rotation: "this disk now holds the month-end backup: it stays
/// in the rotation" ("" for none).
pub fn long_term_note(kinds: &[PeriodKind], disks: usize) -> String {
    if kinds.is_empty() {
        return String::new();
    }
    let (subject, it) = if disks > 1 {
        ("these disks now hold", "they stay")
    } else {
        ("this disk now holds", "it stays")
    };
    format!(
        "{subject} the {}: {it} in the rotation",
        long_term_backup(kinds)
    )
}

/// "1 day", "8 days".
pub fn days(count: i64) -> String {
    if count == 1 {
        String::from("1 day")
    } else {
        format!("{count} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::date;

    #[test]
    fn dates_read_the_same_in_every_english_speaking_office() {
        assert_eq!(short_date(date("2026-03-31")), "Tue 31 Mar");
        assert_eq!(short_date(date("2026-04-04")), "Sat  4 Apr");
        assert_eq!(long_date(date("2026-04-05")), "Sunday 5 April 2026");
        assert_eq!(
            date_range(date("2026-03-30"), date("2026-04-05")),
            "Monday 30 March to Sunday 5 April 2026"
        );
        assert_eq!(
            day_span(date("2026-12-24"), date("2026-12-25"), 2026),
            "24 to 25 December"
        );
        assert_eq!(
            day_span(date("2026-12-21"), date("2027-01-01"), 2026),
            "21 December to 1 January 2027"
        );
        assert_eq!(
            date_range(date("2026-12-28"), date("2027-01-03")),
            "Monday 28 December 2026 to Sunday 3 January 2027"
        );
    }

    #[test]
    fn lists_and_long_term_words() {
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(and_list(&["MON"]), "MON");
        assert_eq!(and_list(&["MON", "TUE", "WED"]), "MON, TUE and WED");
        assert_eq!(or_list(&["A", "B"]), "A or B");
        assert_eq!(
            long_term_backup(&[PeriodKind::Month, PeriodKind::FiscalQuarter]),
            "month-end and quarter-end backup"
        );
        assert_eq!(long_term_backup(&[]), "");
        assert_eq!(
            long_term_note(&[PeriodKind::Month], 1),
            "this disk now holds the month-end backup: it stays in the rotation"
        );
        assert_eq!(long_term_note(&[], 1), "");
        assert_eq!(days(1), "1 day");
        assert_eq!(days(8), "8 days");
    }
}
