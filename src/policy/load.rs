//! Reading a policy file: bytes → text → YAML → raw serde model → validated
//! [`Policy`], with every problem on the way turned into a located diagnostic.
//!
//! Hostile input is expected (a wrong file, binary garbage, a YAML alias bomb):
//! size and text checks come first, yaml_serde's repetition and recursion limits
//! stop alias bombs and deep nesting before saphyr builds the span map, and the
//! serde pass is bounded, so loading never hangs or panics.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use miette::NamedSource;
use serde_yaml::Value;

use super::diagnostic::{PolicyDiagnostic, PolicyErrors, Problem, Target};
use super::model::Policy;
use super::raw::RawPolicy;
use super::source_map::{ByteSpan, KeyPath, Segment, SourceMap};
use super::suggest::closest;
use super::validate::validate;

/// Policies are a page or two of YAML; anything past this is the wrong file.
const MAX_POLICY_BYTES: usize = 1 << 20;
/// Bound on serde passes (each pass removes one bad entry and tries again).
const MAX_SERDE_PASSES: usize = 64;

/// A policy's text and span map, kept so later checks (the source folder, a
/// missing rclone) can still point into the file.
#[derive(Debug)]
pub struct Origin {
    source: Arc<NamedSource<String>>,
    map: SourceMap,
}

impl Origin {
    fn new(file: &Path, text: &str) -> Origin {
        Origin {
            source: Arc::new(NamedSource::new(
                file.display().to_string(),
                text.to_string(),
            )),
            map: SourceMap::build(text),
        }
    }

    fn rename(&mut self, path: &Path) {
        let text = self.source.inner().clone();
        self.source = Arc::new(NamedSource::new(path.display().to_string(), text));
    }

    pub fn diagnose(&self, problem: Problem) -> PolicyDiagnostic {
        problem.locate(&self.map, &self.source)
    }

    fn whole_file(&self, code: &'static str, message: &str, help: &str) -> PolicyDiagnostic {
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
    let bytes = std::fs::read(path).map_err(|error| {
        let help = match error.kind() {
            std::io::ErrorKind::NotFound => "check the path; `rota init` writes a starter policy",
            std::io::ErrorKind::PermissionDenied => "rota needs permission to read the policy file",
            _ => "check that the path names a readable policy file",
        };
        single(PolicyDiagnostic::file_level(
            "unreadable",
            format!("cannot read the policy {}: {error}", path.display()),
            help,
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        single(PolicyDiagnostic::file_level(
            "not-text",
            format!("{} is not a text file", path.display()),
            "a policy is a YAML text file; is this the right file?",
        ))
    })?;
    // Resolve the policy's folder once, so relative paths in it (and in every
    // message about them) are absolute whatever folder rota is run from.
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut loaded = load_str(&text, &absolute);
    if let Err(errors) = &mut loaded {
        rename_source(errors, path);
    }
    loaded.map(|mut loaded| {
        loaded.origin.rename(path);
        loaded
    })
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
    let origin = Origin::new(file, text);
    let value = parse_yaml(text, &origin).map_err(single)?;
    let mut serde_pass = SerdePass::default();
    let raw = serde_pass.run(value);
    let mut problems = serde_pass.problems;
    let policy = raw.and_then(|raw| {
        let (policy, found) = validate(&raw, file);
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
            "too-large",
            "the policy file is larger than 1 MiB",
            "a policy is a page or two of YAML; is this the right file?",
        ));
    }
    if text.contains('\0') {
        return Err(origin.whole_file(
            "not-text",
            "the policy file contains binary data",
            "a policy is a YAML text file; is this the right file?",
        ));
    }
    let value: Value =
        serde_yaml::from_str(text).map_err(|error| syntax_error(&error, text, origin))?;
    match value {
        Value::Mapping(_) => Ok(value),
        Value::Null => Err(origin.whole_file(
            "empty-policy",
            "the policy file is empty",
            "`rota init` writes a starter policy that follows the vendor guide",
        )),
        _ => Err(origin.whole_file(
            "not-a-mapping",
            "the policy must be a set of `key: value` settings",
            "start with `version: 1`, then office:, source:, retain: and disks: (see `rota init`)",
        )),
    }
}

fn syntax_error(error: &serde_yaml::Error, text: &str, origin: &Origin) -> PolicyDiagnostic {
    let message = error.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    let (code, help) = if message.contains("repetition limit") {
        (
            "alias-expansion",
            "the file expands YAML aliases (*name) too many times; write the values out",
        )
    } else if message.contains("recursion limit") {
        (
            "too-deeply-nested",
            "the settings are nested far deeper than any policy needs",
        )
    } else if message.contains("duplicate entry") {
        (
            "duplicate-key",
            "each key may appear once in its section; remove or merge the repeated one",
        )
    } else {
        (
            "yaml-syntax",
            "check indentation (spaces, not tabs), colons after keys, and quotes around values with `: ` or `#`",
        )
    };
    let span = error
        .location()
        .map(|at| line_column_offset(text, at.line(), at.column()))
        .unwrap_or(ByteSpan { offset: 0, len: 0 });
    let problem = Problem::error(
        code,
        KeyPath::root(),
        format!("the policy is not valid YAML: {message}"),
    )
    .at(Target::Span(span))
    .label("here")
    .help(help);
    origin.diagnose(problem)
}

/// Byte span of one character at a 1-based line and column (columns in chars).
fn line_column_offset(text: &str, line: usize, column: usize) -> ByteSpan {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[line_start.min(text.len())..];
    let offset = line_start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i);
    let len = text[offset..].chars().next().map_or(0, char::len_utf8);
    ByteSpan { offset, len }
}

/// Runs serde over the YAML value until it deserializes, removing each offending
/// entry (and reporting it) so that every unknown key and wrong type is found,
/// not just the first.
#[derive(Default)]
struct SerdePass {
    problems: Vec<Problem>,
    /// Paths (original coordinates) already reported and removed.
    removed: HashSet<KeyPath>,
    /// Sequence items removed, by original sequence path, so later error paths
    /// (whose indices shifted) map back to the source.
    removed_items: HashMap<KeyPath, BTreeSet<usize>>,
}

impl SerdePass {
    fn run(&mut self, mut value: Value) -> Option<RawPolicy> {
        for _ in 0..MAX_SERDE_PASSES {
            let error = match serde_path_to_error::deserialize::<_, RawPolicy>(value.clone()) {
                Ok(raw) => return Some(raw),
                Err(error) => error,
            };
            let current = KeyPath::from_serde(&error.path().to_string());
            let original = self.to_original(&current);
            let message = error.inner().to_string();
            if let Some(missing) = missing_field(&message) {
                if !self.removed.contains(&original.key(missing)) {
                    self.problems.push(missing_key(&original, missing));
                }
                return None;
            }
            if self.removed.contains(&original) || !remove(&mut value, &current) {
                return None;
            }
            self.problems.push(match unknown_field(&message) {
                Some((key, expected)) => unknown_key(&original, key, &expected),
                None => wrong_type(&original, &message),
            });
            self.note_removed(original);
        }
        None
    }

    fn note_removed(&mut self, original: KeyPath) {
        if let Some(Segment::Index(index)) = original.0.last() {
            self.removed_items
                .entry(original.parent())
                .or_default()
                .insert(*index);
        }
        self.removed.insert(original);
    }

    fn to_original(&self, current: &KeyPath) -> KeyPath {
        let mut original = KeyPath::root();
        for segment in &current.0 {
            original = match segment {
                Segment::Key(key) => original.key(key),
                Segment::Index(index) => {
                    let mut shifted = *index;
                    if let Some(gone) = self.removed_items.get(&original) {
                        for removed in gone {
                            if *removed <= shifted {
                                shifted += 1;
                            }
                        }
                    }
                    original.index(shifted)
                }
            };
        }
        original
    }
}

/// Removes the entry at `path` from `value`; false if there is nothing to remove.
fn remove(value: &mut Value, path: &KeyPath) -> bool {
    let Some((last, parents)) = path.0.split_last() else {
        return false;
    };
    let mut node = value;
    for segment in parents {
        let next = match (segment, node) {
            (Segment::Key(key), Value::Mapping(map)) => map.get_mut(key.as_str()),
            (Segment::Index(index), Value::Sequence(items)) => items.get_mut(*index),
            _ => None,
        };
        match next {
            Some(child) => node = child,
            None => return false,
        }
    }
    match (last, node) {
        (Segment::Key(key), Value::Mapping(map)) => map.remove(key.as_str()).is_some(),
        (Segment::Index(index), Value::Sequence(items)) if *index < items.len() => {
            items.remove(*index);
            true
        }
        _ => false,
    }
}

/// "unknown field `retian`, expected one of `version`, `office`" → (retian, [..]).
fn unknown_field(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let expected = rest.split('`').skip(1).step_by(2).collect();
    Some((key, expected))
}

fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

fn unknown_key(path: &KeyPath, key: &str, expected: &[&str]) -> Problem {
    let section = match path.parent().to_string() {
        text if text.is_empty() => String::from("at the top level"),
        text => format!("in `{text}`"),
    };
    let help = match closest(key, expected.iter().copied()) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None if expected.is_empty() => String::from("remove this key"),
        None => format!("known keys here: {}", expected.join(", ")),
    };
    Problem::error(
        "unknown-key",
        path.clone(),
        format!("unknown key `{key}` {section}"),
    )
    .at_key()
    .label("not a policy key")
    .help(help)
}

fn missing_key(map: &KeyPath, key: &str) -> Problem {
    let section = match map.to_string() {
        text if text.is_empty() => String::from("the policy"),
        text => format!("`{text}`"),
    };
    Problem::error(
        "missing-key",
        map.clone(),
        format!("{section} is missing `{key}`"),
    )
    .at_key()
    .label(format!("needs `{key}`"))
    .help(format!("add it, for example: {}", example_for(key)))
}

fn wrong_type(path: &KeyPath, message: &str) -> Problem {
    let message = message
        .replace("invalid type: ", "")
        .replace("invalid value: ", "");
    Problem::error(
        "wrong-type",
        path.clone(),
        format!("`{path}` has the wrong kind of value: {message}"),
    )
    .label("wrong kind of value")
    .help(format!(
        "for example: {}",
        example_for(path.last_key().unwrap_or(""))
    ))
}

/// A one-line example of each key, for "missing" and "wrong type" help.
fn example_for(key: &str) -> &'static str {
    match key {
        "version" => "`version: 1`",
        "office" => {
            "`office: { name: Lakeside Family Dental, timezone: America/New_York, open_days: [mon, tue, wed, thu, fri] }`"
        }
        "name" => "`name: Lakeside Family Dental`",
        "timezone" => "`timezone: America/New_York`",
        "open_days" | "days" | "carry" => "`[mon, tue, wed, thu, fri]`",
        "closed" => "`closed: [2026-01-01, { date: 2026-11-26, name: Thanksgiving }]`",
        "source" => {
            "`source: { path: \"/Users/Shared/MacPractice Backups\", pattern: \"MacPractice_{%Y-%m-%d_%H%M}.mpbackup\" }`"
        }
        "path" => "`path: \"/Users/Shared/MacPractice Backups\"`",
        "pattern" => "`pattern: \"MacPractice_{%Y-%m-%d_%H%M}.mpbackup\"`",
        "retain" => {
            "`retain: { business_days: 10, month_ends: 12, quarter_ends: 8, fiscal_year_ends: all }`"
        }
        "business_days" | "month_ends" | "quarter_ends" | "fiscal_year_ends" | "last" => {
            "a whole number such as `12`, or `all`"
        }
        "keep_last" | "min_backups" => "a whole number such as `4`",
        "disks" => "`disks: { rotation: [{ label: MON, days: [mon] }] }`",
        "rotation" => "`rotation: [{ label: MON, days: [mon] }, { label: TUE, days: [tue] }]`",
        "label" => "`label: MON`",
        "labels" => "`labels: [ARCHIVE-A]`",
        "tiers" => "`tiers: [month_ends, quarter_ends, fiscal_year_ends]`",
        "mount_search" => "`mount_search: [\"/Volumes/*\"]`",
        "rclone" => "`rclone: \"b2:lakeside/rota\"`",
        "hold" => "`hold: [2025-06-30]`",
        "offsite" => "`offsite: [{ name: cloud, path: Outbox, retain: { month_ends: 12 } }]`",
        _ => "see `rota init` for a complete, commented policy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_become_byte_offsets() {
        let text = "a: 1\nbé: x\n";
        assert_eq!(
            line_column_offset(text, 2, 3),
            ByteSpan { offset: 8, len: 1 }
        );
    }

    #[test]
    fn serde_messages_are_understood() {
        let (key, expected) =
            unknown_field("unknown field `retian`, expected one of `version`, `retain`").unwrap();
        assert_eq!(key, "retian");
        assert_eq!(expected, ["version", "retain"]);
        assert_eq!(missing_field("missing field `timezone`"), Some("timezone"));
    }
}
