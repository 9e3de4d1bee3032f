//! The policy file: its serde model, the validator that collects every problem,
//! and the diagnostics that point at the offending text.
//!
//! This module reads a string (or one file, in [`load`]) and never touches
//! anything else on disk; checks that need the filesystem (does the source folder
//! exist?) live with the commands that need them and report through [`Origin`].

mod code;
mod contingency;
mod diagnostic;
pub mod duration;
mod load;
mod model;
mod pattern_problem;
mod raw;
mod serde_pass;
mod source_map;
mod suggest;
mod syntax;
mod unattended;
mod validate;
pub mod values;

pub use code::PolicyCode;
pub use contingency::{Contact, Contingency, CriticalSystem, Priority};
pub use diagnostic::{PolicyDiagnostic, PolicyErrors, Problem, Target};
pub use duration::Span;
pub use load::{LoadedPolicy, Origin, load, load_for_home, load_str};
pub use model::*;
pub use source_map::{ByteSpan, KeyPath, Segment};
pub use suggest::{closest, edit_distance};
pub use unattended::*;
pub use validate::{
    DEFAULT_KEEP_LAST, DEFAULT_MIN_BACKUPS, DEFAULT_SETTLE, default_mount_search, resolve,
};
