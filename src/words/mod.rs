//! Words for people and names for machines, shared by every layer: a leaf
//! module (it uses nothing of rota's but plain values), so the inventory, the
//! executor and the planner can say things the way the CLI does.
//!
//! Never decides anything and never touches the world.

pub mod format;
pub mod key;
