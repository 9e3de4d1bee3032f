//! Printing HTML the way an office does: headless Chromium prints a page to
//! PDF, and poppler's `pdfinfo` and `pdftotext` read the PDF back (page
//! count, paper size, text). Both are required (`scripts/test` installs them):
//! a missing one fails the test naming it (`support::tools`). Set
//! `ROTA_CHROMIUM` to use another Chromium or Chrome binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::tools::{chromium, poppler};

/// A safety net against a hung browser, not a timing assertion.
const BROWSER_WATCHDOG: Duration = Duration::from_secs(120);

/// Runs a command to completion with a watchdog; its stdout.
pub fn run(mut command: Command, what: &str) -> String {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {what}: {error}"));
    let started = Instant::now();
    loop {
        if child.try_wait().expect("waiting for a child").is_some() {
            break;
        }
        if started.elapsed() > BROWSER_WATCHDOG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish; killed it");
        }
        thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("collect output");
    assert!(
        output.status.success(),
        "{what} failed: {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Prints `html` to a PDF next to it with headless Chromium; the PDF's path.
pub fn print_to_pdf(html: &Path, scratch: &Path) -> PathBuf {
    let pdf = html.with_extension("pdf");
    let profile = scratch.join(format!(
        "profile-{}",
        html.file_stem().unwrap().to_string_lossy()
    ));
    let mut command = Command::new(chromium());
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(format!("file://{}", html.display()));
    run(command, "chromium --print-to-pdf");
    assert!(
        pdf.is_file(),
        "chromium wrote no PDF for {}",
        html.display()
    );
    pdf
}

pub fn pages(pdf: &Path) -> usize {
    let mut command = Command::new(poppler("pdfinfo"));
    command.arg(pdf);
    let info = run(command, "pdfinfo");
    info.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo gave no page count:\n{info}"))
}

pub fn page_size(pdf: &Path) -> String {
    let mut command = Command::new(poppler("pdfinfo"));
    command.arg(pdf);
    run(command, "pdfinfo")
        .lines()
        .find_map(|line| line.strip_prefix("Page size:"))
        .map(|size| size.trim().to_string())
        .unwrap_or_default()
}

/// The text of `page` (1-based), in the order it was drawn (the DOM's order).
pub fn page_text(pdf: &Path, page: usize) -> String {
    let mut command = Command::new(poppler("pdftotext"));
    command
        .args(["-raw", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-");
    run(command, "pdftotext")
}

/// `pdfinfo`'s page count and page size of `pdf`.
pub fn pages_and_size(pdf: &Path) -> (usize, String) {
    (pages(pdf), page_size(pdf))
}

/// The text of the whole PDF, in drawing order (`pdftotext -raw`).
pub fn text(pdf: &Path) -> String {
    let mut command = Command::new(poppler("pdftotext"));
    command.arg("-raw").arg(pdf).arg("-");
    run(command, "pdftotext")
}
