//! Each disk's movements, derived from the media log: a disk that a run saw
//! and the previous run did not has come (back) to the server; a disk the
//! previous run saw and this one did not has left it. Where it went is not
//! something rota sees: the detail says where the policy expects it (the
//! safe, or off-site with someone), as expected, never as fact. Pure.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::inventory::media_log::MediaRecord;
use crate::plan::media_destination;
use crate::policy::Policy;

/// What happened to a disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Move {
    /// Seen for the first time.
    FirstSeen,
    /// Seen again after a run that did not see it.
    Back,
    /// Not seen by a run after one that saw it.
    Left,
    /// Taken out of the rotation (`rota disk retire`).
    Retired,
}

impl Move {
    pub fn words(self) -> &'static str {
        match self {
            Move::FirstSeen => "first seen at the server",
            Move::Back => "back at the server",
            Move::Left => "left the server",
            Move::Retired => "retired",
        }
    }
}

/// One movement of one disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Movement {
    /// When the run that noticed it ran (a disk that left was gone by then).
    pub at: DateTime<Utc>,
    pub label: String,
    pub id: String,
    pub what: Move,
    /// Where it went, who was responsible, where it was mounted, ...
    pub detail: String,
}

/// Every movement of every disk, oldest first.
pub fn movements(policy: &Policy, records: &[MediaRecord]) -> Vec<Movement> {
    // Disk id → (label, when last seen, mount) of the disks at the server.
    let mut present: BTreeMap<String, (String, DateTime<Utc>)> = BTreeMap::new();
    let mut known: BTreeMap<String, String> = BTreeMap::new();
    let mut found = Vec::new();
    let custodian = policy.disks.custodian();
    for record in records {
        for (id, (label, last)) in &present {
            if record.seen.iter().any(|seen| &seen.id == id) {
                continue;
            }
            let night = policy.office.calendar.today(last);
            let whither = night
                .map(|night| media_destination(policy, label, night))
                .unwrap_or_else(|| String::from("away from the server"));
            let mut detail = format!(
                "last seen {}; expected {whither} (as the policy says; rota does not see where a disk goes)",
                local(policy, *last).format("%Y-%m-%d %H:%M")
            );
            if let Some(custodian) = custodian {
                detail.push_str(&format!("; custodian: {custodian}"));
            }
            found.push(Movement {
                at: record.at,
                label: label.clone(),
                id: id.clone(),
                what: Move::Left,
                detail,
            });
        }
        present.retain(|id, _| record.seen.iter().any(|seen| &seen.id == id));
        for seen in &record.seen {
            if !present.contains_key(&seen.id) {
                let what = if known.contains_key(&seen.id) {
                    Move::Back
                } else {
                    Move::FirstSeen
                };
                found.push(Movement {
                    at: record.at,
                    label: seen.label.clone(),
                    id: seen.id.clone(),
                    what,
                    detail: seen
                        .mount
                        .as_ref()
                        .map(|mount| format!("connected at {}", mount.display()))
                        .unwrap_or_default(),
                });
            }
            present.insert(seen.id.clone(), (seen.label.clone(), record.at));
            known.insert(seen.id.clone(), seen.label.clone());
        }
        if let Some(retired) = &record.retired {
            // Retired, it is out of the rotation: rota no longer sees it, so
            // its absence from later runs is no movement.
            present.remove(&retired.id);
            found.push(Movement {
                at: record.at,
                label: retired.label.clone(),
                id: retired.id.clone(),
                what: Move::Retired,
                detail: format!(
                    "{} rota cop{} {}; never written again",
                    retired.removed,
                    if retired.removed == 1 { "y" } else { "ies" },
                    if retired.destroyed {
                        "overwritten and removed"
                    } else {
                        "removed"
                    }
                ),
            });
        }
    }
    found
}

pub fn local(policy: &Policy, at: DateTime<Utc>) -> chrono::DateTime<chrono_tz::Tz> {
    at.with_timezone(&policy.office.calendar.timezone)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::inventory::media_log::{RetiredDisk, SeenDisk};

    fn policy() -> Policy {
        let text = include_str!("../../policies/vendor-guide.yaml");
        crate::policy::load_str(text, Path::new("/office/rota.yaml"))
            .unwrap()
            .policy
    }

    fn run(at: &str, seen: &[&str]) -> MediaRecord {
        let at: DateTime<Utc> = at.parse().unwrap();
        MediaRecord {
            at,
            when: at,
            command: String::from("apply"),
            seen: seen
                .iter()
                .map(|label| SeenDisk {
                    label: label.to_string(),
                    id: format!("id-{label}"),
                    mount: None,
                })
                .collect(),
            actions: Some(1),
            failed: Some(0),
            retired: None,
            written: Vec::new(),
        }
    }

    fn moves(found: &[Movement]) -> Vec<(String, Move)> {
        found.iter().map(|m| (m.label.clone(), m.what)).collect()
    }

    #[test]
    fn disks_come_leave_and_come_back() {
        let records = [
            run("2026-03-31T03:45:00Z", &["MON"]),
            run("2026-04-01T03:45:00Z", &["TUE"]),
            run("2026-04-01T12:00:00Z", &["TUE"]),
            run("2026-04-02T03:45:00Z", &["MON", "TUE"]),
        ];
        let found = movements(&policy(), &records);
        assert_eq!(
            moves(&found),
            [
                ("MON".into(), Move::FirstSeen),
                ("MON".into(), Move::Left),
                ("TUE".into(), Move::FirstSeen),
                ("MON".into(), Move::Back),
            ]
        );
        // MON took Monday's backup: the policy sends it off-site with the
        // office manager, which rota expects but cannot see.
        assert!(
            found[1]
                .detail
                .contains("expected off-site with Office manager (as the policy says"),
            "{}",
            found[1].detail
        );
    }

    #[test]
    fn a_retirement_is_a_movement() {
        let mut retire = run("2026-04-01T15:00:00Z", &["MON", "TUE"]);
        retire.retired = Some(RetiredDisk {
            label: String::from("MON"),
            id: String::from("id-MON"),
            removed: 3,
            destroyed: true,
        });
        let later = run("2026-04-02T03:45:00Z", &["TUE"]);
        let records = [run("2026-03-31T03:45:00Z", &["MON", "TUE"]), retire, later];
        let found = movements(&policy(), &records);
        // TUE stays connected throughout; MON, retired, does not "leave"
        // when later runs no longer see it.
        let whats: Vec<_> = found.iter().map(|m| (m.label.as_str(), m.what)).collect();
        assert_eq!(
            whats,
            [
                ("MON", Move::FirstSeen),
                ("TUE", Move::FirstSeen),
                ("MON", Move::Retired),
            ]
        );
        let last = found.last().unwrap();
        assert_eq!(
            last.detail,
            "3 rota copies overwritten and removed; never written again"
        );
    }
}
