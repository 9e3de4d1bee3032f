//! Every warning code rota can raise, in one table: its stable kebab-case key
//! (as the README and the JSON name it), its [`Severity`], a one-line meaning and
//! a help line. What people are told follows from this table: the run's
//! outcome and `apply`'s exit status, the notifications and their priority,
//! `rota status` and the README's list of codes (a test checks every code is
//! there).
//!
//! Pure data; nothing here decides when a warning is raised.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a warning is for the night it was met on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Standing advice: true every night until someone acts, never urgent.
    /// A night with only advisories is `ok`.
    Advisory,
    /// A person should look soon: the backups are safe tonight, but something
    /// is off (a wrong disk, a copy rota cannot vouch for). The night's
    /// outcome is `warning`.
    Attention,
    /// The night did not do its job (tonight's backup is not where it must
    /// be, or deletions had to stop). The night's outcome is `failed` and
    /// `apply` exits 1.
    Failure,
}

impl Severity {
    pub fn key(self) -> &'static str {
        match self {
            Severity::Advisory => "advisory",
            Severity::Attention => "attention",
            Severity::Failure => "failure",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A warning's stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningCode {
    MissingBackup,
    WrongDisk,
    DiskFull,
    UnlabelledDisk,
    UnrecognizedFile,
    RestoreTestDue,
    NetworkVolume,
    DuplicateLabel,
    DuplicateId,
    UnknownDisk,
    ManifestUnreadable,
    FutureBackup,
    MassDelete,
    UnverifiedCopy,
    SourceMissing,
    NoDisk,
    UnsettledBackup,
    ChangedBackup,
    DiskNotSwapped,
    UnencryptedMedia,
    CaptureUnreadable,
    CaptureNameTaken,
    UnchangedCapture,
    TamperedBackup,
    SourceStale,
    PatternMatchesNothing,
    DiskUnreadable,
    DiskOnServerDrive,
    HolidaysMissing,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: WarningCode,
    pub key: &'static str,
    pub severity: Severity,
    /// The problem as a notification's title says it: a short sentence a
    /// person understands without knowing the code.
    pub title: &'static str,
    /// What the warning means, in one line.
    pub meaning: &'static str,
    /// What to do about it, in one line.
    pub help: &'static str,
}

use Severity::{Advisory, Attention, Failure};
use WarningCode as C;

/// The table. Order: as the README lists the codes.
pub const CODES: &[CodeInfo] = &[
    info(
        C::MissingBackup,
        "missing-backup",
        Failure,
        "No new backup: the practice software wrote none",
        "an open day has no backup in the source folder",
        "check the practice software's backup log for that day and run its backup",
    ),
    info(
        C::NoDisk,
        "no-disk",
        Failure,
        "No disk was connected: tonight's backup is only on the server",
        "none of tonight's rotation disks was connected: tonight's backup is only on the server",
        "connect tonight's disk (the swap sheet says which) and run `rota apply` again",
    ),
    info(
        C::DiskUnreadable,
        "disk-unreadable",
        Failure,
        "A disk folder cannot be read: tonight's disk may be there unseen",
        "a folder under `disks.mount_search` cannot be read (permission denied; on a Mac, a nightly job without Full Disk Access): rota cannot tell whether it is tonight's disk",
        "on a Mac, give the rota program the job runs (e.g. /usr/local/bin/rota) Full Disk Access: System Settings > Privacy & Security > Full Disk Access, +; elsewhere, let the job's user read the folder",
    ),
    info(
        C::DiskFull,
        "disk-full",
        Failure,
        "A disk is full: tonight's copies did not fit",
        "a disk has no room above its reserve for the copies it must take",
        "free space on the disk, use a larger disk, or lower `disks.min_backups` or the tiers",
    ),
    info(
        C::PatternMatchesNothing,
        "pattern-matches-nothing",
        Failure,
        "No file in the backup folder matches the pattern: nothing can be copied",
        "the source folder holds files but none matches `source.pattern`: rota sees no backup at all",
        "compare `source.pattern` with the names in the source folder and correct it: the part in {} is the date and time, e.g. {%Y-%m-%d_%H%M}",
    ),
    info(
        C::SourceMissing,
        "source-missing",
        Failure,
        "The backup folder cannot be read: nothing was copied",
        "the source folder cannot be read: nothing on the server can be copied",
        "check that `source.path` exists and that rota may read it",
    ),
    info(
        C::TamperedBackup,
        "tampered-backup",
        Failure,
        "A backup changed after it was copied: possible ransomware or tampering",
        "a backup's bytes changed on the server after rota had a verified copy (ransomware, corruption or tampering)",
        "find out why it changed; the verified copies are kept; if the change was intended, run `rota accept-change POLICY NAME`",
    ),
    info(
        C::SourceStale,
        "source-stale",
        Failure,
        "No new backup for days: deletions have stopped",
        "no new backup has arrived for `source.stale_after` open days (or the clock is wrong): deletions stop",
        "check the practice software's backups and the server's clock; deletions resume once a new backup arrives",
    ),
    info(
        C::FutureBackup,
        "future-backup",
        Failure,
        "A backup is dated in the future: deletions have stopped",
        "a backup is dated after today (a wrong clock or a mistyped name): deletions stop",
        "check the server's and the practice software's clocks; rename or move the file out of the source folder",
    ),
    info(
        C::CaptureUnreadable,
        "capture-unreadable",
        Failure,
        "The practice software's export cannot be read: tonight's backup was not taken",
        "the export `source.capture` names cannot be read: tonight's backup cannot be captured",
        "check that the practice software wrote its export and that rota may read it",
    ),
    info(
        C::MassDelete,
        "mass-delete",
        Attention,
        "The plan deletes many backups at once: check that it was meant",
        "the plan deletes more than half of a location's copies, or every copy of a recent day",
        "check `rota plan`; if the deletions are intended, run `rota apply --allow-mass-delete` once",
    ),
    info(
        C::WrongDisk,
        "wrong-disk",
        Attention,
        "The wrong disk was connected: tonight's backup went on it instead",
        "a connected rotation disk is not tonight's: tonight's backup goes on it as a fallback",
        "connect tonight's disk as the swap sheet says",
    ),
    info(
        C::DiskNotSwapped,
        "disk-not-swapped",
        Attention,
        "The disk was not swapped: the same disk stayed connected",
        "the same disk stayed connected although the rotation wanted another",
        "swap the disks as the swap sheet says",
    ),
    info(
        C::UnverifiedCopy,
        "unverified-copy",
        Attention,
        "A file on a disk is not a copy rota can vouch for",
        "a file on a disk is not a copy rota wrote and verified (not in its records, or its record disagrees)",
        "rota neither counts nor deletes it; run `rota verify` and look at how it got there",
    ),
    info(
        C::ManifestUnreadable,
        "manifest-unreadable",
        Attention,
        "A disk's record of its copies is damaged: rota trusts nothing on it",
        "a disk's manifest cannot be read: rota trusts nothing on it and deletes nothing there",
        "run `rota verify --disk LABEL`, or reformat the disk and label it again",
    ),
    info(
        C::DuplicateLabel,
        "duplicate-label",
        Attention,
        "Two connected disks carry the same label: rota used neither",
        "two connected disks carry the same label: rota touches neither",
        "disconnect one, or relabel it (`rota disk init PATH --label NEW --force`; a clone also needs `--new-id`)",
    ),
    info(
        C::DuplicateId,
        "duplicate-id",
        Attention,
        "Two connected disks carry the same id: one was cloned from the other",
        "two connected disks carry the same disk id (`rota disk list`): one is a clone of the other",
        "give the clone an id of its own: `rota disk init PATH --label L --force --new-id`",
    ),
    info(
        C::UnknownDisk,
        "unknown-disk",
        Attention,
        "A connected disk is not in the policy: rota left it alone",
        "a connected disk's label is not in the policy: rota leaves it alone",
        "add the label to `disks.rotation` or `disks.archive`, or disconnect the disk",
    ),
    info(
        C::UnlabelledDisk,
        "unlabelled-disk",
        Attention,
        "A connected disk has no rota label: rota did not use it",
        "a folder under `disks.mount_search` has no rota label: rota does not use it",
        "label it with `rota disk init PATH --label LABEL`; if it is not one of rota's disks (Time Machine, a camera card), add it to `disks.ignore`",
    ),
    info(
        C::DiskOnServerDrive,
        "disk-on-server-drive",
        Attention,
        "A disk folder is on the server's own drive: a copy there protects nothing",
        "a folder under `disks.mount_search` is on the same file system as `source.path` (an empty folder left after a disk was unplugged without Eject, or a mount_search that points into the server's drive): a copy there is lost with the server's drive",
        "delete a stale empty folder such as /Volumes/MON and connect the disk again; point `disks.mount_search` at external disks; only a test or demo sets `disks.allow_server_drive: true`",
    ),
    info(
        C::ChangedBackup,
        "changed-backup",
        Attention,
        "A backup changed after it was copied tonight: it is copied again",
        "a backup changed on the server on its own business day after it was copied: it is copied again",
        "nothing to do if the practice software re-ran its backup tonight",
    ),
    info(
        C::UnsettledBackup,
        "unsettled-backup",
        Attention,
        "Tonight's backup was still being written: it is not copied yet",
        "a backup is still being written (changed less than `source.settle` ago): it is not copied yet",
        "run apply after the backup finishes, or use `rota apply --wait`",
    ),
    info(
        C::CaptureNameTaken,
        "capture-name-taken",
        Attention,
        "The export's capture name is taken: no capture was made",
        "the name a capture would take is already a backup: the capture is not made",
        "check the practice software's clock and the source folder",
    ),
    info(
        C::UnchangedCapture,
        "unchanged-capture",
        Attention,
        "The export did not change: the practice software wrote no new backup",
        "the export holds the same content as the last capture: the practice software wrote no new backup",
        "check the practice software's backup job",
    ),
    info(
        C::UnrecognizedFile,
        "unrecognized-file",
        Advisory,
        "A file in the backup folder does not match the pattern",
        "a file in the source folder does not match the backup pattern: rota leaves it alone",
        "check `source.pattern`, or move the file elsewhere",
    ),
    info(
        C::NetworkVolume,
        "network-volume",
        Advisory,
        "A location is on a network volume",
        "a location is on a network volume: the vendor guide advises against it",
        "use a disk connected to the server",
    ),
    info(
        C::RestoreTestDue,
        "restore-test-due",
        Advisory,
        "A restore test is due",
        "a restore test is due",
        "run `rota restore-test POLICY`",
    ),
    info(
        C::HolidaysMissing,
        "holidays-missing",
        Advisory,
        "Next year's holidays are not in the policy",
        "from October on: this year's closed dates are listed but next year's are not, so next year's holidays would each expect a backup and its sheets show no closures",
        "add next year's holidays under `office.closed`, written like this year's (e.g. `{ date: YYYY-12-25, name: Christmas Day }`)",
    ),
    info(
        C::UnencryptedMedia,
        "unencrypted-media",
        Advisory,
        "The disks are not encrypted",
        "disks hold patient records that nothing encrypts",
        "set `disks.encrypt` or encrypt the volumes and set `disks.require_encrypted_volume: true`",
    ),
];

const fn info(
    code: WarningCode,
    key: &'static str,
    severity: Severity,
    title: &'static str,
    meaning: &'static str,
    help: &'static str,
) -> CodeInfo {
    CodeInfo {
        code,
        key,
        severity,
        title,
        meaning,
        help,
    }
}

impl WarningCode {
    /// Every code, in the table's order.
    pub fn all() -> impl Iterator<Item = WarningCode> {
        CODES.iter().map(|row| row.code)
    }

    /// This code's row of the table.
    pub fn info(self) -> &'static CodeInfo {
        CODES
            .iter()
            .find(|row| row.code == self)
            .expect("every warning code has a row in plan::code::CODES")
    }

    /// The stable kebab-case name (`missing-backup`, ...).
    pub fn key(self) -> &'static str {
        self.info().key
    }

    pub fn severity(self) -> Severity {
        self.info().severity
    }

    /// The code named `key`, if there is one.
    pub fn from_key(key: &str) -> Option<WarningCode> {
        CODES.iter().find(|row| row.key == key).map(|row| row.code)
    }
}

impl fmt::Display for WarningCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The worst severity among `codes` (`None`: no warning at all).
pub fn worst(codes: impl IntoIterator<Item = WarningCode>) -> Option<Severity> {
    codes.into_iter().map(WarningCode::severity).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_exactly_one_row_and_its_key_is_what_serde_writes() {
        for row in CODES {
            assert_eq!(
                CODES.iter().filter(|other| other.code == row.code).count(),
                1,
                "{:?} has more than one row",
                row.code
            );
            let written = serde_json::to_string(&row.code).unwrap();
            assert_eq!(written, format!("\"{}\"", row.key));
            let read: WarningCode = serde_json::from_str(&written).unwrap();
            assert_eq!(read, row.code);
            assert_eq!(WarningCode::from_key(row.key), Some(row.code));
            assert!(!row.meaning.is_empty() && !row.help.is_empty());
            assert!(
                row.title.starts_with(char::is_uppercase) && !row.title.ends_with('.'),
                "{:?}: a title is a sentence without its full stop",
                row.code
            );
        }
    }

    #[test]
    fn the_spec_severities_hold() {
        for key in [
            "no-disk",
            "disk-full",
            "missing-backup",
            "source-missing",
            "tampered-backup",
            "source-stale",
            "future-backup",
            "disk-unreadable",
        ] {
            assert_eq!(
                WarningCode::from_key(key).unwrap().severity(),
                Failure,
                "{key}"
            );
        }
        for key in [
            "wrong-disk",
            "disk-not-swapped",
            "unverified-copy",
            "disk-on-server-drive",
        ] {
            assert_eq!(
                WarningCode::from_key(key).unwrap().severity(),
                Attention,
                "{key}"
            );
        }
        for key in ["unencrypted-media", "restore-test-due"] {
            assert_eq!(
                WarningCode::from_key(key).unwrap().severity(),
                Advisory,
                "{key}"
            );
        }
    }

    #[test]
    fn the_readme_lists_every_code_with_its_severity() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .expect("README.md");
        let rows: Vec<(String, String)> = readme
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| {
                let (code, rest) = rest.split_once("` | ")?;
                let severity = rest.split(" |").next()?;
                matches!(severity, "failure" | "attention" | "advisory")
                    .then(|| (code.to_string(), severity.to_string()))
            })
            .collect();
        let expected: Vec<(String, String)> = CODES
            .iter()
            .map(|row| (row.key.to_string(), row.severity.key().to_string()))
            .collect();
        assert_eq!(
            rows, expected,
            "README's warnings table vs plan::code::CODES"
        );
    }

    #[test]
    fn the_worst_severity_wins() {
        assert_eq!(worst([]), None);
        assert_eq!(
            worst([C::RestoreTestDue, C::WrongDisk, C::UnencryptedMedia]),
            Some(Attention)
        );
        assert_eq!(worst([C::WrongDisk, C::NoDisk]), Some(Failure));
    }
}
