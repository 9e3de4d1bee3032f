//! Off-site targets that upload: copies staged but not yet verified on the
//! remote. One night's copy waiting is normal (it is sent with tonight's run);
//! older ones mean uploads keep failing (no internet, an expired cloud
//! password, a full bucket), and the server is holding backups it would
//! otherwise prune, waiting for them.

use super::{Check, Patient};

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
