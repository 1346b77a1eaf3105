//! The outline builder that needs nothing but the article: sections from its headings (or, for a
//! text without headings, from its sentences with figures and its paragraphs' first sentences),
//! each with one line, its key figure and the sentence it came from, and a layout that fits what
//! was found (dates: a timeline; steps: a process; figures: statistics).

use crate::model::design::{Layout, Outline, OutlineSection, FIGURE_MAX_CHARS, HEADING_MAX_CHARS, LINE_MAX_CHARS, OUTLINE_MAX_SECTIONS, SOURCE_MAX_CHARS, SUBTITLE_MAX_CHARS, TITLE_MAX_CHARS};
use crate::server::blog::extract::Article;
use regex::Regex;
use std::sync::LazyLock;

/// The fewest sections an outline is worth reviewing with.
pub const MIN_SECTIONS: usize = 3;

/// A figure worth drawing large: money, a percentage, "1 in 3", or a number with its unit.
static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:[$€£¥]\s?\d[\d,.]*(?:\s?(?:million|billion|thousand|[kmb]n?))?|\d+\s+(?:in|out of)\s+\d+|\d[\d,.]*\s?(?:%|(?:percent|per cent|°c|°f|km|kilometres|kilometers|miles|kg|tonnes|tons|hours?|minutes?|seconds?|days?|weeks?|months?|years?|million|billion|thousand|x)\b)|\b\d[\d,.]*\b)",
    )
    .unwrap_or_else(|e| unreachable!("the pattern is valid: {e}"))
});
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(1[5-9]\d\d|20\d\d)\b").unwrap_or_else(|e| unreachable!("the pattern is valid: {e}")));

/// Why no outline could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the text is too short to outline: at least {MIN_SECTIONS} sentences are needed")]
pub struct TooShort;

/// An outline of `article` for `prompt`. `wanted`: the layout asked for (`Auto`: suggest one).
pub fn outline(article: &Article, prompt: &str, wanted: Layout) -> Result<Outline, TooShort> {
    let headline = headline(article);
    let mut sections = from_headings(article, headline.as_deref());
    if sections.len() < MIN_SECTIONS {
        sections = from_sentences(&article.text);
    }
    if sections.len() < MIN_SECTIONS {
        return Err(TooShort);
    }
    sections.truncate(OUTLINE_MAX_SECTIONS);
    let title = headline.unwrap_or_else(|| prompt.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("Infographic").to_string());
    let subtitle = article.excerpt.as_deref().map(first_sentence).filter(|s| !s.is_empty()).map(|s| clip(&s, SUBTITLE_MAX_CHARS));
    let layout = if wanted == Layout::Auto { suggest(&sections) } else { wanted };
    Ok(Outline { title: clip(&title, TITLE_MAX_CHARS), subtitle, sections, layout })
}

/// The article's headline: its first heading when the page title starts with it, else the page
/// title without a trailing " | Site name".
fn headline(article: &Article) -> Option<String> {
    let title = article.title.as_deref()?.trim();
    if let Some(heading) = article.headings.first().filter(|h| !h.is_empty() && title.starts_with(h.as_str())) {
        return Some(heading.clone());
    }
    for separator in [" | ", " – ", " — ", " - "] {
        if let Some((head, _)) = title.rsplit_once(separator).filter(|(head, _)| head.chars().count() >= 10) {
            return Some(head.trim().to_string());
        }
    }
    Some(title.to_string())
}

/// One section per heading (not the title's), with the text under it.
fn from_headings(article: &Article, title: Option<&str>) -> Vec<OutlineSection> {
    let titles = [title.unwrap_or_default(), article.title.as_deref().unwrap_or_default()];
    let headings: Vec<&str> = article.headings.iter().map(String::as_str).filter(|h| !titles.contains(h)).collect();
    if headings.len() < MIN_SECTIONS {
        return Vec::new();
    }
    // Where each heading is in the text (reader-view text may run a heading into its first
    // paragraph without a line break), and the text between one heading and the next.
    let text = article.text.as_str();
    let mut cursor = 0;
    let mut spans: Vec<(usize, usize)> = Vec::new();
    // Only the sections kept are built; the next heading still ends the last one's text.
    for heading in headings.iter().take(OUTLINE_MAX_SECTIONS + 1) {
        match text[cursor..].find(heading) {
            Some(at) => {
                spans.push((cursor + at, cursor + at + heading.len()));
                cursor += at + heading.len();
            }
            None => spans.push((cursor, cursor)),
        }
    }
    let mut sections = Vec::new();
    for (i, heading) in headings.iter().enumerate().take(OUTLINE_MAX_SECTIONS) {
        let body_end = spans.get(i + 1).map_or(text.len(), |(start, _)| *start);
        let body = text.get(spans[i].1..body_end.max(spans[i].1)).unwrap_or_default();
        sections.push(section(heading, &body.split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    sections
}

/// For a text without headings: its sentences with figures first, then the first sentences of
/// its paragraphs, kept in the order they come.
fn from_sentences(text: &str) -> Vec<OutlineSection> {
    let paragraphs: Vec<&str> = text.lines().map(str::trim).filter(|l| l.split_whitespace().count() >= 4).collect();
    let mut picked: Vec<(usize, String)> = Vec::new();
    let mut order = 0;
    let mut leads = Vec::new();
    for paragraph in &paragraphs {
        for (j, sentence) in sentences(paragraph).into_iter().enumerate() {
            order += 1;
            if figure_of(&sentence).is_some() && picked.len() < OUTLINE_MAX_SECTIONS {
                picked.push((order, sentence.clone()));
            } else if j == 0 {
                leads.push((order, sentence));
            }
        }
    }
    for lead in leads {
        if picked.len() >= 6 {
            break;
        }
        picked.push(lead);
    }
    picked.sort_by_key(|(order, _)| *order);
    picked.into_iter().map(|(_, sentence)| section(&heading_of(&sentence), &sentence)).collect()
}

fn section(heading: &str, body: &str) -> OutlineSection {
    let sentences = sentences(body);
    let with_figure = sentences.iter().find(|s| figure_of(s).is_some());
    let line = sentences.first().map(|s| clip(s, LINE_MAX_CHARS)).unwrap_or_default();
    OutlineSection {
        heading: clip(heading, HEADING_MAX_CHARS),
        line,
        figure: with_figure.and_then(|s| figure_of(s)).map(|f| clip(&f, FIGURE_MAX_CHARS)),
        source: with_figure.or(sentences.first()).map(|s| clip(s, SOURCE_MAX_CHARS)),
    }
}

/// The sentences of a text (a period, ! or ? followed by a space and a capital or a digit).
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        current.push(*c);
        let ends = matches!(c, '.' | '!' | '?')
            && chars.get(i + 1).is_none_or(|n| n.is_whitespace())
            && chars.get(i + 2).is_none_or(|n| n.is_uppercase() || n.is_ascii_digit() || !n.is_alphabetic());
        // "e.g." and "3.5" are not ends: the first has no space after, the second no space either.
        if ends {
            let s = current.trim().to_string();
            if s.split_whitespace().count() >= 3 {
                out.push(s);
            }
            current.clear();
        }
    }
    let rest = current.trim();
    if rest.split_whitespace().count() >= 3 {
        out.push(rest.to_string());
    }
    out
}

fn first_sentence(text: &str) -> String {
    sentences(text).into_iter().next().unwrap_or_else(|| text.trim().to_string())
}

/// The key figure of a sentence: the first money, percentage, ratio or number with a unit; a bare
/// number only when it is not a year.
pub fn figure_of(sentence: &str) -> Option<String> {
    FIGURE
        .find_iter(sentence)
        .map(|m| m.as_str().trim().trim_end_matches([',', '.']).to_string())
        .find(|f| !(YEAR.is_match(f) && f.len() == 4))
}

/// A heading for a sentence that has none: its first words, up to about 40 characters.
fn heading_of(sentence: &str) -> String {
    let mut heading = String::new();
    for word in sentence.split_whitespace() {
        if heading.chars().count() + word.chars().count() > 40 && !heading.is_empty() {
            break;
        }
        if !heading.is_empty() {
            heading.push(' ');
        }
        heading.push_str(word);
    }
    heading.trim_end_matches([',', '.', ':', ';', '!', '?']).to_string()
}

/// The layout that fits: dates → timeline, steps → process, "vs" → comparison, figures →
/// statistics, else a list.
pub fn suggest(sections: &[OutlineSection]) -> Layout {
    let text: Vec<String> = sections.iter().map(|s| format!("{} {}", s.heading, s.line).to_lowercase()).collect();
    let years = sections.iter().filter(|s| YEAR.is_match(&format!("{} {}", s.heading, s.line))).count();
    let steps = text.iter().filter(|t| t.starts_with("step") || t.split_whitespace().next().is_some_and(|w| w.trim_end_matches(['.', ')', ':']).parse::<u32>().is_ok())).count();
    let compared = text.iter().any(|t| t.contains(" vs ") || t.contains(" vs. ") || t.contains("versus") || t.contains("compared"));
    let figures = sections.iter().filter(|s| s.figure.is_some()).count();
    if years >= 3 {
        Layout::Timeline
    } else if steps >= 3 {
        Layout::Process
    } else if compared {
        Layout::Comparison
    } else if figures >= 3 {
        Layout::Statistics
    } else {
        Layout::List
    }
}

/// At most `max` characters, cut at a word with an ellipsis.
fn clip(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at = cut.rfind(' ').filter(|at| *at > max / 2).unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end())
}

/// Pasted text as an article: its first line is the title when it looks like one; short lines
/// (Markdown `#` headings, or lines without a final stop followed by text) are its headings.
pub fn article_of_text(text: &str) -> Article {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let looks_like_heading = |l: &str| {
        let bare = l.trim_start_matches('#').trim();
        l.starts_with('#') || (bare.chars().count() <= 80 && !bare.ends_with(['.', '!', '?', ':', ',']) && bare.split_whitespace().count() <= 10)
    };
    let title = lines.first().filter(|l| looks_like_heading(l)).map(|l| l.trim_start_matches('#').trim().to_string());
    let body: Vec<String> = lines.iter().skip(usize::from(title.is_some())).map(|l| l.trim_start_matches('#').trim().to_string()).collect();
    let headings: Vec<String> = lines.iter().skip(usize::from(title.is_some())).filter(|l| looks_like_heading(l)).map(|l| l.trim_start_matches('#').trim().to_string()).collect();
    let text = body.join("\n");
    Article { title, byline: None, site_name: None, excerpt: None, word_count: text.split_whitespace().count(), text, headings }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_found_and_years_alone_are_not_figures() {
        assert_eq!(figure_of("Sales rose 58 % in a year.").as_deref(), Some("58 %"));
        assert_eq!(figure_of("It cost $2.5 million to build.").as_deref(), Some("$2.5 million"));
        assert_eq!(figure_of("1 in 3 people would quit.").as_deref(), Some("1 in 3"));
        assert_eq!(figure_of("A forager flies up to 6 km.").as_deref(), Some("6 km"));
        assert_eq!(figure_of("In 1998 nothing happened."), None);
        assert_eq!(figure_of("In 1998 they built 40 hives.").as_deref(), Some("40"));
        assert_eq!(figure_of("No numbers here."), None);
    }

    #[test]
    fn an_article_with_headings_gives_a_section_each_with_its_figure_and_source() {
        let article = Article {
            title: Some("Why Bees Dance".into()),
            text: "Why Bees Dance\nBees talk with their bodies.\nThe waggle run\nEach second of waggling means about 1 km. The angle is the direction.\nDistance\nScouts fly up to 6 km from the hive.\nRecruits\nA good dance recruits 30 bees in an hour.".into(),
            headings: vec!["Why Bees Dance".into(), "The waggle run".into(), "Distance".into(), "Recruits".into()],
            ..Article::default()
        };
        let o = outline(&article, "Bees", Layout::Auto).expect("outline");
        assert_eq!(o.title, "Why Bees Dance");
        let headings: Vec<&str> = o.sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(headings, ["The waggle run", "Distance", "Recruits"]);
        assert_eq!(o.sections[1].figure.as_deref(), Some("6 km"));
        assert_eq!(o.sections[1].source.as_deref(), Some("Scouts fly up to 6 km from the hive."));
        assert_eq!(o.sections[0].line, "Each second of waggling means about 1 km.");
        assert_eq!(o.layout, Layout::Statistics, "three figures");
        assert_eq!(outline(&article, "Bees", Layout::Cycle).expect("outline").layout, Layout::Cycle, "the asked layout wins");
    }

    #[test]
    fn pasted_text_without_headings_is_outlined_from_its_sentences() {
        let text = "Remote work in numbers\n\nIn 2019 only 5 % of people worked from home. By 2023 it was 28 % of workdays.\nCommuting took 54 minutes a day on average. People spent the time on sleep and family.\nOffices emptied: 1 in 3 desks stood unused. Landlords cut rents.\nCompanies that went hybrid kept their staff longer.";
        let article = article_of_text(text);
        assert_eq!(article.title.as_deref(), Some("Remote work in numbers"));
        let o = outline(&article, "Remote work", Layout::Auto).expect("outline");
        assert!((MIN_SECTIONS..=OUTLINE_MAX_SECTIONS).contains(&o.sections.len()), "{o:?}");
        let figures: Vec<&str> = o.sections.iter().filter_map(|s| s.figure.as_deref()).collect();
        assert!(figures.contains(&"5 %") && figures.contains(&"54 minutes") && figures.contains(&"1 in 3"), "{figures:?}");
        assert!(outline(&article_of_text("Too short. Really."), "x", Layout::Auto).is_err());
    }

    #[test]
    fn layouts_are_suggested_from_what_was_found() {
        let s = |heading: &str, line: &str| OutlineSection { heading: heading.into(), line: line.into(), figure: None, source: None };
        assert_eq!(suggest(&[s("1969", "Moon"), s("1989", "Wall"), s("2001", "Wiki")]), Layout::Timeline);
        assert_eq!(suggest(&[s("Step 1", "a"), s("Step 2", "b"), s("Step 3", "c")]), Layout::Process);
        assert_eq!(suggest(&[s("Tea vs coffee", "a"), s("b", "b"), s("c", "c")]), Layout::Comparison);
        assert_eq!(suggest(&[s("a", "a"), s("b", "b"), s("c", "c")]), Layout::List);
    }
}
