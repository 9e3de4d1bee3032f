//! The policy file as serde reads it: every key of schema version 1, with
//! `deny_unknown_fields` everywhere. Values that need checking beyond their YAML
//! type (time zones, weekdays, sizes, dates, ...) are kept as [`Text`] here and
//! turned into typed values by the validator, which can then say exactly what is
//! wrong with them and where.
//!
//! The `schedule:` and `notify:` sections are in `unattended.rs`, the
//! `contingency:` section in `contingency.rs`; [`Text`] in `text.rs`.

pub(super) mod contingency;
mod text;
pub(super) mod unattended;

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

pub use text::Text;

/// A tier count: a whole number or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawCount {
    Number(u64),
    All,
}

impl<'de> Deserialize<'de> for RawCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountVisitor;
        impl Visitor<'_> for CountVisitor {
            type Value = RawCount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number or `all`")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawCount, E> {
                Ok(RawCount::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawCount, E> {
                u64::try_from(v)
                    .map(RawCount::Number)
                    .map_err(|_| E::custom("a count cannot be negative"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawCount, E> {
                if v.eq_ignore_ascii_case("all") {
                    Ok(RawCount::All)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        deserializer.deserialize_any(CountVisitor)
    }
}

/// Deserializes either a bare scalar (`shorthand`) or a map (`T`'s own fields).
macro_rules! scalar_or_map {
    ($raw:ident, $map:ident, $expecting:literal, |$text:ident| $shorthand:expr) => {
        impl<'de> Deserialize<'de> for $raw {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $raw;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$raw, E> {
                        let $text = Text(v.to_string());
                        Ok($shorthand)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<$raw, A::Error> {
                        $map::deserialize(de::value::MapAccessDeserializer::new(map))
                            .map($raw::from)
                    }
                }
                deserializer.deserialize_any(V)
            }
        }
    };
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub version: Text,
    pub office: RawOffice,
    pub source: RawSource,
    pub retain: RawRetain,
    pub disks: RawDisks,
    #[serde(default)]
    pub offsite: Vec<RawOffsiteTarget>,
    pub destruction: Option<RawDestruction>,
    pub restore_test: Option<RawRestoreTest>,
    #[serde(default)]
    pub hold: Vec<RawHold>,
    pub state_dir: Option<Text>,
    pub schedule: Option<unattended::RawSchedule>,
    pub notify: Option<unattended::RawNotify>,
    pub contingency: Option<contingency::RawContingency>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOffice {
    pub name: Text,
    pub timezone: Text,
    pub open_days: Vec<Text>,
    #[serde(default)]
    pub closed: Vec<RawClosed>,
    pub day_starts_at: Option<Text>,
    pub fiscal_year_end: Option<Text>,
}

/// A closed date: `2026-01-01`, `{date, name}` or `{from, to, name}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClosedMap {
    pub date: Option<Text>,
    pub from: Option<Text>,
    pub to: Option<Text>,
    pub name: Option<Text>,
}

#[derive(Debug, Clone, Default)]
pub struct RawClosed(pub RawClosedMap);

impl From<RawClosedMap> for RawClosed {
    fn from(map: RawClosedMap) -> Self {
        RawClosed(map)
    }
}

scalar_or_map!(
    RawClosed,
    RawClosedMap,
    "a date, {date, name} or {from, to, name}",
    |text| {
        RawClosed(RawClosedMap {
            date: Some(text),
            ..RawClosedMap::default()
        })
    }
);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub path: Text,
    pub pattern: Text,
    pub keep_last: Option<u64>,
    pub reserve: Option<Text>,
    pub encrypted: Option<Text>,
    pub settle: Option<Text>,
    pub stale_after: Option<u64>,
    pub capture: Option<Text>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetain {
    pub business_days: Option<RawCount>,
    pub month_ends: Option<RawCount>,
    pub quarter_ends: Option<RawCount>,
    pub fiscal_year_ends: Option<RawCount>,
    pub last: Option<RawCount>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisks {
    pub mount_search: Option<Vec<Text>>,
    /// Volumes under `mount_search` that are not rota's (Time Machine).
    pub ignore: Option<Vec<Text>>,
    pub min_backups: Option<u64>,
    pub reserve: Option<Text>,
    pub rotation: Vec<RawRotationDisk>,
    pub archive: Option<RawArchive>,
    pub storage: Option<Text>,
    pub offsite: Option<RawDiskOffsite>,
    /// Encrypted disk copies (`disks.encrypt`, as an off-site target's `encrypt`).
    pub encrypt: Option<RawEncrypt>,
    pub require_encrypted_volume: Option<Text>,
    /// Who is responsible for the disks (default: `offsite.by`).
    pub custodian: Option<Text>,
    /// Disk folders may share the source folder's drive (a sandbox, a demo).
    pub allow_server_drive: Option<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRotationDisk {
    pub label: Text,
    pub days: Vec<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArchive {
    pub labels: Vec<Text>,
    pub tiers: Vec<Text>,
}

/// Which rotation disk leaves the building: `carry: previous` (last night's disk,
/// each morning) or `carry: [fri]` (the disks of those nights only).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDiskOffsite {
    pub carry: RawCarry,
    pub by: Option<Text>,
}

#[derive(Debug, Clone)]
pub enum RawCarry {
    Word(Text),
    Days(Vec<Text>),
}

impl<'de> Deserialize<'de> for RawCarry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawCarry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`previous` or a list of weekdays such as [fri]")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawCarry, E> {
                Ok(RawCarry::Word(Text(v.to_string())))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<RawCarry, A::Error> {
                Vec::<Text>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(RawCarry::Days)
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOffsiteTarget {
    pub name: Text,
    pub path: Text,
    pub upload: Option<RawUpload>,
    pub encrypt: Option<RawEncrypt>,
    pub retain: RawRetain,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpload {
    pub rclone: Text,
    pub config: Option<Text>,
    pub bwlimit: Option<Text>,
    pub binary: Option<Text>,
    pub keep_local: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEncrypt {
    #[serde(default)]
    pub age_recipients: Vec<Text>,
    pub age_recipients_file: Option<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDestruction {
    pub expired: Option<Text>,
    pub archive_to: Option<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRestoreTest {
    pub every: Option<Text>,
    pub command: Option<Text>,
}

/// A hold: a backup name, a date, or `{from, to}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHoldMap {
    pub from: Option<Text>,
    pub to: Option<Text>,
    pub name: Option<Text>,
    pub date: Option<Text>,
    pub reason: Option<Text>,
}

#[derive(Debug, Clone, Default)]
pub struct RawHold(pub RawHoldMap);

impl From<RawHoldMap> for RawHold {
    fn from(map: RawHoldMap) -> Self {
        RawHold(map)
    }
}

scalar_or_map!(
    RawHold,
    RawHoldMap,
    "a backup name, a date, or {from, to}",
    |text| {
        RawHold(RawHoldMap {
            name: Some(text),
            ..RawHoldMap::default()
        })
    }
);
