//! The encoding of every server function's answer: JSON, as `server_fn`'s own `Json`, but read in
//! the browser from text. Island props and the push stream are read with `serde_json::from_str`;
//! `server_fn`'s `Json` reads with `from_slice`, and serde compiles each type's reader once per
//! way of reading, so every type both ways (the infograph, brand kits, the viewer's data, …) was
//! in the bundle twice. Hand-written because `server_fn` offers no text-reading JSON codec.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{de::DeserializeOwned, Serialize};

pub struct JsonText;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(<serde_json::Error as serde::de::Error>::custom)?;
        serde_json::from_str(text)
    }
}

/// A server function's answer: `output = Json` in its `#[server]`.
pub type Json = Post<JsonText>;
