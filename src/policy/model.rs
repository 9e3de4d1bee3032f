//! The validated policy: typed values only, relative paths already resolved
//! against the policy file's folder. Everything downstream works on this.

use std::path::PathBuf;

use chrono::{NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::duration::Span;
use super::values::Reserve;
use crate::calendar::{Calendar, NamePattern};
use crate::words::key::serde_keys;

#[derive(Debug, Clone)]
pub struct Policy {
    /// The policy file itself (for messages) and its folder (for relative paths).
    pub file: PathBuf,
    pub office: Office,
    pub source: Source,
    pub retain: Retain,
    pub disks: Disks,
    pub offsite: Vec<OffsiteTarget>,
    pub destruction: Destruction,
    pub restore_test: RestoreTest,
    pub hold: Vec<Hold>,
    pub state_dir: PathBuf,
    /// When the platform's scheduler runs `rota apply` (`schedule:`).
    pub schedule: Option<super::unattended::Schedule>,
    /// Who hears how a night went (`notify:`); empty when not given.
    pub notify: super::unattended::Notify,
    /// What the written contingency plan needs that rota cannot know
    /// (`contingency:`); all blank when not given.
    pub contingency: super::contingency::Contingency,
}

#[derive(Debug, Clone)]
pub struct Office {
    pub name: String,
    pub calendar: Calendar,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub pattern: NamePattern,
    pub keep_last: u32,
    /// Free space to keep on the server's drive (doctor warns below it).
    pub reserve: Reserve,
    /// Whether the practice software encrypts its backups, as the office
    /// says (`source.encrypted`); rota cannot tell by itself. `None`: not said.
    pub encrypted: Option<bool>,
    /// How long a backup must have gone unchanged (by the real clock) before
    /// it is copied: younger ones are still being written (`source.settle`).
    pub settle: Span,
    /// Open days without a new backup after which deletions stop
    /// (`source.stale_after`, safety invariant 13): the practice software
    /// stopped writing, or the clock jumped ahead.
    pub stale_after: u32,
    /// A fixed-name file or folder the practice software overwrites each
    /// night (`source.capture`): rota copies it into `path` under `pattern`,
    /// named by its modification time, and rotates those captures.
    pub capture: Option<PathBuf>,
}

/// How many periods a tier keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Number(u32),
    All,
}

impl Count {
    pub const NONE: Count = Count::Number(0);

    pub fn is_zero(self) -> bool {
        self == Count::NONE
    }

    /// The count as a bound, with `All` as "as many as there are".
    pub fn limit(self) -> usize {
        match self {
            Count::Number(n) => n as usize,
            Count::All => usize::MAX,
        }
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Count::Number(n) => write!(f, "{n}"),
            Count::All => write!(f, "all"),
        }
    }
}

/// The retention tiers, named exactly as the `retain` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    BusinessDays,
    MonthEnds,
    QuarterEnds,
    FiscalYearEnds,
    Last,
}

serde_keys!(Tier);

impl Tier {
    pub const ALL: [Tier; 5] = [
        Tier::BusinessDays,
        Tier::MonthEnds,
        Tier::QuarterEnds,
        Tier::FiscalYearEnds,
        Tier::Last,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retain {
    pub business_days: Count,
    pub month_ends: Count,
    pub quarter_ends: Count,
    pub fiscal_year_ends: Count,
    pub last: Count,
}

impl Retain {
    pub fn count(&self, tier: Tier) -> Count {
        match tier {
            Tier::BusinessDays => self.business_days,
            Tier::MonthEnds => self.month_ends,
            Tier::QuarterEnds => self.quarter_ends,
            Tier::FiscalYearEnds => self.fiscal_year_ends,
            Tier::Last => self.last,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Disks {
    /// Globs (already made absolute) where connected disks appear.
    pub mount_search: Vec<String>,
    /// Volumes under `mount_search` that are not rota's (`disks.ignore`):
    /// a pattern with a `/` is a path glob (made absolute), one without is
    /// matched against the folder's name. Only `*` and `?` are wildcards.
    pub ignore: Vec<String>,
    pub min_backups: u32,
    pub reserve: Reserve,
    pub rotation: Vec<RotationDisk>,
    pub archive: Option<Archive>,
    pub storage: Option<String>,
    pub offsite: Option<DiskOffsite>,
    /// Encryption and custody of the disks (`disks.encrypt`,
    /// `disks.require_encrypted_volume`, `disks.custodian`).
    pub media: DiskMedia,
    /// `disks.allow_server_drive`: a disk folder on the same file system as
    /// `source.path` is expected (a sandbox, the demo), not warned
    /// `disk-on-server-drive`.
    pub allow_server_drive: bool,
}

/// How the disks that leave the server are protected and who answers for them.
#[derive(Debug, Clone, Default)]
pub struct DiskMedia {
    /// Copies on rotation and archive disks are age-encrypted to these recipients.
    pub encrypt: Option<Encrypt>,
    /// `apply` refuses to write to a disk whose volume is not shown encrypted.
    pub require_encrypted_volume: bool,
    /// The person responsible for the disks, as written in `disks.custodian`.
    pub custodian: Option<String>,
}

impl Disks {
    /// The rotation disks that take the backups of `weekday`.
    pub fn for_weekday(&self, weekday: Weekday) -> impl Iterator<Item = &RotationDisk> {
        self.rotation
            .iter()
            .filter(move |disk| disk.days.contains(&weekday))
    }

    pub fn is_rotation(&self, label: &str) -> bool {
        self.rotation.iter().any(|disk| disk.label == label)
    }

    pub fn is_archive(&self, label: &str) -> bool {
        self.archive
            .as_ref()
            .is_some_and(|archive| archive.labels.iter().any(|l| l == label))
    }

    /// Every label the policy knows: rotation disks, then archive disks.
    /// Who is responsible for the disks: `disks.custodian`, else the person
    /// who carries them off-site (`disks.offsite.by`).
    pub fn custodian(&self) -> Option<&str> {
        self.media.custodian.as_deref().or_else(|| {
            self.offsite
                .as_ref()
                .and_then(|offsite| offsite.by.as_deref())
        })
    }

    pub fn labels(&self) -> Vec<&str> {
        let rotation = self.rotation.iter().map(|disk| disk.label.as_str());
        let archive = self
            .archive
            .iter()
            .flat_map(|archive| archive.labels.iter().map(String::as_str));
        rotation.chain(archive).collect()
    }
}

#[derive(Debug, Clone)]
pub struct RotationDisk {
    pub label: String,
    pub days: Vec<Weekday>,
}

#[derive(Debug, Clone)]
pub struct Archive {
    pub labels: Vec<String>,
    pub tiers: Vec<Tier>,
}

#[derive(Debug, Clone)]
pub struct DiskOffsite {
    pub carry: Carry,
    pub by: Option<String>,
}

/// Which rotation disk leaves the building.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carry {
    /// Each morning, last night's disk goes off-site.
    Previous,
    /// Only the disks of these nights' backups go off-site.
    Days(Vec<Weekday>),
}

#[derive(Debug, Clone)]
pub struct OffsiteTarget {
    pub name: String,
    /// Local staging folder: copies are made here first, then uploaded.
    pub path: PathBuf,
    pub upload: Option<Upload>,
    pub encrypt: Option<Encrypt>,
    pub retain: Retain,
}

#[derive(Debug, Clone)]
pub struct Upload {
    /// rclone remote and path, e.g. `b2:lakeside/rota`.
    pub remote: String,
    pub config: Option<PathBuf>,
    pub bwlimit: Option<String>,
    /// The rclone program (default `rclone` on PATH).
    pub binary: Option<PathBuf>,
    /// How many of the newest uploaded-and-verified copies stay in the staging
    /// folder (default [`DEFAULT_KEEP_LOCAL`]: the folder is an outbox).
    pub keep_local: u32,
}

/// Staged copies kept after their upload is verified, unless the policy says.
pub const DEFAULT_KEEP_LOCAL: u32 = 0;

#[derive(Debug, Clone)]
pub struct Encrypt {
    pub age_recipients: Vec<String>,
    pub age_recipients_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expired {
    Remove,
    Archive,
    Destroy,
}

serde_keys!(Expired);

#[derive(Debug, Clone)]
pub struct Destruction {
    pub expired: Expired,
    pub archive_to: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreEvery {
    Month,
    Quarter,
}

#[derive(Debug, Clone)]
pub struct RestoreTest {
    pub every: RestoreEvery,
    /// A command run on the restored copy (`{}` is replaced by its path).
    pub command: Option<String>,
}

/// A legal or audit hold: these backups are never deleted anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    Name(String),
    /// Backups whose business day falls in `from..=to` (a single date: from == to).
    Dates {
        from: NaiveDate,
        to: NaiveDate,
    },
}

impl Hold {
    pub fn holds(&self, name: &str, business_day: NaiveDate) -> bool {
        match self {
            Hold::Name(held) => held == name,
            Hold::Dates { from, to } => *from <= business_day && business_day <= *to,
        }
    }
}

impl Policy {
    /// Whether any hold covers this backup.
    pub fn is_held(&self, name: &str, business_day: NaiveDate) -> bool {
        self.hold.iter().any(|hold| hold.holds(name, business_day))
    }

    pub fn offsite_target(&self, name: &str) -> Option<&OffsiteTarget> {
        self.offsite.iter().find(|target| target.name == name)
    }
}
