//! Reading a policy file: bytes → text → YAML → raw serde model → validated
//! [`Policy`], with every problem on the way turned into a located diagnostic.
//!
//! Hostile input is expected (a wrong file, binary garbage, a YAML alias bomb):
//! size and text checks come first, yaml_serde's repetition and recursion limits
//! stop alias bombs and deep nesting before saphyr builds the span map, and the
//! serde pass is bounded, so loading never hangs or panics.

use std::path::Path;
use std::sync::Arc;

use miette::NamedSource;
use serde_yaml::Value;

use super::diagnostic::{PolicyDiagnostic, PolicyErrors, Problem, Target};
use super::model::Policy;
use super::serde_pass::SerdePass;
use super::source_map::{ByteSpan, KeyPath, SourceMap};
use super::syntax::syntax_problem;
use super::validate::validate_for_home;
use crate::policy::PolicyCode;

/// Policies are a page or two of YAML; anything past this is the wrong file.
const MAX_POLICY_BYTES: usize = 1 << 20;

/// A policy's text and span map, kept so later checks (the source folder, a
/// missing rclone) can still point into the file.
#[derive(Debug)]
pub struct Origin {
    source: Arc<NamedSource<String>>,
    map: SourceMap,
}

impl Origin {
    /// The text with an empty span map: every location falls back to the start
    /// of the file until [`Origin::map_spans`] runs.
    fn new(file: &Path, text: &str) -> Origin {
        Origin {
            source: Arc::new(NamedSource::new(
                file.display().to_string(),
                text.to_string(),
            )),
            map: SourceMap::default(),
        }
    }

    /// Builds the span map. Only call this once yaml_serde has accepted the
    /// text: saphyr expands every alias, so an alias bomb would hang it.
    fn map_spans(&mut self) {
        self.map = SourceMap::build(self.source.inner());
    }

    fn rename(&mut self, path: &Path) {
        let text = self.source.inner().clone();
        self.source = Arc::new(NamedSource::new(path.display().to_string(), text));
    }

    pub fn diagnose(&self, problem: Problem) -> PolicyDiagnostic {
        problem.locate(&self.map, &self.source)
    }

    fn whole_file(&self, code: PolicyCode, message: &str, help: &str) -> PolicyDiagnostic {
        let problem = Problem::error(code, KeyPath::root(), message)
            .at(Target::Span(ByteSpan { offset: 0, len: 0 }))
            .label("in this file")
            .help(help);
        self.diagnose(problem)
    }
}

/// A valid policy with its warnings and its origin.
#[derive(Debug)]
pub struct LoadedPolicy {
    pub policy: Policy,
    pub warnings: Vec<PolicyDiagnostic>,
    pub origin: Origin,
}

/// Reads and validates the policy file at `path`.
pub fn load(path: &Path) -> Result<LoadedPolicy, PolicyErrors> {
    load_for_home(path, std::env::var_os("HOME").map(std::path::PathBuf::from))
}

/// [`load`] with `~/` in the policy meaning `home`: the policy as another
/// user (the nightly job's) will read it.
pub fn load_for_home(
    path: &Path,
    home: Option<std::path::PathBuf>,
) -> Result<LoadedPolicy, PolicyErrors> {
    let bytes = std::fs::read(path).map_err(|error| {
        let help = match error.kind() {
            std::io::ErrorKind::NotFound => "check the path; `rota init` writes a starter policy",
            std::io::ErrorKind::PermissionDenied => "rota needs permission to read the policy file",
            _ => "check that the path names a readable policy file",
        };
        single(PolicyDiagnostic::file_level(
            PolicyCode::Unreadable,
            format!("cannot read the policy {}: {error}", path.display()),
            help,
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|error| single(not_utf8(path, &error)))?;
    // Resolve the policy's folder once, so relative paths in it (and in every
    // message about them) are absolute whatever folder rota is run from.
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut loaded = load_str_for_home(&text, &absolute, home);
    if let Err(errors) = &mut loaded {
        rename_source(errors, path);
    }
    loaded.map(|mut loaded| {
        loaded.origin.rename(path);
        // Warnings name the file as the user wrote it, as errors do.
        for warning in &mut loaded.warnings {
            if warning.source.is_some() {
                warning.source = Some(Arc::clone(&loaded.origin.source));
            }
        }
        loaded
    })
}

/// A file that is not UTF-8: binary data (the wrong file), UTF-16 (Windows
/// Notepad's "Unicode"), or text with a letter saved in another encoding, which
/// is pointed at so the IT person can retype it.
fn not_utf8(path: &Path, error: &std::string::FromUtf8Error) -> PolicyDiagnostic {
    let bytes = error.as_bytes();
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return PolicyDiagnostic::file_level(
            PolicyCode::NotUtf8,
            format!("{} is saved as UTF-16 text", path.display()),
            "save the policy as UTF-8 text (in Notepad: File > Save As, Encoding: UTF-8)",
        );
    }
    let binary = bytes
        .iter()
        .any(|b| *b == 0 || (b.is_ascii_control() && !b.is_ascii_whitespace()));
    if binary {
        return PolicyDiagnostic::file_level(
            PolicyCode::NotText,
            format!("{} is not a text file", path.display()),
            "a policy is a YAML text file; is this the right file?",
        );
    }
    let text = String::from_utf8_lossy(bytes).into_owned();
    let offset = error.utf8_error().valid_up_to();
    let origin = Origin::new(path, &text);
    let problem = Problem::error(
        PolicyCode::NotUtf8,
        KeyPath::root(),
        "the policy is not UTF-8 text",
    )
    .at(Target::Span(ByteSpan {
        offset,
        len: char::REPLACEMENT_CHARACTER.len_utf8(),
    }))
    .label("saved in another encoding")
    .help("save the policy as UTF-8 text; a letter such as é or ü was saved in an older encoding");
    origin.diagnose(problem)
}

/// Diagnostics name the file as the user typed it, not its absolute form.
fn rename_source(errors: &mut PolicyErrors, path: &Path) {
    for diagnostic in &mut errors.diagnostics {
        if let Some(source) = &diagnostic.source {
            let renamed = NamedSource::new(path.display().to_string(), source.inner().clone());
            diagnostic.source = Some(Arc::new(renamed));
        }
    }
}

fn single(diagnostic: PolicyDiagnostic) -> PolicyErrors {
    PolicyErrors {
        diagnostics: vec![diagnostic],
    }
}

/// Validates policy text as if read from `file` (relative paths resolve
/// against `file`'s folder).
pub fn load_str(text: &str, file: &Path) -> Result<LoadedPolicy, PolicyErrors> {
    load_str_for_home(
        text,
        file,
        std::env::var_os("HOME").map(std::path::PathBuf::from),
    )
}

fn load_str_for_home(
    text: &str,
    file: &Path,
    home: Option<std::path::PathBuf>,
) -> Result<LoadedPolicy, PolicyErrors> {
    let mut origin = Origin::new(file, text);
    let value = parse_yaml(text, &origin).map_err(single)?;
    origin.map_spans();
    let mut serde_pass = SerdePass::default();
    let raw = serde_pass.run(value);
    let mut problems = serde_pass.problems;
    let policy = raw.and_then(|raw| {
        let (policy, found) = validate_for_home(&raw, file, home);
        problems.extend(found);
        policy
    });
    let diagnostics: Vec<PolicyDiagnostic> =
        problems.into_iter().map(|p| origin.diagnose(p)).collect();
    match policy {
        Some(policy) if !diagnostics.iter().any(PolicyDiagnostic::is_error) => Ok(LoadedPolicy {
            policy,
            warnings: diagnostics,
            origin,
        }),
        _ => Err(PolicyErrors { diagnostics }),
    }
}

fn parse_yaml(text: &str, origin: &Origin) -> Result<Value, PolicyDiagnostic> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(origin.whole_file(
            PolicyCode::TooLarge,
            "the policy file is larger than 1 MiB",
            "a policy is a page or two of YAML; is this the right file?",
        ));
    }
    if text.contains('\0') {
        return Err(origin.whole_file(
            PolicyCode::NotText,
            "the policy file contains binary data",
            "a policy is a YAML text file; is this the right file?",
        ));
    }
    let value: Value = serde_yaml::from_str(text)
        .map_err(|error| origin.diagnose(syntax_problem(&error, text)))?;
    match value {
        Value::Mapping(_) => Ok(value),
        Value::Null => Err(origin.whole_file(
            PolicyCode::EmptyPolicy,
            "the policy file is empty",
            "`rota init` writes a starter policy that follows the vendor guide",
        )),
        _ => Err(origin.whole_file(
            PolicyCode::NotAMapping,
            "the policy must be a set of `key: value` settings",
            "start with `version: 1`, then office:, source:, retain: and disks: (see `rota init`)",
        )),
    }
}
