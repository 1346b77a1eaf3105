//! How an infographic should look and read, as the form, the API and the brief share it: the
//! layout, the visual style, the language of its text, size presets, brand kits, and the outline
//! the user reviews before paying.

use super::Invalid;
use serde::{Deserialize, Serialize};

/// How the content is arranged. `Auto`: from the outline (its suggestion), else the model's pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    #[default]
    Auto,
    Timeline,
    Process,
    Comparison,
    Statistics,
    List,
    Hierarchy,
    Cycle,
    Map,
}

impl Layout {
    pub const ALL: [Layout; 9] = [
        Self::Auto,
        Self::Timeline,
        Self::Process,
        Self::Comparison,
        Self::Statistics,
        Self::List,
        Self::Hierarchy,
        Self::Cycle,
        Self::Map,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Timeline => "timeline",
            Self::Process => "process",
            Self::Comparison => "comparison",
            Self::Statistics => "statistics",
            Self::List => "list",
            Self::Hierarchy => "hierarchy",
            Self::Cycle => "cycle",
            Self::Map => "map",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Auto => "Automatic",
            Self::Timeline => "Timeline",
            Self::Process => "Process / steps",
            Self::Comparison => "Comparison",
            Self::Statistics => "Statistics",
            Self::List => "List",
            Self::Hierarchy => "Hierarchy",
            Self::Cycle => "Cycle",
            Self::Map => "Map",
        }
    }

    /// What the brief asks of the model.
    pub fn instruction(self) -> Option<&'static str> {
        Some(match self {
            Self::Auto => return None,
            Self::Timeline => "a timeline: the sections in chronological order along one axis, each with its date or period",
            Self::Process => "a process: numbered steps connected by arrows, in order",
            Self::Comparison => "a comparison: the options side by side in columns, the same points for each",
            Self::Statistics => "statistics: each section built around its key figure, shown large, with simple charts",
            Self::List => "a list: the sections as a vertical list of blocks, each with an icon",
            Self::Hierarchy => "a hierarchy: a tree or pyramid from the most general to the most specific",
            Self::Cycle => "a cycle: the sections around a circle, arrows from each to the next and back to the first",
            Self::Map => "a map: the sections placed on a map or a spatial diagram where they happen",
        })
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim().to_ascii_lowercase().replace([' ', '-', '/'], "_");
        let raw = if raw == "process_steps" || raw == "steps" { "process".to_string() } else { raw };
        Self::ALL.into_iter().find(|l| l.as_str() == raw).ok_or_else(|| Invalid(format!("must be one of {}", names(Self::ALL.iter().map(|l| l.as_str())))))
    }
}

/// The visual style. Each has a small swatch in the form (its colours, in CSS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    Flat,
    Isometric,
    HandDrawn,
    Editorial,
    Corporate,
    Playful,
}

impl Style {
    pub const ALL: [Style; 6] = [Self::Flat, Self::Isometric, Self::HandDrawn, Self::Editorial, Self::Corporate, Self::Playful];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Flat => "flat",
            Self::Isometric => "isometric",
            Self::HandDrawn => "hand_drawn",
            Self::Editorial => "editorial",
            Self::Corporate => "corporate",
            Self::Playful => "playful",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Flat => "Flat",
            Self::Isometric => "Isometric",
            Self::HandDrawn => "Hand-drawn",
            Self::Editorial => "Editorial",
            Self::Corporate => "Corporate",
            Self::Playful => "Playful",
        }
    }

    /// What the brief asks of the model.
    pub fn instruction(self) -> &'static str {
        match self {
            Self::Flat => "flat design: solid colours, simple geometric icons, no gradients or shadows",
            Self::Isometric => "isometric 3D illustration: objects drawn at 30 degrees, soft shading",
            Self::HandDrawn => "hand-drawn: sketchy ink lines, marker colours, handwritten-looking headings",
            Self::Editorial => "editorial: magazine layout, strong typography, restrained palette, thin rules",
            Self::Corporate => "corporate: clean grid, muted blues and greys, professional icons",
            Self::Playful => "playful: bright colours, rounded shapes, friendly characters",
        }
    }

    /// The form's preview swatch: a CSS gradient of the style's typical colours.
    pub fn swatch(self) -> &'static str {
        match self {
            Self::Flat => "linear-gradient(90deg,#2563eb 33%,#f59e0b 33% 66%,#10b981 66%)",
            Self::Isometric => "linear-gradient(135deg,#a5b4fc,#6366f1 50%,#312e81)",
            Self::HandDrawn => "repeating-linear-gradient(45deg,#fef3c7 0 6px,#fde68a 6px 8px)",
            Self::Editorial => "linear-gradient(90deg,#111827 25%,#f9fafb 25% 75%,#b91c1c 75%)",
            Self::Corporate => "linear-gradient(90deg,#1e3a8a,#64748b)",
            Self::Playful => "linear-gradient(90deg,#f472b6,#facc15,#34d399,#60a5fa)",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| Invalid(format!("must be one of {}", names(Self::ALL.iter().map(|s| s.as_str())))))
    }
}

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

/// A language the text in the image can be written in: its BCP-47 code, its English name, and
/// whether its script runs right to left.
pub struct Language {
    pub code: &'static str,
    pub name: &'static str,
    pub rtl: bool,
}

/// The languages offered (any of them by its code; the default is the page's, English).
pub const LANGUAGES: [Language; 26] = [
    Language { code: "en", name: "English", rtl: false },
    Language { code: "es", name: "Spanish", rtl: false },
    Language { code: "fr", name: "French", rtl: false },
    Language { code: "de", name: "German", rtl: false },
    Language { code: "it", name: "Italian", rtl: false },
    Language { code: "pt", name: "Portuguese", rtl: false },
    Language { code: "pt-BR", name: "Brazilian Portuguese", rtl: false },
    Language { code: "nl", name: "Dutch", rtl: false },
    Language { code: "sv", name: "Swedish", rtl: false },
    Language { code: "da", name: "Danish", rtl: false },
    Language { code: "nb", name: "Norwegian", rtl: false },
    Language { code: "fi", name: "Finnish", rtl: false },
    Language { code: "pl", name: "Polish", rtl: false },
    Language { code: "cs", name: "Czech", rtl: false },
    Language { code: "tr", name: "Turkish", rtl: false },
    Language { code: "el", name: "Greek", rtl: false },
    Language { code: "ru", name: "Russian", rtl: false },
    Language { code: "uk", name: "Ukrainian", rtl: false },
    Language { code: "ar", name: "Arabic", rtl: true },
    Language { code: "he", name: "Hebrew", rtl: true },
    Language { code: "fa", name: "Persian", rtl: true },
    Language { code: "hi", name: "Hindi", rtl: false },
    Language { code: "ja", name: "Japanese", rtl: false },
    Language { code: "ko", name: "Korean", rtl: false },
    Language { code: "zh-Hans", name: "Chinese (simplified)", rtl: false },
    Language { code: "id", name: "Indonesian", rtl: false },
];

pub const DEFAULT_LANGUAGE: &str = "en";

/// The language of a BCP-47 code (case-insensitive; `zh` is simplified Chinese).
pub fn language(code: &str) -> Option<&'static Language> {
    let code = code.trim();
    let code = if code.eq_ignore_ascii_case("zh") || code.eq_ignore_ascii_case("zh-cn") { "zh-Hans" } else { code };
    LANGUAGES.iter().find(|l| l.code.eq_ignore_ascii_case(code))
}

pub fn parse_language(raw: &str) -> Result<&'static str, Invalid> {
    language(raw).map(|l| l.code).ok_or_else(|| Invalid(format!("must be a BCP-47 code we offer: {}", names(LANGUAGES.iter().map(|l| l.code)))))
}

/// A size for where people post: an aspect ratio and a resolution.
pub struct SizePreset {
    pub id: &'static str,
    pub label: &'static str,
    pub aspect_ratio: &'static str,
    pub resolution: &'static str,
}

pub const SIZE_PRESETS: [SizePreset; 6] = [
    SizePreset { id: "pinterest", label: "Pinterest pin (2:3)", aspect_ratio: "2:3", resolution: "2K" },
    SizePreset { id: "instagram", label: "Instagram portrait (4:5)", aspect_ratio: "4:5", resolution: "2K" },
    SizePreset { id: "social", label: "LinkedIn / X post (16:9)", aspect_ratio: "16:9", resolution: "2K" },
    SizePreset { id: "blog_header", label: "Blog header (21:9)", aspect_ratio: "21:9", resolution: "2K" },
    SizePreset { id: "square", label: "Square (1:1)", aspect_ratio: "1:1", resolution: "1K" },
    SizePreset { id: "print", label: "Print (3:4, 4K)", aspect_ratio: "3:4", resolution: "4K" },
];

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
pub fn validate_design(raw: &RawDesign, errors: &mut super::FieldErrors) -> Option<Design> {
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

// ---- the outline ----

pub const OUTLINE_MIN_SECTIONS: usize = 1;
pub const OUTLINE_MAX_SECTIONS: usize = 8;
pub const TITLE_MAX_CHARS: usize = 120;
pub const SUBTITLE_MAX_CHARS: usize = 200;
pub const HEADING_MAX_CHARS: usize = 80;
pub const LINE_MAX_CHARS: usize = 240;
pub const FIGURE_MAX_CHARS: usize = 40;
pub const SOURCE_MAX_CHARS: usize = 600;
/// Pasted text an outline is made from.
pub const SOURCE_TEXT_MAX_CHARS: usize = 50_000;

/// What the infographic will say, reviewed (and edited) before anything is paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outline {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub sections: Vec<OutlineSection>,
    /// The layout that fits it (a suggestion: the form's layout choice wins).
    #[serde(default)]
    pub layout: Layout,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutlineSection {
    pub heading: String,
    /// One line of what it says.
    #[serde(default)]
    pub line: String,
    /// The key figure, when the source has one ("58 %", "6 km").
    #[serde(default)]
    pub figure: Option<String>,
    /// The sentence of the source it came from (for the reviewer; not drawn).
    #[serde(default)]
    pub source: Option<String>,
}

/// One text field of an outline: trimmed, within `max`, one line, not empty when `required`.
fn field(errors: &mut super::FieldErrors, name: String, raw: &str, max: usize, required: bool) -> Option<String> {
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

impl Outline {
    /// Checks an outline someone sent (lengths and counts), tidying its whitespace; problems are
    /// named `outline.title`, `outline.sections[2].heading`, …
    pub fn validated(&self) -> Result<Outline, super::FieldErrors> {
        let mut errors = super::FieldErrors::new();
        let title = field(&mut errors, "outline.title".into(), &self.title, TITLE_MAX_CHARS, true);
        let subtitle = self.subtitle.as_deref().and_then(|s| field(&mut errors, "outline.subtitle".into(), s, SUBTITLE_MAX_CHARS, false)).filter(|s| !s.is_empty());
        if !(OUTLINE_MIN_SECTIONS..=OUTLINE_MAX_SECTIONS).contains(&self.sections.len()) {
            errors.insert("outline.sections".into(), format!("must hold {OUTLINE_MIN_SECTIONS} to {OUTLINE_MAX_SECTIONS} sections"));
        }
        let sections: Vec<OutlineSection> = self
            .sections
            .iter()
            .take(OUTLINE_MAX_SECTIONS)
            .enumerate()
            .map(|(i, s)| {
                let at = |part: &str| format!("outline.sections[{i}].{part}");
                OutlineSection {
                    heading: field(&mut errors, at("heading"), &s.heading, HEADING_MAX_CHARS, true).unwrap_or_default(),
                    line: field(&mut errors, at("line"), &s.line, LINE_MAX_CHARS, false).unwrap_or_default(),
                    figure: s.figure.as_deref().and_then(|f| field(&mut errors, at("figure"), f, FIGURE_MAX_CHARS, false)).filter(|f| !f.is_empty()),
                    source: s.source.as_deref().and_then(|f| field(&mut errors, at("source"), f, SOURCE_MAX_CHARS, false)).filter(|f| !f.is_empty()),
                }
            })
            .collect();
        match title {
            Some(title) if errors.is_empty() => Ok(Outline { title, subtitle, sections, layout: self.layout }),
            _ => Err(errors),
        }
    }
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

/// A brand kit's fields as they arrive (all optional: a PATCH sends only what changes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawKit {
    pub name: Option<String>,
    pub colors: Option<Vec<String>>,
    pub font_mood: Option<String>,
    pub tone: Option<String>,
    pub is_default: Option<bool>,
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
pub fn validate_kit(raw: &RawKit, base: Option<&KitInput>) -> Result<KitInput, super::FieldErrors> {
    let mut errors = super::FieldErrors::new();
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

    #[test]
    fn outlines_are_checked_and_tidied() {
        let section = |h: &str| OutlineSection { heading: h.into(), line: "  one   line ".into(), figure: Some(" ".into()), source: None };
        let ok = Outline { title: " Bees ".into(), subtitle: None, sections: vec![section("Dance")], layout: Layout::List }.validated().expect("valid");
        assert_eq!((ok.title.as_str(), ok.sections[0].line.as_str(), ok.sections[0].figure.as_deref()), ("Bees", "one line", None));
        let bad = Outline { title: "".into(), subtitle: None, sections: (0..9).map(|_| section("")).collect(), layout: Layout::Auto }.validated().expect_err("invalid");
        assert!(bad.contains_key("outline.title") && bad.contains_key("outline.sections") && bad.contains_key("outline.sections[0].heading"), "{bad:?}");
        let long = Outline { title: "t".into(), subtitle: None, sections: vec![section(&"h".repeat(81))], layout: Layout::Auto }.validated().expect_err("too long");
        assert!(long.contains_key("outline.sections[0].heading"));
    }
}
