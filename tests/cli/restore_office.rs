//! The office the restore tests start from, made by the real `rota apply`
//! night after night (on top of `apply_office::ApplyOffice`): a week and a
//! half of backups, plain files and bundles, on five rotation disks. On
//! Monday the 30th staff connected TUE instead of MON, and on Tuesday the
//! 31st MON instead of TUE, so two backups have a second (fallback) copy:
//!
//! | backup | server | disks |
//! | --- | --- | --- |
//! | 2026-03-23 | | MON |
//! | 2026-03-24 | | TUE |
//! | 2026-03-25 (bundle) | | WED |
//! | 2026-03-26 | | THU |
//! | 2026-03-27 | yes | FRI |
//! | 2026-03-30 (bundle) | yes | TUE, MON |
//! | 2026-03-31 | yes | MON |

use std::fs;
use std::path::{Path, PathBuf};

use crate::apply_office::{ApplyOffice, name};
use crate::support::{FIVE_DAY_POLICY, Output};

pub const AT: &str = "2026-03-31T23:58";

/// The nights, with the disk connected each night.
const NIGHTS: [(&str, &str); 7] = [
    ("2026-03-23", "MON"),
    ("2026-03-24", "TUE"),
    ("2026-03-25", "WED"),
    ("2026-03-26", "THU"),
    ("2026-03-27", "FRI"),
    ("2026-03-30", "TUE"),
    ("2026-03-31", "MON"),
];

/// Days whose backup is a bundle.
pub const BUNDLES: [&str; 2] = ["2026-03-25", "2026-03-30"];

pub struct RestoreOffice {
    pub apply: ApplyOffice,
}

impl RestoreOffice {
    pub fn new() -> RestoreOffice {
        let apply = ApplyOffice::new(FIVE_DAY_POLICY);
        for label in ["MON", "TUE", "WED", "THU", "FRI"] {
            apply.disk(label, false);
        }
        for (day, label) in NIGHTS {
            let backup = name(day);
            if BUNDLES.contains(&day) {
                apply.office.backup_bundle(&backup, 5_000);
            } else {
                apply.office.backup_file(&backup, 3_000);
            }
            apply.connect_only(&[label]);
            apply.apply(&format!("{day}T23:55")).success();
        }
        apply.connect_only(&[]);
        RestoreOffice { apply }
    }

    pub fn join(&self, relative: &str) -> PathBuf {
        self.apply.office.join(relative)
    }

    /// A copy of the original backup of `day`, kept aside before anything is
    /// damaged, to compare restores with.
    pub fn keep_originals(&self) -> PathBuf {
        let originals = self.join("originals");
        fs::create_dir_all(&originals).unwrap();
        for (day, label) in NIGHTS {
            let backup = name(day);
            let copy = self.apply.mount(label).join("rota").join(&backup);
            let to = originals.join(&backup);
            if copy.is_dir() {
                crate::apply_office::copy_tree(&copy, &to);
            } else {
                fs::copy(&copy, &to).unwrap();
            }
        }
        originals
    }

    /// `rota restore ARGS…` from the office folder.
    pub fn restore(&self, args: &[&str]) -> Output {
        self.apply.rota().arg("restore").args(args).run().no_panic()
    }

    /// Output with the office folder and the disks' ids redacted.
    pub fn redact(&self, text: &str) -> String {
        let mut text = self.apply.office.redact(text);
        for label in self.apply.labels() {
            let mount = self.apply.mount(&label);
            if let Ok(Some(disk)) = rota::inventory::read_label(&mount) {
                text = text.replace(&disk.id, "[DISK-ID]");
                text = text.replace(disk.short_id(), "[ID]");
                // `rota disk init` labels with the real clock.
                let labelled = disk.labelled_at.format("labelled %Y-%m-%d").to_string();
                text = text.replace(&labelled, "labelled [DATE]");
            }
        }
        text
    }

    /// Flips one byte in the middle of a file.
    pub fn damage(path: &Path) {
        let mut bytes = fs::read(path).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x55;
        fs::write(path, bytes).unwrap();
    }
}

/// The snapshot settings every restore test uses.
#[macro_export]
macro_rules! snapshot {
    ($name:expr, $text:expr) => {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, $text);
        });
    };
}

/// Every file and folder under `root` with its bytes (files), for
/// byte-for-byte comparisons of bundles.
pub fn tree(root: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    let mut entries: Vec<(String, Option<Vec<u8>>)> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .map(|entry| {
            let relative = entry
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let bytes = entry
                .file_type()
                .is_file()
                .then(|| fs::read(entry.path()).unwrap());
            (relative, bytes)
        })
        .collect();
    entries.sort();
    entries
}
