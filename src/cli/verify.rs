//! `rota verify POLICY [--disk L]`: re-hash every copy on the connected disks
//! (and, without `--disk`, in the off-site staging folders) against their
//! manifests, report rot, and record the results in each manifest and in the
//! catalog (so `doctor` and the sheet know when each disk was last verified).
//! A progress bar on a terminal, a plain line per copy otherwise.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::ProgressBar;

use super::disk::shell_quote;
use super::progress_bar::bytes_bar;
use super::session::Session;
use super::{CliError, Outcome};
use crate::hygiene::verify::{Event, Finding, Folder, FolderReport, verify_folder};
use crate::inventory::{DiskView, Inventory, layout, scan_with_catalog};
use crate::words::format::{bytes, plural};

/// Re-hash the copies on connected disks against their manifests; report rot
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota verify rota.yaml\n      every connected disk and every off-site staging folder\n\n  rota verify rota.yaml --disk MON\n      only the disk labelled MON (it must be connected)\n\nA copy that changed (a flipped byte, a truncated file) stops counting as a copy:\n`rota apply` copies that backup there again from another copy. A missing copy is\nforgotten by the disk's manifest. Files the manifest does not list are reported and\nleft alone. Exit status 1 when anything is missing or changed."
)]
pub struct VerifyArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// Only this disk (its label), or this off-site target's staging folder
    #[arg(long, value_name = "LABEL")]
    pub disk: Option<String>,
    /// Record the results as of this instant (RFC 3339, 2026-03-31 or 2026-03-31T18:30)
    #[arg(long)]
    pub at: Option<String>,
}

pub fn run(args: &VerifyArgs, no_color: bool) -> Result<Outcome, CliError> {
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let _lock = session.lock("verify")?;
    let policy = session.policy();
    let mut catalog = session.catalog()?;
    let inventory = scan_with_catalog(policy, &catalog, session.now);
    let folders = folders(&session, &inventory, args.disk.as_deref())?;
    let started = Instant::now();
    let mut display = Display::new();
    let reports: Vec<FolderReport> = folders
        .iter()
        .map(|folder| verify_folder(folder, session.now, &mut |event| display.show(event)))
        .collect();
    display.finish();
    let elapsed = started.elapsed();
    // What the manifests now say goes into the catalog.
    let rescanned = scan_with_catalog(policy, &catalog, session.now);
    let connected: Vec<DiskView> = rescanned.connected_disks().cloned().collect();
    catalog.merge_scan(&connected, session.now);
    catalog.save(&policy.state_dir).map_err(|error| {
        CliError::failed_with_help(
            error.to_string(),
            "the disks' manifests were updated; check the state_dir folder's permissions",
        )
    })?;
    print!("{}", render(&reports, elapsed, &shell_quote(&args.policy)));
    let rot: usize = reports.iter().map(|r| r.count(Finding::is_rot)).sum();
    let mut noted = crate::inventory::media_log::MediaRecord::of_scan(
        "verify",
        &inventory,
        session.now,
        chrono::Utc::now(),
    );
    noted.actions = Some(reports.iter().map(|r| r.count(|_| true)).sum());
    noted.failed = Some(rot);
    super::media_note::note(&policy.state_dir, &noted);
    let broken = reports.iter().filter(|r| r.error.is_some()).count();
    if rot > 0 || broken > 0 {
        let mut found = Vec::new();
        if rot > 0 {
            found.push(plural(
                rot,
                "missing or changed copy",
                "missing or changed copies",
            ));
        }
        if broken > 0 {
            found.push(plural(
                broken,
                "folder that could not be verified",
                "folders that could not be verified",
            ));
        }
        return Err(CliError::failed(format!(
            "verification found {}",
            found.join(" and ")
        )));
    }
    Ok(Outcome::Success)
}

/// The folders to verify: connected disks (or the one asked for), and the
/// off-site staging folders when no disk was named.
fn folders<'a>(
    session: &'a Session,
    inventory: &'a Inventory,
    only: Option<&str>,
) -> Result<Vec<Folder<'a>>, CliError> {
    let mut folders: Vec<Folder> = inventory
        .connected_disks()
        .filter(|disk| only.is_none_or(|label| disk.label == label))
        .filter_map(|disk| {
            let mount = disk.mount.as_ref()?;
            Some(Folder {
                location: &disk.label,
                path: layout::copies_dir(&mount.path),
                disk_id: Some(&disk.id),
                strays: &disk.strays,
            })
        })
        .collect();
    for target in &session.policy().offsite {
        if only.is_none_or(|name| name == target.name) && target.path.is_dir() {
            folders.push(Folder {
                location: &target.name,
                path: target.path.clone(),
                disk_id: None,
                strays: &[],
            });
        }
    }
    if folders.is_empty() {
        let connected: Vec<&str> = inventory
            .connected_disks()
            .map(|d| d.label.as_str())
            .collect();
        let message = match only {
            Some(label) => format!("disk {label} is not connected"),
            None => String::from("no disk is connected"),
        };
        let help = if connected.is_empty() {
            String::from("connect the disk to verify; `rota disk list` shows every disk rota knows")
        } else {
            format!("connected now: {}", connected.join(", "))
        };
        return Err(CliError::failed_with_help(message, help));
    }
    Ok(folders)
}

/// The bar's line: the disk, the bytes read so far, the copy being read.
const BAR: &str = "{prefix:>8} [{bar:30}] {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec} {eta} {wide_msg}";

/// A progress bar on a terminal (made when the first folder starts, so it
/// never shows an empty total); otherwise a line per copy on stderr.
enum Display {
    Bar {
        bar: Option<ProgressBar>,
        location: String,
    },
    Lines {
        location: String,
    },
}

impl Display {
    fn new() -> Display {
        let location = String::new();
        if std::io::stderr().is_terminal() {
            Display::Bar {
                bar: None,
                location,
            }
        } else {
            Display::Lines { location }
        }
    }

    fn show(&mut self, event: Event) {
        match self {
            Display::Bar { bar, location } => Display::show_bar(bar, location, event),
            Display::Lines { location } => match event {
                Event::Folder {
                    location: at,
                    copies,
                    bytes: total,
                } => {
                    *location = at.to_string();
                    eprintln!(
                        "{at}: verifying {} ({})",
                        plural(copies, "copy", "copies"),
                        bytes(total)
                    );
                }
                Event::Done { name, finding } => {
                    eprintln!("{location}: {name}: {}", finding_words(finding));
                }
                Event::Copy { .. } | Event::Read(_) => {}
            },
        }
    }

    fn show_bar(bar: &mut Option<ProgressBar>, location: &mut String, event: Event) {
        match event {
            Event::Folder {
                location: at,
                bytes: total,
                ..
            } => {
                *location = at.to_string();
                let bar = bar.get_or_insert_with(|| bytes_bar(0, BAR));
                bar.set_prefix(location.clone());
                bar.inc_length(total);
            }
            Event::Copy { name } => {
                if let Some(bar) = bar {
                    bar.set_message(name.to_string());
                }
            }
            Event::Read(read) => {
                if let Some(bar) = bar {
                    bar.inc(read);
                }
            }
            Event::Done { name, finding } if finding != &Finding::Ok => {
                if let Some(bar) = bar {
                    bar.println(format!("{location}: {name}: {}", finding_words(finding)));
                }
            }
            Event::Done { .. } => {}
        }
    }

    fn finish(&self) {
        if let Display::Bar { bar: Some(bar), .. } = self {
            bar.finish_and_clear();
        }
    }
}

fn finding_words(finding: &Finding) -> String {
    match finding {
        Finding::Ok => String::from("ok"),
        Finding::Missing => String::from("MISSING"),
        Finding::Changed { detail } => format!("CHANGED: {detail}"),
        Finding::Unreadable { error } => format!("cannot be read: {error}"),
    }
}

/// The results, folder by folder, with what to do about rot.
fn render(reports: &[FolderReport], elapsed: Duration, policy_arg: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for report in reports {
        let _ = write!(out, "{} ({}): ", report.location, report.path.display());
        if let Some(error) = &report.error {
            let _ = writeln!(out, "not verified: {error}");
            continue;
        }
        let total: u64 = report.copies.iter().map(|c| c.size).sum();
        let ok = report.count(|f| *f == Finding::Ok);
        let verdict = if ok == report.copies.len() {
            String::from("all intact")
        } else {
            let changed = report.count(|f| matches!(f, Finding::Changed { .. }));
            let missing = report.count(|f| *f == Finding::Missing);
            let unreadable = report.count(|f| matches!(f, Finding::Unreadable { .. }));
            format!("{ok} intact, {changed} changed, {missing} missing, {unreadable} unreadable")
        };
        let _ = writeln!(
            out,
            "{}, {}: {verdict}",
            plural(report.copies.len(), "copy", "copies"),
            bytes(total)
        );
        for check in report.copies.iter().filter(|c| c.finding != Finding::Ok) {
            let _ = writeln!(out, "  {}: {}", check.name, finding_words(&check.finding));
        }
        for name in &report.unexpected {
            let _ = writeln!(
                out,
                "  {name}: unexpected (not in the manifest; rota leaves it alone)"
            );
        }
    }
    let read: u64 = reports.iter().map(|r| r.bytes_read).sum();
    let seconds = elapsed.as_secs_f64();
    let _ = writeln!(
        out,
        "Read {} in {:.1} s{}.",
        bytes(read),
        seconds,
        if seconds > 0.0 && read > 0 {
            format!(" ({}/s)", bytes((read as f64 / seconds) as u64))
        } else {
            String::new()
        }
    );
    let rot: usize = reports.iter().map(|r| r.count(Finding::is_rot)).sum();
    if rot > 0 {
        let _ = writeln!(
            out,
            "{} as {}: `rota apply {policy_arg}` copies those backups there again from \
             another copy while the disk is connected. A disk that keeps losing copies should be \
             replaced.",
            plural(rot, "copy no longer counts", "copies no longer count"),
            if rot == 1 { "a copy" } else { "copies" }
        );
    }
    out
}
