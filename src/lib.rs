//! rota: a backup retention-policy and disk-rotation planner for small practices.
//!
//! The pipeline (see ARCHITECTURE.md): a policy file is parsed and validated into a
//! [`policy::Policy`]; the office [`calendar`] turns wall-clock names into business
//! days and periods; later stages decide what to keep, where, and what to do.

pub mod calendar;
pub mod cli;
pub mod inventory;
pub mod policy;
pub mod render;
