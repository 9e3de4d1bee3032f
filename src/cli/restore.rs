//! `rota restore POLICY (BACKUP | --date D | --latest) --to DIR` and
//! `rota restore --disk PATH [--list] (BACKUP | --date D | --latest) --to DIR`:
//! disaster recovery. With a policy, the best copy rota knows of (the server,
//! then connected disks, then off-site staging folders) is restored and
//! logged in `state_dir/audit.log`; with `--disk` alone (no policy, no
//! server), the disk's label and manifest are all that is needed. Either way
//! the restored backup is checked against the checksum recorded when it was
//! copied, a damaged copy is never written under the backup's name (the next
//! copy is tried instead), and nothing in `--to` is ever overwritten.

mod text;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use clap::Args;
use indicatif::ProgressBar;

use super::disk::shell_quote;
use super::passphrase::passphrase_for;
use super::progress_bar::bytes_bar;
use super::restore_test::check_room;
use super::session::Session;
use super::{CliError, Outcome};
use crate::execute::Progress;
use crate::inventory::layout;
use crate::offsite::identity::{self, Identities};
use crate::plan::make_plan;
use crate::recovery::access_log::{self, RestoreAccess};
use crate::recovery::choose::{self, Wanted};
use crate::recovery::lone_disk::{self, LoneDisk};
use crate::recovery::source::CopySource;
use crate::recovery::write::{self, Failure, Restored};
use text::Times;

/// Restore a backup from the best verified copy (also from a disk alone)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota restore rota.yaml --latest --to /Users/Shared/Restored\n      the newest backup, from the best copy rota knows (server, connected disks, off-site folders)\n\n  rota restore rota.yaml --date 2026-03-31 --to ~/Restored\n      the day's backup of business day 2026-03-31\n\n  rota restore rota.yaml MacPractice_2026-03-31_2330.mpbackup --to ~/Restored\n\nThe server is gone, you hold one disk (no policy, no server needed):\n  rota restore --disk /Volumes/MON --list\n      what the disk holds: name, date, size, when each copy was verified\n  rota restore --disk /Volumes/MON --latest --to ~/Restored\n  rota restore --disk /Volumes/MON --disk /Volumes/TUE --date 2026-03-31 --to ~/Restored\n      several disks: if the first copy is damaged, the next is used\n\nEncrypted copies need the office's private key: --identity /Volumes/KEY/key.txt (a key\nprotected with `age -p` asks for its passphrase, or reads ROTA_AGE_PASSPHRASE).\n\nThe restored backup is checked against the checksum recorded when it was copied; a damaged\ncopy is never written under the backup's name. Nothing in --to is ever overwritten.\nStep by step for the day the server dies: docs/restore.md."
)]
pub struct RestoreArgs {
    /// The policy file (optional with --disk)
    #[arg(value_name = "POLICY")]
    pub policy: Option<PathBuf>,
    /// The backup to restore, by name (or use --date / --latest)
    #[arg(value_name = "BACKUP")]
    pub backup: Option<String>,
    /// Restore from this disk (or folder of copies) alone, without the server;
    /// repeat it to fall back to another disk
    #[arg(long, value_name = "PATH")]
    pub disk: Vec<PathBuf>,
    /// List the backups instead of restoring one
    #[arg(long)]
    pub list: bool,
    /// The backup of this business day (YYYY-MM-DD)
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "latest")]
    pub date: Option<String>,
    /// The newest backup
    #[arg(long)]
    pub latest: bool,
    /// The folder to restore into (created if needed); nothing in it is overwritten
    #[arg(long, value_name = "DIR", required_unless_present = "list")]
    pub to: Option<PathBuf>,
    /// The age identity file for encrypted copies (the private key from age-keygen)
    #[arg(long, short = 'i', value_name = "KEYFILE")]
    pub identity: Option<PathBuf>,
    /// Plan as of this instant (RFC 3339, 2026-03-31 or 2026-03-31T18:30); with a policy only
    #[arg(long)]
    pub at: Option<String>,
}

/// What the arguments ask for, once checked.
struct Request {
    policy: Option<PathBuf>,
    wanted: Option<Wanted>,
}

pub fn run(args: &RestoreArgs, no_color: bool) -> Result<Outcome, CliError> {
    let request = request(args)?;
    if args.disk.is_empty() {
        let Some(policy) = &request.policy else {
            return Err(CliError::usage(
                "rota restore needs a policy file, or --disk PATH",
                "rota restore rota.yaml --latest --to DIR; without the server: rota restore --disk /Volumes/MON --list",
            ));
        };
        from_office(args, policy, request.wanted.as_ref(), no_color)
    } else {
        from_disks(args, &request, no_color)
    }
}

/// Sorts the positional arguments out: `POLICY [BACKUP]`, or with `--disk`
/// `[POLICY] [BACKUP]` (one argument is the backup unless --date, --latest or
/// --list already say which).
fn request(args: &RestoreArgs) -> Result<Request, CliError> {
    let (policy, backup) = match (&args.policy, &args.backup) {
        (Some(only), None)
            if !args.disk.is_empty() && args.date.is_none() && !args.latest && !args.list =>
        {
            (None, Some(only.to_string_lossy().into_owned()))
        }
        (policy, backup) => (policy.clone(), backup.clone()),
    };
    let date = args
        .date
        .as_deref()
        .map(|text| {
            text.parse::<NaiveDate>().map_err(|_| {
                CliError::usage(
                    format!("`{text}` is not a date"),
                    "--date takes a business day as YYYY-MM-DD, e.g. --date 2026-03-31",
                )
            })
        })
        .transpose()?;
    let wanted = match (backup, date, args.latest) {
        (None, None, false) => None,
        (Some(name), None, false) => Some(Wanted::Name(name)),
        (None, Some(date), false) => Some(Wanted::Date(date)),
        (None, None, true) => Some(Wanted::Latest),
        _ => {
            return Err(CliError::usage(
                "give one of a backup name, --date or --latest",
                "e.g. rota restore rota.yaml --latest --to DIR",
            ));
        }
    };
    if wanted.is_none() && !args.list {
        return Err(CliError::usage(
            "which backup? give its name, --date YYYY-MM-DD or --latest",
            "--list shows what there is to restore",
        ));
    }
    Ok(Request { policy, wanted })
}

/// With a policy: every location rota knows.
fn from_office(
    args: &RestoreArgs,
    policy_path: &Path,
    wanted: Option<&Wanted>,
    no_color: bool,
) -> Result<Outcome, CliError> {
    let session = Session::open(policy_path, args.at.as_deref(), no_color)?;
    let policy = session.policy();
    let inventory = session.scan()?;
    let plan = make_plan(policy, &inventory, session.at);
    let connected: Vec<String> = inventory
        .connected_disks()
        .map(|d| d.label.clone())
        .collect();
    let Some(wanted) = wanted.filter(|_| !args.list) else {
        print!("{}", text::office_listing(&plan, &connected));
        return Ok(Outcome::Success);
    };
    let backup = choose::pick(&plan, wanted).map_err(|missing| {
        let (message, help) = text::not_found(
            &missing,
            "in the source folder, on a disk or in the catalog",
        );
        CliError::failed_with_help(message, help)
    })?;
    let sources = choose::sources(policy, &inventory, backup);
    if sources.is_empty() {
        let times = Times(Some(policy.office.calendar.timezone));
        return Err(nowhere(&inventory, &backup.name, &connected, times));
    }
    let mut forbidden = vec![inventory.source.path.clone()];
    forbidden.extend(
        inventory
            .connected_disks()
            .filter_map(|d| d.mount.as_ref())
            .map(|m| layout::copies_dir(&m.path)),
    );
    forbidden.extend(policy.offsite.iter().map(|t| t.path.clone()));
    let dir = destination(args, &forbidden, backup.size, &backup.name)?;
    let identities = load_identities(args.identity.as_deref())?;
    println!(
        "Restoring {} (business day {}, {}) into {}",
        backup.name,
        backup.business_day,
        crate::words::format::bytes(backup.size),
        dir.display()
    );
    let times = Times(Some(policy.office.calendar.timezone));
    let fetch = text::fetch_disks(&choose::absent_holders(&inventory, &backup.name), times);
    let verify = format!("rota verify {}", shell_quote(policy_path));
    let (source, restored) =
        restore_first_of(&sources, &dir, identities.as_ref(), fetch, &verify, times)?;
    let record = RestoreAccess::new(
        &source,
        &restored,
        (&user(), &host()),
        Utc::now(),
        session.at.to_rfc3339(),
    );
    let log = policy.state_dir.join(layout::AUDIT_LOG);
    match access_log::append(&policy.state_dir, &record) {
        Ok(()) => println!(
            "Recorded in the audit log {} (an access to patient data).",
            log.display()
        ),
        Err(error) => eprintln!(
            "warning: the backup was restored, but the audit log {} could not be written: {error}; \
             note this restore in the office's records",
            log.display()
        ),
    }
    Ok(Outcome::Success)
}

/// The error when no copy can be read now: which disks to fetch.
fn nowhere(
    inventory: &crate::inventory::Inventory,
    name: &str,
    connected: &[String],
    times: Times,
) -> CliError {
    let mut help = Vec::new();
    if let Some(fetch) = text::fetch_disks(&choose::absent_holders(inventory, name), times) {
        help.push(fetch);
    }
    for (label, mount) in choose::untrusted_disks(inventory) {
        help.push(format!(
            "disk {label}'s manifest cannot be read: `rota restore --disk {} --list` shows what it holds",
            shell_quote(&mount)
        ));
    }
    for target in choose::remote_holders(inventory, name) {
        help.push(format!(
            "off-site target {target} holds it: download it (rclone copy) into a folder, then `rota restore --disk FOLDER`"
        ));
    }
    if help.is_empty() {
        help.push(if connected.is_empty() {
            String::from("no disk is connected; connect the disks from the safe and try again")
        } else {
            format!(
                "no location rota knows has a verified copy (connected: {})",
                connected.join(", ")
            )
        });
    }
    CliError::failed_with_help(
        format!("no copy of {name} can be read now"),
        help.join("; "),
    )
}

/// With `--disk`: the disks alone.
fn from_disks(args: &RestoreArgs, request: &Request, no_color: bool) -> Result<Outcome, CliError> {
    let session = request
        .policy
        .as_deref()
        .map(|policy| Session::open(policy, args.at.as_deref(), no_color))
        .transpose()?;
    let disks: Vec<LoneDisk> = args
        .disk
        .iter()
        .map(|path| {
            lone_disk::read_disk(path).map_err(|error| {
                CliError::failed_with_help(
                    error.to_string(),
                    "give --disk the folder where the backup disk is mounted (e.g. /Volumes/MON), its rota folder, or a folder of off-site copies",
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let times = Times(
        session
            .as_ref()
            .map(|session| session.policy().office.calendar.timezone),
    );
    let Some(wanted) = request.wanted.as_ref().filter(|_| !args.list) else {
        for (index, disk) in disks.iter().enumerate() {
            if index > 0 {
                println!();
            }
            print!(
                "{}",
                text::disk_listing(disk, &shell_quote(&disk.path), times)
            );
        }
        return Ok(Outcome::Success);
    };
    for disk in disks
        .iter()
        .filter(|d| d.manifest.rebuilt() && !d.is_empty())
    {
        let (state, kept) = match &disk.manifest {
            lone_disk::ManifestState::Damaged { salvaged, .. } if *salvaged > 0 => (
                "damaged",
                format!(
                    "the {} still whole in it are used; copies without one",
                    crate::words::format::plural(*salvaged, "record", "records")
                ),
            ),
            lone_disk::ManifestState::Damaged { .. } => ("damaged", String::from("what")),
            _ => ("missing", String::from("what")),
        };
        eprintln!(
            "warning: the manifest of {} is {state}; its list of copies was rebuilt from the \
             folder: {kept} is restored from it cannot be verified",
            disk.path.display(),
        );
    }
    let found: Vec<(&LoneDisk, &lone_disk::DiskEntry)> = disks
        .iter()
        .filter_map(|disk| disk.pick(wanted).ok().map(|entry| (disk, entry)))
        .collect();
    let Some((_, first)) = found.first() else {
        if disks.iter().all(|disk| disk.is_empty()) {
            return Err(CliError::failed_with_help(
                if let [disk] = disks.as_slice() {
                    format!(
                        "{} is empty: rota has not copied any backup to it yet",
                        disk.words()
                    )
                } else {
                    let names: Vec<String> = disks.iter().map(LoneDisk::words).collect();
                    format!(
                        "{} are all empty: rota has not copied any backup to them yet",
                        names.join(" and ")
                    )
                },
                "a disk gets its first backups on its first night; restore from a disk that has \
                 been through its nights (`rota restore --disk PATH --list` shows what one holds)",
            ));
        }
        let missing = disks[0]
            .pick(wanted)
            .err()
            .unwrap_or(choose::NotFound::Nothing);
        let (message, help) = text::not_found(&missing, &format!("on {}", disks_words(&disks)));
        return Err(CliError::failed_with_help(message, help));
    };
    // Several disks answer to a date or --latest by their own newest: the
    // name found first decides, the others are its fallbacks.
    let name = first.name.clone();
    let sources: Vec<CopySource> = found
        .iter()
        .filter(|(_, entry)| entry.name == name)
        .map(|(disk, entry)| disk.source(entry))
        .collect();
    let forbidden: Vec<PathBuf> = disks.iter().map(|d| d.copies_dir.clone()).collect();
    let dir = destination(args, &forbidden, first.size(), &name)?;
    let identities = load_identities(args.identity.as_deref())?;
    println!(
        "Restoring {name} ({}{}) into {}",
        crate::words::format::bytes(first.size()),
        first
            .date
            .map(|d| format!(", dated {d}"))
            .unwrap_or_default(),
        dir.display()
    );
    let (source, restored) = restore_first_of(
        &sources,
        &dir,
        identities.as_ref(),
        None,
        "rota verify POLICY --disk LABEL",
        times,
    )?;
    match &session {
        Some(session) => {
            let state_dir = &session.policy().state_dir;
            let record = RestoreAccess::new(
                &source,
                &restored,
                (&user(), &host()),
                Utc::now(),
                session.at.to_rfc3339(),
            );
            match access_log::append(state_dir, &record) {
                Ok(()) => println!(
                    "Recorded in the audit log {} (an access to patient data).",
                    state_dir.join(layout::AUDIT_LOG).display()
                ),
                Err(error) => eprintln!("warning: the audit log could not be written: {error}"),
            }
        }
        None => println!(
            "No policy was given, so this restore is in no audit log: note in the office's \
             records who restored what, and why (an access to patient data)."
        ),
    }
    Ok(Outcome::Success)
}

fn disks_words(disks: &[LoneDisk]) -> String {
    disks
        .iter()
        .map(LoneDisk::words)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// `--to`, checked: not a place rota keeps copies in, not holding the
/// backup's name already, with room; created if missing.
fn destination(
    args: &RestoreArgs,
    forbidden: &[PathBuf],
    size: u64,
    name: &str,
) -> Result<PathBuf, CliError> {
    let dir = args.to.as_deref().unwrap_or(Path::new("."));
    let absolute = std::path::absolute(dir)
        .map_err(|error| CliError::io(format!("cannot use {}", dir.display()), &error))?;
    if forbidden.iter().any(|place| absolute.starts_with(place)) {
        return Err(CliError::usage(
            format!("{} is where rota keeps backups", dir.display()),
            "restore into a folder outside the source folder, the disks' rota folders and the off-site folders",
        ));
    }
    if absolute.exists() && !absolute.is_dir() {
        return Err(CliError::usage(
            format!("{} is a file, not a folder", dir.display()),
            "--to names the folder the backup is restored into",
        ));
    }
    if let Err(failure) = write::target(&absolute, name) {
        return Err(refusal(&failure));
    }
    check_room(&absolute, size)?;
    std::fs::create_dir_all(&absolute).map_err(|error| {
        CliError::io(
            format!("cannot create the folder {}", absolute.display()),
            &error,
        )
    })?;
    Ok(absolute)
}

fn refusal(failure: &Failure) -> CliError {
    CliError::failed_with_help(
        failure.words(),
        "restore into another folder (--to), or move the existing one away first",
    )
}

fn load_identities(path: Option<&Path>) -> Result<Option<Identities>, CliError> {
    path.map(|path| {
        let shown = path.display().to_string();
        identity::load(path, &mut || passphrase_for(&shown))
            .map_err(|error| CliError::failed_with_help(error.to_string(), error.help()))
    })
    .transpose()
}

/// Tries each copy in turn; prints what happened to each, then the summary.
fn restore_first_of(
    sources: &[CopySource],
    dir: &Path,
    identities: Option<&Identities>,
    fetch: Option<String>,
    verify: &str,
    times: Times,
) -> Result<(CopySource, Restored), CliError> {
    let mut skipped: Vec<(CopySource, Failure)> = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        println!("  reading {} …", text::source_words(source, times));
        let mut bar = Bar::new(source);
        let result = write::restore_copy(source, dir, identities, &mut bar);
        bar.done();
        match result {
            Ok(restored) => {
                println!("    {}", checked_words(&restored));
                println!();
                print!("{}", text::summary(source, &restored, &skipped, times));
                if skipped.iter().any(|(_, f)| f.is_damage()) {
                    println!("Run `{verify}` to see what else is damaged.");
                }
                return Ok((source.clone(), restored));
            }
            Err(failure) => {
                println!("{}", text::failed_line(&failure, index + 1 < sources.len()));
                if !failure.try_another() {
                    return Err(match failure {
                        Failure::Exists { .. } => refusal(&failure),
                        _ => CliError::failed_with_help(
                            format!("{} could not be restored: {}", source.name, failure.words()),
                            "check free space and permissions where it is restored, or restore elsewhere (--to)",
                        ),
                    });
                }
                skipped.push((source.clone(), failure));
            }
        }
    }
    Err(no_good_copy(&sources[0].name, &skipped, fetch, verify))
}

fn checked_words(restored: &Restored) -> &'static str {
    if restored.checked {
        "restored; its checksum matches the recorded one"
    } else {
        "restored; UNVERIFIED: there was no recorded checksum to compare it with"
    }
}

/// Every copy tried failed: say why, and what to do next.
fn no_good_copy(
    name: &str,
    skipped: &[(CopySource, Failure)],
    fetch: Option<String>,
    verify: &str,
) -> CliError {
    let needs_key = skipped
        .iter()
        .any(|(_, f)| matches!(f, Failure::NeedsKey | Failure::WrongKey { .. }));
    let damaged = skipped.iter().filter(|(_, f)| f.is_damage()).count();
    let mut help = Vec::new();
    if needs_key {
        help.push(String::from(
            "give --identity KEYFILE: the office's private key (from age-keygen), kept away from the server",
        ));
    }
    if let Some(fetch) = fetch {
        help.push(fetch);
    } else if damaged > 0 {
        help.push(String::from(
            "connect another disk that holds this backup and try again, or restore another day's backup (--date)",
        ));
    }
    if damaged > 0 {
        help.push(format!("then run `{verify}` to see what else is damaged"));
    }
    let keyless = skipped.len() - damaged;
    let mut why = Vec::new();
    if damaged > 0 {
        why.push(format!("{damaged} damaged"));
    }
    if keyless > 0 {
        why.push(format!("{keyless} could not be decrypted"));
    }
    CliError::failed_with_help(
        format!(
            "{name} was not restored: {} tried ({}); nothing was written under its name",
            crate::words::format::plural(skipped.len(), "copy", "copies"),
            why.join(", ")
        ),
        help.join("; "),
    )
}

/// A progress bar on a terminal (bytes read, then read back from the
/// destination), nothing otherwise.
struct Bar(Option<ProgressBar>);

impl Bar {
    fn new(source: &CopySource) -> Bar {
        let size = source.expected.as_ref().map_or(0, |e| e.record.size);
        // Short copies need no bar; encrypted ones report no progress.
        if !std::io::stderr().is_terminal() || source.is_encrypted() || size < 50_000_000 {
            return Bar(None);
        }
        Bar(Some(bytes_bar(
            size.saturating_mul(2),
            "[{bar:40}] {decimal_bytes}/{decimal_total_bytes} restored and checked{msg}, {decimal_bytes_per_sec}, {eta} left",
        )))
    }

    fn done(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn copied(&mut self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    fn verified(&mut self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    fn file_copied(&mut self, done: u64, total: u64) {
        self.files(done, total, "restored");
    }

    fn file_verified(&mut self, done: u64, total: u64) {
        self.files(done, total, "checked");
    }
}

impl Bar {
    /// A bundle's files so far (redrawn every 100 files).
    fn files(&self, done: u64, total: u64, what: &str) {
        if let Some(bar) = &self.0
            && (done.is_multiple_of(100) || done == total)
        {
            bar.set_message(format!(" ({} {what})", super::apply::files_of(done, total)));
        }
    }
}

/// Who is restoring, for the audit log (never "unknown": see [`crate::user`]).
fn user() -> String {
    crate::user::current_user()
}

/// The machine restoring, for the audit log.
fn host() -> String {
    #[cfg(unix)]
    {
        let mut buffer = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname writes at
        // most that many bytes.
        let status = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) };
        if status == 0 {
            let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
            if end > 0 {
                return String::from_utf8_lossy(&buffer[..end]).into_owned();
            }
        }
    }
    std::env::var("COMPUTERNAME").unwrap_or_else(|_| String::from("unknown"))
}
