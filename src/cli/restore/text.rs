//! What `rota restore` prints: the list of what a disk (or the office)
//! holds, each copy tried, and the closing summary of what was restored from
//! where with its checksum. Wording only: the choices are made elsewhere.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::inventory::EntryKind;
use crate::plan::Plan;
use crate::recovery::choose::{AbsentHolder, NotFound};
use crate::recovery::lone_disk::{LoneDisk, ManifestState};
use crate::recovery::source::CopySource;
use crate::recovery::write::{Failure, Restored};
use crate::words::format::{bytes, plural};

/// How instants are shown: in the office's time zone when a policy gives
/// it, else in UTC (a disk alone does not know where it was written).
#[derive(Debug, Clone, Copy)]
pub struct Times(pub Option<Tz>);

impl Times {
    /// "2026-03-31 23:55" (office time) or "2026-04-01 03:55 UTC".
    pub fn at(self, at: DateTime<Utc>) -> String {
        match self.0 {
            Some(tz) => at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
            None => at.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }

    /// The date of an instant, where the office is.
    pub fn day_of(self, at: DateTime<Utc>) -> String {
        match self.0 {
            Some(tz) => at.with_timezone(&tz).date_naive().to_string(),
            None => at.date_naive().to_string(),
        }
    }
}

fn kind_word(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::File => "file",
        EntryKind::Bundle => "bundle",
    }
}

/// Rows as left-aligned columns, two spaces apart, with a header.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &[String]| {
        let mut text = String::from("  ");
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell:<width$}  ", width = widths[i]);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(
        &mut out,
        &header.iter().map(ToString::to_string).collect::<Vec<_>>(),
    );
    for row in rows {
        line(&mut out, row);
    }
    out
}

/// `rota restore --disk PATH --list`.
pub fn disk_listing(disk: &LoneDisk, shown_path: &str, times: Times) -> String {
    let mut out = String::new();
    match &disk.label {
        Some(label) => {
            let _ = writeln!(
                out,
                "Disk {} (id {}, labelled {}) at {shown_path}",
                label.label,
                label.short_id(),
                label.labelled_at.format("%Y-%m-%d")
            );
        }
        None => {
            let _ = writeln!(
                out,
                "{} at {shown_path} (no label file)",
                capitalized(&disk.words())
            );
        }
    }
    if let Some(problem) = &disk.label_problem {
        let _ = writeln!(out, "Its label file cannot be used: {problem}");
    }
    match &disk.manifest {
        // A freshly labelled disk: nothing to rebuild or distrust.
        _ if disk.is_empty() => {
            let _ = writeln!(
                out,
                "It is empty: rota has not copied any backup to it yet (a disk gets its first \
                 backups on its first night)."
            );
        }
        ManifestState::Trusted => {
            let verified = disk
                .last_verified
                .map(|at| format!(", every copy last re-checked {}", times.at(at)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "Its manifest records {}{verified}.",
                plural(
                    disk.entries.iter().filter(|e| e.record.is_some()).count(),
                    "copy",
                    "copies"
                )
            );
        }
        state => {
            let (why, salvaged) = match state {
                ManifestState::Damaged { reason, salvaged } => {
                    (format!("cannot be used: {reason}"), *salvaged)
                }
                _ => (
                    format!("is missing ({})", crate::inventory::layout::MANIFEST_FILE),
                    0,
                ),
            };
            let checked = if salvaged > 0 {
                format!(
                    "{} still whole in it check those copies; for the others nothing records \
                     what they should hash to, so they cannot be verified",
                    plural(salvaged, "record", "records")
                )
            } else {
                String::from(
                    "nothing records what these copies should hash to, so none of them can be verified",
                )
            };
            let _ = writeln!(
                out,
                "Its manifest {why}.\nThis list was rebuilt from what is in {}: {checked}. A \
                 restore still copies an unverified one out, with the checksum it computes, and \
                 says it is unverified.",
                disk.copies_dir.display()
            );
        }
    }
    out.push('\n');
    if disk.entries.is_empty() {
        out.push_str("  (no backups on it)\n");
    } else {
        let rows: Vec<Vec<String>> = disk
            .entries
            .iter()
            .map(|entry| {
                let kind = if entry.stored.is_encrypted() {
                    format!("{}, encrypted", kind_word(entry.kind))
                } else {
                    kind_word(entry.kind).to_string()
                };
                let verified = match (&entry.record, entry.verified_at()) {
                    _ if entry.size_differs() => {
                        String::from("DAMAGED (size differs from the manifest)")
                    }
                    (Some(_), Some(at)) if disk.manifest.rebuilt() => {
                        format!("{} (damaged manifest)", times.at(at))
                    }
                    (Some(_), Some(at)) => times.at(at),
                    (Some(_), None) => String::from("copied, never verified"),
                    (None, _) if disk.manifest == ManifestState::Missing => {
                        String::from("unverified (no manifest)")
                    }
                    (None, _) if disk.manifest.rebuilt() => {
                        String::from("unverified (no whole record)")
                    }
                    (None, _) => String::from("unverified (not in the manifest)"),
                };
                vec![
                    entry.name.clone(),
                    entry
                        .date
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| String::from("-")),
                    kind,
                    bytes(entry.size()),
                    verified,
                ]
            })
            .collect();
        out.push_str(&table(
            &["BACKUP", "DATE", "KIND", "SIZE", "VERIFIED"],
            &rows,
        ));
    }
    if !disk.missing.is_empty() {
        let _ = writeln!(
            out,
            "\nThe manifest also records {} no longer on the disk: {}.",
            plural(disk.missing.len(), "copy", "copies"),
            disk.missing
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !disk.is_empty() {
        let _ = writeln!(
            out,
            "\nTo restore one: rota restore --disk {shown_path} BACKUP --to FOLDER (or --latest, --date YYYY-MM-DD)"
        );
    }
    out
}

/// `rota restore POLICY --list`: every backup rota knows and where.
pub fn office_listing(plan: &Plan, connected: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Backups of {} (today is {}):\n",
        plan.office, plan.today
    );
    let rows: Vec<Vec<String>> = plan
        .backups
        .iter()
        .map(|backup| {
            let places: Vec<String> = backup
                .locations
                .iter()
                .map(|l| {
                    let name = l.name().to_string();
                    if name != "server" && !connected.contains(&name) {
                        format!("{name} (not connected)")
                    } else {
                        name
                    }
                })
                .collect();
            vec![
                backup.name.clone(),
                backup.business_day.to_string(),
                kind_word(backup.kind).to_string(),
                bytes(backup.size),
                if places.is_empty() {
                    String::from("no verified copy")
                } else {
                    places.join(", ")
                },
            ]
        })
        .collect();
    if rows.is_empty() {
        out.push_str("  (no backups known)\n");
    } else {
        out.push_str(&table(
            &["BACKUP", "BUSINESS DAY", "KIND", "SIZE", "COPIES"],
            &rows,
        ));
    }
    out
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "disk MON (encrypted, verified 2026-03-31 23:55)".
pub fn source_words(source: &CopySource, times: Times) -> String {
    let mut notes = Vec::new();
    if source.is_encrypted() {
        notes.push(String::from("encrypted"));
    }
    match (&source.origin, source.verified_at()) {
        (crate::recovery::source::Origin::Server, _) => {}
        (_, Some(at)) => notes.push(format!("verified {}", times.at(at))),
        (_, None) if source.expected.is_none() => {
            notes.push(String::from("no recorded checksum"));
        }
        (_, None) => notes.push(String::from("never verified")),
    }
    if notes.is_empty() {
        source.origin.words()
    } else {
        format!("{} ({})", source.origin.words(), notes.join(", "))
    }
}

/// The line printed when a copy could not be restored; `more`: whether
/// another copy will be tried.
pub fn failed_line(failure: &Failure, more: bool) -> String {
    let next = if more && failure.try_another() {
        "; trying the next copy"
    } else {
        ""
    };
    format!("    not used: {}{next}", failure.words())
}

/// The closing summary of a restore.
pub fn summary(
    source: &CopySource,
    restored: &Restored,
    skipped: &[(CopySource, Failure)],
    times: Times,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Restored {}", source.name);
    let _ = writeln!(out, "  to        {}", restored.path.display());
    let _ = writeln!(
        out,
        "  from      {}, {}",
        source_words(source, times),
        source.path.display()
    );
    let _ = writeln!(
        out,
        "  size      {} ({}, {} bytes)",
        bytes(restored.bytes),
        kind_word(restored.kind),
        restored.bytes
    );
    let _ = writeln!(out, "  checksum  blake3 {}", restored.hash);
    match &source.expected {
        Some(expected) if restored.checked => {
            let _ = writeln!(
                out,
                "            equal to the checksum {} recorded when it was copied on {}",
                expected.recorded_by,
                times.at(expected.record.copied_at)
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "            UNVERIFIED: no recorded checksum to compare it with; it is the \
                 checksum of what was restored"
            );
        }
    }
    if !skipped.is_empty() {
        let _ = writeln!(
            out,
            "\nWarning: {} not used:",
            plural(skipped.len(), "other copy was", "other copies were")
        );
        for (source, failure) in skipped {
            let _ = writeln!(
                out,
                "  {}: {}",
                source_words(source, times),
                failure.words()
            );
        }
    }
    out
}

/// Why no backup answers to the request, and what to try.
pub fn not_found(missing: &NotFound, where_words: &str) -> (String, String) {
    match missing {
        NotFound::Name { name, same_day } => (
            format!("there is no backup named {name} {where_words}"),
            if same_day.is_empty() {
                String::from("--list shows every backup there is; copy the name from it")
            } else {
                format!("backups of the same date: {}", same_day.join(", "))
            },
        ),
        NotFound::Date {
            date,
            before,
            after,
        } => {
            let nearest: Vec<String> = [
                before.map(|d| format!("{d} (before)")),
                after.map(|d| format!("{d} (after)")),
            ]
            .into_iter()
            .flatten()
            .collect();
            (
                format!("there is no backup of {date} {where_words}"),
                if nearest.is_empty() {
                    String::from("--list shows every backup there is")
                } else {
                    format!("the nearest dates with a backup: {}", nearest.join(", "))
                },
            )
        }
        NotFound::Nothing => (
            format!("there is no backup {where_words}"),
            String::from("check that this is the right disk or policy"),
        ),
    }
}

/// "connect disk THU: it holds a verified copy (verified 2026-03-02)".
pub fn fetch_disks(holders: &[AbsentHolder], times: Times) -> Option<String> {
    let first = holders.first()?;
    let verified = first
        .verified_at
        .map(|at| times.day_of(at))
        .unwrap_or_else(|| String::from("at an unknown date"));
    let labels: Vec<&str> = holders.iter().map(|h| h.label.as_str()).collect();
    Some(match labels.split_last() {
        Some((only, [])) => {
            format!("connect disk {only}: it holds a verified copy (verified {verified})")
        }
        Some((last, rest)) => format!(
            "connect {} or {last}: they hold verified copies (the latest verified {verified})",
            rest.join(", ")
        ),
        None => return None,
    })
}
