//! The outline builder that needs nothing but the article: its title (or a short one written from
//! its first sentence), a subtitle from its standfirst, and sections from its headings (or, for a
//! text without headings, from the sentences carrying its strongest figures and its paragraphs'
//! first sentences), each with one line, its key figure with its unit ("40 %", "7,000 hives",
//! "1 in 5 colonies") and the sentence it came from, filler sentences ("Let's dive in.") left
//! out, and a layout that fits what was found (dates: a timeline; steps: a process; figures:
//! statistics). Linear in the text: every look around a number is bounded.

use crate::model::design::{Layout, Outline, OutlineSection, FIGURE_MAX_CHARS, HEADING_MAX_CHARS, LINE_MAX_CHARS, OUTLINE_MAX_SECTIONS, SOURCE_MAX_CHARS, SUBTITLE_MAX_CHARS, TITLE_MAX_CHARS};
use crate::server::blog::extract::Article;
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

/// The fewest sections an outline is worth reviewing with.
pub const MIN_SECTIONS: usize = 3;

/// The longest title written from the text when the article has none.
const WRITTEN_TITLE_CHARS: usize = 60;

/// A number as written: grouped thousands ("7,000", "40.000", "103 000" with a no-break space)
/// or plain, with decimals ("1.5", "1,4").
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{1,3}(?:[,.\x{a0}\x{202f}]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?").unwrap_or_else(|e| unreachable!("the pattern is valid: {e}"))
});
/// Right after a number: a range's other end ("6 to 8 weeks", "5-8 kWh").
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\s*[-–]\s*|\s+(?:to|bis|à|au)\s+)\d+(?:[.,]\d+)?").unwrap_or_else(|e| unreachable!("the pattern is valid: {e}"))
});
/// Right after a number: the rest of a ratio ("1 in 5", "56 of the 61", "1 von 4").
static RATIO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+(?:in|out of|of(?: the)?|von|sur|de cada)\s+\d{1,3}(?:[,.]\d{3})*\b").unwrap_or_else(|e| unreachable!("the pattern is valid: {e}"))
});
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(1[5-9]\d\d|20\d\d)\b").unwrap_or_else(|e| unreachable!("the pattern is valid: {e}")));

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

/// Words after a number that are not its unit: verbs and the like ("18 made it permanent").
static NOT_UNITS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(&[
        "made", "said", "went", "took", "kept", "got", "came", "saw", "found", "gave", "left", "felt", "became", "began", "paid", "sold", "bought", "spent", "lost", "won",
        "ran", "rose", "fell", "grew", "knew", "thought", "told", "brought", "meant", "held", "stood", "say", "says", "think", "want", "need", "get", "make", "see",
        "percent", "am", "pm", "a.m", "p.m", "times", "st", "nd", "rd", "th",
    ])
});

static MONTHS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(&[
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul",
        "aug", "sep", "sept", "oct", "nov", "dec", "januar", "februar", "märz", "mai", "juni", "juli", "oktober", "dezember", "janvier", "février", "mars", "avril", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
        "noviembre", "diciembre",
    ])
});

/// Words right before a year that make it a date ("in 2019", "seit 2005", "depuis 2010").
static BEFORE_YEARS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(&["in", "since", "by", "from", "until", "till", "of", "year", "before", "after", "seit", "im", "bis", "jahr", "ab", "en", "depuis", "année", "desde", "año", "until", "early", "late", "mid"])
});

const PERCENT_WORDS: [&str; 6] = ["percent", "prozent", "pourcent", "procent", "porcentaje", "pct"];
const SCALE_WORDS: [&str; 20] = [
    "million", "millions", "billion", "billions", "trillion", "bn", "thousand", "millionen", "milliarden", "milliarde", "mio.", "mrd.", "mio", "mrd", "milliards", "milliard",
    "millones", "millón", "mil", "tausend",
];
/// Currencies written after the amount (cents are a unit: "35 cents" is no headline sum).
const CURRENCY_WORDS: [&str; 23] = [
    "€", "$", "£", "¥", "euro", "euros", "dollars", "dollar", "pounds", "pound", "kronen", "kroner", "kronor", "krone", "crowns", "yen", "francs", "franken", "chf", "eur", "usd",
    "gbp", "pesos",
];
const MULTIPLE_WORDS: [&str; 5] = ["times", "fois", "mal", "veces", "×"];
/// What a multiple is of ("4 times more", "4 fois plus", "3-mal seltener").
const COMPARATIVES: [&str; 24] = [
    "more", "less", "fewer", "higher", "lower", "bigger", "larger", "smaller", "faster", "slower", "cheaper", "plus", "moins", "mehr", "weniger", "seltener", "häufiger",
    "öfter", "schneller", "teurer", "günstiger", "más", "menos", "likelier",
];
/// Units that need no noun after them ("10 kWh battery" is "10 kWh").
const SHORT_UNITS: [&str; 24] = [
    "kg", "km", "kwh", "mwh", "gwh", "kw", "mw", "gw", "m", "cm", "mm", "g", "mg", "ml", "l", "h", "min", "sec", "gb", "mb", "tb", "mph", "km/h", "m²",
];
/// Words right before a number that change what it says ("up to 6 km", "more than 7,000").
/// Longer ones first: "just over" before "over".
const QUALIFIERS: [&str; 38] = [
    "just under", "just over", "up to", "about", "around", "roughly", "nearly", "almost", "over", "more than", "fewer than", "less than", "at least", "at most", "some", "under",
    "approximately", "an estimated", "rund", "etwa", "fast", "mehr als", "über", "bis zu", "knapp", "weniger als", "mindestens", "environ", "près de", "plus de", "moins de",
    "jusqu'à", "presque", "casi", "más de", "menos de", "alrededor de", "cerca de",
];

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

/// A figure of a sentence as it is written, and how much it says: 5 a percentage, money or a
/// ratio; 4 a multiple ("3x") or a count in thousands or more with its unit; 3 a count in
/// hundreds with its unit; 2 another number with its unit (or a range); 1 a bare number (an
/// age, a version, a bug number: never drawn as a figure).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Figure {
    text: String,
    strength: u8,
}

/// The key figure of a sentence: its strongest (the first of equals), with its unit and
/// qualifier ("up to 200,000 bees"); never a bare number, a year, a date or a time of day.
pub fn figure_of(sentence: &str) -> Option<String> {
    key_figure(sentence).filter(|f| f.strength >= 2).map(|f| clip(&f.text, FIGURE_MAX_CHARS))
}

fn key_figure(sentence: &str) -> Option<Figure> {
    let mut best: Option<Figure> = None;
    for m in NUMBER.find_iter(sentence) {
        if let Some(figure) = figure_at(sentence, m.start(), m.end()) {
            if best.as_ref().is_none_or(|b| figure.strength > b.strength) {
                best = Some(figure);
            }
        }
    }
    best
}

/// At most `chars` characters of `text` from byte `at` on (a char boundary).
fn after(text: &str, at: usize, chars: usize) -> &str {
    let rest = text.get(at..).unwrap_or_default();
    rest.char_indices().nth(chars).map_or(rest, |(end, _)| &rest[..end])
}

/// At most `chars` characters of `text` before byte `at` (a char boundary).
fn before(text: &str, at: usize, chars: usize) -> &str {
    let head = text.get(..at).unwrap_or_default();
    head.char_indices().rev().nth(chars.saturating_sub(1)).map_or(head, |(start, _)| &head[start..])
}

/// The word starting after up to two whitespace characters at byte `at`: its byte span, and
/// whether punctuation ends it (then nothing after it belongs to the figure). None when the next
/// thing is not a word of at most 30 characters.
fn next_word(text: &str, at: usize) -> Option<(usize, usize, bool)> {
    let window = after(text, at, 34);
    let skipped: usize = window.chars().take_while(|c| c.is_whitespace()).take(3).map(char::len_utf8).sum();
    if skipped == 0 || window[skipped..].starts_with(char::is_whitespace) {
        return None;
    }
    let word_len: usize = window[skipped..].chars().take_while(|c| !c.is_whitespace()).map(char::len_utf8).sum();
    let word = &window[skipped..skipped + word_len];
    if word.is_empty() || (skipped + word_len == window.len() && after(text, at, 35).len() > window.len()) {
        return None;
    }
    let bare = word.trim_end_matches(|c: char| matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | ')' | '"' | '”' | '»' | '\'' | '’'));
    // "Mio." and "Mrd." end in a stop and go on ("1,2 Mio. Euro").
    let ends = bare.len() < word.len() && !SCALE_WORDS.contains(&word.to_lowercase().as_str());
    let start = at + skipped;
    Some((start, start + bare.len(), ends))
}

/// Whether a word can be a figure's unit: a word (not a stop word, a month, a verb).
fn unit_word(word: &str) -> bool {
    let key = word.to_lowercase();
    word.chars().next().is_some_and(char::is_alphabetic)
        && word.chars().all(|c| c.is_alphabetic() || matches!(c, '-' | '/' | '²' | '³' | '\'' | '’'))
        && !STOP_WORDS.contains(key.as_str())
        && !MONTHS.contains(key.as_str())
        && !NOT_UNITS.contains(key.as_str())
}

/// The figure whose number is at `start..end` of `text`, if it is one.
fn figure_at(text: &str, start: usize, end: usize) -> Option<Figure> {
    let number = &text[start..end];
    // Part of a word or a code ("A4", "COVID19"), a time ("10:30") or a decimal's tail.
    let prev = text[..start].chars().next_back();
    let next = text[end..].chars().next();
    if prev.is_some_and(|c| c.is_alphanumeric() || c == ':' || c == '.' || c == ',') || next == Some(':') && text[end + 1..].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (mut percent, mut money, mut ratio, mut multiple, mut scaled, mut unit) = (false, false, false, false, false, false);
    let mut core_end = end;
    // A currency sign before ("$1.2", "€ 750").
    let head = before(text, start, 3);
    let sign_at = head.trim_end().char_indices().next_back().filter(|(_, c)| matches!(c, '$' | '€' | '£' | '¥' | '₹')).map(|(i, _)| start - head.len() + i);
    let core_start = sign_at.unwrap_or(start);
    money |= sign_at.is_some();
    // Letters glued to the number: "3x", "2.4x", "3-mal", "5km", "50k"; ordinals are not figures.
    let glued: String = after(text, end, 6).chars().take_while(|c| c.is_alphabetic() || *c == '%' || *c == '-' || *c == '×').collect();
    if !glued.is_empty() {
        let key = glued.to_lowercase();
        match key.as_str() {
            "x" | "×" | "-mal" | "-fach" | "-fold" => multiple = true,
            "%" => percent = true,
            "k" => scaled = true,
            "m" | "bn" if money => scaled = true,
            k if SHORT_UNITS.contains(&k) => unit = true,
            k if k.starts_with('-') => {}
            _ => return None,
        }
        if !key.starts_with('-') || multiple {
            core_end = end + glued.len();
        }
    } else if text[end..].starts_with('+') {
        // "40+ years"
        core_end = end + 1;
    }
    // A range's other end: "6 to 8 weeks".
    if !percent && !multiple {
        if let Some(range) = RANGE.find(after(text, core_end, 16)) {
            core_end += range.end();
        }
    }
    if !percent && !money && !multiple && !unit {
        if let Some(rest) = RATIO.find(after(text, core_end, 24)) {
            core_end += rest.end();
            ratio = true;
        }
    }
    let mut unit_end = core_end;
    let mut words_left = 3;
    while words_left > 0 && !(percent || multiple || unit) {
        words_left -= 1;
        let Some((w_start, w_end, ends)) = next_word(text, unit_end) else { break };
        let word = &text[w_start..w_end];
        let key = word.to_lowercase();
        if !scaled && SCALE_WORDS.contains(&key.as_str()) {
            scaled = true;
            core_end = w_end;
        } else if key == "%" || PERCENT_WORDS.contains(&key.as_str()) || (key == "per" && after(text, w_end, 5).trim_start().starts_with("cent")) {
            percent = true;
            core_end = if key == "per" { w_end + after(text, w_end, 6).find("cent").map_or(0, |at| at + 4) } else { w_end };
        } else if key == "pour" && after(text, w_end, 6).trim_start().starts_with("cent") {
            percent = true;
            core_end = w_end + after(text, w_end, 6).find("cent").map_or(0, |at| at + 4);
        } else if CURRENCY_WORDS.contains(&key.as_str()) {
            money = true;
            core_end = w_end;
        } else if MULTIPLE_WORDS.contains(&key.as_str()) && !ratio {
            multiple = true;
            core_end = w_end;
        } else if unit_word(word) && !money {
            unit = true;
            unit_end = w_end;
            // "7,000 registered hives": an adjective, then the plural noun it describes.
            let short = SHORT_UNITS.contains(&key.as_str());
            if !ends && !short && !key.ends_with('s') {
                if let Some((n_start, n_end, _)) = next_word(text, w_end) {
                    let noun = &text[n_start..n_end];
                    if noun.ends_with('s') && unit_word(noun) && !noun.ends_with("ss") {
                        unit_end = n_end;
                    }
                }
            }
            // "18 made it" is not a unit; "18 registered hives" is.
            if unit_end == w_end && !short && (key.ends_with("ed") || key.ends_with("ing") || key.ends_with("ly")) {
                unit = false;
                unit_end = core_end;
            }
            break;
        } else {
            break;
        }
        if ends {
            break;
        }
        unit_end = core_end;
    }
    unit_end = unit_end.max(core_end);
    if multiple {
        if let Some((c_start, c_end, _)) = next_word(text, core_end).filter(|(s, e, _)| COMPARATIVES.contains(&text[*s..*e].to_lowercase().as_str())) {
            unit_end = c_end.max(c_start);
        }
    }
    let year_like = YEAR.is_match(number) && number.len() == 4;
    if year_like && !(percent || money || ratio || multiple || scaled) {
        let word_before = before(text, start, 12).split_whitespace().next_back().map(word_key).unwrap_or_default();
        if !unit || BEFORE_YEARS.contains(word_before.as_str()) {
            return None;
        }
    }
    // Dates: "12 May", "May 12".
    let month_after = next_word(text, end).is_some_and(|(s, e, _)| MONTHS.contains(text[s..e].to_lowercase().as_str()));
    let month_before = before(text, start, 12).split_whitespace().next_back().is_some_and(|w| MONTHS.contains(word_key(w).as_str()) && w.chars().next().is_some_and(char::is_uppercase));
    if (month_after || month_before) && !(percent || money || ratio) {
        return None;
    }
    let int_digits = integer_digits(number);
    let strength = if percent || money || ratio {
        STRONGEST
    } else if multiple || scaled || (int_digits >= 4 && unit && !year_like) {
        4
    } else if int_digits == 3 && unit {
        3
    } else if unit || core_end > end {
        2
    } else {
        1
    };
    let qualifier = qualifier_before(text, core_start);
    let core = text[core_start..core_end].trim();
    let noun = text[core_end..unit_end].trim();
    let parts = |with_qualifier: bool, with_noun: bool| {
        let mut parts: Vec<&str> = Vec::new();
        if with_qualifier {
            parts.extend(qualifier);
        }
        parts.push(core);
        if with_noun && !noun.is_empty() {
            parts.push(noun);
        }
        parts.join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
    };
    // Within the figure's limit: without the qualifier first, then without the noun.
    let text = [parts(true, true), parts(false, true), parts(false, false)]
        .into_iter()
        .find(|t| t.chars().count() <= FIGURE_MAX_CHARS)
        .unwrap_or_else(|| clip(core, FIGURE_MAX_CHARS));
    Some(Figure { text, strength })
}

/// Digits before the decimal point: "7,000" → 4, "1.5" → 1, "40.000" → 5 (a group of three
/// after the last separator is thousands).
fn integer_digits(number: &str) -> usize {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).count();
    match number.rfind(|c: char| !c.is_ascii_digit()) {
        Some(at) if digits(&number[at..]) != 3 => digits(&number[..at]),
        _ => digits(number),
    }
}

/// The qualifier right before byte `at` ("up to", "more than", "environ"), as written.
fn qualifier_before(text: &str, at: usize) -> Option<&str> {
    let head = before(text, at, 24);
    let trimmed = head.trim_end();
    if trimmed.len() == head.len() {
        return None;
    }
    QUALIFIERS.iter().find_map(|q| {
        let n = q.chars().count();
        let (start, _) = trimmed.char_indices().rev().nth(n.checked_sub(1)?)?;
        let candidate = &trimmed[start..];
        let boundary = trimmed[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        (boundary && candidate.to_lowercase() == *q).then_some(candidate)
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    const BEEKEEPING: &str = include_str!("testdata/beekeeping.txt");

    fn figures(o: &Outline) -> Vec<&str> {
        o.sections.iter().filter_map(|s| s.figure.as_deref()).collect()
    }

    fn within_limits(o: &Outline) {
        assert!(!o.title.is_empty() && o.title.chars().count() <= TITLE_MAX_CHARS, "{o:?}");
        assert!(o.subtitle.as_ref().is_none_or(|s| s.chars().count() <= SUBTITLE_MAX_CHARS), "{o:?}");
        assert!((MIN_SECTIONS..=OUTLINE_MAX_SECTIONS).contains(&o.sections.len()), "{o:?}");
        for s in &o.sections {
            assert!(!s.heading.is_empty() && s.heading.chars().count() <= HEADING_MAX_CHARS, "{s:?}");
            assert!(s.line.chars().count() <= LINE_MAX_CHARS, "{s:?}");
            assert!(s.figure.as_ref().is_none_or(|f| f.chars().count() <= FIGURE_MAX_CHARS), "{s:?}");
            assert!(s.source.as_ref().is_none_or(|f| f.chars().count() <= SOURCE_MAX_CHARS), "{s:?}");
        }
        assert!(o.validated().is_ok(), "{o:?}");
    }

    #[test]
    fn figures_keep_their_units_and_qualifiers_and_dates_are_not_figures() {
        for (sentence, figure) in [
            ("Sales rose 58 % in a year.", "58 %"),
            ("It cost $2.5 million to build.", "$2.5 million"),
            ("1 in 3 people would quit.", "1 in 3 people"),
            ("A forager flies up to 6 km.", "up to 6 km"),
            ("In 1998 they built 40 hives.", "40 hives"),
            ("London now has more than 7,000 registered hives, up from 3,500.", "more than 7,000 registered hives"),
            ("A hive gives 1.5 kilograms of honey a month.", "1.5 kilograms"),
            ("New beekeepers wait 6 to 8 weeks before the first harvest.", "6 to 8 weeks"),
            ("That is 3x the density the flowers can feed.", "3x"),
            ("Each hive adds up to 200,000 bees to the city.", "up to 200,000 bees"),
            ("Last year London spent £1.2 million on meadows, enough for 150 hectares.", "£1.2 million"),
            ("Surveys find that 1 in 5 colonies carries mites.", "1 in 5 colonies"),
            ("56 of the 61 companies kept the shorter week, and 18 made it permanent.", "56 of the 61 companies"),
            ("In 2022 people drank 3 cups of tea a day.", "3 cups"),
            ("A typical 10 kWh battery costs €8,500 installed.", "€8,500"),
            ("62 Prozent der Pendler fahren mit dem Rad.", "62 Prozent"),
            ("Ein Radweg kostet 1,2 Millionen Euro pro Kilometer.", "1,2 Millionen Euro"),
            ("Jeden Morgen fahren mehr als 40.000 Radfahrer über die Brücke.", "mehr als 40.000 Radfahrer"),
            ("Radfahrer sind 3-mal seltener krank.", "3-mal seltener"),
            ("That is 3x the density, and 4 times more bees.", "3x"),
            ("Après un vote où 89\u{a0}% des participants ont dit non.", "89\u{a0}%"),
            ("Soit environ 103\u{202f}000 votants.", "environ 103\u{202f}000 votants"),
            ("The paper had not changed for 40+ years.", "40+ years"),
            ("At 35 cents a kilowatt-hour, the battery saves about €750 a year.", "about €750"),
        ] {
            let found = figure_of(sentence);
            assert_eq!(found.as_deref().map(|f| f.split_whitespace().collect::<Vec<_>>().join(" ")), Some(figure.split_whitespace().collect::<Vec<_>>().join(" ")), "{sentence}");
        }
        for sentence in ["In 1998 nothing happened.", "No numbers here.", "We met on 12 May at 10:30 sharp.", "She came 2nd of all.", "COVID19 closed the schools.", "In the 1990s hives were rare.", "Thank you for fixing Bug 1553982!", "Eloise Parry, 21, was taken to hospital."] {
            assert_eq!(figure_of(sentence), None, "{sentence}");
        }
    }

    #[test]
    fn filler_sentences_are_told_from_short_ones_that_say_something() {
        for filler in ["Here is the uncomfortable part.", "Let's dive in.", "But wait.", "Here's the thing:", "Sounds too good to be true?", "Doch der Reihe nach.", "Commençons par le commencement."] {
            assert!(is_filler(filler), "{filler}");
        }
        for saying in ["Bees are dying.", "The wild bees lose out.", "Councils have noticed.", "Sales rose 5 %.", "So before you buy a hive, plant a window box."] {
            assert!(!is_filler(saying), "{saying}");
        }
    }

    #[test]
    fn a_pasted_article_keeps_its_title_standfirst_strongest_figures_with_units_and_no_filler() {
        let o = outline(&article_of_text(BEEKEEPING), "An infographic about urban beekeeping for our newsletter", Layout::Auto).expect("outline");
        within_limits(&o);
        assert_eq!(o.title, "Bees on the Roof: Why Urban Beekeeping Is Booming, and What It Quietly Costs the Wild Bees");
        assert_eq!(o.subtitle.as_deref(), Some("City hives have never been more popular, but the bees already living in our parks are paying for the boom."));
        let figures = figures(&o);
        for strongest in ["40 %", "1 in 5 colonies", "up to 200,000 bees", "more than 7,000 registered hives", "£1.2 million", "3x"] {
            assert!(figures.contains(&strongest), "{strongest} in {figures:?}");
        }
        assert!(figures.iter().all(|f| f.chars().any(|c| !(c.is_ascii_digit() || matches!(c, ',' | '.' | ' ')))), "a bare number: {figures:?}");
        for filler in ["Let's dive in", "Here is the uncomfortable part", "But wait"] {
            assert!(o.sections.iter().all(|s| !s.line.starts_with(filler) && !s.heading.starts_with(filler)), "{filler} kept: {o:?}");
        }
        assert_eq!(o.layout, Layout::Statistics);
    }

    #[test]
    fn a_standfirst_with_the_strongest_figure_is_still_a_section() {
        let text = "Remote work in numbers\nIn 2024, 58 % of office workers worked from home at least once a week. Most of them were parents.\n\
                    The average commute took 54 minutes a day. Hybrid workers saved 2 hours a week.\n\
                    On Fridays 1 in 3 desks stood empty. Landlords cut rents by 12 % in city centres.";
        let o = outline(&article_of_text(text), "", Layout::Auto).expect("outline");
        assert!(o.subtitle.as_deref().is_some_and(|s| s.contains("58 %")), "{o:?}");
        assert_eq!(o.sections.first().and_then(|s| s.figure.as_deref()), Some("58 %"), "{o:?}");
    }

    #[test]
    fn a_text_without_a_title_gets_a_short_one_written_from_it_never_the_prompt() {
        let text = include_str!("testdata/four-day-week.txt");
        let prompt = "Make a LinkedIn infographic from this";
        let article = article_of_text(text);
        assert_eq!(article.title, None, "its first line is a paragraph");
        let o = outline(&article, prompt, Layout::Auto).expect("outline");
        within_limits(&o);
        assert_eq!(o.title, "When 61 British companies tried a four-day week in 2022");
        assert!(o.title.chars().count() <= WRITTEN_TITLE_CHARS);
        assert!(o.subtitle.as_deref().is_some_and(|s| s.starts_with("The trial ran for 6 months")), "{o:?}");
        assert!(o.sections.iter().all(|s| Some(&s.line) != o.subtitle.as_ref()), "the subtitle is not repeated: {o:?}");
        // A fetched page without any title: written from its text too.
        let page = Article { text: text.to_string(), ..Article::default() };
        assert_eq!(outline(&page, prompt, Layout::Auto).expect("outline").title, o.title);
    }

    #[test]
    fn titles_that_end_in_a_question_mark_and_non_english_figures_are_kept() {
        let o = outline(&article_of_text(include_str!("testdata/trottinettes.txt")), "Trottinettes", Layout::Auto).expect("outline");
        within_limits(&o);
        assert_eq!(o.title, "Faut-il avoir peur des trottinettes électriques ?", "the no-break space is tidied");
        assert!(figures(&o).contains(&"89 %") && figures(&o).contains(&"4 fois plus"), "{o:?}");
        assert!(o.sections.iter().all(|s| !s.line.starts_with("Commençons")), "{o:?}");
        let o = outline(&article_of_text(include_str!("testdata/radverkehr.txt")), "Rad", Layout::Auto).expect("outline");
        assert_eq!(o.title, "Radfahren in Kopenhagen: Was deutsche Städte lernen können");
        assert!(figures(&o).contains(&"62 Prozent") && figures(&o).contains(&"1,2 Millionen Euro"), "{o:?}");
    }

    #[test]
    fn hostile_input_is_bounded_unicode_safe_and_within_the_limits() {
        let texts = [
            "1 in 1 ".repeat(30_000),
            format!("Title\n{}", "€1,000,".repeat(20_000)),
            format!("{}.\nMore text here now. And more text here. Even more text here.", "a,".repeat(50_000)),
            "é1é1 ü2% 日本3x 🐝4 kg. ".repeat(8_000),
            format!("{}\nBees make honey here. Bees make wax here. Bees make more bees.", "Heading line\n".repeat(20_000)),
            "Here is the uncomfortable part. ".repeat(5_000),
            format!("{} bees.", "9".repeat(100_000)),
            "up to \u{a0}\u{202f}40\u{a0}% of 7\u{202f}000 ruches. ".repeat(5_000),
        ];
        // No time limit is asserted (a limit fails on a busy machine, not on slow code): linear work
        // takes seconds here unoptimised, a quadratic one would take many minutes and be stopped by
        // the runner's per-test deadline (`.config/nextest.toml`).
        for text in &texts {
            if let Ok(o) = outline(&article_of_text(text), "x", Layout::Auto) {
                within_limits(&o);
            }
            let page = Article { title: Some(text.chars().take(500).collect()), excerpt: Some(text.clone()), text: text.clone(), headings: vec![text.chars().take(90).collect(); 40], ..Article::default() };
            if let Ok(o) = outline(&page, "x", Layout::Auto) {
                within_limits(&o);
            }
        }
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
        assert_eq!(o.sections[1].figure.as_deref(), Some("up to 6 km"));
        assert_eq!(o.sections[1].source.as_deref(), Some("Scouts fly up to 6 km from the hive."));
        assert_eq!(o.sections[0].line, "Each second of waggling means about 1 km.");
        assert_eq!(o.layout, Layout::Statistics, "three figures");
        assert_eq!(outline(&article, "Bees", Layout::Cycle).expect("outline").layout, Layout::Cycle, "the asked layout wins");
    }

    #[test]
    fn headings_with_nothing_under_them_are_left_out() {
        let article = Article {
            title: Some("Bees".into()),
            text: "Contents\nDance\nScouts fly up to 6 km.\nWax\nA hive makes 1 kg of wax a year.\nHoney\nA hive makes 25 kg of honey.".into(),
            headings: vec!["Contents".into(), "Dance".into(), "Wax".into(), "Honey".into()],
            ..Article::default()
        };
        let o = outline(&article, "Bees", Layout::Auto).expect("outline");
        let headings: Vec<&str> = o.sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(headings, ["Dance", "Wax", "Honey"]);
    }

    #[test]
    fn a_page_title_loses_its_site_name_but_not_its_own_dash() {
        let page = |title: &str| Article { title: Some(title.into()), site_name: Some("Bee Blog".into()), ..Article::default() };
        assert_eq!(headline(&page("Why bees dance | Bee Blog")).as_deref(), Some("Why bees dance"));
        assert_eq!(headline(&page("Why bees dance and sing - Bee Blog")).as_deref(), Some("Why bees dance and sing"));
        assert_eq!(headline(&page("Radfahren in Kopenhagen - Was deutsche Städte lernen können")).as_deref(), Some("Radfahren in Kopenhagen - Was deutsche Städte lernen können"));
    }

    #[test]
    fn pasted_text_without_headings_is_outlined_from_its_sentences() {
        let text = "Remote work in numbers\n\nIn 2019 only 5 % of people worked from home. By 2023 it was 28 % of workdays.\nCommuting took 54 minutes a day on average. People spent the time on sleep and family.\nOffices emptied: 1 in 3 desks stood unused. Landlords cut rents.\nCompanies that went hybrid kept their staff longer.";
        let article = article_of_text(text);
        assert_eq!(article.title.as_deref(), Some("Remote work in numbers"));
        let o = outline(&article, "Remote work", Layout::Auto).expect("outline");
        assert!((MIN_SECTIONS..=OUTLINE_MAX_SECTIONS).contains(&o.sections.len()), "{o:?}");
        let figures = figures(&o);
        assert!(figures.contains(&"28 %") && figures.contains(&"54 minutes") && figures.contains(&"1 in 3 desks"), "{figures:?}");
        assert!(o.subtitle.as_deref().is_some_and(|s| s.contains("5 %")), "the first sentence: {o:?}");
        assert!(outline(&article_of_text("Too short. Really."), "x", Layout::Auto).is_err());
        // Three sentences: the first is a section rather than a subtitle.
        let o = outline(&article_of_text("Bees\nBees fly 6 km. Bees make 1.5 kg of honey. A hive holds 60,000 bees."), "x", Layout::Auto).expect("outline");
        assert_eq!(o.sections.len(), 3, "{o:?}");
    }

    #[test]
    fn layouts_are_suggested_from_what_was_found() {
        let s = |heading: &str, line: &str| OutlineSection { heading: heading.into(), line: line.into(), figure: None, source: None };
        assert_eq!(suggest(&[s("1969", "Moon"), s("1989", "Wall"), s("2001", "Wiki")]), Layout::Timeline);
        assert_eq!(suggest(&[s("Step 1", "a"), s("Step 2", "b"), s("Step 3", "c")]), Layout::Process);
        assert_eq!(suggest(&[s("1. Mix", "a"), s("2. Bake", "b"), s("3. Eat", "c")]), Layout::Process);
        assert_eq!(suggest(&[s("40 % of hives", "a"), s("1 in 5 colonies", "b"), s("3 weeks on", "c")]), Layout::List, "figures are not steps");
        assert_eq!(suggest(&[s("Tea vs coffee", "a"), s("b", "b"), s("c", "c")]), Layout::Comparison);
        assert_eq!(suggest(&[s("a", "a"), s("b", "b"), s("c", "c")]), Layout::List);
    }
}

#[cfg(test)]
#[path = "heuristic_quality.rs"]
mod quality;
