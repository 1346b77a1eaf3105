//! Pasted text read as an article: its title and headings found in its lines.

use super::is_filler;
use crate::model::design::TITLE_MAX_CHARS;
use crate::server::blog::extract::Article;

/// Whether the first line of pasted text is its title: a Markdown heading, or one line of at
/// most 20 words that is not a sentence ending in a stop (a question or an exclamation may be a
/// title) and says something.
fn reads_as_title(line: &str) -> bool {
    let bare = line.trim_start_matches('#').trim();
    let words = bare.split_whitespace().count();
    if line.starts_with('#') {
        return words > 0;
    }
    (1..=20).contains(&words) && bare.chars().count() <= TITLE_MAX_CHARS && !bare.ends_with(['.', ',', ';', ':']) && !bare.contains(". ") && !is_filler(bare)
}

/// Pasted text as an article: its first line is the title when it reads as one; short lines
/// (Markdown `#` headings, or lines without a final stop that say something) are its headings.
pub fn article_of_text(text: &str) -> Article {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let looks_like_heading = |l: &str| {
        let bare = l.trim_start_matches('#').trim();
        l.starts_with('#') || (bare.chars().count() <= 80 && !bare.ends_with(['.', '!', '?', ':', ',']) && bare.split_whitespace().count() <= 10 && !is_filler(bare))
    };
    let title = lines.first().filter(|l| lines.len() > 1 && reads_as_title(l)).map(|l| l.trim_start_matches('#').trim().to_string());
    let body: Vec<String> = lines.iter().skip(usize::from(title.is_some())).map(|l| l.trim_start_matches('#').trim().to_string()).collect();
    let headings: Vec<String> = lines.iter().skip(usize::from(title.is_some())).filter(|l| looks_like_heading(l)).map(|l| l.trim_start_matches('#').trim().to_string()).collect();
    let text = body.join("\n");
    Article { title, byline: None, site_name: None, excerpt: None, word_count: text.split_whitespace().count(), text, headings }
}
