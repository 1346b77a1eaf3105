//! Request bodies: JSON parsed by hand so that every problem is a 400 naming its field, never
//! axum's plain-text rejection.

use crate::errors::AppError;
use crate::model::field;
use crate::model::FieldErrors;
use crate::server::delivery::renditions::Format;
use crate::server::jobs::download::DownloadAs;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Parses a JSON object body; anything else is a 400 naming `body`.
pub fn json_object(body: &[u8]) -> Result<Map<String, Value>, AppError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(AppError::invalid_field("body", "must be a JSON object")),
        Err(e) => Err(AppError::invalid_field("body", format!("is not valid JSON: {e}"))),
    }
}

/// A string field; `null` or missing = absent. With `numbers`, a JSON number is accepted too
/// (the seed API took both `"2"` and `2` for counts). Read as the request types read theirs.
fn text_field(map: &Map<String, Value>, name: &str, numbers: bool) -> Result<Option<String>, (String, String)> {
    let Some(value) = map.get(name) else { return Ok(None) };
    let read = if numbers { field::text_or_number(value) } else { field::text(value) };
    read.map_err(|e| (name.to_string(), e.to_string()))
}

/// A request body read into its type (`CreateRequest`, `RefineRequest`): each field on its own
/// first, so that every field of the wrong type is named at once, as validation names bad values.
/// Fields the type does not know are left alone.
pub fn request<T: DeserializeOwned>(map: &Map<String, Value>) -> Result<T, AppError> {
    let mut errors = FieldErrors::new();
    for (name, value) in map {
        let alone = Map::from_iter([(name.clone(), value.clone())]);
        if let Err(e) = serde_json::from_value::<T>(Value::Object(alone)) {
            errors.insert(name.clone(), e.to_string());
        }
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    serde_json::from_value(Value::Object(map.clone())).map_err(|e| AppError::invalid_field("body", e.to_string()))
}

/// `{"email", "password"}`, both non-empty strings.
pub fn credentials(body: &[u8]) -> Result<(String, String), AppError> {
    credentials_in(&json_object(body)?)
}

/// `{"email", "password", "name"?}`: credentials and the new token's optional name.
pub fn token_request(body: &[u8]) -> Result<(String, String, Option<String>), AppError> {
    let map = json_object(body)?;
    let name = text_field(&map, "name", false).map_err(|(k, v)| AppError::invalid_field(&k, v))?;
    let (email, password) = credentials_in(&map)?;
    Ok((email, password, name))
}

fn credentials_in(map: &Map<String, Value>) -> Result<(String, String), AppError> {
    let mut errors = FieldErrors::new();
    let mut get = |name: &str| match map.get(name) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            errors.insert(name.to_string(), "is required".to_string());
            String::new()
        }
    };
    let (email, password) = (get("email"), get("password"));
    if errors.is_empty() {
        Ok((email, password))
    } else {
        Err(AppError::invalid(errors))
    }
}

/// `PATCH /api/account/` with `{"notify_email": bool}`: the only settable field; any other key,
/// or a value that is not a JSON boolean, is a 400 naming it.
pub fn account_patch(body: &[u8]) -> Result<bool, AppError> {
    let map = json_object(body)?;
    let mut errors = FieldErrors::new();
    for key in map.keys().filter(|k| k.as_str() != "notify_email") {
        errors.insert(key.clone(), "is not a setting that can be changed".into());
    }
    let value = match map.get("notify_email") {
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errors.insert("notify_email".into(), "must be true or false".into());
            None
        }
        None => {
            errors.insert("notify_email".into(), "is required".into());
            None
        }
    };
    match value {
        Some(v) if errors.is_empty() => Ok(v),
        _ => Err(AppError::invalid(errors)),
    }
}

/// What a `PATCH /api/infographs/{id}/` changes: the family's title, and (`Some(None)` resets
/// it) the alt text.
#[derive(Debug, Default, PartialEq)]
pub struct InfographChanges {
    pub title: Option<String>,
    pub alt_text: Option<Option<String>>,
}


/// `PATCH /api/infographs/{id}/` with `{"title"?: string, "alt_text"?: string | null}` (`null`:
/// back to the text written from the brief), at least one; any other key, or a value that is not
/// a fitting string, is a 400 naming it.
pub fn infograph_patch(map: &Map<String, Value>) -> Result<InfographChanges, AppError> {
    let mut errors = FieldErrors::new();
    for key in map.keys().filter(|k| !matches!(k.as_str(), "alt_text" | "title")) {
        errors.insert(key.clone(), "is not a field that can be changed".into());
    }
    let mut changes = InfographChanges::default();
    match map.get("title") {
        None => {}
        Some(Value::String(s)) => changes.title = crate::model::title::parse(Some(s)).map_err(|e| errors.insert("title".into(), e.0)).ok(),
        Some(_) => {
            errors.insert("title".into(), "The title must be a string.".into());
        }
    }
    match map.get("alt_text") {
        None => {}
        Some(Value::Null) => changes.alt_text = Some(None),
        Some(Value::String(s)) => {
            changes.alt_text = crate::model::share::parse_alt_text(Some(s)).map_err(|e| errors.insert("alt_text".into(), e.0)).ok().map(Some)
        }
        Some(_) => {
            errors.insert("alt_text".into(), "must be a string or null".into());
        }
    }
    if changes == InfographChanges::default() && errors.is_empty() {
        errors.insert("title".into(), "Send a new title, an alt_text, or both.".into());
        errors.insert("alt_text".into(), "is required without a title (a string, or null to reset it)".into());
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(AppError::invalid(errors))
    }
}

/// `?format=png|jpg|jpeg|webp&width=1200|600|full` of a download; anything else is a 400 naming
/// the parameter.
pub fn download_as(query: &std::collections::HashMap<String, String>) -> Result<DownloadAs, AppError> {
    let mut errors = FieldErrors::new();
    let format = match query.get("format").map(|f| f.to_ascii_lowercase()) {
        None => None,
        Some(f) if f == "jpeg" => Some(Format::Jpeg),
        Some(f) => Format::parse(&f).or_else(|| {
            errors.insert("format".into(), "must be png, jpg or webp".into());
            None
        }),
    };
    let width = match query.get("width").map(String::as_str) {
        None | Some("full") => None,
        Some(w) => match w.parse::<u32>().ok().filter(|w| crate::model::share::DOWNLOAD_WIDTHS.contains(w)) {
            Some(w) => Some(w),
            None => {
                errors.insert("width".into(), "must be 1200, 600 or full".into());
                None
            }
        },
    };
    if errors.is_empty() {
        Ok(DownloadAs { format, width })
    } else {
        Err(AppError::invalid(errors))
    }
}

/// `POST /api/infographs/{id}/share/`: an empty body, or `{"indexable": bool}`.
pub fn share_request(body: &[u8]) -> Result<Option<bool>, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let map = json_object(body)?;
    let mut errors = FieldErrors::new();
    for key in map.keys().filter(|k| k.as_str() != "indexable") {
        errors.insert(key.clone(), "is not a share setting".into());
    }
    let indexable = bool_field(&map, "indexable", &mut errors);
    if errors.is_empty() {
        Ok(indexable)
    } else {
        Err(AppError::invalid(errors))
    }
}

/// `POST /api/billing/purchases/`: `{"pack": "50", "payment_method"?: "pm_…"}`. The price comes
/// from the pack: an `amount` (or any other field) is a 400 naming it.
pub fn purchase_request(map: &Map<String, Value>) -> Result<(String, Option<String>), AppError> {
    let mut errors = FieldErrors::new();
    for key in map.keys().filter(|k| !matches!(k.as_str(), "pack" | "payment_method")) {
        let why = if matches!(key.as_str(), "amount" | "price" | "currency" | "credits") { "is set by the pack, not by the buyer" } else { "is not accepted" };
        errors.insert(key.clone(), why.into());
    }
    let pack = match map.get("pack") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => {
            errors.insert("pack".into(), "is required (a pack id, e.g. \"50\")".into());
            None
        }
    };
    let payment_method = text_field(map, "payment_method", false).map_err(|(k, v)| errors.insert(k, v)).ok().flatten();
    if payment_method.as_deref().is_some_and(|m| m.is_empty() || m.len() > 255 || !m.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')) {
        errors.insert("payment_method".into(), "is not a payment method id".into());
    }
    match pack {
        Some(pack) if errors.is_empty() => Ok((pack, payment_method)),
        _ => Err(AppError::invalid(errors)),
    }
}

/// `POST /api/outlines/`: `{"prompt", "blog_url"?, "source_text"?, "layout"?, "language"?}`.
pub fn outline_request(map: &Map<String, Value>) -> Result<crate::server::outline::RawOutline, AppError> {
    let mut errors = FieldErrors::new();
    for key in map.keys().filter(|k| !matches!(k.as_str(), "prompt" | "blog_url" | "source_text" | "layout" | "language")) {
        errors.insert(key.clone(), "is not accepted".into());
    }
    let mut get = |name: &str| text_field(map, name, false).map_err(|(k, v)| errors.insert(k, v)).ok().flatten();
    let raw = crate::server::outline::RawOutline {
        prompt: get("prompt"),
        blog_url: get("blog_url"),
        source_text: get("source_text"),
        layout: get("layout"),
        language: get("language"),
    };
    if errors.is_empty() {
        Ok(raw)
    } else {
        Err(AppError::invalid(errors))
    }
}

/// A brand kit's fields: `{"name", "colors": ["#RRGGBB", …], "font_mood", "tone", "is_default"}`,
/// all optional here (a PATCH sends what changes; the use case says what a new kit needs).
pub fn kit_request(map: &Map<String, Value>) -> Result<crate::model::design::RawKit, AppError> {
    let mut errors = FieldErrors::new();
    for key in map.keys().filter(|k| !matches!(k.as_str(), "name" | "colors" | "font_mood" | "tone" | "is_default")) {
        errors.insert(key.clone(), "is not a brand kit field".into());
    }
    let mut get = |name: &str| text_field(map, name, false).map_err(|(k, v)| errors.insert(k, v)).ok().flatten();
    let (name, font_mood, tone) = (get("name"), get("font_mood"), get("tone"));
    let colors = match map.get("colors") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let strings: Option<Vec<String>> = items.iter().map(|v| v.as_str().map(str::to_string)).collect();
            if strings.is_none() {
                errors.insert("colors".into(), "must be a list of \"#RRGGBB\" strings".into());
            }
            strings
        }
        Some(_) => {
            errors.insert("colors".into(), "must be a list of \"#RRGGBB\" strings".into());
            None
        }
    };
    let is_default = bool_field(&map, "is_default", &mut errors);
    if errors.is_empty() {
        Ok(crate::model::design::RawKit { name, colors, font_mood, tone, is_default })
    } else {
        Err(AppError::invalid(errors))
    }
}

/// An optional boolean field; anything but `true`, `false` or `null` is named in `errors`.
fn bool_field(map: &Map<String, Value>, name: &str, errors: &mut FieldErrors) -> Option<bool> {
    match map.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errors.insert(name.into(), "must be true or false".into());
            None
        }
    }
}
