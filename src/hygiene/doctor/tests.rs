//! Doctor on synthetic offices: one run of the vendor guide's office through
//! the first quarter of 2026 passes every check; each broken variant fails
//! (or warns on) the check it breaks.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::*;
use crate::inventory::restore_log::RestoreRecord;
use crate::inventory::{CopyRecord, Inventory};
use crate::plan::make_plan;
use crate::policy::Policy;
use crate::simulate::synthetic::SyntheticOffice;
use crate::simulate::{Assumptions, Growth, simulate_office};
use crate::test_support::{date, vendor_policy};

const GB: u64 = 1_000_000_000;

/// The vendor guide's policy, saying that the practice software encrypts.
fn vendor() -> Policy {
    let mut policy = vendor_policy();
    policy.source.encrypted = Some(true);
    policy
}

/// The office after the nights of 2025-06-02 to 2026-03-31 (run once).
fn ten_months() -> &'static SyntheticOffice {
    static OFFICE: OnceLock<SyntheticOffice> = OnceLock::new();
    OFFICE.get_or_init(|| {
        let assumptions = Assumptions {
            from: date("2025-06-02"),
            to: date("2026-03-31"),
            backup_size: 6 * GB,
            growth: Growth::parse("2%/month").unwrap(),
            missed_days: 0.0,
            wrong_disk: 0.0,
            disk_size: 2_000 * GB,
            server_size: None,
            seed: 1,
        };
        let (simulation, office) = simulate_office(&vendor(), &assumptions);
        assert!(simulation.bug.is_none());
        office
    })
}

fn at(policy: &Policy, day: &str, time: &str) -> DateTime<Tz> {
    let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
    policy.office.calendar.instant_of(date(day).and_time(time))
}

fn restore_ok(day: &str) -> RestoreRecord {
    RestoreRecord {
        at: at(&vendor(), day, "10:00").with_timezone(&Utc),
        date: date(day),
        backup: String::from("MacPractice_2026-02-27_2330.mpbackup"),
        from: String::from("FRI"),
        ok: true,
        detail: String::new(),
        duration_ms: None,
        user: None,
    }
}

/// A case: the policy, the office, the instant, the restore log, and a last
/// change to the scanned inventory.
struct Case {
    policy: Policy,
    office: SyntheticOffice,
    at: DateTime<Tz>,
    restore_tests: Vec<RestoreRecord>,
    uploads: Vec<UploadFacts>,
    contingency: Option<ContingencyFacts>,
    first_run: Option<NaiveDate>,
}

impl Case {
    /// The healthy office at the end of March 31st, every disk verified a day
    /// ago and a restore test last month.
    fn healthy() -> Case {
        let policy = vendor();
        let at = at(&policy, "2026-03-31", "23:59");
        let mut office = ten_months().clone();
        office.server_total = 1_000 * GB;
        Case {
            policy,
            office,
            at,
            restore_tests: vec![restore_ok("2026-03-02")],
            uploads: Vec::new(),
            contingency: None,
            first_run: None,
        }
    }

    fn examine(&self) -> Report {
        self.examine_with(|_| {})
    }

    fn examine_with(&self, tweak: impl FnOnce(&mut Inventory)) -> Report {
        let mut inventory = self.office.inventory(&self.policy);
        let yesterday = self.at.with_timezone(&Utc) - chrono::Duration::days(1);
        for disk in &mut inventory.disks {
            disk.last_verified = Some(yesterday);
        }
        tweak(&mut inventory);
        let plan = make_plan(&self.policy, &inventory, self.at);
        examine(&Patient {
            policy: &self.policy,
            inventory: &inventory,
            plan: &plan,
            restore_tests: &self.restore_tests,
            at: self.at,
            policy_arg: "rota.yaml",
            uploads: &self.uploads,
            volumes: &[],
            server: None,
            contingency: self.contingency.as_ref(),
            first_run: self.first_run,
        })
    }

    /// Removes a backup from every location.
    fn lose(&mut self, name: &str) {
        self.office.source.remove(name);
        for disk in &mut self.office.disks {
            disk.copies.remove(name);
        }
    }

    fn disk(&mut self, label: &str) -> &mut crate::simulate::synthetic::SyntheticDisk {
        self.office.disk_mut(label).unwrap()
    }
}

/// The status of the check `id` (about `subject`, if given).
fn status(report: &Report, id: &str, subject: Option<&str>) -> Status {
    let check = report
        .checks
        .iter()
        .find(|c| c.id == id && c.subject.as_deref() == subject.or(c.subject.as_deref()))
        .filter(|c| subject.is_none() || c.subject.as_deref() == subject)
        .unwrap_or_else(|| {
            panic!(
                "no check {id} {subject:?}:\n{}",
                text::render(report, false)
            )
        });
    check.status
}

fn evidence<'a>(report: &'a Report, id: &str, subject: Option<&str>) -> &'a str {
    &report
        .checks
        .iter()
        .find(|c| c.id == id && (subject.is_none() || c.subject.as_deref() == subject))
        .unwrap()
        .evidence
}

#[test]
fn a_healthy_office_passes_every_check() {
    let report = Case::healthy().examine();
    let text = text::render(&report, false);
    assert_eq!(report.summary.fail, 0, "{text}");
    assert_eq!(report.summary.warn, 0, "{text}");
    assert!(!report.failed());
    let ids: std::collections::BTreeSet<&str> = report.checks.iter().map(|c| c.id).collect();
    for id in [
        "daily-backups",
        "newest-on-disk",
        "disk-labelled",
        "disk-recent",
        "disk-min-backups",
        "disk-verified",
        "retention-tier",
        "offsite-recent",
        "free-space",
        "restore-test",
        "encryption-source",
        "network-volume",
    ] {
        assert!(ids.contains(id), "{id} missing:\n{text}");
    }
    // Five disks, each with four checks.
    assert_eq!(
        report
            .checks
            .iter()
            .filter(|c| c.id.starts_with("disk-"))
            .count(),
        20
    );
}

#[test]
fn a_missed_day_fails_daily_backups() {
    let mut case = Case::healthy();
    case.lose("MacPractice_2026-03-25_2330.mpbackup");
    let report = case.examine();
    assert_eq!(status(&report, "daily-backups", None), Status::Fail);
    assert!(evidence(&report, "daily-backups", None).contains("Wednesday 2026-03-25"));
}

#[test]
fn an_unreadable_source_folder_fails_daily_backups() {
    let case = Case::healthy();
    let report = case.examine_with(|inventory| {
        inventory.source.error = Some(String::from("it does not exist"));
    });
    assert_eq!(status(&report, "daily-backups", None), Status::Fail);
    assert!(
        evidence(&report, "daily-backups", None).contains("cannot be read (it does not exist)")
    );
}

#[test]
fn todays_backup_not_yet_made_is_information_before_its_time_then_a_warning() {
    let mut case = Case::healthy();
    case.lose("MacPractice_2026-03-31_2330.mpbackup");
    // At noon: the practice software writes its backup at 23:30.
    case.at = at(&case.policy, "2026-03-31", "12:00");
    let report = case.examine();
    assert_eq!(status(&report, "daily-backups", None), Status::Info);
    assert!(evidence(&report, "daily-backups", None).contains("not due before 23:30"));
    assert_eq!(status(&report, "newest-on-disk", None), Status::Pass);
    // At 23:50 it should be there.
    case.at = at(&case.policy, "2026-03-31", "23:50");
    let report = case.examine();
    assert_eq!(status(&report, "daily-backups", None), Status::Warn);
}

#[test]
fn backups_left_on_the_server_fail_newest_on_disk() {
    let mut case = Case::healthy();
    for day in ["2026-04-01", "2026-04-02"] {
        let time = date(day).and_hms_opt(23, 30, 0).unwrap();
        case.office.add_backup(&case.policy, time, 6 * GB);
    }
    case.at = at(&case.policy, "2026-04-02", "23:59");
    let report = case.examine();
    assert_eq!(status(&report, "newest-on-disk", None), Status::Fail);
    assert!(evidence(&report, "newest-on-disk", None).contains("from 2026-03-31"));
    // The advice names the disk the backup belongs on (Thursday's: THU), not
    // tonight's; and a connected home disk is never asked to be connected.
    let advice = |report: &Report| {
        let check = report
            .checks
            .iter()
            .find(|c| c.id == "newest-on-disk")
            .unwrap();
        check.action.clone().unwrap()
    };
    assert_eq!(
        advice(&report),
        "it belongs on THU: connect it on its night (Thursday) and run `rota apply rota.yaml`"
    );
    let connected = case.examine_with(|inventory| {
        let thu = inventory
            .disks
            .iter_mut()
            .find(|d| d.label == "THU")
            .unwrap();
        thu.mount = Some(crate::inventory::Mount {
            path: "/Volumes/THU".into(),
            space: crate::inventory::Space {
                total: 2_000 * GB,
                free: 1_000 * GB,
            },
            network_fs: None,
        });
    });
    assert_eq!(
        advice(&connected),
        "it belongs on THU, which is connected: run `rota apply rota.yaml`"
    );
    // One night later than the disks is only tonight's copy not made yet.
    case.office
        .source
        .remove("MacPractice_2026-04-02_2330.mpbackup");
    case.at = at(&case.policy, "2026-04-01", "23:59");
    assert_eq!(
        status(&case.examine(), "newest-on-disk", None),
        Status::Warn
    );
}

#[test]
fn a_disk_never_seen_fails_disk_labelled() {
    let mut case = Case::healthy();
    case.office.disks.retain(|disk| disk.label != "FRI");
    let report = case.examine();
    assert_eq!(status(&report, "disk-labelled", Some("FRI")), Status::Fail);
    assert!(
        !report
            .checks
            .iter()
            .any(|c| c.id == "disk-recent" && c.subject.as_deref() == Some("FRI"))
    );
    assert_eq!(status(&report, "disk-labelled", Some("MON")), Status::Pass);
    // In an office whose first night with rota was this week, FRI's night
    // has not come: that is information, never a failure.
    case.first_run = Some(date("2026-03-30"));
    case.office.disks.iter_mut().for_each(|disk| {
        disk.copies.clear();
    });
    let report = case.examine();
    assert_eq!(status(&report, "disk-labelled", Some("FRI")), Status::Info);
    assert!(
        evidence(&report, "disk-labelled", Some("FRI"))
            .contains("not seen yet; its first night is Friday 2026-04-03"),
        "{}",
        text::render(&report, false)
    );
}

#[test]
fn a_disk_not_seen_on_its_night_fails_disk_recent() {
    let mut case = Case::healthy();
    let two_weeks_ago = case.at.with_timezone(&Utc) - chrono::Duration::days(15);
    case.disk("MON").last_seen = Some(two_weeks_ago);
    let report = case.examine();
    assert_eq!(status(&report, "disk-recent", Some("MON")), Status::Fail);
    assert!(evidence(&report, "disk-recent", Some("MON")).contains("Monday 2026-03-30"));
    assert_eq!(status(&report, "disk-recent", Some("WED")), Status::Pass);
}

#[test]
fn a_disk_with_too_few_backups_fails_min_backups() {
    let mut case = Case::healthy();
    let thursday = case.disk("THU");
    let keep: Vec<String> = thursday.copies.keys().rev().take(2).cloned().collect();
    thursday.copies.retain(|name, _| keep.contains(name));
    let report = case.examine();
    assert_eq!(
        status(&report, "disk-min-backups", Some("THU")),
        Status::Fail
    );
    assert!(evidence(&report, "disk-min-backups", Some("THU")).contains("holds only 2"));
}

#[test]
fn an_unverified_disk_or_a_damaged_copy_warns_disk_verified() {
    let case = Case::healthy();
    let report = case.examine_with(|inventory| {
        let tue = inventory
            .disks
            .iter_mut()
            .find(|d| d.label == "TUE")
            .unwrap();
        tue.last_verified = None;
        let wed = inventory
            .disks
            .iter_mut()
            .find(|d| d.label == "WED")
            .unwrap();
        let copy: &mut CopyRecord = wed.copies.values_mut().next().unwrap();
        copy.verified_at = None;
    });
    assert_eq!(status(&report, "disk-verified", Some("TUE")), Status::Warn);
    assert_eq!(status(&report, "disk-verified", Some("WED")), Status::Warn);
    assert!(evidence(&report, "disk-verified", Some("WED")).contains("1 copy"));
    assert_eq!(status(&report, "disk-verified", Some("MON")), Status::Pass);
}

#[test]
fn a_lost_month_end_fails_its_tier_and_names_the_month() {
    let mut case = Case::healthy();
    case.lose("MacPractice_2025-10-31_2330.mpbackup");
    let report = case.examine();
    assert_eq!(
        status(&report, "retention-tier", Some("month_ends")),
        Status::Fail
    );
    let evidence = evidence(&report, "retention-tier", Some("month_ends"));
    assert!(evidence.contains("2025-10 of the 9 expected"), "{evidence}");
    assert_eq!(
        status(&report, "retention-tier", Some("quarter_ends")),
        Status::Pass
    );
}

#[test]
fn no_offsite_copy_fails_and_a_stale_carried_disk_warns() {
    let mut case = Case::healthy();
    case.policy.disks.offsite = None;
    let report = case.examine();
    assert_eq!(status(&report, "offsite-recent", None), Status::Fail);

    let mut case = Case::healthy();
    case.disk("MON")
        .copies
        .remove("MacPractice_2026-03-30_2330.mpbackup");
    let report = case.examine();
    assert_eq!(
        status(&report, "offsite-recent", Some("disks")),
        Status::Warn
    );
    assert!(evidence(&report, "offsite-recent", Some("disks")).contains("from 2026-03-27"));
}

#[test]
fn a_full_disk_fails_free_space_and_one_filling_soon_warns() {
    let mut case = Case::healthy();
    let wed = case.disk("WED");
    wed.total = wed.used() + GB;
    let report = case.examine();
    assert_eq!(status(&report, "free-space", Some("WED")), Status::Fail);

    let mut case = Case::healthy();
    let thu = case.disk("THU");
    // 10% reserve, and room for about a month of 2%/month growth of its backups.
    thu.total = ((thu.used() + GB / 2) as f64 / 0.9) as u64;
    let report = case.examine();
    assert_eq!(status(&report, "free-space", Some("THU")), Status::Warn);
    assert!(
        evidence(&report, "free-space", Some("THU")).contains("reaches the reserve around 2026-")
    );
    assert_eq!(status(&report, "free-space", Some("server")), Status::Pass);
}

#[test]
fn restore_tests_missing_overdue_or_failed_fail() {
    let mut case = Case::healthy();
    case.restore_tests.clear();
    assert_eq!(status(&case.examine(), "restore-test", None), Status::Fail);
    case.restore_tests = vec![restore_ok("2025-12-15")];
    let report = case.examine();
    assert_eq!(status(&report, "restore-test", None), Status::Fail);
    assert!(evidence(&report, "restore-test", None).contains("2026-03-15"));
    let mut failed = restore_ok("2026-03-20");
    failed.ok = false;
    failed.detail = String::from("the hash does not match");
    case.restore_tests = vec![restore_ok("2026-03-02"), failed];
    let report = case.examine();
    assert_eq!(status(&report, "restore-test", None), Status::Fail);
    assert!(evidence(&report, "restore-test", None).contains("the hash does not match"));
}

#[test]
fn encryption_unknown_warns_and_an_unencrypted_target_fails() {
    let mut case = Case::healthy();
    case.policy.source.encrypted = None;
    let report = case.examine();
    assert_eq!(status(&report, "encryption-source", None), Status::Warn);
    let action = report
        .checks
        .iter()
        .find(|c| c.id == "encryption-source")
        .unwrap();
    assert!(
        action
            .action
            .as_deref()
            .unwrap()
            .contains("encrypted: true")
    );

    let mut case = Case::healthy();
    case.policy.offsite.push(crate::policy::OffsiteTarget {
        name: String::from("cloud"),
        path: "/office/outbox".into(),
        upload: None,
        encrypt: None,
        retain: case.policy.retain,
    });
    case.office
        .targets
        .push(crate::simulate::synthetic::SyntheticTarget::staging(
            "cloud",
        ));
    let report = case.examine();
    assert_eq!(
        status(&report, "encryption-offsite", Some("cloud")),
        Status::Fail
    );
}

#[test]
fn a_disk_on_a_network_volume_fails() {
    let case = Case::healthy();
    let report = case.examine_with(|inventory| {
        let tue = inventory
            .disks
            .iter_mut()
            .find(|d| d.label == "TUE")
            .unwrap();
        tue.mount.as_mut().unwrap().network_fs = Some(String::from("smbfs"));
    });
    assert_eq!(status(&report, "network-volume", None), Status::Fail);
    assert!(evidence(&report, "network-volume", None).contains("disk TUE (smbfs)"));
}

#[test]
fn a_folder_rota_may_not_read_fails_and_a_disk_on_the_server_drive_warns() {
    use crate::inventory::volumes::{ServerDriveFolder, UnreadableVolume};
    let mut case = Case::healthy();
    let report = case.examine();
    assert_eq!(status(&report, "disks-readable", None), Status::Pass);
    assert_eq!(status(&report, "disks-separate-drive", None), Status::Pass);
    let report = case.examine_with(|inventory| {
        inventory.volumes.unreadable.push(UnreadableVolume {
            path: "/Volumes/TUE".into(),
            error: "Operation not permitted (os error 1)".into(),
        });
        inventory.volumes.on_server_drive.push(ServerDriveFolder {
            path: "/Volumes/MON".into(),
            entries: Some(0),
        });
    });
    assert_eq!(status(&report, "disks-readable", None), Status::Fail);
    let denied = evidence(&report, "disks-readable", None);
    assert!(
        denied.contains("/Volumes/TUE (Operation not permitted"),
        "{denied}"
    );
    assert_eq!(status(&report, "disks-separate-drive", None), Status::Warn);
    assert!(evidence(&report, "disks-separate-drive", None).contains("/Volumes/MON"));
    // A sandbox that allows it passes, saying so.
    case.policy.disks.allow_server_drive = true;
    let report = case.examine_with(|inventory| {
        inventory.volumes.on_server_drive.push(ServerDriveFolder {
            path: "/Volumes/MON".into(),
            entries: Some(0),
        });
    });
    assert_eq!(status(&report, "disks-separate-drive", None), Status::Pass);
    assert!(evidence(&report, "disks-separate-drive", None).contains("allow_server_drive"));
}

#[test]
fn the_json_has_stable_ids_and_a_summary() {
    let mut case = Case::healthy();
    case.restore_tests.clear();
    let report = case.examine();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["schema"], 1);
    assert_eq!(json["today"], "2026-03-31");
    assert_eq!(json["summary"]["fail"], 1);
    let restore = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "restore-test")
        .unwrap();
    assert_eq!(restore["status"], "fail");
    assert!(
        restore["action"]
            .as_str()
            .unwrap()
            .contains("rota restore-test rota.yaml")
    );
    let mon = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "disk-recent" && c["subject"] == "MON")
        .unwrap();
    assert_eq!(mon["status"], "pass");
    assert!(mon.get("action").is_none());
}

/// The checklist as an office sees it on a bad day: Monday's disk missed its
/// night, no restore test yet, and nobody said whether backups are encrypted.
#[test]
fn the_doctor_text_snapshot() {
    let mut case = Case::healthy();
    case.policy.source.encrypted = None;
    case.restore_tests.clear();
    let two_weeks_ago = case.at.with_timezone(&Utc) - chrono::Duration::days(15);
    case.disk("MON").last_seen = Some(two_weeks_ago);
    let report = case.examine();
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("doctor_vendor_office_text", text::render(&report, false));
    });
}

/// A 6 GB copy of `name`, copied and verified at the case's instant.
fn verified_copy(case: &Case, name: &str) -> CopyRecord {
    CopyRecord {
        name: name.to_string(),
        size: 6 * GB,
        kind: crate::inventory::EntryKind::File,
        hash: String::from("h"),
        copied_at: case.at.with_timezone(&Utc),
        verified_at: Some(case.at.with_timezone(&Utc)),
        ciphertext_hash: None,
        fingerprint: None,
    }
}

#[test]
fn copies_staged_but_not_uploaded_since_yesterday_warn() {
    let mut case = Case::healthy();
    case.policy.offsite.push(cloud_target(&case));
    let mut cloud = crate::simulate::synthetic::SyntheticTarget::staging("cloud");
    cloud.uploads = true;
    // Tonight's copy waiting is normal; Monday's is late.
    for name in [
        "MacPractice_2026-03-30_2330.mpbackup",
        "MacPractice_2026-03-31_2330.mpbackup",
    ] {
        cloud
            .staged
            .insert(name.to_string(), verified_copy(&case, name));
    }
    case.office.targets.push(cloud);
    let report = case.examine();
    assert_eq!(
        status(&report, "upload-pending", Some("cloud")),
        Status::Warn
    );
    assert!(evidence(&report, "upload-pending", Some("cloud")).contains("from 2026-03-30"));

    let name = "MacPractice_2026-03-30_2330.mpbackup";
    let copy = verified_copy(&case, name);
    case.office.targets[0].remote.insert(name.to_string(), copy);
    let report = case.examine();
    assert_eq!(
        status(&report, "upload-pending", Some("cloud")),
        Status::Pass
    );
}

/// An off-site target `cloud` that uploads, keeping what the disks keep.
fn cloud_target(case: &Case) -> crate::policy::OffsiteTarget {
    crate::policy::OffsiteTarget {
        name: String::from("cloud"),
        path: "/office/outbox".into(),
        upload: Some(crate::policy::Upload {
            remote: String::from("b2:lakeside/rota"),
            config: None,
            bwlimit: None,
            binary: None,
            keep_local: 0,
        }),
        encrypt: None,
        retain: case.policy.retain,
    }
}

#[test]
fn rclone_missing_fails_and_a_remote_not_checked_for_over_a_week_warns() {
    let mut case = Case::healthy();
    case.policy.offsite.push(cloud_target(&case));
    let facts = |found: Option<&str>, days_ago: Option<i64>| UploadFacts {
        target: String::from("cloud"),
        program: "rclone".into(),
        found: found.map(Into::into),
        checked_at: days_ago.map(|days| case.at.with_timezone(&Utc) - chrono::Duration::days(days)),
    };
    let mut cloud = crate::simulate::synthetic::SyntheticTarget::staging("cloud");
    cloud.uploads = true;
    let name = "MacPractice_2026-03-31_2330.mpbackup";
    cloud
        .remote
        .insert(name.to_string(), verified_copy(&case, name));
    case.office.targets.push(cloud);

    case.uploads = vec![facts(Some("/usr/bin/rclone"), Some(1))];
    let report = case.examine();
    assert_eq!(
        status(&report, "rclone-installed", Some("cloud")),
        Status::Pass
    );
    assert_eq!(
        status(&report, "remote-checked", Some("cloud")),
        Status::Pass
    );
    assert!(evidence(&report, "remote-checked", Some("cloud")).contains("1 copy as uploaded"));

    case.uploads = vec![facts(None, Some(9))];
    let report = case.examine();
    assert_eq!(
        status(&report, "rclone-installed", Some("cloud")),
        Status::Fail
    );
    assert!(evidence(&report, "rclone-installed", Some("cloud")).contains("`rclone` is not found"));
    assert_eq!(
        status(&report, "remote-checked", Some("cloud")),
        Status::Warn
    );
    assert!(
        evidence(&report, "remote-checked", Some("cloud")).contains("9 days ago"),
        "{}",
        evidence(&report, "remote-checked", Some("cloud"))
    );

    case.uploads = vec![facts(Some("/usr/bin/rclone"), None)];
    let report = case.examine();
    assert_eq!(
        status(&report, "remote-checked", Some("cloud")),
        Status::Warn
    );
}

/// The newest backup as the server holds it.
fn newest_on_server(inventory: &mut Inventory) -> &mut crate::inventory::SourceEntry {
    inventory
        .source
        .backups
        .iter_mut()
        .max_by_key(|b| b.timestamp)
        .unwrap()
}

#[test]
fn backups_unchanged_passes_when_every_backup_has_settled() {
    let report = Case::healthy().examine_with(|inventory| {
        let modified = newest_on_server(inventory).modified;
        inventory.observed_at = modified.map(|m| m + chrono::Duration::hours(1));
    });
    assert_eq!(status(&report, "backups-unchanged", None), Status::Pass);
}

#[test]
fn backups_unchanged_warns_about_a_backup_still_being_written() {
    let case = Case::healthy();
    let now = case.at.with_timezone(&Utc);
    let report = case.examine_with(|inventory| {
        newest_on_server(inventory).modified = Some(now - chrono::Duration::minutes(3));
        inventory.observed_at = Some(now);
    });
    assert_eq!(status(&report, "backups-unchanged", None), Status::Warn);
    let said = evidence(&report, "backups-unchanged", None);
    assert!(
        said.contains("still being written (last changed 3 min ago)"),
        "{said}"
    );
    assert!(said.contains("10m (source.settle)"), "{said}");
}

#[test]
fn backups_unchanged_warns_about_copies_made_before_their_backup_changed() {
    let case = Case::healthy();
    let report = case.examine_with(|inventory| {
        let newest = newest_on_server(inventory);
        let name = newest.name.clone();
        let mut recorded = newest.fingerprint();
        recorded.size += 1;
        let disk = inventory
            .disks
            .iter_mut()
            .find(|d| d.copies.contains_key(&name))
            .unwrap();
        disk.copies.get_mut(&name).unwrap().fingerprint = Some(recorded);
    });
    assert_eq!(status(&report, "backups-unchanged", None), Status::Warn);
    let said = evidence(&report, "backups-unchanged", None);
    assert!(
        said.contains("MacPractice_2026-03-31_2330.mpbackup (copies on TUE)"),
        "{said}"
    );
}

/// A saved contingency plan made from a policy whose digest was `digest`.
fn saved_plan(digest: &str) -> crate::contingency::versions::SavedVersion {
    crate::contingency::versions::SavedVersion {
        revision: 3,
        saved_at: "2026-03-02T15:00:00Z".parse().unwrap(),
        date: date("2026-03-02"),
        file: String::from("2026-03-02-0123456789ab.html"),
        content_hash: String::from("0123456789abcdef"),
        policy_digest: digest.to_string(),
        sections: Default::default(),
        rota_version: String::from("0.1.0"),
    }
}

#[test]
fn the_contingency_checks_wait_until_the_office_starts_a_plan() {
    let mut case = Case::healthy();
    case.policy.contingency = Default::default();
    case.contingency = Some(ContingencyFacts {
        latest: None,
        digest: String::from("d1"),
        blank: vec![String::from("contingency.rto")],
    });
    let report = case.examine();
    assert!(
        !report
            .checks
            .iter()
            .any(|c| c.id.starts_with("contingency-"))
    );
}

#[test]
fn a_policy_changed_after_the_saved_plan_makes_it_outdated() {
    let mut case = Case::healthy();
    let facts = |latest, blank: &[&str]| ContingencyFacts {
        latest,
        digest: String::from("now"),
        blank: blank.iter().map(|k| k.to_string()).collect(),
    };
    case.contingency = Some(facts(None, &[]));
    let report = case.examine();
    assert_eq!(status(&report, "contingency-outdated", None), Status::Warn);
    assert!(evidence(&report, "contingency-outdated", None).contains("no contingency plan"));
    assert_eq!(
        status(&report, "contingency-incomplete", None),
        Status::Pass
    );

    case.contingency = Some(facts(Some(saved_plan("before")), &[]));
    let report = case.examine();
    assert_eq!(status(&report, "contingency-outdated", None), Status::Warn);
    assert!(
        evidence(&report, "contingency-outdated", None)
            .contains("the policy changed after the latest saved plan (revision 3 of 2026-03-02")
    );
    assert!(
        !report.failed(),
        "an outdated plan is a warning, not a failure"
    );

    case.contingency = Some(facts(
        Some(saved_plan("now")),
        &["contingency.rto", "contingency.contacts[1].phone"],
    ));
    let report = case.examine();
    assert_eq!(status(&report, "contingency-outdated", None), Status::Pass);
    assert_eq!(
        status(&report, "contingency-incomplete", None),
        Status::Warn
    );
    assert_eq!(
        evidence(&report, "contingency-incomplete", None),
        "the plan prints blanks to fill in for contingency.rto, contingency.contacts[1].phone"
    );
}

#[test]
fn next_years_holidays_are_asked_for_from_october() {
    let mut case = Case::healthy();
    let has_check = |report: &Report| report.checks.iter().any(|c| c.id == "holidays-missing");
    case.at = at(&case.policy, "2026-09-30", "23:59");
    assert!(!has_check(&case.examine()), "not before October");
    case.at = at(&case.policy, "2026-11-02", "08:00");
    let report = case.examine();
    assert_eq!(status(&report, "holidays-missing", None), Status::Warn);
    assert!(evidence(&report, "holidays-missing", None).contains("none for 2027"));
    case.policy
        .office
        .calendar
        .closed
        .push(crate::calendar::ClosedSpan {
            from: date("2027-01-01"),
            to: date("2027-01-01"),
            name: None,
        });
    assert_eq!(
        status(&case.examine(), "holidays-missing", None),
        Status::Pass
    );
}
