//! rota's integration tests: one test binary (`cargo test --test cli`) that
//! drives the real `rota` binary and the library's public API, a module per
//! area, as casey/just and ripgrep lay theirs out. One binary links the
//! library and compiles the shared support once, instead of once per file.
//!
//! - `support`: the harness (`Rota`, `TempOffice`, real servers on loopback,
//!   the external tools); `apply_office` and `restore_office` build on it.
//! - one module per area; run one with `cargo test --test cli apply::crash`.
//!
//! Snapshots live in the top-level `snapshots/` folder under the names they
//! had when each file was its own test binary (see each area's `snapshot`).
//! Nothing here changes the process's environment or current folder: each
//! test passes what it needs to the commands it starts, so the tests can
//! share one process.

mod apply_office;
mod restore_office;
mod support;

mod apply;
mod contingency;
mod disk;
mod harness;
mod hygiene;
mod offsite;
mod onboarding;
mod plan;
mod policy;
mod restore;
mod schedule;
mod sheet;
mod signals;
