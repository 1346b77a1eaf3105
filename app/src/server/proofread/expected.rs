//! What a picture should say, and what its numbers may come from: the reviewed outline when
//! there is one (title, subtitle, headings, lines, figures), else the brief's title and the
//! sections it asked for. A new version (a refinement, a fix) is held to its family's original:
//! a refinement changes the look, not the words — but an owner's own text edit is held to the
//! words they wrote.

use super::compare::Expected;
use crate::model::design::{Outline, DEFAULT_LANGUAGE};
use crate::server::blog::brief::TITLE_LABEL;
use crate::server::jobs::repo::InfographRow;

/// `original`: the family's first picture (the picture itself for an original).
pub fn expected_of(picture: &InfographRow, original: &InfographRow) -> Expected {
    // An owner's own text edit says what they chose: it is held to its own words (its numbers
    // are still checked against the source).
    let own_words = picture.instruction.as_deref() == Some(crate::server::layers::OWNER_EDIT);
    let own = own_words.then(|| crate::server::layers::StoredLayers::of(picture)).flatten();
    let outline = original.outline.as_deref().and_then(|json| serde_json::from_str::<Outline>(json).ok());
    let blocks = match (&own, &outline) {
        (Some(layers), _) => layers.boxes.iter().map(|b| b.text.clone()).filter(|t| !t.trim().is_empty()).collect(),
        (None, Some(outline)) => outline_blocks(outline),
        (None, None) => brief_blocks(original),
    };
    let mut sources = vec![original.user_prompt.clone()];
    sources.extend(original.built_prompt.clone());
    sources.extend(original.outline.clone());
    // The owner's own words in an instruction may bring a number of their own.
    sources.extend(picture.instruction.clone());
    let language = original.language.clone().unwrap_or_else(|| DEFAULT_LANGUAGE.to_string());
    Expected { blocks, sources, language }
}

/// The text an outline asks a picture to show, in reading order.
pub fn outline_blocks(outline: &Outline) -> Vec<String> {
    let mut blocks = vec![outline.title.clone()];
    blocks.extend(outline.subtitle.clone());
    for section in &outline.sections {
        blocks.push(section.heading.clone());
        if !section.line.is_empty() {
            blocks.push(section.line.clone());
        }
        blocks.extend(section.figure.clone());
    }
    blocks.retain(|b| !b.trim().is_empty());
    blocks
}

/// Without an outline the brief names the title and, from an article, its key sections (the
/// bullets under "Key sections:"): that is what the picture was asked to show in words.
fn brief_blocks(original: &InfographRow) -> Vec<String> {
    let brief = original.built_prompt.as_deref().unwrap_or_default();
    let title = brief.lines().find_map(|l| l.trim().strip_prefix(TITLE_LABEL)).map(str::trim).filter(|t| !t.is_empty());
    let mut blocks = vec![title.map_or_else(|| original.name(), str::to_string)];
    blocks.extend(section_bullets(brief));
    blocks
}

fn section_bullets(brief: &str) -> Vec<String> {
    let Some(start) = brief.find("Key sections:") else { return Vec::new() };
    brief[start..].lines().skip(1).map_while(|l| l.trim().strip_prefix("- ")).map(str::to_string).collect()
}
