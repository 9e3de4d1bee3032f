//! `rota schedule status` looks at the disks as the nightly job would: each
//! folder under `mount_search`, read by the job's account. Run as root for
//! another account, status starts itself again as that account (`rota
//! schedule probe`, hidden) with its groups and `HOME`, and reads the
//! child's lines (`kind<TAB>path<TAB>words`); otherwise it looks itself.
//!
//! What this cannot show on a Mac: macOS's privacy controls judge a program
//! by who started it, and from Terminal that is Terminal (with Terminal's
//! Full Disk Access), not launchd. The job's own runs record what it could
//! read (`disk-unreadable`), so status also shows the last run's finding.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{JobArgs, Prepared, running_as_root};
use crate::cli::{CliError, Outcome};
use crate::inventory::volumes::{self, Probed};
use crate::nightly::record::RunRecord;
use crate::plan::WarningCode;
use crate::schedule::{Platform, account};

/// One folder as the job's account sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub path: PathBuf,
    pub kind: String,
    pub words: String,
}

impl Seen {
    fn unreadable(&self) -> bool {
        self.kind == "unreadable"
    }
}

/// `rota schedule probe POLICY` (hidden): the folders as this process sees them.
pub fn print_probe(args: &JobArgs) -> Result<Outcome, CliError> {
    let policy = crate::policy::load(&args.policy)?.policy;
    for (path, probed) in volumes::probe(&policy) {
        println!("{}", line(&path, &probed));
    }
    Ok(Outcome::Success)
}

fn line(path: &Path, probed: &Probed) -> String {
    let clean = |text: String| text.replace(['\t', '\n'], " ");
    format!(
        "{}\t{}\t{}",
        probed.kind(),
        clean(path.display().to_string()),
        clean(probed.words())
    )
}

/// The probe's lines, read back.
pub fn parse(output: &str) -> Vec<Seen> {
    output
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            Some(Seen {
                kind: parts.next()?.to_string(),
                path: PathBuf::from(parts.next()?),
                words: parts.next().unwrap_or("").to_string(),
            })
        })
        .collect()
}

/// The folders as the job's account sees them, or why they could not be
/// looked at.
fn as_the_job(prepared: &Prepared) -> Result<Vec<Seen>, String> {
    let user = &prepared.job.user;
    #[cfg(unix)]
    if running_as_root() && user.uid != 0 {
        return as_another_account(prepared);
    }
    let _ = user;
    Ok(volumes::probe(prepared.session.policy())
        .iter()
        .map(|(path, probed)| Seen {
            path: path.clone(),
            kind: probed.kind().to_string(),
            words: probed.words(),
        })
        .collect())
}

/// This program again, as the job's account with its groups and home.
#[cfg(unix)]
fn as_another_account(prepared: &Prepared) -> Result<Vec<Seen>, String> {
    use std::os::unix::process::CommandExt;
    let user = &prepared.job.user;
    let groups: Vec<libc::gid_t> = account::groups_of(user)
        .into_iter()
        .map(|gid| gid as libc::gid_t)
        .collect();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = Command::new(exe);
    command
        .args(["schedule", "probe"])
        .arg(&prepared.job.policy)
        .env("HOME", &user.home)
        .env("USER", &user.name)
        .env("LOGNAME", &user.name)
        .env_remove("SUDO_USER")
        .current_dir(&prepared.job.working_dir)
        .stdin(Stdio::null());
    let (uid, gid) = (user.uid as libc::uid_t, user.gid as libc::gid_t);
    // SAFETY: setgroups, setgid and setuid are single system calls, safe
    // between fork and exec; `groups` is moved into the closure and outlives
    // the calls. The groups go first, while the child is still root (std's
    // own uid/gid settings would run before this closure).
    unsafe {
        command.pre_exec(move || {
            #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
            let dropped = libc::setgroups(groups.len() as _, groups.as_ptr()) == 0
                && libc::setgid(gid) == 0
                && libc::setuid(uid) == 0;
            if dropped {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot start rota as {}: {e}", user.name))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(format!(
            "rota, run as {}, failed: {}",
            user.name,
            first.trim()
        ));
    }
    Ok(parse(&String::from_utf8_lossy(&output.stdout)))
}

/// Prints the disk folders as the job sees them and what its last run
/// could not read; `false` when the job may not read one of them.
pub fn print_disks(prepared: &Prepared, last_run: Option<&RunRecord>) -> bool {
    let user = &prepared.job.user.name;
    let policy = prepared.session.policy();
    println!(
        "  disks as {user} sees them (under {}):",
        policy.disks.mount_search.join(", ")
    );
    let mut readable = true;
    match as_the_job(prepared) {
        Ok(seen) if seen.is_empty() => println!("    none connected"),
        Ok(seen) => {
            for folder in &seen {
                println!("    {}  {}", folder.path.display(), folder.words);
                readable &= !folder.unreadable();
            }
        }
        Err(why) => {
            println!("    cannot look: {why}");
            readable = false;
        }
    }
    if !readable {
        println!(
            "    {}",
            crate::plan::volume_warnings::FULL_DISK_ACCESS.replace(
                "(`rota schedule status` names it)",
                &format!("({})", prepared.job.program.display())
            )
        );
    }
    if prepared.install.platform == Platform::Launchd {
        println!(
            "    (macOS judges a program started from Terminal by Terminal's Full Disk Access; \
             the job's own last run, above, is the real test)"
        );
    }
    let denied: Vec<&str> = last_run
        .into_iter()
        .flat_map(|run| &run.warning_details)
        .filter(|detail| detail.code == WarningCode::DiskUnreadable)
        .map(|detail| detail.message.as_str())
        .collect();
    if let Some(first) = denied.first() {
        println!("  the last run could not read a disk folder: {first}");
        readable = false;
    }
    readable
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::volumes::SkipReason;

    #[test]
    fn the_probe_lines_read_back() {
        let folders = [
            (PathBuf::from("/Volumes/MON"), Probed::Disk("MON".into())),
            (
                PathBuf::from("/Volumes/TUE"),
                Probed::Unreadable("Operation not permitted (os error 1)".into()),
            ),
            (
                PathBuf::from("/Volumes/Time\tMachine"),
                Probed::Skipped(SkipReason::TimeMachine),
            ),
        ];
        let text: Vec<String> = folders.iter().map(|(p, f)| line(p, f)).collect();
        let seen = parse(&text.join("\n"));
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].words, "rota disk MON");
        assert!(seen[1].unreadable());
        assert_eq!(seen[1].path, Path::new("/Volumes/TUE"));
        assert_eq!(seen[2].path, Path::new("/Volumes/Time Machine"));
        assert_eq!(seen[2].words, "left alone: a Time Machine backup disk");
    }
}
