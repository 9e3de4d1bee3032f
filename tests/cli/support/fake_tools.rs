//! Fake `diskutil`, `fdesetup` and `tmutil` that print recorded outputs of the
//! real ones (`tests/fixtures/probe/`), for tests whose office must look the
//! same on every machine: a Mac with FileVault on, every disk "APFS
//! (Encrypted)", and a recent Time Machine backup. Use with
//! `ROTA_PROBE_PLATFORM=macos` and the returned `PATH`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::repo_file;

/// Writes the fakes into `bin` (created) and returns a `PATH` that finds
/// them first. `latest` is the Time Machine backup's time, `2026-03-31-221530`.
pub fn healthy_mac(bin: &Path, latest: &str) -> String {
    fs::create_dir_all(bin).unwrap();
    let fixture = |name: &str| repo_file(&format!("tests/fixtures/probe/{name}"));
    let script = |name: &str, text: String| {
        let path = bin.join(name);
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    };
    script(
        "diskutil",
        format!(
            "#!/bin/sh\ncat '{}'\n",
            fixture("diskutil-info-apfs-encrypted.plist").display()
        ),
    );
    script(
        "fdesetup",
        format!(
            "#!/bin/sh\ncat '{}'\n",
            fixture("fdesetup-status-on.txt").display()
        ),
    );
    script(
        "tmutil",
        format!(
            "#!/bin/sh\ncase \"$1\" in\n  destinationinfo) cat '{}' ;;\n  latestbackup) echo '/Volumes/.timemachine/5D7E6A0C/{latest}.backup/{latest}.backup' ;;\n  *) exit 1 ;;\nesac\n",
            fixture("tmutil-destinationinfo.txt").display()
        ),
    );
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}
