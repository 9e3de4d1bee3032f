//! The Linux job: a systemd oneshot service that runs `rota apply` (as the
//! chosen account, with its `HOME`) and a timer that starts it on the open days' nights in the office's time zone,
//! `Persistent=true` so a night missed while the server was off runs at
//! boot. Output is appended to `state_dir/logs/` (and the journal keeps
//! the rest); an optional `/etc/rota/<slug>.env` holds secrets such as the
//! SMTP password, readable by root only.

use std::fmt::Write;
use std::path::PathBuf;

use chrono::Weekday;

use super::{Install, Job, JobFile, Platform, Reload};

pub const FOLDER: &str = "/etc/systemd/system";

pub fn install(job: &Job) -> Install {
    let unit = format!("rota-{}", job.slug);
    let timer = format!("{unit}.timer");
    let folder = PathBuf::from(FOLDER);
    Install {
        platform: Platform::Systemd,
        files: vec![
            JobFile {
                path: folder.join(format!("{unit}.service")),
                contents: service(job),
            },
            JobFile {
                path: folder.join(&timer),
                contents: timer_unit(job, &unit),
            },
        ],
        load: vec![
            words(&["systemctl", "daemon-reload"]),
            words(&["systemctl", "enable", "--now", &timer]),
        ],
        unload: vec![words(&["systemctl", "disable", "--now", &timer])],
        query: words(&["systemctl", "is-active", "--quiet", &timer]),
        reload: Reload::Always,
        notes: vec![
            "installing a system unit needs root: run it with sudo".to_string(),
            format!(
                "secrets (the SMTP password named by notify.email.password_env) go in /etc/rota/{}.env as NAME=value, readable by root only",
                job.slug
            ),
            format!("check it with: systemctl list-timers {timer}"),
        ],
        name: timer,
    }
}

fn words(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

fn service(job: &Job) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# rota's nightly run for {}; written by `rota schedule install`",
        job.office
    );
    out.push_str("[Unit]\n");
    let _ = writeln!(
        out,
        "Description=rota nightly backup rotation for {}",
        job.office
    );
    out.push_str("Wants=local-fs.target\nAfter=local-fs.target\n\n");
    out.push_str("[Service]\nType=oneshot\n");
    let _ = writeln!(out, "User={}", job.user.name);
    let _ = writeln!(
        out,
        "Environment={}",
        quote(&format!("HOME={}", job.user.home.display()))
    );
    let command: Vec<String> = job.arguments().iter().map(|a| quote(a)).collect();
    let _ = writeln!(out, "ExecStart={}", command.join(" "));
    let _ = writeln!(
        out,
        "WorkingDirectory={}",
        quote(&job.working_dir.display().to_string())
    );
    let _ = writeln!(out, "EnvironmentFile=-/etc/rota/{}.env", job.slug);
    let _ = writeln!(
        out,
        "StandardOutput=append:{}",
        job.logs.join(crate::inventory::layout::JOB_LOG).display()
    );
    let _ = writeln!(
        out,
        "StandardError=append:{}",
        job.logs
            .join(crate::inventory::layout::JOB_ERROR_LOG)
            .display()
    );
    out
}

fn timer_unit(job: &Job, unit: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# rota's nightly run for {}; written by `rota schedule install`",
        job.office
    );
    out.push_str("[Unit]\n");
    let _ = writeln!(
        out,
        "Description=Start rota for {} every open day at {}",
        job.office,
        job.at.format("%H:%M")
    );
    out.push_str("\n[Timer]\n");
    let _ = writeln!(
        out,
        "OnCalendar={} *-*-* {} {}",
        days(&job.weekdays),
        job.at.format("%H:%M:00"),
        job.timezone
    );
    out.push_str("Persistent=true\n");
    let _ = writeln!(out, "Unit={unit}.service");
    out.push_str("\n[Install]\nWantedBy=timers.target\n");
    out
}

/// `Mon,Tue,Wed,Thu,Fri` (systemd's calendar weekday names).
fn days(weekdays: &[Weekday]) -> String {
    weekdays
        .iter()
        .map(|day| match day {
            Weekday::Mon => "Mon",
            Weekday::Tue => "Tue",
            Weekday::Wed => "Wed",
            Weekday::Thu => "Thu",
            Weekday::Fri => "Fri",
            Weekday::Sat => "Sat",
            Weekday::Sun => "Sun",
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A word of a unit file's command line: quoted when it holds spaces,
/// quotes or backslashes; `%` doubled (systemd's specifier escape).
fn quote(word: &str) -> String {
    let word = word.replace('%', "%%");
    if word
        .chars()
        .any(|c| c.is_whitespace() || c == '"' || c == '\\' || c == '\'')
    {
        format!("\"{}\"", word.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        word
    }
}
