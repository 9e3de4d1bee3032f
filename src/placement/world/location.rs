//! A place a backup can be: the server, a disk by its label, or an off-site
//! target by its name, with the name rota prints and reads back.

use std::fmt;

use crate::policy::Policy;

/// A place a backup can be.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    Server,
    Disk(String),
    Offsite(String),
}

impl Location {
    pub fn name(&self) -> &str {
        match self {
            Location::Server => "server",
            Location::Disk(label) => label,
            Location::Offsite(name) => name,
        }
    }

    /// Parses a name as printed (`server`, a disk label, a target name).
    pub fn from_name(name: &str, policy: &Policy) -> Option<Location> {
        if name == "server" {
            Some(Location::Server)
        } else if policy.disks.labels().contains(&name) {
            Some(Location::Disk(name.to_string()))
        } else if policy.offsite_target(name).is_some() {
            Some(Location::Offsite(name.to_string()))
        } else {
            None
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
