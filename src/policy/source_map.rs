//! Where each key and value of a policy sits in its source text.
//!
//! serde reports positions only for syntax errors; everything the validator finds
//! is reported against a key path (`office.closed[2].from`). This map, built once
//! from saphyr's marked YAML, turns such a path into a byte span so the diagnostic
//! can underline the offending text. saphyr counts characters; spans here are
//! bytes, as miette expects.

use std::collections::HashMap;
use std::fmt;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path from the document root to a node.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    pub fn root() -> KeyPath {
        KeyPath(Vec::new())
    }

    pub fn key(&self, key: &str) -> KeyPath {
        let mut path = self.clone();
        path.0.push(Segment::Key(key.to_string()));
        path
    }

    pub fn index(&self, index: usize) -> KeyPath {
        let mut path = self.clone();
        path.0.push(Segment::Index(index));
        path
    }

    pub fn parent(&self) -> KeyPath {
        let mut path = self.clone();
        path.0.pop();
        path
    }

    pub fn last_key(&self) -> Option<&str> {
        match self.0.last() {
            Some(Segment::Key(key)) => Some(key),
            _ => None,
        }
    }

    /// Parses serde_path_to_error's rendering: `office.closed[2].from`.
    pub fn from_serde(text: &str) -> KeyPath {
        let mut path = KeyPath::root();
        if text == "." {
            return path;
        }
        for part in text.split('.') {
            let (key, indices) = match part.find('[') {
                Some(at) => (&part[..at], &part[at..]),
                None => (part, ""),
            };
            if !key.is_empty() {
                path = path.key(key);
            }
            for index in indices.split(['[', ']']).filter(|s| !s.is_empty()) {
                if let Ok(index) = index.parse() {
                    path = path.index(index);
                }
            }
        }
        path
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => write!(f, "{key}")?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A byte range in the policy text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSpan {
    pub offset: usize,
    pub len: usize,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The key text (for map entries) or the item itself (for sequence items).
    key: ByteSpan,
    /// The value: a scalar's text, or the key again for collections (whose
    /// spans run on to the next line and would underline too much).
    value: ByteSpan,
}

/// Path → span for every node of the document.
#[derive(Debug, Default)]
pub struct SourceMap {
    entries: HashMap<KeyPath, Entry>,
}

impl SourceMap {
    /// Builds the map; a text saphyr cannot read gives an empty map (every
    /// lookup then falls back to the start of the file).
    pub fn build(text: &str) -> SourceMap {
        let mut map = SourceMap::default();
        let Ok(documents) = MarkedYaml::load_from_str(text) else {
            return map;
        };
        let Some(root) = documents.first() else {
            return map;
        };
        let offsets = CharOffsets::new(text);
        // The document as a whole is shown by its first character (a whole
        // character: a 1-byte span could split a multi-byte one).
        let whole = ByteSpan {
            offset: 0,
            len: text.chars().next().map_or(0, char::len_utf8),
        };
        map.walk(
            root,
            KeyPath::root(),
            Entry {
                key: whole,
                value: whole,
            },
            &offsets,
        );
        map
    }

    fn walk(&mut self, node: &MarkedYaml, path: KeyPath, entry: Entry, offsets: &CharOffsets) {
        self.entries.insert(path.clone(), entry);
        match &node.data {
            YamlData::Mapping(mapping) => {
                for (key, value) in mapping {
                    let Some(name) = scalar_text(key) else {
                        continue;
                    };
                    let key_span = offsets.span(key);
                    let value_span = if is_collection(value) {
                        key_span
                    } else {
                        offsets.span(value)
                    };
                    let entry = Entry {
                        key: key_span,
                        value: value_span,
                    };
                    self.walk(value, path.key(&name), entry, offsets);
                }
            }
            YamlData::Sequence(items) => {
                for (index, item) in items.iter().enumerate() {
                    let span = if is_collection(item) {
                        first_line(offsets.span(item), offsets.text)
                    } else {
                        offsets.span(item)
                    };
                    let entry = Entry {
                        key: span,
                        value: span,
                    };
                    self.walk(item, path.index(index), entry, offsets);
                }
            }
            _ => {}
        }
    }

    /// The span of the value at `path`, or of its nearest ancestor that exists
    /// (a missing key is reported at the map that should hold it).
    pub fn value(&self, path: &KeyPath) -> ByteSpan {
        self.nearest(path).value
    }

    /// The span of the key at `path` (for unknown or misplaced keys).
    pub fn key(&self, path: &KeyPath) -> ByteSpan {
        self.nearest(path).key
    }

    pub fn contains(&self, path: &KeyPath) -> bool {
        self.entries.contains_key(path)
    }

    fn nearest(&self, path: &KeyPath) -> Entry {
        let mut probe = path.clone();
        loop {
            if let Some(entry) = self.entries.get(&probe) {
                return *entry;
            }
            if probe.0.is_empty() {
                return Entry {
                    key: ByteSpan { offset: 0, len: 0 },
                    value: ByteSpan { offset: 0, len: 0 },
                };
            }
            probe = probe.parent();
        }
    }
}

fn scalar_text(node: &MarkedYaml) -> Option<String> {
    match &node.data {
        YamlData::Value(Scalar::String(text)) => Some(text.to_string()),
        YamlData::Value(Scalar::Integer(number)) => Some(number.to_string()),
        YamlData::Value(Scalar::Boolean(value)) => Some(value.to_string()),
        YamlData::Representation(text, _, _) => Some(text.to_string()),
        _ => None,
    }
}

fn is_collection(node: &MarkedYaml) -> bool {
    matches!(node.data, YamlData::Mapping(_) | YamlData::Sequence(_))
}

/// Trims a span to its first line (a flow map `{a: 1}` stays whole).
fn first_line(span: ByteSpan, text: &str) -> ByteSpan {
    let end = (span.offset + span.len).min(text.len());
    let slice = text.get(span.offset..end).unwrap_or("");
    let len = slice.find('\n').unwrap_or(slice.len());
    let trimmed = slice[..len].trim_end();
    ByteSpan {
        offset: span.offset,
        len: trimmed.len(),
    }
}

/// Character index → byte offset, for saphyr's character-counting markers.
struct CharOffsets<'a> {
    text: &'a str,
    bytes_at_char: Vec<usize>,
}

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> CharOffsets<'a> {
        let mut bytes_at_char: Vec<usize> = text.char_indices().map(|(byte, _)| byte).collect();
        bytes_at_char.push(text.len());
        CharOffsets {
            text,
            bytes_at_char,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let last = self.bytes_at_char.len() - 1;
        self.bytes_at_char[char_index.min(last)]
    }

    fn span(&self, node: &MarkedYaml) -> ByteSpan {
        let start = self.byte(node.span.start.index());
        let end = self.byte(node.span.end.index()).max(start);
        // Quoted scalars: include the quotes so the underline covers what was typed.
        let (start, end) = self.widen_to_quotes(start, end);
        // saphyr ends a quoted scalar's span at the next token, so it runs on over
        // spaces and even a trailing comment; cut it at the closing quote.
        let end = self
            .closing_quote(start)
            .map_or(end, |close| close.min(end));
        ByteSpan {
            offset: start,
            len: end - start,
        }
    }

    /// For a scalar that opens with a quote at `start`, the byte just past its
    /// closing quote (`\"` escapes in double quotes, `''` in single quotes).
    fn closing_quote(&self, start: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let quote = *bytes.get(start)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let mut i = start + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if quote == b'"' => i += 2,
                b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
                byte if byte == quote => return Some(i + 1),
                _ => i += 1,
            }
        }
        None
    }

    fn widen_to_quotes(&self, start: usize, end: usize) -> (usize, usize) {
        // saphyr's spans include the quotes already (and, in flow maps, a
        // trailing space): trim, then widen only what lacks its quotes.
        let slice = &self.text[start..end];
        let end = start + slice.trim_end().len();
        if matches!(self.text.as_bytes().get(start), Some(b'"' | b'\'')) {
            return (start, end);
        }
        let bytes = self.text.as_bytes();
        let before = start.checked_sub(1).and_then(|i| bytes.get(i)).copied();
        let after = bytes.get(end).copied();
        match (before, after) {
            (Some(b'"'), Some(b'"')) | (Some(b'\''), Some(b'\'')) => (start - 1, end + 1),
            _ => (start, end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_spans() {
        let text = "office:\n  name: Lakeside Dental\n  closed:\n    - 2026-01-01\n    - { from: 2026-12-24, to: \"2026-12-20\" }\ndisks:\n  rotation: []\n";
        let map = SourceMap::build(text);
        let show = |span: ByteSpan| &text[span.offset..span.offset + span.len];
        let name = KeyPath::root().key("office").key("name");
        assert_eq!(show(map.value(&name)), "Lakeside Dental");
        assert_eq!(show(map.key(&name)), "name");
        let to = KeyPath::from_serde("office.closed[1].to");
        assert_eq!(show(map.value(&to)), "\"2026-12-20\"");
        let first = KeyPath::from_serde("office.closed[0]");
        assert_eq!(show(map.value(&first)), "2026-01-01");
        // A missing key falls back to its parent map's key.
        let missing = KeyPath::root().key("office").key("timezone");
        assert_eq!(show(map.value(&missing)), "office");
    }

    #[test]
    fn quoted_values_end_at_their_closing_quote() {
        let text = "a: \"x\"   # note\nb: 'it''s' \nc: \"say \\\"hi\\\"\"  \n";
        let map = SourceMap::build(text);
        let show = |key: &str| {
            let span = map.value(&KeyPath::root().key(key));
            &text[span.offset..span.offset + span.len]
        };
        assert_eq!(show("a"), "\"x\"");
        assert_eq!(show("b"), "'it''s'");
        assert_eq!(show("c"), "\"say \\\"hi\\\"\"");
    }

    #[test]
    fn multibyte_text_keeps_byte_offsets() {
        let text = "office:\n  name: Zahnärzte Müller\n  timezone: Europe/Bärlin\n";
        let map = SourceMap::build(text);
        let span = map.value(&KeyPath::from_serde("office.timezone"));
        assert_eq!(&text[span.offset..span.offset + span.len], "Europe/Bärlin");
    }

    #[test]
    fn serde_paths_round_trip() {
        let path = KeyPath::from_serde("disks.rotation[3].days[0]");
        assert_eq!(path.to_string(), "disks.rotation[3].days[0]");
        assert_eq!(KeyPath::from_serde(".").to_string(), "");
    }
}
