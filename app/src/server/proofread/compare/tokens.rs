//! The words and numbers of a text. Punctuation, bullets, symbols and emoji are not words, so a
//! transcription that adds them, or wraps lines elsewhere, reads the same. Digits and letters are
//! separate tokens ("COVID-19" is "covid" and "19"); a Japanese or Chinese character is a word of
//! its own, since those scripts do not space words.

use super::language::is_ideographic;
use super::normalize::AccentRule;
use super::numbers::{self, digit_value, Convention, Number};
use std::ops::Range;
use unicode_normalization::char::is_combining_mark;

/// One word or number.
#[derive(Debug, Clone)]
pub(super) struct Token {
    /// The line (of a transcription) or block (of the expected text) it is in.
    pub line: usize,
    /// Where it is in that line, in bytes (char boundaries), to quote it as written.
    pub span: Range<usize>,
    /// What the alignment compares (`AccentRule::key`, or a number's value).
    pub key: String,
    /// What "spelled right" compares (`AccentRule::exact`).
    pub exact: String,
    pub number: Option<Number>,
    /// A step number starting a line ("1.", a lone "2"): pictures draw them for lists the
    /// text does not number, so one that lines up with nothing is not a problem.
    pub marker: bool,
}

/// How a text is cut into tokens.
#[derive(Clone, Copy)]
pub(super) struct Tokenizer {
    pub rule: AccentRule,
    pub convention: Convention,
    /// Whether a line may start with a step number (a transcription's lines).
    pub markers: bool,
    /// At most this many tokens in all; the rest of the text is ignored.
    pub max: usize,
}

impl Tokenizer {
    pub(super) fn tokens(&self, lines: &[String]) -> Vec<Token> {
        let mut out = Vec::new();
        for (line, text) in lines.iter().enumerate() {
            let first = out.len();
            self.line_tokens(line, text, &mut out);
            if self.markers {
                mark_step_number(text, out.get_mut(first..).unwrap_or_default());
            }
            if out.len() >= self.max {
                out.truncate(self.max);
                break;
            }
        }
        out
    }

    fn line_tokens(&self, line: usize, text: &str, out: &mut Vec<Token>) {
        let mut at = 0;
        while let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) {
            if out.len() >= self.max {
                return;
            }
            let end = if digit_value(c).is_some() {
                let (end, number) = numbers::scan(text, at, self.convention);
                out.push(Token { line, span: at..end, key: number.key(), exact: number.key(), number: Some(number), marker: false });
                end
            } else if is_ideographic(c) {
                self.push_word(line, text, at..at + c.len_utf8(), out)
            } else if c.is_alphabetic() {
                self.push_word(line, text, at..word_end(text, at), out)
            } else {
                at + c.len_utf8()
            };
            at = end.max(at + c.len_utf8());
        }
    }

    fn push_word(&self, line: usize, text: &str, span: Range<usize>, out: &mut Vec<Token>) -> usize {
        let word = text.get(span.clone()).unwrap_or_default();
        let end = span.end;
        out.push(Token { line, key: self.rule.key(word), exact: self.rule.exact(word), span, number: None, marker: false });
        end
    }
}

/// The end of the word starting at `start`: letters and their marks, up to a digit, an
/// ideograph or anything else.
fn word_end(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or_default();
    let len = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_alphabetic() || is_combining_mark(c)) || is_ideographic(c) || digit_value(c).is_some())
        .map_or(rest.len(), |(i, _)| i);
    start + len
}

/// Marks the first token of a line as a step number when it is a bare 1–20 ("1", "01", "3.")
/// not followed by "%" (then it is a figure).
fn mark_step_number(text: &str, line_tokens: &mut [Token]) {
    let Some(first) = line_tokens.first_mut() else { return };
    let Some(number) = &first.number else { return };
    let raw = text.get(first.span.clone()).unwrap_or_default();
    let small = raw.chars().count() <= 2 && number.readings.first().and_then(|r| r.parse::<u32>().ok()).is_some_and(|v| (1..=20).contains(&v));
    let after = text.get(first.span.end..).unwrap_or_default().trim_start();
    if small && !after.starts_with('%') {
        first.marker = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokenizer(code: &str) -> Tokenizer {
        Tokenizer { rule: AccentRule::of(code), convention: Convention::of(code), markers: true, max: 100 }
    }

    fn keys(code: &str, text: &str) -> Vec<String> {
        tokenizer(code).tokens(&[text.to_string()]).into_iter().map(|t| t.key).collect()
    }

    #[test]
    fn punctuation_bullets_and_emoji_are_not_words() {
        assert_eq!(keys("en", "• POLLINATION — 58 % of crops! 🐝"), ["pollination", "58", "of", "crops"]);
        assert_eq!(keys("en", "l’été, COVID-19"), ["l", "ete", "covid", "19"]);
    }

    #[test]
    fn ideographs_are_one_word_each() {
        assert_eq!(keys("ja", "ミツバチ 58%"), ["ミ", "ツ", "バ", "チ", "58"]);
    }

    #[test]
    fn a_leading_small_number_is_a_step_marker() {
        let marked = |text: &str| tokenizer("en").tokens(&[text.to_string()]).first().is_some_and(|t| t.marker);
        assert!(marked("1. Pollination"));
        assert!(marked("02"));
        assert!(!marked("58% of crops"));
        assert!(!marked("5 % of crops"));
        assert!(!marked("2024 was warm"));
        assert!(!marked("Bees 1"));
    }

    #[test]
    fn spans_quote_the_text_as_written() {
        let line = "Été, À l'école".to_string();
        let tokens = tokenizer("fr").tokens(std::slice::from_ref(&line));
        let words: Vec<&str> = tokens.iter().map(|t| &line[t.span.clone()]).collect();
        assert_eq!(words, ["Été", "À", "l", "école"]);
    }

    #[test]
    fn the_token_count_is_capped() {
        let text = "word ".repeat(1_000);
        assert_eq!(Tokenizer { max: 10, ..tokenizer("en") }.tokens(&[text]).len(), 10);
    }
}
