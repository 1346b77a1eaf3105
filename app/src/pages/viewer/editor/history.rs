//! Undo and redo over whole states. Edits that belong together (the moves of one drag, the
//! letters typed into one box, a held arrow key) carry the same group and are merged into the
//! step they continue, so one undo takes back the whole gesture.

/// Steps kept to undo; the oldest are forgotten beyond it.
const MAX_STEPS: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct History<T> {
    past: Vec<T>,
    present: T,
    future: Vec<T>,
    /// The group of the last step while later edits may still be merged into it.
    open: Option<String>,
}

impl<T: Clone + PartialEq> History<T> {
    pub(crate) fn new(present: T) -> Self {
        Self { past: Vec::new(), present, future: Vec::new(), open: None }
    }

    pub(crate) fn present(&self) -> &T {
        &self.present
    }

    /// Records `next` as a new step, or as the continuation of the last one when both carry the
    /// same `group`. An edit that changes nothing records nothing.
    pub(crate) fn apply(&mut self, next: T, group: Option<&str>) {
        if next == self.present {
            return;
        }
        let merge = group.is_some() && self.open.as_deref() == group && !self.past.is_empty();
        if merge {
            // A gesture that came back to where it started (a box dragged back) is no step.
            if self.past.last() == Some(&next) {
                self.past.pop();
                self.open = None;
            }
        } else {
            self.past.push(self.present.clone());
            if self.past.len() > MAX_STEPS {
                self.past.remove(0);
            }
        }
        self.present = next;
        self.future.clear();
        if merge && self.open.is_none() {
            return;
        }
        self.open = group.map(str::to_owned);
    }

    /// Ends the current gesture: the next edit is a step of its own.
    pub(crate) fn seal(&mut self) {
        self.open = None;
    }

    pub(crate) fn can_undo(&self) -> bool {
        !self.past.is_empty()
    }

    pub(crate) fn can_redo(&self) -> bool {
        !self.future.is_empty()
    }

    pub(crate) fn undo(&mut self) {
        if let Some(previous) = self.past.pop() {
            self.future.push(std::mem::replace(&mut self.present, previous));
        }
        self.open = None;
    }

    pub(crate) fn redo(&mut self) {
        if let Some(next) = self.future.pop() {
            self.past.push(std::mem::replace(&mut self.present, next));
        }
        self.open = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_and_redo_walk_the_steps_and_a_new_edit_drops_the_redo() {
        let mut h = History::new(0);
        assert!(!h.can_undo() && !h.can_redo());
        h.apply(1, None);
        h.apply(2, None);
        h.undo();
        assert_eq!((*h.present(), h.can_undo(), h.can_redo()), (1, true, true));
        h.redo();
        assert_eq!(*h.present(), 2);
        h.undo();
        h.apply(5, None);
        assert!(!h.can_redo());
        h.undo();
        h.undo();
        assert_eq!((*h.present(), h.can_undo()), (0, false));
        h.undo();
        assert_eq!(*h.present(), 0);
    }

    #[test]
    fn a_gesture_is_one_step_until_sealed() {
        let mut h = History::new(0);
        for x in 1..=10 {
            h.apply(x, Some("drag"));
        }
        h.seal();
        h.apply(11, Some("drag"));
        h.undo();
        assert_eq!(*h.present(), 10);
        h.undo();
        assert_eq!((*h.present(), h.can_undo()), (0, false));
    }

    #[test]
    fn another_group_starts_a_step_and_no_change_is_no_step() {
        let mut h = History::new(0);
        h.apply(1, Some("text0"));
        h.apply(2, Some("size0"));
        h.apply(2, Some("size0"));
        h.apply(2, None);
        h.undo();
        assert_eq!(*h.present(), 1);
        h.undo();
        assert_eq!((*h.present(), h.can_undo()), (0, false));
    }

    #[test]
    fn a_gesture_back_to_its_start_leaves_nothing_to_undo() {
        let mut h = History::new(0);
        h.apply(3, Some("drag"));
        h.apply(0, Some("drag"));
        assert!(!h.can_undo());
        h.apply(4, Some("drag"));
        assert_eq!((*h.present(), h.can_undo()), (4, true));
    }

    #[test]
    fn the_oldest_steps_are_forgotten() {
        let mut h = History::new(0);
        for x in 1..=(MAX_STEPS + 5) {
            h.apply(x, None);
        }
        let mut undone = 0;
        while h.can_undo() {
            h.undo();
            undone += 1;
        }
        assert_eq!((undone, *h.present()), (MAX_STEPS, 5));
    }
}
