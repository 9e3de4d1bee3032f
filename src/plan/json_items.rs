//! The items of the plan's two large JSON lists (`backups` and `actions`),
//! written by hand in exactly serde_json's pretty layout: the same bytes that
//! serde_json writes for [`JsonBackup`](super::json::JsonBackup) and
//! [`JsonAction`](super::json::JsonAction) inside the top-level object.
//!
//! A large office's plan is 100,000s of items; through serde_json's pretty
//! printer their layout and escaping were two thirds of the JSON's time.
//! Strings that need no escaping (all of rota's own words, and backup names in
//! practice) are copied as they are; any other string goes through serde_json,
//! so escaping stays serde_json's. Tests compare every fixture's plan byte for
//! byte with serde_json's output (`json_output::tests::assert_same_as_serde`).

use std::fmt::{Display, Write as _};

use super::json::tier_keys;
use super::{Action, BackupStatus};
use crate::retention::Reason;

/// A list item: written at the depth of the plan's lists (four spaces in).
pub(super) trait ListItem {
    fn write_item(&self, out: &mut Item<'_>);
}

/// `items` as serde_json writes them in a list that is a field of the
/// top-level object: each on a new line, four spaces in, separated by commas.
/// A chunk after the first begins with the comma that continues the list.
pub(super) fn chunk<T: ListItem>(items: &[T], first_chunk: bool) -> Vec<u8> {
    // About the size of an item of either list on a large office.
    let mut rendered = Vec::with_capacity(items.len() * 400);
    let mut out = Item::new(&mut rendered);
    for (index, item) in items.iter().enumerate() {
        if index > 0 || !first_chunk {
            out.out.push(b',');
        }
        out.newline(FIELD_DEPTH - 1);
        out.write(item);
    }
    rendered
}

/// Where an item is written, with room to render `Display` values.
pub(super) struct Item<'a> {
    out: &'a mut Vec<u8>,
    scratch: String,
}

/// The depth (in serde_json's two-space steps) of an item's own fields.
const FIELD_DEPTH: usize = 3;

impl<'a> Item<'a> {
    fn new(out: &'a mut Vec<u8>) -> Item<'a> {
        Item {
            out,
            scratch: String::new(),
        }
    }

    /// Writes one list item: `{`, its fields each on its own line, `}`.
    fn write(&mut self, item: &impl ListItem) {
        self.out.push(b'{');
        item.write_item(self);
        self.newline(FIELD_DEPTH - 1);
        self.out.push(b'}');
    }

    fn newline(&mut self, depth: usize) {
        const SPACES: &[u8] = b"                ";
        self.out.push(b'\n');
        let mut left = 2 * depth;
        while left > 0 {
            let step = left.min(SPACES.len());
            self.out.extend_from_slice(&SPACES[..step]);
            left -= step;
        }
    }

    /// `"key": ` on a new line; every field but the first follows a comma.
    fn key(&mut self, key: &str, first: bool) {
        if !first {
            self.out.push(b',');
        }
        self.newline(FIELD_DEPTH);
        // Keys are rota's own field names: nothing to escape.
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    /// A JSON string, escaped exactly as serde_json escapes it.
    fn string(&mut self, text: &str) {
        if needs_escaping(text) {
            serde_json::to_writer(&mut *self.out, text).expect("writing to memory never fails");
        } else {
            self.out.push(b'"');
            self.out.extend_from_slice(text.as_bytes());
            self.out.push(b'"');
        }
    }

    /// A value's `Display` as a JSON string.
    fn displayed(&mut self, value: impl Display) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        write!(scratch, "{value}").expect("writing to a String never fails");
        self.string(&scratch);
        self.scratch = scratch;
    }

    fn number(&mut self, value: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut left = value;
        loop {
            at -= 1;
            digits[at] = b'0' + (left % 10) as u8;
            left /= 10;
            if left == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&digits[at..]);
    }

    fn boolean(&mut self, value: bool) {
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    /// A list (of strings or numbers, each written by `write`): `[]` when
    /// empty, else one item per line, one level deeper than the field.
    fn strings<T>(&mut self, items: &[T], mut write: impl FnMut(&mut Self, &T)) {
        if items.is_empty() {
            self.out.extend_from_slice(b"[]");
            return;
        }
        self.out.push(b'[');
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.out.push(b',');
            }
            self.newline(FIELD_DEPTH + 1);
            write(self, item);
        }
        self.newline(FIELD_DEPTH);
        self.out.push(b']');
    }
}

/// Whether serde_json would write `text` other than as its own bytes: it
/// escapes `"`, `\` and the control characters below U+0020.
fn needs_escaping(text: &str) -> bool {
    text.bytes()
        .any(|byte| byte < 0x20 || byte == b'"' || byte == b'\\')
}

impl ListItem for BackupStatus {
    /// The fields of [`JsonBackup`](super::json::JsonBackup), in its order.
    fn write_item(&self, out: &mut Item<'_>) {
        out.key("name", true);
        out.string(&self.name);
        out.key("business_day", false);
        out.displayed(self.business_day);
        out.key("size", false);
        out.number(self.size);
        out.key("kind", false);
        out.string(self.kind.key());
        out.key("tiers", false);
        out.strings(&tier_keys(&self.reasons), |out, tier| out.string(tier));
        out.key("reasons", false);
        out.strings(&self.reasons, |out, reason| out.displayed(reason));
        out.key("hold", false);
        out.boolean(self.reasons.contains(&Reason::Hold));
        out.key("day_backup", false);
        out.boolean(self.day_backup);
        out.key("locations", false);
        out.strings(&self.locations, |out, location| out.string(location.name()));
        out.key("required_at", false);
        out.strings(&self.required_at, |out, location| {
            out.string(location.name())
        });
        out.key("required_because", false);
        out.strings(&self.required_because, |out, why| out.string(why));
    }
}

impl ListItem for Action {
    /// The fields of [`JsonAction`](super::json::JsonAction), in its order
    /// (absent locations are left out).
    fn write_item(&self, out: &mut Item<'_>) {
        out.key("id", true);
        out.number(self.id as u64);
        out.key("op", false);
        out.string(self.op.key());
        out.key("backup", false);
        out.string(&self.backup);
        out.key("kind", false);
        out.string(self.kind.key());
        let locations = [
            ("from", &self.from),
            ("to", &self.to),
            ("location", &self.location),
        ];
        for (key, location) in locations {
            if let Some(location) = location {
                out.key(key, false);
                out.string(location.name());
            }
        }
        out.key("bytes", false);
        out.number(self.bytes);
        out.key("reason", false);
        out.string(&self.reason);
        out.key("after", false);
        out.strings(&self.after, |out, id| out.number(*id as u64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::EntryKind;
    use crate::placement::Location;
    use crate::plan::Op;
    use crate::plan::json::{JsonAction, JsonBackup};

    /// `value` as serde_json writes it as an item of a list that is a field
    /// of a top-level object (what `Item` writes).
    fn serde_item<T: serde::Serialize>(value: &T) -> String {
        #[derive(serde::Serialize)]
        struct Wrapper<'a, T> {
            list: [&'a T; 1],
        }
        let pretty = serde_json::to_string_pretty(&Wrapper { list: [value] }).unwrap();
        let item = pretty
            .strip_prefix("{\n  \"list\": [\n    ")
            .and_then(|rest| rest.strip_suffix("\n  ]\n}"))
            .unwrap();
        item.to_string()
    }

    fn ours(item: &impl ListItem) -> String {
        let mut out = Vec::new();
        Item::new(&mut out).write(item);
        String::from_utf8(out).unwrap()
    }

    const AWKWARD: [&str; 6] = [
        "plain_2026-03-31.bak",
        "quote\"d",
        "back\\slash",
        "tab\there\nnewline\u{1}\u{1f}",
        "café ☕ \u{7f}",
        "",
    ];

    fn action(text: &str, locations: [Option<Location>; 3], after: Vec<usize>) -> Action {
        let [from, to, location] = locations;
        Action {
            id: 12_345,
            op: Op::Archive,
            backup: text.to_string(),
            kind: EntryKind::Bundle,
            from,
            to,
            location,
            bytes: u64::MAX,
            reason: format!("because {text}"),
            after,
        }
    }

    #[test]
    fn actions_are_written_as_serde_json_writes_them() {
        let disk = || Some(Location::Disk("MON \"1\"".to_string()));
        for text in AWKWARD {
            for locations in [
                [None, None, None],
                [Some(Location::Server), disk(), None],
                [None, None, Some(Location::Offsite("cloud\\b".to_string()))],
            ] {
                for after in [vec![], vec![0], vec![3, 10, 999_999]] {
                    let action = action(text, locations.clone(), after);
                    let expected = serde_item(&JsonAction::from_action(&action));
                    assert_eq!(ours(&action), expected, "{action:?}");
                }
            }
        }
    }

    #[test]
    fn backups_are_written_as_serde_json_writes_them() {
        use crate::calendar::Period;
        use crate::policy::Tier;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let reasons = vec![
            Reason::Tier {
                tier: Tier::MonthEnds,
                period: Period::Month {
                    year: 2026,
                    month: 3,
                },
            },
            Reason::Hold,
            Reason::Newest { rank: 2 },
            Reason::Tier {
                tier: Tier::BusinessDays,
                period: Period::BusinessDay(day),
            },
        ];
        for text in AWKWARD {
            for (reasons, places) in [(vec![], 0), (reasons.clone(), 1), (reasons.clone(), 3)] {
                let locations = [
                    Location::Server,
                    Location::Disk(text.to_string()),
                    Location::Offsite("b2".to_string()),
                ][..places]
                    .to_vec();
                let backup = BackupStatus {
                    name: text.to_string(),
                    business_day: day,
                    size: 0,
                    kind: EntryKind::File,
                    reasons,
                    day_backup: places == 1,
                    required_at: locations.iter().rev().cloned().collect(),
                    required_because: locations.iter().map(|l| format!("{text} {l}")).collect(),
                    locations,
                };
                let expected = serde_item(&JsonBackup::from_status(&backup));
                assert_eq!(ours(&backup), expected, "{backup:?}");
            }
        }
    }
}
