//! The validated `contingency:` section: the facts of the office's written
//! contingency plan that rota cannot know (`rota contingency` prints the
//! rest from the policy and its own records). Every key is optional: what is
//! missing prints as a blank to fill in by hand, and `rota doctor` names it.
//! Plain data; the plan itself is built in `crate::contingency`.

use serde::{Deserialize, Serialize};

use super::duration::Span;
use crate::words::key::serde_keys;

/// `contingency:`; `Contingency::default()` when the policy has none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contingency {
    /// Whether the policy has a `contingency:` section at all.
    pub given: bool,
    /// The recovery time objective: how long the practice can be without
    /// its data (`rto: 8h`).
    pub rto: Option<Span>,
    /// Where the encryption key or password is kept: the place, never the
    /// secret itself.
    pub key_custody: Option<String>,
    /// Whom to call, in order.
    pub contacts: Vec<Contact>,
    /// What staff do while the server is down (the plan has a default).
    pub emergency_mode: Option<String>,
    /// Systems and data besides the practice database, for the criticality
    /// analysis.
    pub criticality: Vec<CriticalSystem>,
}

/// One person to call; a missing field prints as a blank.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    pub role: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// One entry of the criticality analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriticalSystem {
    pub name: String,
    pub priority: Option<Priority>,
    pub notes: Option<String>,
}

/// How soon a system must be back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Critical,
    High,
    Medium,
    Low,
}

serde_keys!(Priority);

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Critical,
        Priority::High,
        Priority::Medium,
        Priority::Low,
    ];
}

impl Contingency {
    /// The keys the plan prints as blanks, as policy key paths
    /// (`contingency.rto`, `contingency.contacts[1].phone`).
    pub fn blank_keys(&self) -> Vec<String> {
        let mut blank = Vec::new();
        if self.rto.is_none() {
            blank.push(String::from("contingency.rto"));
        }
        if self.key_custody.is_none() {
            blank.push(String::from("contingency.key_custody"));
        }
        if self.contacts.is_empty() {
            blank.push(String::from("contingency.contacts"));
        }
        for (i, contact) in self.contacts.iter().enumerate() {
            let fields = [
                ("role", &contact.role),
                ("name", &contact.name),
                ("phone", &contact.phone),
                ("email", &contact.email),
            ];
            for (key, value) in fields {
                if value.is_none() {
                    blank.push(format!("contingency.contacts[{i}].{key}"));
                }
            }
        }
        blank
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_missing_is_named_by_its_key() {
        assert_eq!(
            Contingency::default().blank_keys(),
            [
                "contingency.rto",
                "contingency.key_custody",
                "contingency.contacts"
            ]
        );
        let partial = Contingency {
            rto: Some(Span::from_secs(8 * 3600)),
            key_custody: Some(String::from("bank safe-deposit box")),
            contacts: vec![Contact {
                role: Some(String::from("IT support")),
                name: Some(String::from("Sam Okafor")),
                phone: None,
                email: Some(String::from("sam@example.com")),
            }],
            ..Contingency::default()
        };
        assert_eq!(partial.blank_keys(), ["contingency.contacts[0].phone"]);
    }
}
