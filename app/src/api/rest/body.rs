//! Request bodies, read so that every problem is a 400 naming its field, never axum's plain-text
//! rejection: into their request types field by field (the type is also the body's schema), and
//! by hand where `null` and missing mean different things (an infograph's PATCH).

use crate::errors::AppError;
use crate::model::FieldErrors;
use crate::server::delivery::renditions::Format;
use crate::server::jobs::download::DownloadAs;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// Parses a JSON object body; anything else is a 400 naming `body`.
pub fn json_object(body: &[u8]) -> Result<Map<String, Value>, AppError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(AppError::invalid_field("body", "must be a JSON object")),
        Err(e) => Err(AppError::invalid_field("body", format!("is not valid JSON: {e}"))),
    }
}

/// A request body read into its type (`CreateRequest`, `RefineRequest`): each field on its own
/// first, so that every field of the wrong type is named at once, as validation names bad values.
/// Fields the type does not know are left alone.
pub fn request<T: DeserializeOwned + Serialize + Default>(map: &Map<String, Value>) -> Result<T, AppError> {
    checked(map, |_| None, Ok)
}

/// A request body read into its type and checked by `validate`, every problem named at once: each
/// field the type does not declare, in `unknown`'s words (`None` leaves it alone), each field of
/// the wrong type, and what `validate` finds in the fields that were read.
pub fn checked<T, C>(
    map: &Map<String, Value>,
    unknown: fn(&str) -> Option<&'static str>,
    validate: impl FnOnce(T) -> Result<C, FieldErrors>,
) -> Result<C, AppError>
where
    T: DeserializeOwned + Serialize + Default,
{
    let declared = declared_fields::<T>();
    let mut errors = FieldErrors::new();
    let mut read = Map::new();
    for (name, value) in map {
        let alone = Map::from_iter([(name.clone(), value.clone())]);
        if !declared.contains(name) {
            if let Some(why) = unknown(name) {
                errors.insert(name.clone(), why.into());
            }
        } else if let Err(e) = serde_json::from_value::<T>(Value::Object(alone)) {
            errors.insert(name.clone(), e.to_string());
        } else {
            read.insert(name.clone(), value.clone());
        }
    }
    let request = serde_json::from_value(Value::Object(read)).map_err(|e| AppError::invalid_field("body", e.to_string()))?;
    match validate(request) {
        Ok(checked) if errors.is_empty() => Ok(checked),
        Ok(_) => Err(AppError::invalid(errors)),
        Err(found) => {
            // A field of the wrong type is told that, not that it is missing.
            for (name, why) in found {
                errors.entry(name).or_insert(why);
            }
            Err(AppError::invalid(errors))
        }
    }
}

/// The names of the fields `T` reads. A request type writes every field it has (each optional,
/// none skipped), so its default's keys are those names.
fn declared_fields<T: Serialize + Default>() -> Vec<String> {
    match serde_json::to_value(T::default()) {
        Ok(Value::Object(fields)) => fields.into_iter().map(|(name, _)| name).collect(),
        _ => Vec::new(),
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
            errors.insert("format".into(), "must be png, jpg, webp, or for a version with editable text svg or pdf".into());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{AccountChange, AccountPatch, PurchaseRequest, TokenRequest};
    use crate::model::design::RawKit;
    use serde_json::json;

    // No `Debug` needed: credentials are never printed.
    fn problems<T>(read: Result<T, AppError>) -> FieldErrors {
        match read.err() {
            Some(AppError::InvalidInput { fields, .. }) => fields,
            other => panic!("refused with named fields, not {other:?}"),
        }
    }

    fn object(body: Value) -> Map<String, Value> {
        body.as_object().cloned().expect("an object")
    }

    fn purchase(body: Value) -> Result<(String, Option<String>), AppError> {
        checked(&object(body), PurchaseRequest::unknown, |r: PurchaseRequest| r.validate())
    }

    #[test]
    fn every_problem_of_a_body_is_named_at_once() {
        let errors = problems(purchase(json!({"pack": true, "amount": 1, "colour": "red", "payment_method": "pm/x"})));
        let expected = [
            ("amount", "is set by the pack, not by the buyer"),
            ("colour", "is not accepted"),
            ("pack", "is required (a pack id, e.g. \"50\")"),
            ("payment_method", "is not a payment method id"),
        ];
        assert_eq!(errors, expected.map(|(k, v)| (k.to_string(), v.to_string())).into());
        assert_eq!(purchase(json!({"pack": 50})), Ok(("50".into(), None)));
        assert_eq!(purchase(json!({"pack": " 10 ", "payment_method": "pm_card_visa"})), Ok(("10".into(), Some("pm_card_visa".into()))));
    }

    #[test]
    fn a_field_of_the_wrong_type_is_told_so_rather_than_that_it_is_missing() {
        let patch = |body| checked(&object(body), |_| Some("is not a setting that can be changed"), |p: AccountPatch| p.validate());
        let said = |body| problems(patch(body)).get("notify_email").cloned();
        assert_eq!(said(json!({"notify_email": null})).as_deref(), Some("must be true or false"));
        assert_eq!(said(json!({"notify_email": "yes"})).as_deref(), Some("must be true or false"));
        assert_eq!(said(json!({})).as_deref(), Some("is required (or auto_fix)"));
        assert_eq!(patch(json!({"notify_email": false})), Ok(AccountChange { notify_email: Some(false), auto_fix: None }));
        assert_eq!(patch(json!({"auto_fix": true})), Ok(AccountChange { notify_email: None, auto_fix: Some(true) }));
        assert_eq!(problems(patch(json!({"auto_fix": "on"}))).get("auto_fix").map(String::as_str), Some("must be true or false"));
    }

    #[test]
    fn unknown_fields_are_named_only_where_the_body_refuses_them() {
        let kit = |body| checked(&object(body), |_| Some("is not a brand kit field"), Ok::<RawKit, _>);
        let errors = problems(kit(json!({"owner": "me", "colors": ["#111111", 2], "is_default": "yes", "name": null})));
        let expected = [("colors", "must be a list of \"#RRGGBB\" strings"), ("is_default", "must be true or false"), ("owner", "is not a brand kit field")];
        assert_eq!(errors, expected.map(|(k, v)| (k.to_string(), v.to_string())).into());
        // The token request takes what it knows (its credentials are flattened into it).
        let token: TokenRequest = request(&object(json!({"email": "a@example.com", "password": 5, "name": "ci", "extra": 1}))).expect("read");
        assert_eq!((token.credentials.email.as_deref(), token.credentials.password, token.name.as_deref()), (Some("a@example.com"), None, Some("ci")));
        assert_eq!(problems(request::<TokenRequest>(&object(json!({"name": 5})))).get("name").map(String::as_str), Some("must be a string"));
    }
}
