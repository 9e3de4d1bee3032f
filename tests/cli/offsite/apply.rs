//! `rota apply` with an off-site target that encrypts and uploads, against a
//! real protocol server (`support::sftp`: `rclone serve sftp` on a loopback
//! port), night after night: copies encrypted, staged, uploaded and checked;
//! the outbox emptied down to `keep_local`; a server stopped mid-upload (the
//! copy stays staged and pending, what waits for it is skipped, the next run
//! completes it); a corrupted remote object found and replaced; an expired
//! remote copy deleted there and logged; the key in the safe restores what
//! left the building. And `apply` refusing a target whose rclone is missing.
//!
//! rclone must be installed (`scripts/test` installs it).

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::support;
use crate::support::TempOffice;
use crate::support::sftp::SftpServer;
use age::secrecy::ExposeSecret;
use rota::content_hash::hash_path;
use rota::inventory::{Catalog, Manifest};

/// Test-only: rclone gives up within seconds when the server is stopped.
const QUICK: &str = "ROTA_TEST_RCLONE_QUICK";

fn name(date: &str) -> String {
    format!("MacPractice_{date}_2330.mpbackup")
}

/// The shared off-site office, its target uploading with `upload` (the
/// inside of its `upload:` mapping).
fn policy(recipient: &str, upload: &str) -> String {
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cloud-office.yaml"
    ))
    .replace("AGE_RECIPIENT", recipient)
    .replace("    UPLOAD\n", &format!("    upload: {{ {upload} }}\n"))
}

struct CloudOffice {
    office: TempOffice,
    recipient: String,
}

impl CloudOffice {
    /// An office with disk MON plugged in, its key in `key.txt`.
    fn new() -> CloudOffice {
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        let office = TempOffice::new(&policy(&recipient, "rclone: \"office:cloud/rota\""));
        fs::write(office.join("key.txt"), identity.to_string().expose_secret()).unwrap();
        let mount = office.folder("disks/MON");
        office
            .rota()
            .args(["disk", "init"])
            .arg(&mount)
            .args(["--label", "MON"])
            .run()
            .success();
        CloudOffice { office, recipient }
    }

    fn upload(&self, upload: &str) {
        self.office.write_policy(&policy(&self.recipient, upload));
    }

    fn apply(&self, at: &str) -> support::Output {
        self.office
            .rota()
            .env(QUICK, "1")
            .args(["apply", "policy.yaml", "--yes", "--at", at])
            .run()
    }

    fn catalog(&self) -> Catalog {
        Catalog::load(&self.office.join("state")).unwrap()
    }

    fn staged(&self) -> Vec<String> {
        let manifest = Manifest::load(&self.office.join("outbox"))
            .unwrap()
            .unwrap();
        manifest.copies().keys().cloned().collect()
    }
}

/// `size` bytes that are not all alike, as a backup finished an hour ago.
fn filled(path: &Path, size: usize) {
    fs::write(
        path,
        (0..size).map(|i| (i * 31 % 253) as u8).collect::<Vec<u8>>(),
    )
    .unwrap();
    support::finished_an_hour_ago(path);
}

fn wait_for(what: &str, ready: impl Fn() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < Duration::from_secs(60), "{what}");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn encrypted_copies_go_up_come_back_and_expire_across_a_network_failure_and_bit_rot() {
    let root = tempfile::tempdir().unwrap();
    let mut server = SftpServer::start(root.path());
    let cloud = CloudOffice::new();
    let office = &cloud.office;
    let config = server.config(office.path(), "");
    let online = format!(
        "rclone: \"office:cloud/rota\", config: \"{}\", keep_local: 1",
        config.display()
    );
    cloud.upload(&online);
    let remote = server.served.join("cloud/rota");
    let object = |date: &str, suffix: &str| remote.join(format!("{}{suffix}", name(date)));

    // Monday: encrypted, staged, uploaded, checked; only ciphertext leaves.
    filled(&office.source().join(name("2026-03-30")), 150_000);
    let plain = fs::read(office.source().join(name("2026-03-30"))).unwrap();
    cloud
        .apply("2026-03-30")
        .success()
        .stdout_contains(&format!(
            "ok       + copy {} server → cloud",
            name("2026-03-30")
        ));
    let sent = fs::read(object("2026-03-30", ".age")).unwrap();
    assert!(sent.starts_with(b"age-encryption.org/v1"));
    assert!(!sent.windows(64).any(|w| w == &plain[..64]));
    let known = cloud.catalog();
    let check = &known.targets["cloud"].checks[&name("2026-03-30")];
    assert_eq!(
        (check.hash_type.as_str(), check.size),
        ("sha1", sent.len() as u64)
    );

    // Tuesday: a bundle, as NAME.tar.age; with keep_local: 1 Monday's staged
    // copy leaves the outbox (logged), and the server prunes Monday's backup.
    office.backup_bundle(&name("2026-03-31"), 120_000);
    cloud
        .apply("2026-03-31")
        .success()
        .stdout_contains("removed from the staging folder, uploaded");
    assert!(object("2026-03-31", ".tar.age").is_file());
    assert_eq!(cloud.staged(), [name("2026-03-31")]);
    assert!(!office.source().join(name("2026-03-30")).exists());

    // Wednesday, slowly: the server goes away mid-upload. The copy stays staged
    // and pending; the removal of Monday's copy from the cloud (which waits
    // for tonight's uploads there) is not attempted.
    filled(&office.source().join(name("2026-04-01")), 1_000_000);
    cloud.upload(&format!("{online}, bwlimit: \"100k\""));
    let running = Command::new(env!("CARGO_BIN_EXE_rota"))
        .current_dir(office.path())
        .env("NO_COLOR", "1")
        .env(QUICK, "1")
        .args(["apply", "policy.yaml", "--yes", "--at", "2026-04-01"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let arriving = object("2026-04-01", ".age");
    wait_for("the upload never started", || {
        fs::metadata(&arriving).is_ok_and(|m| m.len() > 0)
    });
    server.stop();
    let output = running.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("cannot reach cloud's remote"), "{stdout}");
    assert!(stdout.contains("nothing is lost"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "skipped  - remove {} on cloud",
            name("2026-03-30")
        )),
        "{stdout}"
    );
    assert!(cloud.staged().contains(&name("2026-04-01")));
    assert!(object("2026-03-30", ".age").is_file());

    // Bit rot at the provider meanwhile: Tuesday's object, same size, one
    // byte changed. Back online, the next run finds it by its hash (it is the
    // copy checked longest ago), stops counting it and uploads it again (from
    // the outbox, where keep_local: 1 had kept it), uploads Wednesday's,
    // deletes Monday's from the cloud and logs it.
    let tuesday = object("2026-03-31", ".tar.age");
    let mut rotten = fs::read(&tuesday).unwrap();
    rotten[2_000] ^= 0x10;
    fs::write(&tuesday, &rotten).unwrap();
    server.restart();
    cloud.upload(&online);
    cloud
        .apply("2026-04-01")
        .success()
        .stderr_contains(&format!("{}.tar.age is damaged", name("2026-03-31")))
        .stdout_contains(&format!(
            "ok       + copy {} staged → cloud",
            name("2026-03-31")
        ))
        .stdout_contains(&format!(
            "ok       + copy {} staged → cloud",
            name("2026-04-01")
        ));
    assert_ne!(fs::read(&tuesday).unwrap(), rotten);
    assert!(object("2026-04-01", ".age").is_file());
    assert!(!object("2026-03-30", ".age").exists());
    let audit = fs::read_to_string(office.join("state/audit.log")).unwrap();
    let deleted = audit
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|r| r["path"] == format!("office:cloud/rota/{}.age", name("2026-03-30")))
        .unwrap_or_else(|| panic!("no remote deletion in {audit}"));
    assert_eq!(deleted["location"], "cloud");
    assert_eq!(deleted["op"], "remove");

    // Nothing left to do; the replaced copy restores the bundle the disk has.
    cloud
        .apply("2026-04-01")
        .success()
        .stdout_contains("Nothing to do");
    let downloaded = root.path().join("downloaded.tar.age");
    fs::copy(&tuesday, &downloaded).unwrap();
    let restored = root.path().join("restored");
    office
        .rota()
        .arg("decrypt")
        .arg(&downloaded)
        .arg("--identity")
        .arg(office.join("key.txt"))
        .arg("--out")
        .arg(&restored)
        .run()
        .success();
    assert_eq!(
        hash_path(&restored).unwrap(),
        hash_path(&office.join("disks/MON/rota").join(name("2026-03-31"))).unwrap()
    );

    // The key in the safe opens the staged copy too; the doctor is content.
    office
        .rota()
        .args([
            "restore-test",
            "policy.yaml",
            "--at",
            "2026-04-01",
            "--identity",
            "key.txt",
        ])
        .run()
        .success()
        .stdout_contains("matches the staging folder's manifest");
    let doctor = office
        .rota()
        .args([
            "doctor",
            "policy.yaml",
            "--at",
            "2026-04-01",
            "--format",
            "json",
        ])
        .run();
    let report: serde_json::Value = serde_json::from_str(&doctor.stdout).unwrap();
    for id in ["rclone-installed", "remote-checked", "upload-pending"] {
        let check = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {report}"));
        assert_eq!(check["status"], "pass", "{check}");
    }
}

#[test]
fn apply_refuses_a_target_whose_rclone_is_missing_and_does_the_rest() {
    let cloud = CloudOffice::new();
    let office = &cloud.office;
    let missing = office.join("no-such-rclone");
    cloud.upload(&format!(
        "rclone: \"office:cloud/rota\", binary: \"{}\"",
        missing.display()
    ));
    filled(&office.source().join(name("2026-03-31")), 5_000);
    // Tonight's disk copy does not wait.
    cloud
        .apply("2026-03-31")
        .failure()
        .stderr_contains("rclone-missing")
        .stdout_contains("cannot upload; nothing was done at cloud")
        .stdout_contains(&format!(
            "ok       + copy {} server → MON",
            name("2026-03-31")
        ));
    assert!(
        office
            .join("disks/MON/rota")
            .join(name("2026-03-31"))
            .is_file()
    );
    assert!(
        !office.join("outbox").exists(),
        "nothing staged for a target that cannot upload"
    );
}
