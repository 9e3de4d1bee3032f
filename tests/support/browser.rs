//! Printing an HTML page to PDF with headless Chromium and reading it back
//! with poppler (`pdfinfo`, `pdftotext`), for the tests of what rota prints.
//! The programs are required (`support::tools`): missing, the test fails
//! naming them and `scripts/test`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::tools::{chromium, poppler};

/// A safety net against a hung browser, not a timing assertion.
const WATCHDOG: Duration = Duration::from_secs(120);

/// Runs a command to completion with a watchdog; its stdout.
fn run(mut command: Command, what: &str) -> String {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {what}: {error}"));
    let started = Instant::now();
    while child.try_wait().expect("waiting for a child").is_none() {
        if started.elapsed() > WATCHDOG {
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

/// Prints `html` to a PDF next to it; the PDF's path.
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

/// `pdfinfo`'s "Pages" and "Page size" of `pdf`.
pub fn pages_and_size(pdf: &Path) -> (usize, String) {
    let mut command = Command::new(poppler("pdfinfo"));
    command.arg(pdf);
    let info = run(command, "pdfinfo");
    let field = |name: &str| {
        info.lines()
            .find_map(|line| line.strip_prefix(name))
            .map(|value| value.trim().to_string())
            .unwrap_or_default()
    };
    let pages = field("Pages:")
        .parse()
        .unwrap_or_else(|_| panic!("pdfinfo gave no page count:\n{info}"));
    (pages, field("Page size:"))
}

/// The text of the whole PDF, in drawing order (`pdftotext -raw`).
pub fn text(pdf: &Path) -> String {
    let mut command = Command::new(poppler("pdftotext"));
    command.arg("-raw").arg(pdf).arg("-");
    run(command, "pdftotext")
}
