//! How good the heuristic outline is, in figures (printed; nothing asserted but that the corpus
//! is there): run with
//! `cargo test -p app --no-default-features --features ssr --lib -- --ignored outline_quality --nocapture`.
//!
//! Corpus: the readability test pages (`READABILITY_FIXTURES`, or the shared fixtures beside the
//! checkout), each as a fetched page (extracted) and as pasted text (its title line, then its
//! reader-view text), and the pasted articles of `testdata/`, whose real title, key figures and
//! filler sentences are listed by hand below. Measures:
//! - title found: the outline's title equals or contains the real title (or is the real title
//!   without a " | Site" tail: contained in it and at least half its length);
//! - figures with units: figures holding more than digits and separators ("40 %", "6 weeks");
//! - numbers covered: distinct numbers of the article (years left out) in the outline's subtitle,
//!   figures or lines; key facts covered: the hand-listed strongest figures found there;
//! - filler kept: hand-listed filler sentences among the outline's subtitle, headings and lines.

use super::{article_of_text, outline};
use crate::model::design::{Layout, Outline, TITLE_MAX_CHARS};
use crate::server::blog::extract::{extract, Article};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// A pasted article of `testdata/` and what a reader would expect of its outline.
pub struct Pasted {
    pub name: &'static str,
    pub text: &'static str,
    pub title: Option<&'static str>,
    pub prompt: &'static str,
    /// The figures an infographic of it must not miss, as they are written.
    pub facts: &'static [&'static str],
    pub filler: &'static [&'static str],
}

pub const PASTED: [Pasted; 5] = [
    Pasted {
        name: "beekeeping (en)",
        text: include_str!("testdata/beekeeping.txt"),
        title: Some("Bees on the Roof: Why Urban Beekeeping Is Booming, and What It Quietly Costs the Wild Bees"),
        prompt: "An infographic about urban beekeeping for our newsletter",
        facts: &["40 %", "7,000", "1 in 5", "200,000", "£1.2 million", "3x", "1.5 kilograms"],
        filler: &["Let's dive in.", "Here is the uncomfortable part.", "But wait."],
    },
    Pasted {
        name: "radverkehr (de)",
        text: include_str!("testdata/radverkehr.txt"),
        title: Some("Radfahren in Kopenhagen: Was deutsche Städte lernen können"),
        prompt: "Radfahren in Städten",
        facts: &["62 Prozent", "40.000", "1,4 Milliarden", "1,2 Millionen", "18 Prozent", "3-mal"],
        filler: &["Doch der Reihe nach.", "Und jetzt kommt der Haken."],
    },
    Pasted {
        name: "four-day week (en, untitled)",
        text: include_str!("testdata/four-day-week.txt"),
        title: None,
        prompt: "Make a LinkedIn infographic from this",
        facts: &["61", "2,900", "65 %", "71 %", "57 %", "$1.5 million", "56 of the 61"],
        filler: &["Here's the thing.", "Sounds too good to be true?"],
    },
    Pasted {
        name: "home battery (en, markdown)",
        text: include_str!("testdata/home-battery.md"),
        title: Some("What a home battery really saves you"),
        prompt: "Home batteries",
        facts: &["€8,500", "70 %", "2.4x", "€750", "11 years", "74 %"],
        filler: &["Here is the uncomfortable part."],
    },
    Pasted {
        name: "trottinettes (fr)",
        text: include_str!("testdata/trottinettes.txt"),
        title: Some("Faut-il avoir peur des trottinettes électriques\u{a0}?"),
        prompt: "Trottinettes",
        facts: &["89\u{a0}%", "103\u{202f}000", "1 accident de trottinette sur 3", "42 morts", "4 fois", "3\u{a0}€"],
        filler: &["Commençons par le commencement.", "Et pourtant."],
    },
];

/// Whitespace collapsed (no-break spaces too), lower-cased, without a clipping ellipsis.
fn norm(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").trim_end_matches('…').trim().to_lowercase()
}

fn title_found(outline_title: &str, real: &str) -> bool {
    let (ours, real) = (norm(outline_title), norm(real));
    !ours.is_empty() && (ours.contains(&real) || (real.contains(&ours) && ours.chars().count() * 2 >= real.chars().count()))
}

fn has_unit(figure: &str) -> bool {
    figure.chars().any(|c| !(c.is_ascii_digit() || c.is_whitespace() || matches!(c, ',' | '.')))
}

/// The distinct numbers of a text, separators dropped ("7,000" and "7000" are one), years left out.
fn numbers(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut current = String::new();
    let mut flush = |current: &mut String| {
        let digits: String = current.chars().filter(char::is_ascii_digit).collect();
        let year = digits.len() == 4 && current.len() == 4 && (digits.starts_with("1") || digits.starts_with("20"));
        if !digits.is_empty() && !year {
            out.insert(digits);
        }
        current.clear();
    };
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let separator = matches!(c, ',' | '.' | '\u{a0}' | '\u{202f}')
            && !current.is_empty()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() || separator {
            current.push(*c);
        } else {
            flush(&mut current);
        }
    }
    flush(&mut current);
    out
}

/// What the outline says: its subtitle, and its sections' figures and lines.
fn outline_text(o: &Outline) -> String {
    let sections = o.sections.iter().flat_map(|s| [s.figure.clone().unwrap_or_default(), s.line.clone()]);
    o.subtitle.clone().into_iter().chain(sections).collect::<Vec<_>>().join(" \n ")
}

#[derive(Default)]
struct Tally {
    articles: usize,
    outlined: usize,
    titled: usize,
    title_found: usize,
    untitled: usize,
    written_title_ok: usize,
    subtitles: usize,
    figures: usize,
    figures_with_unit: usize,
    numbers: usize,
    numbers_covered: usize,
    facts: usize,
    facts_covered: usize,
    filler: usize,
    filler_kept: usize,
    short_lines: usize,
    lines: usize,
}

impl Tally {
    /// One article's outline. `real_title`: the article's own; `facts`/`filler`: hand-listed.
    fn add(&mut self, article_text: &str, prompt: &str, real_title: Option<&str>, result: Option<&Outline>, facts: &[&str], filler: &[&str]) -> String {
        self.articles += 1;
        let Some(o) = result else {
            return "no outline (too short)".into();
        };
        self.outlined += 1;
        let mut notes = Vec::new();
        match real_title {
            Some(real) => {
                self.titled += 1;
                let found = title_found(&o.title, real);
                self.title_found += usize::from(found);
                if !found {
                    notes.push(format!("title {:?} (real {:?})", o.title, real));
                }
            }
            None => {
                self.untitled += 1;
                let ok = !o.title.trim().is_empty() && o.title.chars().count() <= TITLE_MAX_CHARS && norm(&o.title) != norm(prompt);
                self.written_title_ok += usize::from(ok);
                notes.push(format!("written title {:?}", o.title));
            }
        }
        self.subtitles += usize::from(o.subtitle.is_some());
        for figure in o.sections.iter().filter_map(|s| s.figure.as_deref()) {
            self.figures += 1;
            self.figures_with_unit += usize::from(has_unit(figure));
        }
        let ours = numbers(&outline_text(o));
        let theirs = numbers(article_text);
        self.numbers += theirs.len();
        self.numbers_covered += theirs.intersection(&ours).count();
        let covered_text = norm(&outline_text(o));
        let missed: Vec<&&str> = facts.iter().filter(|f| !covered_text.contains(&norm(f))).collect();
        self.facts += facts.len();
        self.facts_covered += facts.len() - missed.len();
        if !missed.is_empty() {
            notes.push(format!("missed {missed:?}"));
        }
        let mut said: Vec<String> = o.sections.iter().flat_map(|s| [norm(&s.heading), norm(&s.line)]).collect();
        said.extend(o.subtitle.as_deref().map(norm));
        let kept: Vec<&&str> = filler.iter().filter(|f| said.iter().any(|s| !s.is_empty() && s.starts_with(norm(f).trim_end_matches(['.', '?', '!'])))).collect();
        self.filler += filler.len();
        self.filler_kept += kept.len();
        if !kept.is_empty() {
            notes.push(format!("filler kept {kept:?}"));
        }
        for s in &o.sections {
            self.lines += 1;
            self.short_lines += usize::from(s.line.split_whitespace().count() < 5 && !s.line.chars().any(|c| c.is_ascii_digit()));
        }
        notes.join("; ")
    }

    fn report(&self, name: &str) {
        let share = |a: usize, b: usize| if b == 0 { "n/a".to_string() } else { format!("{a}/{b} = {:.0} %", 100.0 * a as f64 / b as f64) };
        eprintln!("== {name}: {} articles, {} outlined", self.articles, self.outlined);
        eprintln!("   title found (titled articles):       {}", share(self.title_found, self.titled));
        eprintln!("   written title ok (untitled):         {}", share(self.written_title_ok, self.untitled));
        eprintln!("   subtitle given:                      {}", share(self.subtitles, self.outlined));
        eprintln!("   figures with units:                  {}", share(self.figures_with_unit, self.figures));
        eprintln!("   article numbers covered:             {}", share(self.numbers_covered, self.numbers));
        eprintln!("   key facts covered:                   {}", share(self.facts_covered, self.facts));
        eprintln!("   filler sentences kept:               {}", share(self.filler_kept, self.filler));
        eprintln!("   short lines (<5 words, no digit):    {}", share(self.short_lines, self.lines));
    }
}

fn readability_pages() -> Vec<(String, PathBuf)> {
    let dir = std::env::var_os("READABILITY_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/readability"));
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut pages: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("source.html").is_file() && p.join("expected-metadata.json").is_file())
        .map(|p| (p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), p))
        .collect();
    pages.sort();
    pages
}

fn print_outline(name: &str, o: Option<&Outline>) {
    let Some(o) = o else { return };
    eprintln!("--- {name}\n    title: {:?}\n    subtitle: {:?}\n    layout: {:?}", o.title, o.subtitle, o.layout);
    for s in &o.sections {
        eprintln!("    [{}] {:?} | {}", s.figure.as_deref().unwrap_or("-"), s.heading, s.line);
    }
}

#[test]
#[ignore = "a measurement: prints figures, run on demand"]
fn outline_quality() {
    let mut pasted = Tally::default();
    for p in &PASTED {
        let article = article_of_text(p.text);
        let o = outline(&article, p.prompt, Layout::Auto).ok();
        print_outline(p.name, o.as_ref());
        let notes = pasted.add(p.text, p.prompt, p.title, o.as_ref(), p.facts, p.filler);
        eprintln!("    => {notes}");
    }

    let (mut fetched, mut as_text) = (Tally::default(), Tally::default());
    let pages = readability_pages();
    for (name, page) in &pages {
        let Ok(source) = std::fs::read(page.join("source.html")) else { continue };
        let source = crate::server::blog::fetch::decode_html(&source, "text/html");
        let meta: serde_json::Value = std::fs::read_to_string(page.join("expected-metadata.json")).ok().and_then(|m| serde_json::from_str(&m).ok()).unwrap_or_default();
        let real = meta["title"].as_str().map(str::trim).filter(|t| !t.is_empty());
        let article = extract(&source, Some("http://fakehost/test/page.html")).unwrap_or_else(|_| Article::default());
        let prompt = "An infographic of this post";
        let o = outline(&article, prompt, Layout::Auto).ok();
        let notes = fetched.add(&article.text, prompt, real, o.as_ref(), &[], &[]);
        if std::env::var_os("OUTLINE_QUALITY_VERBOSE").is_some() {
            print_outline(name, o.as_ref());
            eprintln!("    => {notes}");
        }
        // The same article pasted: its title on the first line, then its text.
        let pasted_text = format!("{}\n\n{}", real.unwrap_or_default(), article.text);
        let o = outline(&article_of_text(&pasted_text), prompt, Layout::Auto).ok();
        as_text.add(&article.text, prompt, real, o.as_ref(), &[], &[]);
    }
    eprintln!();
    pasted.report("pasted articles (testdata)");
    fetched.report(&format!("readability pages as fetched ({} pages)", pages.len()));
    as_text.report("readability pages as pasted text");
    assert!(pages.len() >= 50 || std::env::var_os("READABILITY_FIXTURES").is_none(), "expected the fixture corpus, found {} pages", pages.len());
}
