//! `disks.encrypt` end to end, through the real binary: a month of nights in
//! a sandbox office whose policy encrypts every disk copy with age. Every
//! copy on every disk is ciphertext only (`NAME.age`, a bundle as
//! `NAME.tar.age`), `rota verify` re-hashes the ciphertext, `rota
//! restore-test --identity` and `rota decrypt` give back the backups byte for
//! byte, a copy from one disk to another moves the ciphertext as it is, and
//! nothing warns `unencrypted-media`.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use crate::support;
use crate::support::TempOffice;
use age::secrecy::ExposeSecret;
use chrono::Datelike;

const POLICY: &str = r#"version: 1
office:
  name: Harbor Dental
  timezone: America/New_York
  open_days: [mon, tue, wed, thu, fri]
  day_starts_at: "05:00"
source:
  path: source
  pattern: "Backup_{%Y-%m-%d_%H%M}.bak"
  keep_last: 3
  reserve: 1 MB
retain:
  business_days: 10
  month_ends: 12
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  min_backups: 4
  reserve: 1 MB
  rotation:
    - { label: MON, days: [mon] }
    - { label: TUE, days: [tue] }
    - { label: WED, days: [wed] }
    - { label: THU, days: [thu] }
    - { label: FRI, days: [fri] }
  archive: { labels: [ARCHIVE-A], tiers: [month_ends] }
  offsite: { carry: previous, by: "Office manager" }
  encrypt: { age_recipients: ["RECIPIENT"] }
restore_test: { every: quarter }
state_dir: state
"#;

const LABELS: [&str; 6] = ["MON", "TUE", "WED", "THU", "FRI", "ARCHIVE-A"];

struct Office {
    office: TempOffice,
    key: PathBuf,
    /// Every backup's bytes as written (a bundle: its data file), by name.
    originals: BTreeMap<String, Vec<u8>>,
}

impl Office {
    fn new() -> Office {
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        let office = TempOffice::new(&POLICY.replace("RECIPIENT", &recipient));
        let key = office.join("key.txt");
        fs::write(&key, format!("{}\n", identity.to_string().expose_secret())).unwrap();
        office.folder("disks");
        for label in LABELS {
            let mount = office.folder(&format!("shelf/{label}"));
            office
                .rota()
                .args(["disk", "init"])
                .arg(&mount)
                .args(["--label", label])
                .run()
                .success();
        }
        Office {
            office,
            key,
            originals: BTreeMap::new(),
        }
    }

    fn connect_only(&self, labels: &[&str]) {
        for label in LABELS {
            let shelf = self.office.join(format!("shelf/{label}"));
            let mounted = self.office.join(format!("disks/{label}"));
            if labels.contains(&label) && shelf.exists() {
                fs::rename(&shelf, &mounted).unwrap();
            } else if !labels.contains(&label) && mounted.exists() {
                fs::rename(&mounted, &shelf).unwrap();
            }
        }
    }

    /// One night: the day's backup (Fridays: a bundle), `labels` connected,
    /// `rota apply --yes`.
    fn night(&mut self, date: &str, labels: &[&str]) {
        let name = format!("Backup_{date}_2330.bak");
        let friday = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .unwrap()
            .weekday()
            == chrono::Weekday::Fri;
        let bytes = if friday {
            let root = self.office.backup_bundle(&name, 3_000);
            fs::read(root.join("Contents/Resources/data.bin")).unwrap()
        } else {
            fs::read(self.office.backup_file(&name, 2_000)).unwrap()
        };
        self.originals.insert(name, bytes);
        self.connect_only(labels);
        self.office
            .rota()
            .args(["apply", "policy.yaml", "--yes", "--at"])
            .arg(format!("{date}T23:45"))
            .run()
            .success();
        for label in labels {
            self.assert_only_ciphertext(label);
        }
    }

    /// Every entry in a disk's copies folder is rota's own or a `.age` file.
    fn assert_only_ciphertext(&self, label: &str) {
        let folder = self.office.join(format!("disks/{label}/rota"));
        for entry in fs::read_dir(&folder).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".rota-") {
                continue;
            }
            assert!(
                entry.file_type().unwrap().is_file(),
                "{label}: {name} is a folder"
            );
            assert!(name.ends_with(".age"), "{label}: {name} is not encrypted");
            let head = fs::read(entry.path()).unwrap();
            assert!(
                head.starts_with(b"age-encryption.org/v1"),
                "{label}: {name} is not an age file"
            );
        }
    }

    fn rota(&self) -> support::Rota {
        self.office.rota()
    }
}

#[test]
fn a_month_with_encrypted_disks_is_encrypted_verified_and_restorable() {
    let mut office = Office::new();
    let weekday = ["MON", "TUE", "WED", "THU", "FRI"];
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    while day <= chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap() {
        let index = day.weekday().num_days_from_monday() as usize;
        if index < 5 {
            office.night(&day.to_string(), &[weekday[index]]);
        }
        day = day.succ_opt().unwrap();
    }
    // Nothing warns about unencrypted media.
    let plan = office
        .rota()
        .args(["plan", "policy.yaml", "--at", "2026-03-31T23:55"])
        .run()
        .success();
    assert!(
        !plan.stdout.contains("unencrypted-media"),
        "{}",
        plan.stdout
    );

    // verify re-hashes every ciphertext on the connected disk.
    let verified = office
        .rota()
        .args(["verify", "policy.yaml", "--at", "2026-03-31T23:56"])
        .run()
        .success();
    assert!(verified.stdout.contains("4 copies"), "{}", verified.stdout);

    // A flipped byte in a ciphertext is found.
    let tue = office.office.join("disks/TUE/rota");
    let damaged = tue.join("Backup_2026-03-24_2330.bak.age");
    let mut bytes = fs::read(&damaged).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    fs::write(&damaged, &bytes).unwrap();
    office
        .rota()
        .args(["verify", "policy.yaml", "--at", "2026-03-31T23:57"])
        .run()
        .failure()
        .stdout_contains("Backup_2026-03-24_2330.bak");

    // restore-test decrypts a disk copy with the office's key.
    let restored = office
        .rota()
        .args([
            "restore-test",
            "policy.yaml",
            "--backup",
            "Backup_2026-03-31_2330.bak",
        ])
        .arg("--identity")
        .arg(&office.key)
        .args(["--at", "2026-03-31T23:58"])
        .run()
        .success();
    assert!(
        restored.stdout.contains("from disk TUE, decrypted with"),
        "{}",
        restored.stdout
    );
    assert!(restored.stdout.contains("matches"), "{}", restored.stdout);

    // rota decrypt gives the bytes back, a file and a bundle.
    let out = office.office.folder("restored");
    office
        .rota()
        .arg("decrypt")
        .arg(tue.join("Backup_2026-03-31_2330.bak.age"))
        .arg("--identity")
        .arg(&office.key)
        .arg("--out")
        .arg(out.join("Backup_2026-03-31_2330.bak"))
        .run()
        .success();
    assert_eq!(
        fs::read(out.join("Backup_2026-03-31_2330.bak")).unwrap(),
        office.originals["Backup_2026-03-31_2330.bak"]
    );
    office.connect_only(&["FRI"]);
    let fri = office.office.join("disks/FRI/rota");
    office.assert_only_ciphertext("FRI");
    office
        .rota()
        .arg("decrypt")
        .arg(fri.join("Backup_2026-03-27_2330.bak.tar.age"))
        .arg("--identity")
        .arg(&office.key)
        .arg("--out")
        .arg(out.join("Backup_2026-03-27_2330.bak"))
        .run()
        .success();
    assert_eq!(
        fs::read(out.join("Backup_2026-03-27_2330.bak/Contents/Resources/data.bin")).unwrap(),
        office.originals["Backup_2026-03-27_2330.bak"]
    );

    // The manifest keeps both hashes.
    let manifest = fs::read_to_string(fri.join(".rota-manifest.json")).unwrap();
    assert!(manifest.contains("\"ciphertext_hash\""), "{manifest}");

    // The report marks the copies encrypted.
    let report = office
        .rota()
        .args([
            "report",
            "policy.yaml",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
        ])
        .args(["--at", "2026-04-01T09:00"])
        .run()
        .success();
    assert!(
        report
            .stdout
            .contains("Encryption: every disk copy is encrypted by rota with age")
    );
    assert!(
        report.stdout.contains("verified 2026-03-27  encrypted"),
        "{}",
        report.stdout
    );
}

#[test]
fn a_copy_from_an_encrypted_disk_moves_the_ciphertext_as_it_is() {
    let mut office = Office::new();
    for (date, label) in [
        ("2026-02-23", "MON"),
        ("2026-02-24", "TUE"),
        ("2026-02-25", "WED"),
        ("2026-02-26", "THU"),
        ("2026-02-27", "FRI"),
    ] {
        office.night(date, &[label]);
    }
    // The server loses February's month-end backup before the archive disk
    // has it: only FRI's encrypted copy is left.
    let name = "Backup_2026-02-27_2330.bak";
    fs::remove_dir_all(office.office.source().join(name)).unwrap();
    office.night("2026-03-02", &["MON", "FRI", "ARCHIVE-A"]);
    office.assert_only_ciphertext("ARCHIVE-A");
    let stored = format!("{name}.tar.age");
    let on_fri = fs::read(office.office.join(format!("disks/FRI/rota/{stored}"))).unwrap();
    let on_archive =
        fs::read(office.office.join(format!("disks/ARCHIVE-A/rota/{stored}"))).unwrap();
    assert_eq!(on_fri, on_archive, "the ciphertext is copied as it is");
    office
        .rota()
        .args([
            "verify",
            "policy.yaml",
            "--disk",
            "ARCHIVE-A",
            "--at",
            "2026-03-02T23:55",
        ])
        .run()
        .success();
}
