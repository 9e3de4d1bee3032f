//! `rota simulate`: a what-if run of a policy night by night over a period,
//! on a synthetic office (no real files), with the same planner `rota plan`
//! uses and the simulated executor of [`synthetic`]. It answers "are
//! five 2 TB disks enough for three years?" before an office buys them, and
//! checks every safety invariant every night.
//!
//! Pure: deterministic for a given policy and [`Assumptions`] (the random
//! mishaps come from a seeded generator); the CLI only parses, prints and
//! writes the report.

pub mod assumptions;
mod charts;
pub mod html;
mod prng;
pub mod report;
mod run;
pub mod synthetic;
pub mod text;
pub mod typical;

pub use assumptions::{Assumptions, Growth};
pub use prng::SplitMix64;
pub use report::Simulation;
pub use run::{simulate, simulate_office};

#[cfg(test)]
mod tests;
