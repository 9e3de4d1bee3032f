//! The policy front end: every broken fixture's diagnostics, property tests of
//! the parsers, the shipped example policies and the unattended keys.

mod diagnostics;
mod fuzz;
mod shipped;
mod unattended;
