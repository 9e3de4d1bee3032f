//! YAML syntax errors in plain words. yaml_serde (libyaml) reports a position
//! and a parser's phrase ("did not find expected key"); an office's IT person
//! needs to hear "this line is indented 3 spaces, the line above 2" or "a tab is
//! used for indentation", with the underline on the text to change.
//!
//! This module only reads the policy text around the reported position; it
//! never guesses a fix it cannot point at, and falls back to the parser's own
//! words with general advice.

use serde_yaml::Error;

use super::diagnostic::{Problem, Target};
use super::source_map::{ByteSpan, KeyPath};
use crate::policy::PolicyCode;

/// Turns a yaml_serde error into a located problem with a plain-words help line.
pub(super) fn syntax_problem(error: &Error, text: &str) -> Problem {
    let message = error.to_string();
    let parsed = ParsedMessage::new(&message);
    let at = error
        .location()
        .map(|at| line_column_offset(text, at.line(), at.column()));
    let explained = explain(&parsed, at, text).unwrap_or_else(|| Explained {
        code: PolicyCode::YamlSyntax,
        message: format!("the policy is not valid YAML: {}", parsed.what),
        span: at.unwrap_or(ByteSpan { offset: 0, len: 0 }),
        label: String::from("here"),
        help: String::from(
            "check the indentation (spaces only, lined up with the keys beside it) and quote \
             values that contain `: ` or ` #`",
        ),
    });
    Problem::error(explained.code, KeyPath::root(), explained.message)
        .at(Target::Span(explained.span))
        .label(explained.label)
        .help(explained.help)
}

struct Explained {
    code: PolicyCode,
    message: String,
    span: ByteSpan,
    label: String,
    help: String,
}

/// libyaml's message, split: "WHAT at line L column C, while CONTEXT at line
/// L2 column C2" (the location parts are optional).
struct ParsedMessage<'a> {
    what: &'a str,
    context: &'a str,
    context_at: Option<(usize, usize)>,
}

impl<'a> ParsedMessage<'a> {
    fn new(message: &'a str) -> ParsedMessage<'a> {
        let (head, context) = message.split_once(", while ").unwrap_or((message, ""));
        let what = head.split(" at line ").next().unwrap_or(head);
        let context_at = context
            .split_once(" at line ")
            .and_then(|(_, at)| at.split_once(" column "))
            .and_then(|(line, column)| {
                Some((line.trim().parse().ok()?, column.trim().parse().ok()?))
            });
        ParsedMessage {
            what,
            context,
            context_at,
        }
    }
}

fn explain(parsed: &ParsedMessage, at: Option<ByteSpan>, text: &str) -> Option<Explained> {
    let what = parsed.what;
    if what.contains("repetition limit") {
        return Some(alias_bomb(what, text));
    }
    if what.contains("recursion limit") {
        return Some(Explained {
            code: PolicyCode::TooDeeplyNested,
            message: format!("the policy is not valid YAML: {what}"),
            span: at?,
            label: String::from("nested too deeply"),
            help: String::from("a policy is at most four levels deep; is this the right file?"),
        });
    }
    if what.contains("duplicate entry with key") {
        return duplicate_key(what, at?, text);
    }
    let at = at?;
    if what.contains("tab character") || text[at.offset..].starts_with('\t') {
        return Some(tab(at, text));
    }
    if what == "found unexpected end of stream" && parsed.context.contains("quoted scalar") {
        let (line, column) = parsed.context_at?;
        return Some(Explained {
            code: PolicyCode::YamlSyntax,
            message: String::from("the policy is not valid YAML: a quote is never closed"),
            span: line_column_offset(text, line, column),
            label: String::from("this quote is not closed"),
            help: String::from(
                "end the value with the quote it starts with; inside \"...\" write \\\" for a \
                 quote, inside '...' write ''",
            ),
        });
    }
    if let Some(unclosed) = unclosed_flow(parsed, text) {
        return Some(unclosed);
    }
    if let Some(indented) = indentation(what, at, text) {
        return Some(indented);
    }
    if what == "mapping values are not allowed in this context" {
        return Some(Explained {
            code: PolicyCode::YamlSyntax,
            message: String::from("the policy is not valid YAML: a second `: ` on one line"),
            span: at,
            label: String::from("YAML reads this colon as a new key"),
            help: String::from(
                "put a value that contains `: ` in quotes, e.g. name: \"Smith: Family Dental\"",
            ),
        });
    }
    let star = if parsed.context.contains("an alias") {
        parsed
            .context_at
            .map(|(line, column)| line_column_offset(text, line, column))
    } else {
        (what == "unknown anchor").then_some(at)
    };
    if let Some(star) = star {
        return Some(Explained {
            code: PolicyCode::YamlSyntax,
            message: String::from("the policy is not valid YAML: a value starts with `*`"),
            span: token_at(star.offset, text),
            label: String::from("YAML reads *name as an alias"),
            help: String::from("put a value that starts with * in quotes, e.g. \"*.mpbackup\""),
        });
    }
    if what == "found character that cannot start any token" {
        let character = text[at.offset..].chars().next()?;
        return Some(Explained {
            code: PolicyCode::YamlSyntax,
            message: format!(
                "the policy is not valid YAML: a value cannot start with `{character}`"
            ),
            span: at,
            label: String::from("not allowed here"),
            help: format!("put the value in quotes, e.g. \"{character}...\""),
        });
    }
    None
}

fn alias_bomb(what: &str, text: &str) -> Explained {
    Explained {
        code: PolicyCode::AliasExpansion,
        message: format!("the policy is not valid YAML: {what} (aliases expand too far)"),
        span: first_alias(text).unwrap_or(ByteSpan { offset: 0, len: 0 }),
        label: String::from("aliases start expanding here"),
        help: String::from(
            "a policy never needs YAML aliases (*name); write the values out in full",
        ),
    }
}

/// The first `*name` alias outside a comment.
fn first_alias(text: &str) -> Option<ByteSpan> {
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let code = line.split(" #").next().unwrap_or(line);
        let code = if code.trim_start().starts_with('#') {
            ""
        } else {
            code
        };
        let bytes = code.as_bytes();
        for (i, byte) in bytes.iter().enumerate() {
            let starts_token = i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'[' | b'{' | b',');
            if *byte == b'*' && starts_token {
                let span = token_at(line_start + i, text);
                if span.len > 1 {
                    return Some(span);
                }
            }
        }
        line_start += line.len();
    }
    None
}

/// The token starting at `offset`: up to whitespace or a flow indicator.
fn token_at(offset: usize, text: &str) -> ByteSpan {
    let rest = &text[offset..];
    let len = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}'))
        .unwrap_or(rest.len());
    ByteSpan { offset, len }
}

/// `retain: duplicate entry with key "month_ends"`: underline the repeat.
/// libyaml points at the start of the map; the second key is found by scanning
/// the map's own lines (same indentation) or its `{...}`.
fn duplicate_key(what: &str, at: ByteSpan, text: &str) -> Option<Explained> {
    let (section, rest) = match what.split_once(": duplicate entry with key ") {
        Some((section, rest)) => (format!("`{section}`"), rest),
        None => (
            String::from("the top level"),
            what.strip_prefix("duplicate entry with key ")?,
        ),
    };
    let key = rest.trim_matches('"');
    let occurrences = key_occurrences(key, at.offset, text);
    let repeat = *occurrences.get(1)?;
    let first_line = line_of(text, occurrences[0]);
    Some(Explained {
        code: PolicyCode::DuplicateKey,
        message: format!("the policy is not valid YAML: `{key}` appears twice in {section}"),
        span: ByteSpan {
            offset: repeat,
            len: key.len(),
        },
        label: format!("`{key}` again (first on line {first_line})"),
        help: String::from(
            "each key may appear once in its section; remove or merge the repeated one",
        ),
    })
}

/// Byte offsets of `key:` entries of the map starting at `start`.
fn key_occurrences(key: &str, start: usize, text: &str) -> Vec<usize> {
    let is_entry = |offset: usize| {
        let after = text[offset..].strip_prefix(key).map(str::trim_start);
        let before_ok = offset == 0
            || matches!(
                text.as_bytes()[offset - 1],
                b' ' | b'\t' | b'{' | b',' | b'\n'
            );
        before_ok && after.is_some_and(|rest| rest.starts_with(':'))
    };
    if text[start..].starts_with('{') {
        let end = matching_close(text, start).unwrap_or(text.len());
        return text[start..end]
            .match_indices(key)
            .map(|(i, _)| start + i)
            .filter(|offset| is_entry(*offset))
            .collect();
    }
    // A block map: its entries start at the column of its first key; the map
    // ends at the first later line indented less.
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = start - line_start;
    let mut found = Vec::new();
    let mut offset = line_start;
    for line in text[line_start..].split_inclusive('\n') {
        let content = line.trim_start_matches(' ');
        let this_indent = line.len() - content.len();
        let blank = content.trim().is_empty() || content.starts_with('#');
        if !blank && offset > line_start && this_indent < indent {
            break;
        }
        if !blank && this_indent == indent && is_entry(offset + indent) {
            found.push(offset + indent);
        }
        offset += line.len();
    }
    found
}

fn matching_close(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(open + i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

fn tab(at: ByteSpan, text: &str) -> Explained {
    // Underline the tabs in the line's leading whitespace, where they are.
    let line_start = text[..at.offset].rfind('\n').map_or(0, |i| i + 1);
    let leading =
        text[line_start..].len() - text[line_start..].trim_start_matches([' ', '\t']).len();
    let indent = &text[line_start..line_start + leading];
    let span = match (indent.find('\t'), indent.rfind('\t')) {
        (Some(first), Some(last)) => ByteSpan {
            offset: line_start + first,
            len: last - first + 1,
        },
        _ => at,
    };
    Explained {
        code: PolicyCode::TabIndentation,
        message: String::from("the policy is not valid YAML: a tab is used for indentation"),
        span,
        label: String::from("tab"),
        help: String::from(
            "YAML indents with spaces only: replace the tab with spaces, lined up with the keys \
             beside it",
        ),
    }
}

/// `[mon, tue` or `{ label: MON` never closed: point at the opening bracket.
fn unclosed_flow(parsed: &ParsedMessage, text: &str) -> Option<Explained> {
    let (kind, close, example) = if parsed.what.starts_with("did not find expected ',' or ']'") {
        ("list", ']', "[mon, tue, wed]")
    } else if parsed.what.starts_with("did not find expected ',' or '}'") {
        ("map", '}', "{ label: MON, days: [mon] }")
    } else {
        return None;
    };
    let (line, column) = parsed.context_at?;
    Some(Explained {
        code: PolicyCode::YamlSyntax,
        message: format!("the policy is not valid YAML: a {kind} is not closed with `{close}`"),
        span: line_column_offset(text, line, column),
        label: format!("this {kind} is not closed"),
        help: format!(
            "close it with `{close}` and separate its entries with commas, e.g. {example}"
        ),
    })
}

/// A key indented differently from the line above (when that line does not
/// open a nested section): the commonest YAML mistake when editing by hand.
fn indentation(what: &str, at: ByteSpan, text: &str) -> Option<Explained> {
    let parser_phrases = [
        "mapping values are not allowed in this context",
        "did not find expected key",
        "did not find expected '-' indicator",
    ];
    if !parser_phrases.contains(&what) {
        return None;
    }
    let error_line = line_of(text, at.offset);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let line = *lines.get(error_line - 1)?;
    let previous = lines[..error_line - 1]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let (mine, theirs) = (indent(line), indent(previous));
    let opens_section = previous
        .split(" #")
        .next()
        .unwrap_or("")
        .trim_end()
        .ends_with(':');
    if mine == theirs || (opens_section && mine > theirs) {
        return None;
    }
    let line_start: usize = lines[..error_line - 1].iter().map(|l| l.len()).sum();
    let key = token_at(line_start + mine, text);
    let key = ByteSpan {
        offset: key.offset,
        len: text[key.offset..key.offset + key.len]
            .find(':')
            .unwrap_or(key.len),
    };
    let key_text = &text[key.offset..key.offset + key.len];
    let spaces = |n: usize| {
        if n == 1 {
            String::from("1 space")
        } else {
            format!("{n} spaces")
        }
    };
    Some(Explained {
        code: PolicyCode::BadIndentation,
        message: format!(
            "the policy is not valid YAML: `{key_text}` is indented {}, the line above {}",
            spaces(mine),
            spaces(theirs)
        ),
        span: key,
        label: format!("indented {}", spaces(mine)),
        help: format!(
            "keys of one section line up under each other: indent `{key_text}` by {}, like the \
             line above",
            spaces(theirs)
        ),
    })
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Byte span of one character at a 1-based line and column (columns in chars).
pub(super) fn line_column_offset(text: &str, line: usize, column: usize) -> ByteSpan {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn explained(text: &str) -> (PolicyCode, String, &str) {
        let error = serde_yaml::from_str::<serde_yaml::Value>(text).unwrap_err();
        let problem = syntax_problem(&error, text);
        let Target::Span(span) = problem.target else {
            panic!("syntax problems carry a span")
        };
        (
            problem.code,
            problem.message,
            &text[span.offset..span.offset + span.len],
        )
    }

    #[test]
    fn line_and_column_become_byte_offsets() {
        let text = "a: 1\nbé: x\n";
        assert_eq!(
            line_column_offset(text, 2, 3),
            ByteSpan { offset: 8, len: 1 }
        );
    }

    #[test]
    fn syntax_errors_point_at_what_to_change() {
        let cases = [
            ("a:\n  b: 1\n   c: 2\n", PolicyCode::BadIndentation, "c"),
            ("a:\n  b: 1\n c: 2\nd: 3\n", PolicyCode::BadIndentation, "c"),
            ("a:\n\tb: 1\n", PolicyCode::TabIndentation, "\t"),
            ("a:\n  b: 1\n  \t c: 2\n", PolicyCode::TabIndentation, "\t"),
            ("a: Dr. Smith: Dental\n", PolicyCode::YamlSyntax, ":"),
            ("a: \"unclosed\nb: 2\n", PolicyCode::YamlSyntax, "\""),
            ("a: [1, 2\nb: 3\n", PolicyCode::YamlSyntax, "["),
            ("a: {x: 1\nb: 3\n", PolicyCode::YamlSyntax, "{"),
            ("a: 1\nb: 2\na: 3\n", PolicyCode::DuplicateKey, "a"),
            (
                "x:\n  a: 1\n  b:\n    a: 5\n  a: 2\n",
                PolicyCode::DuplicateKey,
                "a",
            ),
            ("x: {b: 1, c: 2, b: 3}\n", PolicyCode::DuplicateKey, "b"),
            (
                "pattern: *.mpbackup\n",
                PolicyCode::YamlSyntax,
                "*.mpbackup",
            ),
            ("a: @home\n", PolicyCode::YamlSyntax, "@"),
        ];
        for (text, code, underlined) in cases {
            let (found_code, message, found) = explained(text);
            assert_eq!(
                (found_code, found),
                (code, underlined),
                "{text:?}: {message}"
            );
        }
    }

    #[test]
    fn the_repeat_of_a_duplicate_key_is_underlined() {
        let text = "x:\n  a: 1\n  b: 2\n  a: 3\n";
        let error = serde_yaml::from_str::<serde_yaml::Value>(text).unwrap_err();
        let problem = syntax_problem(&error, text);
        assert_eq!(
            problem.target,
            Target::Span(ByteSpan { offset: 19, len: 1 })
        );
        assert_eq!(problem.label, "`a` again (first on line 2)");
        assert!(problem.message.contains("`a` appears twice in `x`"));
    }

    #[test]
    fn alias_bombs_point_at_the_first_alias() {
        let mut text = String::from("# *not this\na: &a [x, x, x, x, x, x, x, x, x]\n");
        for (name, previous) in "bcdefghi".chars().zip("abcdefgh".chars()) {
            let items = vec![format!("*{previous}"); 9].join(", ");
            text.push_str(&format!("{name}: &{name} [{items}]\n"));
        }
        let (code, _, underlined) = explained(&text);
        assert_eq!((code, underlined), (PolicyCode::AliasExpansion, "*a"));
    }
}
