//! What `rota check` says about the machine for off-site targets: an rclone
//! program that cannot be found and a recipients file that cannot be used.
//! Warnings for `check` (the policy may be written before the server is set
//! up); `apply` makes them errors for the targets its plan acts on, and does
//! nothing there. Each problem points at the policy key it concerns.
//!
//! Looks for files only; runs nothing and writes nothing.

use std::path::Path;

use super::encrypt::read_recipients_file;
use super::rclone::{DEFAULT_PROGRAM, locate_program};
use crate::policy::PolicyCode;
use crate::policy::{KeyPath, Policy, Problem};

/// Every off-site problem of this machine, as warnings.
pub fn problems(policy: &Policy) -> Vec<Problem> {
    (0..policy.offsite.len())
        .flat_map(|index| target_problems(policy, index))
        .collect()
}

/// The problems of the off-site target at `index` in the policy, as warnings.
pub fn target_problems(policy: &Policy, index: usize) -> Vec<Problem> {
    let mut problems = Vec::new();
    let Some(target) = policy.offsite.get(index) else {
        return problems;
    };
    let item = KeyPath::root().key("offsite").index(index);
    if let Some(upload) = &target.upload {
        let (program, key) = match &upload.binary {
            Some(binary) => (binary.as_path(), "binary"),
            None => (Path::new(DEFAULT_PROGRAM), "rclone"),
        };
        if locate_program(program).is_none() {
            problems.push(
                Problem::warning(
                    PolicyCode::RcloneMissing,
                    item.key("upload").key(key),
                    format!(
                        "the rclone program `{}` is not installed on this machine; off-site target `{}` cannot upload",
                        program.display(),
                        target.name
                    ),
                )
                .label("rclone not found")
                .help("install rclone (macOS: `brew install rclone`; Debian/Ubuntu: `apt-get install rclone`) or set upload.binary to its full path; apply refuses to upload without it"),
            );
        }
    }
    if let Some(file) = target
        .encrypt
        .as_ref()
        .and_then(|encrypt| encrypt.age_recipients_file.as_ref())
        && let Err(error) = read_recipients_file(file)
    {
        problems.push(
            Problem::warning(
                PolicyCode::RecipientsUnusable,
                item.key("encrypt").key("age_recipients_file"),
                error.to_string(),
            )
            .label("cannot encrypt to these recipients")
            .help(error.help()),
        );
    }
    problems
}
