//! Text read in another language than the one asked. A run of consecutive lines that are not
//! expected text is judged as a whole (a block wrapped over lines is one piece of text), and
//! when it is not clearly foreign as a whole, line by line; a line or run needs
//! `MIN_LANGUAGE_WORDS` words, so short lines and names are never judged.

use super::events::Event;
use super::language::Asked;
use super::context::Context;
use super::report::Report;
use super::tokens::Token;
use crate::model::proofread::{Problem, ProblemKind};
use std::collections::HashSet;
use std::ops::Range;

/// Fewer words than this are too few to tell a language by (and are often names).
const MIN_LANGUAGE_WORDS: usize = 4;

/// Runs of lines clearly in another language than `asked`. With `vocabulary` (the expected
/// words), a line mostly of expected words is expected text, never judged.
pub(super) fn foreign_runs(lines: &[String], tokens: &[Token], asked: Option<&Asked>, vocabulary: Option<&HashSet<&str>>) -> Vec<Range<usize>> {
    let Some(asked) = asked else { return Vec::new() };
    let words = words_per_line(lines.len(), tokens);
    let candidate = |line: usize| {
        let known = vocabulary.map_or(0, |v| words[line].iter().filter(|w| v.contains(*w)).count());
        !words[line].is_empty() && known * 2 < words[line].len()
    };
    let mut runs = Vec::new();
    let mut line = 0;
    while line < lines.len() {
        let start = line;
        while line < lines.len() && candidate(line) {
            line += 1;
        }
        if line > start {
            runs.extend(foreign_in(start..line, lines, &words, asked));
        }
        line += 1;
    }
    runs
}

/// The word keys (not numbers) of each line.
fn words_per_line(lines: usize, tokens: &[Token]) -> Vec<Vec<&str>> {
    let mut words: Vec<Vec<&str>> = vec![Vec::new(); lines];
    for token in tokens.iter().filter(|t| t.number.is_none()) {
        if let Some(line) = words.get_mut(token.line) {
            line.push(token.key.as_str());
        }
    }
    words
}

/// `run` whole when it is clearly foreign as a whole, else those of its lines that are.
fn foreign_in(run: Range<usize>, lines: &[String], words: &[Vec<&str>], asked: &Asked) -> Vec<Range<usize>> {
    let total: usize = words[run.clone()].iter().map(Vec::len).sum();
    if total >= MIN_LANGUAGE_WORDS && asked.is_foreign(&lines[run.clone()].join("\n"), total) {
        return vec![run];
    }
    if run.len() == 1 {
        return Vec::new();
    }
    run.filter(|&l| words[l].len() >= MIN_LANGUAGE_WORDS && asked.is_foreign(&lines[l], words[l].len())).map(|l| l..l + 1).collect()
}

/// One run of wrong-language lines: where it sits among the words kept for the alignment, and
/// the expected words read nowhere else that it took the place of.
struct Run {
    lines: Range<usize>,
    at: usize,
    took: Option<Vec<usize>>,
}

/// The wrong-language runs of a picture.
pub(super) struct WrongLines {
    runs: Vec<Run>,
}

impl WrongLines {
    /// `kept`: the token indices the alignment sees (those not on a wrong-language line).
    pub(super) fn new(tokens: &[Token], kept: &[usize], runs: Vec<Range<usize>>) -> Self {
        let at = |line: usize| kept.iter().take_while(|&&i| tokens[i].line < line).count();
        Self { runs: runs.into_iter().map(|lines| Run { at: at(lines.start), lines, took: None }).collect() }
    }

    /// Gives the missing words of a stretch to the first run not yet placed that sits within it
    /// (`range` of the words kept): read in their place.
    pub(super) fn take_missing(&mut self, range: &Range<usize>, events: &mut Vec<Event>) {
        if !events.iter().any(|e| matches!(e, Event::Missing(_))) {
            return;
        }
        let Some(run) = self.runs.iter_mut().find(|r| r.took.is_none() && range.start <= r.at && r.at <= range.end) else { return };
        run.took = Some(events.iter().filter_map(|e| if let Event::Missing(i) = e { Some(*i) } else { None }).collect());
        events.retain(|e| !matches!(e, Event::Missing(_)));
    }

    /// One problem per run, with the expected words it replaced; then the numbers in it that
    /// no source has.
    pub(super) fn report(self, cx: &Context, report: &mut Report) {
        for run in self.runs {
            let expected = run.took.filter(|t| !t.is_empty()).map(|t| cx.expected_text(&t));
            report.problems.push(problem(expected, &cx.lines[run.lines.clone()]));
            for f in (0..cx.found.len()).filter(|&f| run.lines.contains(&cx.found[f].line) && cx.unsourced(f)) {
                report.problems.push(Problem { kind: ProblemKind::NumberNotInSource, expected: None, found: Some(cx.found_text(&[f])) });
            }
        }
    }
}

/// The problem for wrong-language `lines`, quoted on one line.
pub(super) fn problem(expected: Option<String>, lines: &[String]) -> Problem {
    let found = lines.iter().flat_map(|l| l.split_whitespace()).collect::<Vec<_>>().join(" ");
    Problem { kind: ProblemKind::WrongLanguage, expected, found: Some(found) }
}
