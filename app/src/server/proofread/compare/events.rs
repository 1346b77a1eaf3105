//! What happened to each word: lined up, read as another word, missing or extra. Within a
//! stretch where the texts differ, a word read takes the place of the most similar expected
//! word; across stretches (a block read elsewhere and misspelled), only of a very similar one.

use super::align::Hunk;
use super::context::Context;
use super::tokens::Token;

/// One event, in reading order. Indices are token indices (`Context::expected`, `found`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Event {
    /// Expected `.0` lined up with `.1` (the same exact form).
    Same(usize, usize),
    /// Expected `.0` read right, cut into words differently ("e-mail" / "email").
    Cut(usize),
    /// Expected `.0` read as the different word `.1`.
    Paired(usize, usize),
    Missing(usize),
    Extra(usize),
}

/// Word similarities one comparison may compute (each on words of at most `MAX_WORD` letters).
pub(super) const SIMILARITIES: usize = 50_000;
/// Words longer than this are not words; comparing them letter by letter only costs.
const MAX_WORD: usize = 40;
/// How similar a word read must be to take an expected word's place in the same stretch.
const MIN_IN_HUNK: f32 = 0.5;
/// … and in another stretch.
const MIN_ACROSS: f32 = 0.75;

/// The events of one stretch. A step number the picture added that takes no expected number's
/// place is dropped.
pub(super) fn hunk_events(cx: &Context, hunk: &Hunk) -> Vec<Event> {
    let mut events: Vec<Event> = hunk.moved.iter().map(|&(e, f)| Event::Same(e, f)).collect();
    let found = without_stray_markers(cx, hunk);
    if !hunk.expected.is_empty() && !found.is_empty() && joined(cx.expected, &hunk.expected) == joined(cx.found, &found) {
        events.extend(hunk.expected.iter().map(|&e| Event::Cut(e)));
        return events;
    }
    let pairs = if hunk.expected.len() == found.len() && found.len() <= 3 {
        // A few words against as many: read in place of each other, however different.
        (0..found.len()).map(|i| (i, i)).collect()
    } else {
        best_pairs(cx, &hunk.expected, &found, MIN_IN_HUNK)
    };
    events.extend(in_order(&hunk.expected, &found, &pairs).into_iter().filter(|e| !matches!(e, Event::Extra(f) if cx.found[*f].marker)));
    events
}

/// Pairs missing and extra words of different stretches that are nearly the same word, or
/// similar enough and next to words that lined up with each other (a moved block misspelled, a
/// moved figure changed): one misspelling, not a missing and an extra.
pub(super) fn pair_across(cx: &Context, events: &mut Vec<Event>) {
    let missing: Vec<usize> = events.iter().filter_map(|e| if let Event::Missing(i) = e { Some(*i) } else { None }).collect();
    let extra: Vec<usize> = events.iter().filter_map(|e| if let Event::Extra(i) = e { Some(*i) } else { None }).collect();
    let same: std::collections::HashSet<(usize, usize)> = events.iter().filter_map(|e| if let Event::Same(a, b) = e { Some((*a, *b)) } else { None }).collect();
    let beside = |e: usize, f: usize| same.contains(&(e.wrapping_sub(1), f.wrapping_sub(1))) || same.contains(&(e + 1, f + 1));
    let min = |e: usize, f: usize| if beside(e, f) { MIN_IN_HUNK } else { MIN_ACROSS };
    let pairs = best_pairs_unordered(cx, &missing, &extra, min);
    if pairs.is_empty() {
        return;
    }
    let taken: std::collections::HashMap<usize, usize> = pairs.iter().map(|&(i, j)| (missing[i], extra[j])).collect();
    let taken_found: std::collections::HashSet<usize> = taken.values().copied().collect();
    events.retain(|e| !matches!(e, Event::Extra(f) if taken_found.contains(f)));
    for event in events.iter_mut() {
        if let Event::Missing(e) = *event {
            if let Some(&f) = taken.get(&e) {
                *event = Event::Paired(e, f);
            }
        }
    }
}

/// Lines an expected word up with the same word starting the run of words lined up after it,
/// rather than with one inside the extra text before them (`similar` may choose either): an
/// extra line that repeats an expected word is then one extra phrase.
pub(super) fn slide_into_lines(cx: &Context, events: &mut [Event]) {
    for i in 0..events.len() {
        let Event::Same(e, f) = events[i] else { continue };
        let extras = events.get(i + 1..).unwrap_or_default().iter().take_while(|ev| matches!(ev, Event::Extra(_))).count();
        let last = i + extras;
        let (Some(&Event::Extra(x)), Some(&Event::Same(next_e, next_f))) = (events.get(last), events.get(last + 1)) else { continue };
        if extras > 0 && next_e == e + 1 && x + 1 == next_f && cx.found[x].exact == cx.found[f].exact {
            events[i] = Event::Extra(f);
            events[last] = Event::Same(e, x);
        }
    }
}

/// The stretch's found words without step numbers, unless an expected number there could be
/// what a step number changed.
fn without_stray_markers(cx: &Context, hunk: &Hunk) -> Vec<usize> {
    let expects_number = hunk.expected.iter().any(|&e| cx.expected[e].number.is_some());
    hunk.found.iter().copied().filter(|&f| expects_number || !cx.found[f].marker).collect()
}

fn joined(tokens: &[Token], indices: &[usize]) -> String {
    indices.iter().filter_map(|&i| tokens.get(i)).map(|t| t.exact.as_str()).collect()
}

/// The stretch's words in reading order, given which pairs (positions in `expected`, `found`;
/// both increasing) stand for each other.
fn in_order(expected: &[usize], found: &[usize], pairs: &[(usize, usize)]) -> Vec<Event> {
    let mut events = Vec::new();
    let (mut i, mut j) = (0, 0);
    for &(pi, pj) in pairs {
        events.extend(expected[i..pi].iter().map(|&e| Event::Missing(e)));
        events.extend(found[j..pj].iter().map(|&f| Event::Extra(f)));
        events.push(Event::Paired(expected[pi], found[pj]));
        (i, j) = (pi + 1, pj + 1);
    }
    events.extend(expected[i..].iter().map(|&e| Event::Missing(e)));
    events.extend(found[j..].iter().map(|&f| Event::Extra(f)));
    events
}

/// The most similar pairs first, each kept if it does not cross one kept before; sorted.
fn best_pairs(cx: &Context, expected: &[usize], found: &[usize], min: f32) -> Vec<(usize, usize)> {
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for (_, i, j) in candidates(cx, expected, found, |_, _| min) {
        if kept.iter().all(|&(a, b)| (a < i && b < j) || (a > i && b > j)) {
            kept.push((i, j));
        }
    }
    kept.sort_unstable();
    kept
}

/// The most similar pairs first, each word in one pair at most, in any order.
fn best_pairs_unordered(cx: &Context, expected: &[usize], found: &[usize], min: impl Fn(usize, usize) -> f32) -> Vec<(usize, usize)> {
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for (_, i, j) in candidates(cx, expected, found, min) {
        if kept.iter().all(|&(a, b)| a != i && b != j) {
            kept.push((i, j));
        }
    }
    kept
}

/// Every pair at least `min(expected token, found token)` similar, most similar first (ties:
/// reading order). Nothing when the comparison's budget of similarities would run out.
fn candidates(cx: &Context, expected: &[usize], found: &[usize], min: impl Fn(usize, usize) -> f32) -> Vec<(f32, usize, usize)> {
    let count = expected.len().saturating_mul(found.len());
    if count == 0 || count > cx.similarities.get() {
        return Vec::new();
    }
    cx.similarities.set(cx.similarities.get() - count);
    let mut out = Vec::new();
    for (i, &e) in expected.iter().enumerate() {
        for (j, &f) in found.iter().enumerate() {
            let s = similarity(&cx.expected[e], &cx.found[f]);
            if s >= min(e, f) {
                out.push((s, i, j));
            }
        }
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    out
}

/// How alike two tokens are, 0 to 1: `similar`'s character ratio for words; a number only
/// resembles a number (and always does a little: a changed number is still that number). A step
/// number resembles less, so the figure it stands next to is paired first.
fn similarity(a: &Token, b: &Token) -> f32 {
    if a.key.chars().count() > MAX_WORD || b.key.chars().count() > MAX_WORD {
        return if a.key == b.key { 1.0 } else { 0.0 };
    }
    let ratio = similar::TextDiff::from_chars(a.key.as_str(), b.key.as_str()).ratio();
    let step = if b.marker { 0.9 } else { 1.0 };
    match (&a.number, &b.number) {
        (Some(_), Some(_)) => step * (0.5 + ratio / 2.0),
        (None, None) => ratio,
        _ => 0.0,
    }
}
