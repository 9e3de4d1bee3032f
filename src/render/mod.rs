//! Text for people, made from plain data: the policy summary of `rota check`,
//! the plan diff, and the swap sheets. Pure: no clock, no filesystem (templates
//! are embedded; a folder of overrides is read by the CLI and passed in).

pub mod policy_summary;
pub mod sheet;
