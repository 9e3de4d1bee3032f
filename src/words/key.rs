//! An enum's stable name, as serde writes it.
//!
//! rota's small enums (an action's op, a run's outcome, a tier, a warning
//! code...) are written in JSON, in run records and in text by one name each.
//! serde's `rename_all` already spells that name; [`of`] reads it back as a
//! `&'static str` and [`parse`] reads a name into the enum, so no enum keeps a
//! hand-written table of its names beside its serde attributes.
//!
//! Only unit variants have a name: asking for another value's is a bug in
//! rota, not bad input, and panics.

use serde::Deserialize;
use serde::de::IntoDeserializer;
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::ser::{Impossible, Serialize, Serializer};

/// The name serde writes for a unit variant (`Op::Copy` → `"copy"`).
pub fn of<T: Serialize + ?Sized>(value: &T) -> &'static str {
    match value.serialize(NameOf) {
        Ok(name) => name,
        Err(NotAUnitVariant) => panic!("words::key::of: only a unit enum variant has a name"),
    }
}

/// The unit variant serde reads from `name` (`None` when no variant has it).
pub fn parse<'de, T: Deserialize<'de>>(name: &'de str) -> Option<T> {
    let deserializer: StrDeserializer<'de, ValueError> = name.into_deserializer();
    T::deserialize(deserializer).ok()
}

/// Declares `key()` and `from_key()` on enums whose serde names are their keys.
macro_rules! serde_keys {
    ($($ty:ty),* $(,)?) => {
        $(
            impl $ty {
                /// The stable name, as serde writes it.
                pub fn key(self) -> &'static str {
                    $crate::words::key::of(&self)
                }

                /// The value named `key`, as serde reads it.
                pub fn from_key(key: &str) -> Option<Self> {
                    $crate::words::key::parse(key)
                }
            }
        )*
    };
}
pub(crate) use serde_keys;

/// The serializer behind [`of`]: accepts a unit variant and nothing else.
struct NameOf;

#[derive(Debug)]
struct NotAUnitVariant;

impl std::fmt::Display for NotAUnitVariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a unit variant")
    }
}

impl std::error::Error for NotAUnitVariant {}

impl serde::ser::Error for NotAUnitVariant {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        NotAUnitVariant
    }
}

/// Every method but `serialize_unit_variant` refuses.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*);)*) => {
        $(
            fn $method(self, $(_: $arg),*) -> Result<&'static str, NotAUnitVariant> {
                Err(NotAUnitVariant)
            }
        )*
    };
}

impl Serializer for NameOf {
    type Ok = &'static str;
    type Error = NotAUnitVariant;
    type SerializeSeq = Impossible<&'static str, NotAUnitVariant>;
    type SerializeTuple = Impossible<&'static str, NotAUnitVariant>;
    type SerializeTupleStruct = Impossible<&'static str, NotAUnitVariant>;
    type SerializeTupleVariant = Impossible<&'static str, NotAUnitVariant>;
    type SerializeMap = Impossible<&'static str, NotAUnitVariant>;
    type SerializeStruct = Impossible<&'static str, NotAUnitVariant>;
    type SerializeStructVariant = Impossible<&'static str, NotAUnitVariant>;

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<&'static str, NotAUnitVariant> {
        Ok(variant)
    }

    refuse! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_str(&str);
        serialize_bytes(&[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(&'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    enum Weather {
        Sunny,
        NotSoSunny,
    }

    serde_keys!(Weather);

    #[test]
    fn a_unit_variant_is_named_as_serde_writes_and_reads_it() {
        assert_eq!(Weather::NotSoSunny.key(), "not-so-sunny");
        assert_eq!(
            serde_json::to_string(&Weather::Sunny).unwrap(),
            format!("\"{}\"", Weather::Sunny.key())
        );
        assert_eq!(Weather::from_key("not-so-sunny"), Some(Weather::NotSoSunny));
        assert_eq!(Weather::from_key("NotSoSunny"), None);
        assert_eq!(Weather::from_key(""), None);
    }

    #[test]
    #[should_panic(expected = "only a unit enum variant")]
    fn anything_else_has_no_name() {
        super::of(&3u8);
    }
}
