//! A backup name pattern the calendar rejected, explained: which part of the
//! pattern to underline (the stray brace, the one unknown `%` specifier, the
//! `{...}` part that lacks a field) and what to write instead.
//!
//! The calendar decides whether a pattern is usable; this only words its verdict.

use chrono::format::{Item, StrftimeItems};

use super::diagnostic::{Problem, Target};
use super::source_map::KeyPath;
use crate::calendar::PatternError;
use crate::policy::PolicyCode;

const EXAMPLE: &str = "e.g. \"MacPractice_{%Y-%m-%d_%H%M}.mpbackup\"";
const SPECIFIERS: &str = "%Y year, %m month, %d day, %H hour (00-23), %M minute";

/// The `bad-pattern` problem for `pattern` (the text as written) at `path`.
pub(super) fn pattern_problem(pattern: &str, error: &PatternError, path: &KeyPath) -> Problem {
    let problem = Problem::error(PolicyCode::BadPattern, path.clone(), error.to_string());
    match error {
        PatternError::Braces { offset, len } => problem
            .at(within(*offset, *len))
            .label("the date part goes in one {...}")
            .help(format!(
                "put the date and time format in one pair of braces, {EXAMPLE}"
            )),
        PatternError::BadSpecifier { offset, len } => {
            let (offset, len) =
                first_bad_specifier(pattern, *offset, *len).unwrap_or((*offset, *len));
            let specifier = pattern.get(offset..offset + len).unwrap_or("%");
            Problem {
                message: format!("`{specifier}` is not a date or time specifier"),
                ..problem
            }
            .at(within(offset, len))
            .label("unknown % specifier")
            .help(format!("the usual ones: {SPECIFIERS}"))
        }
        PatternError::Incomplete { .. } => {
            let target = braces(pattern).map_or(Target::Value, |(offset, len)| within(offset, len));
            problem
                .at(target)
                .label("incomplete date and time")
                .help(format!("the part in braces needs {SPECIFIERS}; {EXAMPLE}"))
        }
        PatternError::RunTogether => {
            let target = braces(pattern).map_or(Target::Value, |(offset, len)| within(offset, len));
            problem.at(target).label("numbers run together").help(
                "put a separator (- _ .) after an unpadded number, or use the padded \
                 %m, %d, %H, which always write two digits",
            )
        }
        PatternError::BadCharacter { .. } => problem.label("not allowed in a file name").help(
            format!("backup names are file names: no / in the pattern or its format; {EXAMPLE}"),
        ),
    }
}

fn within(offset: usize, len: usize) -> Target {
    Target::WithinValue { offset, len }
}

/// The `{...}` part of the pattern, braces included.
fn braces(pattern: &str) -> Option<(usize, usize)> {
    let open = pattern.find('{')?;
    let close = open + pattern[open..].find('}')?;
    Some((open, close - open + 1))
}

/// Within `pattern[offset..offset + len]`, the first `%` specifier chrono does
/// not know, as (offset, len) in the pattern.
fn first_bad_specifier(pattern: &str, offset: usize, len: usize) -> Option<(usize, usize)> {
    let region = pattern.get(offset..offset + len)?;
    let mut chars = region.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c != '%' {
            continue;
        }
        // Modifiers chrono accepts between % and the letter: - _ 0 # . : digits.
        let mut end = start + 1;
        while let Some(&(i, next)) = chars.peek() {
            end = i + next.len_utf8();
            chars.next();
            if !matches!(next, '-' | '_' | '0'..='9' | '#' | '.' | ':') {
                break;
            }
        }
        let specifier = &region[start..end];
        if StrftimeItems::new(specifier).any(|item| matches!(item, Item::Error)) {
            return Some((offset + start, end - start));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unknown_specifier_itself_is_found() {
        let pattern = "MacPractice_{%Y-%m-%d_%H%i}.mpbackup";
        let found = first_bad_specifier(pattern, 13, 14).unwrap();
        assert_eq!(&pattern[found.0..found.0 + found.1], "%i");
        let pattern = "x_{%-d.%m.%Y %H%M %Q}";
        let found = first_bad_specifier(pattern, 3, pattern.len() - 4).unwrap();
        assert_eq!(&pattern[found.0..found.0 + found.1], "%Q");
    }

    #[test]
    fn incomplete_patterns_underline_the_braces() {
        let error = PatternError::Incomplete {
            missing: "it has no day",
        };
        let problem = pattern_problem("B_{%Y-%m_%H%M}.zip", &error, &KeyPath::root());
        assert_eq!(problem.target, Target::WithinValue { offset: 2, len: 12 });
    }
}
