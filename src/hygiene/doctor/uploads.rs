//! Off-site targets that upload: copies staged but not yet verified on the
//! remote. One night's copy waiting is normal (it is sent with tonight's run);
//! older ones mean uploads keep failing (no internet, an expired cloud
//! password, a full bucket), and the server is holding backups it would
//! otherwise prune, waiting for them.
//!
//! Also, from facts the CLI gathers ([`UploadFacts`]): whether this machine
//! has the rclone program each target needs, and how long ago `apply` last
//! listed the remote and checked its copies.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::{Check, Patient};

/// A remote not looked at for longer than this many days warns.
const REMOTE_CHECK_DAYS: i64 = 7;

/// What the CLI found out about one uploading target on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadFacts {
    pub target: String,
    /// The rclone program the target runs, as named in the policy.
    pub program: PathBuf,
    /// Where that program was found (`None`: it was not).
    pub found: Option<PathBuf>,
    /// When `apply` last listed the remote and checked its copies (the
    /// catalog's `checked_at`).
    pub checked_at: Option<DateTime<Utc>>,
}

/// Per uploading target: the rclone program is there; its remote was checked
/// recently.
pub fn upload_machinery(patient: &Patient) -> Vec<Check> {
    patient
        .uploads
        .iter()
        .flat_map(|facts| {
            [
                rclone_installed(patient, facts),
                remote_checked(patient, facts),
            ]
        })
        .collect()
}

fn rclone_installed(patient: &Patient, facts: &UploadFacts) -> Check {
    let name = &facts.target;
    let check = Check::titled(
        "rclone-installed",
        format!("rclone is there to upload to {name}"),
    )
    .about(name.clone());
    match &facts.found {
        Some(path) => check.pass(format!("rclone found at {}", path.display())),
        None => check.fail(
            format!(
                "the rclone program `{}` is not found on this machine: `rota apply` refuses to \
                 upload to {name} or delete expired copies there, and the server keeps the \
                 backups waiting for them",
                facts.program.display()
            ),
            format!(
                "install rclone (macOS: `brew install rclone`; Debian/Ubuntu: `apt-get install \
                 rclone`) or set upload.binary to its full path; `rota check {}` confirms",
                patient.policy_arg
            ),
        ),
    }
}

fn remote_checked(patient: &Patient, facts: &UploadFacts) -> Check {
    let name = &facts.target;
    let check = Check::titled(
        "remote-checked",
        format!("{name}'s remote checked recently"),
    )
    .about(name.clone());
    let copies = patient
        .inventory
        .offsite
        .iter()
        .find(|view| &view.name == name)
        .and_then(|view| view.remote.as_ref())
        .map_or(0, |remote| remote.len());
    let action = format!(
        "run `rota apply {}`: each run lists the remote and checks one copy's hash again; if it \
         says the remote cannot be reached, check the internet connection and the remote in \
         rclone.conf (`rclone lsd` on it)",
        patient.policy_arg
    );
    let Some(checked_at) = facts.checked_at else {
        return if copies == 0 {
            check.pass(format!("nothing has been uploaded to {name} yet"))
        } else {
            check.warn(format!("{name}'s remote has never been checked"), action)
        };
    };
    // Calendar days, in the office's time zone: a weekend counts.
    let today = patient.at.date_naive();
    let day = checked_at
        .with_timezone(&patient.at.timezone())
        .date_naive();
    let days = (today - day).num_days();
    let when = super::day_words(day);
    if days > REMOTE_CHECK_DAYS {
        check.warn(
            format!(
                "{name}'s remote was last listed and checked {days} days ago ({when}); its {copies} \
                 cop{} may have changed since",
                if copies == 1 { "y" } else { "ies" }
            ),
            action,
        )
    } else {
        check.pass(format!(
            "{name}'s remote was last listed and checked {when}: {copies} cop{} as uploaded",
            if copies == 1 { "y" } else { "ies" }
        ))
    }
}

/// One check per target with `upload`.
pub fn uploads_waiting(patient: &Patient) -> Vec<Check> {
    patient
        .policy
        .offsite
        .iter()
        .filter(|target| target.upload.is_some())
        .map(|target| waiting(patient, &target.name))
        .collect()
}

fn waiting(patient: &Patient, name: &str) -> Check {
    let check = Check::titled(
        "upload-pending",
        format!("Copies staged for {name} are uploaded"),
    )
    .about(name.to_string());
    let Some(view) = patient.inventory.offsite.iter().find(|v| v.name == name) else {
        return check.pass(format!("{name} has no staging folder yet"));
    };
    let today = patient.today();
    let mut late: Vec<(chrono::NaiveDate, &str)> = view
        .staged
        .values()
        .filter(|copy| copy.is_verified())
        .filter(|copy| {
            view.remote
                .as_ref()
                .and_then(|remote| remote.get(&copy.name))
                .is_none_or(|remote| !remote.is_verified())
        })
        .filter_map(|copy| {
            let backup = patient.plan.backups.iter().find(|b| b.name == copy.name)?;
            (backup.business_day < today).then_some((backup.business_day, copy.name.as_str()))
        })
        .collect();
    late.sort();
    match late.first() {
        None => check.pass(format!(
            "no copy older than today waits in {name}'s staging folder"
        )),
        Some((oldest, _)) => check.warn(
            format!(
                "{} staged cop{} not yet verified on {name}'s remote, the oldest from {oldest}; \
                 the server keeps those backups until they are",
                late.len(),
                if late.len() == 1 { "y is" } else { "ies are" }
            ),
            format!(
                "run `rota apply {}` and read why the upload fails (internet, the remote's \
                 password in rclone.conf, space on the cloud); `rclone lsd` on the remote tests the connection",
                patient.policy_arg
            ),
        ),
    }
}
