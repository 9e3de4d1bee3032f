//! The raw form of `contingency:`: what the office's written contingency plan
//! needs that rota cannot find out by itself (how long the practice can be
//! without its data, where the encryption key is kept, whom to call, what
//! staff do while the server is down, which other systems matter). Like the
//! rest of the raw model, values stay [`Text`] so
//! `validate::contingency` can say exactly what is wrong and where.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::text::Text;

/// `contingency: { rto: 8h, key_custody: TEXT, contacts: [...], emergency_mode: TEXT, criticality: [...] }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContingency {
    pub rto: Option<Text>,
    pub key_custody: Option<Text>,
    #[serde(default)]
    pub contacts: Vec<RawContact>,
    pub emergency_mode: Option<Text>,
    #[serde(default)]
    pub criticality: Vec<RawCritical>,
}

/// `{ role: Practice owner, name: Dr. Rivera, phone: 555-0100, email: ... }`;
/// any of them may be left out (the plan prints a blank to fill in).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContact {
    pub role: Option<Text>,
    pub name: Option<Text>,
    pub phone: Option<Text>,
    pub email: Option<Text>,
}

/// A system or data set of the criticality analysis: its name alone, or
/// `{ name, priority, notes }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCriticalMap {
    pub name: Option<Text>,
    pub priority: Option<Text>,
    pub notes: Option<Text>,
}

#[derive(Debug, Clone, Default)]
pub struct RawCritical(pub RawCriticalMap);

impl<'de> Deserialize<'de> for RawCritical {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawCritical;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a system's name, or {name, priority, notes}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawCritical, E> {
                Ok(RawCritical(RawCriticalMap {
                    name: Some(Text(v.to_string())),
                    ..RawCriticalMap::default()
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawCritical, A::Error> {
                RawCriticalMap::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(RawCritical)
            }
        }
        deserializer.deserialize_any(V)
    }
}
