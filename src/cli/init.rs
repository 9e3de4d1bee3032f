//! `rota init [PATH]`: write a commented starter policy that follows the vendor
//! guide line by line.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::Datelike;
use clap::Args;

use super::disk::shell_quote;
use super::{CliError, Outcome};
use crate::policy;

const STARTER: &str = include_str!("../../templates/starter-policy.yaml");

/// Write a starter policy that follows the vendor backup guide
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota init\n      writes rota.yaml here, every setting commented with the guide's advice\n\n  rota init /Users/Shared/rota/policy.yaml --office \"Lakeside Family Dental\" \\\n      --timezone America/New_York --source \"/Users/Shared/MacPractice Backups\"\n\nThen: edit the lines marked CHANGE, and run `rota check` on the file."
)]
pub struct InitArgs {
    /// Where to write the policy
    #[arg(default_value = "rota.yaml")]
    pub path: PathBuf,
    /// The office's name, printed on every swap sheet
    #[arg(long, default_value = "Our Practice")]
    pub office: String,
    /// The office's IANA time zone (default: this computer's)
    #[arg(long)]
    pub timezone: Option<String>,
    /// The folder the practice software writes its backups to
    #[arg(long, default_value = "/Users/Shared/MacPractice Backups")]
    pub source: String,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &InitArgs) -> Result<Outcome, CliError> {
    if args.path.exists() && !args.force {
        return Err(CliError::failed_with_help(
            format!("{} already exists", args.path.display()),
            "choose another path, or pass --force to overwrite it",
        ));
    }
    let timezone = match &args.timezone {
        Some(zone) => {
            chrono_tz::Tz::from_str(zone).map_err(|_| {
                CliError::usage(
                    format!("unknown time zone `{zone}`"),
                    "use an IANA name such as America/Chicago",
                )
            })?;
            zone.clone()
        }
        None => local_timezone(),
    };
    let text = starter_policy(
        &args.office,
        &timezone,
        &args.source,
        chrono::Local::now().year(),
    );
    // The starter must itself be a valid policy; check before writing.
    let loaded = policy::load_str(&text, &args.path)?;
    std::fs::write(&args.path, &text)
        .map_err(|e| CliError::io(format!("cannot write {}", args.path.display()), &e))?;
    print!(
        "{}",
        next_steps(&args.path, &text, &loaded.policy.disks.labels())
    );
    Ok(Outcome::Success)
}

/// What to do after `rota init`, in order: the lines to edit, check, label
/// the disks, the first night by hand, then the schedule.
pub fn next_steps(path: &Path, text: &str, labels: &[&str]) -> String {
    let file = shell_quote(path);
    let mut out = format!(
        "Wrote {}. Before rota runs by itself:\n\n  1. Edit the lines marked CHANGE:\n",
        path.display()
    );
    for (number, line) in lines_to_change(text) {
        out.push_str(&format!("       line {number:<3}  {line}\n"));
    }
    let first = labels.first().copied().unwrap_or("MON");
    let others = labels.get(1..).unwrap_or_default().join(", ");
    out.push_str(&format!(
        "  2. Run `rota check {file}`: it explains the policy, or shows each problem at its line.\n\
         \x20 3. Label each disk once, while it is connected (here {first}; then {others}):\n\
         \x20    `rota disk init /Volumes/{first} --label {first} --policy {file}`\n\
         \x20 4. Run the first night by hand, with tonight's disk connected: `rota plan {file}`,\n\
         \x20    then `rota apply {file}`. On a server that already holds months of backups, the\n\
         \x20    mass-delete guard refuses that first run: review the plan, then run\n\
         \x20    `rota apply {file} --allow-mass-delete` once.\n\
         \x20 5. Then let it run every night: add `schedule:` to the policy and run\n\
         \x20    `sudo rota schedule install {file}`.\n"
    ));
    out
}

/// The policy lines a person must edit (`# CHANGE`), numbered from 1, as
/// written without their comment; commented-out examples are left out.
fn lines_to_change(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with('#'))
        .filter_map(|(index, line)| {
            let (setting, comment) = line.split_once(" # ")?;
            comment
                .trim_start()
                .starts_with("CHANGE")
                .then(|| (index + 1, setting.trim().to_string()))
        })
        .collect()
}

/// The starter policy text with the office's values filled in.
pub fn starter_policy(office: &str, timezone: &str, source: &str, year: i32) -> String {
    let quoted = |text: &str| text.replace('\\', "\\\\").replace('"', "\\\"");
    STARTER
        .replace("@OFFICE@", &quoted(office))
        .replace("@TIMEZONE@", timezone)
        .replace("@SOURCE@", &quoted(source))
        .replace("@NEXT_YEAR@", &(year + 1).to_string())
        .replace("@YEAR@", &year.to_string())
}

/// This computer's IANA time zone: `TZ` if set, else the /etc/localtime link
/// (macOS and most Linux), else America/New_York.
fn local_timezone() -> String {
    let valid = |name: &str| chrono_tz::Tz::from_str(name).is_ok();
    if let Ok(zone) = std::env::var("TZ") {
        let zone = zone.trim_start_matches(':');
        if valid(zone) {
            return zone.to_string();
        }
    }
    if let Ok(target) = std::fs::read_link("/etc/localtime") {
        let target = target.to_string_lossy();
        if let Some((_, zone)) = target.split_once("zoneinfo/")
            && valid(zone)
        {
            return zone.to_string();
        }
    }
    String::from("America/New_York")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_policy_is_valid() {
        let text = starter_policy(
            "Lakeside \"Family\" Dental",
            "America/Chicago",
            "/Users/Shared/Backups",
            2026,
        );
        let loaded =
            policy::load_str(&text, Path::new("/tmp/rota.yaml")).expect("starter validates");
        assert_eq!(loaded.policy.office.name, "Lakeside \"Family\" Dental");
        assert_eq!(loaded.policy.disks.min_backups, 4);
    }
}
