//! `rota digest POLICY [--from D --to D] [--send]`: the summary of a
//! period's nights, disks, pending copies, standing advice and next restore
//! test, printed (and with `--send`, sent through the policy's webhook, ntfy
//! and e-mail). The scheduled digest (`notify.digest`) is sent by the
//! nightly `apply` itself, once per period, recorded in
//! `state_dir/digest.json` ([`scheduled`]); `--send` by hand leaves that
//! record alone.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use super::notify::report_notifications;
use super::session::Session;
use super::{CliError, Outcome};
use crate::nightly::digest::{self, Digest, Facts};
use crate::nightly::digest_state::{self, DigestSent};
use crate::nightly::{NotifyResult, RunRecord, record};
use crate::notify;
use crate::plan::make_plan;
use crate::policy::{DigestEvery, Policy};

/// Print (or send) the digest of a period: nights, disks, pending, advice
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rota digest rota.yaml\n      this week's digest (or today's, with notify.digest: daily) as of now\n\n  rota digest rota.yaml --from 2026-03-01 --to 2026-03-31\n      the digest of March\n\n  rota digest rota.yaml --send\n      also send it through the policy's webhook, ntfy and e-mail\n\nWith notify.digest: weekly (or daily) in the policy, the nightly `rota apply`\nsends the digest itself on the period's last open day (or the next run after\nit, if that night was missed), once per period, even when all is well; it\nrecords what it sent in state_dir/digest.json."
)]
pub struct DigestArgs {
    /// The policy file (YAML)
    pub policy: PathBuf,
    /// First day of the period (default: the start of this week, or today with notify.digest: daily)
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<NaiveDate>,
    /// Last day of the period (included)
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<NaiveDate>,
    /// Also send it through the policy's notify channels (webhook, ntfy, email)
    #[arg(long)]
    pub send: bool,
    /// Make it as of this instant (2026-03-31, 2026-03-31T18:30 or RFC 3339)
    #[arg(long)]
    pub at: Option<String>,
}

pub fn run(args: &DigestArgs, no_color: bool) -> Result<Outcome, CliError> {
    let session = Session::open(&args.policy, args.at.as_deref(), no_color)?;
    let policy = session.policy();
    let calendar = &policy.office.calendar;
    let today = calendar.today(&session.at);
    let every = policy.notify.digest.unwrap_or(DigestEvery::Weekly);
    let (period, every_key) = match (args.from, args.to) {
        (Some(from), Some(to)) if from > to => {
            return Err(CliError::usage(
                format!("the period starts ({from}) after it ends ({to})"),
                "give --from the first day and --to the last day, e.g. --from 2026-03-30 --to 2026-04-05",
            ));
        }
        (Some(from), Some(to)) => ((from, to), "period"),
        _ => {
            let day = today.unwrap_or_else(|| session.at.date_naive());
            (digest::period(every, day), every.key())
        }
    };
    let runs = record::read(&policy.state_dir).map_err(|error| {
        CliError::io(
            format!(
                "cannot read {}",
                record::runs_file(&policy.state_dir).display()
            ),
            &error,
        )
    })?;
    let inventory = session.scan()?;
    let plan = make_plan(policy, &inventory, session.at);
    let facts = digest::facts(policy, &inventory, &plan);
    let digest = digest::build(
        &policy.office.name,
        every_key,
        calendar,
        &runs,
        facts,
        period,
        session.at.fixed_offset(),
        today,
    );
    print!("{}", digest.render());
    if !args.send {
        return Ok(Outcome::Success);
    }
    let sent = notify::digest(&policy.notify, &digest);
    report_notifications(&sent);
    match sent.iter().filter(|r| !r.ok).count() {
        _ if sent.is_empty() => Err(CliError::usage(
            "the policy names no channel to send a digest through",
            "add notify.webhook, notify.ntfy or notify.email to the policy",
        )),
        0 => Ok(Outcome::Success),
        failed => Err(CliError::failed(format!(
            "{failed} of {} channels did not take the digest",
            sent.len()
        ))),
    }
}

/// The nightly run's digest: when `notify.digest` is set and tonight's run
/// ends a period not yet covered, the digest of that period (tonight's
/// `record` included) through every channel, recorded in
/// `state_dir/digest.json` once one channel took it. Returns what was sent.
pub fn scheduled(policy: &Policy, record: &RunRecord, facts: Option<&Facts>) -> Vec<NotifyResult> {
    let (Some(every), Some(today)) = (policy.notify.digest, record.today) else {
        return Vec::new();
    };
    let calendar = &policy.office.calendar;
    let last_sent = digest_state::read(&policy.state_dir)
        .filter(|sent| sent.every == every.key())
        .map(|sent| sent.to);
    let Some(period) = digest::due(every, calendar, today, last_sent) else {
        return Vec::new();
    };
    let mut runs = record::read(&policy.state_dir).unwrap_or_default();
    runs.push(record.clone());
    let digest: Digest = digest::build(
        &policy.office.name,
        every.key(),
        calendar,
        &runs,
        facts.cloned().unwrap_or_default(),
        period,
        record.at,
        Some(today),
    );
    let sent = notify::digest(&policy.notify, &digest);
    if sent.iter().any(|r| r.ok) {
        let written = digest_state::write(
            &policy.state_dir,
            &DigestSent {
                every: every.key().to_string(),
                from: period.0,
                to: period.1,
                sent: chrono::Utc::now(),
            },
        );
        if let Err(error) = written {
            eprintln!(
                "warning: cannot record the digest in {}: {error}; it may be sent again",
                digest_state::path(&policy.state_dir).display()
            );
        }
    }
    sent
}
