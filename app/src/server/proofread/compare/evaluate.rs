//! Precision and recall of `compare` on a labelled set: pictures with known, injected problems.

use super::{compare, Expected};
use crate::model::proofread::ProblemKind;
use std::collections::HashMap;

/// `cases`: what the picture should say, what was read, and the kinds of the problems put into
/// what was read. A reported problem is right when a problem of its kind was put in (counted up
/// to as many as were put in). Returns (precision, recall); each is 1 when there is nothing to
/// divide by (nothing reported, nothing injected).
pub fn evaluate(cases: &[(Expected, String, Vec<ProblemKind>)]) -> (f64, f64) {
    let (mut right, mut reported, mut injected) = (0usize, 0usize, 0usize);
    for (expected, transcription, kinds) in cases {
        let found = tally(compare(expected, transcription).problems.iter().map(|p| p.kind));
        let put = tally(kinds.iter().copied());
        right += put.iter().map(|(kind, n)| (*n).min(found.get(kind).copied().unwrap_or(0))).sum::<usize>();
        reported += found.values().sum::<usize>();
        injected += kinds.len();
    }
    (ratio(right, reported), ratio(right, injected))
}

fn tally(kinds: impl Iterator<Item = ProblemKind>) -> HashMap<ProblemKind, usize> {
    let mut counts = HashMap::new();
    for kind in kinds {
        *counts.entry(kind).or_insert(0) += 1;
    }
    counts
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 { 1.0 } else { part as f64 / whole as f64 }
}
