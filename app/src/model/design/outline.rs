//! The outline: what the infographic will say, reviewed (and edited) by the user before paying.

use super::{field, Layout};
use crate::model::FieldErrors;
use serde::{Deserialize, Serialize};

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

impl Outline {
    /// Checks an outline someone sent (lengths and counts), tidying its whitespace; problems are
    /// named `outline.title`, `outline.sections[2].heading`, …
    pub fn validated(&self) -> Result<Outline, FieldErrors> {
        let mut errors = FieldErrors::new();
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

#[cfg(test)]
mod tests {
    use super::*;

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
