//! `disks:`: where disks are mounted (mount_search), how full they may get
//! (min_backups, reserve), the rotation disks and their weekdays, the archive
//! set, and carrying disks off-site; plus the placement check that every open
//! day has a disk. Encryption and custodian live in `media.rs`.
//! Hooked from `mod.rs`; it only reports problems.

use super::{DEFAULT_MIN_BACKUPS, Validator, default_mount_search};
use crate::calendar::Calendar;
use crate::policy::PolicyCode;
use crate::policy::diagnostic::Problem;
use crate::policy::model::{Archive, Carry, DiskOffsite, Disks, RotationDisk, Tier};
use crate::policy::raw::{
    RawArchive, RawCarry, RawDiskOffsite, RawDisks, RawOffice, RawRotationDisk, Text,
};
use crate::policy::source_map::KeyPath;
use crate::policy::suggest::closest;
use crate::policy::values::{parse_weekday, weekday_name};

impl Validator {
    pub(super) fn disks(&mut self, raw: &RawDisks, path: &KeyPath, calendar: &Calendar) -> Disks {
        let mount_search = match &raw.mount_search {
            Some(globs) => globs
                .iter()
                .enumerate()
                .map(|(i, glob)| {
                    self.path(glob, &path.key("mount_search").index(i))
                        .to_string_lossy()
                        .into_owned()
                })
                .collect(),
            None => default_mount_search(),
        };
        let ignore = self.ignore(
            raw.ignore.as_deref().unwrap_or_default(),
            &mount_search,
            path,
        );
        let min_backups = self.small_number(
            raw.min_backups,
            DEFAULT_MIN_BACKUPS,
            &path.key("min_backups"),
        );
        if min_backups == 0 {
            self.push(
                Problem::error(PolicyCode::MinBackupsZero, path.key("min_backups"), "min_backups is 0: a rotation disk could end up holding no backup at all")
                    .label("must be at least 1")
                    .help("the vendor guide asks for disks that hold at least four backups each: `min_backups: 4`"),
            );
        }
        let reserve = self.reserve(raw.reserve.as_ref(), &path.key("reserve"));
        let rotation = self.rotation(&raw.rotation, &path.key("rotation"), calendar);
        let archive = raw
            .archive
            .as_ref()
            .map(|archive| self.archive(archive, &rotation, &path.key("archive")));
        let offsite = raw
            .offsite
            .as_ref()
            .map(|offsite| self.disk_offsite(offsite, &path.key("offsite")));
        Disks {
            mount_search,
            ignore,
            min_backups,
            reserve,
            rotation,
            archive,
            storage: raw.storage.as_ref().map(|s| s.as_str().trim().to_string()),
            offsite,
            media: self.disk_media(raw, path),
            allow_server_drive: self.allow_server_drive(raw, path),
        }
    }

    /// `disks.ignore`: names or path globs of volumes that are not rota's.
    /// An entry that is empty, or that would hide every folder `mount_search`
    /// finds, is an error: rota would then never see a disk.
    fn ignore(&mut self, raw: &[Text], mount_search: &[String], path: &KeyPath) -> Vec<String> {
        let mut ignore = Vec::new();
        for (i, text) in raw.iter().enumerate() {
            let written = text.as_str().trim();
            let entry = path.key("ignore").index(i);
            let resolved = if written.contains('/') {
                self.path(text, &entry).to_string_lossy().into_owned()
            } else {
                written.to_string()
            };
            let hides_everything =
                written.chars().all(|c| c == '*') || mount_search.contains(&resolved);
            if written.is_empty() || hides_everything {
                self.push(
                    Problem::error(
                        PolicyCode::BadIgnore,
                        entry,
                        if written.is_empty() {
                            String::from("an empty `disks.ignore` entry")
                        } else {
                            format!("`{written}` would hide every disk rota looks for")
                        },
                    )
                    .label(if written.is_empty() {
                        "empty"
                    } else {
                        "matches every folder"
                    })
                    .help(
                        "name only the volumes that are not rota's, by name, e.g. \
                         `ignore: [\"Time Machine*\"]`",
                    ),
                );
                continue;
            }
            ignore.push(resolved);
        }
        ignore
    }

    fn rotation(
        &mut self,
        raw: &[RawRotationDisk],
        path: &KeyPath,
        calendar: &Calendar,
    ) -> Vec<RotationDisk> {
        if raw.is_empty() {
            self.push(
                Problem::error(
                    PolicyCode::NoRotationDisks,
                    path.clone(),
                    "no rotation disks are listed",
                )
                .at_key()
                .label("empty")
                .help("list one disk per open day, e.g. `- { label: MON, days: [mon] }`"),
            );
        }
        let mut disks: Vec<RotationDisk> = Vec::new();
        for (i, entry) in raw.iter().enumerate() {
            let item = path.index(i);
            let label = self.label(&entry.label, &item.key("label"));
            if disks.iter().any(|disk| disk.label == label) {
                self.duplicate_label(&label, &item.key("label"));
            }
            let days = self.weekdays(&entry.days, &item.key("days"));
            if entry.days.is_empty() {
                self.push(
                    Problem::error(
                        PolicyCode::DiskWithoutDays,
                        item.key("days"),
                        format!("disk {label} takes no day's backup"),
                    )
                    .label("no days")
                    .help("give the weekdays whose backups go on this disk, e.g. `days: [mon]`"),
                );
            }
            for (j, day) in days.iter().enumerate() {
                if !calendar.is_open_weekday(*day)
                    && !calendar.open_weekdays().is_empty()
                    && !self.open_days_unreadable
                {
                    self.push(
                        Problem::warning(PolicyCode::DiskForClosedDay, item.key("days").index(j), format!("disk {label} takes {} backups, but the office is not open on {}", weekday_name(*day), weekday_name(*day)))
                            .label("not an open day")
                            .help("backups taken on closed days belong to the previous open day; add the day to office.open_days or remove it here"),
                    );
                }
            }
            disks.push(RotationDisk { label, days });
        }
        disks
    }

    fn label(&mut self, text: &Text, path: &KeyPath) -> String {
        let label = text.as_str().trim().to_string();
        let bad = label.is_empty()
            || label.chars().count() > 32
            || label
                .chars()
                .any(|c| c.is_control() || c == '/' || c == '\\');
        if bad {
            self.push(
                Problem::error(PolicyCode::BadLabel, path.clone(), format!("`{label}` cannot be a disk label"))
                    .label("not a usable label")
                    .help("labels are short names written on the disk, e.g. MON or ARCHIVE-A (up to 32 characters, no slashes)"),
            );
        }
        label
    }

    fn duplicate_label(&mut self, label: &str, path: &KeyPath) {
        self.push(
            Problem::error(PolicyCode::DuplicateLabel, path.clone(), format!("the disk label `{label}` is used twice"))
                .label("already used above")
                .help("every disk needs its own label so staff and rota can tell them apart, e.g. MON-A and MON-B"),
        );
    }

    fn archive(&mut self, raw: &RawArchive, rotation: &[RotationDisk], path: &KeyPath) -> Archive {
        let mut labels: Vec<String> = Vec::new();
        for (i, text) in raw.labels.iter().enumerate() {
            let label = self.label(text, &path.key("labels").index(i));
            if labels.contains(&label) || rotation.iter().any(|disk| disk.label == label) {
                self.duplicate_label(&label, &path.key("labels").index(i));
            }
            labels.push(label);
        }
        if labels.is_empty() {
            self.push(
                Problem::error(
                    PolicyCode::NoArchiveDisks,
                    path.key("labels"),
                    "the archive has no disks",
                )
                .label("empty")
                .help("list the archive disks' labels, e.g. `labels: [ARCHIVE-A]`"),
            );
        }
        let tiers = raw
            .tiers
            .iter()
            .enumerate()
            .filter_map(|(i, text)| self.tier(text, &path.key("tiers").index(i)))
            .collect();
        Archive { labels, tiers }
    }

    fn tier(&mut self, text: &Text, path: &KeyPath) -> Option<Tier> {
        let tier = Tier::from_key(text.as_str().trim());
        if tier.is_none() {
            let keys = Tier::ALL.map(Tier::key);
            let help = match closest(text.as_str(), keys) {
                Some(key) => format!("did you mean `{key}`? Tiers are the keys of `retain`"),
                None => format!("tiers are the keys of `retain`: {}", keys.join(", ")),
            };
            self.push(
                Problem::error(
                    PolicyCode::UnknownTier,
                    path.clone(),
                    format!("unknown retention tier `{}`", text.as_str()),
                )
                .label("not a tier")
                .help(help),
            );
        }
        tier
    }

    fn disk_offsite(&mut self, raw: &RawDiskOffsite, path: &KeyPath) -> DiskOffsite {
        let carry = match &raw.carry {
            RawCarry::Word(word) if word.as_str().trim().eq_ignore_ascii_case("previous") => {
                Carry::Previous
            }
            RawCarry::Word(word) => {
                self.push(
                    Problem::error(PolicyCode::BadCarry, path.key("carry"), format!("`{}` is not a way of carrying disks off-site", word.as_str()))
                        .label("unknown")
                        .help("write `carry: previous` (last night's disk leaves each morning) or a list of nights, e.g. `carry: [fri]`"),
                );
                Carry::Previous
            }
            RawCarry::Days(days) => Carry::Days(self.weekdays(days, &path.key("carry"))),
        };
        DiskOffsite {
            carry,
            by: raw.by.as_ref().map(|by| by.as_str().trim().to_string()),
        }
    }

    pub(super) fn uncovered_open_days(
        &mut self,
        office: &RawOffice,
        disks: &Disks,
        root: &KeyPath,
    ) {
        if disks.rotation.is_empty() {
            return;
        }
        for (i, text) in office.open_days.iter().enumerate() {
            let Some(day) = parse_weekday(text.as_str()) else {
                continue;
            };
            if disks.for_weekday(day).next().is_none() {
                let name = weekday_name(day);
                self.push(
                    Problem::error(PolicyCode::UncoveredOpenDay, root.key("office").key("open_days").index(i), format!("the office is open on {day}s, but no rotation disk takes {day}'s backup", day = crate::calendar::full_weekday(day)))
                        .label("no disk for this day")
                        .help(format!("add `{name}` to a disk's days under disks.rotation, e.g. `- {{ label: {}, days: [{name}] }}`", name.to_uppercase())),
                );
            }
        }
    }
}
