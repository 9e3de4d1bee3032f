//! The raw form of the keys for running rota unattended: `schedule:` (when the
//! platform's scheduler starts `rota apply`) and `notify:` (who hears how a
//! night went). Like the rest of the raw model, values that need checking stay
//! [`Text`] so `validate::unattended` can say exactly what is wrong.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::text::Text;

/// `schedule: { at: "23:45", wait: 2h }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSchedule {
    pub at: Text,
    pub wait: Option<Text>,
}

/// `notify: { on: [failure, warning], digest: weekly, healthchecks: URL, webhook: URL, ntfy: URL, email: {...} }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotify {
    pub on: Option<Vec<Text>>,
    pub digest: Option<Text>,
    pub healthchecks: Option<Text>,
    pub webhook: Option<Text>,
    pub ntfy: Option<Text>,
    pub email: Option<RawEmail>,
}

/// Mail through the office's SMTP server; the password is read from the
/// environment variable `password_env` names, never from the policy file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmail {
    pub to: RawAddresses,
    pub from: Text,
    pub smtp: Text,
    pub starttls: Option<Text>,
    pub username: Option<Text>,
    pub password_env: Option<Text>,
}

/// One address or a list of them (`list`: written as a list, so each
/// address has its own place in the source).
#[derive(Debug, Clone, Default)]
pub struct RawAddresses {
    pub addresses: Vec<Text>,
    pub list: bool,
}

impl<'de> Deserialize<'de> for RawAddresses {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawAddresses;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an e-mail address or a list of them")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawAddresses, E> {
                Ok(RawAddresses {
                    addresses: vec![Text(v.to_string())],
                    list: false,
                })
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<RawAddresses, A::Error> {
                Vec::<Text>::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(
                    |addresses| RawAddresses {
                        addresses,
                        list: true,
                    },
                )
            }
        }
        deserializer.deserialize_any(V)
    }
}
