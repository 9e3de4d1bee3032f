//! The policy file as serde reads it: every key of schema version 1, with
//! `deny_unknown_fields` everywhere. Values that need checking beyond their YAML
//! type (time zones, weekdays, sizes, dates, ...) are kept as [`Text`] here and
//! turned into typed values by the validator, which can then say exactly what is
//! wrong with them and where.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// Any YAML scalar, kept as the text the user wrote (`10%`, `05:00`, `2026-01-01`).
/// Numbers and booleans are accepted and turned back into text, so a value that
/// YAML happened to read as a number still gets a precise message later.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a single value (text or a number)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

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
    #[serde(default)]
    pub destruction: Option<RawDestruction>,
    #[serde(default)]
    pub restore_test: Option<RawRestoreTest>,
    #[serde(default)]
    pub hold: Vec<RawHold>,
    #[serde(default)]
    pub state_dir: Option<Text>,
    pub schedule: Option<super::raw_unattended::RawSchedule>,
    pub notify: Option<super::raw_unattended::RawNotify>,
    pub contingency: Option<super::raw_contingency::RawContingency>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOffice {
    pub name: Text,
    pub timezone: Text,
    pub open_days: Vec<Text>,
    #[serde(default)]
    pub closed: Vec<RawClosed>,
    #[serde(default)]
    pub day_starts_at: Option<Text>,
    #[serde(default)]
    pub fiscal_year_end: Option<Text>,
}

/// A closed date: `2026-01-01`, `{date, name}` or `{from, to, name}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClosedMap {
    #[serde(default)]
    pub date: Option<Text>,
    #[serde(default)]
    pub from: Option<Text>,
    #[serde(default)]
    pub to: Option<Text>,
    #[serde(default)]
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
    #[serde(default)]
    pub keep_last: Option<u64>,
    #[serde(default)]
    pub reserve: Option<Text>,
    #[serde(default)]
    pub encrypted: Option<Text>,
    #[serde(default)]
    pub settle: Option<Text>,
    #[serde(default)]
    pub stale_after: Option<u64>,
    #[serde(default)]
    pub capture: Option<Text>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetain {
    #[serde(default)]
    pub business_days: Option<RawCount>,
    #[serde(default)]
    pub month_ends: Option<RawCount>,
    #[serde(default)]
    pub quarter_ends: Option<RawCount>,
    #[serde(default)]
    pub fiscal_year_ends: Option<RawCount>,
    #[serde(default)]
    pub last: Option<RawCount>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisks {
    #[serde(default)]
    pub mount_search: Option<Vec<Text>>,
    /// Volumes under `mount_search` that are not rota's (Time Machine).
    #[serde(default)]
    pub ignore: Option<Vec<Text>>,
    #[serde(default)]
    pub min_backups: Option<u64>,
    #[serde(default)]
    pub reserve: Option<Text>,
    pub rotation: Vec<RawRotationDisk>,
    #[serde(default)]
    pub archive: Option<RawArchive>,
    #[serde(default)]
    pub storage: Option<Text>,
    #[serde(default)]
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
    #[serde(default)]
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
    #[serde(default)]
    pub upload: Option<RawUpload>,
    #[serde(default)]
    pub encrypt: Option<RawEncrypt>,
    pub retain: RawRetain,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpload {
    pub rclone: Text,
    #[serde(default)]
    pub config: Option<Text>,
    #[serde(default)]
    pub bwlimit: Option<Text>,
    #[serde(default)]
    pub binary: Option<Text>,
    #[serde(default)]
    pub keep_local: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEncrypt {
    #[serde(default)]
    pub age_recipients: Vec<Text>,
    #[serde(default)]
    pub age_recipients_file: Option<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDestruction {
    #[serde(default)]
    pub expired: Option<Text>,
    #[serde(default)]
    pub archive_to: Option<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRestoreTest {
    #[serde(default)]
    pub every: Option<Text>,
    #[serde(default)]
    pub command: Option<Text>,
}

/// A hold: a backup name, a date, or `{from, to}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHoldMap {
    #[serde(default)]
    pub from: Option<Text>,
    #[serde(default)]
    pub to: Option<Text>,
    #[serde(default)]
    pub name: Option<Text>,
    #[serde(default)]
    pub date: Option<Text>,
    #[serde(default)]
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
