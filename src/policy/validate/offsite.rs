//! `offsite:`: the off-site targets — a unique name, a folder, an optional
//! rclone upload, optional age encryption and the target's own retention.
//! Hooked from `mod.rs`; it only reports problems.

use std::path::PathBuf;

use super::Validator;
use crate::policy::PolicyCode;
use crate::policy::diagnostic::Problem;
use crate::policy::model::{DEFAULT_KEEP_LOCAL, OffsiteTarget, Upload};
use crate::policy::raw::{RawOffsiteTarget, RawUpload};
use crate::policy::source_map::KeyPath;

impl Validator {
    pub(super) fn offsite(
        &mut self,
        raw: &[RawOffsiteTarget],
        path: &KeyPath,
    ) -> Vec<OffsiteTarget> {
        let mut targets: Vec<OffsiteTarget> = Vec::new();
        for (i, entry) in raw.iter().enumerate() {
            let item = path.index(i);
            let name = entry.name.as_str().trim().to_string();
            if name.is_empty() || targets.iter().any(|t| t.name == name) {
                self.push(
                    Problem::error(
                        PolicyCode::DuplicateTarget,
                        item.key("name"),
                        format!("the off-site target name `{name}` is empty or used twice"),
                    )
                    .label("needs a unique name")
                    .help("name each off-site target once, e.g. `name: cloud`"),
                );
            }
            let upload = entry
                .upload
                .as_ref()
                .map(|upload| self.upload(upload, &item.key("upload")));
            let encrypt = entry
                .encrypt
                .as_ref()
                .map(|encrypt| self.encrypt(encrypt, &item.key("encrypt")));
            targets.push(OffsiteTarget {
                name,
                path: self.path(&entry.path, &item.key("path")),
                upload,
                encrypt,
                retain: self.retain(&entry.retain, &item.key("retain")),
            });
        }
        targets
    }

    fn upload(&mut self, raw: &RawUpload, path: &KeyPath) -> Upload {
        let remote = raw.rclone.as_str().trim().to_string();
        if !remote.contains(':') {
            self.push(
                Problem::error(PolicyCode::BadRemote, path.key("rclone"), format!("`{remote}` is not an rclone remote"))
                    .label("no remote name")
                    .help("write the remote as `name:path`, e.g. \"b2:lakeside/rota\"; `rclone listremotes` shows the names"),
            );
        }
        Upload {
            remote,
            config: raw
                .config
                .as_ref()
                .map(|text| self.path(text, &path.key("config"))),
            bwlimit: raw
                .bwlimit
                .as_ref()
                .map(|text| text.as_str().trim().to_string()),
            binary: raw
                .binary
                .as_ref()
                .map(|text| PathBuf::from(text.as_str().trim())),
            keep_local: self.small_number(
                raw.keep_local,
                DEFAULT_KEEP_LOCAL,
                &path.key("keep_local"),
            ),
        }
    }
}
