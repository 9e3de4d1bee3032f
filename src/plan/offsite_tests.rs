//! Off-site targets in the planner, on the synthetic office: a target that
//! stages, encrypts and uploads, with its own tiers. A copy counts there only
//! once its upload is verified; a staged copy waiting for its upload is
//! *pending upload* (its copy action is the upload); while the remote is
//! offline the server keeps every backup not yet off-site; expired remote
//! copies are removed; and the whole thing converges night after night.

use chrono::Utc;

use super::tests::{
    GB_FOR_TESTS as GB, check_plan_invariants, date, local, office_until, policy_from, run_nights,
    snapshot_night,
};
use super::*;
use crate::policy::Policy;
use crate::simulate::synthetic::SyntheticOffice;

/// The vendor guide's office with a cloud target: staged in an outbox,
/// encrypted, uploaded, keeping 5 business days and 3 month-ends.
fn cloud_policy(keep_local: u32) -> Policy {
    let recipient = age::x25519::Identity::generate().to_public();
    let vendor = include_str!("../../policies/vendor-guide.yaml");
    policy_from(&format!(
        "{vendor}offsite:\n  - name: cloud\n    path: /office/outbox\n    upload: {{ rclone: \"b2:lakeside/rota\", keep_local: {keep_local} }}\n    encrypt: {{ age_recipients: [\"{recipient}\"] }}\n    retain: {{ business_days: 5, month_ends: 3 }}\n"
    ))
}

fn daily(policy: &Policy) -> impl Fn(chrono::NaiveDate) -> Vec<String> + '_ {
    move |day| super::tests::disk_for(policy, day).into_iter().collect()
}

fn cloud(office: &SyntheticOffice) -> &crate::simulate::synthetic::SyntheticTarget {
    &office.targets[0]
}

#[test]
fn the_cloud_holds_what_its_tiers_keep_and_the_outbox_empties() {
    let policy = cloud_policy(0);
    let office = office_until(&policy, 2_000 * GB, "2026-01-05", "2026-04-17");
    // 5 business days and the month-ends of January, February and March.
    let remote: Vec<&String> = cloud(&office).remote.keys().collect();
    assert_eq!(remote.len(), 8, "{remote:?}");
    assert!(remote.iter().any(|n| n.contains("2026-01-30")));
    assert!(remote.iter().any(|n| n.contains("2026-04-17")));
    assert!(
        cloud(&office).staged.is_empty(),
        "keep_local: 0 empties the outbox"
    );
    // Staged copies were encrypted: what the remote holds is ciphertext.
    assert!(
        cloud(&office)
            .remote
            .values()
            .all(|c| c.ciphertext_hash.is_some())
    );
}

#[test]
fn keep_local_keeps_the_newest_uploaded_copies_staged() {
    let policy = cloud_policy(2);
    let office = office_until(&policy, 2_000 * GB, "2026-03-02", "2026-03-20");
    let staged: Vec<&String> = cloud(&office).staged.keys().collect();
    assert_eq!(staged.len(), 2);
    assert!(staged[1].contains("2026-03-20"));
}

#[test]
fn an_offline_remote_leaves_uploads_pending_and_the_server_keeps_the_backups() {
    let policy = cloud_policy(0);
    let mut office = office_until(&policy, 2_000 * GB, "2026-03-02", "2026-03-13");
    office.target_mut("cloud").unwrap().offline = true;
    run_nights(
        &policy,
        &mut office,
        "2026-03-16",
        "2026-03-20",
        &daily(&policy),
    );
    // A week without internet: five backups staged, none uploaded, and the
    // server (keep_last 3) still has all five, since none is off-site yet.
    let waiting: Vec<String> = cloud(&office).staged.keys().cloned().collect();
    assert_eq!(waiting.len(), 5);
    for name in &waiting {
        assert!(
            office.source.contains_key(name),
            "{name} left the server too early"
        );
    }
    // The plan shows each as a copy to the cloud that uploads the staged copy.
    let at = local(&policy, date("2026-03-20"), "23:58");
    let plan = make_plan(&policy, &office.inventory(&policy), at);
    let uploads: Vec<&Action> = plan
        .actions
        .iter()
        .filter(|a| a.op == Op::Copy && a.to.as_ref().is_some_and(|to| to.name() == "cloud"))
        .collect();
    assert_eq!(uploads.len(), 5);
    for upload in &uploads {
        assert_eq!(upload.from.as_ref().map(|f| f.name()), Some("cloud"));
        assert!(
            upload.reason.contains("staged, waiting for its upload"),
            "{}",
            upload.reason
        );
    }

    // The internet is back on Monday: one night uploads what the cloud's
    // tiers still want (the last 5 business days: Tuesday to Monday), drops
    // the staged Monday copy that expired before it could leave, and the
    // server prunes to its newest 3.
    office.target_mut("cloud").unwrap().offline = false;
    run_nights(
        &policy,
        &mut office,
        "2026-03-23",
        "2026-03-23",
        &daily(&policy),
    );
    assert!(cloud(&office).staged.is_empty());
    assert_eq!(office.source.len(), 3);
    for name in &waiting[1..] {
        assert!(
            cloud(&office).remote.contains_key(name),
            "{name} never uploaded"
        );
    }
    assert!(waiting[0].contains("2026-03-16"));
    assert!(!cloud(&office).remote.contains_key(&waiting[0]));
}

#[test]
fn a_second_plan_after_apply_is_empty_with_a_cloud_target() {
    let policy = cloud_policy(1);
    let mut office = office_until(&policy, 2_000 * GB, "2026-02-02", "2026-03-17");
    let day = date("2026-03-18");
    office.add_backup(&policy, day.and_hms_opt(23, 30, 0).unwrap(), 6 * GB);
    let at = local(&policy, day, "23:55");
    office.connect_only(&["WED"], at.with_timezone(&Utc));
    let first = make_plan(&policy, &office.inventory(&policy), at);
    check_plan_invariants(&policy, &first);
    office.apply(&first, at.with_timezone(&Utc)).unwrap();
    let second = make_plan(&policy, &office.inventory(&policy), at);
    assert!(
        second.actions.is_empty(),
        "{}",
        text::render(&second, false)
    );
}

#[test]
fn snapshot_a_night_with_a_cloud_target() {
    let policy = cloud_policy(0);
    let mut office = office_until(&policy, 2_000 * GB, "2026-02-02", "2026-03-31");
    // The month-end of March is kept in the cloud; February's fourth month-end
    // back is not, so the night after April 1st's backup removes it there.
    let plan = snapshot_night(
        "offsite_cloud_night",
        &policy,
        &mut office,
        "2026-04-01",
        &["WED"],
    );
    assert!(
        plan.actions
            .iter()
            .any(|a| a.op == Op::Copy && a.to.as_ref().is_some_and(|to| to.name() == "cloud"))
    );
}

#[test]
fn snapshot_uploads_pending_after_an_offline_week() {
    let policy = cloud_policy(0);
    let mut office = office_until(&policy, 2_000 * GB, "2026-03-02", "2026-03-13");
    office.target_mut("cloud").unwrap().offline = true;
    run_nights(
        &policy,
        &mut office,
        "2026-03-16",
        "2026-03-19",
        &daily(&policy),
    );
    let plan = snapshot_night(
        "offsite_pending_upload",
        &policy,
        &mut office,
        "2026-03-20",
        &["FRI"],
    );
    let json = serde_json::to_string_pretty(&json::to_json(&plan)).unwrap();
    // What `plan --format json` writes is exactly the JsonPlan's serialization.
    crate::plan::json::tests::assert_same_as_serde(&plan);
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("plan_offsite_pending_upload_json", json);
    });
}
