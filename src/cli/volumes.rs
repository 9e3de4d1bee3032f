//! Asking the system's tools about each connected disk's volume (see
//! `crate::probe`), for `doctor` and for `apply` under
//! `disks.require_encrypted_volume`. The programs are found on `PATH`.

use crate::execute::{ApplyRun, Failure};
use crate::hygiene::doctor::{ServerFacts, VolumeFacts};
use crate::inventory::Inventory;
use crate::placement::Location;
use crate::plan::Plan;
use crate::policy::Policy;
use crate::probe::{Platform, SystemRunner, how_to_encrypt, volume_encryption};

/// The platform whose tools are asked: this one, unless `ROTA_PROBE_PLATFORM`
/// (`macos`, `linux`, `other`) says otherwise, so the tests can drive both
/// parsers through the binary on any machine with fake tools on `PATH`.
fn platform() -> Platform {
    match std::env::var("ROTA_PROBE_PLATFORM").as_deref() {
        Ok("macos") => Platform::MacOs,
        Ok("linux") => Platform::Linux,
        Ok("other") => Platform::Other,
        _ => Platform::current(),
    }
}

/// What the system's tools say about the server itself.
pub fn server_facts(policy: &Policy) -> ServerFacts {
    let platform = platform();
    ServerFacts {
        startup: crate::probe::server::startup_disk_encryption(
            &SystemRunner,
            platform,
            &policy.source.path,
        ),
        time_machine: crate::probe::server::time_machine(&SystemRunner, platform),
    }
}

/// One entry per connected disk, in the inventory's order.
pub fn volume_facts(inventory: &Inventory) -> Vec<VolumeFacts> {
    let platform = platform();
    inventory
        .connected_disks()
        .filter_map(|disk| {
            let mount = &disk.mount.as_ref()?.path;
            Some(VolumeFacts {
                label: disk.label.clone(),
                mount: mount.clone(),
                encryption: volume_encryption(&SystemRunner, platform, mount),
                how_to_encrypt: how_to_encrypt(platform, mount),
            })
        })
        .collect()
}

/// Under `disks.require_encrypted_volume`, refuses every action at a disk the
/// plan writes to whose volume is not shown to be encrypted (the rest of the
/// plan goes ahead), saying so on stderr. Returns the disks refused.
pub fn refuse_unencrypted_volumes(
    policy: &Policy,
    inventory: &Inventory,
    plan: &Plan,
    run: &mut ApplyRun<'_>,
) -> Vec<String> {
    if !policy.disks.media.require_encrypted_volume {
        return Vec::new();
    }
    let mut refused = Vec::new();
    for facts in volume_facts(inventory) {
        let location = Location::Disk(facts.label.clone());
        let written = plan
            .actions
            .iter()
            .any(|action| action.writes_to() == Some(&location));
        if !written || facts.encryption.is_encrypted() {
            continue;
        }
        let how = match &facts.encryption {
            crate::probe::Encryption::Unknown { how, .. } => {
                format!("{how}; if it is not encrypted, {}", facts.how_to_encrypt)
            }
            _ => facts.how_to_encrypt.clone(),
        };
        let failure = Failure::UnencryptedVolume {
            location: facts.label.clone(),
            evidence: format!(
                "{} at {}",
                facts.encryption.evidence(),
                facts.mount.display()
            ),
            how,
        };
        eprintln!("error: {failure}");
        refused.push(facts.label.clone());
        run.refuse(location, failure);
    }
    refused
}
