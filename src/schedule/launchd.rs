//! The macOS job: a launchd daemon (it runs at night whether or not anyone
//! is logged in) with one `StartCalendarInterval` entry per weekday, its
//! output appended to `state_dir/logs/`. launchd runs a start missed during
//! sleep once the Mac wakes (a start missed while it was off is never run),
//! and reads calendar times in the Mac's own time zone.
//!
//! The job runs as the chosen account (`UserName`, with `InitGroups`), with
//! that account's `HOME`, and as a `Standard` process: `Background` would
//! let launchd throttle the night's multi-gigabyte copy's CPU and disk I/O.
//! Reloading (`bootout` then `bootstrap`) stops a running job, so it happens
//! only when the plist changed ([`Reload::WhenChanged`]).

use std::fmt::Write;
use std::path::PathBuf;

use chrono::Timelike;

use super::{Install, Job, JobFile, Platform, Reload};

pub const FOLDER: &str = "/Library/LaunchDaemons";

pub fn install(job: &Job) -> Install {
    let name = format!("org.rota.{}", job.slug);
    let path = PathBuf::from(FOLDER).join(format!("{name}.plist"));
    let target = format!("system/{name}");
    Install {
        platform: Platform::Launchd,
        files: vec![JobFile {
            contents: plist(job, &name),
            path: path.clone(),
        }],
        load: vec![vec![
            "launchctl".into(),
            "bootstrap".into(),
            "system".into(),
            path.display().to_string(),
        ]],
        unload: vec![strings(&["launchctl", "bootout", &target])],
        query: strings(&["launchctl", "print", &target]),
        reload: Reload::WhenChanged,
        notes: vec![
            "installing a launch daemon needs an administrator: run it with sudo".to_string(),
            format!(
                "macOS: give {} Full Disk Access (System Settings > Privacy & Security > Full Disk Access, +), or the nightly job may not read the disks under /Volumes or a protected backup folder (warning disk-unreadable); the permission belongs to that path, so keep the program there",
                job.program.display()
            ),
            format!(
                "launchd starts the job at {} in this Mac's time zone; the office's is {}",
                job.at.format("%H:%M"),
                job.timezone
            ),
        ],
        name,
    }
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

fn plist(job: &Job, name: &str) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
    out.push_str("<plist version=\"1.0\">\n<dict>\n");
    let _ = writeln!(
        out,
        "\t<!-- rota's nightly run for {}; written by `rota schedule install` -->",
        escape(&job.office).replace("--", "- -")
    );
    key_string(&mut out, "Label", name);
    key_string(&mut out, "UserName", &job.user.name);
    out.push_str("\t<key>InitGroups</key>\n\t<true/>\n");
    out.push_str("\t<key>ProgramArguments</key>\n\t<array>\n");
    for argument in job.arguments() {
        let _ = writeln!(out, "\t\t<string>{}</string>", escape(&argument));
    }
    out.push_str("\t</array>\n");
    key_string(
        &mut out,
        "WorkingDirectory",
        &job.working_dir.display().to_string(),
    );
    out.push_str("\t<key>StartCalendarInterval</key>\n\t<array>\n");
    for day in &job.weekdays {
        // launchd counts weekdays from Sunday = 0.
        let _ = writeln!(
            out,
            "\t\t<dict>\n\t\t\t<key>Weekday</key>\n\t\t\t<integer>{}</integer>\n\t\t\t<key>Hour</key>\n\t\t\t<integer>{}</integer>\n\t\t\t<key>Minute</key>\n\t\t\t<integer>{}</integer>\n\t\t</dict>",
            day.num_days_from_sunday(),
            job.at.hour(),
            job.at.minute()
        );
    }
    out.push_str("\t</array>\n");
    key_string(
        &mut out,
        "StandardOutPath",
        &job.logs
            .join(crate::inventory::layout::JOB_LOG)
            .display()
            .to_string(),
    );
    key_string(
        &mut out,
        "StandardErrorPath",
        &job.logs
            .join(crate::inventory::layout::JOB_ERROR_LOG)
            .display()
            .to_string(),
    );
    out.push_str("\t<key>EnvironmentVariables</key>\n\t<dict>\n");
    out.push_str("\t\t<key>PATH</key>\n\t\t<string>/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin</string>\n");
    let _ = writeln!(
        out,
        "\t\t<key>HOME</key>\n\t\t<string>{}</string>",
        escape(&job.user.home.display().to_string())
    );
    out.push_str("\t</dict>\n");
    out.push_str("\t<key>RunAtLoad</key>\n\t<false/>\n");
    out.push_str("\t<key>ProcessType</key>\n\t<string>Standard</string>\n");
    out.push_str("</dict>\n</plist>\n");
    out
}

fn key_string(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(
        out,
        "\t<key>{key}</key>\n\t<string>{}</string>",
        escape(value)
    );
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
