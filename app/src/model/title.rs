//! An infographic's name: the outline's title, else the article's, else a short one written from
//! the prompt. It heads the viewer, captions the gallery card, the share page and the embed, and
//! names the downloaded file; the prompt is only what the author asked for.

use super::design::TITLE_MAX_CHARS;
use super::Invalid;

/// Past this a title written from a prompt reads as a sentence, not a name.
const WRITTEN_TITLE_MAX_CHARS: usize = 60;
/// What a picture with neither a title nor a prompt is called until its article is read.
pub const UNTITLED: &str = "Untitled infographic";

/// Openings that say what the prompt asks for rather than what the picture is about, lower case,
/// longest first: "An infographic for my blog post on urban beekeeping" is about urban
/// beekeeping.
const REQUEST_OPENINGS: [&str; 16] = [
    "an infographic for my blog post on ",
    "an infographic for my blog post about ",
    "an infographic for my post on ",
    "an infographic for my post about ",
    "create an infographic about ",
    "create an infographic on ",
    "make an infographic about ",
    "make an infographic on ",
    "an infographic explaining ",
    "an infographic showing ",
    "an infographic about ",
    "an infographic on ",
    "an infographic of ",
    "infographic about ",
    "infographic on ",
    "infographic: ",
];

/// A short name written from the prompt's first line: the request's wording dropped, cut at the
/// first colon, dash or sentence end, at most [`WRITTEN_TITLE_MAX_CHARS`] on a word boundary,
/// capitalised. [`UNTITLED`] for an empty prompt.
pub fn from_prompt(prompt: &str) -> String {
    let line = prompt.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = line.to_lowercase();
    // Lower-casing keeps byte lengths for the ASCII openings matched here.
    let rest = REQUEST_OPENINGS
        .iter()
        .find(|opening| lower.starts_with(*opening) && line.is_char_boundary(opening.len()))
        .map_or(line.as_str(), |opening| &line[opening.len()..]);
    let rest = rest.split([':', '—', '–', '.', '!', '?', ';']).map(str::trim).find(|s| !s.is_empty()).unwrap_or_default();
    let short = clip_words(rest, WRITTEN_TITLE_MAX_CHARS);
    match capitalised(&short) {
        title if title.is_empty() => UNTITLED.to_string(),
        title => title,
    }
}

/// At most `max` characters, ending on a whole word.
fn clip_words(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rfind(char::is_whitespace) {
        Some(at) if at > 0 => cut[..at].trim_end_matches([',', ' ']).to_string(),
        _ => cut,
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A title its owner typed: one line of 1 to [`TITLE_MAX_CHARS`] characters, whitespace tidied.
pub fn parse(raw: Option<&str>) -> Result<String, Invalid> {
    let Some(raw) = raw else {
        return Err("Give the infographic a title.".into());
    };
    if raw.chars().any(|c| c.is_control() && !matches!(c, ' ' | '\t')) {
        return Err("The title must be one line, without control characters.".into());
    }
    let title = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err("Give the infographic a title.".into());
    }
    if title.chars().count() > TITLE_MAX_CHARS {
        return Err(format!("The title can be at most {TITLE_MAX_CHARS} characters long.").into());
    }
    Ok(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_becomes_a_short_name() {
        assert_eq!(from_prompt("An infographic for my blog post on urban beekeeping: the key numbers, the risks"), "Urban beekeeping");
        assert_eq!(from_prompt("  \nThe water cycle explained for 10-year-olds"), "The water cycle explained for 10-year-olds");
        assert_eq!(from_prompt("create an infographic about remote work. Make it fun"), "Remote work");
        assert_eq!(from_prompt(""), UNTITLED);
        assert_eq!(from_prompt(" \n \n"), UNTITLED);
        let long = from_prompt(&"word ".repeat(40));
        assert!(long.chars().count() <= WRITTEN_TITLE_MAX_CHARS && !long.ends_with(' '), "{long}");
        assert_eq!(from_prompt("étés à Paris"), "Étés à Paris");
    }

    #[test]
    fn an_owner_title_is_one_bounded_line() {
        assert_eq!(parse(Some("  Urban   bees ")).as_deref(), Ok("Urban bees"));
        assert!(parse(Some("   ")).is_err());
        assert!(parse(None).is_err());
        assert!(parse(Some("two\nlines")).is_err());
        assert!(parse(Some(&"t".repeat(TITLE_MAX_CHARS + 1))).is_err());
        assert!(parse(Some(&"é".repeat(TITLE_MAX_CHARS))).is_ok());
    }
}
