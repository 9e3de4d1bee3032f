//! `rota schedule install|remove|status`: the launchd plist and the systemd
//! units are snapshotted and parsed (the plist with the `plist` crate, the
//! units as INI), and installing is driven for real into a temporary root
//! (`ROTA_SCHEDULE_ROOT`) with a stand-in for launchctl/systemctl
//! (`ROTA_SCHEDULE_RUNNER`, a script that logs its arguments), so no test
//! ever touches /Library, /etc or the real scheduler.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support;
use crate::support::{FIVE_DAY_POLICY, Rota, TempOffice, redact_paths};

const SCHEDULE: &str = "schedule: { at: \"23:45\", wait: 2h }\n";

/// An office whose first night was run by hand (a backup, disk MON, one
/// `rota apply`), as the README asks before the schedule is installed.
fn office() -> TempOffice {
    let office = new_office();
    office.backup_file("MacPractice_2026-03-02_2330.mpbackup", 1_000);
    office.folder("disks/MON");
    office
        .rota()
        .args(["disk", "init", "disks/MON", "--label", "MON"])
        .run()
        .success();
    office
        .rota()
        .args(["apply", "policy.yaml", "--yes", "--at", "2026-03-02T23:50"])
        .run()
        .success();
    office
}

/// An office set up but never run.
fn new_office() -> TempOffice {
    TempOffice::new(&format!("{FIVE_DAY_POLICY}{SCHEDULE}"))
}

/// Paths that differ between machines: the office, the rota binary.
fn redact(office: &TempOffice, text: &str) -> String {
    let exe = Path::new(env!("CARGO_BIN_EXE_rota"))
        .canonicalize()
        .unwrap()
        .display()
        .to_string();
    redact_paths(&text.replace(&exe, "[ROTA]"), &[office.path()])
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

/// A root for the install and a stand-in scheduler that logs each command.
/// systemctl exits with `status`; launchctl plays launchd with the recorded
/// outputs of tests/fixtures/launchctl: `bootstrap` loads the job,
/// `bootout` unloads it, `print` says so (and that it runs, once
/// [`FakeSystem::start_night`] was called).
struct FakeSystem {
    root: tempfile::TempDir,
    runner: PathBuf,
    log: PathBuf,
}

impl FakeSystem {
    fn new(status: u8) -> FakeSystem {
        let root = tempfile::tempdir().unwrap();
        let log = root.path().join("commands.log");
        let runner = root.path().join("scheduler.sh");
        let state = root.path().display().to_string();
        let recorded = |name: &str| {
            support::repo_file(&format!("tests/fixtures/launchctl/{name}"))
                .display()
                .to_string()
        };
        std::fs::write(
            &runner,
            format!(
                "#!/bin/sh\necho \"$*\" >> '{log}'\n\
                 case \"$1 $2\" in\n\
                 'launchctl print')\n\
                 \x20 if [ -f '{state}/running' ]; then cat '{running}'; exit 0; fi\n\
                 \x20 if [ -f '{state}/loaded' ]; then cat '{waiting}'; exit 0; fi\n\
                 \x20 cat '{not_loaded}' >&2; exit 113 ;;\n\
                 'launchctl bootstrap') touch '{state}/loaded'; exit 0 ;;\n\
                 'launchctl bootout') rm -f '{state}/loaded' '{state}/running'; exit 0 ;;\n\
                 esac\n\
                 exit {status}\n",
                log = log.display(),
                running = recorded("print-running.txt"),
                waiting = recorded("print-waiting.txt"),
                not_loaded = recorded("print-not-loaded.txt"),
            ),
        )
        .unwrap();
        make_executable(&runner);
        FakeSystem { root, runner, log }
    }

    fn rota(&self, office: &TempOffice) -> Rota {
        self.environment(office, office.rota())
    }

    /// `rota` started with the given umask (the job files' mode must not
    /// follow it).
    fn rota_with_umask(&self, office: &TempOffice, umask: &str) -> Rota {
        let script = format!("umask {umask}; exec \"$0\" \"$@\"");
        self.environment(
            office,
            Rota::through("sh", &["-c", &script]).current_dir(office.path()),
        )
    }

    fn environment(&self, _office: &TempOffice, rota: Rota) -> Rota {
        rota.env("ROTA_SCHEDULE_ROOT", self.root.path())
            .env("ROTA_SCHEDULE_RUNNER", &self.runner)
            // Whoever runs the tests: the job's account is chosen as if
            // rota were started by root without sudo, unless a test says.
            .env_remove("SUDO_USER")
    }

    /// launchd starts tonight's run.
    fn start_night(&self) {
        std::fs::write(self.root.path().join("running"), "").unwrap();
    }

    fn forget_commands(&self) {
        let _ = std::fs::remove_file(&self.log);
    }

    fn commands(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn file(&self, path: &str) -> PathBuf {
        self.root.path().join(path.trim_start_matches('/'))
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {
    panic!("the schedule tests need a Unix shell for their stand-in scheduler (see scripts/test)");
}

/// `[Section]` → key → values, as systemd reads a unit (keys may repeat).
fn ini(text: &str) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let mut sections: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.to_string();
            continue;
        }
        let (key, value) = line.split_once('=').expect("key=value");
        sections
            .entry(current.clone())
            .or_default()
            .entry(key.to_string())
            .or_default()
            .push(value.to_string());
    }
    sections
}

#[test]
fn print_shows_the_systemd_units_and_changes_nothing() {
    let office = office();
    let fake = FakeSystem::new(0);
    let output = fake
        .rota(&office)
        .args([
            "schedule",
            "install",
            "policy.yaml",
            "--print",
            "--platform",
            "systemd",
        ])
        .run()
        .success();
    assert!(
        fake.commands().is_empty(),
        "--print ran {:?}",
        fake.commands()
    );
    assert!(!fake.file("/etc").exists());
    let text = redact(&office, &output.stdout)
        .replace(&fake.root.path().display().to_string(), "[FAKEROOT]");
    snapshot("schedule_print_systemd", &text);
}

#[test]
fn print_shows_the_launchd_plist() {
    let office = office();
    let fake = FakeSystem::new(0);
    let output = fake
        .rota(&office)
        .args([
            "schedule",
            "install",
            "policy.yaml",
            "--print",
            "--platform",
            "launchd",
        ])
        .run()
        .success()
        .stdout_contains("Full Disk Access");
    assert!(fake.commands().is_empty());
    let text = redact(&office, &output.stdout)
        .replace(&fake.root.path().display().to_string(), "[FAKEROOT]");
    snapshot("schedule_print_launchd", &text);
}

#[test]
fn the_launchd_plist_parses_and_runs_apply_on_open_nights() {
    let office = office();
    let fake = FakeSystem::new(0);
    let install = || {
        fake.rota_with_umask(&office, "077")
            .args([
                "schedule",
                "install",
                "policy.yaml",
                "--platform",
                "launchd",
            ])
            .run()
    };
    install()
        .success()
        .stdout_contains("Installed org.rota.test-family-dental (launchd)")
        .stdout_contains("runs as:  root");
    let path = fake.file("/Library/LaunchDaemons/org.rota.test-family-dental.plist");
    let plist = plist::Value::from_file(&path).expect("a valid plist");
    let dict = plist.as_dictionary().unwrap();
    assert_eq!(
        dict["Label"].as_string(),
        Some("org.rota.test-family-dental")
    );
    let args: Vec<&str> = dict["ProgramArguments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect();
    let policy = office.policy().canonicalize().unwrap();
    assert_eq!(
        args[1..],
        ["apply", policy.to_str().unwrap(), "--yes", "--wait", "2h"]
    );
    assert!(Path::new(args[0]).is_absolute());
    let days: Vec<(i64, i64, i64)> = dict["StartCalendarInterval"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let entry = entry.as_dictionary().unwrap();
            let number = |key: &str| entry[key].as_signed_integer().unwrap();
            (number("Weekday"), number("Hour"), number("Minute"))
        })
        .collect();
    assert_eq!(
        days,
        [
            (1, 23, 45),
            (2, 23, 45),
            (3, 23, 45),
            (4, 23, 45),
            (5, 23, 45)
        ]
    );
    let logs = office.path().canonicalize().unwrap().join("state/logs");
    assert_eq!(
        dict["StandardOutPath"].as_string(),
        Some(logs.join("apply.log").to_str().unwrap())
    );
    assert!(logs.is_dir(), "install creates the log folder");
    // Issue 29: whom it runs as, with which HOME, not throttled.
    assert_eq!(dict["UserName"].as_string(), Some("root"));
    assert_eq!(dict["InitGroups"].as_boolean(), Some(true));
    let environment = dict["EnvironmentVariables"].as_dictionary().unwrap();
    let root_home = home_of("root");
    assert_eq!(environment["HOME"].as_string(), Some(root_home.as_str()));
    assert!(
        environment["PATH"]
            .as_string()
            .unwrap()
            .contains("/opt/homebrew/bin")
    );
    assert_eq!(dict["ProcessType"].as_string(), Some("Standard"));
    assert_eq!(dict["RunAtLoad"].as_boolean(), Some(false));
    // 0644 whatever the umask, and root's (the tests run as root).
    assert_mode_and_owner(&path);
    let target = "system/org.rota.test-family-dental";
    let bootstrap =
        "launchctl bootstrap system /Library/LaunchDaemons/org.rota.test-family-dental.plist";
    let print = format!("launchctl print {target}");
    assert_eq!(fake.commands(), [print.as_str(), bootstrap]);

    // Again, unchanged and loaded: launchd is asked, nothing is reloaded.
    fake.forget_commands();
    install().success().stdout_contains("unchanged  ");
    assert_eq!(fake.commands(), [print.as_str()]);

    // The schedule changes: the job is unloaded and loaded again.
    fake.forget_commands();
    office.write_policy(&format!("{FIVE_DAY_POLICY}schedule: {{ at: \"22:30\" }}\n"));
    install().success().stdout_contains("wrote      ");
    let bootout = format!("launchctl bootout {target}");
    assert_eq!(
        fake.commands(),
        [print.as_str(), bootout.as_str(), print.as_str(), bootstrap]
    );
}

/// The home folder the user database gives `name`.
fn home_of(name: &str) -> String {
    let output = std::process::Command::new("getent")
        .args(["passwd", name])
        .output()
        .expect("getent (libc-bin) to read the user database");
    let line = String::from_utf8(output.stdout).unwrap();
    line.trim()
        .split(':')
        .nth(5)
        .expect("a home field")
        .to_string()
}

#[cfg(unix)]
fn assert_mode_and_owner(path: &Path) {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(path).unwrap();
    assert_eq!(metadata.mode() & 0o777, 0o644, "{}", path.display());
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        assert_eq!((metadata.uid(), metadata.gid()), (0, 0));
    }
}

#[cfg(not(unix))]
fn assert_mode_and_owner(_: &Path) {}

#[test]
fn a_night_in_progress_is_never_stopped_by_a_reinstall() {
    let office = office();
    let fake = FakeSystem::new(0);
    let install = || {
        fake.rota(&office).args([
            "schedule",
            "install",
            "policy.yaml",
            "--platform",
            "launchd",
        ])
    };
    install().run().success();
    let path = fake.file("/Library/LaunchDaemons/org.rota.test-family-dental.plist");
    let before = std::fs::read_to_string(&path).unwrap();
    office.write_policy(&format!("{FIVE_DAY_POLICY}schedule: {{ at: \"22:30\" }}\n"));

    // launchd says the job runs: nothing is written or reloaded.
    fake.start_night();
    fake.forget_commands();
    install()
        .run()
        .failure()
        .stderr_contains("is running now (pid 8831)")
        .stderr_contains("nothing was changed")
        .stderr_contains("again once tonight's run has finished");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    assert_eq!(
        fake.commands(),
        ["launchctl print system/org.rota.test-family-dental"]
    );

    // A run holding the lock (a night still waiting for its backup).
    std::fs::remove_file(fake.root.path().join("running")).unwrap();
    let lock = std::fs::File::create(office.folder("state").join("lock")).unwrap();
    lock.try_lock().unwrap();
    install()
        .run()
        .failure()
        .stderr_contains("a rota run holds the lock");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    drop(lock);
    install().run().success().stdout_contains("wrote      ");
}

#[cfg(unix)]
#[test]
fn the_job_runs_as_the_person_who_ran_sudo_and_status_reads_the_disks_as_them() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let office = office();
    let fake = FakeSystem::new(0);
    // The account that ran `sudo rota schedule install`, and an office it may read.
    let chmod = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    chmod(office.path(), 0o755);
    office.folder("disks/TUE");
    fake.rota(&office)
        .env("SUDO_USER", "nobody")
        .args([
            "schedule",
            "install",
            "policy.yaml",
            "--platform",
            "launchd",
        ])
        .run()
        .success()
        .stdout_contains("runs as:  nobody (the person who ran sudo");
    let path = fake.file("/Library/LaunchDaemons/org.rota.test-family-dental.plist");
    let plist = plist::Value::from_file(&path).unwrap();
    let dict = plist.as_dictionary().unwrap();
    assert_eq!(dict["UserName"].as_string(), Some("nobody"));
    let home = home_of("nobody");
    assert_eq!(
        dict["EnvironmentVariables"].as_dictionary().unwrap()["HOME"].as_string(),
        Some(home.as_str())
    );
    let state = office.join("state");
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        for entry in [state.clone(), state.join("logs")] {
            assert_eq!(
                std::fs::metadata(&entry).unwrap().uid(),
                65534,
                "{}",
                entry.display()
            );
        }
    }

    // Status reads which account from the installed plist, and looks at
    // the disks as that account: a folder only root may read is not readable.
    let status = || {
        fake.rota(&office).args([
            "schedule",
            "status",
            "policy.yaml",
            "--platform",
            "launchd",
            "--at",
            "2026-03-31T12:00",
        ])
    };
    let output = status().run().success();
    assert!(
        output
            .stdout
            .contains("runs as:  nobody (as the installed job says)")
    );
    assert!(
        output.stdout.contains("disks/TUE  no rota label"),
        "{}",
        output.stdout
    );
    chmod(&office.join("disks/TUE"), 0o700);
    let output = if root {
        status()
            .run()
            .failure()
            .stderr_contains("the nightly job, run as nobody, may not read every disk folder")
    } else {
        status().run()
    };
    chmod(&office.join("disks/TUE"), 0o755);
    if root {
        let text = redact(&office, &output.stdout)
            .replace(&fake.root.path().display().to_string(), "[FAKEROOT]")
            .replace(&home, "[HOME]");
        snapshot("schedule_status_disk_unreadable", &text);
    }
}
#[test]
fn install_is_idempotent_status_reports_it_and_remove_leaves_other_units_alone() {
    let office = office();
    let fake = FakeSystem::new(0);
    let neighbour = fake.file("/etc/systemd/system/backup-other.timer");
    std::fs::create_dir_all(neighbour.parent().unwrap()).unwrap();
    std::fs::write(&neighbour, "[Timer]\nOnCalendar=daily\n").unwrap();
    let install = || {
        fake.rota(&office)
            .args([
                "schedule",
                "install",
                "policy.yaml",
                "--platform",
                "systemd",
            ])
            .run()
            .success()
    };
    install().stdout_contains("wrote      ");
    let timer_path = fake.file("/etc/systemd/system/rota-test-family-dental.timer");
    let service_path = fake.file("/etc/systemd/system/rota-test-family-dental.service");
    let timer = ini(&std::fs::read_to_string(&timer_path).unwrap());
    assert_eq!(
        timer["Timer"]["OnCalendar"],
        ["Mon,Tue,Wed,Thu,Fri *-*-* 23:45:00 America/New_York"]
    );
    assert_eq!(timer["Timer"]["Persistent"], ["true"]);
    assert_eq!(timer["Install"]["WantedBy"], ["timers.target"]);
    let service = ini(&std::fs::read_to_string(&service_path).unwrap());
    assert_eq!(service["Service"]["Type"], ["oneshot"]);
    let exec = &service["Service"]["ExecStart"][0];
    assert!(exec.ends_with("--yes --wait 2h"), "{exec}");
    assert!(exec.contains(" apply /"), "absolute policy path: {exec}");

    let output = install();
    assert!(!output.stdout.contains("wrote "), "{}", output.stdout);
    assert!(output.stdout.contains("unchanged  "));
    fake.rota(&office)
        .args([
            "schedule",
            "status",
            "policy.yaml",
            "--platform",
            "systemd",
            "--at",
            "2026-03-31T12:00",
        ])
        .run()
        .success()
        .stdout_contains("installed, up to date")
        .stdout_contains("loaded: yes")
        .stdout_contains("next run: 2026-03-31 23:45 EDT")
        .stdout_contains("last run: 2026-03-02 23:50 (ok)");

    // The policy changes: status says the installed files are out of date.
    office.write_policy(&format!("{FIVE_DAY_POLICY}schedule: {{ at: \"22:30\" }}\n"));
    fake.rota(&office)
        .args(["schedule", "status", "policy.yaml", "--platform", "systemd"])
        .run()
        .failure()
        .stdout_contains("differs from the policy");

    fake.rota(&office)
        .args(["schedule", "remove", "policy.yaml", "--platform", "systemd"])
        .run()
        .success()
        .stdout_contains("Removed rota-test-family-dental.timer");
    assert!(!timer_path.exists() && !service_path.exists());
    assert_eq!(
        std::fs::read_to_string(&neighbour).unwrap(),
        "[Timer]\nOnCalendar=daily\n"
    );
    fake.rota(&office)
        .args(["schedule", "remove", "policy.yaml", "--platform", "systemd"])
        .run()
        .success()
        .stdout_contains("is not installed; nothing to remove");
    assert_eq!(
        fake.commands(),
        [
            "systemctl daemon-reload",
            "systemctl enable --now rota-test-family-dental.timer",
            "systemctl daemon-reload",
            "systemctl enable --now rota-test-family-dental.timer",
            "systemctl is-active --quiet rota-test-family-dental.timer",
            "systemctl is-active --quiet rota-test-family-dental.timer",
            "systemctl disable --now rota-test-family-dental.timer",
        ]
    );
}

#[test]
fn a_failing_scheduler_command_fails_the_install_with_a_hint() {
    let office = office();
    let fake = FakeSystem::new(1);
    fake.rota(&office)
        .args([
            "schedule",
            "install",
            "policy.yaml",
            "--platform",
            "systemd",
        ])
        .run()
        .failure()
        .stderr_contains("`systemctl daemon-reload` failed")
        .stderr_contains("sudo");
}

#[test]
fn a_policy_without_a_schedule_is_refused_with_an_example() {
    let office = TempOffice::five_day();
    Rota::new()
        .current_dir(office.path())
        .args(["schedule", "install", "policy.yaml", "--print"])
        .run()
        .failure()
        .stderr_contains("has no schedule")
        .stderr_contains("schedule: { at: \"23:45\", wait: 2h }");
}

#[test]
fn a_run_after_midnight_starts_on_the_next_mornings() {
    let policy = FIVE_DAY_POLICY.replace(
        "state_dir: state\n",
        "state_dir: state\nschedule: { at: \"01:30\" }\n",
    );
    let office = TempOffice::new(&policy);
    let output = office
        .rota()
        .args([
            "schedule",
            "install",
            "policy.yaml",
            "--print",
            "--platform",
            "systemd",
        ])
        .run()
        .success();
    // day_starts_at is 05:00: Monday's run starts at 01:30 on Tuesday.
    assert!(
        output
            .stdout
            .contains("OnCalendar=Tue,Wed,Thu,Fri,Sat *-*-* 01:30:00 America/New_York"),
        "{}",
        output.stdout
    );
    assert!(!output.stdout.contains("--wait"));
}

/// Until a first `rota apply` has carried out its plan (by hand), `install`
/// refuses and names the commands to run; `--print` still shows the files,
/// after a note saying why the install itself would be refused.
#[test]
fn install_waits_for_the_first_night_run_by_hand_and_print_says_so() {
    let office = new_office();
    let fake = FakeSystem::new(0);
    fake.rota(&office)
        .args([
            "schedule",
            "install",
            "policy.yaml",
            "--platform",
            "systemd",
        ])
        .run()
        .failure()
        .stderr_contains("no `rota apply` has carried out its plan for policy.yaml yet")
        .stderr_contains("`rota apply policy.yaml`")
        .stderr_contains("--allow-mass-delete");
    assert!(fake.commands().is_empty(), "nothing was run");
    assert!(
        !fake
            .file("/etc/systemd/system/rota-test-family-dental.timer")
            .exists()
    );
    let printed = fake
        .rota(&office)
        .args([
            "schedule",
            "install",
            "policy.yaml",
            "--print",
            "--platform",
            "systemd",
        ])
        .run()
        .success()
        .stdout_contains("[Timer]");
    let text = redact(&office, &printed.stdout);
    let note: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
    snapshot("schedule_print_before_the_first_night", &note);
    // Once the first night has been carried out by hand, install goes ahead.
    office.backup_file("MacPractice_2026-03-02_2330.mpbackup", 1_000);
    office.folder("disks/MON");
    office
        .rota()
        .args(["disk", "init", "disks/MON", "--label", "MON"])
        .run()
        .success();
    office
        .rota()
        .args(["apply", "policy.yaml", "--yes", "--at", "2026-03-02T23:50"])
        .run()
        .success();
    fake.rota(&office)
        .args([
            "schedule",
            "install",
            "policy.yaml",
            "--platform",
            "systemd",
        ])
        .run()
        .success()
        .stdout_contains("Installed rota-test-family-dental");
}
