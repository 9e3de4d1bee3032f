//! Checks on the server itself, as the vendor guide asks: its startup disk
//! encrypted (`server-encrypted`) and Time Machine set up with a recent
//! backup (`time-machine`). What the system's tools said is gathered by the
//! CLI (see `crate::probe::server`); these checks only grade it.

use super::{Check, Patient, Status, ago};
use crate::probe::Encryption;
use crate::probe::server::TimeMachine;

/// What the system's tools said about the server.
#[derive(Debug, Clone)]
pub struct ServerFacts {
    pub startup: Encryption,
    pub time_machine: TimeMachine,
}

pub fn server_checks(patient: &Patient) -> Vec<Check> {
    let Some(facts) = patient.server else {
        return Vec::new();
    };
    vec![startup(facts), time_machine(patient, facts)]
}

fn unknown(mut check: Check) -> Check {
    check.status = Status::Unknown;
    check
}

fn startup(facts: &ServerFacts) -> Check {
    let check =
        Check::titled("server-encrypted", "The server's own disk is encrypted").about("server");
    match &facts.startup {
        Encryption::Encrypted { evidence } => check.pass(evidence.clone()),
        Encryption::NotEncrypted { evidence } => check.fail(
            evidence.clone(),
            "the vendor guide asks for FileVault on every computer that holds patient data: \
             turn it on in System Settings → Privacy & Security → FileVault (on Linux: install \
             the server on a LUKS-encrypted disk), and keep the recovery key in the safe",
        ),
        Encryption::Unknown { evidence, how } => unknown(check.warn(evidence.clone(), how.clone())),
    }
}

/// A Time Machine backup older than this many days is a warning.
const TIME_MACHINE_DAYS: i64 = 2;

fn time_machine(patient: &Patient, facts: &ServerFacts) -> Check {
    let check = Check::titled(
        "time-machine",
        "The server itself is backed up (Time Machine)",
    )
    .about("server");
    let today = patient.today();
    match &facts.time_machine {
        TimeMachine::Configured {
            destination,
            latest: Some(latest),
        } => {
            let day = latest.date();
            let evidence = format!(
                "Time Machine backs up to {destination}; latest backup {} ({})",
                latest.format("%Y-%m-%d %H:%M"),
                ago(day, today)
            );
            if (today - day).num_days() <= TIME_MACHINE_DAYS {
                check.pass(evidence)
            } else {
                check.warn(evidence, "connect the Time Machine disk and check in System Settings → General → Time Machine that its backups run")
            }
        }
        TimeMachine::Configured {
            destination,
            latest: None,
        } => check.warn(
            format!("Time Machine backs up to {destination}, but no finished backup was found"),
            "connect the Time Machine disk and choose \"Back Up Now\" from the Time Machine menu",
        ),
        TimeMachine::NotConfigured => check.warn(
            "Time Machine has no backup disk",
            "the vendor guide asks for a Time Machine backup of the server itself (the system \
             and the practice software, apart from its backups): add a disk in System Settings → \
             General → Time Machine",
        ),
        TimeMachine::Unknown { evidence, how } => {
            unknown(check.warn(evidence.clone(), how.clone()))
        }
    }
}
