//! The words a picture shows, in reading order, as it shows them: the title, the subtitle, each
//! section's heading, line and figure (or, without an outline, the body's lines); with
//! `[emulator:typo]` one word misspelled and one number changed; for a language the emulator
//! cannot draw, a note saying so instead. The renderer draws these and the read-back returns
//! them, so both always agree.

use super::picture::{Picture, Section};
use crate::model::design;

/// What a piece of text is on the picture (how it is drawn).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Title,
    Subtitle,
    /// An edit's instruction, shown in a banner.
    Banner,
    Heading(usize),
    Line(usize),
    Figure(usize),
    /// A line of the body of a picture without an outline.
    Body(usize),
    /// The picture cannot show its language.
    Note,
}

/// Languages whose script needs what the emulator lacks: shaping (Arabic, Persian, Hindi), a
/// right-to-left layout (Hebrew) or fonts far larger than the emulator (Japanese, Korean,
/// Chinese). The rest are written in Latin, Greek or Cyrillic letters, all in Noto Sans.
const UNDRAWABLE: [&str; 7] = ["ar", "he", "fa", "hi", "ja", "ko", "zh-Hans"];

/// Whether the emulator draws text in this language (a code of `design::LANGUAGES`) correctly.
pub fn can_draw(language_code: &str) -> bool {
    design::language(language_code).is_some_and(|l| !UNDRAWABLE.contains(&l.code))
}

/// The note drawn instead of text in a language the emulator cannot draw.
pub fn cannot_draw_note(language_code: &str) -> String {
    let name = design::language(language_code).map_or(language_code, |l| l.name);
    format!("The offline demo cannot draw {name} text")
}

/// What `[emulator:typo]` changed: a word (as asked, as drawn) and a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injected {
    pub word: Option<(String, String)>,
    pub number: Option<(String, String)>,
}

/// The picture's texts in reading order, as drawn (typo applied when the picture asks for it).
pub fn blocks(p: &Picture) -> Vec<(Role, String)> {
    if !p.language.is_empty() && !can_draw(&p.language) {
        return vec![(Role::Note, cannot_draw_note(&p.language))];
    }
    let typo;
    let p = if p.typo {
        typo = with_typo(p).0;
        &typo
    } else {
        p
    };
    let mut out = vec![(Role::Title, if p.title.is_empty() { "Infographic".to_string() } else { p.title.clone() })];
    if let Some(subtitle) = &p.subtitle {
        out.push((Role::Subtitle, subtitle.clone()));
    }
    for (i, s) in p.sections.iter().enumerate() {
        out.push((Role::Heading(i), s.heading.clone()));
        if !s.line.is_empty() {
            out.push((Role::Line(i), s.line.clone()));
        }
        if let Some(figure) = &s.figure {
            out.push((Role::Figure(i), figure.clone()));
        }
    }
    out.extend(p.lines.iter().enumerate().map(|(i, l)| (Role::Body(i), l.clone())));
    out.retain(|(_, text)| !text.is_empty());
    out
}

/// The picture with its typo made (and no longer asking for one), and what was changed: the
/// longest word of the headings (else of the body, else of the title) loses one of a doubled
/// letter or has its middle letter doubled; the first figure's (else the first text's) first
/// number has its first digit raised by one.
pub fn with_typo(p: &Picture) -> (Picture, Option<Injected>) {
    let mut out = Picture { typo: false, ..p.clone() };
    if !p.language.is_empty() && !can_draw(&p.language) {
        return (out, None);
    }
    let word = {
        let mut fields: Vec<&mut String> = out.sections.iter_mut().map(|s| &mut s.heading).collect();
        let mut word = misspell_longest(&mut fields, 4);
        if word.is_none() {
            let mut rest: Vec<&mut String> = out.lines.iter_mut().chain(std::iter::once(&mut out.title)).collect();
            word = misspell_longest(&mut rest, 2);
        }
        word
    };
    let number = change_first_number(&mut out);
    (out, Some(Injected { word, number }))
}

/// Misspells the longest word (letters only, at least `min` of them; the first on ties) of
/// `fields`, once, where it first occurs.
fn misspell_longest(fields: &mut [&mut String], min: usize) -> Option<(String, String)> {
    let mut best: Option<(usize, usize, String)> = None;
    for (f, field) in fields.iter().enumerate() {
        for (start, word) in words_of(field) {
            let n = word.chars().count();
            if n >= min && best.as_ref().is_none_or(|(_, _, b)| n > b.chars().count()) {
                best = Some((f, start, word.to_string()));
            }
        }
    }
    let (f, start, word) = best?;
    let wrong = misspelled(&word);
    fields[f].replace_range(start..start + word.len(), &wrong);
    Some((word, wrong))
}

/// Words made of letters only, with their byte offsets.
fn words_of(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_alphabetic(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let word = &text[s..i];
                // A word glued to digits ("5G") is not a word to misspell.
                let glued = text[i..].starts_with(|c: char| c.is_ascii_digit()) || text[..s].ends_with(|c: char| c.is_ascii_digit());
                if !glued {
                    out.push((s, word));
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// One letter dropped from the first doubled pair, else the middle letter doubled.
fn misspelled(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    match chars.windows(2).position(|w| w[0] == w[1]) {
        Some(i) => chars.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, c)| c).collect(),
        None => {
            let mid = chars.len() / 2;
            chars[..=mid].iter().chain(&chars[mid..]).collect()
        }
    }
}

/// Raises the first digit of the first number, searched in the figures first, then in the
/// title, subtitle, headings, lines and body.
fn change_first_number(p: &mut Picture) -> Option<(String, String)> {
    let Picture { title, subtitle, sections, lines, .. } = p;
    let mut fields: Vec<&mut String> = Vec::new();
    let (mut figures, mut rest): (Vec<&mut String>, Vec<&mut String>) = (Vec::new(), Vec::new());
    for Section { heading, line, figure } in sections.iter_mut() {
        if let Some(figure) = figure.as_mut() {
            figures.push(figure);
        }
        rest.push(heading);
        rest.push(line);
    }
    fields.extend(figures);
    fields.push(title);
    if let Some(subtitle) = subtitle.as_mut() {
        fields.push(subtitle);
    }
    fields.extend(rest);
    fields.extend(lines.iter_mut());
    for field in fields {
        let Some(start) = field.find(|c: char| c.is_ascii_digit()) else { continue };
        let end = field[start..].find(|c: char| !c.is_ascii_digit()).map_or(field.len(), |e| start + e);
        let number = field[start..end].to_string();
        let first = number.as_bytes()[0] - b'0';
        // Never a leading zero: "9" becomes "0" but "95" becomes "15".
        let raised = if first == 9 && number.len() > 1 { 1 } else { (first + 1) % 10 };
        let changed = format!("{raised}{}", &number[1..]);
        field.replace_range(start..end, &changed);
        return Some((number, changed));
    }
    None
}

/// An edit's text: the source's words as drawn, each correction applied wherever it occurs.
pub fn corrected(source: &Picture, corrections: &[(String, String)]) -> Picture {
    let mut p = if source.typo { with_typo(source).0 } else { source.clone() };
    let fix = |text: &mut String| {
        for (from, to) in corrections {
            *text = text.replace(from.as_str(), to);
        }
    };
    fix(&mut p.title);
    p.subtitle.iter_mut().for_each(fix);
    for s in &mut p.sections {
        fix(&mut s.heading);
        fix(&mut s.line);
        s.figure.iter_mut().for_each(fix);
    }
    p.lines.iter_mut().for_each(fix);
    p
}
