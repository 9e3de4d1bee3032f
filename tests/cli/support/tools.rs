//! The external programs some tests drive for real (Chromium, poppler's
//! `pdfinfo`/`pdftotext`, rclone, Prometheus's `promtool`), found on `PATH` (and, for the browser, in
//! the usual macOS application folders). A missing one fails the test with a
//! message naming it and `scripts/test`, which installs them: never a skip.

use std::path::{Path, PathBuf};

/// What to tell someone whose machine lacks a tool.
fn install_hint(tool: &str, package: &str) -> String {
    format!(
        "this test needs `{tool}` ({package}), which is not installed: run `scripts/test`, \
         which installs rclone, chromium, poppler-utils and prometheus (promtool) when missing \
         (apt-get or Homebrew) \
         and then runs cargo test"
    )
}

/// `name` in one of `PATH`'s folders.
pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// A program on `PATH`, or a failed test that says how to get it.
pub fn require(tool: &str, package: &str) -> PathBuf {
    on_path(tool).unwrap_or_else(|| panic!("{}", install_hint(tool, package)))
}

/// rclone (the off-site tests' server and client).
pub fn rclone() -> PathBuf {
    require("rclone", "rclone")
}

/// poppler-utils' `pdfinfo` or `pdftotext`.
pub fn poppler(tool: &str) -> PathBuf {
    require(tool, "poppler-utils")
}

/// Prometheus's `promtool` (the alert-rule tests).
pub fn promtool() -> PathBuf {
    require("promtool", "prometheus")
}

/// Where Homebrew's casks put the browsers on macOS (not on `PATH`).
const MACOS_BROWSERS: [&str; 2] = [
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

/// Chromium or Chrome: `ROTA_CHROMIUM` if set, else the first found on `PATH`
/// or in `/Applications`.
pub fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("ROTA_CHROMIUM") {
        return PathBuf::from(path);
    }
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .find_map(|name| on_path(name))
    .or_else(|| {
        MACOS_BROWSERS
            .iter()
            .map(Path::new)
            .find(|path| path.is_file())
            .map(Path::to_path_buf)
    })
    .unwrap_or_else(|| {
        panic!(
            "{} (or point ROTA_CHROMIUM at a Chromium or Chrome binary)",
            install_hint("chromium", "Chromium or Google Chrome")
        )
    })
}
