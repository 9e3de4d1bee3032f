//! launchd's reload on recorded `launchctl` answers: a scripted runner plays
//! launchd (loaded or not, running or not, `bootstrap` failing a few times
//! with "5: Input/output error") and remembers every command.

use std::cell::RefCell;
use std::io;
use std::path::{Path, PathBuf};

use super::*;
use crate::schedule::install::Situation;
use crate::schedule::{Install, JobFile, Platform, Reload};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/launchctl")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// launchd as the recorded outputs show it.
struct Launchd {
    loaded: RefCell<bool>,
    running: bool,
    /// How many `bootstrap`s fail with "5: Input/output error" first.
    failing_bootstraps: RefCell<u32>,
    ran: RefCell<Vec<String>>,
    paused: RefCell<u32>,
}

impl Launchd {
    fn new(loaded: bool, running: bool, failing_bootstraps: u32) -> Launchd {
        Launchd {
            loaded: RefCell::new(loaded),
            running,
            failing_bootstraps: RefCell::new(failing_bootstraps),
            ran: RefCell::new(Vec::new()),
            paused: RefCell::new(0),
        }
    }

    fn verbs(&self) -> Vec<String> {
        self.ran
            .borrow()
            .iter()
            .map(|command| command.split(' ').nth(1).unwrap_or("").to_string())
            .collect()
    }
}

impl Runner for Launchd {
    fn run(&self, command: &[String]) -> io::Result<RunResult> {
        self.ran.borrow_mut().push(command.join(" "));
        let answer = |success: bool, stdout: String, stderr: String| RunResult {
            success,
            stdout,
            stderr: stderr.trim().to_string(),
        };
        Ok(match command[1].as_str() {
            "print" if *self.loaded.borrow() => answer(
                true,
                fixture(if self.running {
                    "print-running.txt"
                } else {
                    "print-waiting.txt"
                }),
                String::new(),
            ),
            "print" => answer(false, String::new(), fixture("print-not-loaded.txt")),
            "bootout" => {
                *self.loaded.borrow_mut() = false;
                answer(true, String::new(), String::new())
            }
            "bootstrap" => {
                let mut failing = self.failing_bootstraps.borrow_mut();
                if *failing > 0 {
                    *failing -= 1;
                    answer(false, String::new(), fixture("bootstrap-io-error.txt"))
                } else {
                    *self.loaded.borrow_mut() = true;
                    answer(true, String::new(), String::new())
                }
            }
            other => panic!("unexpected launchctl {other}"),
        })
    }

    fn pause(&self, _: std::time::Duration) {
        *self.paused.borrow_mut() += 1;
    }
}

fn job() -> Install {
    let target = "system/org.rota.lakeside-family-dental";
    let plist = "/Library/LaunchDaemons/org.rota.lakeside-family-dental.plist";
    let words = |w: &[&str]| w.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    Install {
        platform: Platform::Launchd,
        name: "org.rota.lakeside-family-dental".into(),
        files: vec![JobFile {
            path: PathBuf::from(plist),
            contents: "<plist/>\n".into(),
        }],
        load: vec![words(&["launchctl", "bootstrap", "system", plist])],
        unload: vec![words(&["launchctl", "bootout", target])],
        query: words(&["launchctl", "print", target]),
        reload: Reload::WhenChanged,
        notes: Vec::new(),
    }
}

fn reinstall(launchd: &Launchd, changed: bool, situation: &Situation) -> Result<(), String> {
    let mut done = Done::default();
    let look = look(
        &job(),
        launchd,
        changed,
        situation.run_in_progress.as_deref(),
        &mut done,
    )
    .map_err(|e| e.to_string())?;
    super::reload(&job(), launchd, look, &mut done)
}

#[test]
fn the_recorded_print_outputs_say_running_or_not() {
    assert_eq!(
        running(&fixture("print-running.txt")),
        Some(Running { pid: Some(8831) })
    );
    assert_eq!(running(&fixture("print-waiting.txt")), None);
    assert_eq!(running(&fixture("print-not-loaded.txt")), None);
    assert!(worth_retrying(&fixture("bootstrap-io-error.txt")));
    assert!(!worth_retrying(
        "Bootstrap failed: 122: Path had bad ownership/permissions"
    ));
}

#[test]
fn a_first_install_only_bootstraps() {
    let launchd = Launchd::new(false, false, 0);
    reinstall(&launchd, true, &Situation::default()).unwrap();
    assert_eq!(launchd.verbs(), ["print", "bootstrap"]);
}

#[test]
fn an_unchanged_loaded_job_is_left_alone() {
    let launchd = Launchd::new(true, true, 0);
    reinstall(&launchd, false, &Situation::default()).unwrap();
    assert_eq!(launchd.verbs(), ["print"]);
}

#[test]
fn a_changed_job_is_booted_out_and_bootstrapped_again_retrying_io_errors() {
    let launchd = Launchd::new(true, false, 2);
    reinstall(&launchd, true, &Situation::default()).unwrap();
    assert_eq!(
        launchd.verbs(),
        [
            "print",
            "bootout",
            "print",
            "bootstrap",
            "bootstrap",
            "bootstrap"
        ]
    );
    assert_eq!(*launchd.paused.borrow(), 2, "a pause before each retry");
    assert!(*launchd.loaded.borrow());
}

#[test]
fn a_bootstrap_that_keeps_failing_says_how_often_it_was_tried() {
    let launchd = Launchd::new(false, false, 9);
    let error = reinstall(&launchd, true, &Situation::default()).unwrap_err();
    assert!(error.contains("5: Input/output error"), "{error}");
    assert!(
        error.ends_with(&format!("(tried {BOOTSTRAP_TRIES} times)")),
        "{error}"
    );
}

#[test]
fn a_running_night_is_never_stopped() {
    let launchd = Launchd::new(true, true, 0);
    let error = reinstall(&launchd, true, &Situation::default()).unwrap_err();
    assert!(error.contains("is running now (pid 8831)"), "{error}");
    assert_eq!(launchd.verbs(), ["print"], "nothing but the look");
    // A run that holds the lock (a night waiting for its backup, or one
    // started by hand) counts as well.
    let launchd = Launchd::new(true, false, 0);
    let busy = Situation {
        run_in_progress: Some("rota apply, started at 2026-03-31 23:45:00 UTC, pid 77".into()),
        owned_by_root: false,
    };
    let error = reinstall(&launchd, true, &busy).unwrap_err();
    assert!(error.contains("holds the lock (rota apply"), "{error}");
    // Unchanged, nothing needs reloading: no refusal.
    reinstall(&launchd, false, &busy).unwrap();
}
