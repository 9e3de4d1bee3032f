//! Signals people can trust: run records, notifications, `status`, the digest
//! and a week of nights.

mod nightly_runs;
mod trust;
mod week;
