//! Errors a command can end with, as data. Every variant renders through miette
//! in [`super::report`], and every one exits with status 1.

use std::fmt;

use miette::Diagnostic;

use crate::inventory::StateFileError;
use crate::inventory::catalog::CATALOG_FILE;
use crate::inventory::manifest::ManifestError;
use crate::policy::{PolicyDiagnostic, PolicyErrors};

#[derive(Debug)]
pub enum CliError {
    /// The policy is invalid (every problem found).
    Policy(PolicyErrors),
    /// A problem in a valid policy that this command cannot live with (e.g. a
    /// missing source folder for `apply`).
    PolicyProblem(Box<PolicyDiagnostic>),
    /// Bad arguments the parser could not catch (an unreadable `--at`, ...).
    Usage { message: String, help: String },
    /// The command ran but could not do what was asked.
    Failed {
        message: String,
        help: Option<String>,
    },
}

impl CliError {
    pub fn usage(message: impl Into<String>, help: impl Into<String>) -> CliError {
        CliError::Usage {
            message: message.into(),
            help: help.into(),
        }
    }

    pub fn failed(message: impl Into<String>) -> CliError {
        CliError::Failed {
            message: message.into(),
            help: None,
        }
    }

    pub fn failed_with_help(message: impl Into<String>, help: impl Into<String>) -> CliError {
        CliError::Failed {
            message: message.into(),
            help: Some(help.into()),
        }
    }

    /// An I/O error with what rota was doing at the time.
    pub fn io(doing: impl fmt::Display, error: &std::io::Error) -> CliError {
        let help = match error.kind() {
            std::io::ErrorKind::PermissionDenied => Some(
                "rota needs permission for this; check the folder's owner and permissions"
                    .to_string(),
            ),
            std::io::ErrorKind::NotFound => Some("check that the path exists".to_string()),
            _ => None,
        };
        CliError::Failed {
            message: format!("{doing}: {error}"),
            help,
        }
    }
}

impl From<PolicyErrors> for CliError {
    fn from(errors: PolicyErrors) -> Self {
        CliError::Policy(errors)
    }
}

/// A state file (the catalog, a disk's label or manifest). A catalog rota
/// cannot read is rebuilt from the disks: moving it aside is safe, and the
/// help says so; one it cannot write has no such cure. For a label or a
/// manifest what went wrong says it all (the commands that can offer a way
/// round, `disk init --force`, add their own help).
impl From<StateFileError> for CliError {
    fn from(error: StateFileError) -> Self {
        let catalog = error.what() == CATALOG_FILE.what;
        match error {
            StateFileError::Write { .. } => CliError::failed(error.to_string()),
            _ if catalog => CliError::failed_with_help(
                error.to_string(),
                "move the file aside and run `rota disk list` again: rota rebuilds the catalog \
                 from the disks it sees, and learns each absent disk when it is next connected",
            ),
            _ => CliError::failed(error.to_string()),
        }
    }
}

/// A disk's manifest: what went wrong says it all.
impl From<ManifestError> for CliError {
    fn from(error: ManifestError) -> Self {
        CliError::failed(error.to_string())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Policy(errors) => write!(f, "{errors}"),
            CliError::PolicyProblem(diagnostic) => write!(f, "{diagnostic}"),
            CliError::Usage { message, .. } | CliError::Failed { message, .. } => {
                f.write_str(message)
            }
        }
    }
}

impl std::error::Error for CliError {}

impl Diagnostic for CliError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            CliError::Usage { .. } => Some(Box::new("rota::usage")),
            _ => None,
        }
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            CliError::Usage { help, .. } => Some(Box::new(help)),
            CliError::Failed {
                help: Some(help), ..
            } => Some(Box::new(help)),
            _ => None,
        }
    }
}
