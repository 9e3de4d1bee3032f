//! Section 3, the emergency mode operation plan (45 CFR
//! 164.308(a)(7)(ii)(C)): what staff do while the server is down (the
//! office's own words from `contingency.emergency_mode`, or a general text
//! that says it is one), and how the backups are protected meanwhile. Pure.

use super::Evidence;
use super::document::{Block, Section};

/// Printed when the policy has no `contingency.emergency_mode`.
const DEFAULT_TEXT: &str = "Keep the practice running on paper: print the next day's schedule \
    each evening; while the server is down, record appointments, treatment notes and payments on \
    paper and enter them once the practice software runs again. Keep those papers locked away like \
    any chart. If ransomware or a break-in is suspected, disconnect the server from the network and \
    call the IT support contact before anything else.";

pub fn section(evidence: &Evidence) -> Section {
    let policy = evidence.policy;
    let mut blocks: Vec<Block> = match &policy.contingency.emergency_mode {
        Some(text) => text
            .split("\n\n")
            .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|paragraph| !paragraph.is_empty())
            .map(Block::paragraph)
            .collect(),
        None => vec![
            Block::paragraph(DEFAULT_TEXT),
            Block::paragraph(
                "(A general text: the policy's contingency.emergency_mode replaces it with the \
                 office's own procedure.)",
            ),
        ],
    };
    let storage = policy
        .disks
        .storage
        .as_deref()
        .map(|storage| format!("the {storage}"))
        .unwrap_or_else(|| String::from("their usual place"));
    blocks.push(Block::heading(
        "Protecting the backups while the server is down",
    ));
    blocks.push(Block::list([
        String::from(
            "Do not connect a backup disk to the failed server, or to any computer you do not \
             trust: ransomware encrypts every disk it can reach.",
        ),
        format!(
            "Keep every disk not in use in {storage}; a disk that is off-site stays off-site until \
             it is needed for a restore."
        ),
        String::from(
            "No nightly copy is made while the server is down, and rota deletes nothing: rota \
             status reports the missed nights, and the first night after the repair catches up.",
        ),
        String::from(
            "A restore is an access to patient data: rota restore with the policy writes it in the \
             audit log; without the policy, write down who restored what, when and why.",
        ),
    ]));
    Section {
        id: "emergency-mode",
        number: 3,
        title: "Emergency mode operation plan",
        cites: "45 CFR 164.308(a)(7)(ii)(C)",
        blocks,
    }
}
