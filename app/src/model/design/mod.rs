//! How an infographic should look and read, as the form, the API and the brief share it: the
//! layout, the visual style, the language of its text, size presets, brand kits, and the outline
//! the user reviews before paying.
//!
//! One file per concept; everything is re-exported here, so `model::design::X` names each.

mod brand;
mod language;
mod layout;
mod outline;
mod size;
mod style;

pub use brand::{
    parse_color, validate_kit, BrandKitView, BrandSnapshot, FontMood, KitInput, RawKit, BRAND_MAX_COLORS, BRAND_NAME_MAX_CHARS,
    BRAND_TONE_MAX_CHARS, LOGO_MAX_BYTES,
};
pub use language::{language, parse_language, Language, DEFAULT_LANGUAGE, LANGUAGES};
pub use layout::Layout;
pub use outline::{
    Outline, OutlineSection, FIGURE_MAX_CHARS, HEADING_MAX_CHARS, LINE_MAX_CHARS, OUTLINE_MAX_SECTIONS, OUTLINE_MIN_SECTIONS,
    SOURCE_MAX_CHARS, SOURCE_TEXT_MAX_CHARS, SUBTITLE_MAX_CHARS, TITLE_MAX_CHARS,
};
pub use size::{SizePreset, SIZE_PRESETS};
pub use style::Style;

use crate::model::FieldErrors;
use serde::{Deserialize, Serialize};

/// The choices an error lists, comma-separated.
fn names<'a>(all: impl Iterator<Item = &'a str>) -> String {
    all.collect::<Vec<_>>().join(", ")
}

/// What an infograph was asked to look like, validated.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Design {
    pub layout: Layout,
    /// `None`: the model's choice (a clean, modern look).
    pub style: Option<Style>,
    /// A code of [`LANGUAGES`].
    pub language: String,
    pub brand_kit_id: Option<String>,
    /// The reviewed outline: what the image says, instead of what a blog read would give.
    pub outline: Option<Outline>,
}

/// The design fields of a create request as they arrive, before validation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawDesign {
    pub layout: Option<String>,
    pub style: Option<String>,
    pub language: Option<String>,
    pub brand_kit_id: Option<String>,
    /// The outline as JSON text (a form field; the REST API's object is serialised into it).
    pub outline: Option<String>,
}

fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Validates the design fields, adding each problem to `errors` under its field's name.
pub fn validate_design(raw: &RawDesign, errors: &mut FieldErrors) -> Option<Design> {
    let before = errors.len();
    let layout = given(&raw.layout).map_or(Ok(Layout::Auto), Layout::parse).map_err(|e| errors.insert("layout".into(), e.0)).ok();
    let style = match given(&raw.style) {
        None | Some("auto") => Some(None),
        Some(s) => Style::parse(s).map(Some).map_err(|e| errors.insert("style".into(), e.0)).ok(),
    };
    let language = given(&raw.language).map_or(Ok(DEFAULT_LANGUAGE), parse_language).map_err(|e| errors.insert("language".into(), e.0)).ok();
    let brand_kit_id = match given(&raw.brand_kit_id) {
        None => Some(None),
        Some(id) if id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => Some(Some(id.to_string())),
        Some(_) => {
            errors.insert("brand_kit_id".into(), "is not a brand kit id".into());
            None
        }
    };
    let outline = match given(&raw.outline) {
        None => Some(None),
        Some(json) => match serde_json::from_str::<Outline>(json) {
            Ok(outline) => outline.validated().map(Some).map_err(|e| errors.extend(e)).ok(),
            Err(e) => {
                errors.insert("outline".into(), format!("is not an outline ({e})"));
                None
            }
        },
    };
    if errors.len() > before {
        return None;
    }
    Some(Design { layout: layout?, style: style?, language: language?.to_string(), brand_kit_id: brand_kit_id?, outline: outline? })
}

/// One text field of an outline or a brand kit: trimmed, within `max`, one line, not empty when `required`.
fn field(errors: &mut FieldErrors, name: String, raw: &str, max: usize, required: bool) -> Option<String> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if required && text.is_empty() {
        errors.insert(name, "is required".into());
        return None;
    }
    if text.chars().count() > max {
        errors.insert(name, format!("must be at most {max} characters"));
        return None;
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_parse_by_their_names() {
        assert_eq!(Layout::parse("Process/steps").ok(), Some(Layout::Process));
        assert_eq!(Layout::parse("timeline").ok(), Some(Layout::Timeline));
        assert!(Layout::parse("spiral").is_err());
        assert_eq!(Style::parse("hand-drawn").ok(), Some(Style::HandDrawn));
        assert_eq!(FontMood::parse("Classic serif").ok(), Some(FontMood::ClassicSerif));
        assert_eq!(parse_language("PT-br").ok(), Some("pt-BR"));
        assert_eq!(parse_language("zh").ok(), Some("zh-Hans"));
        assert!(parse_language("xx").is_err());
        assert!(LANGUAGES.len() >= 20 && LANGUAGES.iter().filter(|l| l.rtl).count() >= 2);
        assert_eq!(parse_color("#a1b2c3").ok().as_deref(), Some("#A1B2C3"));
        for bad in ["a1b2c3", "#abc", "#GGGGGG", "#a1b2c3d", ""] {
            assert!(parse_color(bad).is_err(), "{bad}");
        }
    }
}
