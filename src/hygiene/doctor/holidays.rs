//! `holidays-missing`: from October on, next year's closed dates are in the
//! policy once this year's are. Without them every holiday of next year
//! expects a backup (`missing-backup`) and next year's sheets show no
//! closures. Shown only from October, and only for an office that lists
//! closed dates at all.

use chrono::Datelike;

use super::{Check, Patient};
use crate::calendar::ASK_HOLIDAYS_FROM_MONTH;
use crate::plan::WarningCode;

pub fn holidays(patient: &Patient) -> Option<Check> {
    let today = patient.today();
    let calendar = &patient.policy.office.calendar;
    let this_year = today.year();
    let lists_this_year = calendar
        .closed
        .iter()
        .any(|span| span.from.year() <= this_year && this_year <= span.to.year());
    if today.month() < ASK_HOLIDAYS_FROM_MONTH || !lists_this_year {
        return None;
    }
    let next = this_year + 1;
    let check = Check::of_code(
        WarningCode::HolidaysMissing,
        format!("Next year's holidays are in the policy ({next})"),
    );
    Some(match crate::plan::holidays_missing(patient.policy, today) {
        Some(message) => check.problem(
            message,
            format!(
                "add {next}'s closed dates under `office.closed` in {} and run `rota check` on it",
                patient.policy_arg
            ),
        ),
        None => check.pass(format!(
            "closed dates are listed for {this_year} and {next}"
        )),
    })
}
