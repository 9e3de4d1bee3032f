//! A backup's freshness on the server: settled, or still being written.
//!
//! The practice software writes a backup over minutes (a bundle of thousands
//! of files longer). rota copies a backup only once it has been unchanged
//! for `source.settle`, judged against the real time the source was listed
//! (never `--at`: the files' times are real times). One rule, worded one
//! way, for the planner (pending copies, `unsettled-backup`), the
//! `source.capture` export and `apply --wait`:
//!
//! - a backup whose last change is unknown is settled (nothing says it is
//!   being written);
//! - a backup dated in the future (a clock set wrong) is judged by its age
//!   as if it had changed just now: it waits `source.settle`, never forever.
//!
//! Pure: a function of times and the policy's `settle`.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// Whether a backup (or an export) is ready to be copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Unchanged for `source.settle` (or its last change is unknown).
    Settled,
    /// Changed `age` ago, less than `source.settle`: settled in `left` if it
    /// stops changing now.
    Settling { age: TimeDelta, left: TimeDelta },
}

impl Freshness {
    /// The freshness of something last changed at `modified`, listed at the
    /// real time `observed`, under `settle`.
    pub fn judge(
        settle: Duration,
        observed: Option<DateTime<Utc>>,
        modified: Option<DateTime<Utc>>,
    ) -> Freshness {
        let (Some(observed), Some(modified)) = (observed, modified) else {
            return Freshness::Settled;
        };
        let settle = TimeDelta::from_std(settle).unwrap_or(TimeDelta::MAX);
        let age = (observed - modified).max(TimeDelta::zero());
        if age < settle {
            Freshness::Settling {
                age,
                left: settle - age,
            }
        } else {
            Freshness::Settled
        }
    }

    /// How long ago it changed, while it is still settling.
    pub fn settling_age(self) -> Option<TimeDelta> {
        match self {
            Freshness::Settled => None,
            Freshness::Settling { age, .. } => Some(age),
        }
    }
}

/// The words for a backup still being written, as a pending copy's reason
/// and inside warnings.
pub fn still_being_written(age: TimeDelta) -> String {
    format!(
        "still being written (last changed {} min ago)",
        age.num_minutes()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<DateTime<Utc>> {
        Some(text.parse().unwrap())
    }

    const TEN_MINUTES: Duration = Duration::from_secs(600);

    #[test]
    fn younger_than_settle_is_settling_and_says_how_long_is_left() {
        let judged = Freshness::judge(
            TEN_MINUTES,
            at("2026-03-31T23:50:00Z"),
            at("2026-03-31T23:46:00Z"),
        );
        assert_eq!(
            judged,
            Freshness::Settling {
                age: TimeDelta::minutes(4),
                left: TimeDelta::minutes(6)
            }
        );
        assert_eq!(
            still_being_written(judged.settling_age().unwrap()),
            "still being written (last changed 4 min ago)"
        );
    }

    #[test]
    fn old_enough_or_of_unknown_age_is_settled() {
        let observed = at("2026-03-31T23:50:00Z");
        let old = Freshness::judge(TEN_MINUTES, observed, at("2026-03-31T23:40:00Z"));
        assert_eq!(old, Freshness::Settled);
        assert_eq!(
            Freshness::judge(TEN_MINUTES, observed, None),
            Freshness::Settled
        );
        assert_eq!(
            Freshness::judge(TEN_MINUTES, None, observed),
            Freshness::Settled
        );
    }

    #[test]
    fn a_backup_from_the_future_counts_as_changed_just_now() {
        let judged = Freshness::judge(
            TEN_MINUTES,
            at("2026-03-31T23:50:00Z"),
            at("2027-01-01T00:00:00Z"),
        );
        assert_eq!(
            judged,
            Freshness::Settling {
                age: TimeDelta::zero(),
                left: TimeDelta::minutes(10)
            }
        );
    }
}
