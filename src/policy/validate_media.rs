//! Validation of how the disks are protected and who answers for them:
//! `disks.encrypt` (age recipients, checked as an off-site target's are),
//! `disks.require_encrypted_volume` (true or false) and `disks.custodian` (a
//! person's name). Hooked from `validate.rs`; it only reports problems.

use super::diagnostic::Problem;
use super::model::DiskMedia;
use super::raw::{RawDisks, Text};
use super::source_map::KeyPath;
use super::validate::Validator;

impl Validator {
    pub(super) fn disk_media(&mut self, raw: &RawDisks, path: &KeyPath) -> DiskMedia {
        let encrypt = raw
            .encrypt
            .as_ref()
            .map(|encrypt| self.encrypt(encrypt, &path.key("encrypt")));
        let require_encrypted_volume = raw
            .require_encrypted_volume
            .as_ref()
            .and_then(|text| self.switch(text, &path.key("require_encrypted_volume")))
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

    fn switch(&mut self, text: &Text, path: &KeyPath) -> Option<bool> {
        match text.as_str().trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            word => {
                self.push(
                    Problem::error(
                        "not-yes-or-no",
                        path.clone(),
                        format!("`{word}` is not true or false"),
                    )
                    .label("not true or false")
                    .help("write `require_encrypted_volume: true` to make `rota apply` refuse disks whose volume is not encrypted"),
                );
                None
            }
        }
    }

    fn custodian(&mut self, text: &Text, path: &KeyPath) -> Option<String> {
        let name = text.as_str().trim();
        if name.is_empty() {
            self.push(
                Problem::error("empty-custodian", path.clone(), "the custodian is empty")
                    .label("nobody")
                    .help("name the person responsible for the disks, e.g. `custodian: \"Office manager\"` (default: `offsite.by`)"),
            );
            return None;
        }
        Some(name.to_string())
    }
}
