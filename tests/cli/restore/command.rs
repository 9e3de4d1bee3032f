//! `rota restore POLICY …` end to end on an office made by the real `rota
//! apply`: by name, `--date` and `--latest`, files and bundles, byte for
//! byte; a damaged copy skipped for the next one; a backup only on disks in
//! the safe; refusing to overwrite; the audit log; and a new server whose
//! empty state_dir learns the disks again without deleting what it keeps.

use std::fs;

use crate::apply_office;
use crate::apply_office::name;
use crate::restore_office::{AT, RestoreOffice, tree};
use crate::snapshot;

#[test]
fn the_latest_backup_is_restored_from_the_server_byte_for_byte() {
    let office = RestoreOffice::new();
    let originals = office.keep_originals();
    let output = office
        .restore(&["policy.yaml", "--latest", "--to", "restored", "--at", AT])
        .success();
    let backup = name("2026-03-31");
    assert_eq!(
        fs::read(office.join("restored").join(&backup)).unwrap(),
        fs::read(originals.join(&backup)).unwrap()
    );
    snapshot!("restore_latest_from_server", office.redact(&output.stdout));
    assert_eq!(output.stderr, "");
}

#[test]
fn a_backup_no_longer_on_the_server_is_restored_from_its_disk_by_name_and_by_date() {
    let office = RestoreOffice::new();
    let originals = office.keep_originals();
    office.apply.connect_only(&["TUE", "WED"]);
    let by_name = office
        .restore(&[
            "policy.yaml",
            &name("2026-03-24"),
            "--to",
            "by-name",
            "--at",
            AT,
        ])
        .success();
    assert!(
        by_name.stdout.contains("from      disk TUE"),
        "{}",
        by_name.stdout
    );
    assert_eq!(
        fs::read(office.join("by-name").join(name("2026-03-24"))).unwrap(),
        fs::read(originals.join(name("2026-03-24"))).unwrap()
    );
    // A bundle, by its business day: the same tree, times and modes.
    let by_date = office
        .restore(&[
            "policy.yaml",
            "--date",
            "2026-03-25",
            "--to",
            "by-date",
            "--at",
            AT,
        ])
        .success();
    let bundle = name("2026-03-25");
    let restored = office.join("by-date").join(&bundle);
    assert_eq!(tree(&restored), tree(&originals.join(&bundle)));
    let source_copy = office.apply.mount("WED").join("rota").join(&bundle);
    for relative in ["Contents", "Contents/Resources/data.bin"] {
        let (a, b) = (
            fs::metadata(restored.join(relative)).unwrap(),
            fs::metadata(source_copy.join(relative)).unwrap(),
        );
        assert_eq!(a.modified().unwrap(), b.modified().unwrap(), "{relative}");
        assert_eq!(a.permissions(), b.permissions(), "{relative}");
    }
    snapshot!(
        "restore_bundle_by_date_from_disk",
        office.redact(&by_date.stdout)
    );
}

#[test]
fn a_damaged_server_backup_and_a_damaged_disk_copy_are_skipped_for_the_next_copy() {
    let office = RestoreOffice::new();
    let originals = office.keep_originals();
    office.apply.connect_only(&["MON", "TUE"]);
    let bundle = name("2026-03-30");
    RestoreOffice::damage(
        &office
            .join("source")
            .join(&bundle)
            .join("Contents/Resources/data.bin"),
    );
    RestoreOffice::damage(
        &office
            .apply
            .mount("MON")
            .join("rota")
            .join(&bundle)
            .join("Contents/Resources/data.bin"),
    );
    let output = office
        .restore(&["policy.yaml", &bundle, "--to", "restored", "--at", AT])
        .success();
    assert_eq!(
        tree(&office.join("restored").join(&bundle)),
        tree(&originals.join(&bundle))
    );
    assert_eq!(
        apply_office::names(&office.join("restored")),
        [bundle.as_str()]
    );
    snapshot!(
        "restore_skips_damaged_copies",
        office.redact(&output.stdout)
    );
}

#[test]
fn when_every_copy_is_damaged_nothing_is_written_and_the_error_says_so() {
    let office = RestoreOffice::new();
    office.apply.connect_only(&["THU"]);
    let backup = name("2026-03-26");
    RestoreOffice::damage(&office.apply.mount("THU").join("rota").join(&backup));
    let output = office
        .restore(&["policy.yaml", &backup, "--to", "restored", "--at", AT])
        .failure();
    assert_eq!(
        apply_office::names(&office.join("restored")),
        Vec::<String>::new()
    );
    snapshot!(
        "restore_every_copy_damaged",
        office.redact(&format!(
            "{}\n--- stderr ---\n{}",
            output.stdout, output.stderr
        ))
    );
}

#[test]
fn a_backup_only_on_disks_in_the_safe_names_the_disk_to_fetch() {
    let office = RestoreOffice::new();
    let output = office
        .restore(&[
            "policy.yaml",
            "--date",
            "2026-03-25",
            "--to",
            "restored",
            "--at",
            AT,
        ])
        .failure();
    snapshot!(
        "restore_names_the_disk_to_fetch",
        office.redact(&output.stderr)
    );
    let missing = office
        .restore(&[
            "policy.yaml",
            "--date",
            "2026-03-28",
            "--to",
            "restored",
            "--at",
            AT,
        ])
        .failure();
    snapshot!(
        "restore_no_backup_of_that_day",
        office.redact(&missing.stderr)
    );
    assert!(
        !office.join("restored").exists()
            || apply_office::names(&office.join("restored")).is_empty()
    );
}

#[test]
fn nothing_in_the_destination_is_ever_overwritten() {
    let office = RestoreOffice::new();
    let backup = name("2026-03-31");
    fs::create_dir_all(office.join("restored")).unwrap();
    fs::write(
        office.join("restored").join(&backup),
        b"the office's own file",
    )
    .unwrap();
    let output = office
        .restore(&["policy.yaml", "--latest", "--to", "restored", "--at", AT])
        .failure();
    assert_eq!(
        fs::read(office.join("restored").join(&backup)).unwrap(),
        b"the office's own file"
    );
    assert_eq!(apply_office::names(&office.join("restored")), [backup]);
    snapshot!(
        "restore_refuses_to_overwrite",
        office.redact(&output.stderr)
    );
    // Nor may it restore into a place rota keeps backups in.
    office
        .restore(&["policy.yaml", "--latest", "--to", "source", "--at", AT])
        .failure()
        .stderr_contains("is where rota keeps backups");
}

#[test]
fn every_restore_is_in_the_audit_log() {
    let office = RestoreOffice::new();
    office
        .restore(&["policy.yaml", "--latest", "--to", "restored", "--at", AT])
        .success()
        .stdout_contains("Recorded in the audit log");
    let log = fs::read_to_string(office.join("state/audit.log")).unwrap();
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["op"], "restore");
    assert_eq!(last["backup"], name("2026-03-31"));
    assert_eq!(last["location"], "server");
    assert_eq!(last["checked"], true);
    assert!(
        last["to"]
            .as_str()
            .unwrap()
            .ends_with(&format!("restored/{}", name("2026-03-31")))
    );
    assert!(!last["user"].as_str().unwrap().is_empty());
    assert_eq!(last["hash"].as_str().unwrap().len(), 64);
    // The deletions' readers still read the log (the restore line is skipped).
    assert!(!office.apply.audit().is_empty());
}

#[test]
fn the_office_listing_shows_every_backup_and_where_it_is() {
    let office = RestoreOffice::new();
    office.apply.connect_only(&["MON"]);
    let output = office
        .restore(&["policy.yaml", "--list", "--at", AT])
        .success();
    snapshot!("restore_office_list", office.redact(&output.stdout));
}

#[test]
fn arguments_that_do_not_say_which_backup_are_refused() {
    let office = RestoreOffice::new();
    office
        .restore(&["policy.yaml", "--to", "restored"])
        .failure()
        .stderr_contains("which backup?");
    office
        .restore(&["policy.yaml", "x", "--latest", "--to", "restored"])
        .failure()
        .stderr_contains("give one of a backup name, --date or --latest");
    office
        .restore(&["policy.yaml", "--date", "31/03/2026", "--to", "restored"])
        .failure()
        .stderr_contains("is not a date");
    office
        .restore(&["policy.yaml", "--latest"])
        .failure()
        .stderr_contains("--to");
}

#[test]
fn an_encrypted_off_site_copy_restores_with_the_key_when_the_disk_is_away() {
    let identity = age::x25519::Identity::generate();
    let policy = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cloud-office.yaml"
    ))
    .replace("AGE_RECIPIENT", &identity.to_public().to_string())
    .replace("    UPLOAD\n", "");
    let office = apply_office::ApplyOffice::new(&policy);
    use age::secrecy::ExposeSecret;
    fs::write(
        office.office.join("key.txt"),
        identity.to_string().expose_secret(),
    )
    .unwrap();
    office.disk("MON", true);
    let (file, bundle) = (name("2026-03-31"), name("2026-03-30"));
    let originals = office.office.folder("originals");
    office.office.backup_bundle(&bundle, 90_000);
    apply_office::copy_tree(
        &office.office.source().join(&bundle),
        &originals.join(&bundle),
    );
    office.apply("2026-03-30T23:55").success();
    office.office.backup_file(&file, 70_000);
    fs::copy(office.office.source().join(&file), originals.join(&file)).unwrap();
    office.apply("2026-03-31T23:55").success();
    // The server's drive fails and the disk is in the safe.
    office.unplug("MON");
    fs::remove_dir_all(office.office.source()).unwrap();
    fs::create_dir_all(office.office.source()).unwrap();
    let restore = |backup: &str| {
        office.rota().args([
            "restore",
            "policy.yaml",
            backup,
            "--to",
            "restored",
            "--at",
            "2026-04-01T09:00",
        ])
    };
    let without_key = restore(&bundle).run().failure();
    assert!(
        without_key.stderr.contains("give --identity KEYFILE")
            && without_key.stderr.contains("connect disk MON"),
        "{}",
        without_key.stderr
    );
    for backup in [&file, &bundle] {
        restore(backup)
            .args(["--identity", "key.txt"])
            .run()
            .success()
            .stdout_contains("from      off-site folder cloud (encrypted")
            .stdout_contains("equal to the checksum off-site folder cloud's manifest recorded");
    }
    assert_eq!(
        fs::read(office.office.join("restored").join(&file)).unwrap(),
        fs::read(originals.join(&file)).unwrap()
    );
    assert_eq!(
        tree(&office.office.join("restored").join(&bundle)),
        tree(&originals.join(&bundle))
    );
}

/// A new server: the policy, an empty state_dir, the disks connected one by
/// one. Until a disk is seen, nothing is deleted on the strength of what it
/// might hold; once all are seen, apply keeps every backup the policy keeps.
#[test]
fn a_new_server_with_an_empty_state_dir_learns_the_disks_and_deletes_nothing_it_keeps() {
    let office = RestoreOffice::new();
    let before = office.apply.state();
    fs::remove_dir_all(office.join("state")).unwrap();
    office.apply.connect_only(&["MON"]);
    let plan = office.apply.plan_json(AT);
    let removals: Vec<&serde_json::Value> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["op"] != "copy")
        .collect();
    assert!(removals.is_empty(), "with only MON seen: {removals:?}");
    office
        .apply
        .connect_only(&["MON", "TUE", "WED", "THU", "FRI"]);
    office.apply.apply(AT).success();
    let after = office.apply.state();
    for (day, label) in [
        ("2026-03-23", "MON"),
        ("2026-03-24", "TUE"),
        ("2026-03-25", "WED"),
        ("2026-03-26", "THU"),
        ("2026-03-27", "FRI"),
        ("2026-03-30", "MON"),
        ("2026-03-31", "TUE"),
    ] {
        let backup = name(day);
        let original = before
            .entries
            .values()
            .find_map(|entries| entries.get(&backup))
            .unwrap();
        let good = after.good_copies(&backup, original);
        assert!(
            good.iter().any(|place| place == label),
            "{backup}: {good:?}"
        );
    }
    let catalog = rota::inventory::Catalog::load(&office.join("state")).unwrap();
    assert_eq!(catalog.disks.len(), 5, "every disk is in the new catalog");
    office
        .apply
        .rota()
        .args(["plan", "policy.yaml", "--detailed-exitcode", "--at", AT])
        .run()
        .success();
}
