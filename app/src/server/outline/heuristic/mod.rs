//! The outline builder that needs nothing but the article: its title (or a short one written from
//! its first sentence), a subtitle from its standfirst, and sections from its headings (or, for a
//! text without headings, from the sentences carrying its strongest figures and its paragraphs'
//! first sentences), each with one line, its key figure with its unit ("40 %", "7,000 hives",
//! "1 in 5 colonies") and the sentence it came from, filler sentences ("Let's dive in.") left
//! out, and a layout that fits what was found (dates: a timeline; steps: a process; figures:
//! statistics). Linear in the text: every look around a number is bounded.

use crate::model::design::{Layout, Outline, OutlineSection, FIGURE_MAX_CHARS, HEADING_MAX_CHARS, LINE_MAX_CHARS, OUTLINE_MAX_SECTIONS, SOURCE_MAX_CHARS, SUBTITLE_MAX_CHARS, TITLE_MAX_CHARS};
use crate::server::blog::extract::Article;
use figures::{key_figure, Figure, YEAR};
pub use figures::figure_of;
use std::collections::HashSet;
use std::sync::LazyLock;

mod figures;
mod pasted;

pub use pasted::article_of_text;

/// The fewest sections an outline is worth reviewing with.
pub const MIN_SECTIONS: usize = 3;

/// The longest title written from the text when the article has none.
const WRITTEN_TITLE_CHARS: usize = 60;

fn set(words: &[&'static str]) -> HashSet<&'static str> {
    words.iter().copied().collect()
}

/// Words that carry no topic (English, German, French, Spanish), lower-case.
static STOP_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(&[
        "a", "an", "the", "and", "or", "but", "so", "of", "in", "on", "at", "to", "for", "from", "by", "with", "without", "about", "as", "into", "onto", "than", "then", "that", "this",
        "these", "those", "there", "here", "it", "its", "it's", "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "do", "does", "did", "done", "not", "no",
        "yes", "we", "you", "they", "he", "she", "i", "me", "my", "our", "your", "their", "his", "her", "them", "us", "him", "what", "which", "who", "whom", "whose", "when", "where",
        "why", "how", "all", "any", "some", "more", "most", "less", "just", "only", "also", "very", "too", "can", "could", "will", "would", "shall", "should", "may", "might", "must",
        "if", "because", "while", "up", "out", "over", "under", "again", "now", "let's", "lets", "let", "here's", "there's", "that's", "what's", "don't", "i'm", "we're", "you're",
        "they're", "isn't", "aren't", "won't", "can't", "each", "every", "per", "both", "such", "own", "same", "other", "after", "before", "between", "through", "during", "since",
        "until", "even", "still", "yet", "already", "much", "many", "few", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "hundred", "thousand", "dozen", "ago", "via", "upon", "off", "down", "away", "back", "around", "against", "among", "within", "across", "about", "like", "unlike",
        // German
        "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines", "und", "oder", "aber", "doch", "nur", "auch", "mit", "von", "vom", "zu", "zur",
        "zum", "im", "am", "an", "auf", "für", "bei", "beim", "nach", "aus", "ist", "sind", "war", "waren", "wird", "werden", "wurde", "hat", "haben", "es", "sie", "er", "wir",
        "ihr", "ich", "du", "man", "sich", "nicht", "kein", "keine", "dass", "wie", "was", "wer", "wo", "als", "noch", "schon", "jetzt", "dort", "hier", "mehr", "sehr", "um", "über",
        "unter", "vor", "seit", "bis", "denn", "wenn", "ob", "jeder", "jede", "jedes", "dieser", "diese", "dieses", "zudem", "dann", "also",
        // French
        "le", "la", "les", "l'", "un", "une", "du", "de", "d'", "et", "ou", "mais", "donc", "ni", "car", "en", "dans", "sur", "sous", "pour", "par", "avec", "sans", "à", "au",
        "aux", "ce", "cet", "cette", "ces", "il", "elle", "ils", "elles", "on", "nous", "vous", "je", "tu", "est", "sont", "était", "ont", "être", "avoir", "qui", "que", "qu'",
        "quoi", "ne", "pas", "plus", "moins", "très", "se", "sa", "son", "ses", "leur", "leurs", "y", "comme", "aussi", "après", "avant", "depuis", "entre", "c'est", "soit",
        // Spanish
        "el", "los", "las", "unos", "unas", "y", "o", "pero", "del", "con", "sin", "por", "para", "al", "es", "fue", "era", "qué", "como", "cómo", "más", "menos", "muy", "su",
        "sus", "lo", "le", "este", "esta", "estos", "estas", "ese", "esa", "hay",
    ])
});

/// Words of sentences that only move the reader along ("Here is the uncomfortable part.", "Let's
/// dive in.", "But wait.", "Doch der Reihe nach."): a short sentence of nothing but these and
/// stop words says nothing an infographic could show.
static DISCOURSE_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(&[
        "part", "thing", "things", "truth", "catch", "problem", "twist", "kicker", "news", "bad", "good", "great", "uncomfortable", "interesting", "surprising", "dive",
        "deep", "deeper", "wait", "look", "closer", "talk", "talking", "numbers", "story", "different", "tell", "tells", "mean", "means", "matter", "matters", "question",
        "answer", "short", "long", "surprise", "spoiler", "depends", "true", "sounds", "sound", "right", "really", "okay", "ok", "well", "think", "again", "guess", "know",
        "read", "next", "first", "start", "begin", "turns", "worse", "better", "gets", "get", "happens", "happened", "see", "find", "me", "explain", "point", "simple", "fact",
        "bottom", "line", "stay", "tuned", "big", "reason", "secret", "crucial", "important", "key", "on", "hold", "anyway", "actually", "course", "sure", "basically", "honest",
        "frankly", "spoilers", "idea", "hmm", "wow", "yes", "yeah", "nope", "now", "go", "going", "let's", "come", "comes", "shall", "ready", "plot", "thickens", "gets",
        // German
        "reihe", "haken", "kommt", "frage", "antwort", "punkt", "sache", "warte", "moment", "wahrheit", "gut", "schlecht", "nachricht", "klingt", "eigentlich", "genau",
        "los", "geht", "gehts", "spannend", "wichtig",
        // French
        "commençons", "commencement", "pourtant", "voilà", "attendez", "question", "problème", "vérité", "hic", "bref", "alors", "justement", "voyons", "bien", "vrai",
        // Spanish
        "vamos", "espera", "verdad", "problema", "pregunta", "bueno", "pues", "empecemos",
    ])
});


/// Why no outline could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the text is too short to outline: at least {MIN_SECTIONS} sentences are needed")]
pub struct TooShort;

/// An outline of `article`. Its title is the article's own, or one written from its text: never
/// `_prompt`, the user's instruction ("an infographic for our newsletter"), which names no
/// article. `wanted`: the layout asked for (`Auto`: suggest one).
pub fn outline(article: &Article, _prompt: &str, wanted: Layout) -> Result<Outline, TooShort> {
    let headline = headline(article);
    let (title, title_sentence) = match headline.clone() {
        Some(title) => (title, None),
        None => written_title(&article.text),
    };
    let subtitle = subtitle_of(article, &title, title_sentence.as_deref());
    let mut sections = from_headings(article, headline.as_deref());
    if sections.len() < MIN_SECTIONS {
        sections = from_sentences(&article.text, subtitle.as_deref());
    }
    if sections.len() < MIN_SECTIONS && subtitle.is_some() {
        // A short text needs its first sentence as a section more than as a subtitle.
        sections = from_sentences(&article.text, None);
    }
    if sections.len() < MIN_SECTIONS {
        return Err(TooShort);
    }
    sections.truncate(OUTLINE_MAX_SECTIONS);
    let layout = if wanted == Layout::Auto { suggest(&sections) } else { wanted };
    let subtitle = subtitle.map(|s| clip(&s, SUBTITLE_MAX_CHARS));
    Ok(Outline { title: clip(&title, TITLE_MAX_CHARS), subtitle, sections, layout })
}

/// The article's headline: its first heading when the page title starts with it, else the page
/// title without a trailing " | Site name" (or " – Site name": a short tail, or the site's name).
pub(crate) fn headline(article: &Article) -> Option<String> {
    let title = article.title.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
    if let Some(heading) = article.headings.first().filter(|h| !h.is_empty() && title.starts_with(h.as_str())) {
        return Some(heading.clone());
    }
    let site = article.site_name.as_deref().map(str::trim).unwrap_or_default();
    for separator in [" | ", " – ", " — ", " - "] {
        let Some((head, tail)) = title.rsplit_once(separator).filter(|(head, _)| head.chars().count() >= 10) else { continue };
        let tail = tail.trim();
        if separator == " | " || tail.split_whitespace().count() <= 3 || (!site.is_empty() && tail.eq_ignore_ascii_case(site)) {
            return Some(head.trim().to_string());
        }
    }
    Some(title.to_string())
}

/// A short title for a text without one: the opening clause of its first sentence that says
/// something, and that sentence (so the subtitle does not repeat it). "Infographic" for a text
/// with no sentence at all (it gets no outline anyway).
fn written_title(text: &str) -> (String, Option<String>) {
    let Some(sentence) = text.lines().flat_map(sentences).find(|s| !is_filler(s)) else {
        return ("Infographic".into(), None);
    };
    let mut title = String::new();
    for clause in sentence.split_inclusive([',', ';', ':']) {
        let too_long = title.chars().count() + clause.chars().count() > WRITTEN_TITLE_CHARS;
        // Enough words, or more than a title's worth of text already (a sentence of commas).
        if too_long && (title.split_whitespace().count() >= 3 || title.chars().count() > WRITTEN_TITLE_CHARS) {
            break;
        }
        title.push_str(clause);
    }
    let title = title.trim().trim_end_matches([',', ';', ':', '.', '!']).trim();
    (clip(title, WRITTEN_TITLE_CHARS), Some(sentence))
}

/// The subtitle: the excerpt's first sentence (a fetched page's description or standfirst), else
/// the first sentence of the text's opening paragraphs that says something, neither the title
/// nor a heading nor the sentence the title was written from.
fn subtitle_of(article: &Article, title: &str, title_sentence: Option<&str>) -> Option<String> {
    let usable = |s: &str| s.split_whitespace().count() >= 4 && !is_filler(s) && s.trim() != title.trim() && Some(s) != title_sentence;
    if let Some(excerpt) = article.excerpt.as_deref() {
        let first = first_sentence(excerpt);
        if usable(&first) {
            return Some(first);
        }
    }
    // The opening lines only: a pasted text may have thousands of headings to compare with.
    let lines = article.text.lines().map(str::trim).filter(|l| !l.is_empty()).take(12);
    let paragraphs = lines.filter(|l| *l != title.trim() && !article.headings.iter().any(|h| h == l));
    paragraphs.take(3).flat_map(sentences).find(|s| usable(s))
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
    // A few more sections than are kept are built, so that headings with nothing under them
    // (a table of contents, a caption) can be left out; the next heading still ends the last
    // one's text.
    let built = OUTLINE_MAX_SECTIONS * 3;
    for heading in headings.iter().take(built + 1) {
        match text[cursor..].find(heading) {
            Some(at) => {
                spans.push((cursor + at, cursor + at + heading.len()));
                cursor += at + heading.len();
            }
            None => spans.push((cursor, cursor)),
        }
    }
    let mut sections = Vec::new();
    for (i, heading) in headings.iter().enumerate().take(built) {
        let body_end = spans.get(i + 1).map_or(text.len(), |(start, _)| *start);
        let body = text.get(spans[i].1..body_end.max(spans[i].1)).unwrap_or_default();
        sections.push(section(heading, &body.split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    if sections.iter().filter(|s| !s.line.is_empty()).count() >= MIN_SECTIONS {
        sections.retain(|s| !s.line.is_empty());
    }
    sections.truncate(OUTLINE_MAX_SECTIONS);
    sections
}

/// A figure's strength when it is a percentage, money or a ratio: what an infographic is built on.
const STRONGEST: u8 = 5;

/// For a text without headings: the sentences carrying its strongest figures (percentages,
/// money, ratios, large counts before a number with a unit), then the first sentences of its
/// paragraphs that say something, kept in the order they come. `subtitle`: not repeated unless
/// it holds a strong figure.
fn from_sentences(text: &str, subtitle: Option<&str>) -> Vec<OutlineSection> {
    let paragraphs: Vec<&str> = text.lines().map(str::trim).filter(|l| l.split_whitespace().count() >= 4).collect();
    // (order, strength, figure, sentence) of every sentence with a figure worth drawing.
    let mut figures: Vec<(usize, u8, String, String)> = Vec::new();
    let mut leads: Vec<(usize, String)> = Vec::new();
    let mut order = 0;
    for paragraph in &paragraphs {
        let mut led = false;
        for sentence in sentences(paragraph) {
            order += 1;
            let figure = key_figure(&sentence);
            // The subtitle is not said twice, unless it carries a figure of the strongest kind
            // (a percentage, money, a ratio): those belong in a section.
            let strong = figure.as_ref().is_some_and(|f| f.strength >= STRONGEST);
            if is_filler(&sentence) || (Some(sentence.as_str()) == subtitle && !strong) {
                continue;
            }
            match figure {
                Some(figure) if figure.strength >= 2 => figures.push((order, figure.strength, figure.text, sentence)),
                _ if !led => leads.push((order, sentence)),
                _ => {}
            }
            led = true;
        }
    }
    figures.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut seen = HashSet::new();
    let mut picked: Vec<(usize, String)> = Vec::new();
    for (order, _, figure, sentence) in figures {
        if picked.len() >= OUTLINE_MAX_SECTIONS {
            break;
        }
        // The same figure twice says it once.
        if seen.insert(figure.to_lowercase()) {
            picked.push((order, sentence));
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

/// A section: its line is the sentence with its strongest figure (else its first sentence that
/// says something), and that sentence is its source. A bare number is no figure.
fn section(heading: &str, body: &str) -> OutlineSection {
    let all = sentences(body);
    let saying: Vec<&String> = all.iter().filter(|s| !is_filler(s)).collect();
    let saying = if saying.is_empty() { all.iter().collect() } else { saying };
    let mut key: Option<(&String, Figure)> = None;
    for sentence in &saying {
        if let Some(figure) = key_figure(sentence).filter(|f| f.strength >= 2) {
            if key.as_ref().is_none_or(|(_, best)| figure.strength > best.strength) {
                key = Some((sentence, figure));
            }
        }
    }
    let chosen = key.as_ref().map(|(s, _)| *s).or(saying.first().copied());
    OutlineSection {
        heading: clip(heading, HEADING_MAX_CHARS),
        line: chosen.map(|s| clip(s, LINE_MAX_CHARS)).unwrap_or_default(),
        figure: key.map(|(_, f)| clip(&f.text, FIGURE_MAX_CHARS)),
        source: chosen.map(|s| clip(s, SOURCE_MAX_CHARS)),
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

/// A word as the word lists hold it: lower-case, without the punctuation around it.
fn word_key(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’').trim_matches(['\'', '’']).replace('’', "'").to_lowercase()
}

/// A short sentence without a figure made only of stop words and words that move the reader
/// along: "Here is the uncomfortable part.", "Let's dive in.", "But wait."
fn is_filler(sentence: &str) -> bool {
    let words: Vec<&str> = sentence.split_whitespace().take(9).collect();
    if words.is_empty() || words.len() > 8 || sentence.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    words.iter().map(|w| word_key(w)).all(|w| w.is_empty() || STOP_WORDS.contains(w.as_str()) || DISCOURSE_WORDS.contains(w.as_str()))
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
    // "Step 2", "2.", "3)": a sentence starting with a figure ("40 % of …") is no step.
    let numbered = |w: &str| w.len() > 1 && w.ends_with(['.', ')', ':']) && w[..w.len() - 1].parse::<u32>().is_ok();
    let steps = text.iter().filter(|t| t.starts_with("step") || t.split_whitespace().next().is_some_and(numbered)).count();
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

#[cfg(test)]
mod tests;

#[cfg(test)]
mod quality;
