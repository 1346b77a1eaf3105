//! Comparing what a vision model read in a picture with what the picture should say.
//!
//! Both texts are cut into words and numbers (`tokens`) after NFKC normalisation; punctuation,
//! bullets, emoji, line breaks and case never count, nor do the accents the language asked for
//! leaves off capitals (`normalize` says which, per language). The words are lined up with
//! `similar`'s diff (`align`), then again over what is left so a block read in another place
//! still lines up; what does not line up becomes problems (`events`, `report`):
//! - **misspelled**: an expected word (or a few neighbouring ones) read as different words;
//! - **missing** / **extra**: expected words read nowhere / words read that were not expected,
//!   neighbours grouped into one phrase; a step number a picture adds to a list ("1.") is not
//!   extra;
//! - **number not in source**: a number read that none of the sources has, whatever its
//!   grouping or decimal sign (`numbers`); a changed number is reported once: as this when the
//!   new number is in no source, else as misspelled;
//! - **wrong language**: lines read that are not expected text, have enough words to tell and
//!   are clearly in another language (`wrong`, `language`). They are left out of the alignment,
//!   and the expected words read nowhere in their place are quoted with them instead of being
//!   reported missing.
//!
//! **A translated picture**: when the expected text is clearly in another language than the
//! one asked (the source was English and German was asked, so the image model had to
//! translate), or — when hardly half of its words line up — whatlang's best guess is another
//! language for it and the language asked for the picture's text, words cannot be compared.
//! Every word read counts as right (`words_expected` = `words_found` = the words read) and only
//! numbers and wrong-language lines are checked; a line left untranslated is wrong language.
//!
//! The work is bounded: at most `MAX_CHARS` characters of the picture's text and of the expected
//! text, `MAX_SOURCE_CHARS` of sources, `MAX_WORDS` words each side.

mod align;
mod context;
mod evaluate;
mod events;
mod language;
mod normalize;
mod numbers;
mod report;
mod tokens;
mod wrong;
#[cfg(test)]
mod tests;

pub use evaluate::evaluate;

use crate::model::proofread::{Comparison, Problem, ProblemKind};
use align::Step;
use events::Event;
use language::Asked;
use normalize::AccentRule;
use numbers::{Convention, SourceNumbers};
use context::Context;
use report::Report;
use std::cell::Cell;
use std::collections::HashSet;
use tokens::{Token, Tokenizer};
use wrong::WrongLines;
use unicode_normalization::UnicodeNormalization;

/// What a picture should say.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    /// The text blocks the picture should show, in reading order: its title, subtitle, each
    /// heading, that section's line and its figure.
    pub blocks: Vec<String>,
    /// Everything the picture was made from, where its numbers may come from: the article or
    /// pasted text, the outline, the user's prompt.
    pub sources: Vec<String>,
    /// The language asked for: a code of `model::design::LANGUAGES`.
    pub language: String,
}

/// Characters of the picture's text, and of the expected text, looked at.
const MAX_CHARS: usize = 100_000;
/// Characters of the sources searched for numbers.
const MAX_SOURCE_CHARS: usize = 2_000_000;
/// Words (and numbers) compared on each side.
const MAX_WORDS: usize = 5_000;

/// Compares `transcription` (what was read, one text block a line) with `expected`.
pub fn compare(expected: &Expected, transcription: &str) -> Comparison {
    let language = expected.language.trim();
    let tokenizer = Tokenizer { rule: AccentRule::of(language), convention: Convention::of(language), markers: false, max: MAX_WORDS };
    let blocks = normalized(expected.blocks.iter().map(String::as_str), MAX_CHARS);
    let lines: Vec<String> = normalized([transcription], MAX_CHARS).concat().lines().map(str::to_string).collect();
    let read = Read { tokens: Tokenizer { markers: true, ..tokenizer }.tokens(&lines), lines };
    let sources = SourceNumbers::new(normalized(expected.sources.iter().map(String::as_str), MAX_SOURCE_CHARS).iter().map(String::as_str));
    let asked = Asked::of(language);
    let expected_tokens = tokenizer.tokens(&blocks);
    let blocks_text = blocks.join("\n");
    if asked.as_ref().is_some_and(|a| a.is_foreign(&blocks_text, expected_tokens.len())) {
        return translated(&read, &sources, asked.as_ref());
    }
    let comparison = aligned(&blocks, &expected_tokens, &read, &sources, tokenizer.rule, asked.as_ref());
    let hardly_half = comparison.words_found.saturating_mul(2) < comparison.words_expected;
    if hardly_half && asked.as_ref().is_some_and(|a| probably_translated(a, &blocks_text, &read)) {
        return translated(&read, &sources, asked.as_ref());
    }
    comparison
}

/// Whether whatlang's best guesses, however unsure, are another language for the expected text
/// and the language asked for the picture's: short blocks are rarely "reliable".
fn probably_translated(asked: &Asked, blocks_text: &str, read: &Read) -> bool {
    asked.guessed(blocks_text) == Some(false) && asked.guessed(&read.lines.join("\n")) == Some(true)
}

/// The picture's text: its lines and their words.
struct Read {
    lines: Vec<String>,
    tokens: Vec<Token>,
}

/// NFKC forms of `texts`, at most `max_chars` characters in all (cut at a char boundary).
fn normalized<'a>(texts: impl IntoIterator<Item = &'a str>, max_chars: usize) -> Vec<String> {
    let mut left = max_chars;
    let mut out = Vec::new();
    for text in texts {
        if left == 0 {
            break;
        }
        let text = language::prefix(text, left);
        left = left.saturating_sub(text.chars().count());
        out.push(text.nfkc().collect());
    }
    out
}

/// The comparison of a picture whose words line up with the expected ones.
fn aligned(blocks: &[String], expected: &[Token], read: &Read, sources: &SourceNumbers, rule: AccentRule, asked: Option<&Asked>) -> Comparison {
    let vocabulary: HashSet<&str> = expected.iter().filter(|t| t.number.is_none()).map(|t| t.key.as_str()).collect();
    let runs = wrong::foreign_runs(&read.lines, &read.tokens, asked, Some(&vocabulary));
    let on_wrong_line: HashSet<usize> = runs.iter().flat_map(Clone::clone).collect();
    let kept: Vec<usize> = (0..read.tokens.len()).filter(|&i| !on_wrong_line.contains(&read.tokens[i].line)).collect();
    // Lined up by exact form, so "a" next to "à" lines up with "a"; a capital without its accent
    // ("ETE" for "été") is then paired by similarity, and found right.
    let expected_keys: Vec<&str> = expected.iter().map(|t| t.exact.as_str()).collect();
    let found_keys: Vec<&str> = kept.iter().map(|&i| read.tokens[i].exact.as_str()).collect();
    let cx = Context { blocks, lines: &read.lines, expected, found: &read.tokens, rule, sources, similarities: Cell::new(events::SIMILARITIES) };
    let mut wrong = WrongLines::new(&read.tokens, &kept, runs);
    let mut events = Vec::new();
    for step in align::align(&expected_keys, &found_keys) {
        match step {
            Step::Same(e, f) => events.push(Event::Same(e, kept[f])),
            Step::Differ(mut hunk) => {
                hunk.found.iter_mut().for_each(|f| *f = kept[*f]);
                hunk.moved.iter_mut().for_each(|(_, f)| *f = kept[*f]);
                let mut hunk_events = events::hunk_events(&cx, &hunk);
                wrong.take_missing(&hunk.found_range, &mut hunk_events);
                events.extend(hunk_events);
            }
        }
    }
    events::slide_into_lines(&cx, &mut events);
    events::pair_across(&cx, &mut events);
    let mut report = Report::default();
    report.events(&cx, &events);
    wrong.report(&cx, &mut report);
    Comparison { words_expected: count(expected.len()), words_found: report.words_found, problems: report.problems }
}

/// The comparison of a translated picture: every word read counts; numbers and wrong-language
/// lines are checked.
fn translated(read: &Read, sources: &SourceNumbers, asked: Option<&Asked>) -> Comparison {
    let runs = wrong::foreign_runs(&read.lines, &read.tokens, asked, None);
    let mut problems: Vec<Problem> = runs.into_iter().map(|lines| wrong::problem(None, &read.lines[lines])).collect();
    let cx = Context { blocks: &[], lines: &read.lines, expected: &[], found: &read.tokens, rule: AccentRule::of(""), sources, similarities: Cell::new(0) };
    for f in (0..read.tokens.len()).filter(|&f| cx.unsourced(f)) {
        problems.push(Problem { kind: ProblemKind::NumberNotInSource, expected: None, found: Some(cx.found_text(&[f])) });
    }
    let words = count(read.tokens.len());
    Comparison { words_expected: words, words_found: words, problems }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
