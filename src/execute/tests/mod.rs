//! The executor's tests, one file per area, all against a real office in a
//! temp folder (`office`): the safety invariants (`invariants`), archive moves
//! and staging folders (`archive`), injected faults (`faults`), and off-site
//! targets that encrypt and upload (`offsite`). `copy.rs` is included by
//! `execute/copy.rs` itself, as it tests that module's private helpers.

mod archive;
mod faults;
mod invariants;
pub(super) mod office;
mod offsite;
