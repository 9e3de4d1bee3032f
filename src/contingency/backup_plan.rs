//! Section 1, the data backup plan (45 CFR 164.308(a)(7)(ii)(A)): what is
//! backed up, when, where (each disk and its days, archive disks, off-site
//! targets), for how long (each tier in words), how it is encrypted and where
//! the key is kept, and who swaps, carries and keeps the disks. Pure: a
//! function of the policy alone.

use super::Evidence;
use super::document::{Block, Section, Value};
use crate::media::encryption_words;
use crate::policy::{Carry, Count, Expired, Policy, Tier};
use crate::render::policy_summary::{backups_of, day_list, tier_line};

pub fn section(evidence: &Evidence) -> Section {
    let policy = evidence.policy;
    let mut blocks = vec![
        Block::heading("What is backed up"),
        Block::paragraph(what_words(policy)),
        Block::heading("When"),
        when_facts(policy),
        Block::heading("Where"),
        where_table(policy),
        Block::facts([("Off-site", Value::text(offsite_words(policy)))]),
        Block::heading("How long"),
        Block::list(how_long(policy)),
        Block::heading("Encryption and keys"),
    ];
    blocks.push(encryption_facts(policy));
    blocks.push(Block::paragraph(
        "The plan names where a key or password is kept, never the secret itself. Without it \
         encrypted copies cannot be restored: keep it away from the server and the disks, and \
         check once a year that it is still there.",
    ));
    blocks.push(Block::heading("Who does what"));
    blocks.push(who_facts(policy));
    Section {
        id: "backup-plan",
        number: 1,
        title: "Data backup plan",
        cites: "45 CFR 164.308(a)(7)(ii)(A)",
        blocks,
    }
}

fn what_words(policy: &Policy) -> String {
    let source = &policy.source;
    let example = source.pattern.as_str();
    let mut words = match &source.capture {
        Some(export) => format!(
            "The practice software overwrites its export {} every night. Once it has changed and \
             settled for {}, rota copies it into {} as a dated backup named by the pattern \"{example}\" (the date and time it was made)",
            export.display(),
            source.settle,
            source.path.display()
        ),
        None => format!(
            "The practice software writes one backup of the practice database a day to {} on the \
             server, named by the pattern \"{example}\" (the date and time it was made)",
            source.path.display()
        ),
    };
    words.push_str(&format!(
        ". The server keeps its newest {}; rota copies each backup to the backup disks{}, checks \
         every copy against the original's checksum before counting it, and deletes an older \
         backup from the server only once its copies are verified.",
        source.keep_last,
        if policy.offsite.is_empty() {
            ""
        } else {
            " and off-site"
        }
    ));
    words
}

fn when_facts(policy: &Policy) -> Block {
    let calendar = &policy.office.calendar;
    let mut facts = vec![(
        "Open days",
        Value::text(format!(
            "{} ({})",
            day_list(&calendar.open_weekdays()),
            calendar.timezone.name()
        )),
    )];
    let holidays: Vec<String> = calendar
        .closed
        .iter()
        .map(|span| {
            let dates = if span.from == span.to {
                span.from.to_string()
            } else {
                format!("{} to {}", span.from, span.to)
            };
            match &span.name {
                Some(name) => format!("{dates} {name}"),
                None => dates,
            }
        })
        .collect();
    facts.push((
        "Closed",
        Value::text(if holidays.is_empty() {
            String::from("no holidays listed in the policy")
        } else {
            holidays.join("; ")
        }),
    ));
    let nightly = match &policy.schedule {
        Some(schedule) => format!(
            "rota apply runs at {} each open day{}, after the practice software's backup",
            schedule.at.format("%H:%M"),
            schedule
                .wait_text()
                .map(|wait| format!(" and waits up to {wait} for that backup to appear and settle"))
                .unwrap_or_default()
        ),
        None => String::from(
            "rota apply --yes is run each open night after the practice software's backup (the \
             policy has no schedule: rota schedule install sets one up)",
        ),
    };
    facts.push(("Nightly", Value::text(nightly)));
    if calendar.day_starts_at != chrono::NaiveTime::MIN {
        facts.push((
            "Day boundary",
            Value::text(format!(
                "a backup made before {} counts for the day before",
                calendar.day_starts_at.format("%H:%M")
            )),
        ));
    }
    Block::facts(facts)
}

fn where_table(policy: &Policy) -> Block {
    let disks = &policy.disks;
    let mut rows: Vec<Vec<Value>> = disks
        .rotation
        .iter()
        .map(|disk| {
            vec![
                Value::text(&disk.label),
                Value::text("rotation"),
                Value::text(format!(
                    "backups of {}: the newest {}, and every one kept (see How long)",
                    day_list(&disk.days),
                    disks.min_backups
                )),
            ]
        })
        .collect();
    if let Some(archive) = &disks.archive {
        let tiers: Vec<&str> = archive.tiers.iter().map(|tier| tier_name(*tier)).collect();
        for label in &archive.labels {
            rows.push(vec![
                Value::text(label),
                Value::text("archive"),
                Value::text(format!("the {} backups, kept long-term", tiers.join(", "))),
            ]);
        }
    }
    for target in &policy.offsite {
        let place = match &target.upload {
            Some(upload) => format!(
                "staged in {}, uploaded with rclone to {}",
                target.path.display(),
                upload.remote
            ),
            None => format!("copied to {}", target.path.display()),
        };
        rows.push(vec![
            Value::text(&target.name),
            Value::text("off-site target"),
            Value::text(place),
        ]);
    }
    Block::table(
        &["Where", "Kind", "Holds"],
        rows,
        "no disk is named in the policy",
    )
}

fn tier_name(tier: Tier) -> &'static str {
    match tier {
        Tier::BusinessDays => "business-day",
        Tier::MonthEnds => "month-end",
        Tier::QuarterEnds => "quarter-end",
        Tier::FiscalYearEnds => "fiscal-year-end",
        Tier::Last => "newest",
    }
}

fn offsite_words(policy: &Policy) -> String {
    let mut parts = Vec::new();
    if let Some(offsite) = &policy.disks.offsite {
        let by = offsite
            .by
            .as_deref()
            .map(|by| format!(" ({by})"))
            .unwrap_or_default();
        parts.push(match &offsite.carry {
            Carry::Previous => format!("each morning last night's disk leaves the building{by}"),
            Carry::Days(days) => {
                format!("the disk with {} leaves the building{by}", backups_of(days))
            }
        });
    }
    for target in &policy.offsite {
        parts.push(format!("copies go to off-site target {}", target.name));
    }
    if parts.is_empty() {
        String::from(
            "no copy leaves the building: a fire or theft would take the backups with the server \
             (the vendor guide recommends an off-site copy)",
        )
    } else {
        parts.join("; ")
    }
}

fn how_long(policy: &Policy) -> Vec<String> {
    let mut items: Vec<String> = Tier::ALL
        .iter()
        .filter_map(|tier| tier_line(*tier, policy.retain.count(*tier)))
        .map(|line| format!("On the disks: {line}."))
        .collect();
    if items.is_empty() {
        items.push(String::from(
            "On the disks: each disk's newest backups only (every retention tier is 0).",
        ));
    }
    for target in &policy.offsite {
        let lines: Vec<String> = Tier::ALL
            .iter()
            .filter(|tier| target.retain.count(**tier) != Count::NONE)
            .filter_map(|tier| tier_line(*tier, target.retain.count(*tier)))
            .collect();
        if !lines.is_empty() {
            items.push(format!(
                "Off-site at {}: {}.",
                target.name,
                lines.join("; ")
            ));
        }
    }
    if !policy.hold.is_empty() {
        items.push(format!(
            "On hold (legal or audit): {} never deleted anywhere, whatever the tiers say.",
            if policy.hold.len() == 1 {
                String::from("1 entry of the policy's hold list is")
            } else {
                format!(
                    "{} entries of the policy's hold list are",
                    policy.hold.len()
                )
            }
        ));
    }
    items.push(match policy.destruction.expired {
        Expired::Remove => String::from(
            "A copy no rule keeps any more is deleted, and the deletion written in the audit log.",
        ),
        Expired::Destroy => String::from(
            "A copy no rule keeps any more is overwritten, then deleted, and the deletion written in \
             the audit log.",
        ),
        Expired::Archive => format!(
            "A copy no rule keeps any more is moved to archive disk {}, and the move written in the \
             audit log.",
            policy.destruction.archive_to.as_deref().unwrap_or("?")
        ),
    });
    items
}

fn encryption_facts(policy: &Policy) -> Block {
    let source = match policy.source.encrypted {
        Some(true) => "encrypted by the practice software (source.encrypted)",
        Some(false) => "not encrypted by the practice software (source.encrypted: false)",
        None => "not said: set source.encrypted to say whether the practice software encrypts them",
    };
    let mut facts = vec![
        ("The practice software's backups", Value::text(source)),
        ("Copies on the disks", Value::text(encryption_words(policy))),
    ];
    if !policy.offsite.is_empty() {
        let targets: Vec<String> = policy
            .offsite
            .iter()
            .map(|target| {
                format!(
                    "{}: {}",
                    target.name,
                    if target.encrypt.is_some() {
                        "encrypted with age before they leave the server"
                    } else {
                        "NOT encrypted"
                    }
                )
            })
            .collect();
        facts.push(("Off-site copies", Value::text(targets.join("; "))));
    }
    facts.push((
        "Where the key or password is kept",
        Value::or_blank(
            policy.contingency.key_custody.clone(),
            "contingency.key_custody",
        ),
    ));
    Block::facts(facts)
}

fn who_facts(policy: &Policy) -> Block {
    let disks = &policy.disks;
    let carrier = disks
        .offsite
        .as_ref()
        .map(|offsite| offsite.by.clone().unwrap_or_else(|| String::from("staff")))
        .unwrap_or_else(|| String::from("nobody: no disk leaves the building"));
    Block::facts([
        (
            "Swaps the disks",
            Value::text(
                "office staff, each open day, following the weekly swap sheet (rota sheet): last \
                 night's disk off in the morning, tonight's connected before leaving, initialled",
            ),
        ),
        (
            "Custodian of the disks",
            Value::or_blank(disks.custodian().map(str::to_string), "disks.custodian"),
        ),
        ("Carries disks off-site", Value::text(carrier)),
        (
            "Where disks are kept",
            Value::or_blank(disks.storage.clone(), "disks.storage"),
        ),
        (
            "Watches the backups",
            Value::text(
                "the IT support contact (section 2): rota status after each night, rota doctor, the \
                 restore tests of section 4",
            ),
        ),
    ])
}
