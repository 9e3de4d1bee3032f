//! `rota restore`: from the server and disks with a policy, and from a lone
//! disk without one.

mod command;
mod disk;
