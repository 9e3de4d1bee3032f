//! Running rota unattended: the record of each `apply` run
//! (`state_dir/runs.jsonl`), the judgement of whether the office is healthy
//! (last run failed? a night missed?) that `rota status` reports, and its
//! renderings for people and for monitoring (Prometheus textfile).
//!
//! Everything here but [`record::append`] and [`record::read`] is pure: the
//! records, the policy, the inventory and the instant are passed in.

pub mod digest;
pub mod digest_state;
pub mod headline;
pub mod overdue;
pub mod prometheus;
pub mod record;
pub mod seconds;
pub mod status;
pub mod status_text;
pub mod swap;

pub use record::{
    DiskSeen, NotifyResult, RecordedCode, RunError, RunOutcome, RunRecord, WarningDetail,
};
pub use status::{Health, Status};
