//! rota: a backup retention-policy and disk-rotation planner for small practices.
//!
//! The pipeline (see docs/architecture.md): a policy file is parsed and validated into a
//! [`policy::Policy`]; the office [`calendar`] turns wall-clock names into business
//! days and periods; the [`inventory`] says what is where; [`retention`] and
//! [`placement`] decide what must be kept where; [`plan`] turns the difference
//! into ordered actions; the executor carries them out.

pub mod calendar;
pub mod cli;
pub mod content_hash;
pub mod contingency;
pub mod execute;
pub mod explain;
pub mod explain_past;
pub mod flush;
pub mod hygiene;
pub mod inventory;
pub mod media;
pub mod nightly;
pub mod notify;
pub mod offsite;
pub mod page_cache;
pub mod placement;
pub mod plan;
pub mod policy;
pub mod probe;
pub mod recovery;
pub mod render;
pub mod retention;
pub mod schedule;
pub mod simulate;
pub mod user;
pub mod words;

#[cfg(test)]
mod import_graph_tests;
#[cfg(test)]
mod test_support;
