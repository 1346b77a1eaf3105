//! The state machine's transitions as the SQL that writes them. A status change is a
//! [`Transition`] (`from` → `to`, allowed by [`JobStatus::can_become`]) written as a guarded
//! `UPDATE ... WHERE status IN (from)`: a duplicate webhook, a reconciler and a second instance
//! can race for the same change, and exactly one of them gets `rows_affected == 1`.

use crate::model::JobStatus;
use crate::server::platform::db::Writer;

/// A status change of the state machine.
pub(super) struct Transition {
    pub from: &'static [JobStatus],
    pub to: JobStatus,
}

impl Transition {
    /// `status = 'to'`, for the `SET` list.
    pub(super) fn set(&self) -> String {
        format!("status = '{}'", self.to.as_str())
    }

    /// `status IN ('from', ...)`, for the `WHERE` clause.
    pub(super) fn guard(&self) -> String {
        let from: Vec<String> = self.from.iter().map(|s| format!("'{}'", s.as_str())).collect();
        format!("status IN ({})", from.join(","))
    }
}

use JobStatus::{Completed, Failed, Processing, Queued};
/// fal accepted the job (or its webhook proved it did).
pub(super) const SUBMITTED: Transition = Transition { from: &[Queued], to: Processing };
/// fal delivered an image.
pub(super) const COMPLETED: Transition = Transition { from: &[Processing], to: Completed };
/// It cannot succeed any more: before or after fal had it.
pub(super) const FAILED: Transition = Transition { from: &[Queued, Processing], to: Failed };
/// Cancelled before it was ever handed to fal.
pub(super) const CANCELLED: Transition = Transition { from: &[Queued], to: Failed };

/// Runs a guarded write: whether it changed the one row it is about (`false`: the guard did not
/// hold, someone else got there first).
pub(super) async fn changed_one<'q>(w: &Writer<'_>, query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>) -> Result<bool, sqlx::Error> {
    Ok(query.execute(w.pool()).await?.rows_affected() == 1)
}

/// `status = 'x'`: a guard for writes that belong to one state.
pub(super) fn in_state(status: JobStatus) -> String {
    format!("status = '{}'", status.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [&Transition; 4] = [&SUBMITTED, &COMPLETED, &FAILED, &CANCELLED];

    #[test]
    fn every_transition_is_one_the_state_machine_allows() {
        for t in ALL {
            assert!(!t.from.is_empty());
            for from in t.from {
                assert!(from.can_become(t.to), "{from} -> {}", t.to);
            }
        }
    }

    #[test]
    fn transitions_render_as_guarded_sql() {
        assert_eq!(FAILED.guard(), "status IN ('queued','processing')");
        assert_eq!(COMPLETED.set(), "status = 'completed'");
    }

    #[test]
    fn nothing_leaves_a_final_state() {
        for t in ALL {
            assert!(t.from.iter().all(|s| !s.is_final()));
        }
    }
}
