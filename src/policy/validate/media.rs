//! Validation of how the disks are protected and who answers for them:
//! `disks.encrypt` (age recipients, checked as an off-site target's are),
//! `disks.require_encrypted_volume` (true or false) and `disks.custodian` (a
//! person's name); and `disks.allow_server_drive` (true or false: whether disk
//! folders may share the server's drive). Hooked from `disks.rs`; it
//! only reports problems.

use super::Validator;
use crate::policy::PolicyCode;
use crate::policy::diagnostic::Problem;
use crate::policy::model::DiskMedia;
use crate::policy::raw::{RawDisks, Text};
use crate::policy::source_map::KeyPath;

impl Validator {
    pub(super) fn disk_media(&mut self, raw: &RawDisks, path: &KeyPath) -> DiskMedia {
        let encrypt = raw
            .encrypt
            .as_ref()
            .map(|encrypt| self.encrypt(encrypt, &path.key("encrypt")));
        let require_encrypted_volume = raw
            .require_encrypted_volume
            .as_ref()
            .and_then(|text| {
                self.switch(
                    text,
                    &path.key("require_encrypted_volume"),
                    "write `require_encrypted_volume: true` to make `rota apply` refuse disks \
                     whose volume is not encrypted",
                )
            })
            .unwrap_or(false);
        let custodian = raw
            .custodian
            .as_ref()
            .and_then(|text| self.custodian(text, &path.key("custodian")));
        DiskMedia {
            encrypt,
            require_encrypted_volume,
            custodian,
        }
    }

    /// `disks.allow_server_drive`: true only where the disks are folders on
    /// the server's own drive on purpose (a sandbox, the demo).
    pub(super) fn allow_server_drive(&mut self, raw: &RawDisks, path: &KeyPath) -> bool {
        raw.allow_server_drive
            .as_ref()
            .and_then(|text| {
                self.switch(
                    text,
                    &path.key("allow_server_drive"),
                    "write `allow_server_drive: true` only for a test or demo whose disks are \
                     folders on the server's own drive; leave it out for real disks",
                )
            })
            .unwrap_or(false)
    }

    fn switch(&mut self, text: &Text, path: &KeyPath, help: &'static str) -> Option<bool> {
        match text.as_str().trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            word => {
                self.push(
                    Problem::error(
                        PolicyCode::NotYesOrNo,
                        path.clone(),
                        format!("`{word}` is not true or false"),
                    )
                    .label("not true or false")
                    .help(help),
                );
                None
            }
        }
    }

    fn custodian(&mut self, text: &Text, path: &KeyPath) -> Option<String> {
        let name = text.as_str().trim();
        if name.is_empty() {
            self.push(
                Problem::error(PolicyCode::EmptyCustodian, path.clone(), "the custodian is empty")
                    .label("nobody")
                    .help("name the person responsible for the disks, e.g. `custodian: \"Office manager\"` (default: `offsite.by`)"),
            );
            return None;
        }
        Some(name.to_string())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::policy::{PolicyCode, load_str};

    const BASE: &str = include_str!("../../../policies/vendor-guide.yaml");

    /// The vendor policy with `extra` lines added under `disks:`.
    fn with_disks(extra: &str) -> String {
        BASE.replacen("disks:\n", &format!("disks:\n{extra}"), 1)
    }

    fn codes(text: &str) -> Vec<PolicyCode> {
        match load_str(text, Path::new("/office/rota.yaml")) {
            Ok(loaded) => loaded.warnings.iter().map(|w| w.code).collect(),
            Err(errors) => errors.diagnostics.iter().map(|d| d.code).collect(),
        }
    }

    #[test]
    fn the_media_keys_are_read() {
        let text = with_disks(
            "  encrypt: { age_recipients: [\"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\"] }\n  require_encrypted_volume: true\n  custodian: \" Dr. Rivera \"\n",
        );
        let policy = load_str(&text, Path::new("/office/rota.yaml"))
            .unwrap()
            .policy;
        let media = &policy.disks.media;
        assert_eq!(media.encrypt.as_ref().unwrap().age_recipients.len(), 1);
        assert!(media.require_encrypted_volume);
        assert_eq!(policy.disks.custodian(), Some("Dr. Rivera"));
    }

    #[test]
    fn the_custodian_defaults_to_who_carries_the_disks_off_site() {
        let policy = load_str(BASE, Path::new("/office/rota.yaml"))
            .unwrap()
            .policy;
        assert_eq!(policy.disks.custodian(), Some("Office manager"));
        assert!(policy.disks.media.encrypt.is_none());
        assert!(!policy.disks.media.require_encrypted_volume);
    }

    #[test]
    fn bad_values_are_named() {
        assert_eq!(
            codes(&with_disks("  require_encrypted_volume: maybe\n")),
            [PolicyCode::NotYesOrNo]
        );
        assert_eq!(
            codes(&with_disks("  custodian: \"  \"\n")),
            [PolicyCode::EmptyCustodian]
        );
        assert_eq!(
            codes(&with_disks("  encrypt: { age_recipients: [] }\n")),
            [PolicyCode::NoRecipients]
        );
        assert_eq!(
            codes(&with_disks(
                "  encrypt: { age_recipients: [\"age1...\"] }\n"
            )),
            [PolicyCode::BadRecipient]
        );
        assert_eq!(
            codes(&with_disks("  custodain: Dr. Rivera\n")),
            [PolicyCode::UnknownKey]
        );
        assert_eq!(
            codes(&with_disks("  allow_server_drive: sometimes\n")),
            [PolicyCode::NotYesOrNo]
        );
    }

    #[test]
    fn disks_on_the_server_drive_are_allowed_only_when_said() {
        let load = |text: &str| {
            load_str(text, Path::new("/office/rota.yaml"))
                .unwrap()
                .policy
        };
        assert!(!load(BASE).disks.allow_server_drive);
        assert!(
            load(&with_disks("  allow_server_drive: true\n"))
                .disks
                .allow_server_drive
        );
        assert!(
            !load(&with_disks("  allow_server_drive: no\n"))
                .disks
                .allow_server_drive
        );
    }
}
