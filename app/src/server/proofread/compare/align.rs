//! Lining up the expected words with the words read, with `similar`'s diff: once in order, then
//! once more over what is left, so a block the picture shows elsewhere (a grid read row by row,
//! a figure read before its heading) still lines up.

use similar::{capture_diff_slices_deadline, Algorithm, DiffOp};
use std::collections::HashSet;
use std::ops::Range;
use std::time::{Duration, Instant};

/// One step of the alignment, in the order of the expected text. Indices are positions in the
/// key slices given to `align`.
#[derive(Debug)]
pub(super) enum Step {
    /// Expected word `.0` was read as `.1`, with the same key.
    Same(usize, usize),
    /// A stretch where the two differ.
    Differ(Hunk),
}

#[derive(Debug, Default)]
pub(super) struct Hunk {
    /// Expected words that line up with nothing.
    pub expected: Vec<usize>,
    /// Words read that line up with nothing.
    pub found: Vec<usize>,
    /// Words of this stretch that line up with words moved elsewhere (the second pass).
    pub moved: Vec<(usize, usize)>,
    /// Where in the words read this stretch sits (before the second pass took any).
    pub found_range: Range<usize>,
}

/// Lines up `expected` with `found` (keys). The diff is `similar`'s Myers, which bounds its own
/// work; a deadline over all passes is a second bound for hostile input.
pub(super) fn align(expected: &[&str], found: &[&str]) -> Vec<Step> {
    const TIME: Duration = Duration::from_secs(1);
    let deadline = Instant::now().checked_add(TIME);
    let mut steps = Vec::new();
    for op in diff(expected, found, deadline) {
        match op {
            DiffOp::Equal { old_index, new_index, len } => steps.extend((0..len).map(|k| Step::Same(old_index + k, new_index + k))),
            _ => steps.push(Step::Differ(Hunk {
                expected: op.old_range().collect(),
                found: op.new_range().collect(),
                moved: Vec::new(),
                found_range: op.new_range(),
            })),
        }
    }
    // Each pass can free one more moved block; a few are plenty for a picture.
    for _ in 0..4 {
        if !match_moved(expected, found, &mut steps, deadline) {
            break;
        }
    }
    steps
}

fn diff(old: &[&str], new: &[&str], deadline: Option<Instant>) -> Vec<DiffOp> {
    capture_diff_slices_deadline(Algorithm::Myers, old, new, deadline)
}

/// The second pass: diffs the words left over, in order, and moves what now lines up from the
/// hunks' leftovers into their `moved` pairs (kept with the expected word's hunk). Returns
/// whether anything moved.
fn match_moved(expected: &[&str], found: &[&str], steps: &mut [Step], deadline: Option<Instant>) -> bool {
    let hunks: Vec<&Hunk> = steps.iter().filter_map(|s| if let Step::Differ(h) = s { Some(h) } else { None }).collect();
    let left_expected: Vec<(usize, usize)> = hunks.iter().enumerate().flat_map(|(h, hunk)| hunk.expected.iter().map(move |&e| (h, e))).collect();
    let left_found: Vec<usize> = hunks.iter().flat_map(|hunk| hunk.found.iter().copied()).collect();
    if left_expected.is_empty() || left_found.is_empty() {
        return false;
    }
    let old: Vec<&str> = left_expected.iter().map(|&(_, e)| expected.get(e).copied().unwrap_or_default()).collect();
    let new: Vec<&str> = left_found.iter().map(|&f| found.get(f).copied().unwrap_or_default()).collect();
    let mut moved: Vec<(usize, usize, usize)> = Vec::new();
    for op in diff(&old, &new, deadline) {
        if let DiffOp::Equal { old_index, new_index, len } = op {
            moved.extend((0..len).map(|k| (left_expected[old_index + k].0, left_expected[old_index + k].1, left_found[new_index + k])));
        }
    }
    apply_moved(steps, &moved);
    !moved.is_empty()
}

fn apply_moved(steps: &mut [Step], moved: &[(usize, usize, usize)]) {
    let taken_expected: HashSet<usize> = moved.iter().map(|&(_, e, _)| e).collect();
    let taken_found: HashSet<usize> = moved.iter().map(|&(_, _, f)| f).collect();
    let hunks = steps.iter_mut().filter_map(|s| if let Step::Differ(h) = s { Some(h) } else { None });
    for (h, hunk) in hunks.enumerate() {
        hunk.expected.retain(|e| !taken_expected.contains(e));
        hunk.found.retain(|f| !taken_found.contains(f));
        hunk.moved.extend(moved.iter().filter(|&&(mh, _, _)| mh == h).map(|&(_, e, f)| (e, f)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The leftover expected and found words of one stretch.
    type Leftover = (Vec<usize>, Vec<usize>);

    fn summary(steps: &[Step]) -> (usize, Vec<Leftover>) {
        let mut same = 0;
        let mut hunks = Vec::new();
        for step in steps {
            match step {
                Step::Same(..) => same += 1,
                Step::Differ(h) => {
                    same += h.moved.len();
                    hunks.push((h.expected.clone(), h.found.clone()));
                }
            }
        }
        hunks.retain(|(e, f)| !e.is_empty() || !f.is_empty());
        (same, hunks)
    }

    #[test]
    fn a_changed_word_is_a_hunk_of_one_each() {
        let (same, hunks) = summary(&align(&["the", "pollination", "of", "crops"], &["the", "polination", "of", "crops"]));
        assert_eq!(same, 3);
        assert_eq!(hunks, [(vec![1], vec![1])]);
    }

    #[test]
    fn a_moved_block_still_lines_up() {
        let expected = ["title", "first", "block", "second", "part", "58"];
        let found = ["title", "58", "second", "part", "first", "block"];
        let (same, hunks) = summary(&align(&expected, &found));
        assert_eq!(same, 6, "{hunks:?}");
        assert!(hunks.is_empty());
    }

    #[test]
    fn empty_sides_do_not_panic() {
        assert!(align(&[], &[]).is_empty());
        assert_eq!(summary(&align(&["a"], &[])).1, [(vec![0], vec![])]);
    }
}
