//! Locations that overlap (safety invariant 14): rota's places must be apart,
//! or one is mistaken for another. A source folder inside a disk's folder
//! would have rota "prune the server" by deleting the disk's copies; a disk
//! folder inside the source folder would count the server's own drive as a
//! backup; `state_dir` or an off-site staging folder on a disk would leave
//! with the disk. Each is a policy error, so `check` exits 1 and `apply`
//! refuses.
//!
//! "Inside a disk" means inside anything `disks.mount_search` matches: rota
//! takes every such folder for a disk. Pure: paths and globs as written
//! (resolved against the policy's folder), compared component by component.

use std::path::{Component, Path, PathBuf};

use glob::{MatchOptions, Pattern};

use super::Validator;
use crate::policy::PolicyCode;
use crate::policy::diagnostic::Problem;
use crate::policy::model::{Disks, OffsiteTarget, Source};
use crate::policy::source_map::KeyPath;

/// `*` never crosses a `/`: `/Volumes/*` matches `/Volumes/MON`, not deeper.
const OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

impl Validator {
    pub(super) fn overlapping_locations(
        &mut self,
        source: &Source,
        disks: &Disks,
        offsite: &[OffsiteTarget],
        state_dir: &Path,
        root: &KeyPath,
    ) {
        let searches: Vec<(usize, String)> =
            disks.mount_search.iter().cloned().enumerate().collect();
        let search_key = |i: usize| root.key("disks").key("mount_search").index(i);
        for (i, search) in &searches {
            if let Some(disk) = on_a_disk(&source.path, search) {
                self.push(
                    Problem::error(
                        PolicyCode::SourceOnDisk,
                        root.key("source").key("path"),
                        format!(
                            "the source folder {} is inside {}, which disks.mount_search ({search}) \
                             takes for a disk: rota would prune the server by deleting that disk's copies",
                            source.path.display(),
                            disk.display()
                        ),
                    )
                    .label("inside a disk's folder")
                    .help(
                        "point source.path at the folder the practice software writes to on the \
                         server, and disks.mount_search only at the backup disks",
                    ),
                );
            }
            if inside_source(search, &source.path) {
                self.push(
                    Problem::error(
                        PolicyCode::DiskInSource,
                        search_key(*i),
                        format!(
                            "disks.mount_search {search} finds disks inside the source folder {}: \
                             a folder on the server's own drive is no backup disk",
                            source.path.display()
                        ),
                    )
                    .label("inside source.path")
                    .help("point mount_search at where the backup disks are mounted, e.g. \"/Volumes/*\""),
                );
            }
            if let Some(disk) = on_a_disk(state_dir, search) {
                self.push(
                    Problem::error(
                        PolicyCode::StateOnDisk,
                        root.key("state_dir"),
                        format!(
                            "state_dir {} is inside {}, which disks.mount_search ({search}) takes for \
                             a disk: rota's catalog and audit log would leave with the disk",
                            state_dir.display(),
                            disk.display()
                        ),
                    )
                    .label("on a disk")
                    .help("keep state_dir on the server, e.g. `state_dir: .rota` next to the policy"),
                );
            }
            for (t, target) in offsite.iter().enumerate() {
                if let Some(disk) = on_a_disk(&target.path, search) {
                    self.push(
                        Problem::error(
                            PolicyCode::OffsiteOnDisk,
                            root.key("offsite").index(t).key("path"),
                            format!(
                                "off-site target {}'s staging folder {} is inside {}, which \
                                 disks.mount_search ({search}) takes for a disk",
                                target.name,
                                target.path.display(),
                                disk.display()
                            ),
                        )
                        .label("on a disk")
                        .help("stage off-site copies in a folder on the server's own drive"),
                    );
                }
            }
        }
    }
}

/// The folder `search` matches that holds `path` (or is it), if one does.
fn on_a_disk(path: &Path, search: &str) -> Option<PathBuf> {
    let pattern = Pattern::new(&lexical(Path::new(search)).to_string_lossy()).ok()?;
    let path = lexical(path);
    path.ancestors()
        .filter(|ancestor| !ancestor.as_os_str().is_empty())
        .find(|ancestor| pattern.matches_path_with(ancestor, OPTIONS))
        .map(Path::to_path_buf)
}

/// Whether every folder `search` can match lies inside `source`: its literal
/// part (up to the first glob character) is within the source folder.
fn inside_source(search: &str, source: &Path) -> bool {
    let search = lexical(Path::new(search));
    let literal: PathBuf = search
        .components()
        .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
        .collect();
    let source = lexical(source);
    literal != search && literal.starts_with(&source)
        || search.starts_with(&source) && search != source
}

/// `path` without `.` components and with `..` folded where it can be.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_inside_a_mount_search_match_is_on_a_disk() {
        let disk = on_a_disk(Path::new("/Volumes/MON/rota"), "/Volumes/*");
        assert_eq!(disk, Some(PathBuf::from("/Volumes/MON")));
        assert_eq!(
            on_a_disk(Path::new("/Volumes/MON"), "/Volumes/*"),
            Some("/Volumes/MON".into())
        );
        assert_eq!(
            on_a_disk(Path::new("/Users/Shared/Backups"), "/Volumes/*"),
            None
        );
        assert_eq!(
            on_a_disk(Path::new("./disks/MON/rota"), "disks/*"),
            Some("disks/MON".into())
        );
        assert_eq!(on_a_disk(Path::new("/Volumes"), "/Volumes/*"), None);
    }

    #[test]
    fn disks_searched_inside_the_source_folder() {
        assert!(inside_source(
            "/srv/backups/disks/*",
            Path::new("/srv/backups")
        ));
        assert!(inside_source("source/*", Path::new("./source")));
        assert!(!inside_source(
            "/Volumes/*",
            Path::new("/Users/Shared/Backups")
        ));
        assert!(!inside_source("disks/*", Path::new("source")));
        assert!(
            !inside_source("/srv/*", Path::new("/srv/backups")),
            "that is source-on-disk"
        );
    }
}
