//! Which path of the rota program the job runs. macOS grants Full Disk
//! Access to a program's path, so that path must stay put: a cargo build
//! tree (`…/target/release/rota`) is rebuilt or cleaned away, and Homebrew's
//! versioned `…/Cellar/rota/1.2.0/bin/rota` changes with every upgrade (its
//! stable link `…/bin/rota` does not). [`stable_program`] prefers that link;
//! [`warning`] says what to do about a build tree. Plain functions of paths.

use std::path::{Component, Path, PathBuf};

/// The path the job should run: `canonical` (the program's resolved path),
/// or Homebrew's stable link to it when `same_program(link)` says the link
/// leads to this very program.
pub fn stable_program(canonical: &Path, same_program: impl Fn(&Path) -> bool) -> PathBuf {
    match homebrew_link(canonical) {
        Some(link) if same_program(&link) => link,
        _ => canonical.to_path_buf(),
    }
}

/// `<prefix>/Cellar/<formula>/<version>/bin/<name>` → `<prefix>/bin/<name>`.
pub fn homebrew_link(program: &Path) -> Option<PathBuf> {
    let parts: Vec<Component> = program.components().collect();
    let cellar = parts
        .iter()
        .rposition(|part| part.as_os_str() == "Cellar")?;
    let rest = &parts[cellar + 1..];
    // formula, version, bin, name
    if rest.len() != 4 || rest[2].as_os_str() != "bin" {
        return None;
    }
    let prefix: PathBuf = parts[..cellar].iter().collect();
    Some(prefix.join("bin").join(rest[3].as_os_str()))
}

/// Whether `program` is in a cargo build tree: a `target` folder with a
/// `debug` or `release` folder below it (perhaps under a target triple).
pub fn in_build_tree(program: &Path) -> bool {
    let names: Vec<&std::ffi::OsStr> = program
        .parent()
        .map(|folder| folder.components().map(Component::as_os_str).collect())
        .unwrap_or_default();
    names.iter().enumerate().any(|(i, name)| {
        *name == "target"
            && names[i + 1..]
                .iter()
                .take(2)
                .any(|below| *below == "debug" || *below == "release")
    })
}

/// What to tell the person installing when the job's program path will not
/// stay put (`None`: it will). `full_disk_access`: the job is launchd's,
/// whose permission to read the disks belongs to the path.
pub fn warning(program: &Path, full_disk_access: bool) -> Option<String> {
    let and_access = if full_disk_access {
        ", and macOS ties Full Disk Access to the path"
    } else {
        ""
    };
    if in_build_tree(program) {
        return Some(format!(
            "the job runs {}, inside a build folder: a rebuild or `cargo clean` replaces or \
             removes it{and_access}. Install rota at a stable path first (`sudo cargo install \
             --locked --path . --root /usr/local` gives /usr/local/bin/rota), then run `sudo \
             /usr/local/bin/rota schedule install` again",
            program.display()
        ));
    }
    homebrew_link(program).map(|link| {
        format!(
            "the job runs {}, Homebrew's versioned path, which every upgrade changes{and_access}: \
             run `sudo {} schedule install` so the job runs the link that stays",
            program.display(),
            link.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_trees_are_recognised() {
        for path in [
            "/Users/anna/rota/target/release/rota",
            "/Users/anna/rota/target/debug/rota",
            "/Users/anna/rota/target/aarch64-apple-darwin/release/rota",
        ] {
            assert!(in_build_tree(Path::new(path)), "{path}");
            let words = warning(Path::new(path), true).unwrap();
            assert!(words.contains("/usr/local/bin/rota"), "{words}");
            assert!(words.contains("Full Disk Access"), "{words}");
        }
        for path in [
            "/usr/local/bin/rota",
            "/Users/anna/.cargo/bin/rota",
            "/opt/target/rota",
        ] {
            assert!(!in_build_tree(Path::new(path)), "{path}");
            assert_eq!(warning(Path::new(path), true), None);
        }
    }

    #[test]
    fn homebrews_versioned_path_gives_way_to_its_link() {
        let cellar = Path::new("/opt/homebrew/Cellar/rota/1.4.0/bin/rota");
        assert_eq!(
            homebrew_link(cellar),
            Some(PathBuf::from("/opt/homebrew/bin/rota"))
        );
        assert_eq!(
            homebrew_link(Path::new("/usr/local/Cellar/rota/1.4.0_1/bin/rota")),
            Some(PathBuf::from("/usr/local/bin/rota"))
        );
        assert_eq!(homebrew_link(Path::new("/usr/local/bin/rota")), None);
        // The link is used only when it leads to this program.
        assert_eq!(
            stable_program(cellar, |_| true),
            Path::new("/opt/homebrew/bin/rota")
        );
        assert_eq!(stable_program(cellar, |_| false), cellar);
        let words = warning(cellar, false).unwrap();
        assert!(words.contains("sudo /opt/homebrew/bin/rota"), "{words}");
        assert!(!words.contains("Full Disk Access"), "systemd: {words}");
    }
}
