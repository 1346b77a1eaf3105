//! Reading the prompt the way a model would: the brief written by `blog::brief` (title,
//! subtitle and the outline's sections, or the article's sections and facts; the layout, the
//! language and the brand kit) and a refinement's instruction and corrections. Markers
//! (`[emulator:…]`) steer the emulator and are never part of the text.

use super::picture::{Picture, Section, MAX_LINES};
use crate::model::design::{self, Layout};
use crate::server::blog::brief::{ORIGINAL_TITLE, REFINE_PREFIX, TITLE_LABEL};

pub const TYPO_MARKER: &str = "[emulator:typo]";
pub const NO_READBACK_MARKER: &str = "[emulator:noreadback]";
/// A vector picture's SVG carries a script, an event handler and an external image.
pub const HOSTILE_SVG_MARKER: &str = "[emulator:hostile-svg]";

/// The prompt without its `[emulator:…]` markers.
pub fn without_markers(text: &str) -> String {
    let mut text = text.to_string();
    while let Some(start) = text.find("[emulator:") {
        let end = text[start..].find(']').map_or(text.len(), |e| start + e + 1);
        text.replace_range(start..end, "");
    }
    text
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a picture for this prompt shows (everything but its size, variant, edit and logo).
pub fn picture_of(prompt: &str) -> Picture {
    let clean = without_markers(prompt);
    let sections = outline_sections(&clean);
    Picture {
        seed: super::job::seed_of(prompt),
        title: title_of(prompt),
        subtitle: clean.lines().find_map(|l| l.trim().strip_prefix("Subtitle:")).map(squeeze).filter(|s| !s.is_empty()),
        lines: if sections.is_empty() { body_lines(&clean) } else { Vec::new() },
        sections,
        layout: layout_of(&clean),
        language: language_of(&clean).unwrap_or_default(),
        brand: brand_colours(&clean),
        typo: prompt.contains(TYPO_MARKER),
        noreadback: prompt.contains(NO_READBACK_MARKER),
        hostile: prompt.contains(HOSTILE_SVG_MARKER),
        ..Picture::default()
    }
}

/// Whether the brief asks for the brand logo to be placed (it is then the edit's first image).
pub fn wants_logo(prompt: &str) -> bool {
    prompt.contains("Place the brand logo")
}

/// Whether the prompt asks to change a picture (a refinement) rather than draw a new one.
pub fn is_refinement(prompt: &str) -> bool {
    prompt.trim_start().starts_with(REFINE_PREFIX)
}

/// The outline's sections (`- Heading: line (key figure: 58 %)`), when the brief was written
/// from an outline: its sections then stand alone (no article parts beside them).
fn outline_sections(prompt: &str) -> Vec<Section> {
    let from_article = ["Source article:", "Key facts and numbers:", "Article summary:"].iter().any(|p| prompt.contains(p));
    if from_article {
        return Vec::new();
    }
    bullets(prompt, "Key sections:").iter().map(|b| section_of(b)).collect()
}

fn section_of(bullet: &str) -> Section {
    let (rest, figure) = match bullet.strip_suffix(')').and_then(|b| b.rsplit_once(" (key figure: ")) {
        Some((rest, figure)) => (rest, Some(squeeze(figure)).filter(|f| !f.is_empty())),
        None => (bullet, None),
    };
    let (heading, line) = rest.split_once(": ").unwrap_or((rest, ""));
    Section { heading: squeeze(heading), line: squeeze(line), figure }
}

/// The `- ` lines under `heading`.
fn bullets<'a>(prompt: &'a str, heading: &str) -> Vec<&'a str> {
    let Some(start) = prompt.find(heading) else { return Vec::new() };
    prompt[start + heading.len()..].lines().skip(1).map_while(|l| l.strip_prefix("- ")).collect()
}

/// What the body of a picture without an outline lists: the brief's key sections, else its key
/// facts, in full (the proofread holds a picture to them). A prompt without either lists
/// nothing: the author's request says what to show, not text to print (an edit's prompt has
/// none of these either).
pub fn body_lines(prompt: &str) -> Vec<String> {
    let listed = |heading: &str| -> Vec<String> { bullets(prompt, heading).iter().map(|l| squeeze(l)).filter(|l| !l.is_empty()).take(MAX_LINES).collect() };
    let sections = listed("Key sections:");
    if !sections.is_empty() {
        return sections;
    }
    listed("Key facts and numbers:")
}

/// The layout the brief's `Layout:` line describes (see `Layout::instruction`).
fn layout_of(prompt: &str) -> Layout {
    let Some(line) = prompt.lines().find_map(|l| l.trim().strip_prefix("Layout:")) else { return Layout::Auto };
    Layout::ALL.into_iter().find(|l| l.instruction().is_some_and(|i| line.trim().starts_with(i))).unwrap_or_default()
}

/// The code of the `Language:` line's language (`… in German (de).`).
fn language_of(prompt: &str) -> Option<String> {
    let line = prompt.lines().find_map(|l| l.trim().strip_prefix("Language:"))?;
    let (_, rest) = line.split_once(" (")?;
    let code = rest.split(')').next()?.trim();
    design::language(code).map(|l| l.code.to_string())
}

/// The brand line's colours (`Brand "Acme": use the colours #112233, #445566 as the palette`).
fn brand_colours(prompt: &str) -> Vec<[u8; 3]> {
    let Some(line) = prompt.lines().map(str::trim).find(|l| l.starts_with("Brand \"")) else { return Vec::new() };
    let Some((_, rest)) = line.split_once("use the colours ") else { return Vec::new() };
    let list = rest.split(" as the palette").next().unwrap_or_default();
    list.split(',').filter_map(|c| parse_hex(c.trim())).take(8).collect()
}

fn parse_hex(colour: &str) -> Option<[u8; 3]> {
    let digits = colour.strip_prefix('#')?;
    let bytes = match digits.len() {
        6 => hex::decode(digits).ok()?,
        3 => hex::decode(digits.chars().flat_map(|c| [c, c]).collect::<String>()).ok()?,
        _ => return None,
    };
    Some([bytes[0], bytes[1], bytes[2]])
}

/// The line of an edit's prompt that says what to change (see `blog::brief::refinement`), else
/// its first line.
pub fn instruction_of(prompt: &str) -> String {
    let line = prompt.lines().find_map(|l| l.trim().strip_prefix(REFINE_PREFIX)).unwrap_or_else(|| prompt.lines().next().unwrap_or(""));
    short(&without_markers(line), 160)
}

/// The corrections a refinement lists, one a line: `Change "POLINATION" to "POLLINATION".`
/// (straight or curly quotes), in order.
pub fn corrections_of(instruction: &str) -> Vec<(String, String)> {
    instruction
        .lines()
        .map(|l| l.trim())
        .map(|l| l.strip_prefix(REFINE_PREFIX).map_or(l, str::trim_start))
        .filter_map(|l| {
            let body = l.strip_prefix("Change ")?;
            [('"', '"'), ('“', '”')].into_iter().find_map(|(open, close)| {
                let inner = body.strip_prefix(open)?.trim_end_matches('.').strip_suffix(close)?;
                let (from, to) = inner.split_once(&format!("{close} to {open}"))?;
                (!from.is_empty()).then(|| (from.to_string(), to.to_string()))
            })
        })
        .collect()
}

fn short(text: &str, max: usize) -> String {
    let text = squeeze(text);
    if text.chars().count() > max {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    } else {
        text
    }
}

/// The brief's title (its first line, without its label and emulator markers); an edit keeps
/// its source's headline, which the refinement prompt names.
pub fn title_of(prompt: &str) -> String {
    let line = original_title(prompt)
        .or_else(|| prompt.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(|l| l.strip_prefix(TITLE_LABEL).map_or(l, str::trim))
        .unwrap_or("Infographic");
    let title = squeeze(&without_markers(line));
    let title = if title.is_empty() { "Infographic".to_string() } else { title };
    short(&title, 200)
}

fn original_title(prompt: &str) -> Option<&str> {
    let first = prompt.lines().map(str::trim).find(|l| !l.is_empty())?;
    if !first.starts_with(REFINE_PREFIX) {
        return None;
    }
    prompt.lines().find_map(|l| l.trim().strip_prefix(ORIGINAL_TITLE)).map(str::trim).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTLINED: &str = "Title: [emulator:typo] Pollination facts\n\
        The author's request (what to show; do not print it as text): bees for kids\n\
        Subtitle: Why flowers need bees\n\
        Key sections:\n\
        - Pollination basics: Bees carry pollen between flowers (key figure: 58 %)\n\
        - Honey: A hive makes 25 kg a year (key figure: 25 kg)\n\
        - Dance\n\n\
        Format: one infographic, aspect ratio 16:9, 2K resolution. Style: clean.\n\
        Layout: statistics: each section built around its key figure, shown large, with simple charts.\n\
        Language: write every word in the image in German (de).\n\
        Brand \"Acme\": use the colours #112233, #445566 as the palette; modern sans typeface. Place the brand logo from the attached image, unchanged and small, in a corner.";

    #[test]
    fn the_brief_is_read_like_a_model_would() {
        let p = picture_of(OUTLINED);
        assert_eq!(p.title, "Pollination facts");
        assert_eq!(p.subtitle.as_deref(), Some("Why flowers need bees"));
        assert_eq!(p.sections[0], Section { heading: "Pollination basics".into(), line: "Bees carry pollen between flowers".into(), figure: Some("58 %".into()) });
        assert_eq!(p.sections[2], Section { heading: "Dance".into(), line: String::new(), figure: None });
        assert!(p.lines.is_empty() && p.typo && !p.noreadback);
        assert_eq!((p.layout, p.language.as_str()), (Layout::Statistics, "de"));
        assert_eq!(p.brand, vec![[0x11, 0x22, 0x33], [0x44, 0x55, 0x66]]);
        assert!(wants_logo(OUTLINED) && !is_refinement(OUTLINED));
        let article = "Title: Bees\n\nSource article: B\nKey sections:\n- Where: it grows\nKey facts and numbers:\n- 5 bees.";
        assert!(picture_of(article).sections.is_empty() && picture_of(article).lines == vec!["Where: it grows".to_string()]);
    }

    #[test]
    fn corrections_are_read_one_a_line() {
        let instruction = "Change this infographic: Change \"POLINATION FACTS\" to \"POLLINATION FACTS\".\nChange “68 %” to “58 %”.\nKeep everything else exactly as it is.";
        assert_eq!(corrections_of(instruction), vec![("POLINATION FACTS".into(), "POLLINATION FACTS".into()), ("68 %".into(), "58 %".into())]);
        assert!(corrections_of("Change this infographic: make it blue").is_empty());
    }
}
