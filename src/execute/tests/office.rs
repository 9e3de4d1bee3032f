//! A real office in a temp folder for the executor's tests: a five-day policy,
//! a source folder of small backups (files and bundles), labelled disk folders
//! that can be plugged in and out, and helpers that plan and apply the way
//! `rota apply` does, with a chosen fault hook.

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::calendar::parse_at;
use crate::execute::failure::Outcome;
use crate::execute::filesystem::{Effect, Faults, Fs};
use crate::execute::lock::{LockError, RunLock};
use crate::execute::{ApplyRun, Report, Silent};
use crate::inventory::{self, Catalog, Inventory, Manifest, layout, write_label};
use crate::plan::{Op, Plan, make_plan};
use crate::policy::{self, Policy};

/// The instant most tests apply at: Tuesday evening.
pub const AT: &str = "2026-03-31";

pub const POLICY: &str = r#"version: 1
office:
  name: Test Dental
  timezone: America/New_York
  open_days: [mon, tue, wed, thu, fri]
source:
  path: source
  pattern: "MacPractice_{%Y-%m-%d_%H%M}.mpbackup"
  keep_last: 2
retain:
  business_days: 5
  month_ends: 2
disks:
  mount_search: ["disks/*"]
  allow_server_drive: true
  min_backups: 2
  reserve: 0%
  rotation:
    - { label: MON, days: [mon] }
    - { label: TUE, days: [tue] }
    - { label: WED, days: [wed, thu, fri] }
state_dir: state
"#;

pub struct Office {
    pub dir: tempfile::TempDir,
    pub policy: Policy,
}

pub fn clock() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 3, 30, 0).unwrap()
}

impl Office {
    /// The office of [`POLICY`] with `extra` YAML appended (hold, destruction...).
    pub fn new(extra: &str) -> Office {
        Office::with_text(&format!("{POLICY}{extra}"))
    }

    /// An office whose whole policy is `text`.
    pub fn with_text(text: &str) -> Office {
        Office::with_text_for(|_| text.to_string())
    }

    /// An office whose policy is written for its folder (`text` gets it).
    pub fn with_text_for(text: impl Fn(&Path) -> String) -> Office {
        let dir = tempfile::tempdir().unwrap();
        for folder in ["source", "disks", "safe"] {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        }
        let text = text(dir.path());
        let file = dir.path().join("policy.yaml");
        std::fs::write(&file, &text).unwrap();
        let policy = policy::load_str(&text, &file).unwrap().policy;
        Office { dir, policy }
    }

    /// Same office, another policy text (same folders).
    pub fn with_policy(&self, extra: &str) -> Policy {
        let file = self.dir.path().join("policy.yaml");
        policy::load_str(&format!("{POLICY}{extra}"), &file)
            .unwrap()
            .policy
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn source(&self, name: &str) -> PathBuf {
        self.path("source").join(name)
    }

    /// A plain-file backup of `date`'s evening, of `size` bytes.
    pub fn backup(&self, date: &str, size: usize) -> String {
        let name = format!("MacPractice_{date}_2330.mpbackup");
        let bytes: Vec<u8> = name.bytes().cycle().take(size).collect();
        std::fs::write(self.source(&name), bytes).unwrap();
        name
    }

    /// A bundle backup: two files, a subfolder and a symlink inside.
    pub fn bundle(&self, date: &str) -> String {
        let name = format!("MacPractice_{date}_2330.mpbackup");
        let root = self.source(&name);
        std::fs::create_dir_all(root.join("Contents/Data")).unwrap();
        std::fs::write(root.join("Contents/Info.plist"), format!("<{name}>")).unwrap();
        std::fs::write(root.join("Contents/Data/db"), vec![7u8; 3000]).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("Data/db", root.join("Contents/current")).unwrap();
        name
    }

    /// Labels a disk folder under `disks/` (connected).
    pub fn disk(&self, label: &str) -> PathBuf {
        let mount = self.path("disks").join(label);
        std::fs::create_dir_all(&mount).unwrap();
        write_label(&mount, label, clock()).unwrap();
        std::fs::create_dir_all(layout::copies_dir(&mount)).unwrap();
        mount
    }

    pub fn mount(&self, label: &str) -> PathBuf {
        self.path("disks").join(label)
    }

    /// Plugs a disk back in from `safe/` (out of `mount_search`).
    pub fn plug(&self, label: &str) {
        std::fs::rename(self.path("safe").join(label), self.mount(label)).unwrap();
    }

    pub fn copies(&self, label: &str) -> PathBuf {
        layout::copies_dir(&self.mount(label))
    }

    pub fn manifest(&self, label: &str) -> Manifest {
        Manifest::load(&self.copies(label))
            .unwrap()
            .unwrap_or_else(|| Manifest::new("", label))
    }

    pub fn at(&self, text: &str) -> DateTime<Tz> {
        parse_at(text, &self.policy.office.calendar).unwrap()
    }

    pub fn scan(&self) -> Inventory {
        let catalog = Catalog::load(&self.policy.state_dir).unwrap();
        inventory::scan_with_catalog(&self.policy, &catalog, clock())
    }

    pub fn plan(&self, at: &str) -> (Inventory, Plan) {
        let inventory = self.scan();
        let plan = make_plan(&self.policy, &inventory, self.at(at));
        (inventory, plan)
    }

    /// The whole of `rota apply --yes` at `at`, effects through `fs`.
    pub fn apply(&self, at: &str, fs: Fs) -> Report {
        self.apply_with(&self.policy, at, fs, None)
    }

    /// Applies with `policy` (its checks), and `plan` if given instead of a
    /// fresh one (it must have been made from the current state).
    pub fn apply_with(
        &self,
        policy: &Policy,
        at: &str,
        fs: Fs,
        plan: Option<(Inventory, Plan)>,
    ) -> Report {
        let clock = clock;
        let mut run = begin(policy, fs, &clock);
        run.recover(&self.scan()).unwrap();
        let now = self.at(at).with_timezone(&Utc);
        run.check_remotes(now).unwrap();
        let (inventory, plan) = plan.unwrap_or_else(|| self.plan(at));
        run.remember(&inventory, now).unwrap();
        let report = run.execute(&plan, &inventory, now, &mut Silent);
        run.finish(&self.scan(), now, &report).unwrap();
        report
    }

    /// [`Office::apply`] by a run that is killed partway: `fs` fails every
    /// effect from some point on, so nothing after it happens, and nothing
    /// about it is reported.
    pub fn apply_until_killed(&self, at: &str, fs: Fs) {
        let clock = clock;
        let mut run = begin(&self.policy, fs, &clock);
        let now = self.at(at).with_timezone(&Utc);
        if run.recover(&self.scan()).is_err() || run.check_remotes(now).is_err() {
            return;
        }
        let (inventory, plan) = self.plan(at);
        if run.remember(&inventory, now).is_err() {
            return;
        }
        let report = run.execute(&plan, &inventory, now, &mut Silent);
        let _ = run.finish(&self.scan(), now, &report);
    }

    /// Names in a folder, sorted.
    pub fn names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

/// [`ApplyRun::begin`], waiting out a lock held for a moment by a process
/// another test is starting: until it runs its program, such a child holds
/// copies of this process's open files, the lock's among them.
pub fn begin<'a>(policy: &'a Policy, fs: Fs, clock: &'a dyn Fn() -> DateTime<Utc>) -> ApplyRun<'a> {
    for _ in 0..200 {
        match RunLock::acquire(&policy.state_dir, clock(), "apply") {
            Ok(lock) => return ApplyRun::with_lock(policy, fs, clock, lock).unwrap(),
            Err(LockError::Held { .. }) => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(error) => panic!("{error}"),
        }
    }
    panic!("the run lock stayed held")
}

/// A fault hook from a closure.
pub struct Hook<F>(pub F);

impl<F: Fn(&Effect<'_>) -> io::Result<()> + Send + Sync> Faults for Hook<F> {
    fn before(&self, effect: &Effect<'_>) -> io::Result<()> {
        (self.0)(effect)
    }
}

pub fn hook(f: impl Fn(&Effect<'_>) -> io::Result<()> + Send + Sync + 'static) -> Fs {
    Fs::with_faults(Hook(f))
}

/// The scenario most tests start from (see `tests`).
pub fn office() -> Office {
    let office = Office::new("");
    for date in [
        "2026-03-23",
        "2026-03-24",
        "2026-03-25",
        "2026-03-26",
        "2026-03-27",
        "2026-03-30",
    ] {
        office.backup(date, 4000);
    }
    office.bundle("2026-03-31");
    office.disk("MON");
    office.disk("TUE");
    office
}

pub fn name(date: &str) -> String {
    format!("MacPractice_{date}_2330.mpbackup")
}

pub fn under(effect: &Effect<'_>, needle: &str) -> bool {
    effect
        .path()
        .is_some_and(|p| p.to_string_lossy().contains(needle))
}

/// One of rota's temporary names (a copy being written or deleted).
pub fn is_partial(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| layout::is_temporary(&n.to_string_lossy()))
}

/// The outcome of the action doing `op` on backup `date`.
pub fn outcome<'r>(report: &'r Report, op: Op, date: &str) -> &'r Outcome {
    &report
        .outcomes
        .iter()
        .find(|(a, _)| a.op == op && a.backup == name(date))
        .unwrap_or_else(|| panic!("no {op:?} of {date} in {:#?}", report.outcomes))
        .1
}

pub fn no_partials(office: &Office) {
    for folder in [
        office.path("source"),
        office.copies("MON"),
        office.copies("TUE"),
    ] {
        let partials: Vec<String> = Office::names(&folder)
            .into_iter()
            .filter(|n| layout::is_temporary(n))
            .collect();
        assert!(
            partials.is_empty(),
            "{partials:?} left in {}",
            folder.display()
        );
    }
}
