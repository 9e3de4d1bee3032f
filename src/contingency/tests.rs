//! The plan on the vendor guide's office (`policies/vendor-guide.yaml`, with
//! its `contingency:` keys) after a few weeks of records: all six sections
//! with the office's facts, a restore test set against the RTO, disposal
//! records, blanks where the policy is silent, and a content hash that
//! ignores when the plan was made but not what it says.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::versions::{SavedVersion, list_in, next_version};
use super::*;
use crate::execute::audit::AuditRecord;
use crate::inventory::media_log::{MediaRecord, RetiredDisk, SeenDisk};
use crate::inventory::{DiskView, EntryKind, HashAlgorithm, Inventory, Mount, Space};
use crate::plan::Op;
use crate::policy::{self, Policy};

const POLICY_ARG: &str = "/Users/Shared/rota/rota.yaml";

fn vendor() -> Policy {
    crate::test_support::policy_at(crate::test_support::VENDOR_GUIDE, POLICY_ARG)
}

/// An instant in the office's time zone.
fn at(policy: &Policy, day: &str, time: &str) -> DateTime<Utc> {
    let date: NaiveDate = day.parse().unwrap();
    let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
    policy
        .office
        .calendar
        .instant_of(date.and_time(time))
        .with_timezone(&Utc)
}

fn disk(label: &str, id: &str, last_seen: DateTime<Utc>, connected: bool) -> DiskView {
    DiskView {
        label: label.to_string(),
        id: id.to_string(),
        mount: connected.then(|| Mount {
            path: format!("/Volumes/{label}").into(),
            space: Space {
                total: 2_000_000_000_000,
                free: 1_500_000_000_000,
            },
            network_fs: None,
        }),
        last_seen: Some(last_seen),
        last_verified: None,
        copies: BTreeMap::new(),
        strays: Vec::new(),
        unconfirmed: Default::default(),
        manifest_error: None,
        space_when_seen: None,
    }
}

fn restore(
    policy: &Policy,
    day: &str,
    ok: bool,
    ms: Option<u64>,
    user: Option<&str>,
) -> RestoreRecord {
    RestoreRecord {
        at: at(policy, day, "10:00"),
        date: day.parse().unwrap(),
        backup: String::from("MacPractice_2026-02-27_2330.mpbackup"),
        from: String::from("FRI"),
        ok,
        detail: if ok {
            String::from("content hash matches the manifest")
        } else {
            String::from("the restored copy's hash differs from the manifest")
        },
        duration_ms: ms,
        user: user.map(str::to_string),
    }
}

fn deletion(policy: &Policy, day: &str, op: Op, location: &str, reason: &str) -> AuditRecord {
    AuditRecord {
        when: at(policy, day, "23:58"),
        op,
        backup: String::from("MacPractice_2026-01-05_2330.mpbackup"),
        kind: EntryKind::File,
        size: 6_000_000_000,
        hash: Some(String::from("9f1c")),
        algorithm: HashAlgorithm::Blake3,
        location: location.to_string(),
        disk_id: Some(String::from("0ld0d15c0000")),
        path: "/Volumes/X/rota/MacPractice_2026-01-05_2330.mpbackup".into(),
        reason: reason.to_string(),
        action: 1,
        plan: String::from("p"),
        run: String::from("r"),
        plan_at: String::new(),
        archived_to: None,
        recovered: false,
        not_done: None,
    }
}

fn run(policy: &Policy, day: &str, command: &str, seen: &[(&str, &str)]) -> MediaRecord {
    let instant = at(policy, day, "23:55");
    MediaRecord {
        at: instant,
        when: instant,
        command: command.to_string(),
        seen: seen
            .iter()
            .map(|(label, id)| SeenDisk {
                label: label.to_string(),
                id: id.to_string(),
                mount: None,
            })
            .collect(),
        actions: Some(2),
        failed: Some(0),
        retired: None,
        written: Vec::new(),
    }
}

/// The vendor office at the end of March 31st, 2026: TUE connected, the
/// other disks in the safe or off-site, an old WED disk retired for
/// disposal on March 20th, three restore tests.
struct Office {
    policy: Policy,
    inventory: Inventory,
    restores: Vec<RestoreRecord>,
    audit: Vec<AuditRecord>,
    media: Vec<MediaRecord>,
    at: DateTime<Utc>,
}

impl Office {
    fn new() -> Office {
        let policy = vendor();
        let seen = |day: &str| at(&policy, day, "23:55");
        let inventory = Inventory {
            disks: vec![
                disk("TUE", "7e1bb2b43e1f59f3", seen("2026-03-31"), true),
                disk("MON", "1ffe6ff6a0b1c2d3", seen("2026-03-30"), false),
                disk("WED", "8991e4560a0b0c0d", seen("2026-03-25"), false),
                disk("THU", "4e5f75e4d5e6f708", seen("2026-03-26"), false),
                disk("FRI", "9f65eb92c1d2e3f4", seen("2026-03-27"), false),
            ],
            ..Inventory::default()
        };
        let mut retirement = run(
            &policy,
            "2026-03-20",
            "disk retire",
            &[("WED", "0ld0d15c0000")],
        );
        retirement.retired = Some(RetiredDisk {
            label: String::from("WED"),
            id: String::from("0ld0d15c0000"),
            removed: 2,
            destroyed: true,
        });
        let retired = "disk WED retired (rota disk retire), overwritten for disposal";
        let expired = "expired on MON: older than its newest 4 and held by no tier";
        Office {
            restores: vec![
                restore(&policy, "2025-12-15", true, None, None),
                restore(&policy, "2026-02-10", false, Some(41_200), Some("sam")),
                restore(&policy, "2026-03-02", true, Some(95_400), Some("sam")),
            ],
            audit: vec![
                deletion(&policy, "2026-03-20", Op::Destroy, "WED", retired),
                deletion(&policy, "2026-03-20", Op::Destroy, "WED", retired),
                deletion(&policy, "2026-03-30", Op::Remove, "MON", expired),
            ],
            media: vec![
                run(&policy, "2026-03-18", "apply", &[("WED", "0ld0d15c0000")]),
                retirement,
                run(
                    &policy,
                    "2026-03-25",
                    "apply",
                    &[("WED", "8991e4560a0b0c0d")],
                ),
                run(
                    &policy,
                    "2026-03-26",
                    "apply",
                    &[("THU", "4e5f75e4d5e6f708")],
                ),
                run(
                    &policy,
                    "2026-03-27",
                    "apply",
                    &[("FRI", "9f65eb92c1d2e3f4")],
                ),
                run(
                    &policy,
                    "2026-03-30",
                    "apply",
                    &[("MON", "1ffe6ff6a0b1c2d3")],
                ),
                run(
                    &policy,
                    "2026-03-31",
                    "apply",
                    &[("TUE", "7e1bb2b43e1f59f3")],
                ),
            ],
            at: at(&policy, "2026-03-31", "23:59"),
            inventory,
            policy,
        }
    }

    fn plan(&self) -> ContingencyPlan {
        build(&Evidence {
            policy: &self.policy,
            policy_arg: POLICY_ARG,
            inventory: &self.inventory,
            restores: &self.restores,
            audit: &self.audit,
            media: &self.media,
            at: self.at,
        })
    }
}

/// Every word the plan prints, in order, one space apart (for "does it say
/// X" checks that do not depend on where lines wrap).
fn words(plan: &ContingencyPlan) -> String {
    text::render(plan)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_plan_has_the_six_sections_in_order() {
    let plan = Office::new().plan();
    let ids: Vec<&str> = plan.sections.iter().map(|s| s.id).collect();
    assert_eq!(
        ids,
        [
            "backup-plan",
            "disaster-recovery",
            "emergency-mode",
            "testing",
            "criticality",
            "media-controls"
        ]
    );
    let html = html::render(&plan, html::Paper::Letter).unwrap();
    for id in ids {
        assert!(html.contains(&format!("data-section=\"{id}\"")), "{id}");
    }
    assert!(html.contains("size: letter"));
    assert!(!html.contains("<script"), "self-contained, nothing to run");
}

#[test]
fn the_plan_says_what_it_does_not_cover() {
    let text = words(&Office::new().plan());
    assert!(text.contains("This plan covers the backup parts of the practice's contingency plan"));
    assert!(text.contains("It does not cover the practice's risk analysis"));
}

#[test]
fn restore_tests_are_set_against_the_rto_with_their_duration_and_who() {
    let plan = Office::new().plan();
    let recovery = words(&plan);
    assert!(recovery.contains("8 hours: the practice must have its data back within 8 hours"));
    let section = plan.section("disaster-recovery").unwrap();
    let Some(Block::Table { rows, .. }) = section
        .blocks
        .iter()
        .find(|b| matches!(b, Block::Table { headers, .. } if headers[0] == "Restore test"))
    else {
        panic!("no restore-test table");
    };
    let row = |i: usize| -> Vec<String> { rows[i].iter().map(text::value).collect() };
    assert_eq!(row(0)[0], "2026-03-02");
    assert_eq!(row(0)[3], "1 min 35 s");
    assert_eq!(row(0)[4], "within (under 1%)");
    assert_eq!(row(1)[4], "FAILED");
    assert_eq!(row(2)[3], "—");
    assert_eq!(row(2)[4], "not measured");

    let mut office = Office::new();
    office.policy.contingency.rto = Some(crate::policy::Span::from_secs(60));
    let plan = office.plan();
    assert!(words(&plan).contains("OVER the RTO"));
    let log = words(&plan);
    assert!(log.contains("sam"), "the test log names who ran each test");
}

#[test]
fn missing_keys_print_as_blanks_named_by_their_keys() {
    let mut office = Office::new();
    office.policy.contingency = Default::default();
    let plan = office.plan();
    assert_eq!(
        plan.blank_keys(),
        [
            "contingency.key_custody",
            "contingency.contacts",
            "contingency.rto"
        ]
    );
    let text = words(&plan);
    assert!(text.contains("(fill in; policy key contingency.key_custody)"));
    assert!(text.contains("(A general text: the policy's contingency.emergency_mode replaces it"));
    assert_eq!(
        blank_keys(&office.policy, POLICY_ARG),
        plan.blank_keys(),
        "doctor names the same blanks the plan prints"
    );
}

#[test]
fn encrypted_copies_and_offsite_targets_get_their_own_commands() {
    let text = include_str!("../../policies/vendor-guide.yaml").replace(
        "  storage: \"fireproof safe in the front office\"\n",
        "  storage: \"fireproof safe in the front office\"\n  encrypt: { age_recipients: [\"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\"] }\n",
    ) + "offsite:\n  - name: cloud\n    path: \"/Users/Shared/Offsite Outbox\"\n    upload: { rclone: \"b2:lakeside/rota\" }\n    encrypt: { age_recipients: [\"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\"] }\n    retain: { business_days: 10, month_ends: 12 }\n";
    let mut office = Office::new();
    office.policy = policy::load_str(&text, Path::new(POLICY_ARG))
        .unwrap()
        .policy;
    let text = words(&office.plan());
    for command in [
        "rota restore /Users/Shared/rota/rota.yaml --latest --to ~/Restored --identity /Volumes/KEY/key.txt",
        "rota restore --disk /Volumes/MON --list",
        "rota restore --disk /Volumes/MON --latest --to ~/Restored --identity /Volumes/KEY/key.txt",
        "rclone copy b2:lakeside/rota ~/Offsite-cloud",
        "rota restore --disk ~/Offsite-cloud --latest --to ~/Restored --identity /Volumes/KEY/key.txt",
    ] {
        assert!(text.contains(command), "missing `{command}` in\n{text}");
    }
    assert!(text.contains("cloud: encrypted with age before they leave the server"));
}

#[test]
fn the_content_hash_ignores_when_but_not_what() {
    let office = Office::new();
    let plan = office.plan();
    let mut later = Office::new();
    later.at += chrono::Duration::minutes(1);
    assert_eq!(plan.content_hash(), later.plan().content_hash());
    let mut tested = Office::new();
    tested.restores.push(restore(
        &tested.policy,
        "2026-03-31",
        true,
        Some(60_000),
        Some("jordan"),
    ));
    assert_ne!(plan.content_hash(), tested.plan().content_hash());
    // The policy's digest follows the policy alone, not the records.
    assert_eq!(
        policy_digest(&office.policy, POLICY_ARG),
        policy_digest(&tested.policy, POLICY_ARG)
    );
    let mut changed = vendor();
    changed.contingency.rto = Some(crate::policy::Span::from_secs(4 * 3600));
    assert_ne!(
        policy_digest(&office.policy, POLICY_ARG),
        policy_digest(&changed, POLICY_ARG)
    );
    let mut notified = vendor();
    notified.notify.ntfy = Some(String::from("https://ntfy.sh/lakeside"));
    assert_eq!(
        policy_digest(&office.policy, POLICY_ARG),
        policy_digest(&notified, POLICY_ARG),
        "a key the plan does not print does not outdate it"
    );
}

#[test]
fn a_version_is_saved_only_when_the_content_changed() {
    let office = Office::new();
    let plan = office.plan();
    let date: NaiveDate = "2026-03-31".parse().unwrap();
    let digest = policy_digest(&office.policy, POLICY_ARG);
    let first = next_version(&[], &plan, &digest, office.at, date).unwrap();
    assert_eq!(first.revision, 1);
    assert_eq!(
        first.file,
        format!("2026-03-31-{}.html", &plan.content_hash()[..12])
    );
    assert!(
        next_version(
            std::slice::from_ref(&first),
            &plan,
            &digest,
            office.at,
            date
        )
        .is_none()
    );
    let mut changed = Office::new();
    changed.policy.contingency.rto = Some(crate::policy::Span::from_secs(3600));
    let changed_plan = changed.plan();
    let second = next_version(
        std::slice::from_ref(&first),
        &changed_plan,
        &policy_digest(&changed.policy, POLICY_ARG),
        office.at,
        date,
    )
    .unwrap();
    assert_eq!(second.revision, 2);
    let mut shown = changed_plan.clone();
    list_in(&mut shown, &[first, second]);
    assert_eq!(shown.revisions[0].changes, "first version");
    assert_eq!(
        shown.revisions[1].changes,
        "2. Disaster recovery plan (the policy changed)"
    );
}

#[test]
fn saved_versions_are_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let office = Office::new();
    let plan = office.plan();
    let date: NaiveDate = "2026-03-31".parse().unwrap();
    let version: SavedVersion = next_version(&[], &plan, "d", office.at, date).unwrap();
    let path = versions::save(dir.path(), &version, "<html>one</html>").unwrap();
    assert!(versions::save(dir.path(), &version, "<html>two</html>").is_err());
    assert_eq!(std::fs::read_to_string(path).unwrap(), "<html>one</html>");
    assert_eq!(versions::read(dir.path()).unwrap(), [version]);
}

/// The text form of the vendor office's plan, as the office prints it.
#[test]
fn the_plan_as_text() {
    let office = Office::new();
    let mut plan = office.plan();
    let date: NaiveDate = "2026-03-31".parse().unwrap();
    let digest = policy_digest(&office.policy, POLICY_ARG);
    let mut earlier_policy = vendor();
    earlier_policy.contingency.rto = None;
    let earlier = next_version(
        &[],
        &build(&Evidence {
            policy: &earlier_policy,
            policy_arg: POLICY_ARG,
            inventory: &office.inventory,
            restores: &office.restores[..2],
            audit: &office.audit,
            media: &office.media,
            at: office.at,
        }),
        &policy_digest(&earlier_policy, POLICY_ARG),
        office.at - chrono::Duration::days(29),
        "2026-03-02".parse().unwrap(),
    )
    .unwrap();
    let current = next_version(
        std::slice::from_ref(&earlier),
        &plan,
        &digest,
        office.at,
        date,
    )
    .unwrap();
    list_in(&mut plan, &[earlier, current]);
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("contingency_vendor_office_text", text::render(&plan));
    });
}
