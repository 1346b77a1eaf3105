//! Brand kits: the colours, typeface character and tone an owner's infographics are made in.

use super::{field, names};
use crate::model::{FieldErrors, Invalid};
use serde::{Deserialize, Serialize};

/// A brand kit's typeface character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FontMood {
    ModernSans,
    ClassicSerif,
    Rounded,
    Handwritten,
    Condensed,
}

impl FontMood {
    pub const ALL: [FontMood; 5] = [Self::ModernSans, Self::ClassicSerif, Self::Rounded, Self::Handwritten, Self::Condensed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ModernSans => "modern_sans",
            Self::ClassicSerif => "classic_serif",
            Self::Rounded => "rounded",
            Self::Handwritten => "handwritten",
            Self::Condensed => "condensed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ModernSans => "Modern sans",
            Self::ClassicSerif => "Classic serif",
            Self::Rounded => "Rounded",
            Self::Handwritten => "Handwritten",
            Self::Condensed => "Condensed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL.into_iter().find(|f| f.as_str() == raw).ok_or_else(|| Invalid(format!("must be one of {}", names(Self::ALL.iter().map(|f| f.as_str())))))
    }
}

/// A brand kit as it was when an infograph was made: what its brief says, and its logo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrandSnapshot {
    pub name: String,
    pub colors: Vec<String>,
    pub font_mood: FontMood,
    pub tone: String,
    /// Where our copy of the logo is stored, if the kit has one.
    pub logo_key: Option<String>,
}

/// A brand kit as its owner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrandKitView {
    pub id: String,
    pub name: String,
    /// `#RRGGBB`, 1 to 6.
    pub colors: Vec<String>,
    pub font_mood: FontMood,
    pub tone: String,
    /// Our copy of the logo (owner only), when there is one.
    pub logo_url: Option<String>,
    pub is_default: bool,
    pub created_at: i64,
}

pub const BRAND_NAME_MAX_CHARS: usize = 60;
pub const BRAND_TONE_MAX_CHARS: usize = 200;
pub const BRAND_MAX_COLORS: usize = 6;
/// Largest logo accepted, in bytes.
pub const LOGO_MAX_BYTES: usize = 2 * 1024 * 1024;

/// `POST /api/brand-kits/` (name and colours required) and `PATCH /api/brand-kits/{id}/` (any).
// A brand kit's fields as they arrive, all optional: a PATCH sends only what changes, and
// [`validate_kit`] says what a new kit needs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = KitRequest))]
pub struct RawKit {
    /// 1–60 characters.
    #[serde(default, deserialize_with = "crate::model::field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false, example = "Acme blue"))]
    pub name: Option<String>,
    /// 1–6 colours, `#RRGGBB`.
    #[serde(default, deserialize_with = "colors")]
    #[cfg_attr(feature = "ssr", schema(required = false, example = json!(["#1D4ED8", "#F59E0B"])))]
    pub colors: Option<Vec<String>>,
    /// `modern_sans` (default), `classic_serif`, `rounded`, `handwritten` or `condensed`.
    #[serde(default, deserialize_with = "crate::model::field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false))]
    pub font_mood: Option<String>,
    /// Up to 200 characters ("warm, plain words").
    #[serde(default, deserialize_with = "crate::model::field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false))]
    pub tone: Option<String>,
    /// The kit the form preselects (one at most: setting it clears the others).
    #[serde(default, deserialize_with = "crate::model::field::flag")]
    #[cfg_attr(feature = "ssr", schema(required = false))]
    pub is_default: Option<bool>,
}

fn colors<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<String>>, D::Error> {
    crate::model::field::typed(deserializer, "must be a list of \"#RRGGBB\" strings")
}

/// A brand kit's fields, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KitInput {
    pub name: String,
    pub colors: Vec<String>,
    pub font_mood: FontMood,
    pub tone: String,
    pub is_default: bool,
}

/// Checks a kit's fields over `base` (the kit as it is, for a change; `None` for a new kit, whose
/// name and colours are required). Problems are named by field (`colors[2]` for one colour).
pub fn validate_kit(raw: &RawKit, base: Option<&KitInput>) -> Result<KitInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = match (&raw.name, base) {
        (Some(name), _) => field(&mut errors, "name".into(), name, BRAND_NAME_MAX_CHARS, true),
        (None, Some(base)) => Some(base.name.clone()),
        (None, None) => {
            errors.insert("name".into(), "is required".into());
            None
        }
    };
    let colors = match (&raw.colors, base) {
        (Some(colors), _) if colors.is_empty() || colors.len() > BRAND_MAX_COLORS => {
            errors.insert("colors".into(), format!("must hold 1 to {BRAND_MAX_COLORS} colours"));
            None
        }
        (Some(colors), _) => {
            let parsed: Vec<Option<String>> =
                colors.iter().enumerate().map(|(i, c)| parse_color(c).map_err(|e| errors.insert(format!("colors[{i}]"), e.0)).ok()).collect();
            parsed.into_iter().collect()
        }
        (None, Some(base)) => Some(base.colors.clone()),
        (None, None) => {
            errors.insert("colors".into(), format!("is required (1 to {BRAND_MAX_COLORS} #RRGGBB colours)"));
            None
        }
    };
    let font_mood = match (&raw.font_mood, base) {
        (Some(mood), _) => FontMood::parse(mood).map_err(|e| errors.insert("font_mood".into(), e.0)).ok(),
        (None, Some(base)) => Some(base.font_mood),
        (None, None) => Some(FontMood::ModernSans),
    };
    let tone = match (&raw.tone, base) {
        (Some(tone), _) => field(&mut errors, "tone".into(), tone, BRAND_TONE_MAX_CHARS, false),
        (None, Some(base)) => Some(base.tone.clone()),
        (None, None) => Some(String::new()),
    };
    let is_default = raw.is_default.or(base.map(|b| b.is_default)).unwrap_or(false);
    match (name, colors, font_mood, tone) {
        (Some(name), Some(colors), Some(font_mood), Some(tone)) if errors.is_empty() => Ok(KitInput { name, colors, font_mood, tone, is_default }),
        _ => Err(errors),
    }
}

/// `#RRGGBB` (either case), normalised to upper case.
pub fn parse_color(raw: &str) -> Result<String, Invalid> {
    let raw = raw.trim();
    let hex = raw.strip_prefix('#').filter(|h| h.len() == 6 && h.chars().all(|c| c.is_ascii_hexdigit()));
    hex.map(|h| format!("#{}", h.to_ascii_uppercase())).ok_or_else(|| Invalid(format!("{raw:?} is not a #RRGGBB colour")))
}
