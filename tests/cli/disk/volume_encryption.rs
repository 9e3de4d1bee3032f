//! Disk volume encryption through the real binary, with the system's tools
//! replaced by fakes on `PATH` that print recorded outputs of the real ones
//! (`tests/fixtures/probe/`): `diskutil info -plist` on macOS, `lsblk --json`
//! on Linux (its recorded mount points moved to the test's disk folders).
//! `rota doctor` grades each connected disk's volume; under
//! `disks.require_encrypted_volume: true`, `rota apply` refuses to write to
//! a disk it cannot show to be encrypted, and doctor fails.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::support;
use crate::support::{TempOffice, repo_file};

const POLICY: &str = r#"version: 1
office:
  name: Harbor Dental
  timezone: America/New_York
  open_days: [mon, tue, wed, thu, fri]
source:
  path: source
  pattern: "Backup_{%Y-%m-%d_%H%M}.bak"
  reserve: 1 MB
retain:
  business_days: 10
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  reserve: 1 MB
  rotation:
    - { label: MON, days: [mon] }
    - { label: TUE, days: [tue] }
    - { label: WED, days: [wed, thu, fri] }
REQUIRE
state_dir: state
"#;

/// Whose tools rota asks (`ROTA_PROBE_PLATFORM`), so both parsers run on
/// any machine. Either way MON is encrypted (LUKS / "APFS (Encrypted)"),
/// TUE is not (exFAT / plain APFS), and WED is unknown (a device lsblk names no file system
/// for / a volume diskutil says nothing about).
#[derive(Clone, Copy)]
enum Machine {
    Linux,
    MacOs,
}

impl Machine {
    fn name(self) -> &'static str {
        match self {
            Machine::Linux => "linux",
            Machine::MacOs => "macos",
        }
    }
}

struct Office {
    office: TempOffice,
    bin: PathBuf,
    machine: Machine,
}

impl Office {
    fn new(require: bool, machine: Machine) -> Office {
        let require = if require {
            "  require_encrypted_volume: true"
        } else {
            ""
        };
        let office = TempOffice::new(&POLICY.replace("REQUIRE", require));
        for label in ["MON", "TUE", "WED"] {
            let mount = office.folder(&format!("disks/{label}"));
            office
                .rota()
                .args(["disk", "init"])
                .arg(&mount)
                .args(["--label", label])
                .run()
                .success();
        }
        let bin = office.folder("bin");
        let office = Office {
            office,
            bin,
            machine,
        };
        office.fake_tools();
        office
    }

    fn mount(&self, label: &str) -> String {
        self.office
            .join(format!("disks/{label}"))
            .canonicalize()
            .unwrap()
            .display()
            .to_string()
    }

    /// `lsblk` prints the recorded LUKS machine with MON's and TUE's mount
    /// points moved to the test's disk folders, WED on the recorded virtual
    /// machine's device of unknown format; `diskutil` prints the recorded
    /// volume of the disk asked about.
    fn fake_tools(&self) {
        let fixture = |name: &str| repo_file(&format!("tests/fixtures/probe/{name}"));
        let luks = fs::read_to_string(fixture("lsblk-luks-root.json")).unwrap();
        let luks = luks
            .replace("\"mountpoint\": \"/\"", "\"mountpoint\": \"/nowhere/root\"")
            .replace("/media/office/MON", &self.mount("MON"))
            .replace("/media/office/TUE", &self.mount("TUE"));
        let vm = fs::read_to_string(fixture("lsblk-vm-no-fstype.json")).unwrap();
        let vm = vm.replace(
            "\"mountpoint\": \"/\"",
            &format!("\"mountpoint\": \"{}\"", self.mount("WED")),
        );
        // One listing: the LUKS machine's devices and the VM's disk.
        let merged = format!(
            "{},{}",
            luks.trim_end()
                .trim_end_matches(']')
                .trim_end()
                .trim_end_matches('}')
                .trim_end()
                .trim_end_matches(']'),
            vm.trim_start()
                .trim_start_matches('{')
                .trim_start()
                .trim_start_matches("\"blockdevices\":")
                .trim_start()
                .trim_start_matches('[')
        );
        serde_json::from_str::<serde_json::Value>(&merged).expect("the merged listing is JSON");
        let listing = self.bin.join("lsblk.json");
        fs::write(&listing, merged).unwrap();
        self.script(
            "lsblk",
            &format!("#!/bin/sh\ncat '{}'\n", listing.display()),
        );
        self.script(
            "diskutil",
            &format!(
                "#!/bin/sh\ncase \"$3\" in\n  */MON) cat '{}' ;;\n  */TUE) cat '{}' ;;\n  *) echo '<plist version=\"1.0\"><dict><key>VolumeName</key><string>WED</string></dict></plist>' ;;\nesac\n",
                fixture("diskutil-info-apfs-encrypted.plist").display(),
                fixture("diskutil-info-apfs-plain.plist").display()
            ),
        );
    }

    fn script(&self, name: &str, text: &str) {
        let path = self.bin.join(name);
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn rota(&self) -> support::Rota {
        let path = format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        self.office
            .rota()
            .env("PATH", path)
            .env("ROTA_PROBE_PLATFORM", self.machine.name())
    }

    fn copies_on(&self, label: &str) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.office.join(format!("disks/{label}/rota")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("Backup_"))
            .collect();
        names.sort();
        names
    }
}

/// The doctor's media checks (id, subject, status, evidence, action), paths redacted.
fn media_checks(office: &Office, json: &str) -> String {
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
    let checks: Vec<&serde_json::Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|check| check["id"] == "disk-encrypted" || check["id"] == "unencrypted-media")
        .collect();
    office
        .office
        .redact(&serde_json::to_string_pretty(&checks).unwrap())
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn doctor_grades_each_disk_volume_from_lsblk() {
    doctor_grades_each_disk_volume(Machine::Linux);
}

#[test]
fn doctor_grades_each_disk_volume_from_diskutil() {
    doctor_grades_each_disk_volume(Machine::MacOs);
}

fn doctor_grades_each_disk_volume(machine: Machine) {
    let office = Office::new(false, machine);
    office
        .office
        .backup_file("Backup_2026-03-30_2330.bak", 1_000);
    let out = office
        .rota()
        .args([
            "doctor",
            "policy.yaml",
            "--format",
            "json",
            "--at",
            "2026-03-30T23:50",
        ])
        .run();
    let checks = media_checks(&office, &out.stdout);
    let parsed: Vec<serde_json::Value> = serde_json::from_str(&checks).unwrap();
    let status = |subject: &str| {
        parsed
            .iter()
            .find(|c| c["id"] == "disk-encrypted" && c["subject"] == subject)
            .map(|c| c["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status("MON").as_deref(), Some("pass"), "{checks}");
    assert_eq!(status("TUE").as_deref(), Some("warn"), "{checks}");
    assert_eq!(status("WED").as_deref(), Some("unknown"), "{checks}");
    let media = parsed
        .iter()
        .find(|c| c["id"] == "unencrypted-media")
        .unwrap();
    assert_eq!(media["status"], "warn");
    snapshot(
        &format!("doctor_volume_encryption_{}", machine.name()),
        &checks,
    );
    let text = office
        .rota()
        .args(["doctor", "policy.yaml", "--at", "2026-03-30T23:50"])
        .run();
    assert!(
        text.stdout
            .contains("UNKNOWN  Disk WED's volume is encrypted"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .lines()
            .any(|line| line.contains(" checks: ") && line.contains(" unknown")),
        "{}",
        text.stdout
    );
}

#[test]
fn require_encrypted_volume_refuses_an_unencrypted_disk_on_linux() {
    require_encrypted_volume_refuses_an_unencrypted_disk(Machine::Linux);
}

#[test]
fn require_encrypted_volume_refuses_an_unencrypted_disk_on_macos() {
    require_encrypted_volume_refuses_an_unencrypted_disk(Machine::MacOs);
}

fn require_encrypted_volume_refuses_an_unencrypted_disk(machine: Machine) {
    let office = Office::new(true, machine);
    // Monday: MON is on LUKS (or APFS encrypted): the copy is made.
    office
        .office
        .backup_file("Backup_2026-03-30_2330.bak", 1_000);
    office
        .rota()
        .args(["apply", "policy.yaml", "--yes", "--at", "2026-03-30T23:50"])
        .run()
        .success();
    assert_eq!(office.copies_on("MON"), ["Backup_2026-03-30_2330.bak"]);
    // Tuesday: TUE is exFAT: refused, nothing written to it.
    office
        .office
        .backup_file("Backup_2026-03-31_2330.bak", 1_000);
    let refused = office
        .rota()
        .args(["apply", "policy.yaml", "--yes", "--at", "2026-03-31T23:50"])
        .run()
        .failure();
    let stderr = office.office.redact(&refused.stderr);
    assert!(
        stderr.contains("error: disk TUE's volume is not shown to be encrypted"),
        "{stderr}"
    );
    assert!(
        stderr.contains("disks.require_encrypted_volume"),
        "{stderr}"
    );
    assert!(stderr.contains("To fix:"), "{stderr}");
    assert!(office.copies_on("TUE").is_empty());
    let stdout = office.office.redact(&refused.stdout);
    assert!(
        stdout.contains("FAILED   + copy Backup_2026-03-31_2330.bak server → TUE"),
        "{stdout}"
    );
    // The backup stays on the server: nothing is lost.
    assert!(
        office
            .office
            .source()
            .join("Backup_2026-03-31_2330.bak")
            .exists()
    );
    // doctor fails on TUE, says it is unknown for WED and how to check.
    let doctor = office
        .rota()
        .args([
            "doctor",
            "policy.yaml",
            "--format",
            "json",
            "--at",
            "2026-03-31T23:55",
        ])
        .run()
        .failure();
    let checks = media_checks(&office, &doctor.stdout);
    snapshot(
        &format!("doctor_volume_encryption_required_{}", machine.name()),
        &checks,
    );
    let parsed: Vec<serde_json::Value> = serde_json::from_str(&checks).unwrap();
    let tue = parsed
        .iter()
        .find(|c| c["id"] == "disk-encrypted" && c["subject"] == "TUE")
        .unwrap();
    assert_eq!(tue["status"], "fail");
    let wed = parsed
        .iter()
        .find(|c| c["id"] == "disk-encrypted" && c["subject"] == "WED")
        .unwrap();
    assert_eq!(
        wed["status"], "fail",
        "unknown is not good enough when required"
    );
}

#[test]
fn a_missing_tool_means_unknown_never_encrypted() {
    let office = Office::new(true, Machine::Linux);
    fs::remove_file(office.bin.join("lsblk")).unwrap();
    fs::remove_file(office.bin.join("diskutil")).unwrap();
    office
        .office
        .backup_file("Backup_2026-03-30_2330.bak", 1_000);
    // An empty PATH apart from the fakes' folder: neither tool is found.
    let refused = office
        .office
        .rota()
        .env("PATH", &office.bin)
        .env("ROTA_PROBE_PLATFORM", "linux")
        .args(["apply", "policy.yaml", "--yes", "--at", "2026-03-30T23:50"])
        .run()
        .failure();
    assert!(
        refused.stderr.contains("could not be run"),
        "{}",
        refused.stderr
    );
    assert!(office.copies_on("MON").is_empty());
}

/// The server's own checks, from recorded `fdesetup` and `tmutil` outputs:
/// FileVault on or off, Time Machine recent, stale or not set up, and on
/// Linux (no Time Machine) unknown with what to check instead.
#[test]
fn doctor_checks_the_server_itself() {
    let office = Office::new(false, Machine::MacOs);
    office
        .office
        .backup_file("Backup_2026-03-30_2330.bak", 1_000);
    let fixture = |name: &str| repo_file(&format!("tests/fixtures/probe/{name}"));
    let server_checks = |office: &Office| {
        let out = office
            .rota()
            .args([
                "doctor",
                "policy.yaml",
                "--format",
                "json",
                "--at",
                "2026-03-30T23:50",
            ])
            .run();
        let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let checks: Vec<serde_json::Value> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"] == "server-encrypted" || c["id"] == "time-machine")
            .cloned()
            .collect();
        serde_json::to_string_pretty(&checks).unwrap()
    };
    let mut states = Vec::new();
    for (fdesetup, destination, latest) in [
        (
            "fdesetup-status-on.txt",
            "tmutil-destinationinfo.txt",
            "2026-03-30-221530",
        ),
        (
            "fdesetup-status-off.txt",
            "tmutil-destinationinfo.txt",
            "2026-03-20-080000",
        ),
        (
            "fdesetup-status-in-progress.txt",
            "tmutil-destinationinfo-none.txt",
            "",
        ),
    ] {
        office.script(
            "fdesetup",
            &format!("#!/bin/sh\ncat '{}'\n", fixture(fdesetup).display()),
        );
        let none = destination.ends_with("-none.txt");
        office.script(
            "tmutil",
            &format!(
                "#!/bin/sh\ncase \"$1\" in\n  destinationinfo) cat '{}' {}; exit {} ;;\n  latestbackup) echo '/Volumes/.timemachine/X/{latest}.backup/{latest}.backup' ;;\nesac\n",
                fixture(destination).display(),
                if none { ">&2" } else { "" },
                if none { 1 } else { 0 }
            ),
        );
        states.push(server_checks(&office));
    }
    let linux = Office::new(false, Machine::Linux);
    linux
        .office
        .backup_file("Backup_2026-03-30_2330.bak", 1_000);
    states.push(server_checks(&linux));
    let all = office
        .office
        .redact(&linux.office.redact(&states.join("\n")));
    for expected in [
        "\"status\": \"pass\"",
        "fdesetup: FileVault is Off.",
        "latest backup 2026-03-20 08:00 (10 days ago)",
        "Time Machine has no backup disk",
        "\"status\": \"unknown\"",
        "Time Machine is macOS's; this server is not a Mac",
    ] {
        assert!(all.contains(expected), "{expected:?} missing:\n{all}");
    }
    snapshot("doctor_server_checks", &all);
}
