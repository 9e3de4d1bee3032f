//! Archive moves (`destruction: archive`) and off-site staging folders: the
//! other places a copy can be written to, with the same checks (encrypting
//! and uploading targets: `offsite`).

use super::office::{AT, Office, name};
use crate::execute::audit;
use crate::execute::filesystem::Fs;
use crate::inventory::Manifest;
use crate::plan::Op;

const ARCHIVE_POLICY: &str = r#"version: 1
office: { name: Archive Dental, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri] }
source: { path: source, pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup", keep_last: 1 }
retain: { business_days: 1 }
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  min_backups: 1
  reserve: 0%
  rotation: [{ label: MON, days: [mon, tue, wed, thu, fri] }]
  archive: { labels: [ARC], tiers: [month_ends] }
destruction: { expired: archive, archive_to: ARC }
state_dir: state
"#;

#[test]
fn an_expired_backup_moves_to_the_archive_disk_verified_then_leaves_and_is_logged() {
    let office = Office::with_text(ARCHIVE_POLICY);
    for date in ["2026-03-27", "2026-03-30", "2026-03-31"] {
        office.backup(date, 3000);
    }
    office.disk("MON");
    office.disk("ARC");
    let report = office.apply(AT, Fs::default());
    assert_eq!(report.failed(), 0, "{:#?}", report.outcomes);
    assert!(report.done(Op::Archive) >= 1, "{:#?}", report.outcomes);
    let archive = Manifest::load(&office.copies("ARC")).unwrap().unwrap();
    let records = audit::read(&office.policy.state_dir).unwrap();
    for (action, _) in report.outcomes.iter().filter(|(a, _)| a.op == Op::Archive) {
        let record = archive.get(&action.backup).expect("archived copy recorded");
        assert!(record.is_verified());
        let original =
            crate::content_hash::hash_path(&office.copies("ARC").join(&action.backup)).unwrap();
        assert_eq!(record.hash, original);
        let logged = records
            .iter()
            .find(|r| r.backup == action.backup && r.op == Op::Archive)
            .expect("the move is in the audit log");
        assert_eq!(logged.archived_to.as_deref(), Some("ARC"));
    }
    assert!(office.plan(AT).1.actions.is_empty());
}

const OFFSITE_POLICY: &str = r#"version: 1
office: { name: Outbox Dental, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri] }
source: { path: source, pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup", keep_last: 2 }
retain: { business_days: 2 }
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  min_backups: 1
  reserve: 0%
  rotation: [{ label: MON, days: [mon, tue, wed, thu, fri] }]
offsite:
  - { name: outbox, path: outbox, retain: { business_days: 2 } }
state_dir: state
"#;

#[test]
fn an_off_site_staging_folder_gets_verified_copies_and_a_manifest() {
    let office = Office::with_text(OFFSITE_POLICY);
    for date in ["2026-03-30", "2026-03-31"] {
        office.backup(date, 2500);
    }
    office.disk("MON");
    let report = office.apply(AT, Fs::default());
    assert_eq!(report.failed(), 0, "{:#?}", report.outcomes);
    let outbox = office.path("outbox");
    let manifest = Manifest::load(&outbox)
        .unwrap()
        .expect("the staging folder has a manifest");
    assert_eq!(manifest.disk_id, "offsite:outbox");
    for date in ["2026-03-30", "2026-03-31"] {
        assert!(
            manifest.get(&name(date)).is_some_and(|r| r.is_verified()),
            "{date}"
        );
        assert!(outbox.join(name(date)).is_file());
    }
    assert!(office.plan(AT).1.actions.is_empty());
}
