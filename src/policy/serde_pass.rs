//! The serde pass: YAML value → raw policy model, reporting every unknown key,
//! wrong type and missing key rather than only the first.
//!
//! serde stops at the first error. This pass reports it, removes the offending
//! entry from the value and runs serde again, mapping each error path back to
//! the original document (sequence indices shift as items are removed), until
//! the value deserializes or a required key is missing. It works on the parsed
//! value only; spans are attached later from the key paths.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_yaml::Value;

use super::diagnostic::Problem;
use super::raw::RawPolicy;
use super::source_map::{KeyPath, Segment};
use super::suggest::closest;
use crate::policy::PolicyCode;

/// Bound on serde passes (each pass removes one bad entry and tries again).
const MAX_SERDE_PASSES: usize = 64;

/// Runs serde over the YAML value until it deserializes, removing each offending
/// entry (and reporting it) so that every unknown key and wrong type is found,
/// not just the first.
#[derive(Default)]
pub(super) struct SerdePass {
    pub(super) problems: Vec<Problem>,
    /// Paths (original coordinates) already reported and removed.
    removed: HashSet<KeyPath>,
    /// Sequence items removed, by original sequence path, so later error paths
    /// (whose indices shifted) map back to the source.
    removed_items: HashMap<KeyPath, BTreeSet<usize>>,
    /// Keys an unknown key was taken to be a typo of (`retian` → `retain`): if
    /// such a key is then missing, "did you mean" has already said it all.
    suggested: HashSet<KeyPath>,
}

impl SerdePass {
    /// The raw policy, or `None` with at least one error in `problems`.
    pub(super) fn run(&mut self, value: Value) -> Option<RawPolicy> {
        let raw = self.passes(value);
        if raw.is_none() && !self.problems.iter().any(Problem::is_error) {
            // Every path above reports before giving up; this is the backstop
            // that keeps "the policy has 0 problems" from ever being printed.
            self.problems.push(
                Problem::error(
                    PolicyCode::UnreadableStructure,
                    KeyPath::root(),
                    "rota cannot make sense of the policy's structure",
                )
                .label("in this file")
                .help("compare it with the policy `rota init` writes"),
            );
        }
        raw
    }

    fn passes(&mut self, mut value: Value) -> Option<RawPolicy> {
        for _ in 0..MAX_SERDE_PASSES {
            let error = match serde_path_to_error::deserialize::<_, RawPolicy>(value.clone()) {
                Ok(raw) => return Some(raw),
                Err(error) => error,
            };
            let current = KeyPath::from_serde(&error.path().to_string());
            let message = error.inner().to_string();
            if message.ends_with("expected field identifier") && current.last_key() == Some("?") {
                // A key that is not text (`1:`, `true:`, an empty key): serde
                // cannot say which, so every such key of that map is removed.
                if !self.remove_non_text_keys(&mut value, &current.parent()) {
                    return None;
                }
                continue;
            }
            let original = self.to_original(&current);
            if let Some(missing) = missing_field(&message) {
                let path = original.key(missing);
                if !self.removed.contains(&path) && !self.suggested.contains(&path) {
                    self.problems.push(missing_key(&original, missing));
                }
                return None;
            }
            if self.removed.contains(&original) || !remove(&mut value, &current) {
                return None;
            }
            let problem = match unknown_field(&message) {
                Some((key, expected)) => {
                    let suggestion = closest(key, expected.iter().copied());
                    if let Some(suggestion) = suggestion {
                        self.suggested.insert(original.parent().key(suggestion));
                    }
                    unknown_key(&original, key, suggestion, &expected)
                }
                None => wrong_type(&original, &message),
            };
            self.problems.push(problem);
            self.note_removed(original);
        }
        None
    }

    /// Removes (and reports) every key of the map at `map_path` that is not
    /// text; false if there was none.
    fn remove_non_text_keys(&mut self, value: &mut Value, map_path: &KeyPath) -> bool {
        let Some(Value::Mapping(map)) = node_mut(value, map_path) else {
            return false;
        };
        let bad: Vec<Value> = map.keys().filter(|key| !key.is_string()).cloned().collect();
        for key in &bad {
            map.remove(key);
        }
        let original = self.to_original(map_path);
        for key in &bad {
            self.problems.push(non_text_key(&original, key));
        }
        !bad.is_empty()
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

/// The node at `path` inside `value`.
fn node_mut<'v>(value: &'v mut Value, path: &KeyPath) -> Option<&'v mut Value> {
    let mut node = value;
    for segment in &path.0 {
        node = match (segment, node) {
            (Segment::Key(key), Value::Mapping(map)) => map.get_mut(key.as_str())?,
            (Segment::Index(index), Value::Sequence(items)) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Removes the entry at `path` from `value`; false if there is nothing to remove.
fn remove(value: &mut Value, path: &KeyPath) -> bool {
    let Some((last, parents)) = path.0.split_last() else {
        return false;
    };
    let Some(node) = node_mut(value, &KeyPath(parents.to_vec())) else {
        return false;
    };
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

fn unknown_key(path: &KeyPath, key: &str, suggestion: Option<&str>, expected: &[&str]) -> Problem {
    let section = match path.parent().to_string() {
        text if text.is_empty() => String::from("at the top level"),
        text => format!("in `{text}`"),
    };
    let help = match suggestion {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None if expected.is_empty() => String::from("remove this key"),
        None => format!("known keys here: {}", expected.join(", ")),
    };
    Problem::error(
        PolicyCode::UnknownKey,
        path.clone(),
        format!("unknown key `{key}` {section}"),
    )
    .at_key()
    .label("not a policy key")
    .help(help)
}

/// `1: x`, `true: x` or `: x` where a policy key belongs. The source map names
/// number and boolean keys by their text, so those are underlined; an empty
/// key is reported at its map.
fn non_text_key(map: &KeyPath, key: &Value) -> Problem {
    let section = match map.to_string() {
        text if text.is_empty() => String::from("at the top level"),
        text => format!("in `{text}`"),
    };
    let (written, message) = match key {
        Value::Number(number) => (
            number.to_string(),
            format!("the number {number} is not a policy key {section}"),
        ),
        Value::Bool(flag) => (
            flag.to_string(),
            format!("`{flag}` is not a policy key {section}"),
        ),
        Value::Null => (
            String::new(),
            format!("an entry {section} has no key before its colon"),
        ),
        _ => (
            String::new(),
            format!("a list or map is used as a key {section}"),
        ),
    };
    Problem::error(PolicyCode::BadKey, map.key(&written), message)
        .at_key()
        .label("not a policy key")
        .help("keys are the words of the policy, e.g. `name:` or `min_backups:`; see `rota init`")
}

fn missing_key(map: &KeyPath, key: &str) -> Problem {
    let section = match map.to_string() {
        text if text.is_empty() => String::from("the policy"),
        text => format!("`{text}`"),
    };
    Problem::error(
        PolicyCode::MissingKey,
        map.clone(),
        format!("{section} is missing `{key}`"),
    )
    .at_key()
    .label(format!("needs `{key}`"))
    .help(format!("add it, for example: {}", example_for(key)))
}

fn wrong_type(path: &KeyPath, message: &str) -> Problem {
    let (message, label) = match serde_type_error(message) {
        Some(("unit value", expected)) => (
            format!(
                "`{path}` is empty; it needs {}",
                expected_in_words(expected)
            ),
            String::from("no value"),
        ),
        Some((found, expected)) => {
            let expected = expected_in_words(expected);
            (
                format!(
                    "`{path}` should be {expected}, not {}",
                    found_in_words(found)
                ),
                format!("should be {expected}"),
            )
        }
        None => (
            format!("`{path}` has the wrong kind of value: {message}"),
            String::from("wrong kind of value"),
        ),
    };
    Problem::error(PolicyCode::WrongType, path.clone(), message)
        .label(label)
        .help(format!(
            "for example: {}",
            example_for(path.last_key().unwrap_or(""))
        ))
}

/// "invalid type: string \"four\", expected u64" → ("string \"four\"", "u64").
fn serde_type_error(message: &str) -> Option<(&str, &str)> {
    message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?
        .split_once(", expected ")
}

/// serde's name for what it expected, as an office's IT person would say it.
fn expected_in_words(expected: &str) -> String {
    if expected.starts_with("struct ") || expected == "a map" {
        return String::from("a set of `key: value` settings");
    }
    match expected {
        "u64" | "u32" | "u16" | "u8" | "usize" => String::from("a whole number"),
        "a sequence" => String::from("a list such as [a, b]"),
        "a string" => String::from("text"),
        other => other.to_string(),
    }
}

/// serde's description of what it found, in the same words.
fn found_in_words(found: &str) -> String {
    let quoted = |prefix: &str| found.strip_prefix(prefix).map(|v| v.trim_matches('`'));
    if let Some(text) = found.strip_prefix("string ") {
        return format!("the text {text}");
    }
    if let Some(number) = quoted("integer ").or_else(|| quoted("floating point ")) {
        return format!("the number {number}");
    }
    if let Some(value) = quoted("boolean ") {
        return format!("`{value}`");
    }
    match found {
        "sequence" => String::from("a list"),
        "map" => String::from("a set of `key: value` settings"),
        other => other.to_string(),
    }
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
        "settle" => "a duration such as `10m` or `1h`",
        "capture" => "`capture: \"/Users/Shared/DBCopyForBackup\"`",
        "disks" => "`disks: { rotation: [{ label: MON, days: [mon] }] }`",
        "rotation" => "`rotation: [{ label: MON, days: [mon] }, { label: TUE, days: [tue] }]`",
        "label" => "`label: MON`",
        "labels" => "`labels: [ARCHIVE-A]`",
        "tiers" => "`tiers: [month_ends, quarter_ends, fiscal_year_ends]`",
        "mount_search" => "`mount_search: [\"/Volumes/*\"]`",
        "allow_server_drive" | "require_encrypted_volume" => "`true` or `false`",
        "ignore" => "`ignore: [\"Time Machine*\"]`",
        "rclone" => "`rclone: \"b2:lakeside/rota\"`",
        "hold" => "`hold: [2025-06-30]`",
        "offsite" => "`offsite: [{ name: cloud, path: Outbox, retain: { month_ends: 12 } }]`",
        "contingency" => {
            "`contingency: { rto: 8h, key_custody: \"USB key in the bank safe-deposit box\" }`"
        }
        "rto" => "a duration such as `8h` or `2d`",
        "key_custody" | "emergency_mode" => "text in quotes, e.g. `\"USB key in the office safe\"`",
        "contacts" => "`contacts: [{ role: IT support, name: Sam Okafor, phone: \"555-0142\" }]`",
        "criticality" => {
            "`criticality: [\"Digital X-ray images\", { name: E-mail, priority: low }]`"
        }
        _ => "see `rota init` for a complete, commented policy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_are_understood() {
        let (key, expected) =
            unknown_field("unknown field `retian`, expected one of `version`, `retain`").unwrap();
        assert_eq!(key, "retian");
        assert_eq!(expected, ["version", "retain"]);
        assert_eq!(missing_field("missing field `timezone`"), Some("timezone"));
    }

    #[test]
    fn wrong_types_are_said_in_plain_words() {
        let path = KeyPath::from_serde("disks.min_backups");
        let cases = [
            (
                "invalid type: string \"four\", expected u64",
                "`disks.min_backups` should be a whole number, not the text \"four\"",
            ),
            (
                "invalid type: sequence, expected struct RawRetain",
                "`disks.min_backups` should be a set of `key: value` settings, not a list",
            ),
            (
                "invalid type: unit value, expected a single value (text or a number)",
                "`disks.min_backups` is empty; it needs a single value (text or a number)",
            ),
            (
                "invalid value: integer `-1`, expected u64",
                "`disks.min_backups` should be a whole number, not the number -1",
            ),
            (
                "invalid type: map, expected a sequence",
                "`disks.min_backups` should be a list such as [a, b], not a set of `key: value` settings",
            ),
        ];
        for (serde, plain) in cases {
            assert_eq!(wrong_type(&path, serde).message, plain);
        }
    }

    #[test]
    fn keys_that_are_not_text_are_reported() {
        for (text, message) in [
            (
                "1: x\n",
                "the number 1 is not a policy key at the top level",
            ),
            (
                "version: 1\noffice:\n  true: x\n",
                "`true` is not a policy key in `office`",
            ),
            (
                "&a : version\n",
                "an entry at the top level has no key before its colon",
            ),
            (
                "? [a]\n: b\n",
                "a list or map is used as a key at the top level",
            ),
        ] {
            let value: Value = serde_yaml::from_str(text).unwrap();
            let mut pass = SerdePass::default();
            assert!(pass.run(value).is_none());
            assert_eq!(pass.problems[0].code, PolicyCode::BadKey, "{text:?}");
            assert_eq!(pass.problems[0].message, message);
        }
    }

    #[test]
    fn a_typo_of_a_required_key_is_reported_once() {
        let value: Value = serde_yaml::from_str("version: 1\nofice: {}\n").unwrap();
        let mut pass = SerdePass::default();
        assert!(pass.run(value).is_none());
        let codes: Vec<PolicyCode> = pass.problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, [PolicyCode::UnknownKey]);
        assert_eq!(
            pass.problems[0].help.as_deref(),
            Some("did you mean `office`?")
        );
    }
}
