//! What the comparison reads while it pairs words and reports problems: both texts, their
//! tokens, the language's accent rule and the sources' numbers.

use super::normalize::AccentRule;
use super::numbers::SourceNumbers;
use super::tokens::Token;
use std::cell::Cell;

/// Everything a report reads. Token indices here are indices into `expected` and `found`.
pub(super) struct Context<'a> {
    pub blocks: &'a [String],
    pub lines: &'a [String],
    pub expected: &'a [Token],
    pub found: &'a [Token],
    pub rule: AccentRule,
    pub sources: &'a SourceNumbers,
    /// Word similarities still allowed: pairing words in long unrelated stretches stops there.
    pub similarities: Cell<usize>,
}

impl Context<'_> {
    pub(super) fn expected_text(&self, indices: &[usize]) -> String {
        quote(self.blocks, self.expected, indices)
    }

    pub(super) fn found_text(&self, indices: &[usize]) -> String {
        quote(self.lines, self.found, indices)
    }

    /// Whether found token `f` is a number the sources do not have. Step markers are the
    /// picture's own numbering, not a claim.
    pub(super) fn unsourced(&self, f: usize) -> bool {
        let token = &self.found[f];
        !token.marker && token.number.as_ref().is_some_and(|n| !self.sources.contains(n))
    }

    /// Whether expected `e` and found `f` are the same word or number, spelled right.
    pub(super) fn same(&self, e: usize, f: usize) -> bool {
        let (et, ft) = (&self.expected[e], &self.found[f]);
        match (&et.number, &ft.number) {
            (Some(a), Some(b)) => a.same_as(b),
            (None, None) => et.exact == ft.exact || (et.key == ft.key && self.rule.capitals_only_differ(&self.expected_text(&[e]), &self.found_text(&[f]))),
            _ => false,
        }
    }
}

/// The words of `indices` (consecutive tokens) as written, a line break read as a space.
fn quote(texts: &[String], tokens: &[Token], indices: &[usize]) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut run: Option<(usize, usize, usize)> = None;
    for token in indices.iter().filter_map(|&i| tokens.get(i)) {
        run = match run {
            Some((line, start, _)) if line == token.line => Some((line, start, token.span.end)),
            Some((line, start, end)) => {
                parts.extend(texts.get(line).and_then(|t| t.get(start..end)));
                Some((token.line, token.span.start, token.span.end))
            }
            None => Some((token.line, token.span.start, token.span.end)),
        };
    }
    if let Some((line, start, end)) = run {
        parts.extend(texts.get(line).and_then(|t| t.get(start..end)));
    }
    parts.iter().flat_map(|p| p.split_whitespace()).collect::<Vec<_>>().join(" ")
}
