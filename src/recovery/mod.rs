//! Disaster recovery (`rota restore`): put a backup back where a person can
//! use it, from the best copy there is, checked against the hash recorded
//! when it was copied. With a policy, every location rota knows is searched
//! ([`choose`]); with a disk alone, its label and manifest are enough, and a
//! lost manifest is rebuilt from the folder ([`lone_disk`]).
//!
//! Restoring ([`write`]) writes only into the destination folder the person
//! chose, under a temporary name until the backup is whole and checked, and
//! never replaces anything there; it never changes a copy, a manifest or the
//! source folder. Each restore is logged as an access to patient data
//! ([`access_log`]).

pub mod access_log;
pub mod choose;
pub mod lone_disk;
pub mod name_date;
pub mod salvage;
pub mod source;
pub mod write;
