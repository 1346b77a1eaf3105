//! Turning the alignment into problems, each quoted with the casing of the text it comes from.

use super::context::Context;
use super::events::Event;
use crate::model::proofread::{Problem, ProblemKind};

/// The problems found so far and the words spelled right.
#[derive(Default)]
pub(super) struct Report {
    pub problems: Vec<Problem>,
    pub words_found: u32,
}

impl Report {
    fn push(&mut self, kind: ProblemKind, expected: Option<String>, found: Option<String>) {
        self.problems.push(Problem { kind, expected, found });
    }

    /// Expected `e` lined up with found `f`: right, or an accent a capital may not drop; and a
    /// number must come from the sources.
    fn aligned(&mut self, cx: &Context, e: usize, f: usize) {
        if !cx.same(e, f) {
            self.push(ProblemKind::Misspelled, Some(cx.expected_text(&[e])), Some(cx.found_text(&[f])));
            return;
        }
        self.words_found += 1;
        if cx.unsourced(f) {
            self.push(ProblemKind::NumberNotInSource, Some(cx.expected_text(&[e])), Some(cx.found_text(&[f])));
        }
    }

    /// Reports `events` (in reading order), neighbours grouped into one problem.
    pub(super) fn events(&mut self, cx: &Context, events: &[Event]) {
        let mut i = 0;
        while i < events.len() {
            let len = run_length(cx, &events[i..]);
            match events[i] {
                Event::Same(e, f) => self.aligned(cx, e, f),
                Event::Cut(_) => self.words_found += 1,
                Event::Missing(_) => self.push(ProblemKind::Missing, Some(cx.expected_text(&expected_of(&events[i..i + len]))), None),
                Event::Extra(_) => self.extra(cx, &found_of(&events[i..i + len])),
                Event::Paired(e, f) if len == 1 => self.paired(cx, e, f),
                Event::Paired(..) => {
                    let run = &events[i..i + len];
                    self.push(ProblemKind::Misspelled, Some(cx.expected_text(&expected_of(run))), Some(cx.found_text(&found_of(run))));
                }
            }
            i += len;
        }
    }

    /// One expected word read as another: right after all (a number written another way), a
    /// changed number (reported once: not in the sources, else misspelled), or a misspelling.
    fn paired(&mut self, cx: &Context, e: usize, f: usize) {
        if cx.same(e, f) {
            self.aligned(cx, e, f);
        } else {
            let kind = if cx.unsourced(f) { ProblemKind::NumberNotInSource } else { ProblemKind::Misspelled };
            self.push(kind, Some(cx.expected_text(&[e])), Some(cx.found_text(&[f])));
        }
    }

    /// Text read that was not expected: a number the sources lack is reported as such; the
    /// rest of the run, when there are words, as extra text.
    fn extra(&mut self, cx: &Context, found: &[usize]) {
        let (unsourced, sourced_numbers): (Vec<usize>, Vec<usize>) = found.iter().copied().partition(|&f| cx.unsourced(f));
        let has_words = found.iter().any(|&f| cx.found[f].number.is_none());
        if has_words {
            self.push(ProblemKind::Extra, None, Some(cx.found_text(found)));
        } else if !sourced_numbers.is_empty() {
            self.push(ProblemKind::Extra, None, Some(cx.found_text(&sourced_numbers)));
        }
        for f in unsourced {
            self.push(ProblemKind::NumberNotInSource, None, Some(cx.found_text(&[f])));
        }
    }
}

/// How many events from the first belong in one problem: neighbouring missing (or extra) words,
/// or neighbouring misspelled words (never numbers, which are reported one by one).
fn run_length(cx: &Context, events: &[Event]) -> usize {
    let groups = |a: &Event, b: &Event| match (*a, *b) {
        (Event::Missing(x), Event::Missing(y)) => y == x + 1,
        (Event::Extra(x), Event::Extra(y)) => y == x + 1,
        (Event::Paired(e1, f1), Event::Paired(e2, f2)) => {
            e2 == e1 + 1 && f2 == f1 + 1 && [(e1, f1), (e2, f2)].iter().all(|&(e, f)| misspelled_word(cx, e, f))
        }
        _ => false,
    };
    1 + events.windows(2).take_while(|w| groups(&w[0], &w[1])).count()
}

fn misspelled_word(cx: &Context, e: usize, f: usize) -> bool {
    cx.expected[e].number.is_none() && cx.found[f].number.is_none() && !cx.same(e, f)
}

fn expected_of(events: &[Event]) -> Vec<usize> {
    events.iter().filter_map(|e| match *e {
        Event::Paired(e, _) | Event::Missing(e) | Event::Same(e, _) | Event::Cut(e) => Some(e),
        Event::Extra(_) => None,
    }).collect()
}

fn found_of(events: &[Event]) -> Vec<usize> {
    events.iter().filter_map(|e| match *e {
        Event::Paired(_, f) | Event::Extra(f) | Event::Same(_, f) => Some(f),
        Event::Missing(_) | Event::Cut(_) => None,
    }).collect()
}

