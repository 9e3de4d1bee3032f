//! `rota apply`: the safety invariants night after night, crashes, changing and
//! distrusted backups, bundles and captured exports.

mod bundle;
mod capture_source;
mod changing;
mod command;
mod crash;
mod date_only_names;
mod distrust;
mod interleavings;
mod month;
