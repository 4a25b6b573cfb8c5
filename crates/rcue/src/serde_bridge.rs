//! The serde bridge: Rust values to concrete CUE data and back.
//!
//! Encoding goes through `serde_json::Value` (field order kept, numbers
//! kept exact), then to `rcue_eval::export::Data`. Decoding is a
//! `Deserializer` over `Data` that records the CUE path of the value being
//! decoded, so a type mismatch deep inside reports where it is.

use std::fmt;

use rcue_eval::export::Data;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use crate::error::Error;
use crate::value::Value;

/// Deserializes a concrete CUE value into a Rust type. Errors name the CUE
/// path of the value that did not fit.
///
/// ```
/// #[derive(serde::Deserialize, Debug)]
/// struct App { name: String, ports: Vec<u16>, debug: Option<bool> }
///
/// let ctx = rcue::Context::new();
/// let v = ctx.compile("name: \"web\"\nports: [80, 443]\n")?;
/// let app: App = rcue::from_value(&v)?;
/// assert_eq!((app.name.as_str(), app.ports, app.debug), ("web", vec![80, 443], None));
///
/// let v = ctx.compile("name: \"web\"\nports: [80, 70000]\n")?;
/// let err = rcue::from_value::<App>(&v).unwrap_err();
/// assert_eq!(err.issues()[0].path, "ports[1]");
/// # Ok::<(), rcue::Error>(())
/// ```
pub fn from_value<T: de::DeserializeOwned>(value: &Value) -> Result<T, Error> {
    value.decode()
}

pub(crate) fn from_data<T: de::DeserializeOwned>(data: &Data) -> Result<T, Error> {
    T::deserialize(DataDeserializer { data }).map_err(|e| Error::one(e.path(), e.msg))
}

pub(crate) fn to_data<T: serde::Serialize + ?Sized>(value: &T) -> Result<Data, Error> {
    let json = serde_json::to_value(value)
        .map_err(|e| Error::one("", format!("cannot encode value: {e}")))?;
    Ok(json_to_data(json))
}

fn json_to_data(v: serde_json::Value) -> Data {
    match v {
        serde_json::Value::Null => Data::Null,
        serde_json::Value::Bool(b) => Data::Bool(b),
        serde_json::Value::Number(n) => Data::Num(n.to_string()),
        serde_json::Value::String(s) => Data::Str(s),
        serde_json::Value::Array(items) => {
            Data::List(items.into_iter().map(json_to_data).collect())
        }
        serde_json::Value::Object(map) => {
            Data::Object(map.into_iter().map(|(k, v)| (k, json_to_data(v))).collect())
        }
    }
}

/// One step of a path: a field label or a list index.
#[derive(Debug)]
enum Step {
    Field(String),
    Index(usize),
}

/// A decoding error with the path to where it happened. Steps are added
/// on the way out of nested values, innermost first.
#[derive(Debug)]
pub(crate) struct DecodeError {
    steps: Vec<Step>,
    msg: String,
}

impl DecodeError {
    fn at(mut self, step: Step) -> DecodeError {
        self.steps.push(step);
        self
    }

    /// The CUE path: `a.b[2]."x-y"`.
    fn path(&self) -> String {
        let mut out = String::new();
        for step in self.steps.iter().rev() {
            match step {
                Step::Field(f) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    if rcue_eval::label::is_identifier(f) {
                        out.push_str(f);
                    } else {
                        out.push_str(&rcue_syntax::data::quote(f));
                    }
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path();
        if path.is_empty() {
            f.write_str(&self.msg)
        } else {
            write!(f, "{path}: {}", self.msg)
        }
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DecodeError {
            steps: Vec::new(),
            msg: msg.to_string(),
        }
    }
}

struct DataDeserializer<'a> {
    data: &'a Data,
}

impl DataDeserializer<'_> {
    fn unexpected(&self) -> de::Unexpected<'_> {
        match self.data {
            Data::Null => de::Unexpected::Unit,
            Data::Bool(b) => de::Unexpected::Bool(*b),
            Data::Num(n) => de::Unexpected::Other(n),
            Data::Str(s) => de::Unexpected::Str(s),
            Data::Bytes(b) => de::Unexpected::Bytes(b),
            Data::List(_) => de::Unexpected::Seq,
            Data::Object(_) => de::Unexpected::Map,
        }
    }
}

/// Hands a number to the visitor as the narrowest Rust number that holds
/// it exactly, or as a float.
fn visit_number<'de, V: Visitor<'de>>(n: &str, visitor: V) -> Result<V::Value, DecodeError> {
    if !n.contains(['.', 'e', 'E']) {
        if let Ok(i) = n.parse::<i64>() {
            return visitor.visit_i64(i);
        }
        if let Ok(u) = n.parse::<u64>() {
            return visitor.visit_u64(u);
        }
        if let Ok(i) = n.parse::<i128>() {
            return visitor.visit_i128(i);
        }
        if let Ok(u) = n.parse::<u128>() {
            return visitor.visit_u128(u);
        }
    }
    match n.parse::<f64>() {
        Ok(f) if f.is_finite() => visitor.visit_f64(f),
        _ => Err(de::Error::custom(format!(
            "number {n} does not fit a Rust number"
        ))),
    }
}

impl<'de> DataDeserializer<'de> {
    fn visit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.data {
            Data::Null => visitor.visit_unit(),
            Data::Bool(b) => visitor.visit_bool(*b),
            Data::Num(n) => visit_number(n, visitor),
            Data::Str(s) => visitor.visit_borrowed_str(s),
            Data::Bytes(b) => visitor.visit_borrowed_bytes(b),
            Data::List(items) => visitor.visit_seq(SeqAccess {
                items: items.iter(),
                index: 0,
            }),
            Data::Object(fields) => visitor.visit_map(MapAccess {
                fields: fields.iter(),
                value: None,
            }),
        }
    }
}

impl<'de> de::Deserializer<'de> for DataDeserializer<'de> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        // The caller's types recurse through here once per level of the
        // data, on whatever stack the caller has.
        rcue_syntax::stack::grow(64 * 1024, 4 << 20, || self.visit(visitor))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.data {
            Data::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.data {
            Data::Bytes(b) => visitor.visit_borrowed_bytes(b),
            Data::Str(s) => visitor.visit_borrowed_bytes(s.as_bytes()),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.data {
            Data::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Data::Object(fields) if fields.len() == 1 => {
                let (variant, data) = &fields[0];
                visitor
                    .visit_enum(EnumAccess { variant, data })
                    .map_err(|e| e.at(Step::Field(variant.clone())))
            }
            _ => Err(de::Error::invalid_type(
                self.unexpected(),
                &"a string or a struct with one field naming an enum variant",
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct SeqAccess<'a> {
    items: std::slice::Iter<'a, Data>,
    index: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'de> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        let Some(data) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(DataDeserializer { data })
            .map(Some)
            .map_err(|e| e.at(Step::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'a> {
    fields: std::slice::Iter<'a, (String, Data)>,
    value: Option<(&'a str, &'a Data)>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'de> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some((key, data)) = self.fields.next() else {
            return Ok(None);
        };
        self.value = Some((key, data));
        let key_de: de::value::BorrowedStrDeserializer<'de, DecodeError> =
            de::value::BorrowedStrDeserializer::new(key);
        seed.deserialize(key_de)
            .map(Some)
            .map_err(|e| e.at(Step::Field(key.clone())))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let Some((key, data)) = self.value.take() else {
            return Err(de::Error::custom("a value was asked for before its key"));
        };
        seed.deserialize(DataDeserializer { data })
            .map_err(|e| e.at(Step::Field(key.to_string())))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len())
    }
}

struct EnumAccess<'a> {
    variant: &'a str,
    data: &'a Data,
}

impl<'de> de::EnumAccess<'de> for EnumAccess<'de> {
    type Error = DecodeError;
    type Variant = DataDeserializer<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, DataDeserializer<'de>), DecodeError> {
        let key: de::value::BorrowedStrDeserializer<'de, DecodeError> =
            de::value::BorrowedStrDeserializer::new(self.variant);
        let v = seed.deserialize(key)?;
        Ok((v, DataDeserializer { data: self.data }))
    }
}

impl<'de> de::VariantAccess<'de> for DataDeserializer<'de> {
    type Error = DecodeError;

    fn unit_variant(self) -> Result<(), DecodeError> {
        match self.data {
            Data::Null => Ok(()),
            _ => Err(de::Error::invalid_type(self.unexpected(), &"null")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, DecodeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}
