//! Test support for driving the real `rota` binary, shared by every area of
//! the integration tests (declared once, in tests/cli/main.rs).
//!
//! [`Rota`] is a small fluent builder in the style of casey/just's test harness:
//! `Rota::new().args(["check", "policy.yaml"]).current_dir(dir).run().success()`.
//! [`TempOffice`] builds a throwaway office folder (a policy, a source folder,
//! backup files and bundles of chosen sizes) so a test reads like the situation
//! it sets up. Nothing here ever touches anything outside its own temp dir.

pub mod browser;
pub mod fake_tools;
pub mod listeners;
pub mod sandbox;
pub mod sftp;
pub mod tools;

use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long a single run may take before it is killed and the test fails. A
/// safety net against a hang, not a timing assertion: every command of the test
/// suite finishes in well under a second.
const WATCHDOG: Duration = Duration::from_secs(120);

/// The crate's own folder (where `policies/` and `tests/fixtures/` live).
pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A file under the crate's folder, e.g. `repo_file("policies/vendor-guide.yaml")`.
pub fn repo_file(relative: &str) -> PathBuf {
    manifest_dir().join(relative)
}

/// Replaces machine-specific absolute paths with stable placeholders so that
/// snapshots are the same on every machine: the crate folder becomes `[ROOT]`,
/// each of `temp_dirs` becomes `[TEMP]`.
pub fn redact_paths(text: &str, temp_dirs: &[&Path]) -> String {
    let mut out = text.to_string();
    for dir in temp_dirs {
        // Temp dirs may be reached through a symlink (/var → /private/var on macOS).
        if let Ok(canonical) = dir.canonicalize() {
            out = out.replace(&canonical.display().to_string(), "[TEMP]");
        }
        out = out.replace(&dir.display().to_string(), "[TEMP]");
    }
    out.replace(&manifest_dir().display().to_string(), "[ROOT]")
}

/// One invocation of the `rota` binary, built up fluently.
#[must_use = "a Rota command does nothing until .run()"]
pub struct Rota {
    command: Command,
    shown: Vec<String>,
    stdin: Option<Vec<u8>>,
}

impl Default for Rota {
    fn default() -> Self {
        Rota::new()
    }
}

impl Rota {
    /// The binary built by cargo for this test run, with colour switched off
    /// so that output is plain text whatever the test runner's terminal is.
    pub fn new() -> Rota {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rota"));
        command.env("NO_COLOR", "1");
        Rota {
            command,
            shown: vec![String::from("rota")],
            stdin: None,
        }
    }

    /// The binary run by `program PREFIX... rota ...` (e.g. `setpriv` to run
    /// it as another user).
    pub fn through(program: &str, prefix: &[&str]) -> Rota {
        let mut command = Command::new(program);
        command
            .args(prefix)
            .arg(env!("CARGO_BIN_EXE_rota"))
            .env("NO_COLOR", "1");
        let mut shown: Vec<String> = std::iter::once(program)
            .chain(prefix.iter().copied())
            .map(str::to_string)
            .collect();
        shown.push(String::from("rota"));
        Rota {
            command,
            shown,
            stdin: None,
        }
    }

    /// The binary run by an unprivileged user, who cannot read what file
    /// permissions deny: `nobody` through `setpriv` (util-linux; see
    /// scripts/test) when the tests run as root, else the test's own user.
    #[cfg(unix)]
    pub fn unprivileged() -> Rota {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            return Rota::new();
        }
        let setpriv = tools::require("setpriv", "util-linux");
        Rota::through(
            &setpriv.display().to_string(),
            &["--reuid=65534", "--regid=65534", "--clear-groups", "--"],
        )
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Rota {
        self.shown.push(arg.as_ref().to_string_lossy().into_owned());
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Rota
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Rota {
        self.command.current_dir(dir);
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Rota {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Rota {
        self.command.env_remove(key);
        self
    }

    /// Text fed to the command's standard input (none by default).
    pub fn stdin(mut self, text: impl Into<Vec<u8>>) -> Rota {
        self.stdin = Some(text.into());
        self
    }

    /// Runs the command to completion and captures its output.
    pub fn run(mut self) -> Output {
        let mut child = self
            .command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", self.shown.join(" ")));
        if let Some(input) = self.stdin.take() {
            let mut pipe = child.stdin.take().expect("stdin was piped");
            thread::spawn(move || pipe.write_all(&input));
        }
        // Read both pipes on their own threads so a chatty child cannot block
        // on a full pipe while we wait for it.
        let stdout = drain(child.stdout.take().expect("stdout was piped"));
        let stderr = drain(child.stderr.take().expect("stderr was piped"));
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("waiting for rota") {
                break status;
            }
            if started.elapsed() > WATCHDOG {
                let _ = child.kill();
                let _ = child.wait();
                panic!("`{}` did not finish; killed it", self.shown.join(" "));
            }
            thread::sleep(Duration::from_millis(5));
        };
        Output {
            command: self.shown.join(" "),
            status,
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
        }
    }
}

/// Whether apply's stderr says only that the night failed by its warnings.
pub fn is_failed_night_only(stderr: &str) -> bool {
    stderr.contains("tonight's run failed:") && !stderr.contains("actions were not done")
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// What a run of `rota` produced. The assertion helpers return `self` so they
/// chain, and print the whole output when they fail.
#[derive(Debug)]
pub struct Output {
    pub command: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    fn fail(&self, what: &str) -> ! {
        panic!(
            "`{}`: {what}\nexit status: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command,
            self.status.code(),
            self.stdout,
            self.stderr
        );
    }

    /// Exit status 0.
    #[track_caller]
    pub fn success(self) -> Output {
        self.code(0)
    }

    /// Exit status 1: rota's status for an invalid policy, bad arguments or a
    /// failed action (2 is not a failure: `plan --detailed-exitcode`).
    #[track_caller]
    pub fn failure(self) -> Output {
        self.code(1)
    }

    /// An `apply` that did all its work: exit 0, or exit 1 only because the
    /// night met a failure-severity warning (no disk, a missing backup, ...):
    /// never a failed action, a refusal or an error.
    #[track_caller]
    pub fn night_done(self) -> Output {
        match self.status.code() {
            Some(0) => self,
            Some(1) if is_failed_night_only(&self.stderr) => self,
            _ => self.fail("expected an apply that did all its work"),
        }
    }

    #[track_caller]
    pub fn code(self, expected: i32) -> Output {
        if self.status.code() != Some(expected) {
            self.fail(&format!("expected exit status {expected}"));
        }
        self
    }

    #[track_caller]
    pub fn stdout_contains(self, needle: &str) -> Output {
        if !self.stdout.contains(needle) {
            self.fail(&format!("stdout should contain {needle:?}"));
        }
        self
    }

    #[track_caller]
    pub fn stderr_contains(self, needle: &str) -> Output {
        if !self.stderr.contains(needle) {
            self.fail(&format!("stderr should contain {needle:?}"));
        }
        self
    }

    #[track_caller]
    pub fn stdout_lacks(self, needle: &str) -> Output {
        if self.stdout.contains(needle) {
            self.fail(&format!("stdout should not contain {needle:?}"));
        }
        self
    }

    #[track_caller]
    pub fn stderr_lacks(self, needle: &str) -> Output {
        if self.stderr.contains(needle) {
            self.fail(&format!("stderr should not contain {needle:?}"));
        }
        self
    }

    /// No panic message, whatever the exit status: bad input must never panic.
    #[track_caller]
    pub fn no_panic(self) -> Output {
        if self.stderr.contains("panicked") || self.status.code() == Some(101) {
            self.fail("rota panicked");
        }
        self
    }
}

/// A policy for a five-day office that lives entirely inside its folder:
/// backups in `source/`, disks mounted under `disks/`, state in `state/`.
pub const FIVE_DAY_POLICY: &str = r#"version: 1
office:
  name: Test Family Dental
  timezone: America/New_York
  open_days: [mon, tue, wed, thu, fri]
  closed:
    - { date: 2026-01-01, name: New Year's Day }
  day_starts_at: "05:00"
  fiscal_year_end: "12-31"
source:
  path: source
  pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup"
  keep_last: 3
retain:
  business_days: 10
  month_ends: 12
  quarter_ends: 8
  fiscal_year_ends: all
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  min_backups: 4
  reserve: 10%
  rotation:
    - { label: MON, days: [mon] }
    - { label: TUE, days: [tue] }
    - { label: WED, days: [wed] }
    - { label: THU, days: [thu] }
    - { label: FRI, days: [fri] }
state_dir: state
"#;

/// A throwaway office: a temp folder holding `policy.yaml`, a `source/` folder
/// and whatever backups a test adds. Removed when dropped.
pub struct TempOffice {
    dir: tempfile::TempDir,
}

impl TempOffice {
    /// An office whose policy is `policy` (written to `policy.yaml`), with an
    /// empty `source/` folder.
    pub fn new(policy: &str) -> TempOffice {
        let dir = tempfile::Builder::new()
            .prefix("rota-test-")
            .tempdir()
            .expect("create a temp dir");
        let office = TempOffice { dir };
        office.write_policy(policy);
        fs::create_dir_all(office.source()).expect("create source/");
        office
    }

    /// The five-day office of [`FIVE_DAY_POLICY`].
    pub fn five_day() -> TempOffice {
        TempOffice::new(FIVE_DAY_POLICY)
    }

    /// An office folder with no policy file and no source folder (for `init`).
    pub fn empty() -> TempOffice {
        let dir = tempfile::Builder::new()
            .prefix("rota-test-")
            .tempdir()
            .expect("create a temp dir");
        TempOffice { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `relative` inside the office folder.
    pub fn join(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.path().join(relative)
    }

    pub fn policy(&self) -> PathBuf {
        self.join("policy.yaml")
    }

    pub fn source(&self) -> PathBuf {
        self.join("source")
    }

    /// Replaces the policy text.
    pub fn write_policy(&self, text: &str) -> &TempOffice {
        fs::write(self.policy(), text).expect("write policy.yaml");
        self
    }

    /// A plain-file backup of exactly `size` bytes in the source folder,
    /// finished an hour ago (older than any `source.settle`).
    pub fn backup_file(&self, name: &str, size: u64) -> PathBuf {
        let path = self.source().join(name);
        write_filled(&path, name, size);
        finished_an_hour_ago(&path);
        path
    }

    /// A plain-file backup written just now: still being written as far as
    /// `source.settle` can tell.
    pub fn fresh_backup_file(&self, name: &str, size: u64) -> PathBuf {
        let path = self.source().join(name);
        write_filled(&path, name, size);
        path
    }

    /// A directory backup (a macOS bundle) of `size` bytes in total in the
    /// source folder: `Contents/Info.plist` plus `Contents/Resources/data.bin`.
    pub fn backup_bundle(&self, name: &str, size: u64) -> PathBuf {
        let root = self.source().join(name);
        let info = format!("bundle {name}\n");
        let info_len = (info.len() as u64).min(size);
        let contents = root.join("Contents");
        fs::create_dir_all(contents.join("Resources")).expect("create bundle folders");
        fs::write(
            contents.join("Info.plist"),
            &info.as_bytes()[..info_len as usize],
        )
        .expect("write bundle Info.plist");
        write_filled(
            &contents.join("Resources").join("data.bin"),
            name,
            size - info_len,
        );
        finished_an_hour_ago(&root);
        root
    }

    /// Any file inside the office folder (folders are created as needed).
    pub fn file(&self, relative: &str, size: u64) -> PathBuf {
        let path = self.join(relative);
        write_filled(&path, relative, size);
        path
    }

    /// A folder inside the office folder (and its parents).
    pub fn folder(&self, relative: &str) -> PathBuf {
        let path = self.join(relative);
        fs::create_dir_all(&path).expect("create folder");
        path
    }

    /// `rota` run from inside the office folder.
    pub fn rota(&self) -> Rota {
        Rota::new().current_dir(self.path())
    }

    /// Output with this office's folder (and the crate folder) redacted.
    pub fn redact(&self, text: &str) -> String {
        redact_paths(text, &[self.path()])
    }
}

/// Gives a backup (everything inside a bundle too) a modification time an
/// hour ago, as a backup the practice software finished writing long since.
pub fn finished_an_hour_ago(path: &Path) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    set_modified_tree(path, past);
}

/// Sets the modification time of `path` and, for a folder, of everything in it.
pub fn set_modified_tree(path: &Path, time: std::time::SystemTime) {
    for entry in walkdir::WalkDir::new(path).contents_first(true) {
        let entry = entry.expect("walk backup");
        let file = fs::File::open(entry.path()).expect("open to set its time");
        file.set_modified(time).expect("set modification time");
    }
}

/// Writes `size` bytes made from `seed`, so different backups differ in content
/// (and hash) while staying reproducible.
fn write_filled(path: &Path, seed: &str, size: u64) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create parent folder");
    }
    let pattern: Vec<u8> = format!("{seed}\n").into_bytes();
    let mut file = fs::File::create(path).expect("create backup file");
    let mut left = size as usize;
    let mut chunk = Vec::with_capacity(64 * 1024);
    while chunk.len() < 64 * 1024 {
        chunk.extend_from_slice(&pattern);
    }
    while left > 0 {
        let take = left.min(chunk.len());
        file.write_all(&chunk[..take]).expect("write backup bytes");
        left -= take;
    }
}
