//! `rota init [PATH]`: write a commented starter policy that follows the vendor
//! guide line by line.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::Datelike;
use clap::Args;

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
    policy::load_str(&text, &args.path)?;
    std::fs::write(&args.path, &text)
        .map_err(|e| CliError::io(format!("cannot write {}", args.path.display()), &e))?;
    println!("Wrote {}.", args.path.display());
    println!(
        "Next: edit the lines marked CHANGE, then run `rota check {}`.",
        shell_path(&args.path)
    );
    Ok(Outcome::Success)
}

/// The starter policy text with the office's values filled in.
pub fn starter_policy(office: &str, timezone: &str, source: &str, year: i32) -> String {
    let quoted = |text: &str| text.replace('\\', "\\\\").replace('"', "\\\"");
    STARTER
        .replace("@OFFICE@", &quoted(office))
        .replace("@TIMEZONE@", timezone)
        .replace("@SOURCE@", &quoted(source))
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

fn shell_path(path: &Path) -> String {
    let text = path.display().to_string();
    if text.contains(' ') {
        format!("\"{text}\"")
    } else {
        text
    }
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
