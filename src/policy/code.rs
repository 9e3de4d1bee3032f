//! Every diagnostic code a policy check can report, in one place: the
//! variant the code uses, and the stable kebab-case name people see
//! (`policy::unknown-key`), search the README for and scripts match on.
//! [`PolicyCode::ALL`] lists them all, for the README check.
//!
//! A name never changes once released; a new problem gets a new code.

use std::fmt;

/// Declares [`PolicyCode`], its names and [`PolicyCode::ALL`] from one table.
macro_rules! policy_codes {
    ($($variant:ident => $name:literal,)*) => {
        /// A policy diagnostic's code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum PolicyCode {
            $($variant,)*
        }

        impl PolicyCode {
            /// Every code, in the table's order.
            pub const ALL: &[PolicyCode] = &[$(PolicyCode::$variant,)*];

            /// The stable kebab-case name (`unknown-key`).
            pub fn name(self) -> &'static str {
                match self {
                    $(PolicyCode::$variant => $name,)*
                }
            }
        }
    };
}

policy_codes! {
    AliasExpansion => "alias-expansion",
    ArchiveToMissing => "archive-to-missing",
    ArchiveToUnknown => "archive-to-unknown",
    ArchiveToUnused => "archive-to-unused",
    BadCarry => "bad-carry",
    BadDate => "bad-date",
    BadDuration => "bad-duration",
    BadEmailAddress => "bad-email-address",
    BadEnvName => "bad-env-name",
    BadIgnore => "bad-ignore",
    BadIndentation => "bad-indentation",
    BadKey => "bad-key",
    BadLabel => "bad-label",
    BadMonthDay => "bad-month-day",
    BadPattern => "bad-pattern",
    BadPhone => "bad-phone",
    BadRecipient => "bad-recipient",
    BadRemote => "bad-remote",
    BadReserve => "bad-reserve",
    BadRestoreEvery => "bad-restore-every",
    BadSmtpAddress => "bad-smtp-address",
    BadTime => "bad-time",
    BadUrl => "bad-url",
    CaptureHoldsSource => "capture-holds-source",
    CaptureMissing => "capture-missing",
    ClosedEntryShape => "closed-entry-shape",
    ClosedRangeBackwards => "closed-range-backwards",
    ContactWithoutName => "contact-without-name",
    DiskForClosedDay => "disk-for-closed-day",
    DiskInSource => "disk-in-source",
    DiskWithoutDays => "disk-without-days",
    DuplicateKey => "duplicate-key",
    DuplicateLabel => "duplicate-label",
    DuplicateTarget => "duplicate-target",
    DuplicateWeekday => "duplicate-weekday",
    EmailNoRecipient => "email-no-recipient",
    EmptyCriticalityEntry => "empty-criticality-entry",
    EmptyCustodian => "empty-custodian",
    EmptyOfficeName => "empty-office-name",
    EmptyPath => "empty-path",
    EmptyPolicy => "empty-policy",
    FiscalYearEndNotMonthEnd => "fiscal-year-end-not-month-end",
    FixedOffsetZone => "fixed-offset-zone",
    HoldEntryShape => "hold-entry-shape",
    HoldNotABackup => "hold-not-a-backup",
    HoldRangeBackwards => "hold-range-backwards",
    HolidaysMissing => "holidays-missing",
    MinBackupsZero => "min-backups-zero",
    MissingKey => "missing-key",
    NoArchiveDisks => "no-archive-disks",
    NoOpenDays => "no-open-days",
    NoRecipients => "no-recipients",
    NoRotationDisks => "no-rotation-disks",
    NotAMapping => "not-a-mapping",
    NotText => "not-text",
    NotUtf8 => "not-utf8",
    NotYesOrNo => "not-yes-or-no",
    NothingRetained => "nothing-retained",
    NotifyNever => "notify-never",
    NotifyNoChannel => "notify-no-channel",
    NumberTooLarge => "number-too-large",
    OffsiteOnDisk => "offsite-on-disk",
    PatternMatchesNothing => "pattern-matches-nothing",
    RcloneMissing => "rclone-missing",
    RecipientsUnusable => "recipients-unusable",
    SecretInPolicy => "secret-in-policy",
    SmtpPasswordMissing => "smtp-password-missing",
    SourceMissing => "source-missing",
    SourceOnDisk => "source-on-disk",
    StaleAfterZero => "stale-after-zero",
    StateOnDisk => "state-on-disk",
    TabIndentation => "tab-indentation",
    TooDeeplyNested => "too-deeply-nested",
    TooLarge => "too-large",
    UncoveredOpenDay => "uncovered-open-day",
    UnknownDestruction => "unknown-destruction",
    UnknownDigest => "unknown-digest",
    UnknownKey => "unknown-key",
    UnknownNotifyEvent => "unknown-notify-event",
    UnknownPriority => "unknown-priority",
    UnknownTier => "unknown-tier",
    UnknownTimezone => "unknown-timezone",
    UnknownWeekday => "unknown-weekday",
    Unreadable => "unreadable",
    UnreadableStructure => "unreadable-structure",
    UnsupportedVersion => "unsupported-version",
    WaitTooLong => "wait-too-long",
    WrongType => "wrong-type",
    YamlSyntax => "yaml-syntax",
}

impl fmt::Display for PolicyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_name_is_unique_and_kebab_case() {
        let names: BTreeSet<&str> = PolicyCode::ALL.iter().map(|code| code.name()).collect();
        assert_eq!(names.len(), PolicyCode::ALL.len(), "two codes share a name");
        for name in names {
            let kebab = !name.starts_with('-')
                && !name.ends_with('-')
                && !name.contains("--")
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            assert!(kebab, "{name:?} is not kebab-case");
        }
    }

    #[test]
    fn a_code_displays_as_its_name() {
        assert_eq!(PolicyCode::UnknownKey.to_string(), "unknown-key");
        assert_eq!(PolicyCode::NotUtf8.name(), "not-utf8");
    }
}
