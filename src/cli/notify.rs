//! `rota notify test POLICY`: sends a test message through every channel
//! `notify:` configures and says which got through, so the IT person knows
//! before the first failed night whether anyone would hear of it.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::session::Session;
use super::{CliError, Outcome};
use crate::nightly::NotifyResult;
use crate::notify;

/// Try the notification channels of the policy's `notify:` section
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota notify test rota.yaml\n      one test message through each of healthchecks, webhook, ntfy and e-mail\n      (those the policy configures), and which worked\n\nExit status: 0 when every channel worked, 1 when one failed or none is configured."
)]
pub struct NotifyArgs {
    #[command(subcommand)]
    pub command: NotifyCommand,
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send a test message through every configured channel
    Test(TestArgs),
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
}

pub fn run(args: &NotifyArgs, no_color: bool) -> Result<Outcome, CliError> {
    let NotifyCommand::Test(test) = &args.command;
    let session = Session::open(&test.policy, None, no_color)?;
    let policy = session.policy();
    if policy.notify.is_empty() {
        return Err(CliError::failed_with_help(
            format!(
                "{} configures no notification channel",
                test.policy.display()
            ),
            "add a notify: section, e.g. notify: { healthchecks: https://hc-ping.com/<uuid> }",
        ));
    }
    let results = notify::test(&policy.notify, &policy.office.name);
    for result in &results {
        match &result.error {
            None => println!("ok      {}", result.channel),
            Some(error) => println!("FAILED  {}: {error}", result.channel),
        }
    }
    let failed = results.iter().filter(|r| !r.ok).count();
    if failed > 0 {
        return Err(CliError::failed_with_help(
            format!("{failed} of {} notification channels failed", results.len()),
            "check the address and that this server can reach it; a failed notification never stops a backup, but no one would hear of a failed night",
        ));
    }
    println!("Every channel worked: {} sent.", results.len());
    Ok(Outcome::Success)
}

/// One line for the log of what was sent; each failure as a warning.
pub fn report_notifications(sent: &[NotifyResult]) {
    if sent.is_empty() {
        return;
    }
    let ok: Vec<String> = sent
        .iter()
        .filter(|r| r.ok)
        .map(|r| format!("{} ({})", r.channel, r.event))
        .collect();
    if !ok.is_empty() {
        println!("Notified: {}", ok.join(", "));
    }
    for failed in sent.iter().filter(|r| !r.ok) {
        eprintln!(
            "warning: the {} notification ({}) did not get through: {}; the backup work is not affected",
            failed.channel,
            failed.event,
            failed.error.as_deref().unwrap_or("unknown error")
        );
    }
}
