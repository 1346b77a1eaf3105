//! A request's fields: how each is read, the same from a JSON body and from a form post, and how
//! its problems are said (in words shown next to it, keyed by its name).

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// Every problem of a request, keyed by the field's name.
pub type FieldErrors = BTreeMap<String, String>;

/// Why a field's value was refused, in words shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl From<&str> for Invalid {
    fn from(message: &str) -> Self {
        Self(message.to_string())
    }
}

impl From<String> for Invalid {
    fn from(message: String) -> Self {
        Self(message)
    }
}

/// The value, trimmed, unless it is missing or blank.
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Free text a person wrote (a prompt, an instruction): trimmed, at most `max` characters, and
/// no control characters but line breaks and tabs. `name` is how the sentences call it ("The
/// prompt").
pub fn written_text(raw: Option<&str>, name: &str, max: usize) -> Result<String, Invalid> {
    let text = raw.map(str::trim).unwrap_or_default();
    let length = text.chars().count();
    if length > max {
        return Err(format!("{name} can be at most {max} characters long; this one has {length}.").into());
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(format!("{name} must not contain control characters.").into());
    }
    Ok(text.to_string())
}

/// A text field: a string, or `null` / missing for none. Anything else is refused in words that
/// name what it must be, so a JSON body's wrong type reads like every other field problem.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(Text(Accepts::Text))
}

/// A count: a string (a form's) or a JSON number (the seed API took both `"2"` and `2`).
pub fn text_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(Text(Accepts::TextOrNumber))
}

/// A JSON object kept as its text: the object itself (a JSON body), or its text (a form field,
/// which can only hold text). `what` is the sentence saying what it must be.
pub fn object_text<'de, D: Deserializer<'de>>(deserializer: D, what: &'static str) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(Text(Accepts::ObjectOrText(what)))
}

/// What a flag that is neither `true` nor `false` is told.
pub const NOT_A_FLAG: &str = "must be true or false";

/// A flag: `true` or `false`, or `null` / missing for none.
pub fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    typed(deserializer, NOT_A_FLAG)
}

/// A value of type `T` (a list of strings, say), or `null` / missing for none; a value of another
/// type is refused in `what`'s words. Malformed input is refused as it is.
pub fn typed<'de, D: Deserializer<'de>, T: de::DeserializeOwned>(deserializer: D, what: &'static str) -> Result<Option<T>, D::Error> {
    let value: serde_json::Value = serde::Deserialize::deserialize(deserializer)?;
    serde_json::from_value(value).map_err(|_| de::Error::custom(what))
}

/// What a text field takes besides a string (always) and `null` (none).
#[derive(Clone, Copy)]
enum Accepts {
    Text,
    TextOrNumber,
    /// An object too, kept as its JSON text; the sentence says what it must be.
    ObjectOrText(&'static str),
}

/// The one visitor behind the three readers above.
struct Text(Accepts);

impl Text {
    fn what(&self) -> &'static str {
        match self.0 {
            Accepts::Text => "must be a string",
            Accepts::TextOrNumber => "must be a number",
            Accepts::ObjectOrText(what) => what,
        }
    }

    fn refuse<E: de::Error>(&self) -> Result<Option<String>, E> {
        Err(E::custom(self.what()))
    }

    fn number<E: de::Error>(&self, n: impl ToString) -> Result<Option<String>, E> {
        match self.0 {
            Accepts::TextOrNumber => Ok(Some(n.to_string())),
            _ => self.refuse(),
        }
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.what())
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Some(s.to_string()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(Some(s))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        self.number(n)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        self.number(n)
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        self.number(n)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        self.refuse()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        self.refuse()
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        if !matches!(self.0, Accepts::ObjectOrText(_)) {
            return self.refuse();
        }
        let object: serde_json::Value = serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Some(object.to_string()))
    }
}
