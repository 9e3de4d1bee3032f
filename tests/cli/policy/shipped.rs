//! Every policy shipped in policies/ is a complete, valid example and a test
//! input (as cargo-deny does with its example configs): `rota check` must
//! accept each one and explain it, naming the office.

use std::path::PathBuf;

use crate::support::{Rota, TempOffice, manifest_dir, redact_paths, repo_file};

fn shipped_policies() -> Vec<PathBuf> {
    let mut policies: Vec<PathBuf> = std::fs::read_dir(repo_file("policies"))
        .expect("policies/ exists")
        .map(|entry| entry.expect("policies/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    policies.sort();
    policies
}

/// The office name as written in the file, read without rota's own parser so
/// the test does not trust the code it checks.
fn office_name(policy: &PathBuf) -> String {
    let text = std::fs::read_to_string(policy).expect("policy is readable");
    let value: serde_yaml::Value = serde_yaml::from_str(&text).expect("policy is YAML");
    value["office"]["name"]
        .as_str()
        .expect("office.name is text")
        .to_string()
}

#[test]
fn every_shipped_policy_passes_check_and_names_its_office() {
    let policies = shipped_policies();
    assert!(
        policies.len() >= 3,
        "policies/ should hold the vendor guide's scheme, a four-day and a six-day office"
    );
    for policy in &policies {
        let name = office_name(policy);
        Rota::new()
            .current_dir(manifest_dir())
            .arg("check")
            .arg(policy)
            .run()
            .success()
            .stdout_contains(&format!("{name} — the policy is valid"))
            // Warnings are allowed (a source folder that does not exist on this
            // machine), errors are not.
            .stderr_lacks("×");
    }
}

#[test]
fn check_summary_of_the_vendor_guide_policy() {
    let output = Rota::new()
        .current_dir(manifest_dir())
        .args(["check", "policies/vendor-guide.yaml"])
        .run()
        .success();
    let summary = redact_paths(&output.stdout, &[]);
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
        description => "rota check policies/vendor-guide.yaml (stdout)",
        omit_expression => true,
    }, {
        // Named as when this file was the test binary `shipped_policies` (insta's
        // module prefix then), so the snapshot file keeps its name.
        insta::assert_snapshot!("shipped_policies__vendor-guide-summary", summary);
    });
}

#[test]
fn check_works_from_any_folder() {
    // Relative paths in a policy resolve against the policy's folder, not the
    // folder rota runs in: the six-day office's `source: backups` is reported
    // under policies/, whichever folder `check` is started from.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let policy = repo_file("policies/six-day-after-midnight.yaml");
    let expected = repo_file("policies/backups");
    Rota::new()
        .current_dir(elsewhere.path())
        .arg("check")
        .arg(&policy)
        .run()
        .success()
        .stdout_contains(&format!("in {}", expected.display()));
}

/// The product contract's example policy, verbatim (its recipient is the placeholder
/// "age1..."), validates: the placeholder key and the missing folders are
/// warnings, not errors.
#[test]
fn the_spec_example_policy_validates() {
    let office = TempOffice::empty();
    let text = std::fs::read_to_string(repo_file("tests/fixtures/spec-example.yaml")).unwrap();
    std::fs::write(office.join("policy.yaml"), text).unwrap();
    office
        .rota()
        .args(["check", "policy.yaml"])
        .current_dir(office.path())
        .run()
        .success()
        .stdout_contains("Lakeside Family Dental")
        .stderr_contains("policy::bad-recipient");
}

/// Every shipped policy writes its contingency plan: the six sections, its
/// own restore commands, and blanks only where its `contingency:` keys are
/// missing (the vendor guide's policy gives them: a contingency test input).
/// Each runs on a copy whose `state_dir` is a temp folder, as the plan saves
/// its version there.
#[test]
fn every_shipped_policy_writes_its_contingency_plan() {
    for policy in shipped_policies() {
        let office = TempOffice::empty();
        let text = std::fs::read_to_string(&policy).unwrap();
        let text: String = text
            .lines()
            .filter(|line| !line.starts_with("state_dir:"))
            .map(|line| format!("{line}\n"))
            .collect();
        std::fs::write(office.join("policy.yaml"), text + "state_dir: state\n").unwrap();
        let output = office
            .rota()
            .args(["contingency", "policy.yaml", "--format", "text"])
            .args(["--at", "2026-03-31T23:59"])
            .run()
            .success()
            .stderr_contains("Saved revision 1 of the plan");
        for heading in [
            "1. DATA BACKUP PLAN",
            "2. DISASTER RECOVERY PLAN",
            "3. EMERGENCY MODE OPERATION PLAN",
            "4. TESTING AND REVISION PROCEDURES",
            "5. APPLICATIONS AND DATA CRITICALITY ANALYSIS",
            "6. DEVICE AND MEDIA CONTROLS",
            "rota restore --disk /Volumes/",
        ] {
            assert!(
                output.stdout.contains(heading),
                "{}: no `{heading}`",
                policy.display()
            );
        }
        if policy.ends_with("vendor-guide.yaml") {
            assert!(output.stdout.contains("RTO  8 hours"));
            assert!(output.stdout.contains("Dr. Maria Rivera"));
            assert!(!output.stderr.contains("contingency.rto"));
        } else {
            assert!(
                output.stderr.contains("contingency.rto"),
                "{}",
                output.stderr
            );
        }
    }
}
