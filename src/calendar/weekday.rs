//! A weekday's name in full, as every sentence rota writes says it
//! ("Monday"; chrono's `Display` says "Mon").

use chrono::Weekday;

/// "Monday" … "Sunday".
pub fn full_weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}
