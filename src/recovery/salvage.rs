//! What can still be read from a damaged manifest: a manifest cut short (a
//! disk pulled out while it was saved by an older rota, a failing sector) or
//! with one bad record is refused whole by [`crate::inventory::Manifest`],
//! and rightly so for planning. A person restoring from that disk is better
//! served by every record that is still whole: a restore checked against a
//! salvaged checksum either matches (the copy is good) or is refused (the
//! copy or the record is bad), never wrongly accepted.
//!
//! The salvage reads the `copies` list record by record and stops at the
//! first one that does not parse; a record must name a plain entry and carry
//! a BLAKE3 hash, as in a sound manifest. Pure: bytes in, records out.

use crate::inventory::{CopyRecord, layout};

/// The disk id and the whole records of a damaged manifest's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Salvaged {
    pub disk_id: Option<String>,
    pub records: Vec<CopyRecord>,
}

/// Every record of `bytes` (a manifest's text) that is still whole.
pub fn salvage(bytes: &[u8]) -> Salvaged {
    Salvaged {
        disk_id: string_field(bytes, "disk_id"),
        records: copies(bytes),
    }
}

/// The records of the `copies` list, up to the first that does not parse.
fn copies(bytes: &[u8]) -> Vec<CopyRecord> {
    let Some(start) = find(bytes, b"\"copies\"") else {
        return Vec::new();
    };
    let mut at = start + b"\"copies\"".len();
    let skip = |at: &mut usize, what: &[u8]| {
        while bytes.get(*at).is_some_and(|b| what.contains(b)) {
            *at += 1;
        }
    };
    skip(&mut at, b" \t\r\n:");
    if bytes.get(at) != Some(&b'[') {
        return Vec::new();
    }
    at += 1;
    let mut records = Vec::new();
    loop {
        skip(&mut at, b" \t\r\n,");
        if at >= bytes.len() || bytes[at] == b']' {
            return records;
        }
        let mut stream =
            serde_json::Deserializer::from_slice(&bytes[at..]).into_iter::<CopyRecord>();
        match stream.next() {
            Some(Ok(record)) if plausible(&record) => {
                at += stream.byte_offset();
                records.push(record);
            }
            _ => return records,
        }
    }
}

/// A record rota could have written: a plain name, a BLAKE3 hash.
fn plausible(record: &CopyRecord) -> bool {
    let name = record.name.as_str();
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !layout::is_reserved(name)
        && record.hash.len() == 64
        && record.hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The string value of `"key": "…"` at the top of the text, if whole.
fn string_field(bytes: &[u8], key: &str) -> Option<String> {
    let quoted = format!("\"{key}\"");
    let start = find(bytes, quoted.as_bytes())? + quoted.len();
    let rest = &bytes[start..];
    let colon = rest.iter().position(|b| !b" \t\r\n".contains(b))?;
    if rest[colon] != b':' {
        return None;
    }
    let mut stream = serde_json::Deserializer::from_slice(&rest[colon + 1..]).into_iter::<String>();
    stream.next()?.ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{EntryKind, Manifest};
    use chrono::DateTime;

    fn record(name: &str) -> CopyRecord {
        CopyRecord {
            name: name.to_string(),
            size: 3,
            kind: EntryKind::File,
            hash: "ab".repeat(32),
            copied_at: DateTime::UNIX_EPOCH,
            verified_at: Some(DateTime::UNIX_EPOCH),
            ciphertext_hash: None,
            fingerprint: None,
        }
    }

    fn manifest_text() -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::new("0011", "MON");
        for name in ["a", "b", "c"] {
            manifest.record(record(name));
        }
        manifest.save(dir.path()).unwrap();
        std::fs::read(layout::manifest_file(dir.path())).unwrap()
    }

    #[test]
    fn a_manifest_cut_short_keeps_its_whole_records() {
        let text = manifest_text();
        assert_eq!(salvage(&text).records.len(), 3);
        let cut = String::from_utf8(text).unwrap();
        let cut = &cut[..cut.find("\"c\"").unwrap()];
        let salvaged = salvage(cut.as_bytes());
        assert_eq!(salvaged.disk_id.as_deref(), Some("0011"));
        let names: Vec<&str> = salvaged.records.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn salvage_stops_at_a_bad_record_and_finds_nothing_in_garbage() {
        let text = String::from_utf8(manifest_text()).unwrap();
        let bad = text.replacen(&"ab".repeat(32), "not a hash", 2);
        assert_eq!(salvage(bad.as_bytes()).records.len(), 0);
        let second_bad = text.replacen("\"b\"", "\"../b\"", 1);
        assert_eq!(salvage(second_bad.as_bytes()).records.len(), 1);
        assert_eq!(salvage(b"\x00\xff garbage"), Salvaged::default());
    }
}
