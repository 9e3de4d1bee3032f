//! What installing or removing the nightly job did ([`Done`], for the
//! report), and why an install stopped ([`InstallError`]); shared by
//! `install` and `reload`, which fill them in.

use std::path::PathBuf;

use super::runner::RunResult;

/// Why an install did not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallError {
    /// A night runs: reloading would stop it, so nothing was changed.
    Busy(String),
    /// A file could not be written or a scheduler command failed.
    Failed(String),
}

impl std::fmt::Display for InstallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstallError::Busy(why) | InstallError::Failed(why) => f.write_str(why),
        }
    }
}

impl From<String> for InstallError {
    fn from(why: String) -> Self {
        InstallError::Failed(why)
    }
}

/// What an install did, for the report.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Done {
    pub written: Vec<PathBuf>,
    pub unchanged: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
    pub commands: Vec<(Vec<String>, RunResult)>,
}
